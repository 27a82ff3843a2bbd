import { Link } from 'react-router';
import type { Reading } from '../../../../shared/api';
import type { Alert, AlertListResponse } from '../../../../shared/alerts';
import type { EnergyResponse } from '../../../../shared/kpi';
import type { DeviceInfo } from '../../../../shared/site';
import { useI18n, useMessages } from '../../lib/i18n';
import { type DeviceState, StateBadge } from '../devices/device-state';
import { formatReading } from '../devices/reading-format';

const messages = {
  fr: {
    kpiTitle: 'Aujourd’hui',
    selfConsumption: 'Autoconsommation',
    selfConsumptionHelp: 'part de la production PV utilisée sur place',
    noPvYet: 'pas encore de production PV aujourd’hui',
    selfSufficiency: 'Autosuffisance',
    selfSufficiencyHelp: 'part de la consommation couverte par le PV',
    pvToday: 'Production PV',
    consumptionToday: 'Consommation',
    importToday: 'Soutirage',
    exportToday: 'Injection',
    kpiPeriod: (from: string, to: string) => `de ${from} à ${to}, mis à jour toutes les 5 minutes`,
    loading: 'Chargement…',
    tankTitle: 'Cuve d’eau de pluie',
    tankLevel: 'Niveau',
    tankVolume: 'Volume',
    tankGauge: (level: string) => `Niveau de la cuve : ${level}`,
    weatherTitle: 'Météo extérieure',
    temperature: 'Température',
    humidity: 'Humidité',
    irradiance: 'Rayonnement',
    wind: 'Vent',
    rain: 'Pluie',
    noReading: 'aucune mesure',
    at: (time: string) => `à ${time}`,
    alertsTitle: 'Alertes ouvertes',
    noAlerts: 'Aucune alerte ouverte.',
    allAlerts: 'Toutes les alertes',
    alertCounts: (active: number, ack: number, cleared: number) => `${active} active(s), ${ack} acquittée(s), ${cleared} retombée(s)`,
    more: (n: number) => `et ${n} autre(s)`,
    critical: 'Critique',
    warning: 'Avertissement',
    info: 'Information',
    stateActive: 'active',
    stateAcknowledged: 'acquittée',
    stateCleared: 'retombée',
    stateClosed: 'close',
    devicesTitle: 'Équipements à surveiller',
    allDevicesOk: (n: number) => `Les ${n} équipements sont en ligne.`,
    devicesSummary: (bad: number, total: number) => `${bad} sur ${total} hors ligne, muets ou inconnus`,
    allDevices: 'Tous les équipements',
    lastSeen: 'dernier message',
    never: 'jamais',
  },
  en: {
    kpiTitle: 'Today',
    selfConsumption: 'Self-consumption',
    selfConsumptionHelp: 'share of the PV production used on site',
    noPvYet: 'no PV production yet today',
    selfSufficiency: 'Self-sufficiency',
    selfSufficiencyHelp: 'share of the consumption covered by PV',
    pvToday: 'PV production',
    consumptionToday: 'Consumption',
    importToday: 'Grid import',
    exportToday: 'Grid export',
    kpiPeriod: (from: string, to: string) => `from ${from} to ${to}, updated every 5 minutes`,
    loading: 'Loading…',
    tankTitle: 'Rainwater tank',
    tankLevel: 'Level',
    tankVolume: 'Volume',
    tankGauge: (level: string) => `Tank level: ${level}`,
    weatherTitle: 'Outdoor weather',
    temperature: 'Temperature',
    humidity: 'Humidity',
    irradiance: 'Irradiance',
    wind: 'Wind',
    rain: 'Rain',
    noReading: 'no reading',
    at: (time: string) => `at ${time}`,
    alertsTitle: 'Open alerts',
    noAlerts: 'No open alert.',
    allAlerts: 'All alerts',
    alertCounts: (active: number, ack: number, cleared: number) => `${active} active, ${ack} acknowledged, ${cleared} cleared`,
    more: (n: number) => `and ${n} more`,
    critical: 'Critical',
    warning: 'Warning',
    info: 'Information',
    stateActive: 'active',
    stateAcknowledged: 'acknowledged',
    stateCleared: 'cleared',
    stateClosed: 'closed',
    devicesTitle: 'Devices needing attention',
    allDevicesOk: (n: number) => `All ${n} devices are online.`,
    devicesSummary: (bad: number, total: number) => `${bad} of ${total} offline, stale or unknown`,
    allDevices: 'All devices',
    lastSeen: 'last message',
    never: 'never',
  },
};

type Messages = (typeof messages)['fr'];

