import { HEAT_FIGURES, type HeatFigures, HeatResponseSchema, type HeatRow } from '../../../shared/kpi';
import { ZoomChart } from '../components/charts/ZoomChart';
import { FigureCards, KpiTable } from '../components/energy/KpiBlocks';
import { KpiChart } from '../components/energy/KpiChart';
import { PeriodPicker } from '../components/energy/PeriodPicker';
import { usePeriod } from '../components/energy/usePeriod';
import '../components/energy/energy.css';
import { useI18n, useMessages } from '../lib/i18n';
import { kpiQuery } from '../lib/periods';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

const messages = {
  fr: {
    title: 'Chaleur et air',
    loading: 'Chargement des indicateurs…',
    heatChart: 'Chaleur livrée par intervalle',
    heat: 'Chaleur livrée',
    recoveryChart: 'Efficacité de la récupération de chaleur par intervalle (EN 308, côté reprise)',
    recovery: 'Efficacité de récupération',
    supplyRatio: 'Rapport côté soufflage (avec batterie)',
    powerChart: 'Puissance de la sous-station',
    power: 'Puissance thermique',
    ahuChart: 'Températures de la centrale de traitement d’air',
    outdoor: 'Air neuf (extérieur)',
    supply: 'Soufflage',
    extract: 'Reprise',
    exhaust: 'Rejet',
    table: 'Chiffres par intervalle',
    csv: 'Exporter en CSV',
    recoveryNote: 'Mesurée sur les heures de chauffage où la CTA tourne et où reprise − extérieur ≥ 5 K.',
    hourlyDju: 'Degrés-jours : une valeur par jour entier, aucune par heure.',
  },
  en: {
    title: 'Heat and air',
    loading: 'Loading the figures…',
    heatChart: 'Heat delivered per interval',
    heat: 'Heat delivered',
    recoveryChart: 'Heat-recovery efficiency per interval (EN 308, extract side)',
    recovery: 'Heat-recovery efficiency',
    supplyRatio: 'Supply-side ratio (with the heating coil)',
    powerChart: 'Substation power',
    power: 'Heat power',
    ahuChart: 'Air handling unit temperatures',
    outdoor: 'Outdoor air',
    supply: 'Supply',
    extract: 'Extract',
    exhaust: 'Exhaust',
    table: 'Figures per interval',
    csv: 'Export as CSV',
    recoveryNote: 'Measured over the heating hours the AHU runs with extract − outdoor ≥ 5 K.',
    hourlyDju: 'Degree-days: one value per whole day, none per hour.',
  },
};

const HEADLINE: (keyof HeatFigures)[] = ['heatKWh', 'heatCostEur', 'heatCo2Kg', 'heatPerM2KWh', 'degreeDays', 'heatPerDegreeDayKWh', 'meanOutdoorC', 'recoveryEfficiencyPct', 'recoveredHeatKWh'];
const TABLE_COLUMNS = (['heatKWh', 'heatCostEur', 'degreeDays', 'heatPerDegreeDayKWh', 'meanOutdoorC', 'recoveryHours', 'recoveryEfficiencyPct', 'supplyTemperatureRatioPct', 'recoveredHeatKWh'] as const).map((key) => ({ key, meta: HEAT_FIGURES[key] }));

/** District heating delivered, degree-days, and the air handling unit's heat recovery. */
export default function HeatPage() {
  const t = useMessages(messages);
  const { lang } = useI18n();
  const canExport = useCan('export');
  const { period, setPeriod, range } = usePeriod('week');
  const heat = useApi(`/api/v1/kpi/heat?${kpiQuery(period)}`, HeatResponseSchema, lang === 'fr' ? 'les indicateurs chaleur' : 'the heat figures');
  const data = heat.data;

  return (
    <section className="kpi-page" aria-labelledby="heat-title">
      <h2 id="heat-title">{t.title}</h2>
      <div className="kpi-toolbar">
        <PeriodPicker period={period} onChange={setPeriod} />
        {canExport ? (
          <div className="kpi-actions">
            <a href={`/api/v1/kpi/heat?${kpiQuery(period, { format: 'csv', locale: lang })}`} download data-testid="export-csv">
              {t.csv}
            </a>
          </div>
        ) : null}
      </div>

      {heat.error ? (
        <div className="error" role="alert">
          <p>{heat.error}</p>
        </div>
      ) : null}
      {!data && heat.loading ? (
        <p className="notice" role="status">
          {t.loading}
        </p>
      ) : null}
      {data ? (
        <>
          <div data-testid="heat-figures" aria-busy={heat.loading}>
            <FigureCards figures={HEADLINE.map((key) => ({ key, meta: HEAT_FIGURES[key], value: data.totals[key], note: key === 'recoveryEfficiencyPct' ? t.recoveryNote : undefined }))} mode="none" />
          </div>
          <div className="kpi-charts">
            <KpiChart<HeatRow> title={t.heatChart} testId="chart-heat" rows={data.rows} interval={data.interval} unit="kWh" series={[{ key: 'heatKWh', label: t.heat, color: 'var(--series-2)' }]} />
            <KpiChart<HeatRow>
              title={t.recoveryChart}
              testId="chart-recovery"
              rows={data.rows}
              interval={data.interval}
              unit="%"
              yMax={100}
              series={[
                { key: 'recoveryEfficiencyPct', label: t.recovery, color: 'var(--series-3)', line: true },
                { key: 'supplyTemperatureRatioPct', label: t.supplyRatio, color: 'var(--series-1)', line: true, dash: '6 3' },
              ]}
            />
          </div>
        </>
      ) : null}

      <div className="kpi-charts">
        <ZoomChart title={t.powerChart} testId="zoom-heat" from={range.fromMs} to={range.toMs} scale={{ factor: 0.001, unit: 'kW' }} series={[{ id: 'heat-substation.heat_power', label: t.power, color: 'var(--series-2)' }]} />
        <ZoomChart
          title={t.ahuChart}
          testId="zoom-ahu"
          from={range.fromMs}
          to={range.toMs}
          series={[
            { id: 'ahu.outdoor_temperature', label: t.outdoor },
            { id: 'ahu.supply_temperature', label: t.supply },
            { id: 'ahu.extract_temperature', label: t.extract },
            { id: 'ahu.exhaust_temperature', label: t.exhaust },
          ]}
        />
      </div>

      {data ? (
        <>
          <KpiTable<HeatRow> rows={data.rows} totals={data.totals} interval={data.interval} columns={TABLE_COLUMNS} caption={t.table} testId="heat-table" />
          {data.interval === 'hour' ? <p className="chart-note">{t.hourlyDju}</p> : null}
        </>
      ) : null}
    </section>
  );
}
