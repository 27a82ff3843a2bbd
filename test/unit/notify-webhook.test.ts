import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alerts';
import type { Delivery, DigestContent } from '../../server/notify/types';
import { alertLink, logSnippet, ntfyEndpoint, safeUrl, signBody, verifySignature, webhookBody } from '../../server/notify/webhook';

/** Webhook signatures and bodies, without any network. */

const AT = Date.UTC(2025, 0, 15, 9, 30);

const alert: Alert = {
  id: 42,
  ruleId: 'co2-meeting-rooms',
  ruleName: 'CO2 trop élevé',
  kind: 'threshold',
  severity: 'critical',
  target: { id: 'room-r1-reunion.co2', deviceId: 'room-r1-reunion', seriesId: 'room-r1-reunion.co2', zone: 'r1', label: 'Salle de réunion R1 <CO2>' },
  state: 'active',
  message: '1 350 ppm depuis 12 min (seuil 1 200 ppm)',
  value: 1350,
  raisedAt: AT - 60_000,
  lastRaisedAt: AT - 60_000,
  occurrences: 1,
  clearedAt: null,
  clearMessage: null,
  acknowledged: null,
  shelved: null,
  updatedAt: AT,
};

const delivery = (over: Partial<Delivery> = {}, a: Alert | null = alert): Delivery => ({
  id: 7,
  key: 'd-7-abc',
  channel: 'webhook',
  to: 'ops',
  lang: 'fr',
  event: { type: 'alert:raised', alert: a, at: AT },
  attempts: 0,
  ...over,
});

const PUBLIC = 'https://monitor.example.org/';

describe('signBody / verifySignature', () => {
  const secret = 'whsec_test';
  const ts = '1736933400';
  const body = '{"version":1}';

  it('is HMAC-SHA256 of "<timestamp>.<body>", hex, prefixed sha256=', () => {
    const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
    expect(signBody(secret, ts, body)).toBe(expected);
    expect(verifySignature(secret, ts, body, expected)).toBe(true);
  });

  it('refuses a tampered body, another timestamp, another secret', () => {
    const sig = signBody(secret, ts, body);
    expect(verifySignature(secret, ts, '{"version":2}', sig)).toBe(false);
    expect(verifySignature(secret, '1736933401', body, sig)).toBe(false);
    expect(verifySignature('other', ts, body, sig)).toBe(false);
  });

  it('refuses a header of the wrong length without throwing', () => {
    const sig = signBody(secret, ts, body);
    expect(verifySignature(secret, ts, body, sig.slice(0, -1))).toBe(false);
    expect(verifySignature(secret, ts, body, `${sig}0`)).toBe(false);
    expect(verifySignature(secret, ts, body, '')).toBe(false);
  });

  it('with maxAgeSeconds, refuses an old timestamp (a replay)', () => {
    const sig = signBody(secret, ts, body);
    const nowMs = Number(ts) * 1000;
    expect(verifySignature(secret, ts, body, sig, { maxAgeSeconds: 300, nowMs: nowMs + 299_000 })).toBe(true);
    expect(verifySignature(secret, ts, body, sig, { maxAgeSeconds: 300, nowMs: nowMs + 301_000 })).toBe(false);
  });
});

