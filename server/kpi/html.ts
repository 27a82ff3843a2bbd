import { COMFORT_FIGURES, ENERGY_FIGURES, type FigureMeta, HEAT_FIGURES, type KpiLocale, type ReportResponse, WATER_FIGURES } from '../../shared/kpi';

/**
 * The period report as one printable HTML page: self-contained (inline CSS, no
 * script, no external resource), French labels, numbers in the locale asked
 * for, A4 print rules. Every interpolated string is escaped.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function numberFormat(locale: KpiLocale) {
  const cache = new Map<number, Intl.NumberFormat>();
  return (v: number | null | undefined, decimals: number): string => {
    if (v === null || v === undefined || !Number.isFinite(v)) return '—';
    let f = cache.get(decimals);
    if (!f) cache.set(decimals, (f = new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })));
    // No "-0,0": what rounds to zero is zero.
    return f.format(Math.abs(v) < 0.5 * 10 ** -decimals ? 0 : v);
  };
}

const PERIOD_KIND_FR = { day: 'Journée', week: 'Semaine', month: 'Mois', year: 'Année', custom: 'Période' } as const;
const INTERVAL_FR = { hour: 'Heure', day: 'Jour', week: 'Semaine', month: 'Mois', period: 'Période' } as const;

const STYLE = `
  :root { color-scheme: light; }
  * { box-sizing: border-box; }
  body { font: 10.5pt/1.4 system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1b1f23; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  header { border-bottom: 3px solid #1d6b3a; margin-bottom: 1rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
  h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; color: #1d6b3a; border-bottom: 1px solid #c9d8ce; }
  .meta { color: #555; margin: .2rem 0 .8rem; }
  .notice { background: #fff6d6; border: 1px solid #e2c66b; padding: .4rem .6rem; }
  table { border-collapse: collapse; width: 100%; margin: .3rem 0 .8rem; font-variant-numeric: tabular-nums; }
  th, td { border-bottom: 1px solid #dde3e0; padding: .2rem .45rem; text-align: right; vertical-align: top; }
  th:first-child, td:first-child { text-align: left; }
  thead th { background: #eef4f0; font-weight: 600; }
  td.unit { text-align: left; color: #666; }
  table.rows { font-size: .8em; }
  table.rows th, table.rows td { padding: .15rem .25rem; }
  table.rows th { white-space: nowrap; }
  td.when { white-space: nowrap; }
  tfoot th { border-top: 2px solid #1d6b3a; }
  .kv td:nth-child(2) { width: 9rem; }
  small, .small { color: #666; font-size: .85em; }
  footer { margin-top: 2rem; color: #666; font-size: .85em; border-top: 1px solid #ccc; padding-top: .5rem; }
  @page { size: A4; margin: 15mm 12mm; }
  @media print {
    body { margin: 0; max-width: none; padding: 0; font-size: 9pt; }
    h2 { break-after: avoid; }
    tr, .kv { break-inside: avoid; }
    thead { display: table-header-group; }
    section { break-inside: auto; }
  }
`;

/**
 * Where a period still running stops: the report's own time. The period is cut at the
 * end of the current hour (its last hourly bucket), but that bucket holds readings up
 * to now only; "figures up to 21:00" at 20:34 would claim 26 minutes not yet lived.
 */
function partialUntil(r: ReportResponse): string {
  return Date.parse(r.generatedAt) < r.period.toMs ? r.generatedAt : r.period.to;
}

