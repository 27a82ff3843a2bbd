import { parseArgs } from 'node:util';
import { firstPageJs, timeToFirstLiveValue } from './dashboard';
import { building } from '../shared/catalogue';
import { BESANCON_NORMALS } from '../simulator/physics/climate-besancon';
import { createWeather } from '../simulator/physics/weather';
import { parisYearStart } from '../simulator/report';
import { World } from '../simulator/world';

/**
 * `npm run bench [-- --json]`: each figure is the median of at least 3
 * repetitions, and each ratio is taken against a baseline measured in the same
 * run, because these machines are shared and an absolute time from another run
 * means little. Issue #7 adds the broker, ingest, store and live-push paths.
 */
const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, reps: { type: 'string', default: '3' }, 'no-browser': { type: 'boolean', default: false } } });
const reps = Math.max(3, Number(values.reps) || 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const YEAR_STEPS = 365 * 24 * 60;
const start = parisYearStart(2025);

// Baseline: the weather generator alone over the same year and steps (the cheapest
// model every step needs), so the ratio shows what the rest of the building costs.
const weatherMs = median(
  Array.from({ length: reps }, (_, r) =>
    time(() => {
      const w = createWeather({ seed: r + 1, climate: BESANCON_NORMALS, latitude: building.site.latitude, longitude: building.site.longitude });
      let sink = 0;
      for (let i = 1; i <= YEAR_STEPS; i++) sink += w.sample(start + i * 60_000).ghi;
      if (sink < 0) console.log(sink);
    }),
  ),
);

const worldMs = median(
  Array.from({ length: reps }, (_, r) =>
    time(() => {
      const world = new World(building, r + 1, start);
      for (let i = 1; i <= YEAR_STEPS; i++) world.step(start + i * 60_000);
    }),
  ),
);

const results: { name: string; medianMs: number; ratio: number; target: string; value?: string }[] = [
  { name: 'weather generator, a year at 1-min steps (baseline)', medianMs: weatherMs, ratio: 1, target: '' },
  { name: 'whole building, a year at 1-min steps, no I/O', medianMs: worldMs, ratio: worldMs / weatherMs, target: `< 60 s: ${worldMs < 60_000 ? 'met' : 'MISSED'} (${((100 * worldMs) / 60_000).toFixed(0)} % of the budget)` },
];

// The dashboard: its first page's JavaScript (a size, not a time: no baseline needed),
// and the time to the first live value in Chromium.
try {
  const js = firstPageJs();
  const kb = js.gzipBytes / 1024;
  results.push({ name: `dashboard, first page's JS (${js.files.length} files, gzip)`, medianMs: Number.NaN, ratio: Number.NaN, value: `${kb.toFixed(0)} KB`, target: `< 350 KB: ${kb < 350 ? 'met' : 'MISSED'}` });
  if (!values['no-browser']) {
    const ms = median(await timeToFirstLiveValue(reps));
    results.push({ name: 'dashboard, open the overview to the first live value', medianMs: ms, ratio: Number.NaN, target: `< 1.5 s: ${ms < 1500 ? 'met' : 'MISSED'}` });
  }
} catch (err) {
  console.error(`dashboard figures skipped: ${(err as Error).message}`);
}

if (values.json) {
  console.log(JSON.stringify({ reps, results }, null, 2));
} else {
  console.log(`median of ${reps} repetitions\n`);
  console.log(`${'case'.padEnd(56)}${'median'.padStart(12)}${'ratio'.padStart(9)}  target`);
  for (const r of results) {
    const figure = r.value ?? `${(r.medianMs / 1000).toFixed(2)} s`;
    const ratio = Number.isNaN(r.ratio) ? '' : `x${r.ratio.toFixed(1)}`;
    console.log(`${r.name.padEnd(56)}${figure.padStart(12)}${ratio.padStart(9)}  ${r.target}`);
  }
}
