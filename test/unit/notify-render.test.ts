import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alerts';
import { renderAlertEmail } from '../../server/notify/render';
import type { Delivery, NotifyEventType, NotifyLang } from '../../server/notify/types';
import { alertFixture } from '../helpers/alert-fixture';

const RAISED = Date.parse('2026-12-08T02:12:00Z'); // 03:12 in Paris (winter, UTC+1)

const alert = (over: Partial<Alert> = {}): Alert => alertFixture({ raisedAt: RAISED, ...over });

function delivery(type: NotifyEventType, a: Alert | null, lang: NotifyLang = 'fr', at = RAISED): Delivery {
  return { id: 1, key: 'a42-raised-1-abc', channel: 'email', to: 'fm@example.org', lang, event: { type, alert: a, at }, attempts: 0 };
}

const opts = { publicUrl: 'https://supervision.example.org', siteName: 'Le Numérique', zoneLabel: (z: string) => (z === 'r1-meeting' ? 'Salle de réunion R+1' : z) };

describe('renderAlertEmail', () => {
  it('writes a raised alert in French by default: severity, rule, target, where, since when, value, link', () => {
    const m = renderAlertEmail(delivery('alert:raised', alert()), opts);
    expect(m.subject).toBe('[Le Numérique] CRITIQUE — CO₂ élevé — Ambiance Salle de réunion · CO₂');
    for (const body of [m.text, m.html]) {
      expect(body).toContain('Critique');
      expect(body).toContain('Salle de réunion R+1');
      expect(body).toContain('room-r1-meeting.co2');
      expect(body).toContain('8 déc. 2026 à 03:12');
      expect(body).toContain('1\u202f640 — Ambiance Salle de réunion · CO₂');
      expect(body).toContain('https://supervision.example.org/alerts?alert=42');
      expect(body).toContain('CO₂ à 1 640 ppm, au-dessus de 1 500 ppm depuis 10 min');
    }
    expect(m.html).toContain('<html lang="fr">');
    expect(m.html).toContain('href="https://supervision.example.org/alerts?alert=42"');
    expect(m.html).not.toMatch(/<style|<link|class=/);
  });

  it('writes in English for an English recipient', () => {
    const m = renderAlertEmail(delivery('alert:raised', alert({ severity: 'warning' }), 'en'), opts);
    expect(m.subject).toBe('[Le Numérique] WARNING — CO₂ élevé — Ambiance Salle de réunion · CO₂');
    expect(m.text).toContain('Severity: Warning');
    expect(m.text).toContain('Since: 8 Dec 2026, 03:12 (Paris time)');
    expect(m.text).toContain('Value: 1,640 — ');
    expect(m.text).toContain('View the alert in the dashboard:\nhttps://supervision.example.org/alerts?alert=42');
    expect(m.html).toContain('<html lang="en">');
  });

  it('marks an escalation, with how long the alert has waited for an acknowledgement', () => {
    const at = RAISED + 65 * 60_000;
    const fr = renderAlertEmail(delivery('alert:escalated', alert(), 'fr', at), opts);
    expect(fr.subject).toBe('[Le Numérique] ESCALADE — CRITIQUE — CO₂ élevé — Ambiance Salle de réunion · CO₂');
    expect(fr.text).toContain('Escalade\u00a0: non acquittée depuis le 8 déc. 2026 à 03:12 (1 h 05).');
    expect(fr.html).toContain('ESCALADE — CRITIQUE');
    const en = renderAlertEmail(delivery('alert:escalated', alert(), 'en', at), opts);
    expect(en.subject).toMatch(/^\[Le Numérique\] ESCALATION — CRITICAL — /);
    expect(en.text).toContain('Escalation: not acknowledged since 8 Dec 2026, 03:12 (1 h 05).');
  });

  it('numbers the second and later escalations', () => {
    const at = RAISED + 125 * 60_000;
    const second = (lang: NotifyLang): Delivery => ({ ...delivery('alert:escalated', alert(), lang, at), event: { type: 'alert:escalated', alert: alert(), at, level: 2 } });
    const fr = renderAlertEmail(second('fr'), opts);
    expect(fr.subject).toBe('[Le Numérique] 2e ESCALADE — CRITIQUE — CO₂ élevé — Ambiance Salle de réunion · CO₂');
    expect(fr.text).toContain('2e escalade\u00a0: non acquittée depuis le 8 déc. 2026 à 03:12 (2 h 05).');
    expect(fr.html).toContain('2e ESCALADE — CRITIQUE');
    const en = renderAlertEmail(second('en'), opts);
    expect(en.subject).toMatch(/^\[Le Numérique\] ESCALATION 2 — CRITICAL — /);
    expect(en.text).toContain('Escalation 2: not acknowledged since 8 Dec 2026, 03:12 (2 h 05).');
    // Level 1 reads as before.
    const first = renderAlertEmail({ ...second('fr'), event: { type: 'alert:escalated', alert: alert(), at, level: 1 } }, opts);
    expect(first.subject).toMatch(/^\[Le Numérique\] ESCALADE — CRITIQUE — /);
  });

  it('says a cleared alert is back to normal, with its clear message', () => {
    const cleared = alert({ state: 'cleared', clearedAt: RAISED + 30 * 60_000, clearMessage: 'CO₂ revenu à 1 200 ppm' });
    const m = renderAlertEmail(delivery('alert:cleared', cleared), opts);
    expect(m.subject).toBe('[Le Numérique] RETOUR À LA NORMALE — CO₂ élevé — Ambiance Salle de réunion · CO₂');
    expect(m.text).toContain('Retour à la normale le 8 déc. 2026 à 03:42.');
    expect(m.text).toContain('CO₂ revenu à 1 200 ppm');
    expect(m.html).toContain('CO₂ revenu à 1 200 ppm');
    expect(renderAlertEmail(delivery('alert:cleared', cleared, 'en'), opts).text).toContain('Back to normal on 8 Dec 2026, 03:42.');
  });

  it('escapes every interpolated string in the HTML', () => {
    const evil = alert({ ruleName: '<script>alert("x")</script>', message: 'a & b <b>', target: { ...alert().target, label: `O'Neil "room"` } });
    const m = renderAlertEmail(delivery('alert:raised', evil), opts);
    expect(m.html).not.toContain('<script>');
    expect(m.html).not.toContain('<b>');
    expect(m.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(m.html).toContain('a &amp; b &lt;b&gt;');
    expect(m.html).toContain('O&#39;Neil &quot;room&quot;');
    // The plain text is not HTML: it keeps the name as written.
    expect(m.text).toContain('<script>alert("x")</script>');
  });

  it('formats times in Paris across the spring DST change', () => {
    // 01:30 UTC on 28 March 2027 is after the 02:00 -> 03:00 jump: 03:30 CEST, not 02:30.
    const a = alert({ raisedAt: Date.parse('2027-03-28T01:30:00Z') });
    expect(renderAlertEmail(delivery('alert:raised', a), opts).text).toContain('28 mars 2027 à 03:30');
    expect(renderAlertEmail(delivery('alert:raised', a, 'en'), opts).text).toContain('28 Mar 2027, 03:30');
    // And 00:30 UTC the same night is still winter time: 01:30 CET.
    expect(renderAlertEmail(delivery('alert:raised', alert({ raisedAt: Date.parse('2027-03-28T00:30:00Z') })), opts).text).toContain('28 mars 2027 à 01:30');
  });

  it('shows the zone id without a label, and leaves out a value the alert has not', () => {
    const offline = alert({ kind: 'device-offline', value: null, target: { id: 'ahu', deviceId: 'ahu', seriesId: null, zone: 'technical', label: 'Centrale de traitement d’air' } });
    const m = renderAlertEmail(delivery('alert:raised', offline), { publicUrl: 'https://x.example/', siteName: 'Le Numérique' });
    expect(m.text).toContain('Zone\u00a0: technical');
    expect(m.text).not.toContain('Valeur');
    expect(m.text).not.toContain('Point de mesure');
    expect(m.text).toContain('https://x.example/alerts?alert=42');
  });

  it('writes a short test message, without an alert', () => {
    const fr = renderAlertEmail(delivery('test', null), opts);
    expect(fr.subject).toBe('[Le Numérique] Test de notification');
    expect(fr.text).toContain('message de test');
    expect(fr.html).toContain('https://supervision.example.org/alerts');
    const en = renderAlertEmail(delivery('test', null, 'en'), opts);
    expect(en.subject).toBe('[Le Numérique] Notification test');
  });

  it('refuses an alert event without its alert', () => {
    expect(() => renderAlertEmail(delivery('alert:raised', null), opts)).toThrow(/without its alert/);
  });
});
