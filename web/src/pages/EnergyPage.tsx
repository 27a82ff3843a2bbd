import { useId } from 'react';
import { CompareResponseSchema, ENERGY_FIGURES, type EnergyFigures, EnergyResponseSchema, type EnergyRow } from '../../../shared/kpi';
import { CompareTable, type CompareMode, FigureCards, KpiTable } from '../components/energy/KpiBlocks';
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
    title: 'Bilan énergétique',
    compare: 'Comparer avec',
    none: 'Rien',
    previous: 'La période précédente',
    year: 'La même période un an avant',
    csv: 'Exporter en CSV',
    report: 'Rapport imprimable',
    reportNew: '(nouvel onglet)',
    loading: 'Chargement des indicateurs…',
    partial: (to: string) => `Période en cours : chiffres jusqu’au ${to}.`,
    prodCons: 'Production et consommation',
    destination: 'Destination de la production PV',
    rates: 'Autoconsommation et autoproduction par intervalle',
    money: 'Coûts et économies',
    pv: 'Production PV',
    consumption: 'Consommation',
    import: 'Soutirage réseau',
    building: 'Autoconsommée par le bâtiment',
    ev: 'Recharge VE depuis le PV',
    exported: 'Injectée sur le réseau',
    selfConsumption: 'Autoconsommation',
    selfSufficiency: 'Autoproduction',
    evShare: 'Part PV de la recharge VE',
    cost: 'Coût du soutirage',
    revenue: 'Recette de l’injection',
    savings: 'Économie d’autoconsommation',
    table: 'Chiffres par intervalle',
    compareTable: (ref: string) => `Comparaison avec ${ref}`,
    ofPv: 'de la production consommée sur place',
    ofConsumption: 'de la consommation couverte par le PV',
    ofEv: (kwh: string) => `de ${kwh} de recharge VE`,
    coverage: 'Données incomplètes',
    warnings: 'Avertissements des compteurs',
  },
  en: {
    title: 'Energy review',
    compare: 'Compare with',
    none: 'Nothing',
    previous: 'The previous period',
    year: 'The same period a year before',
    csv: 'Export as CSV',
    report: 'Printable report',
    reportNew: '(new tab)',
    loading: 'Loading the figures…',
    partial: (to: string) => `Current period: figures up to ${to}.`,
    prodCons: 'Production and consumption',
    destination: 'Where the PV production went',
    rates: 'Self-consumption and self-sufficiency per interval',
    money: 'Costs and savings',
    pv: 'PV production',
    consumption: 'Consumption',
    import: 'Grid import',
    building: 'Self-consumed by the building',
    ev: 'EV charging from PV',
    exported: 'Exported to the grid',
    selfConsumption: 'Self-consumption',
    selfSufficiency: 'Self-sufficiency',
    evShare: 'PV share of EV charging',
    cost: 'Import cost',
    revenue: 'Export revenue',
    savings: 'Self-consumption savings',
    table: 'Figures per interval',
    compareTable: (ref: string) => `Comparison with ${ref}`,
    ofPv: 'of the production used on site',
    ofConsumption: 'of the consumption covered by PV',
    ofEv: (kwh: string) => `of ${kwh} of EV charging`,
    coverage: 'Incomplete data',
    warnings: 'Meter warnings',
  },
};

const TABLE_COLUMNS = (
  ['pvKWh', 'consumptionKWh', 'importKWh', 'exportKWh', 'selfConsumedKWh', 'evKWh', 'evFromPvKWh', 'selfConsumptionPct', 'selfSufficiencyPct', 'evPvSharePct', 'importCostEur', 'exportRevenueEur', 'selfConsumptionSavingsEur', 'co2AvoidedKg'] as const
).map((key) => ({ key, meta: ENERGY_FIGURES[key] }));

const HEADLINE: (keyof EnergyFigures)[] = ['pvKWh', 'consumptionKWh', 'importKWh', 'exportKWh', 'selfConsumptionPct', 'selfSufficiencyPct', 'evPvSharePct', 'importCostEur', 'exportRevenueEur', 'selfConsumptionSavingsEur', 'netCostEur', 'co2AvoidedKg'];

const COMPARE_MODES: CompareMode[] = ['none', 'previous', 'year'];

