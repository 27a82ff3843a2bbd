import { type Alert, type Severity } from '../../shared/alerts';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, PARIS, civilFromDays, euSummerTime, fromWallMs, localDayIndex, localParts, wallMs } from '../../shared/calendar';
import type { QuietHours } from '../../shared/notify';

/**
 * When a notification goes out, and whether it goes at all (docs/notifications.md):
 * quiet hours, the daily digest's time, escalation of unacknowledged alerts, and
 * the flapping and flood limits. Pure functions with the clock passed in, one rule
 * each; SendLimiter is the one piece with state (a rate limit's memory).
 *
 * Local times are Europe/Paris wall-clock times, converted by shared/calendar.ts
 * (EU summer time, Directive 2000/84/EC), never by arithmetic here. Two nights a
 * year the wall clock is not a simple function of the instant:
 * - the last Sunday of March, 02:00–02:59 does not exist (01:59 CET is followed by 03:00 CEST);
 * - the last Sunday of October, 02:00–02:59 happens twice (CEST, then CET).
 * Each function below says what it does on those nights.
 */

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** 'HH:MM' to minutes after local midnight. Throws on anything else: a bad setting must not silently mean "never". */
function minuteOfDay(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new RangeError(`not a local time HH:MM: ${JSON.stringify(hhmm)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function wallMinute(nowMs: number): number {
  const p = localParts(PARIS, nowMs);
  return p.hour * 60 + p.minute;
}

/**
 * The first instant at which the Paris wall clock shows a given minute on a
 * given local day: when the clocks go back through it (02:xx in October), the
 * first of its two readings (CEST); when it does not exist that day (the March
 * gap), the instant the gap ends (03:00 CEST), the first whose wall time is at
 * or past the one asked for.
 */
function firstWallInstant(dayIndex: number, minute: number): number {
  const wall = dayIndex * MS_PER_DAY + minute * MS_PER_MINUTE;
  const first = fromWallMs(PARIS, wall);
  // In the gap: fromWallMs reads it with the winter offset (02:30 → 03:30 CEST);
  // the wall clock reached 02:30 "as 03:00", the instant summer time began.
  return wallMs(PARIS, first) === wall ? first : euSummerTime(civilFromDays(dayIndex).year).startMs;
}

/**
 * Whether an instant falls in a recipient's quiet hours (only critical alerts are
 * sent then; the rest wait for the digest). Start inclusive, end exclusive; an end
 * before the start spans midnight (22:00–07:00). null: no quiet hours.
 *
 * Wall-clock semantics: the question is "what does the clock on the wall say",
 * as the person asleep would read it. So on the March night a window 01:30–02:30
 * lasts 30 minutes (01:30–01:59 CET, then the clock shows 03:00 CEST, past its
 * end); on the October night it is quiet 01:30–02:29 CEST, not quiet 02:30–02:59
 * CEST, and quiet again 02:00–02:29 CET: the wall clock shows 02:15 twice, and
 * both are in the window.
 */
export function inQuietHours(nowMs: number, quiet: QuietHours | null): boolean {
  if (!quiet) return false;
  const start = minuteOfDay(quiet.start);
  const end = minuteOfDay(quiet.end);
  // QuietHoursSchema refuses start === end; were it to come through, read it as no quiet hours rather than all day.
  if (start === end) return false;
  const m = wallMinute(nowMs);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/**
 * The next instant strictly after nowMs at which the Paris wall clock shows
 * `hhmm`, for things done once a local day (the digest at 07:30).
 * - In the March gap (02:00–02:59 that day), the instant the gap ends, 03:00 CEST:
 *   the clock went past hhmm then, and a daily event must not skip a day.
 * - In the October repeat (02:00–02:59 that day), the first occurrence (CEST)
 *   only: a daily event happens once that day, not twice.
 */
export function nextLocalTime(nowMs: number, hhmm: string): number {
  const minute = minuteOfDay(hhmm);
  const today = localDayIndex(PARIS, nowMs);
  const t = firstWallInstant(today, minute);
  // Tomorrow's is always after now: it is after tomorrow's local midnight.
  return t > nowMs ? t : firstWallInstant(today + 1, minute);
}

/** Per severity, how long an alert may stay unacknowledged before each escalation; absent: never escalates. */
export type EscalationDelays = Readonly<Partial<Record<Severity, number>>>;

/**
 * Default escalation delays. ISA-18.2 ties an alarm's priority to the time allowed
 * to respond to it: a critical alert nobody has acknowledged within 15 minutes goes
 * to the escalation chain, a warning after 2 hours. Information needs no response
 * (it is not an alarm in ISA-18.2's sense): no delay, no escalation, unless
 * configured.
 */
export const DEFAULT_ESCALATION_MS = Object.freeze({ critical: 15 * MS_PER_MINUTE, warning: 2 * MS_PER_HOUR }) satisfies EscalationDelays;

/**
 * The escalation level that should have been sent by nowMs (0: none), given the
 * level already sent. Level n is due at raisedAt + n × the severity's delay; at
 * most one new level per call (escalatedLevel + 1), so a server that was down for
 * ten hours sends one escalation when it is back, not forty, and the next ones a
 * poll apart. Returns escalatedLevel when nothing new is due: levels never go back.
 *
 * Only an alert in state 'active' and not shelved escalates:
 * - acknowledged (or closed): someone owns it;
 * - cleared (returned to normal but not yet acknowledged): the condition is gone,
 *   so there is nothing urgent to wake the next person for; it stays visible on
 *   the dashboard and in the digest until acknowledged. Should the condition come
 *   back, the alert is active again and escalation resumes, counted from raisedAt
 *   (it has been unacknowledged since then);
 * - shelved: an operator chose not to hear of it until the shelve ends (ISA-18.2 shelving).
 */
export function escalationLevelDue(alert: Alert, nowMs: number, escalatedLevel: number, delays: EscalationDelays = DEFAULT_ESCALATION_MS): number {
  if (alert.state !== 'active' || alert.acknowledged !== null) return escalatedLevel;
  // A shelve whose time ran out but that the engine has not lifted yet no longer counts.
  if (alert.shelved !== null && alert.shelved.until > nowMs) return escalatedLevel;
  const delay = delays[alert.severity];
  if (delay === undefined || !Number.isFinite(delay) || delay <= 0) return escalatedLevel;
  const elapsed = nowMs - alert.raisedAt;
  if (!(elapsed >= delay)) return escalatedLevel;
  const due = Math.floor(elapsed / delay);
  return due > escalatedLevel ? Math.min(due, escalatedLevel + 1) : escalatedLevel;
}

export interface SendLimiterOptions {
  /** A recipient gets at most one message per alert and event type in this long (flapping). */
  perAlertWindowMs: number;
  /** At most this many messages to one recipient in perRecipientWindowMs (a flood)… */
  perRecipientMax: number;
  /** …a sliding window. */
  perRecipientWindowMs: number;
}

export const DEFAULT_SEND_LIMITS: Readonly<SendLimiterOptions> = Object.freeze({ perAlertWindowMs: 10 * MS_PER_MINUTE, perRecipientMax: 20, perRecipientWindowMs: MS_PER_HOUR });

export type SendDecision = 'send' | 'suppress' | 'summarize';

interface RecipientState {
  /** When each message of the window was sent, oldest first. */
  sent: number[];
  /** When the flood summary was sent; silence follows for one window. */
  summarizedAt: number | null;
}

/**
 * Flapping and flood limits, per recipient (an e-mail address or a webhook).
 *
 * - Flapping: an alert that goes raised, cleared, raised… (a chattering alarm in
 *   ISA-18.2 and EEMUA 191 terms: one that keeps crossing its limit and back) is
 *   fixed at the source with deadband and delays (the rules' hysteresis and
 *   forMinutes); what gets through still sends at most one message per alert and
 *   event type per perAlertWindowMs to a recipient. The window runs from the last
 *   message sent, not from the last suppressed one, so an alert flapping for hours
 *   sends one message every window rather than none at all.
 * - Flood: ISA-18.2 calls more than 10 alarms in 10 minutes per operator a flood,
 *   one nobody can follow alarm by alarm; EEMUA 191 makes the same point. An inbox
 *   or a chat channel is no control room: past perRecipientMax messages in a
 *   sliding perRecipientWindowMs, a recipient gets one 'summarize' (the caller
 *   sends "N more alerts, see the dashboard"), then nothing for one window from
 *   that summary; the dashboard has every alert.
 *
 * Never limited, and not counted: 'test' (someone asked to see a channel work;
 * holding it back would make a working channel look broken) and 'digest' (once a
 * day, itself a summary). Escalations and messages with no alert are exempt from
 * the per-alert rule (escalations are spaced by escalationLevelDue and each level
 * is a new message) but count towards the flood limit.
 *
 * The state is in memory: this is a rate limit, and forgetting it on a restart
 * at worst lets one extra message per alert through, which is acceptable. Memory
 * stays bounded: entries older than their window are dropped in a sweep at most
 * once per shorter window (amortised O(1) per call), and only sent messages are
 * remembered, at most perRecipientMax per recipient and window.
 *
 * A clock that goes back makes remembered messages look recent: at worst a
 * message is held back longer, never sent twice.
 */
export class SendLimiter {
  private readonly opts: SendLimiterOptions;
  /** `${recipient}\0${alertId}\0${eventType}` → when the last such message was sent. */
  private readonly lastSent = new Map<string, number>();
  private readonly recipients = new Map<string, RecipientState>();
  private sweptAt = Number.NEGATIVE_INFINITY;

  constructor(opts: Partial<SendLimiterOptions> = {}) {
    const o = { ...DEFAULT_SEND_LIMITS, ...opts };
    if (!Number.isFinite(o.perAlertWindowMs) || o.perAlertWindowMs < 0) throw new RangeError('perAlertWindowMs must be a finite number >= 0');
    if (!Number.isInteger(o.perRecipientMax) || o.perRecipientMax < 1) throw new RangeError('perRecipientMax must be an integer >= 1');
    if (!Number.isFinite(o.perRecipientWindowMs) || o.perRecipientWindowMs <= 0) throw new RangeError('perRecipientWindowMs must be a finite number > 0');
    this.opts = o;
  }

  /**
   * What to do with one message (eventType: a NotifyEventType) to one recipient at
   * nowMs. A 'send' is remembered as sent, a 'summarize' starts the silence: call
   * it once per message actually made, and only when it will be sent.
   */
  decide(recipientKey: string, alertId: number | null, eventType: string, nowMs: number): SendDecision {
    this.sweep(nowMs);
    if (eventType === 'test' || eventType === 'digest') return 'send';

    const alertKey = alertId !== null && eventType !== 'alert:escalated' ? `${recipientKey}\u0000${alertId}\u0000${eventType}` : null;
    if (alertKey !== null) {
      const last = this.lastSent.get(alertKey);
      if (last !== undefined && nowMs - last < this.opts.perAlertWindowMs) return 'suppress';
    }

    const window = this.opts.perRecipientWindowMs;
    let r = this.recipients.get(recipientKey);
    if (!r) {
      r = { sent: [], summarizedAt: null };
      this.recipients.set(recipientKey, r);
    }
    if (r.summarizedAt !== null) {
      if (nowMs - r.summarizedAt < window) return 'suppress';
      r.summarizedAt = null;
    }
    r.sent = r.sent.filter((t) => nowMs - t < window);
    if (r.sent.length >= this.opts.perRecipientMax) {
      r.summarizedAt = nowMs;
      return 'summarize';
    }
    r.sent.push(nowMs);
    if (alertKey !== null) this.lastSent.set(alertKey, nowMs);
    return 'send';
  }

  /** How many entries are remembered (for tests and metrics). */
  get size(): { alerts: number; recipients: number } {
    return { alerts: this.lastSent.size, recipients: this.recipients.size };
  }

  /** Drops what no window can need any more; runs at most once per shorter window (or when the clock went back). */
  private sweep(nowMs: number): void {
    const every = Math.min(this.opts.perAlertWindowMs, this.opts.perRecipientWindowMs);
    if (nowMs - this.sweptAt < every && nowMs >= this.sweptAt) return;
    this.sweptAt = nowMs;
    for (const [k, t] of this.lastSent) if (nowMs - t >= this.opts.perAlertWindowMs) this.lastSent.delete(k);
    const window = this.opts.perRecipientWindowMs;
    for (const [k, r] of this.recipients) {
      r.sent = r.sent.filter((t) => nowMs - t < window);
      if (r.summarizedAt !== null && nowMs - r.summarizedAt >= window) r.summarizedAt = null;
      if (r.sent.length === 0 && r.summarizedAt === null) this.recipients.delete(k);
    }
  }
}
