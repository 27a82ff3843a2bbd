import { useId } from 'react';
import { Link } from 'react-router';
import type { z } from 'zod';
import type { DeliveryLogEntryView, DeliveryLogResponseSchema } from '../../../../shared/notify';
import { useI18n, useMessages } from '../../lib/i18n';
import type { ApiState } from '../../lib/use-api';

type Status = DeliveryLogEntryView['status'];
type Event = DeliveryLogEntryView['event'];
export type DeliveryFilter = Status | 'all';
export const DELIVERY_FILTERS: readonly DeliveryFilter[] = ['all', 'pending', 'sent', 'failed'];
/** How many rows the log shows. */
export const DELIVERY_LIMIT = 100;

const STATUS_ICON: Record<Status, string> = { pending: '◷', sent: '✓', failed: '✖' };

const messages = {
  fr: {
    intro: (n: number) => `Chaque message envoyé ou à envoyer, le plus récent d’abord (au plus ${n}). Mis à jour toutes les 15 s.`,
    caption: 'Journal des envois',
    region: 'Tableau du journal des envois',
    filter: 'État',
    filters: (f: DeliveryFilter) => ({ all: 'Tous', pending: 'En attente', sent: 'Envoyés', failed: 'En échec' } satisfies Record<DeliveryFilter, string>)[f],
    status: (s: Status) => ({ pending: 'En attente', sent: 'Envoyé', failed: 'Échec' } satisfies Record<Status, string>)[s],
    countsTitle: 'Au total :',
    refresh: 'Actualiser',
    loading: 'Chargement du journal…',
    noSmtp: 'Aucun relais SMTP configuré (SMTP_URL) : aucun e-mail ne peut partir.',
    noWebhook: 'Aucun webhook configuré (NOTIFY_WEBHOOK_URL ou ci-dessus).',
    none: 'Aucun envoi pour l’instant.',
    noneFiltered: 'Aucun envoi dans cet état.',
    time: 'Heure',
    channel: 'Canal',
    recipient: 'Destinataire',
    event: 'Événement',
    alert: 'Alerte',
    state: 'État',
    attempts: 'Tentatives',
    lastError: 'Dernière erreur',
    channels: (c: DeliveryLogEntryView['channel']) => ({ email: 'E-mail', webhook: 'Webhook' })[c],
    events: (e: Event) =>
      ({ 'alert:raised': 'Alerte déclenchée', 'alert:cleared': 'Retour à la normale', 'alert:escalated': 'Relance (non acquittée)', digest: 'Synthèse quotidienne', test: 'Test' } satisfies Record<Event, string>)[e],
    alertLink: (id: number) => `Alerte ${id}`,
    sentAt: (d: string) => `le ${d}`,
    nextAt: (d: string) => `prochain essai ${d}`,
  },
  en: {
    intro: (n: number) => `Every message sent or to send, newest first (at most ${n}). Updated every 15 s.`,
    caption: 'Delivery log',
    region: 'Delivery log table',
    filter: 'Status',
    filters: (f: DeliveryFilter) => ({ all: 'All', pending: 'Pending', sent: 'Sent', failed: 'Failed' } satisfies Record<DeliveryFilter, string>)[f],
    status: (s: Status) => ({ pending: 'Pending', sent: 'Sent', failed: 'Failed' } satisfies Record<Status, string>)[s],
    countsTitle: 'In all:',
    refresh: 'Refresh',
    loading: 'Loading the log…',
    noSmtp: 'No SMTP relay configured (SMTP_URL): no e-mail can be sent.',
    noWebhook: 'No webhook configured (NOTIFY_WEBHOOK_URL or above).',
    none: 'Nothing sent yet.',
    noneFiltered: 'No delivery with this status.',
    time: 'Time',
    channel: 'Channel',
    recipient: 'Recipient',
    event: 'Event',
    alert: 'Alert',
    state: 'Status',
    attempts: 'Attempts',
    lastError: 'Last error',
    channels: (c: DeliveryLogEntryView['channel']) => ({ email: 'E-mail', webhook: 'Webhook' })[c],
    events: (e: Event) =>
      ({ 'alert:raised': 'Alert raised', 'alert:cleared': 'Back to normal', 'alert:escalated': 'Escalated (not acknowledged)', digest: 'Daily digest', test: 'Test' } satisfies Record<Event, string>)[e],
    alertLink: (id: number) => `Alert ${id}`,
    sentAt: (d: string) => `on ${d}`,
    nextAt: (d: string) => `next try ${d}`,
  },
};

