import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alerts';
import type { QuietHours } from '../../shared/notify';
import { DEFAULT_ESCALATION_MS, SendLimiter, escalationLevelDue, inQuietHours, nextLocalTime } from '../../server/notify/policy';
import { alertFixture } from '../helpers/alert-fixture';

/**
 * server/notify/policy.ts. Every instant is pinned, written with its Paris offset.
 * The two DST nights used (Directive 2000/84/EC, 01:00 UTC on the last Sunday):
 * - 2027-03-28: 01:59:59 CET is followed by 03:00:00 CEST (01:00Z); 02:xx does not exist;
 * - 2026-10-25: 02:59:59 CEST is followed by 02:00:00 CET (01:00Z); 02:xx happens twice.
 */

const at = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad instant ${iso}`);
  return t;
};
const MIN = 60_000;
const HOUR = 3_600_000;

// The tz database's answer (Node's ICU), independent of shared/calendar.ts.
const parisFmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
const intlWall = (t: number): string => parisFmt.format(t);
const intlMinute = (t: number): number => {
  const [h, m] = intlWall(t).split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};
const toMin = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
const quietByIntl = (t: number, q: QuietHours): boolean => {
  const m = intlMinute(t);
  const [s, e] = [toMin(q.start), toMin(q.end)];
  return s < e ? m >= s && m < e : m >= s || m < e;
};

const NIGHT: QuietHours = { start: '22:00', end: '07:00' };
const SMALL_HOURS: QuietHours = { start: '01:30', end: '02:30' };

describe('inQuietHours (Paris wall clock, start inclusive, end exclusive)', () => {
  it('spans midnight on an ordinary night (22:00–07:00, 10–11 November 2026)', () => {
    expect(inQuietHours(at('2026-11-10T21:59:59.999+01:00'), NIGHT)).toBe(false);
    expect(inQuietHours(at('2026-11-10T22:00:00+01:00'), NIGHT)).toBe(true);
    expect(inQuietHours(at('2026-11-10T23:59:00+01:00'), NIGHT)).toBe(true);
    expect(inQuietHours(at('2026-11-11T00:00:00+01:00'), NIGHT)).toBe(true);
    expect(inQuietHours(at('2026-11-11T06:59:59.999+01:00'), NIGHT)).toBe(true);
    expect(inQuietHours(at('2026-11-11T07:00:00+01:00'), NIGHT)).toBe(false);
    expect(inQuietHours(at('2026-11-11T12:00:00+01:00'), NIGHT)).toBe(false);
  });

  it('reads Paris time, not UTC: 22:30 CEST in July is 20:30Z and quiet', () => {
    expect(inQuietHours(at('2026-07-14T22:30:00+02:00'), NIGHT)).toBe(true);
    expect(inQuietHours(at('2026-07-14T21:30:00+02:00'), NIGHT)).toBe(false);
  });

  it('handles a window within one day, and no quiet hours at all', () => {
    const lunch = { start: '12:00', end: '14:00' };
    expect(inQuietHours(at('2026-11-10T11:59:00+01:00'), lunch)).toBe(false);
    expect(inQuietHours(at('2026-11-10T12:00:00+01:00'), lunch)).toBe(true);
    expect(inQuietHours(at('2026-11-10T14:00:00+01:00'), lunch)).toBe(false);
    expect(inQuietHours(at('2026-11-10T23:00:00+01:00'), null)).toBe(false);
  });

  it('2027-03-28, 01:30–02:30: the clock jumps from 01:59 CET to 03:00 CEST, past the end, so 01:00Z is not quiet', () => {
    expect(inQuietHours(at('2027-03-28T01:29:00+01:00'), SMALL_HOURS)).toBe(false);
    expect(inQuietHours(at('2027-03-28T01:30:00+01:00'), SMALL_HOURS)).toBe(true);
    expect(inQuietHours(at('2027-03-28T01:59:59.999+01:00'), SMALL_HOURS)).toBe(true);
    expect(inQuietHours(at('2027-03-28T01:00:00Z'), SMALL_HOURS)).toBe(false); // = 03:00 CEST
    expect(inQuietHours(at('2027-03-28T03:00:00+02:00'), SMALL_HOURS)).toBe(false);
    // The usual night window is unaffected: 03:00 CEST is inside 22:00–07:00.
    expect(inQuietHours(at('2027-03-28T01:00:00Z'), NIGHT)).toBe(true);
  });

  it('2026-10-25, 01:30–02:30: wall-clock semantics, so both the CEST and the CET 02:15 are quiet, and 02:45 of either is not', () => {
    expect(inQuietHours(at('2026-10-25T01:30:00+02:00'), SMALL_HOURS)).toBe(true); // 23:30Z the day before
    expect(inQuietHours(at('2026-10-25T02:15:00+02:00'), SMALL_HOURS)).toBe(true); // 00:15Z
    expect(inQuietHours(at('2026-10-25T02:15:00+01:00'), SMALL_HOURS)).toBe(true); // 01:15Z
    expect(inQuietHours(at('2026-10-25T02:45:00+02:00'), SMALL_HOURS)).toBe(false); // 00:45Z
    expect(inQuietHours(at('2026-10-25T02:00:00+01:00'), SMALL_HOURS)).toBe(true); // 01:00Z, the switch
    expect(inQuietHours(at('2026-10-25T02:45:00+01:00'), SMALL_HOURS)).toBe(false); // 01:45Z
  });

  it('agrees with the tz database every 5 minutes through both DST nights, for several windows', () => {
    const windows: QuietHours[] = [NIGHT, SMALL_HOURS, { start: '02:15', end: '04:00' }, { start: '03:00', end: '01:00' }, { start: '00:00', end: '02:00' }];
    for (const from of [at('2027-03-27T12:00:00+01:00'), at('2026-10-24T12:00:00+02:00')]) {
      for (let t = from; t < from + 24 * HOUR; t += 5 * MIN) {
        for (const q of windows) expect(inQuietHours(t, q), `${new Date(t).toISOString()} ${q.start}-${q.end}`).toBe(quietByIntl(t, q));
      }
    }
  });

  it('refuses a malformed time rather than reading it as "never quiet"', () => {
    expect(() => inQuietHours(at('2026-11-10T23:00:00+01:00'), { start: '7:00', end: '22:00' })).toThrow(RangeError);
  });
});

describe('nextLocalTime (the daily digest)', () => {
  it("07:30 from New Year's Eve 23:30 is 07:30 CET on 1 January", () => {
    expect(nextLocalTime(at('2026-12-31T23:30:00+01:00'), '07:30')).toBe(at('2027-01-01T07:30:00+01:00'));
  });

  it('07:30 from the Saturday before the March switch is 07:30 CEST, 22.5 real hours later', () => {
    const now = at('2027-03-27T08:00:00+01:00');
    expect(nextLocalTime(now, '07:30')).toBe(at('2027-03-28T07:30:00+02:00'));
    expect(nextLocalTime(now, '07:30') - now).toBe(22.5 * HOUR);
  });

  it('is strictly after now: at 07:30 exactly, the next is tomorrow', () => {
    expect(nextLocalTime(at('2026-11-10T07:30:00+01:00'), '07:30')).toBe(at('2026-11-11T07:30:00+01:00'));
    expect(nextLocalTime(at('2026-11-10T07:29:59.999+01:00'), '07:30')).toBe(at('2026-11-10T07:30:00+01:00'));
  });

  it('02:30 on 2027-03-28 does not exist: the first instant after the gap, 03:00 CEST (01:00Z); the next is 02:30 CEST on the 29th', () => {
    expect(nextLocalTime(at('2027-03-27T08:00:00+01:00'), '02:30')).toBe(at('2027-03-28T01:00:00Z'));
    expect(nextLocalTime(at('2027-03-28T01:45:00+01:00'), '02:30')).toBe(at('2027-03-28T03:00:00+02:00'));
    expect(nextLocalTime(at('2027-03-28T03:00:00+02:00'), '02:30')).toBe(at('2027-03-29T02:30:00+02:00'));
  });

  it('02:30 on 2026-10-25 happens twice: a daily event takes the first (CEST) only', () => {
    expect(nextLocalTime(at('2026-10-24T12:00:00+02:00'), '02:30')).toBe(at('2026-10-25T02:30:00+02:00'));
    expect(nextLocalTime(at('2026-10-25T02:30:00+02:00'), '02:30')).toBe(at('2026-10-26T02:30:00+01:00'));
  });

  it('agrees with the tz database every 97 minutes of 2026 and 2027 (every time of day in turn), for several times of day', () => {
    for (let now = at('2026-01-01T00:00:00Z'); now < at('2028-01-01T00:00:00Z'); now += 97 * MIN) {
      for (const hhmm of ['07:30', '00:00', '02:30', '23:59']) {
        const t = nextLocalTime(now, hhmm);
        const label = `${new Date(now).toISOString()} ${hhmm}`;
        expect(t, label).toBeGreaterThan(now);
        expect(t - now, label).toBeLessThanOrEqual(25 * HOUR);
        // The wall time asked for, except in the March gap where it is 03:00, the end of the gap.
        expect(intlWall(t), label).toBe(intlWall(t - 1) === '01:59' && intlWall(t) === '03:00' ? '03:00' : hhmm);
        // And the day before's occurrence is not after now (the October repeat aside, skipped on purpose).
        for (const back of [23, 24, 25]) {
          const u = t - back * HOUR;
          if (intlWall(u) === hhmm && intlWall(u - HOUR) !== hhmm) expect(u, label).toBeLessThanOrEqual(now);
        }
      }
    }
  }, 60_000);

  it('refuses a malformed time', () => {
    expect(() => nextLocalTime(0, '24:00')).toThrow(RangeError);
    expect(() => nextLocalTime(0, '7:30')).toThrow(RangeError);
  });
});

const RAISED = at('2026-12-08T03:12:00+01:00');

const alert = (over: Partial<Alert> = {}): Alert =>
  alertFixture({ raisedAt: RAISED, message: 'CO₂ à 1 640 ppm', target: { id: 'room-r1-meeting.co2', deviceId: 'room-r1-meeting', seriesId: 'room-r1-meeting.co2', zone: 'r1-meeting', label: 'CO₂' }, ...over });

describe('escalationLevelDue', () => {
  it('defaults: critical after 15 min, warning after 2 h, info never', () => {
    expect(DEFAULT_ESCALATION_MS).toEqual({ critical: 15 * MIN, warning: 2 * HOUR });
    expect(Object.isFrozen(DEFAULT_ESCALATION_MS)).toBe(true);
  });

  it('a critical alert raised 16 min ago and not acknowledged is due level 1; at 14 min, nothing; at 15 min exactly, level 1', () => {
    expect(escalationLevelDue(alert(), RAISED + 16 * MIN, 0)).toBe(1);
    expect(escalationLevelDue(alert(), RAISED + 14 * MIN, 0)).toBe(0);
    expect(escalationLevelDue(alert(), RAISED + 15 * MIN, 0)).toBe(1);
  });

  it('level n is due at raisedAt + n × delay', () => {
    expect(escalationLevelDue(alert(), RAISED + 29 * MIN, 1)).toBe(1);
    expect(escalationLevelDue(alert(), RAISED + 30 * MIN, 1)).toBe(2);
  });

  it('an acknowledged alert does not escalate', () => {
    const acked = alert({ state: 'acknowledged', acknowledged: { by: 'fm', at: RAISED + 5 * MIN, comment: '' } });
    expect(escalationLevelDue(acked, RAISED + 16 * MIN, 0)).toBe(0);
    expect(escalationLevelDue(acked, RAISED + 5 * HOUR, 1)).toBe(1);
  });

  it('a cleared alert (back to normal, not acknowledged) stays at its level; closed too', () => {
    const cleared = alert({ state: 'cleared', clearedAt: RAISED + 20 * MIN });
    expect(escalationLevelDue(cleared, RAISED + 16 * MIN, 0)).toBe(0);
    expect(escalationLevelDue(cleared, RAISED + 5 * HOUR, 1)).toBe(1);
    const closed = alert({ state: 'closed', acknowledged: { by: 'fm', at: RAISED + 30 * MIN, comment: 'ok' } });
    expect(escalationLevelDue(closed, RAISED + 5 * HOUR, 1)).toBe(1);
  });

  it('a shelved alert does not escalate until its shelve ends', () => {
    const shelved = alert({ shelved: { by: 'fm', at: RAISED + MIN, until: RAISED + HOUR, reason: 'sensor being replaced', scope: 'alert' } });
    expect(escalationLevelDue(shelved, RAISED + 30 * MIN, 0)).toBe(0);
    expect(escalationLevelDue(shelved, RAISED + HOUR, 0)).toBe(1);
  });

  it('a warning escalates after 2 h: not at 1 h 59, at 2 h 01', () => {
    const w = alert({ severity: 'warning' });
    expect(escalationLevelDue(w, RAISED + HOUR + 59 * MIN, 0)).toBe(0);
    expect(escalationLevelDue(w, RAISED + 2 * HOUR + MIN, 0)).toBe(1);
  });

  it('info never escalates by default; it does if given a delay', () => {
    const i = alert({ severity: 'info' });
    expect(escalationLevelDue(i, RAISED + 10 * 24 * HOUR, 0)).toBe(0);
    expect(escalationLevelDue(i, RAISED + 2 * HOUR, 0, { ...DEFAULT_ESCALATION_MS, info: HOUR })).toBe(1);
    expect(escalationLevelDue(alert(), RAISED + 2 * HOUR, 0, { warning: HOUR })).toBe(0);
  });

  it('a server down for 10 h sends one new level per call, not forty at once', () => {
    const now = RAISED + 10 * HOUR;
    expect(escalationLevelDue(alert(), now, 0)).toBe(1);
    let level = 0;
    let calls = 0;
    for (;;) {
      const due = escalationLevelDue(alert(), now, level);
      if (due === level) break;
      expect(due).toBe(level + 1);
      level = due;
      calls++;
    }
    expect(level).toBe(40);
    expect(calls).toBe(40);
  });

  it('a level already sent stays: nothing due never lowers it', () => {
    expect(escalationLevelDue(alert(), RAISED + 16 * MIN, 3)).toBe(3);
  });
});

describe('SendLimiter', () => {
  const T0 = at('2026-11-10T09:00:00+01:00');
  const limiter = () => new SendLimiter({ perAlertWindowMs: 10 * MIN, perRecipientMax: 20, perRecipientWindowMs: HOUR });

  it('a flapping alert sends one message per alert and type per 10 min to a recipient', () => {
    const l = limiter();
    expect(l.decide('email:fm', 7, 'alert:raised', T0)).toBe('send');
    expect(l.decide('email:fm', 7, 'alert:cleared', T0 + MIN)).toBe('send');
    expect(l.decide('email:fm', 7, 'alert:raised', T0 + 2 * MIN)).toBe('suppress');
    expect(l.decide('email:fm', 7, 'alert:cleared', T0 + 3 * MIN)).toBe('suppress');
    expect(l.decide('email:fm', 7, 'alert:raised', T0 + 9 * MIN + 59_999)).toBe('suppress');
    // Someone else, or another alert, is not affected.
    expect(l.decide('email:other', 7, 'alert:raised', T0 + 2 * MIN)).toBe('send');
    expect(l.decide('email:fm', 8, 'alert:raised', T0 + 2 * MIN)).toBe('send');
    // After the window (from the last message sent), it is sent again.
    expect(l.decide('email:fm', 7, 'alert:raised', T0 + 10 * MIN)).toBe('send');
    expect(l.decide('email:fm', 7, 'alert:raised', T0 + 19 * MIN)).toBe('suppress');
    expect(l.decide('email:fm', 7, 'alert:raised', T0 + 20 * MIN)).toBe('send');
  });

  it('never suppresses escalations, tests, digests or messages without an alert by the per-alert rule', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) {
      expect(l.decide('email:fm', 7, 'alert:escalated', T0 + i * MIN)).toBe('send');
      expect(l.decide('email:fm', null, 'test', T0 + i * MIN)).toBe('send');
      expect(l.decide('email:fm', null, 'digest', T0 + i * MIN)).toBe('send');
      expect(l.decide('email:fm', null, 'alert:raised', T0 + i * MIN)).toBe('send');
    }
  });

  it('the 21st message to a recipient within the hour is a summary, the rest of the window is silent, then it starts again', () => {
    const l = limiter();
    for (let i = 0; i < 20; i++) expect(l.decide('webhook:ops', 100 + i, 'alert:raised', T0 + i * MIN)).toBe('send');
    expect(l.decide('webhook:ops', 200, 'alert:raised', T0 + 20 * MIN)).toBe('summarize');
    expect(l.decide('webhook:ops', 201, 'alert:raised', T0 + 21 * MIN)).toBe('suppress');
    expect(l.decide('webhook:ops', 202, 'alert:escalated', T0 + 30 * MIN)).toBe('suppress');
    // The first sends left the sliding window, but the silence runs one window from the summary.
    expect(l.decide('webhook:ops', 203, 'alert:raised', T0 + 70 * MIN)).toBe('suppress');
    // Another recipient is not affected; a test and the digest always go.
    expect(l.decide('webhook:other', 200, 'alert:raised', T0 + 21 * MIN)).toBe('send');
    expect(l.decide('webhook:ops', null, 'test', T0 + 22 * MIN)).toBe('send');
    expect(l.decide('webhook:ops', null, 'digest', T0 + 23 * MIN)).toBe('send');
    // One window after the summary: messages go again, up to the limit.
    expect(l.decide('webhook:ops', 204, 'alert:raised', T0 + 80 * MIN)).toBe('send');
  });

  it('counts in a sliding window: 20 spread over the hour, the 21st an hour after the first goes', () => {
    const l = limiter();
    for (let i = 0; i < 20; i++) expect(l.decide('email:fm', i, 'alert:raised', T0 + i * 3 * MIN)).toBe('send');
    expect(l.decide('email:fm', 50, 'alert:raised', T0 + HOUR)).toBe('send');
    expect(l.decide('email:fm', 51, 'alert:raised', T0 + HOUR + MIN)).toBe('summarize');
  });

  it('uses the defaults when given none: 10 min, 20 per hour', () => {
    const l = new SendLimiter();
    expect(l.decide('email:fm', 1, 'alert:raised', T0)).toBe('send');
    expect(l.decide('email:fm', 1, 'alert:raised', T0 + 9 * MIN)).toBe('suppress');
    expect(l.decide('email:fm', 1, 'alert:raised', T0 + 10 * MIN)).toBe('send');
    for (let i = 0; i < 18; i++) expect(l.decide('email:fm', 10 + i, 'alert:raised', T0 + 11 * MIN)).toBe('send');
    expect(l.decide('email:fm', 99, 'alert:raised', T0 + 12 * MIN)).toBe('summarize');
  });

  it('refuses limits that make no sense', () => {
    expect(() => new SendLimiter({ perRecipientMax: 0 })).toThrow(RangeError);
    expect(() => new SendLimiter({ perRecipientMax: 2.5 })).toThrow(RangeError);
    expect(() => new SendLimiter({ perRecipientWindowMs: 0 })).toThrow(RangeError);
    expect(() => new SendLimiter({ perAlertWindowMs: Number.NaN })).toThrow(RangeError);
  });

  it('keeps its memory bounded: a week of traffic to 50 recipients leaves only the last windows', () => {
    const l = limiter();
    let t = T0;
    for (let i = 0; i < 20_000; i++) {
      t += 30_000;
      l.decide(`email:user${i % 50}`, i % 500, i % 2 ? 'alert:raised' : 'alert:cleared', t);
      const { alerts, recipients } = l.size;
      // At most 20 sends per recipient and hour are remembered, plus what awaits the next sweep.
      expect(alerts).toBeLessThanOrEqual(50 * 20 * 2);
      expect(recipients).toBeLessThanOrEqual(50);
    }
    // Quiet for a day: the next call forgets everything but itself.
    l.decide('email:late', 1, 'alert:raised', t + 24 * HOUR);
    expect(l.size).toEqual({ alerts: 1, recipients: 1 });
  });
});
