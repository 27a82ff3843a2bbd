// @ts-check
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run test:instants [-- vitest arguments]`: the suite at the instants where
 * the calendar is hardest on a test (docs/testing.md), one vitest run each with
 * TEST_NOW set, then a table of what passed and failed at each. The instants are
 * the next ones after today, in Europe/Paris: always in the future, so that the
 * InfluxDB tests (whose retention policy influxd applies on the machine's clock)
 * hold too. `--at ISO` (repeatable) runs chosen instants instead.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DAY = 86_400_000;

/** The offset of Paris from UTC at a UTC instant, in minutes. */
function parisOffsetMin(/** @type {number} */ t) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' }).formatToParts(t);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** An ISO instant with its Paris offset, for a Paris wall time that exists. */
function paris(/** @type {number} */ y, /** @type {number} */ mo, /** @type {number} */ d, /** @type {number} */ h, /** @type {number} */ mi) {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const t = guess - parisOffsetMin(guess - parisOffsetMin(guess) * 60_000) * 60_000;
  const off = parisOffsetMin(t);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:00${off >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

/** The Paris calendar date of an instant. */
function parisDate(/** @type {number} */ t) {
  const s = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(t);
  const [y, m, d] = s.split('-').map(Number);
  return { y: /** @type {number} */ (y), m: /** @type {number} */ (m), d: /** @type {number} */ (d) };
}

const lastSunday = (/** @type {number} */ y, /** @type {number} */ m) => {
  const last = new Date(Date.UTC(y, m, 0));
  return last.getUTCDate() - last.getUTCDay();
};

/** The hard instants after `now`, each with why it is hard. */
export function hardInstants(now = Date.now()) {
  const next = (/** @type {(y: number, m: number, d: number) => boolean} */ ok) => {
    for (let t = now + DAY; ; t += DAY) {
      const { y, m, d } = parisDate(t);
      if (ok(y, m, d)) return { y, m, d };
    }
  };
  const weekday = (/** @type {number} */ y, /** @type {number} */ m, /** @type {number} */ d) => new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  const mon = next((y, m, d) => weekday(y, m, d) === 1);
  const tue = next((y, m, d) => weekday(y, m, d) === 2);
  const spring = next((y, m, d) => m === 3 && d === lastSunday(y, 3));
  const fall = next((y, m, d) => m === 10 && d === lastSunday(y, 10));
  const first = next((_y, _m, d) => d === 1);
  const nye = next((_y, m, d) => m === 12 && d === 31);
  return [
    { at: paris(mon.y, mon.m, mon.d, 0, 30), why: 'Monday 00:30: the week in progress holds half an hour of night; yesterday ends the week before' },
    { at: paris(tue.y, tue.m, tue.d, 3, 0), why: 'Tuesday 03:00: the week in progress holds Monday and a night' },
    { at: paris(spring.y, spring.m, spring.d, 1, 50), why: 'spring forward, minutes before 02:00 becomes 03:00: today is a 23-hour day' },
    // 02:50 summer time, the first of the night's two 02:50s: minutes before 03:00 summer time is 02:00 again.
    { at: `${paris(fall.y, fall.m, fall.d, 1, 50).slice(0, 11)}02:50:00+02:00`, why: 'fall back, minutes before the repeated hour: today is a 25-hour day' },
    { at: paris(nye.y, nye.m, nye.d, 23, 30), why: "New Year's Eve 23:30: the year's last half hour; yesterday and the week in progress end the year" },
    { at: paris(first.y, first.m, first.d, 0, 10), why: 'the 1st of the month at 00:10: the month in progress is ten minutes long' },
  ];
}

function main() {
  const args = process.argv.slice(2);
  /** @type {string[]} */
  const chosen = [];
  /** @type {string[]} */
  const vitestArgs = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--at') chosen.push(String(args[++i]));
    else vitestArgs.push(String(args[i]));
  }
  const instants = chosen.length ? chosen.map((at) => ({ at, why: 'chosen' })) : hardInstants();
  const results = [];
  for (const { at, why } of instants) {
    console.log(`\n== TEST_NOW=${at}  (${why})`);
    const report = path.join(ROOT, 'test-results/vitest.json');
    fs.rmSync(report, { force: true });
    const started = Date.now();
    const run = spawnSync('npx', ['vitest', 'run', ...vitestArgs], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, TEST_NOW: at, TEST_NOW_WALL: '' } });
    // No report: vitest did not get as far as running a test.
    let passed = 0;
    let failed = 1;
    if (fs.existsSync(report)) {
      const r = JSON.parse(fs.readFileSync(report, 'utf8'));
      passed = r.numPassedTests;
      failed = r.numFailedTests + (r.testResults ?? []).filter((/** @type {{ status: string; assertionResults?: unknown[] }} */ t) => t.status === 'failed' && (t.assertionResults ?? []).length === 0).length;
    }
    results.push({ at, passed, failed, s: Math.round((Date.now() - started) / 1000), code: run.status });
  }
  console.log('\nTEST_NOW                    passed  failed  seconds');
  for (const r of results) console.log(`${r.at.padEnd(27)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.s).padStart(7)}`);
  process.exit(results.every((r) => r.failed === 0 && r.code === 0) ? 0 : 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
