import { Link } from 'react-router';
import type { Reading } from '../../../../shared/api';
import { RejectedResponseSchema } from '../../../../shared/api';
import { catalogue, findDevice } from '../../../../shared/catalogue';
import { DeviceDetailResponseSchema } from '../../../../shared/site';
import { useI18n, useMessages } from '../../lib/i18n';
import { useLiveData } from '../../lib/live-context';
import { useCan } from '../../lib/session';
import { useApi } from '../../lib/use-api';
import { useEvery } from '../overview/use-every';
import { DeviceChart } from './DeviceChart';
import { effectiveState, StateBadge } from './device-state';
import { typeLabel } from './labels';
import { formatReading } from './reading-format';

const messages = {
  fr: {
    back: '← Tous les équipements',
    loading: 'Chargement de l’équipement…',
    type: 'Type',
    zone: 'Zone',
    state: 'État',
    lastSeen: 'Dernier message',
    never: 'jamais',
    rate: 'Messages/min',
    accepted: 'Messages acceptés',
    rejected: 'Messages rejetés',
    period: 'Période nominale',
    points: 'Mesures en direct',
    point: 'Mesure',
    value: 'Valeur',
    time: 'Heure',
    noValue: 'aucune valeur reçue',
    chart: 'Dernière heure',
    rejectedTitle: 'Messages rejetés',
    noRejected: 'Aucun message rejeté pour cet équipement.',
    reason: 'Motif',
    detail: 'Détail',
    payload: 'Contenu',
    received: 'Reçu',
    dropped: (n: number) => `${n} message(s) plus ancien(s) ne sont plus conservés.`,
    noRead: 'Votre rôle ne permet pas de lire les messages rejetés.',
    seconds: (n: string) => `${n} s`,
  },
  en: {
    back: '← All devices',
    loading: 'Loading the device…',
    type: 'Type',
    zone: 'Zone',
    state: 'State',
    lastSeen: 'Last message',
    never: 'never',
    rate: 'Messages/min',
    accepted: 'Accepted messages',
    rejected: 'Rejected messages',
    period: 'Nominal period',
    points: 'Live measurements',
    point: 'Measurement',
    value: 'Value',
    time: 'Time',
    noValue: 'no value received',
    chart: 'Last hour',
    rejectedTitle: 'Rejected messages',
    noRejected: 'No rejected message for this device.',
    reason: 'Reason',
    detail: 'Detail',
    payload: 'Payload',
    received: 'Received',
    dropped: (n: number) => `${n} older message(s) are no longer kept.`,
    noRead: 'Your role cannot read the rejected messages.',
    seconds: (n: string) => `${n} s`,
  },
};

const REFRESH_MS = 30_000;

function newer(a: Reading | null | undefined, b: Reading | null | undefined): Reading | undefined {
  if (!a) return b ?? undefined;
  if (!b) return a;
  return b.ts > a.ts ? b : a;
}