export function renderReportHtml(r: ReportResponse, locale: KpiLocale): string {
  const n = numberFormat(locale);
  const e = escapeHtml;
  const kv = (meta: Readonly<Record<string, FigureMeta>>, values: Readonly<Record<string, number | null>>, keys?: readonly string[]) =>
    `<table class="kv"><tbody>${(keys ?? Object.keys(meta))
      .map((k) => {
        const m = meta[k] as FigureMeta;
        return `<tr><td>${e(m.fr)}</td><td>${e(n(values[k], m.decimals))}</td><td class="unit">${e(m.unit)}</td></tr>`;
      })
      .join('')}</tbody></table>`;
  const p = r.period;
  // Short headers: ten columns must fit an A4 page.
  const energyCols = [
    ['pvKWh', 'PV'],
    ['consumptionKWh', 'Consommation'],
    ['importKWh', 'Soutirage'],
    ['exportKWh', 'Injection'],
    ['selfConsumedKWh', 'Autoconso.'],
    ['selfConsumptionPct', 'Autoconso.'],
    ['selfSufficiencyPct', 'Autoprod.'],
    ['evKWh', 'VE'],
    ['evPvSharePct', 'VE part PV'],
    ['netCostEur', 'Coût net'],
  ] as const;
  const timeLabel = (start: string) => (r.energy.interval === 'hour' ? start.slice(0, 16).replace('T', ' ') + ` (UTC${start.slice(19)})` : r.energy.interval === 'month' ? start.slice(0, 7) : start.slice(0, 10));
  const energyRows = r.energy.rows
    .map((row) => `<tr><td class="when">${e(timeLabel(row.start))}</td>${energyCols.map(([k]) => `<td>${e(n(row[k], ENERGY_FIGURES[k].unit === 'kWh' ? 1 : ENERGY_FIGURES[k].decimals))}</td>`).join('')}</tr>`)
    .join('');
  const comfortRows = r.comfort.zones
    .map((z) => `<tr><td>${e(z.zoneLabel)}</td><td>${e(n(z.occupiedHours, 0))}</td><td>${e(n(z.co2IIOrBetterPct, 1))}</td><td>${e(n(z.co2IV, 0))}</td><td>${e(n(z.temperatureIIOrBetterPct, 1))}</td><td>${e(n(z.temperatureIV, 0))}</td><td>${e(n(z.humidityIIOrBetterPct, 1))}</td><td>${e(n(z.humidityIV, 0))}</td></tr>`)
    .join('');
  const yb = r.yearBefore;
  const ybRows = yb.figures
    .map((f) => {
      const [kind, key] = f.key.split('.') as [string, string];
      const meta = (kind === 'energy' ? ENERGY_FIGURES : kind === 'water' ? WATER_FIGURES : HEAT_FIGURES) as Record<string, FigureMeta>;
      const m = meta[key] as FigureMeta;
      return `<tr><td>${e(m.fr)}</td><td class="unit">${e(m.unit)}</td><td>${e(n(f.current, m.decimals))}</td><td>${e(n(f.yearBefore, m.decimals))}</td><td>${e(n(f.diffYearBefore, m.decimals))}</td><td>${e(n(f.diffYearBeforePct, 1))}</td></tr>`;
    })
    .join('');
  const gaps = r.coverage.filter((c) => c.hours < c.expectedHours);
  const prm = r.parameters;
  const offPeak = prm.offPeakHours.length === 0 ? 'aucune' : prm.offPeakHours.map(([a, b]) => `${hhmm(a)}–${hhmm(b)}`).join(', ');
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`Rapport ${r.site.name} — ${p.label}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${e(r.site.name)} — rapport de période</h1>
<p class="meta">${e(r.site.address)} · ${e(PERIOD_KIND_FR[p.kind])} ${e(p.label)} · du ${e(p.from.slice(0, 16).replace('T', ' '))} au ${e(p.to.slice(0, 16).replace('T', ' '))} exclu (${e(p.timeZone)}) · ${e(n(p.hours, 0))} h</p>
<p class="meta">PV ${e(n(r.site.pvPeakKWp, 1))} kWc · ${e(n(r.site.floorAreaM2, 0))} m² · édité le ${e(r.generatedAt.slice(0, 16).replace('T', ' '))}</p>
${p.partial ? `<p class="notice">Période en cours : les chiffres s’arrêtent à ${e(partialUntil(r).slice(0, 16).replace('T', ' '))}.</p>` : ''}
</header>
<section>
<h2>Électricité</h2>
${kv(ENERGY_FIGURES, r.energy.totals)}
<p class="small">Chaque chiffre est calculé heure par heure à partir des compteurs puis additionné ; les taux sont des rapports de sommes. Part PV de la recharge VE : le PV autoconsommé couvre d’abord les autres usages du bâtiment, la recharge reçoit le reste (source VE : ${e(r.energy.evSource === 'submeter' ? 'sous-compteur des bornes' : 'compteurs des bornes')}).</p>
<h2>Électricité par ${e(INTERVAL_FR[r.energy.interval].toLowerCase())}</h2>
<table class="rows"><thead><tr><th>${e(INTERVAL_FR[r.energy.interval])}</th>${energyCols.map(([k, label]) => `<th title="${e(ENERGY_FIGURES[k].fr)}">${e(label)}<br><small>${e(ENERGY_FIGURES[k].unit)}</small></th>`).join('')}</tr></thead><tbody>${energyRows}</tbody><tfoot><tr><th>Total</th>${energyCols.map(([k]) => `<th>${e(n(r.energy.totals[k], ENERGY_FIGURES[k].unit === 'kWh' ? 1 : ENERGY_FIGURES[k].decimals))}</th>`).join('')}</tr></tfoot></table>
</section>
<section>
<h2>Eau de pluie</h2>
${kv(WATER_FIGURES, r.water.totals)}
</section>
<section>
<h2>Chaleur</h2>
${kv(HEAT_FIGURES, r.heat.totals)}
<p class="small">DJU base ${e(n(prm.degreeDayBaseC, 1))} °C (méthode ${e(prm.degreeDayMethod === 'mean' ? 'moyenne des températures horaires' : prm.degreeDayMethod === 'meteo' ? 'météo, (Tn + Tx) / 2' : 'COSTIC')}). Efficacité de récupération : rapport de températures EN 308 côté extraction, heures de fonctionnement complet en saison de chauffe avec un écart extraction − extérieur d’au moins ${e(n(prm.recoveryMinDeltaK, 1))} K.</p>
</section>
<section>
<h2>Confort (EN 16798-1), heures occupées</h2>
<table><thead><tr><th>Zone</th><th>Heures occupées</th><th>CO2 cat. ≤ II<br><small>%</small></th><th>CO2 cat. IV<br><small>h</small></th><th>Température cat. ≤ II<br><small>%</small></th><th>Température cat. IV<br><small>h</small></th><th>Humidité cat. ≤ II<br><small>%</small></th><th>Humidité cat. IV<br><small>h</small></th></tr></thead>
<tbody>${comfortRows}<tr><th>Toutes zones</th><th>${e(n(r.comfort.totals.occupiedHours, 0))}</th><th>${e(n(r.comfort.totals.co2IIOrBetterPct, 1))}</th><th>${e(n(r.comfort.totals.co2IV, 0))}</th><th>${e(n(r.comfort.totals.temperatureIIOrBetterPct, 1))}</th><th>${e(n(r.comfort.totals.temperatureIV, 0))}</th><th>${e(n(r.comfort.totals.humidityIIOrBetterPct, 1))}</th><th>${e(n(r.comfort.totals.humidityIV, 0))}</th></tr></tbody></table>
<p class="small">CO2 au-dessus de ${e(n(prm.outdoorCo2Ppm, 0))} ppm extérieurs ; température de l’air pour la température opérative ; plages de la saison de chauffe d’octobre à avril et quand il fait moins de 15 °C dehors. Détail par catégorie : ${e(Object.values(COMFORT_FIGURES).length)} colonnes dans l’export CSV.</p>
</section>
<section>
<h2>Comparaison avec la même période un an plus tôt (${e(yb.period.label)})</h2>
<table><thead><tr><th>Indicateur</th><th>Unité</th><th>${e(p.label)}</th><th>${e(yb.period.label)}</th><th>Écart</th><th>Écart<br><small>%</small></th></tr></thead><tbody>${ybRows}</tbody></table>
</section>
<section>
<h2>Paramètres</h2>
<table class="kv"><tbody>
<tr><td>Tarif de soutirage, heures pleines / creuses</td><td>${e(n(prm.importPeakPerKWh, 4))} / ${e(n(prm.importOffPeakPerKWh, 4))}</td><td class="unit">€/kWh</td></tr>
<tr><td>Heures creuses (heure locale)</td><td>${e(offPeak)}</td><td class="unit"></td></tr>
<tr><td>Tarif d’injection</td><td>${e(n(prm.feedInPerKWh, 4))}</td><td class="unit">€/kWh</td></tr>
<tr><td>Facteur d’émission de l’électricité du réseau</td><td>${e(n(prm.gridKgPerKWh, 3))}</td><td class="unit">kg CO2e/kWh</td></tr>
<tr><td>Prix de l’eau potable</td><td>${e(n(prm.waterPerM3, 2))}</td><td class="unit">€/m³</td></tr>
<tr><td>Prix et facteur d’émission de la chaleur</td><td>${e(n(prm.heatPerKWh, 4))} / ${e(n(prm.heatKgPerKWh, 3))}</td><td class="unit">€/kWh · kg CO2e/kWh</td></tr>
</tbody></table>
<p class="small">CO2 évité = production PV × facteur du réseau (valeur brute : les émissions de fabrication des panneaux ne sont pas déduites). Sources et définitions : docs/kpi.md.</p>
</section>
<section>
<h2>Qualité des données</h2>
${gaps.length === 0 ? '<p>Toutes les séries lues ont des mesures pour chaque heure de la période.</p>' : `<table><thead><tr><th>Série</th><th>Heures mesurées</th><th>Heures de la période</th></tr></thead><tbody>${gaps.map((c) => `<tr><td>${e(c.seriesId)}</td><td>${e(n(c.hours, 0))}</td><td>${e(n(c.expectedHours, 0))}</td></tr>`).join('')}</tbody></table><p class="small">L’énergie d’un compteur pendant une lacune est comptée dans l’heure où les mesures reprennent : les totaux restent justes, la répartition horaire de la lacune est perdue.</p>`}
${r.warnings.length === 0 ? '' : `<ul>${r.warnings.map((w) => `<li>${e(w.seriesId)} — ${e(w.at)} : ${e(w.message)}</li>`).join('')}</ul>`}
</section>
<footer>Le Numérique — moniteur du bâtiment. Chiffres calculés à partir des agrégats horaires des compteurs, heure locale ${e(p.timeZone)}.</footer>
</body>
</html>
`;
}

function hhmm(h: number): string {
  const m = Math.round(h * 60);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