export function TodayKpis({ data, error }: { data: EnergyResponse | undefined; error: string | null }) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const totals = data?.totals;
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : fmt.percent(v, 0));
  const kwh = (v: number | undefined) => (v === undefined ? '—' : fmt.unit(v, 'kWh', v >= 100 ? 0 : 1));
  return (
    <section className="panel ov-card ov-kpis" aria-labelledby="ov-kpi-title">
      <h2 id="ov-kpi-title">{t.kpiTitle}</h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {!totals && !error ? (
        <p className="notice" role="status">
          {t.loading}
        </p>
      ) : null}
      {totals ? (
        <>
          <dl className="ov-big-figures">
            <div>
              <dt>{t.selfConsumption}</dt>
              <dd className="ov-big" data-testid="kpi-self-consumption">
                {pct(totals.selfConsumptionPct)}
              </dd>
              <dd className="ov-help">{totals.selfConsumptionPct === null ? t.noPvYet : t.selfConsumptionHelp}</dd>
            </div>
            <div>
              <dt>{t.selfSufficiency}</dt>
              <dd className="ov-big" data-testid="kpi-self-sufficiency">
                {pct(totals.selfSufficiencyPct)}
              </dd>
              <dd className="ov-help">{t.selfSufficiencyHelp}</dd>
            </div>
          </dl>
          <dl className="ov-small-figures">
            <div>
              <dt>{t.pvToday}</dt>
              <dd data-testid="kpi-pv">{kwh(totals.pvKWh)}</dd>
            </div>
            <div>
              <dt>{t.consumptionToday}</dt>
              <dd>{kwh(totals.consumptionKWh)}</dd>
            </div>
            <div>
              <dt>{t.importToday}</dt>
              <dd>{kwh(totals.importKWh)}</dd>
            </div>
            <div>
              <dt>{t.exportToday}</dt>
              <dd>{kwh(totals.exportKWh)}</dd>
            </div>
          </dl>
          {data ? <p className="ov-note">{t.kpiPeriod(fmt.time(data.period.fromMs), fmt.time(Math.min(Date.now(), data.period.toMs)))}</p> : null}
        </>
      ) : null}
    </section>
  );
}

export function TankGauge({ level, volume }: { level: Reading | undefined; volume: Reading | undefined }) {
  const t = useMessages(messages);
  const { fmt, lang } = useI18n();
  const pct = level ? Math.min(100, Math.max(0, level.value)) : null;
  const levelText = pct === null ? '—' : fmt.percent(pct, 0);
  const tone = pct === null ? 'unknown' : pct < 15 ? 'low' : pct < 35 ? 'mid' : 'ok';
  return (
    <section className="panel ov-card ov-tank" aria-labelledby="ov-tank-title">
      <h2 id="ov-tank-title">{t.tankTitle}</h2>
      <div className="ov-tank-body">
        <svg className={`tank-gauge tank-${tone}`} viewBox="0 0 60 100" width="60" height="100" role="img" aria-label={t.tankGauge(levelText)}>
          <rect x="2" y="2" width="56" height="96" rx="8" className="tank-shell" />
          {pct !== null ? <rect x="6" y={6 + (88 * (100 - pct)) / 100} width="48" height={(88 * pct) / 100} rx="4" className="tank-water" /> : null}
          {[25, 50, 75].map((m) => (
            <line key={m} x1="44" x2="58" y1={6 + (88 * (100 - m)) / 100} y2={6 + (88 * (100 - m)) / 100} className="tank-tick" />
          ))}
        </svg>
        <dl>
          <div>
            <dt>{t.tankLevel}</dt>
            <dd className="ov-big" data-testid="tank-level">
              {levelText}
            </dd>
          </div>
          <div>
            <dt>{t.tankVolume}</dt>
            <dd data-testid="tank-volume">{volume ? formatReading(fmt, lang, volume.value, { unit: 'm3', kind: 'gauge' }) : '—'}</dd>
          </div>
          {level ? (
            <dd className="ov-help">
              <time dateTime={new Date(level.ts).toISOString()}>{t.at(fmt.time(level.ts))}</time>
            </dd>
          ) : null}
        </dl>
      </div>
    </section>
  );
}

const WEATHER: { point: string; unit: string; label: keyof Messages }[] = [
  { point: 'temperature', unit: 'Cel', label: 'temperature' },
  { point: 'humidity', unit: '%RH', label: 'humidity' },
  { point: 'ghi', unit: 'W/m2', label: 'irradiance' },
  { point: 'wind_speed', unit: 'm/s', label: 'wind' },
  { point: 'rain_rate', unit: 'mm/h', label: 'rain' },
];

