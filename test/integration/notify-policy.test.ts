import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Alert, AlertEvent } from '../../shared/alerts';
import { openAppDb } from '../../server/db/app-db';
import { createEmailProvider } from '../../server/notify/email';
import { type Notify, type Recipient, startNotify } from '../../server/notify/index';
import { NotifySettingsStore } from '../../server/notify/settings';
import type { DigestContent } from '../../server/notify/types';
import { alertFixture } from '../helpers/alert-fixture';
import { type RunningSmtp, startSmtpServer } from '../helpers/smtp';
import { tempDir, waitFor } from '../helpers/server';

/**
 * Who gets what, and when (server/notify/index.ts, policy.ts), on the real
 * outbox and a real SMTP server, with the clock injected: quiet hours across
 * the spring-forward night, escalation of what nobody acknowledged, the daily
 * digest, filters by severity and zone, flapping.
 */
const log = pino({ level: 'silent' });
let smtp: RunningSmtp;
let notify: Notify | undefined;
let t = 0;
let open: Alert[] = [];

/** A warning of the shipped CO2 rule in the meeting rooms, raised now (the injected clock). */
const alert = (over: Partial<Alert> & { id: number }): Alert =>
  alertFixture({
    ruleId: 'co2-occupied',
    ruleName: 'CO2 élevé en zone occupée',
    severity: 'warning',
    target: { id: 'room-r1-reunion.co2', deviceId: 'room-r1-reunion', seriesId: 'room-r1-reunion.co2', zone: 'r1-reunion', label: 'Salles de réunion R+1 – CO2' },
    message: 'CO2 : 1 480 ppm, au-dessus de 1 200 ppm depuis 10 min',
    value: 1480,
    raisedAt: t,
    ...over,
  });
const raised = (a: Alert): AlertEvent => ({ type: 'alert:raised', alert: a });

function start(recipients: Recipient[], digest?: () => Omit<DigestContent, 'held'>): Notify {
  const db = openAppDb(tempDir());
  const settings = new NotifySettingsStore(db, () => t);
  notify = startNotify({
    db,
    log,
    now: () => t,
    providers: [createEmailProvider({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: 'Le Numérique <supervision@test>', publicUrl: 'https://supervision.test', siteName: 'Le Numérique' })],
    recipients: () => recipients,
    settings,
    openAlerts: () => open,
    deviceType: (id) => (id.startsWith('room-') ? 'room-sensor' : undefined),
    digestContent: async () => (digest ? digest() : { date: '', fromMs: 0, toMs: 0, open: [], recent: [], devices: [], energy: null }),
    pollMs: 60_000,
  });
  return notify;
}
const mailsTo = (to: string) => smtp.messages.filter((m) => m.to.includes(to));
const settle = async (n: Notify) => {
  await n.flush();
  await new Promise((r) => setTimeout(r, 100));
};

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterEach(async () => {
  await notify?.stop();
  notify = undefined;
  open = [];
  smtp.messages.length = 0;
});
afterAll(async () => smtp?.stop());

const gm = (to: string, over: Partial<Recipient> = {}): Recipient => ({ channel: 'email', to, lang: 'fr', severities: ['warning', 'critical'], cleared: true, digest: true, escalation: false, ...over });

describe('who gets what', () => {
  it('sends each recipient the severities and zones they asked for', async () => {
    t = Date.parse('2027-01-12T10:00:00+01:00');
    const n = start([gm('all@test'), gm('critical@test', { severities: ['critical'] }), gm('r1@test', { zones: ['r1-reunion'] }), gm('rooms@test', { deviceTypes: ['room-sensor'] }), gm('meters@test', { deviceTypes: ['grid-meter'] })]);
    n.onAlert(raised(alert({ id: 1 })));
    n.onAlert(raised(alert({ id: 2, severity: 'critical', target: { id: 'grid-meter', deviceId: 'grid-meter', seriesId: null, zone: 'technique', label: 'Compteur réseau' } })));
    await settle(n);
    await waitFor(() => smtp.messages.length >= 5 || undefined, 'five e-mails');
    await new Promise((r) => setTimeout(r, 200));
    const ids = (to: string) => mailsTo(to).map((m) => Number(/alert=(\d+)/.exec(m.text)?.[1]));
    expect(ids('all@test')).toEqual([1, 2]);
    expect(ids('critical@test')).toEqual([2]);
    expect(ids('r1@test')).toEqual([1]);
    expect(ids('rooms@test')).toEqual([1]);
    expect(ids('meters@test')).toEqual([]);
  });

  it('holds a warning during quiet hours across the spring-forward night, sends a critical one, and counts the held in the digest', async () => {
    // 22:00–07:00 Paris; the night of 2027-03-28 has no 02:00–03:00.
    const quiet = { start: '22:00', end: '07:00' };
    t = Date.parse('2027-03-28T01:30:00+01:00');
    let digestAt = 0;
    const n = start([gm('night@test', { quietHours: quiet })], () => ({ date: '2027-03-28', fromMs: digestAt - 86_400_000, toMs: digestAt, open: [], recent: [], devices: [], energy: null }));
    n.onAlert(raised(alert({ id: 10 })));
    // 03:30 summer time is still quiet; the critical one wakes them.
    t = Date.parse('2027-03-28T03:30:00+02:00');
    n.onAlert(raised(alert({ id: 11, severity: 'critical' })));
    await settle(n);
    await waitFor(() => mailsTo('night@test').length >= 1 || undefined, 'the critical e-mail');
    expect(mailsTo('night@test').map((m) => Number(/alert=(\d+)/.exec(m.text)?.[1]))).toEqual([11]);
    // 07:00 summer time: quiet hours are over; a warning goes at once.
    t = Date.parse('2027-03-28T07:00:00+02:00');
    n.onAlert(raised(alert({ id: 12 })));
    await settle(n);
    await waitFor(() => mailsTo('night@test').length >= 2 || undefined, 'the morning warning');
    // The digest of 07:30 summer time says one was held.
    await n.digest(); // the first call only starts its clock
    t = Date.parse('2027-03-28T07:31:00+02:00');
    digestAt = t;
    await n.digest();
    await settle(n);
    const digest = await waitFor(() => mailsTo('night@test').find((m) => !/alert=1[12]\b/.test(m.text) && /Synth|digest/i.test(m.subject)), 'the digest');
    expect(digest.text).toContain('Messages retenus');
    expect(digest.text).toMatch(/\b1 message/);
  });
});

