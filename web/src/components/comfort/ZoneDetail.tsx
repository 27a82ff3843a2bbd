import { useState } from 'react';
import { type Category, CATEGORIES } from '../../../../shared/comfort';
import { roomSensorId } from '../../../../shared/catalogue';
import { ComfortResponseSchema } from '../../../../shared/kpi';
import { useI18n, useMessages } from '../../lib/i18n';
import { useLiveData } from '../../lib/live-context';
import { useApi } from '../../lib/use-api';
import { categoryIcon } from './FloorPlan';
import { categoryIndex, type ZoneComfort } from './logic';
import { ZoomChart } from '../charts/ZoomChart';

const messages = {
  fr: {
    detail: (zone: string) => `Détail : ${zone}`,
    close: 'Fermer le détail',
    now: 'Maintenant',
    co2: 'CO2',
    temperature: 'Température',
    humidity: 'Humidité relative',
    occupancy: 'Occupation',
    none: '—',
    people: (n: string) => `${n} pers.`,
    kpi: 'Heures occupées par catégorie (ce mois)',
    kpiNote: 'Heures où le capteur compte au moins une personne (GET /api/v1/kpi/comfort).',
    occupiedHours: 'Heures occupées',
    missing: 'sans mesure',
    measure: 'Mesure',
    loading: 'Chargement…',
    noRow: 'Pas encore d’heure occupée ce mois-ci.',
    at: (t: string) => `à ${t}`,
    charts: 'Dernières 24 heures',
    cat: (c: string) => `catégorie ${c}`,
  },
  en: {
    detail: (zone: string) => `Detail: ${zone}`,
    close: 'Close the detail',
    now: 'Now',
    co2: 'CO2',
    temperature: 'Temperature',
    humidity: 'Relative humidity',
    occupancy: 'Occupancy',
    none: '—',
    people: (n: string) => `${n} people`,
    kpi: 'Occupied hours per category (this month)',
    kpiNote: 'Hours when the sensor counts at least one person (GET /api/v1/kpi/comfort).',
    occupiedHours: 'Occupied hours',
    missing: 'not measured',
    measure: 'Measure',
    loading: 'Loading…',
    noRow: 'No occupied hour yet this month.',
    at: (t: string) => `at ${t}`,
    charts: 'Last 24 hours',
    cat: (c: string) => `category ${c}`,
  },
};

const KPI_PATH = '/api/v1/kpi/comfort?period=month&interval=period';

interface Props {
  zoneId: string;
  label: string;
  co2: ZoneComfort;
  temperature: ZoneComfort;
  onClose: () => void;
}

/** One zone: its live values with their categories, 24 h charts, and its occupied hours per category this month. */
export function ZoneDetail({ zoneId, label, co2, temperature, onClose }: Props) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const live = useLiveData();
  const dev = roomSensorId(zoneId);
  // The last 24 h, fixed when the detail opens (the charts zoom inside it; reopening moves it on).
  const [range] = useState(() => {
    const to = Math.ceil(Date.now() / 60_000) * 60_000;
    return { from: to - 24 * 3600_000, to };
  });
  const kpi = useApi(KPI_PATH, ComfortResponseSchema, 'le confort');
  const row = kpi.data?.rows.find((r) => r.zone === zoneId);
  const reading = (point: string) => live.latest.get(`${dev}.${point}`);
  const humidity = reading('humidity');
  const occupancy = reading('occupancy');
  const badge = (c: Category | null) =>
    c ? (
      <span className={`cat-badge cat-badge-${categoryIndex(c)}`}>
        {categoryIcon(c)} {t.cat(c)}
      </span>
    ) : null;

  const hours = (h: number) => fmt.number(h, 1);
  const kpiRows: Array<{ key: 'co2' | 'temperature' | 'humidity'; label: string }> = [
    { key: 'co2', label: t.co2 },
    { key: 'temperature', label: t.temperature },
    { key: 'humidity', label: t.humidity },
  ];

  return (
    <section className="zone-detail" aria-labelledby="zone-detail-title" data-testid="zone-detail">
      <div className="comfort-controls" style={{ justifyContent: 'space-between' }}>
        <h3 id="zone-detail-title">{t.detail(label)}</h3>
        <button type="button" className="link-button" onClick={onClose}>
          {t.close}
        </button>
      </div>
      <dl className="zone-values" aria-label={t.now}>
        <div>
          <dt>{t.co2}</dt>
          <dd data-testid="detail-co2">{co2.value !== null ? fmt.unit(co2.value, 'ppm', 0) : t.none}</dd>
          {badge(co2.category)}
        </div>
        <div>
          <dt>{t.temperature}</dt>
          <dd>{temperature.value !== null ? fmt.unit(temperature.value, '°C', 1) : t.none}</dd>
          {badge(temperature.category)}
        </div>
        <div>
          <dt>{t.humidity}</dt>
          <dd>{humidity ? fmt.percent(humidity.value, 0) : t.none}</dd>
        </div>
        <div>
          <dt>{t.occupancy}</dt>
          <dd>{occupancy ? t.people(fmt.number(occupancy.value, 0)) : t.none}</dd>
          {occupancy ? <span className="notice">{t.at(fmt.time(occupancy.ts))}</span> : null}
        </div>
      </dl>

      <h4>{t.charts}</h4>
      <div className="zone-charts">
        <ZoomChart title={t.co2} testId="zone-chart-co2" from={range.from} to={range.to} series={[{ id: `${dev}.co2`, label: t.co2 }]} />
        <ZoomChart title={t.temperature} testId="zone-chart-temperature" from={range.from} to={range.to} series={[{ id: `${dev}.temperature`, label: t.temperature }]} />
        <ZoomChart title={t.humidity} testId="zone-chart-humidity" from={range.from} to={range.to} series={[{ id: `${dev}.humidity`, label: t.humidity }]} />
        <ZoomChart title={t.occupancy} testId="zone-chart-occupancy" from={range.from} to={range.to} series={[{ id: `${dev}.occupancy`, label: t.occupancy }]} />
      </div>

      <h4>{t.kpi}</h4>
      <p className="notice" data-testid="zone-kpi-state" data-state={kpi.error ? 'error' : !kpi.data ? 'loading' : row ? 'table' : 'empty'}>
        {t.kpiNote}
      </p>
      {kpi.error ? <p className="error">{kpi.error}</p> : null}
      {!kpi.data && !kpi.error ? <p className="notice">{t.loading}</p> : null}
      {kpi.data && !row ? <p className="notice">{t.noRow}</p> : null}
      {row ? (
        <div className="table-wrap">
          <table className="data-table" data-testid="zone-kpi">
            <caption className="visually-hidden">{t.kpi}</caption>
            <thead>
              <tr>
                <th scope="col">{t.measure}</th>
                {CATEGORIES.map((c) => (
                  <th scope="col" className="num" key={c}>
                    {categoryIcon(c)} {c}
                  </th>
                ))}
                <th scope="col" className="num">
                  {t.missing}
                </th>
              </tr>
            </thead>
            <tbody>
              {kpiRows.map((k) => (
                <tr key={k.key}>
                  <th scope="row">{k.label}</th>
                  <td className="num">{hours(row[`${k.key}I`])}</td>
                  <td className="num">{hours(row[`${k.key}II`])}</td>
                  <td className="num">{hours(row[`${k.key}III`])}</td>
                  <td className="num">{hours(row[`${k.key}IV`])}</td>
                  <td className="num">{hours(row[`${k.key}Missing`])}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t.occupiedHours}</th>
                <td className="num" colSpan={5}>
                  {hours(row.occupiedHours)} h
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      ) : null}
    </section>
  );
}