describe('webhookBody', () => {
  it('json: a versioned document with the alert, ISO times and a link to it', () => {
    const doc = JSON.parse(webhookBody(delivery(), 'json', PUBLIC));
    expect(doc).toEqual({
      version: 1,
      deliveryId: 'd-7-abc',
      event: 'alert:raised',
      at: '2025-01-15T09:30:00.000Z',
      alert: {
        id: 42,
        rule: { id: 'co2-meeting-rooms', name: 'CO2 trop élevé', kind: 'threshold' },
        severity: 'critical',
        state: 'active',
        message: alert.message,
        clearMessage: null,
        value: 1350,
        target: alert.target,
        raisedAt: '2025-01-15T09:29:00.000Z',
        lastRaisedAt: '2025-01-15T09:29:00.000Z',
        occurrences: 1,
        acknowledged: null,
      },
      link: 'https://monitor.example.org/alerts?alert=42',
    });
  });

  it('json: acknowledged time in ISO; a test event has no alert', () => {
    const acked = { ...alert, state: 'acknowledged' as const, acknowledged: { by: 'marie', at: AT, comment: 'vu' } };
    expect(JSON.parse(webhookBody(delivery({}, acked), 'json', PUBLIC)).alert.acknowledged).toEqual({ by: 'marie', at: '2025-01-15T09:30:00.000Z', comment: 'vu' });
    const test = JSON.parse(webhookBody(delivery({ event: { type: 'test', alert: null, at: AT } }, null), 'json', PUBLIC));
    expect(test).toMatchObject({ event: 'test', alert: null, link: 'https://monitor.example.org/alerts' });
  });

  it('json: an escalation carries its level (1 when the event does not say); other events none', () => {
    const esc = (level?: number) => JSON.parse(webhookBody(delivery({ event: { type: 'alert:escalated', alert, at: AT, ...(level ? { level } : {}) } }), 'json', PUBLIC));
    expect(esc(3)).toMatchObject({ event: 'alert:escalated', level: 3, alert: { id: 42 } });
    expect(esc().level).toBe(1);
    expect(JSON.parse(webhookBody(delivery(), 'json', PUBLIC))).not.toHaveProperty('level');
  });

  it('digest: a json document of ids and counts; a one-line summary for slack and ntfy', () => {
    const digest: DigestContent = {
      date: '2025-01-15',
      fromMs: AT - 86_400_000,
      toMs: AT,
      open: [alert, { ...alert, id: 43, severity: 'warning', state: 'acknowledged' }],
      recent: [alert],
      held: 0,
      devices: [{ id: 'ahu', label: 'CTA <1>', status: 'offline', lastSeen: AT - 3_600_000 }],
      energy: { date: '2025-01-14', pvKWh: 12.34, consumptionKWh: 80, selfSufficiencyPct: 15.4 },
    };
    const d = delivery({ event: { type: 'digest', alert: null, at: AT, digest } }, null);
    expect(JSON.parse(webhookBody(d, 'json', PUBLIC))).toEqual({
      version: 1,
      deliveryId: 'd-7-abc',
      event: 'digest',
      at: '2025-01-15T09:30:00.000Z',
      digest: {
        date: '2025-01-15',
        from: '2025-01-14T09:30:00.000Z',
        to: '2025-01-15T09:30:00.000Z',
        open: [
          { id: 42, severity: 'critical', state: 'active', rule: { id: 'co2-meeting-rooms', name: 'CO2 trop élevé' }, target: alert.target, raisedAt: '2025-01-15T09:29:00.000Z' },
          { id: 43, severity: 'warning', state: 'acknowledged', rule: { id: 'co2-meeting-rooms', name: 'CO2 trop élevé' }, target: alert.target, raisedAt: '2025-01-15T09:29:00.000Z' },
        ],
        recentCount: 1,
        held: 0,
        devices: [{ id: 'ahu', label: 'CTA <1>', status: 'offline', lastSeen: '2025-01-15T08:30:00.000Z' }],
        energy: { date: '2025-01-14', pvKWh: 12.34, consumptionKWh: 80, selfSufficiencyPct: 15.4 },
      },
      link: 'https://monitor.example.org/',
    });
    expect(JSON.parse(webhookBody(d, 'slack', PUBLIC))).toEqual({
      text: 'Synthèse du 15 janv. 2025 : 2 alertes ouvertes (1 critique), 1 alerte en 24 h, 1 équipement hors ligne, PV hier 12,3\u00a0kWh <https://monitor.example.org/|Ouvrir le tableau de bord>',
    });
    expect(JSON.parse(webhookBody({ ...d, lang: 'en' }, 'ntfy', PUBLIC, 'batiment'))).toEqual({
      topic: 'batiment',
      title: 'Daily digest, 15 Jan 2025',
      message: '2 open alerts (1 critical), 1 alert in 24 h, 1 device offline, PV yesterday 12.3\u00a0kWh',
      priority: 2,
      click: 'https://monitor.example.org/',
      tags: ['digest'],
    });
  });

  it('slack: one plain line, severity first, a <url|label> link, &<> escaped', () => {
    const { text, ...rest } = JSON.parse(webhookBody(delivery(), 'slack', PUBLIC));
    expect(rest).toEqual({});
    expect(text).toBe('[CRITIQUE] CO2 trop élevé — Salle de réunion R1 &lt;CO2&gt;: 1 350 ppm depuis 12 min (seuil 1 200 ppm) <https://monitor.example.org/alerts?alert=42|Voir l’alerte>');
    // Emoji-free: nothing outside the basic multilingual letters and punctuation we wrote.
    expect(text).not.toMatch(/\p{Extended_Pictographic}/u);
  });

  it('slack: English, cleared (with its clear message) and escalated', () => {
    const cleared = { ...alert, state: 'cleared' as const, clearMessage: 'back to 900 ppm' };
    const c = JSON.parse(webhookBody(delivery({ lang: 'en', event: { type: 'alert:cleared', alert: cleared, at: AT } }), 'slack', PUBLIC)).text;
    expect(c).toMatch(/^\[CRITICAL, CLEARED\] CO2 trop élevé — .*: back to 900 ppm <https:\/\/monitor\.example\.org\/alerts\?alert=42\|View alert>$/);
    const e = JSON.parse(webhookBody(delivery({ event: { type: 'alert:escalated', alert, at: AT } }), 'slack', PUBLIC)).text;
    expect(e).toMatch(/^\[CRITIQUE, NON ACQUITTÉE\] /);
    const t = JSON.parse(webhookBody(delivery({ lang: 'en', event: { type: 'test', alert: null, at: AT } }, null), 'slack', PUBLIC)).text;
    expect(t).toMatch(/^\[TEST\] .*test notification.* <https:\/\/monitor\.example\.org\/alerts\|Open alerts>$/);
  });

  it('ntfy: topic, title, message, priority by severity, click link, tags', () => {
    expect(JSON.parse(webhookBody(delivery(), 'ntfy', PUBLIC, 'batiment-alertes'))).toEqual({
      topic: 'batiment-alertes',
      title: '[CRITIQUE] CO2 trop élevé',
      message: `Salle de réunion R1 <CO2>: ${alert.message}`,
      priority: 5,
      click: 'https://monitor.example.org/alerts?alert=42',
      tags: ['critical', 'raised'],
    });
    const prio = (severity: Alert['severity'], type: Delivery['event']['type'] = 'alert:raised') =>
      JSON.parse(webhookBody(delivery({ event: { type, alert: { ...alert, severity }, at: AT } }), 'ntfy', PUBLIC)).priority;
    expect([prio('critical'), prio('warning'), prio('info')]).toEqual([5, 4, 3]);
    // Good news does not ring like an emergency.
    expect(prio('critical', 'alert:cleared')).toBe(3);
    expect(JSON.parse(webhookBody(delivery(), 'ntfy', PUBLIC))).not.toHaveProperty('topic');
  });
});