describe('escalation', () => {
  it('sends an unacknowledged critical alert to the chain after 15 min, once per level; an acknowledged one never', async () => {
    t = Date.parse('2027-01-12T03:00:00+01:00');
    const n = start([gm('oncall@test'), gm('admin@test', { escalation: true })]);
    const a = alert({ id: 20, severity: 'critical' });
    const b = alert({ id: 21, severity: 'critical' });
    open = [a, b];
    n.onAlert(raised(a));
    n.onAlert(raised(b));
    await settle(n);
    await waitFor(() => mailsTo('admin@test').length >= 2 || undefined, 'the first e-mails');
    // 14 minutes: nothing yet. b is acknowledged at 10.
    t += 10 * 60_000;
    open = [a, { ...b, state: 'acknowledged', acknowledged: { by: 'op', at: t, comment: 'vu' } }];
    t += 4 * 60_000;
    n.escalate();
    await settle(n);
    expect(mailsTo('admin@test')).toHaveLength(2);
    // 16 minutes: a is escalated to the chain (the admin), not to the on-call who had it.
    t += 2 * 60_000;
    n.escalate();
    n.escalate();
    await settle(n);
    const esc = await waitFor(() => mailsTo('admin@test').find((m) => /ESCALADE/i.test(m.subject)), 'the escalation');
    expect(esc.text).toContain('alert=20');
    expect(mailsTo('admin@test').filter((m) => /ESCALADE/i.test(m.subject))).toHaveLength(1);
    expect(mailsTo('oncall@test').filter((m) => /ESCALADE/i.test(m.subject))).toHaveLength(0);
    // Hours later with the server down in between: one more level, not ten.
    t += 5 * 3_600_000;
    n.escalate();
    await settle(n);
    await waitFor(() => mailsTo('admin@test').filter((m) => /ESCALADE/i.test(m.subject)).length >= 2 || undefined, 'the second level');
    n.escalate();
    await settle(n);
    expect(mailsTo('admin@test').filter((m) => /ESCALADE/i.test(m.subject))).toHaveLength(2);
  });
});

describe('flapping', () => {
  it('sends at most one message per alert and event in 10 minutes', async () => {
    t = Date.parse('2027-01-12T10:00:00+01:00');
    const n = start([gm('flap@test', { cleared: false })]);
    for (let i = 0; i < 5; i++) {
      n.onAlert(raised(alert({ id: 30, occurrences: i + 1, lastRaisedAt: t })));
      t += 60_000;
    }
    await settle(n);
    await waitFor(() => mailsTo('flap@test').length >= 1 || undefined, 'the first');
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo('flap@test')).toHaveLength(1);
    t += 10 * 60_000;
    n.onAlert(raised(alert({ id: 30, occurrences: 6, lastRaisedAt: t })));
    await settle(n);
    await waitFor(() => mailsTo('flap@test').length >= 2 || undefined, 'the next window');
  });

  it('past 20 messages in an hour, tells the recipient once that the next are held, then holds them', async () => {
    t = Date.parse('2027-01-12T10:00:00+01:00');
    const n = start([gm('flood@test')]);
    for (let i = 0; i < 25; i++) {
      n.onAlert(raised(alert({ id: 100 + i })));
      t += 60_000;
    }
    await settle(n);
    await waitFor(() => mailsTo('flood@test').length >= 21 || undefined, '21 e-mails');
    await new Promise((r) => setTimeout(r, 300));
    const got = mailsTo('flood@test');
    expect(got).toHaveLength(21);
    expect(got.filter((m) => m.text.includes('les suivantes ne vous sont plus envoyées'))).toHaveLength(1);
    expect(got[20]?.text).toContain('les suivantes ne vous sont plus envoyées');
  });
});