/** The energy reviewer's page: a period, its figures, their charts and table, a comparison, CSV and a report. */
export default function EnergyPage() {
  const t = useMessages(messages);
  const { lang, fmt } = useI18n();
  const canExport = useCan('export');
  const compareId = useId();
  const { period, setPeriod, params, setParams } = usePeriod('month');
  const rawMode = params.get('compare');
  const mode: CompareMode = rawMode === 'previous' || rawMode === 'year' ? rawMode : 'none';

  const energy = useApi(`/api/v1/kpi/energy?${kpiQuery(period)}`, EnergyResponseSchema, lang === 'fr' ? 'les indicateurs énergie' : 'the energy figures');
  const compare = useApi(mode === 'none' ? null : `/api/v1/kpi/compare?${kpiQuery(period, { kpi: 'energy', locale: lang })}`, CompareResponseSchema, lang === 'fr' ? 'la comparaison' : 'the comparison');

  const data = energy.data;
  const rows = (data?.rows ?? []).map((r) => ({ ...r, buildingFromPvKWh: Math.max(0, r.selfConsumedKWh - r.evFromPvKWh) }));
  type Row = EnergyRow & { buildingFromPvKWh: number };
  const totals = data?.totals;
  const setMode = (m: CompareMode) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (m === 'none') next.delete('compare');
      else next.set('compare', m);
      return next;
    });

  const headline = totals
    ? HEADLINE.map((key) => ({
        key,
        meta: ENERGY_FIGURES[key],
        value: totals[key],
        note: key === 'selfConsumptionPct' ? t.ofPv : key === 'selfSufficiencyPct' ? t.ofConsumption : key === 'evPvSharePct' ? t.ofEv(fmt.unit(totals.evKWh, 'kWh', 0)) : undefined,
      }))
    : [];

  const csvHref = `/api/v1/kpi/energy?${kpiQuery(period, { format: 'csv', locale: lang })}`;
  const reportHref = `/api/v1/reports/period?${kpiQuery(period, { format: 'html', locale: lang })}`;

  return (
    <section className="kpi-page" aria-labelledby="energy-title">
      <h2 id="energy-title">{t.title}</h2>
      <div className="kpi-toolbar">
        <PeriodPicker period={period} onChange={setPeriod} />
        <div className="compare-field">
          <label htmlFor={compareId}>{t.compare}</label>
          <select id={compareId} data-testid="compare-mode" value={mode} onChange={(e) => setMode(e.target.value as CompareMode)}>
            {COMPARE_MODES.map((m) => (
              <option key={m} value={m}>
                {t[m]}
              </option>
            ))}
          </select>
        </div>
        {canExport ? (
          <div className="kpi-actions">
            <a href={csvHref} download data-testid="export-csv">
              {t.csv}
            </a>
            <a href={reportHref} target="_blank" rel="noopener" data-testid="report-link">
              {t.report} <span className="figure-note">{t.reportNew}</span>
            </a>
          </div>
        ) : null}
      </div>

      {energy.error ? (
        <div className="error" role="alert">
          <p>{energy.error}</p>
        </div>
      ) : null}
      {!data && energy.loading ? (
        <p className="notice" role="status">
          {t.loading}
        </p>
      ) : null}
      {compare.error && mode !== 'none' ? (
        <div className="error" role="alert">
          <p>{compare.error}</p>
        </div>
      ) : null}

      {data && totals ? (
        <>
          {/* The current hour's bucket holds readings up to now, not to the hour's end (server/kpi/periods.ts). */}
          {data.period.partial ? <p className="notice">{t.partial(fmt.dateTime(Math.min(data.period.toMs, Date.now())))}</p> : null}
          <div data-testid="energy-figures" aria-busy={energy.loading} data-period={data.period.label}>
            <FigureCards figures={headline} compare={mode === 'none' ? undefined : compare.data?.figures} mode={mode} />
          </div>

          <div className="kpi-charts">
            <KpiChart<Row>
              title={t.prodCons}
              testId="chart-production"
              rows={rows}
              interval={data.interval}
              unit="kWh"
              series={[
                { key: 'pvKWh', label: t.pv, color: 'var(--energy-pv)' },
                { key: 'consumptionKWh', label: t.consumption, color: 'var(--energy-consumption)', pattern: 'pat-consumption-dots' },
                { key: 'importKWh', label: t.import, color: 'var(--energy-import)', line: true, dash: '6 3' },
              ]}
            />
            <KpiChart<Row>
              title={t.destination}
              testId="chart-destination"
              rows={rows}
              interval={data.interval}
              unit="kWh"
              series={[
                { key: 'buildingFromPvKWh', label: t.building, color: 'var(--energy-building)', stack: 'pv' },
                { key: 'evFromPvKWh', label: t.ev, color: 'var(--energy-ev)', stack: 'pv', pattern: 'pat-ev-hatch' },
                { key: 'exportKWh', label: t.exported, color: 'var(--energy-export)', stack: 'pv', pattern: 'pat-export-dots' },
              ]}
            />
            <KpiChart<Row>
              title={t.rates}
              testId="chart-rates"
              rows={rows}
              interval={data.interval}
              unit="%"
              yMax={100}
              series={[
                { key: 'selfConsumptionPct', label: t.selfConsumption, color: 'var(--energy-building)', line: true },
                { key: 'selfSufficiencyPct', label: t.selfSufficiency, color: 'var(--energy-consumption)', line: true, dash: '8 4' },
                { key: 'evPvSharePct', label: t.evShare, color: 'var(--energy-ev)', line: true, dash: '2 3' },
              ]}
            />
            <KpiChart<Row>
              title={t.money}
              testId="chart-money"
              rows={rows}
              interval={data.interval}
              unit="€"
              series={[
                { key: 'importCostEur', label: t.cost, color: 'var(--energy-import)' },
                { key: 'exportRevenueEur', label: t.revenue, color: 'var(--energy-export)', pattern: 'pat-revenue-dots' },
                { key: 'selfConsumptionSavingsEur', label: t.savings, color: 'var(--energy-building)', pattern: 'pat-savings-hatch' },
              ]}
            />
          </div>

          {mode !== 'none' && compare.data ? (
            <CompareTable
              figures={compare.data.figures}
              mode={mode}
              metas={ENERGY_FIGURES}
              caption={t.compareTable(mode === 'previous' ? compare.data.previous.label : compare.data.yearBefore.label)}
            />
          ) : null}

          <KpiTable<Row> rows={rows} totals={totals} interval={data.interval} columns={TABLE_COLUMNS} caption={t.table} testId="energy-table" />

          {data.warnings.length > 0 ? (
            <details className="notice">
              <summary>{t.warnings}</summary>
              <ul>
                {data.warnings.map((w) => (
                  <li key={`${w.seriesId}${w.at}`}>
                    {w.seriesId} — {w.at} — {w.message}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