export function DeviceDetail({ id }: { id: string }) {
  const t = useMessages(messages);
  const { fmt, lang } = useI18n();
  const live = useLiveData();
  const canRead = useCan('read');
  const detail = useApi(`/api/v1/devices/${encodeURIComponent(id)}`, DeviceDetailResponseSchema, `l'équipement ${id}`);
  const rejected = useApi(canRead ? `/api/v1/ingest/rejected?device=${encodeURIComponent(id)}&limit=50` : null, RejectedResponseSchema, 'les messages rejetés');
  useEvery(REFRESH_MS, detail.reload);
  useEvery(REFRESH_MS, rejected.reload);

  const d = detail.data;
  // Points in the catalogue's order (power before energy), as on the live cards.
  const pointNames = d ? (findDevice(catalogue, d.id)?.type.points.map((p) => p.name) ?? []) : [];
  const rank = (name: string) => {
    const i = pointNames.indexOf(name);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const points = d ? [...d.points].sort((a, b) => rank(a.series.point) - rank(b.series.point)) : [];
  const zone = d ? (catalogue.zones.find((z) => z.id === d.zone)?.label ?? d.zone) : '';
  const state = effectiveState(d, live.deviceStatus.get(id));

  return (
    <div className="device-detail">
      <p>
        <Link to="/devices" className="back-link">
          {t.back}
        </Link>
      </p>
      {detail.error ? (
        <p className="error" role="alert">
          {detail.error}
        </p>
      ) : null}
      {!d && !detail.error ? (
        <p className="notice" role="status">
          {t.loading}
        </p>
      ) : null}
      {d ? (
        <>
          <section className="panel dev-card" aria-labelledby="dev-title">
            <div className="dev-head">
              <h2 id="dev-title" data-testid="device-title">
                {d.label}
              </h2>
              <StateBadge state={state} testId="device-detail-state" />
            </div>
            <dl className="dev-facts">
              <div>
                <dt>{t.type}</dt>
                <dd>{typeLabel(lang, d.type, d.typeLabel)}</dd>
              </div>
              <div>
                <dt>{t.zone}</dt>
                <dd>{zone}</dd>
              </div>
              <div>
                <dt>{t.lastSeen}</dt>
                <dd>
                  {d.ingest.lastSeen === null ? (
                    t.never
                  ) : (
                    <>
                      {fmt.relative(d.ingest.lastSeen)} <time dateTime={new Date(d.ingest.lastSeen).toISOString()}>({fmt.dateTime(d.ingest.lastSeen)})</time>
                    </>
                  )}
                </dd>
              </div>
              <div>
                <dt>{t.rate}</dt>
                <dd>{fmt.number(d.ingest.messagesPerMin, 1)}</dd>
              </div>
              <div>
                <dt>{t.accepted}</dt>
                <dd>{fmt.number(d.ingest.accepted, 0)}</dd>
              </div>
              <div>
                <dt>{t.rejected}</dt>
                <dd>{fmt.number(d.ingest.rejected, 0)}</dd>
              </div>
              <div>
                <dt>{t.period}</dt>
                <dd>{t.seconds(fmt.number(d.periodS, 0))}</dd>
              </div>
            </dl>
          </section>

          <section className="panel dev-card" aria-labelledby="dev-points-title">
            <h2 id="dev-points-title">{t.points}</h2>
            <div className="table-scroll">
              <table className="points-table" data-testid="device-points">
                <thead>
                  <tr>
                    <th scope="col">{t.point}</th>
                    <th scope="col" className="num">
                      {t.value}
                    </th>
                    <th scope="col">{t.time}</th>
                  </tr>
                </thead>
                <tbody>
                  {points.map((p) => {
                    const r = newer(p.latest, live.latest.get(p.series.id));
                    return (
                      <tr key={p.series.id} data-testid={`point-${p.series.id}`}>
                        <th scope="row">{p.series.label}</th>
                        <td className="num point-value-cell" data-testid={`point-value-${p.series.id}`} data-ts={r?.ts}>
                          {r ? formatReading(fmt, lang, r.value, p.series) : <span className="muted">{t.noValue}</span>}
                        </td>
                        <td>{r ? <time dateTime={new Date(r.ts).toISOString()} title={fmt.dateTime(r.ts)}>{fmt.time(r.ts, true)}</time> : '—'}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>

          <section className="panel dev-card" aria-labelledby="dev-chart-title">
            <h2 id="dev-chart-title">{t.chart}</h2>
            <DeviceChart series={points.map((p) => p.series)} />
          </section>

          <section className="panel dev-card" aria-labelledby="dev-rejected-title">
            <h2 id="dev-rejected-title">{t.rejectedTitle}</h2>
            {!canRead ? <p className="notice">{t.noRead}</p> : null}
            {rejected.error ? (
              <p className="error" role="alert">
                {rejected.error}
              </p>
            ) : null}
            {rejected.data && rejected.data.items.length === 0 ? <p className="empty" data-testid="no-rejected">{t.noRejected}</p> : null}
            {rejected.data && rejected.data.items.length > 0 ? (
              <div className="table-scroll">
                <table className="rejected-table">
                  <thead>
                    <tr>
                      <th scope="col">{t.received}</th>
                      <th scope="col">{t.reason}</th>
                      <th scope="col">{t.detail}</th>
                      <th scope="col">{t.payload}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rejected.data.items.map((m, i) => (
                      <tr key={`${m.ts}-${i}`}>
                        <td>
                          <time dateTime={new Date(m.ts).toISOString()}>{fmt.dateTime(m.ts)}</time>
                        </td>
                        <td>
                          <code>{m.reason}</code>
                        </td>
                        <td>{m.detail}</td>
                        <td>
                          <details>
                            <summary>{m.topic}</summary>
                            <pre>{m.payload}</pre>
                          </details>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            {rejected.data && rejected.data.dropped > 0 ? <p className="ov-note">{t.dropped(rejected.data.dropped)}</p> : null}
          </section>
        </>
      ) : null}
    </div>
  );
}