interface Props {
  state: ApiState<z.output<typeof DeliveryLogResponseSchema>>;
  filter: DeliveryFilter;
  onFilter: (f: DeliveryFilter) => void;
  /** Webhook ids to names, for the recipient column. */
  webhookNames: ReadonlyMap<string, string>;
}

/** Admins: what was sent to whom and how it went, filtered by status, with the outbox's counts and the channels missing. */
export function DeliveriesLog({ state, filter, onFilter, webhookNames }: Props) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const uid = useId();
  const data = state.data;
  return (
    <>
      <p className="notice">{t.intro(DELIVERY_LIMIT)}</p>
      {data && !data.channels.email ? (
        <p className="notify-warning" data-testid="no-smtp">
          {t.noSmtp}
        </p>
      ) : null}
      {data && !data.channels.webhook ? (
        <p className="notify-warning" data-testid="no-webhook">
          {t.noWebhook}
        </p>
      ) : null}
      <div className="notify-toolbar">
        <div className="field">
          <label htmlFor={`${uid}-filter`}>{t.filter}</label>
          <select id={`${uid}-filter`} value={filter} onChange={(e) => onFilter(e.target.value as DeliveryFilter)} data-testid="deliveries-filter">
            {DELIVERY_FILTERS.map((f) => (
              <option key={f} value={f}>
                {t.filters(f)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button secondary" onClick={state.reload} disabled={state.loading}>
          {t.refresh}
        </button>
        {data ? (
          <div className="notify-counts" data-testid="deliveries-counts">
            <span className="hint">{t.countsTitle}</span>
            <dl>
              {(['pending', 'sent', 'failed'] as const).map((s) => (
                <div key={s} data-status={s}>
                  <dt>{t.filters(s)}</dt>
                  <dd>{fmt.number(data.counts[s], 0)}</dd>
                </div>
              ))}
            </dl>
          </div>
        ) : null}
      </div>
      {state.error ? <p className="error">{state.error}</p> : null}
      {!data && !state.error ? <p className="notice">{t.loading}</p> : null}
      {data && data.deliveries.length === 0 ? <p className="empty">{filter === 'all' ? t.none : t.noneFiltered}</p> : null}
      {data && data.deliveries.length > 0 ? (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t.region}>
          <table className="data-table notify-table" data-testid="deliveries-table">
            <caption className="visually-hidden">{t.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.time}</th>
                <th scope="col">{t.channel}</th>
                <th scope="col">{t.recipient}</th>
                <th scope="col">{t.event}</th>
                <th scope="col">{t.alert}</th>
                <th scope="col">{t.state}</th>
                <th scope="col" className="num">
                  {t.attempts}
                </th>
                <th scope="col">{t.lastError}</th>
              </tr>
            </thead>
            <tbody>
              {data.deliveries.map((d) => {
                const webhookName = d.channel === 'webhook' ? webhookNames.get(d.recipient) : undefined;
                return (
                  <tr key={d.id} data-testid={`delivery-${d.id}`} data-status={d.status}>
                    <th scope="row" className="notify-nowrap">
                      <time dateTime={new Date(d.createdAt).toISOString()}>{fmt.dateTime(d.createdAt)}</time>
                    </th>
                    <td>{t.channels(d.channel)}</td>
                    <td className="notify-wrap">
                      {webhookName ? (
                        <>
                          {webhookName} <code className="hint">{d.recipient}</code>
                        </>
                      ) : (
                        d.recipient
                      )}
                    </td>
                    <td>{t.events(d.event)}</td>
                    <td className="notify-nowrap">{d.alertId !== null ? <Link to={`/alerts?alert=${d.alertId}`}>{t.alertLink(d.alertId)}</Link> : '—'}</td>
                    <td>
                      <span className={`delivery-status delivery-${d.status}`}>
                        <span aria-hidden="true">{STATUS_ICON[d.status]}</span> {t.status(d.status)}
                      </span>
                      {d.status === 'sent' && d.sentAt !== null ? (
                        <>
                          <br />
                          <span className="hint">{t.sentAt(fmt.dateTime(d.sentAt))}</span>
                        </>
                      ) : null}
                      {d.status === 'pending' && d.nextAt !== null ? (
                        <>
                          <br />
                          <span className="hint">{t.nextAt(fmt.relative(d.nextAt))}</span>
                        </>
                      ) : null}
                    </td>
                    <td className="num">{fmt.number(d.attempts, 0)}</td>
                    <td className="notify-wrap notify-error-text">{d.lastError ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
