import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alerts';
import { DIGEST_MAX_RECENT, dashboardLink, digestSummary, renderDigestEmail } from '../../server/notify/digest';
import { renderAlertEmail } from '../../server/notify/render';
import type { Delivery, DigestContent, NotifyLang } from '../../server/notify/types';
import { alertFixture } from '../helpers/alert-fixture';

/** The daily digest e-mail (and its one-line summary for webhooks), from pinned data. */

const TO = Date.parse('2026-12-08T06:00:00Z'); // 07:00 in Paris on 8 December
const FROM = TO - 24 * 3_600_000;
const RAISED = Date.parse('2026-12-08T02:12:00Z'); // 03:12 in Paris

const alert = (id: number, over: Partial<Alert> = {}): Alert => alertFixture({ id, raisedAt: RAISED, message: 'CO₂ à 1 640 ppm', ...over });

const OPEN = [
  alert(42),
  alert(43, { severity: 'warning', state: 'acknowledged', ruleName: 'Cuve basse', target: { id: 'tank.level', deviceId: 'tank', seriesId: 'tank.level', zone: 'outdoor', label: 'Cuve · niveau' } }),
  alert(44, { severity: 'info', state: 'cleared', raisedAt: Date.parse('2026-12-06T15:00:00Z') }),
];

function content(over: Partial<DigestContent> = {}): DigestContent {
  return {
    date: '2026-12-08',
    fromMs: FROM,
    toMs: TO,
    open: OPEN,
    recent: [alert(42), alert(45, { severity: 'warning', state: 'closed' })],
    held: 3,
    devices: [
      { id: 'ahu', label: 'Centrale de traitement d’air', status: 'offline', lastSeen: Date.parse('2026-12-07T21:10:00Z') },
      { id: 'meter-water', label: 'Compteur d’eau', status: 'stale', lastSeen: null },
    ],
    energy: { date: '2026-12-07', pvKWh: 123.4, consumptionKWh: 1456.78, selfSufficiencyPct: 8.47 },
    ...over,
  };
}

function delivery(lang: NotifyLang, over: Partial<DigestContent> = {}): Delivery {
  return { id: 9, key: 'digest-2026-12-08-abc', channel: 'email', to: 'fm@example.org', lang, event: { type: 'digest', alert: null, at: TO, digest: content(over) }, attempts: 0 };
}

const opts = { publicUrl: 'https://supervision.example.org/', siteName: 'Le Numérique', zoneLabel: (z: string) => (z === 'r1-meeting' ? 'Salle de réunion R+1' : z) };