export function Weather({ latest }: { latest: ReadonlyMap<string, Reading> }) {
  const t = useMessages(messages);
  const { fmt, lang } = useI18n();
  const temp = latest.get('weather-station.temperature');
  return (
    <section className="panel ov-card ov-weather" aria-labelledby="ov-weather-title">
      <h2 id="ov-weather-title">{t.weatherTitle}</h2>
      <dl className="ov-weather-list">
        {WEATHER.map((w) => {
          const r = latest.get(`weather-station.${w.point}`);
          return (
            <div key={w.point} className={w.point === 'temperature' ? 'ov-weather-main' : undefined}>
              <dt>{t[w.label] as string}</dt>
              <dd data-testid={`weather-${w.point}`} className={w.point === 'temperature' ? 'ov-big' : undefined}>
                {r ? formatReading(fmt, lang, r.value, { unit: w.unit, kind: 'gauge' }) : t.noReading}
              </dd>
            </div>
          );
        })}
      </dl>
      {temp ? (
        <p className="ov-note">
          <time dateTime={new Date(temp.ts).toISOString()}>{t.at(fmt.time(temp.ts))}</time>
        </p>
      ) : null}
    </section>
  );
}

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

function SeverityIcon({ severity }: { severity: Alert['severity'] }) {
  return (
    <svg className="severity-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      {severity === 'critical' && <path d="M5 1h6l4 4v6l-4 4H5l-4-4V5z" fill="currentColor" />}
      {severity === 'warning' && <path d="M8 1.5L15 14.5H1z" fill="currentColor" />}
      {severity === 'info' && <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" strokeWidth="2" />}
    </svg>
  );
}

export function ActiveAlerts({ data, error }: { data: AlertListResponse | undefined; error: string | null }) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const alerts = [...(data?.alerts ?? [])].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.lastRaisedAt - a.lastRaisedAt);
  const shown = alerts.slice(0, 5);
  const stateText: Record<Alert['state'], string> = { active: t.stateActive, acknowledged: t.stateAcknowledged, cleared: t.stateCleared, closed: t.stateClosed };
  return (
    <section className="panel ov-card ov-alerts" aria-labelledby="ov-alerts-title">
      <h2 id="ov-alerts-title">
        {t.alertsTitle} <span className="ov-count" data-testid="alerts-count">{data ? fmt.number(alerts.length, 0) : '…'}</span>
      </h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {data ? <p className="ov-note">{t.alertCounts(data.counts.active, data.counts.acknowledged, data.counts.cleared)}</p> : null}
      {data && alerts.length === 0 ? <p className="ov-ok">{t.noAlerts}</p> : null}
      {shown.length > 0 ? (
        <ul className="ov-list">
          {shown.map((a) => (
            <li key={a.id} className={`ov-alert sev-${a.severity}`}>
              <span className="ov-sev">
                <SeverityIcon severity={a.severity} />
                {t[a.severity]}
              </span>
              <span className="ov-alert-text">
                <strong>{a.target.label}</strong> — {a.message}
              </span>
              <span className="ov-help">
                {stateText[a.state]} · <time dateTime={new Date(a.lastRaisedAt).toISOString()} title={fmt.dateTime(a.lastRaisedAt)}>{fmt.relative(a.lastRaisedAt)}</time>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {alerts.length > shown.length ? <p className="ov-note">{t.more(alerts.length - shown.length)}</p> : null}
      <p className="ov-link">
        <Link to="/alerts">{t.allAlerts} →</Link>
      </p>
    </section>
  );
}

export interface DeviceAttention {
  device: DeviceInfo;
  state: DeviceState;
}

export function DevicesAttention({ devices, total, error }: { devices: DeviceAttention[] | null; total: number; error: string | null }) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  return (
    <section className="panel ov-card ov-devices" aria-labelledby="ov-devices-title">
      <h2 id="ov-devices-title">
        {t.devicesTitle} <span className="ov-count" data-testid="devices-attention-count">{devices ? fmt.number(devices.length, 0) : '…'}</span>
      </h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {devices && devices.length === 0 ? <p className="ov-ok">{t.allDevicesOk(total)}</p> : null}
      {devices && devices.length > 0 ? (
        <>
          <p className="ov-note">{t.devicesSummary(devices.length, total)}</p>
          <ul className="ov-list">
            {devices.slice(0, 6).map(({ device, state }) => (
              <li key={device.id} className="ov-device">
                <Link to={`/devices/${device.id}`}>{device.label}</Link>
                <StateBadge state={state} />
                <span className="ov-help">
                  {t.lastSeen} {device.ingest.lastSeen === null ? t.never : fmt.relative(device.ingest.lastSeen)}
                </span>
              </li>
            ))}
          </ul>
          {devices.length > 6 ? <p className="ov-note">{t.more(devices.length - 6)}</p> : null}
        </>
      ) : null}
      <p className="ov-link">
        <Link to="/devices">{t.allDevices} →</Link>
      </p>
    </section>
  );
}
