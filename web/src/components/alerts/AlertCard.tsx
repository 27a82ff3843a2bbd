import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { type Alert, AlertDetailResponseSchema, AlertSchema, type AlertState, MAX_SHELVE_MINUTES, type Severity } from '../../../../shared/alerts';
import { errorMessage, sendJson } from '../../lib/api';
import { useI18n, useMessages } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';

export const alertMessages = {
  fr: {
    severity: (k: Severity) => ({ info: 'Information', warning: 'Avertissement', critical: 'Critique' } as Record<Severity, string>)[k],
    state: (k: AlertState) => ({ active: 'Active', acknowledged: 'Acquittée', cleared: 'Terminée, non acquittée', closed: 'Close' } as Record<AlertState, string>)[k],
    target: 'Cible',
    raised: 'Déclenchée',
    lastRaised: 'Dernier déclenchement',
    cleared: 'Terminée',
    occurrences: (n: number) => `${n} occurrences`,
    ackedBy: (by: string, at: string) => `Acquittée par ${by} le ${at}`,
    shelvedUntil: (by: string, until: string, reason: string) => `Mise de côté par ${by} jusqu’au ${until} : ${reason}`,
    ack: 'Acquitter',
    ackTitle: 'Acquitter l’alerte',
    comment: 'Commentaire',
    commentHint: 'Ce que vous avez vu ou fait (facultatif).',
    confirmAck: 'Confirmer l’acquittement',
    shelve: 'Mettre de côté',
    shelveTitle: 'Mettre de côté pour une durée limitée',
    duration: 'Durée',
    reason: 'Motif (obligatoire)',
    confirmShelve: 'Mettre de côté',
    unshelve: 'Remettre en vue',
    cancel: 'Annuler',
    trail: 'Historique',
    hideTrail: 'Masquer l’historique',
    trailTitle: 'Qui a fait quoi, quand',
    loading: 'Chargement…',
    minutes: (m: number) => (m < 60 ? `${m} min` : m < 1440 ? `${m / 60} h` : `${m / 1440} j`),
    action: (k: string) => ({
      raised: 'déclenchée',
      're-raised': 'déclenchée à nouveau',
      acknowledged: 'acquittée',
      cleared: 'terminée',
      closed: 'close',
      shelved: 'mise de côté',
      unshelved: 'remise en vue',
      'shelve-expired': 'fin de la mise de côté',
    } as Record<string, string>)[k] ?? k,
    system: 'système',
    done: 'Fait.',
  },
  en: {
    severity: (k: Severity) => ({ info: 'Information', warning: 'Warning', critical: 'Critical' } as Record<Severity, string>)[k],
    state: (k: AlertState) => ({ active: 'Active', acknowledged: 'Acknowledged', cleared: 'Cleared, not acknowledged', closed: 'Closed' } as Record<AlertState, string>)[k],
    target: 'Target',
    raised: 'Raised',
    lastRaised: 'Last raised',
    cleared: 'Cleared',
    occurrences: (n: number) => `${n} occurrences`,
    ackedBy: (by: string, at: string) => `Acknowledged by ${by} on ${at}`,
    shelvedUntil: (by: string, until: string, reason: string) => `Shelved by ${by} until ${until}: ${reason}`,
    ack: 'Acknowledge',
    ackTitle: 'Acknowledge the alert',
    comment: 'Comment',
    commentHint: 'What you saw or did (optional).',
    confirmAck: 'Confirm acknowledgement',
    shelve: 'Shelve',
    shelveTitle: 'Shelve for a limited time',
    duration: 'Duration',
    reason: 'Reason (required)',
    confirmShelve: 'Shelve',
    unshelve: 'Unshelve',
    cancel: 'Cancel',
    trail: 'History',
    hideTrail: 'Hide history',
    trailTitle: 'Who did what, when',
    loading: 'Loading…',
    minutes: (m: number) => (m < 60 ? `${m} min` : m < 1440 ? `${m / 60} h` : `${m / 1440} d`),
    action: (k: string) => ({
      raised: 'raised',
      're-raised': 'raised again',
      acknowledged: 'acknowledged',
      cleared: 'cleared',
      closed: 'closed',
      shelved: 'shelved',
      unshelved: 'unshelved',
      'shelve-expired': 'shelving ran out',
    } as Record<string, string>)[k] ?? k,
    system: 'system',
    done: 'Done.',
  },
};

