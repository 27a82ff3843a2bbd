import type { Alert, AlertEvent, AlertRule, ALERT_ACTIONS, ShelveInfo } from '../../shared/alerts';
import type { Transition } from './rules';
import type { Binding } from './targets';

/**
 * The lifecycle of one alert as pure functions (ISA-18.2 / IEC 62682 states):
 * each takes the alert as it is and returns it as it becomes, the action for
 * the audit trail and the event to push; or throws an AlertsError for what
 * cannot be done (acknowledge twice, shelve a closed alert).
 */

export type AlertAction = (typeof ALERT_ACTIONS)[number];

export interface Change {
  alert: Alert;
  action: AlertAction;
  actor: string;
  detail?: Record<string, unknown>;
  event: AlertEvent;
}

/** What the caller asked cannot be done: the status an API answers it with, and the message. */
export class AlertsError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AlertsError';
  }
}

export const SYSTEM = 'system';

/** The open alert of a rule and target (undefined: none, or only closed ones) meets a raise transition. */
export function raise(open: Alert | undefined, r: { rule: AlertRule; binding: Binding; transition: Transition; now: number; ruleShelve: ShelveInfo | null }): Change | undefined {
  const { rule, binding, transition: t, now } = r;
  if (open && open.state !== 'cleared') return undefined; // active or acknowledged already: raised once.
  if (open) {
    const alert: Alert = { ...open, state: 'active', message: t.message, value: t.value, lastRaisedAt: t.ts, occurrences: open.occurrences + 1, clearedAt: null, clearMessage: null, severity: rule.severity, ruleName: rule.name, updatedAt: now };
    return { alert, action: 're-raised', actor: SYSTEM, detail: { message: t.message, value: t.value, at: t.ts, occurrences: alert.occurrences }, event: { type: 'alert:raised', alert } };
  }
  const alert: Alert = {
    id: 0,
    ruleId: rule.id,
    ruleName: rule.name,
    kind: rule.kind,
    severity: rule.severity,
    target: { id: binding.key, deviceId: binding.deviceId, seriesId: binding.seriesId, zone: binding.zone, label: binding.label },
    state: 'active',
    message: t.message,
    value: t.value,
    raisedAt: t.ts,
    lastRaisedAt: t.ts,
    occurrences: 1,
    clearedAt: null,
    clearMessage: null,
    acknowledged: null,
    shelved: r.ruleShelve && r.ruleShelve.until > now ? { ...r.ruleShelve, scope: 'rule' } : null,
    updatedAt: now,
  };
  return { alert, action: 'raised', actor: SYSTEM, detail: { message: t.message, value: t.value, at: t.ts, ...(alert.shelved ? { shelvedByRule: true } : {}) }, event: { type: 'alert:raised', alert } };
}

/**
 * The condition is gone (or can no longer be judged because its rule changed).
 * Active: cleared, and it stays visible until acknowledged. Acknowledged: closed.
 */
export function clear(open: Alert, r: { ts: number; message: string; value: number | null; now: number; actor?: string }): Change | undefined {
  if (open.state !== 'active' && open.state !== 'acknowledged') return undefined;
  const state = open.state === 'active' ? 'cleared' : 'closed';
  const alert: Alert = { ...open, state, clearedAt: r.ts, clearMessage: r.message, updatedAt: r.now, ...(state === 'closed' ? { shelved: null } : {}) };
  return { alert, action: 'cleared', actor: r.actor ?? SYSTEM, detail: { message: r.message, value: r.value, at: r.ts, state }, event: { type: 'alert:cleared', alert } };
}

/** Someone saw it. Active: acknowledged (still there). Cleared: closed (seen, and gone). */
export function acknowledge(alert: Alert, by: string, comment: string, now: number): Change {
  if (alert.state === 'acknowledged') throw new AlertsError(409, `alert ${alert.id} was already acknowledged by ${alert.acknowledged?.by ?? 'someone'}`);
  if (alert.state === 'closed') throw new AlertsError(409, `alert ${alert.id} is closed: nothing to acknowledge`);
  const state = alert.state === 'active' ? 'acknowledged' : 'closed';
  const next: Alert = { ...alert, state, acknowledged: { by, at: now, comment }, updatedAt: now, ...(state === 'closed' ? { shelved: null } : {}) };
  return { alert: next, action: state === 'closed' ? 'closed' : 'acknowledged', actor: by, detail: { comment, state }, event: { type: 'alert:updated', alert: next, change: state === 'closed' ? 'closed' : 'acknowledged', by } };
}

export function shelve(alert: Alert, r: { by: string; minutes: number; reason: string; now: number; scope: 'alert' | 'rule'; until?: number }): Change {
  if (alert.state === 'closed') throw new AlertsError(409, `alert ${alert.id} is closed: nothing to shelve`);
  const shelved: ShelveInfo = { by: r.by, at: r.now, until: r.until ?? r.now + r.minutes * 60_000, reason: r.reason, scope: r.scope };
  const next: Alert = { ...alert, shelved, updatedAt: r.now };
  return { alert: next, action: 'shelved', actor: r.by, detail: { until: shelved.until, reason: r.reason, scope: r.scope }, event: { type: 'alert:updated', alert: next, change: 'shelved', by: r.by } };
}

export function unshelve(alert: Alert, by: string, now: number): Change {
  if (!alert.shelved) throw new AlertsError(409, `alert ${alert.id} is not shelved`);
  const next: Alert = { ...alert, shelved: null, updatedAt: now };
  return { alert: next, action: 'unshelved', actor: by, detail: { wasUntil: alert.shelved.until, scope: alert.shelved.scope }, event: { type: 'alert:updated', alert: next, change: 'unshelved', by } };
}

/** Shelving is time-limited: once its time is up the alert is back in view. */
export function expireShelve(alert: Alert, now: number): Change | undefined {
  if (!alert.shelved || alert.shelved.until > now) return undefined;
  const next: Alert = { ...alert, shelved: null, updatedAt: now };
  return { alert: next, action: 'shelve-expired', actor: SYSTEM, detail: { until: alert.shelved.until, by: alert.shelved.by }, event: { type: 'alert:updated', alert: next, change: 'shelve-expired', by: SYSTEM } };
}
