import { WATER_FIGURES, type WaterFigures, WaterResponseSchema, type WaterRow } from '../../../shared/kpi';
import { ZoomChart } from '../components/charts/ZoomChart';
import { FigureCards, KpiTable } from '../components/energy/KpiBlocks';
import { KpiChart } from '../components/energy/KpiChart';
import { PeriodPicker } from '../components/energy/PeriodPicker';
import { usePeriod } from '../components/energy/usePeriod';
import '../components/energy/energy.css';
import { useI18n, useMessages } from '../lib/i18n';
import { useLiveData } from '../lib/live-context';
import { kpiQuery } from '../lib/periods';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

const messages = {
  fr: {
    title: 'Eau de pluie',
    live: 'Niveau de la cuve, en direct',
    level: 'Niveau',
    volume: 'Volume',
    waiting: 'En attente d’une mesure…',
    at: (when: string) => `mesuré ${when}`,
    history: 'Niveau de la cuve',
    levelSeries: 'Niveau de la cuve',
    loading: 'Chargement des indicateurs…',
    balance: 'Usages, appoint et trop-plein',
    rain: 'Pluie et eau récupérée',
    rainfall: 'Pluviométrie',
    harvested: 'Eau de pluie récupérée',
    toilet: 'Sanitaires',
    watering: 'Arrosage',
    topup: 'Appoint eau de ville',
    overflow: 'Trop-plein',
    table: 'Chiffres par intervalle',
    csv: 'Exporter en CSV',
    substitution: 'Taux de substitution par intervalle',
    substitutionRate: 'Taux de substitution',
  },
  en: {
    title: 'Rainwater',
    live: 'Tank level, live',
    level: 'Level',
    volume: 'Volume',
    waiting: 'Waiting for a reading…',
    at: (when: string) => `read ${when}`,
    history: 'Tank level',
    levelSeries: 'Tank level',
    loading: 'Loading the figures…',
    balance: 'Uses, top-up and overflow',
    rain: 'Rain and water harvested',
    rainfall: 'Rainfall',
    harvested: 'Rainwater harvested',
    toilet: 'Toilets',
    watering: 'Watering',
    topup: 'Mains top-up',
    overflow: 'Overflow',
    table: 'Figures per interval',
    csv: 'Export as CSV',
    substitution: 'Substitution rate per interval',
    substitutionRate: 'Substitution rate',
  },
};

const HEADLINE: (keyof WaterFigures)[] = ['rainfallMm', 'harvestedM3', 'toiletM3', 'wateringM3', 'mainsTopupM3', 'overflowM3', 'potableSavedM3', 'potableSavedEur', 'substitutionPct'];
const TABLE_COLUMNS = (['rainfallMm', 'harvestedM3', 'toiletM3', 'wateringM3', 'usedM3', 'mainsTopupM3', 'overflowM3', 'potableSavedM3', 'potableSavedEur', 'substitutionPct'] as const).map((key) => ({ key, meta: WATER_FIGURES[key] }));

/** The rainwater tank: its level live and over time, and the period's rain, uses, top-ups and overflow. */
export default function WaterPage() {
  const t = useMessages(messages);
  const { lang, fmt } = useI18n();
  const canExport = useCan('export');
  const live = useLiveData();
  const { period, setPeriod, range } = usePeriod('week');
  const water = useApi(`/api/v1/kpi/water?${kpiQuery(period)}`, WaterResponseSchema, lang === 'fr' ? 'les indicateurs eau' : 'the water figures');
  const level = live.latest.get('rainwater-tank.level');
  const volume = live.latest.get('rainwater-tank.volume');
  const data = water.data;

  return (
    <section className="kpi-page" aria-labelledby="water-title">
      <h2 id="water-title">{t.title}</h2>

      <div className="figure-card" data-testid="tank-live">
        <span className="figure-label">{t.live}</span>
        {level ? (
          <>
            <div className="live-figure">
              <strong className="figure-value" data-testid="tank-level" data-ts={level.ts}>
                {fmt.percent(level.value, 1)}
              </strong>
              {volume ? (
                <span>
                  {t.volume} : {fmt.unit(volume.value, 'm³', 2)}
                </span>
              ) : null}
              <span className="figure-note">{t.at(fmt.relative(level.ts))}</span>
            </div>
            <div className="tank-gauge" role="meter" aria-label={t.level} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(level.value)}>
              <span style={{ width: `${Math.max(0, Math.min(100, level.value))}%` }} />
            </div>
          </>
        ) : (
          <p className="notice">{t.waiting}</p>
        )}
      </div>

      <div className="kpi-toolbar">
        <PeriodPicker period={period} onChange={setPeriod} />
        {canExport ? (
          <div className="kpi-actions">
            <a href={`/api/v1/kpi/water?${kpiQuery(period, { format: 'csv', locale: lang })}`} download data-testid="export-csv">
              {t.csv}
            </a>
          </div>
        ) : null}
      </div>

      <ZoomChart title={t.history} testId="zoom-water" from={range.fromMs} to={range.toMs} yDomain={[0, 100]} series={[{ id: 'rainwater-tank.level', label: t.levelSeries }]} />

      {water.error ? (
        <div className="error" role="alert">
          <p>{water.error}</p>
        </div>
      ) : null}
      {!data && water.loading ? (
        <p className="notice" role="status">
          {t.loading}
        </p>
      ) : null}
      {data ? (
        <>
          <div data-testid="water-figures" aria-busy={water.loading}>
            <FigureCards figures={HEADLINE.map((key) => ({ key, meta: WATER_FIGURES[key], value: data.totals[key] }))} mode="none" />
          </div>
          <div className="kpi-charts">
            <KpiChart<WaterRow>
              title={t.balance}
              testId="chart-water-uses"
              rows={data.rows}
              interval={data.interval}
              unit="m³"
              series={[
                { key: 'toiletM3', label: t.toilet, color: 'var(--series-1)', stack: 'uses' },
                { key: 'wateringM3', label: t.watering, color: 'var(--series-3)', stack: 'uses', pattern: 'pat-watering-hatch' },
                { key: 'mainsTopupM3', label: t.topup, color: 'var(--series-2)', pattern: 'pat-topup-dots' },
                { key: 'overflowM3', label: t.overflow, color: 'var(--chart-4)', line: true, dash: '6 3' },
              ]}
            />
            <KpiChart<WaterRow>
              title={t.rainfall}
              testId="chart-water-rain"
              rows={data.rows}
              interval={data.interval}
              unit="mm"
              series={[{ key: 'rainfallMm', label: `${t.rainfall} (mm)`, color: 'var(--series-1)' }]}
            />
            <KpiChart<WaterRow>
              title={t.substitution}
              testId="chart-water-substitution"
              rows={data.rows}
              interval={data.interval}
              unit="%"
              yMax={100}
              series={[{ key: 'substitutionPct', label: t.substitutionRate, color: 'var(--series-3)', line: true }]}
            />
          </div>
          <KpiTable<WaterRow> rows={data.rows} totals={data.totals} interval={data.interval} columns={TABLE_COLUMNS} caption={t.table} testId="water-table" />
        </>
      ) : null}
    </section>
  );
}