const SEVERITY_ICON: Record<Severity, string> = { info: 'ℹ', warning: '⚠', critical: '✖' };
const SHELVE_CHOICES = [15, 60, 240, 480, 1440, MAX_SHELVE_MINUTES];

export function SeverityBadge({ severity }: { severity: Severity }) {
  const t = useMessages(alertMessages);
  return (
    <span className={`severity severity-${severity}`} data-severity={severity}>
      <span aria-hidden="true">{SEVERITY_ICON[severity]}</span> {t.severity(severity)}
    </span>
  );
}

interface Props {
  alert: Alert;
  canAck: boolean;
  onChanged: () => void;
  /** The alert the page was opened for (a notification's link). */
  focused?: boolean;
}

type Mode = 'none' | 'ack' | 'shelve';

/** One alert: what, where, when, its state; acknowledge, shelve, unshelve; its trail on demand. */
export function AlertCard({ alert, canAck, onChanged, focused = false }: Props) {
  const t = useMessages(alertMessages);
  const { fmt } = useI18n();
  const uid = useId();
  const [mode, setMode] = useState<Mode>('none');
  const [showTrail, setShowTrail] = useState(false);
  const [comment, setComment] = useState('');
  const [minutes, setMinutes] = useState(60);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The alert a notification links to (/alerts?alert=<id>): brought into view and focused once.
  const cardRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!focused) return;
    cardRef.current?.scrollIntoView({ block: 'center' });
    cardRef.current?.focus({ preventScroll: true });
  }, [focused]);

  const canAckThis = canAck && (alert.state === 'active' || alert.state === 'cleared');
  const canShelve = canAck && alert.state !== 'closed' && !alert.shelved;
  const canUnshelve = canAck && !!alert.shelved;

  const post = async (action: 'ack' | 'shelve' | 'unshelve', body: unknown) => {
    setBusy(true);
    setError(null);
    try {
      await sendJson('POST', `/api/v1/alerts/${alert.id}/${action}`, body, AlertSchema);
      setMode('none');
      setComment('');
      setReason('');
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const submitAck = (e: FormEvent) => {
    e.preventDefault();
    void post('ack', { comment: comment.trim() });
  };
  const submitShelve = (e: FormEvent) => {
    e.preventDefault();
    void post('shelve', { minutes, reason: reason.trim() });
  };

  return (
    <article
      ref={cardRef}
      tabIndex={focused ? -1 : undefined}
      className={`alert-card alert-${alert.severity} alert-state-${alert.state}${focused ? ' alert-focused' : ''}`}
      aria-current={focused ? 'true' : undefined}
      aria-labelledby={`${uid}-title`} data-testid={`alert-${alert.id}`} data-state={alert.state} data-rule={alert.ruleId}>
      <header className="alert-head">
        <SeverityBadge severity={alert.severity} />
        <h3 id={`${uid}-title`}>{alert.ruleName}</h3>
        <span className="alert-state" data-testid="alert-state">
          {t.state(alert.state)}
        </span>
      </header>
      <p className="alert-message">{alert.message}</p>
      <dl className="alert-facts">
        <div>
          <dt>{t.target}</dt>
          <dd>{alert.target.label}</dd>
        </div>
        <div>
          <dt>{t.raised}</dt>
          <dd>
            <time dateTime={new Date(alert.raisedAt).toISOString()}>{fmt.dateTime(alert.raisedAt)}</time>
            {alert.occurrences > 1 ? ` (${t.occurrences(alert.occurrences)}, ${t.lastRaised.toLowerCase()} ${fmt.dateTime(alert.lastRaisedAt)})` : null}
          </dd>
        </div>
        {alert.clearedAt !== null ? (
          <div>
            <dt>{t.cleared}</dt>
            <dd>
              <time dateTime={new Date(alert.clearedAt).toISOString()}>{fmt.dateTime(alert.clearedAt)}</time>
              {alert.clearMessage ? ` — ${alert.clearMessage}` : null}
            </dd>
          </div>
        ) : null}
      </dl>
      {alert.acknowledged ? (
        <p className="alert-note" data-testid="alert-ack">
          ✓ {t.ackedBy(alert.acknowledged.by, fmt.dateTime(alert.acknowledged.at))}
          {alert.acknowledged.comment ? ` : « ${alert.acknowledged.comment} »` : null}
        </p>
      ) : null}
      {alert.shelved ? <p className="alert-note" data-testid="alert-shelved">{t.shelvedUntil(alert.shelved.by, fmt.dateTime(alert.shelved.until), alert.shelved.reason)}</p> : null}

      <div className="alert-actions">
        {canAckThis ? (
          <button type="button" className="button" aria-expanded={mode === 'ack'} onClick={() => setMode(mode === 'ack' ? 'none' : 'ack')} data-testid="ack-open">
            {t.ack}
          </button>
        ) : null}
        {canShelve ? (
          <button type="button" className="button secondary" aria-expanded={mode === 'shelve'} onClick={() => setMode(mode === 'shelve' ? 'none' : 'shelve')}>
            {t.shelve}
          </button>
        ) : null}
        {canUnshelve ? (
          <button type="button" className="button secondary" disabled={busy} onClick={() => void post('unshelve', undefined)}>
            {t.unshelve}
          </button>
        ) : null}
        <button type="button" className="link-button" aria-expanded={showTrail} onClick={() => setShowTrail(!showTrail)}>
          {showTrail ? t.hideTrail : t.trail}
        </button>
      </div>

      {mode === 'ack' ? (
        <form className="alert-form" onSubmit={submitAck} aria-label={t.ackTitle} data-testid="ack-form">
          <label htmlFor={`${uid}-comment`}>{t.comment}</label>
          <textarea id={`${uid}-comment`} value={comment} maxLength={1000} rows={2} aria-describedby={`${uid}-hint`} onChange={(e) => setComment(e.target.value)} autoFocus />
          <p id={`${uid}-hint`} className="notice">
            {t.commentHint}
          </p>
          <div className="alert-actions">
            <button type="submit" className="button" disabled={busy}>
              {t.confirmAck}
            </button>
            <button type="button" className="link-button" onClick={() => setMode('none')}>
              {t.cancel}
            </button>
          </div>
        </form>
      ) : null}
      {mode === 'shelve' ? (
        <form className="alert-form" onSubmit={submitShelve} aria-label={t.shelveTitle}>
          <label htmlFor={`${uid}-minutes`}>{t.duration}</label>
          <select id={`${uid}-minutes`} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            {SHELVE_CHOICES.map((m) => (
              <option key={m} value={m}>
                {t.minutes(m)}
              </option>
            ))}
          </select>
          <label htmlFor={`${uid}-reason`}>{t.reason}</label>
          <input id={`${uid}-reason`} value={reason} required maxLength={1000} onChange={(e) => setReason(e.target.value)} />
          <div className="alert-actions">
            <button type="submit" className="button" disabled={busy || reason.trim() === ''}>
              {t.confirmShelve}
            </button>
            <button type="button" className="link-button" onClick={() => setMode('none')}>
              {t.cancel}
            </button>
          </div>
        </form>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {showTrail ? <AlertTrail id={alert.id} version={alert.updatedAt} /> : null}
    </article>
  );
}

function AlertTrail({ id, version }: { id: number; version: number }) {
  const t = useMessages(alertMessages);
  const { fmt } = useI18n();
  const detail = useApi(`/api/v1/alerts/${id}`, AlertDetailResponseSchema, 'l’historique de l’alerte');
  const { reload } = detail;
  // The alert changed (acknowledged, shelved, cleared…): its trail has a new line.
  useEffect(() => reload(), [version, reload]);
  if (detail.error) return <p className="error">{detail.error}</p>;
  if (!detail.data) return <p className="notice">{t.loading}</p>;
  return (
    <div className="alert-trail">
      <h4>{t.trailTitle}</h4>
      <ol>
        {detail.data.trail.map((e, i) => (
          <li key={i}>
            <time dateTime={new Date(e.ts).toISOString()}>{fmt.dateTime(e.ts)}</time> — <strong>{e.actor === 'system' ? t.system : e.actor}</strong> : {t.action(e.action)}
            {typeof e.detail?.comment === 'string' && e.detail.comment ? ` « ${e.detail.comment} »` : null}
            {typeof e.detail?.reason === 'string' ? ` (${e.detail.reason})` : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