describe('URLs', () => {
  it('ntfyEndpoint: the root (sub-path and query kept) and the topic', () => {
    const a = ntfyEndpoint(new URL('https://ntfy.sh/my-topic'));
    expect([a.url.href, a.topic]).toEqual(['https://ntfy.sh/', 'my-topic']);
    const b = ntfyEndpoint(new URL('https://example.org/ntfy/alertes?auth=abc'));
    expect([b.url.href, b.topic]).toEqual(['https://example.org/ntfy/?auth=abc', 'alertes']);
  });

  it('safeUrl keeps scheme and host only', () => {
    expect(safeUrl('https://user:pw@hooks.slack.com/services/T0/B0/XYZ?token=s')).toBe('https://hooks.slack.com/…');
    expect(safeUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/');
    expect(safeUrl('not a url')).toBe('(invalid URL)');
  });

  it('logSnippet: secrets redacted, at most max characters, no half secret or half marker left', () => {
    const secrets = ['s3cr3t-value', 'tok'];
    expect(logSnippet('denied:\n  s3cr3t-value  and tok', 200, secrets)).toBe('denied: [redacted] and [redacted]');
    expect(logSnippet(`${'x'.repeat(8)}s3cr3t-value`, 12, secrets)).toBe('xxxxxxxx…');
    // A body cut when read, in the middle of a secret.
    expect(logSnippet('refused s3cr3t-va', 200, secrets, true)).toBe('refused');
    expect(logSnippet('refused s3cr3t-va', 200, secrets)).toBe('refused s3cr3t-va');
  });

  it('alertLink ignores a trailing slash of the public URL', () => {
    expect(alertLink('https://m.example/', alert)).toBe('https://m.example/alerts?alert=42');
    expect(alertLink('https://m.example', null)).toBe('https://m.example/alerts');
  });
});