describe('renderDigestEmail', () => {
  it('writes the French digest: subject, period, each section, links', () => {
    const m = renderDigestEmail(delivery('fr'), opts);
    expect(m.subject).toBe('[Le Numérique] Synthèse du 8 déc. 2026');
    expect(m.text).toContain('Du 7 déc. 2026 à 07:00 au 8 déc. 2026 à 07:00 (heure de Paris).');
    // Open alerts: severity, rule, target, zone label, since when, state, link.
    expect(m.text).toContain('Alertes ouvertes (3)');
    expect(m.text).toContain('- Critique — CO₂ élevé — Ambiance Salle de réunion · CO₂\n  Salle de réunion R+1 · depuis le 8 déc. 2026 à 03:12 · Active\n  https://supervision.example.org/alerts?alert=42');
    expect(m.text).toContain('- Avertissement — Cuve basse — Cuve · niveau\n  outdoor · depuis le 8 déc. 2026 à 03:12 · Acquittée');
    expect(m.text).toContain('depuis le 6 déc. 2026 à 16:00 · Terminée, non acquittée');
    // The last 24 h.
    expect(m.text).toContain('Alertes des dernières 24 h (2)');
    expect(m.text).toContain('Salle de réunion R+1 · le 8 déc. 2026 à 03:12 · Close');
    // Held back, devices, energy (French numbers, no-break spaces before units).
    expect(m.text).toContain('Messages retenus\n3 messages non critiques ont été retenus pendant vos heures de silence.');
    expect(m.text).toContain('Équipements hors ligne ou muets (2)');
    expect(m.text).toContain('- Centrale de traitement d’air — Hors ligne — dernier message le 7 déc. 2026 à 22:10');
    expect(m.text).toContain('- Compteur d’eau — Muet — aucun message reçu');
    expect(m.text).toContain('Énergie d’hier (7 déc. 2026)');
    expect(m.text).toContain('Production PV\u00a0: 123,4\u00a0kWh');
    expect(m.text).toContain('Consommation\u00a0: 1\u202f456,8\u00a0kWh');
    expect(m.text).toContain('Autosuffisance\u00a0: 8\u202f%');
    expect(m.text).toContain('Ouvrir le tableau de bord\u00a0:\nhttps://supervision.example.org/\n');

    expect(m.html).toContain('<html lang="fr">');
    for (const id of [42, 43, 44, 45]) expect(m.html).toContain(`href="https://supervision.example.org/alerts?alert=${id}"`);
    expect(m.html).toContain('href="https://supervision.example.org/"');
    expect(m.html).toContain('123,4\u00a0kWh');
    expect(m.html).toContain('SYNTHÈSE QUOTIDIENNE');
    // Same look as the alert e-mail: inline styles only.
    expect(m.html).not.toMatch(/<style|<link|class=/);
  });

  it('writes the English digest', () => {
    const m = renderDigestEmail(delivery('en'), opts);
    expect(m.subject).toBe('[Le Numérique] Daily digest, 8 Dec 2026');
    expect(m.text).toContain('From 7 Dec 2026, 07:00 to 8 Dec 2026, 07:00 (Paris time).');
    expect(m.text).toContain('Open alerts (3)');
    expect(m.text).toContain('- Critical — CO₂ élevé — Ambiance Salle de réunion · CO₂\n  Salle de réunion R+1 · since 8 Dec 2026, 03:12 · Active');
    expect(m.text).toContain('Alerts of the last 24 hours (2)');
    expect(m.text).toContain('3 non-critical messages were held back during your quiet hours.');
    expect(m.text).toContain('- Centrale de traitement d’air — Offline — last message 7 Dec 2026, 22:10');
    expect(m.text).toContain('- Compteur d’eau — Stale — no message received');
    expect(m.text).toContain('PV production: 123.4\u00a0kWh');
    expect(m.text).toContain('Consumption: 1,456.8\u00a0kWh');
    expect(m.text).toContain('Self-sufficiency: 8%');
    expect(m.html).toContain('<html lang="en">');
  });

  it('says so in one line for each empty section, and leaves out "held" when nothing was held', () => {
    const fr = renderDigestEmail(delivery('fr', { open: [], recent: [], held: 0, devices: [] }), opts);
    for (const body of [fr.text, fr.html]) {
      expect(body).toContain('Aucune alerte ouverte.');
      expect(body).toContain('Aucune alerte dans les dernières 24 h.');
      expect(body).toContain('Tous les équipements communiquent.');
      expect(body).not.toContain('Messages retenus');
    }
    expect(fr.text).toContain('Alertes ouvertes (0)\nAucune alerte ouverte.\n');
    const en = renderDigestEmail(delivery('en', { open: [], recent: [], held: 0, devices: [] }), opts);
    expect(en.text).toContain('No open alerts.');
    expect(en.text).toContain('No alerts in the last 24 hours.');
    expect(en.text).toContain('All devices are reporting.');
    expect(en.text).not.toContain('held back');
  });

  it(`lists at most ${DIGEST_MAX_RECENT} alerts of the last 24 h, then "and N more"`, () => {
    const recent = Array.from({ length: 27 }, (_, i) => alert(100 + i, { severity: 'info' }));
    const fr = renderDigestEmail(delivery('fr', { recent }), opts);
    expect(fr.text).toContain('Alertes des dernières 24 h (27)');
    expect(fr.text).toContain('… et 7 autres.');
    expect(fr.html).toContain('… et 7 autres.');
    expect(fr.html).toContain('alerts?alert=119"');
    expect(fr.html).not.toContain('alerts?alert=120"');
    const section = fr.text.slice(fr.text.indexOf('Alertes des dernières 24 h'), fr.text.indexOf('… et 7 autres.'));
    expect(section.match(/^- Information/gm)).toHaveLength(20);
    const one = renderDigestEmail(delivery('en', { recent: recent.slice(0, 21) }), opts);
    expect(one.text).toContain('… and 1 more.');
    // Exactly the limit: no "more" line.
    expect(renderDigestEmail(delivery('fr', { recent: recent.slice(0, 20) }), opts).text).not.toContain('autre');
  });

  it('shows "—" for energy the store could not give', () => {
    const none = renderDigestEmail(delivery('fr', { energy: null }), opts);
    expect(none.text).toContain('Énergie d’hier\nProduction PV\u00a0: —\nConsommation\u00a0: —\nAutosuffisance\u00a0: —');
    const partial = renderDigestEmail(delivery('en', { energy: { date: '2026-12-07', pvKWh: 0, consumptionKWh: null, selfSufficiencyPct: null } }), opts);
    expect(partial.text).toContain('PV production: 0.0\u00a0kWh\nConsumption: —\nSelf-sufficiency: —');
  });

  it('escapes every interpolated string in the HTML', () => {
    const evil = alert(50, { ruleName: '<script>x</script>', target: { ...alert(0).target, label: `O'Neil "room" & co`, zone: '<z>' } });
    const m = renderDigestEmail(delivery('fr', { open: [evil], recent: [evil], devices: [{ id: 'd', label: '<img src=x>', status: 'offline', lastSeen: null }] }), { ...opts, siteName: 'A&B <site>' });
    expect(m.html).not.toMatch(/<script|<img|<z>|<site>/);
    expect(m.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(m.html).toContain('O&#39;Neil &quot;room&quot; &amp; co');
    expect(m.html).toContain('&lt;img src=x&gt;');
    expect(m.html).toContain('A&amp;B &lt;site&gt;');
    expect(m.text).toContain('<script>x</script>');
  });

  it('is what renderAlertEmail renders for a digest delivery; refuses one without its content', () => {
    expect(renderAlertEmail(delivery('fr'), opts)).toEqual(renderDigestEmail(delivery('fr'), opts));
    const bare: Delivery = { ...delivery('fr'), event: { type: 'digest', alert: null, at: TO } };
    expect(() => renderAlertEmail(bare, opts)).toThrow(/without its digest/);
  });
});

describe('digestSummary', () => {
  it('says the counts in one line, French and English', () => {
    expect(digestSummary(delivery('fr')).text).toBe('Synthèse du 8 déc. 2026 : 3 alertes ouvertes (1 critique), 2 alertes en 24 h, 2 équipements hors ligne, 3 messages retenus, PV hier 123,4\u00a0kWh');
    expect(digestSummary(delivery('fr')).title).toBe('Synthèse du 8 déc. 2026');
    expect(digestSummary(delivery('en')).text).toBe('Daily digest, 8 Dec 2026: 3 open alerts (1 critical), 2 alerts in 24 h, 2 devices offline, 3 messages held back, PV yesterday 123.4\u00a0kWh');
    const quiet = digestSummary(delivery('fr', { open: [alert(1, { severity: 'warning' })], recent: [], held: 0, devices: [], energy: null }));
    expect(quiet.summary).toBe('1 alerte ouverte, PV hier —');
    expect(digestSummary(delivery('en', { open: [], recent: [], held: 0, devices: [] })).summary).toBe('no open alerts, PV yesterday 123.4\u00a0kWh');
  });

  it('dashboardLink: the home page, whatever the trailing slash', () => {
    expect(dashboardLink('https://m.example')).toBe('https://m.example/');
    expect(dashboardLink('https://m.example//')).toBe('https://m.example/');
  });
});
