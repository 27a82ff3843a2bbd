import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, openPage, screenshotsDir } from '../helpers/chromium';
import type { Spawned } from '../helpers/process';
import { TEST_ADMIN_PASSWORD } from '../helpers/server';
import { startSystem, stopSystem } from '../helpers/system';
import { testNow } from '../helpers/clock';
import { addDays, dateKey, type LocalDate, localMidnight, PARIS, parseDateKey } from '../../shared/calendar';

const chromium = chromiumAvailable();
const SCREENSHOTS = screenshotsDir();

/**
 * The energy reviewer's pages (issue 6) on the whole system (scripts/start.ts:
 * server, broker, simulator with two backfilled days), through Debian's Chromium.
 */
describe.skipIf(!chromium.ok)(`energy, water and heat pages in Chromium${chromium.ok ? '' : ` (skipped: ${chromium.reason})`}`, () => {
  let system: Spawned;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    // Two days of history every 2 min: more readings than a chart's width, so a zoom has a finer resolution to fetch.
    ({ system, url } = await startSystem({ SIM_BACKFILL_DAYS: '2', SIM_BACKFILL_STEP_S: '120' }, 90_000));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopSystem(system);
  });

  /** A page logged in through the form, as a person would, then sent to `route`. */
  async function openLoggedIn(route: string): Promise<{ page: Page; errors: string[] }> {
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}${route}`);
    const form = page.locator('[data-testid="login-form"]');
    await form.waitFor({ timeout: 30_000 });
    await page.getByLabel('Identifiant').fill('admin');
    await page.getByLabel('Mot de passe').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await form.waitFor({ state: 'detached', timeout: 30_000 });
    return { page, errors };
  }

  /** The Paris calendar day of an instant, as YYYY-MM-DD. */
  const parisDay = (t: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(t);
  /**
   * Rows of the ISO week (Monday first) that holds `day`: a whole week has 7, the
   * week in progress has its days up to today, since a period stops at now. So the
   * count depends on the weekday the test runs on, not on a Sunday like the first run.
   */
  const weekRows = (day: string, now: number): number => {
    const at = (d: string) => Date.parse(`${d}T12:00:00Z`);
    const monday = at(day) - ((new Date(at(day)).getUTCDay() + 6) % 7) * 86_400_000;
    return Math.min(7, Math.round((at(parisDay(now)) - monday) / 86_400_000) + 1);
  };
  /**
   * The row counts a week view may show: the page fixed its period when it was
   * loaded (`since`), the server cut it at its request, at the latest now. Both
   * counts when midnight fell in between, one otherwise.
   */
  const weekRowsSince = (day: string, since: number): number[] => [...new Set([weekRows(day, since), weekRows(day, testNow())])];
  /** Waits until the table shows as many day rows as its week may have since `since`. */
  async function expectWeekRows(page: Page, table: string, day: string, since: number): Promise<void> {
    await expect
      .poll(
        async () => {
          const n = await page.locator(`[data-testid="${table}"] tbody tr[data-start]`).count();
          const allowed = weekRowsSince(day, since);
          return allowed.includes(n) ? 'as expected' : `${n} rows where ${allowed.join(' or ')} were expected`;
        },
        { timeout: 30_000 },
      )
      .toBe('as expected');
  }
  /** The Paris calendar day before a YYYY-MM-DD one (a calendar step: 24 h back from 00:30 after a 23-hour day is two days back). */
  const dayBefore = (day: string) => dateKey(addDays(parseDateKey(day) as LocalDate, -1));
  const figure = (page: Page, key: string) => page.locator(`[data-testid="figure-${key}"] .figure-value`);
  const label = (page: Page) => page.locator('[data-testid="period-label"]').textContent();
  /**
   * One table's rows as the page shows them: each row's start and its unrounded
   * `key` figure (0 where the row has none), with the period's figure from the
   * headline block, read in one go so that they come from the same answer.
   */
  async function tableSnapshot(page: Page, table: string, key: string): Promise<{ total: number; rows: { start: number; value: number }[] }> {
    return page.evaluate(
      ({ table, key }) => ({
        total: Number(document.querySelector(`[data-testid="figure-${key}"] .figure-value`)?.getAttribute('data-value')),
        rows: [...document.querySelectorAll(`[data-testid="${table}"] tbody tr[data-start]`)].map((tr) => ({
          start: Number(tr.getAttribute('data-start')),
          value: Number(tr.querySelector(`td[data-key="${key}"]`)?.getAttribute('data-value') ?? 0),
        })),
      }),
      { table, key },
    );
  }
  const sum = (rows: { value: number }[]) => rows.reduce((a, r) => a + r.value, 0);
  /** The period's figure is the sum of its rows (to rounding): what the table shows adds up to the headline. */
  function expectTotalOfRows(snap: { total: number; rows: { value: number }[] }): void {
    expect(Number.isFinite(snap.total)).toBe(true);
    expect(Math.abs(snap.total - sum(snap.rows))).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(snap.total)));
  }
  /** Local midnight (Paris) that starts a YYYY-MM-DD day, as the rows' starts are (an hour off noon's offset on a DST day). */
  const parisMidnight = (day: string) => localMidnight(PARIS, parseDateKey(day) as LocalDate);

  it('reviews a day of energy, switches periods, compares, and exports a CSV with units', async () => {
    // Yesterday: a whole day of backfilled readings.
    const yesterday = dayBefore(parisDay(testNow()));
    const { page, errors } = await openLoggedIn(`/energy?period=day&date=${yesterday}`);
    const pv = figure(page, 'pvKWh');
    await pv.waitFor({ timeout: 60_000 });
    expect(await label(page)).toMatch(/\d{4}$/);
    // Real figures: the PV produced and the building consumed something, in kWh.
    await expect.poll(async () => Number(await pv.getAttribute('data-value')), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await pv.textContent()).toMatch(/\d.*kWh$/);
    expect(Number(await figure(page, 'consumptionKWh').getAttribute('data-value'))).toBeGreaterThan(0);
    expect(await figure(page, 'selfSufficiencyPct').textContent()).toMatch(/%$/);
    // 24 hourly rows (23 or 25 on a clock change) and the stacked destination bars.
    expect(await page.locator('[data-testid="energy-table"] tbody tr').count()).toBeGreaterThanOrEqual(23);
    expect(await page.locator('[data-testid="chart-destination"] .recharts-bar-rectangle').count()).toBeGreaterThan(0);
    const dayLabel = await label(page);
    const daySnap = await tableSnapshot(page, 'energy-table', 'pvKWh');
    expectTotalOfRows(daySnap);
    const dayPv = daySnap.total;

    // Day → week: the label and the rows change; the URL keeps the period.
    const weekAsked = testNow();
    await page.getByLabel('Période', { exact: true }).selectOption('week');
    await expect.poll(() => label(page)).toMatch(/^semaine \d+/);
    // The week in progress has its days up to today, a past week all seven (weekRows).
    await expectWeekRows(page, 'energy-table', yesterday, weekAsked);
    expect(page.url()).toContain('period=week');
    const weekLabel = await label(page);
    expect(weekLabel).not.toBe(dayLabel);
    // The week's PV is the sum of its days, yesterday's as the day view gave it; it differs from
    // the day's exactly when another day of the week has produced (not before sunrise on a
    // Tuesday, when the week holds Monday alone): what the data says, not the calendar.
    const weekSnap = await tableSnapshot(page, 'energy-table', 'pvKWh');
    expectTotalOfRows(weekSnap);
    const yesterdayRow = weekSnap.rows.find((r) => r.start === parisMidnight(yesterday));
    expect(yesterdayRow, 'the week has a row for yesterday').toBeDefined();
    expect(yesterdayRow?.value).toBeCloseTo(dayPv, 6);
    const otherDays = sum(weekSnap.rows.filter((r) => r !== yesterdayRow));
    if (otherDays > 0) expect(weekSnap.total).toBeGreaterThan(dayPv);
    else expect(weekSnap.total).toBeCloseTo(dayPv, 6);
    const weekPv = weekSnap.total;

    // The previous week, then back: the label moves, each week's PV is its own rows' sum.
    await page.locator('[data-testid="period-previous"]').click();
    await expect.poll(() => label(page)).not.toBe(weekLabel);
    await expect.poll(async () => (await tableSnapshot(page, 'energy-table', 'pvKWh')).rows.length, { timeout: 30_000 }).toBe(7);
    await expect.poll(async () => (await tableSnapshot(page, 'energy-table', 'pvKWh')).rows[0]?.start, { timeout: 30_000 }).toBeLessThan(weekSnap.rows[0]?.start ?? 0);
    expectTotalOfRows(await tableSnapshot(page, 'energy-table', 'pvKWh'));
    await page.locator('[data-testid="period-next"]').click();
    await expect.poll(() => label(page)).toBe(weekLabel);
    // The week in progress may have produced meanwhile: never less than before.
    await expect.poll(async () => (await tableSnapshot(page, 'energy-table', 'pvKWh')).rows[0]?.start, { timeout: 30_000 }).toBe(weekSnap.rows[0]?.start);
    const backSnap = await tableSnapshot(page, 'energy-table', 'pvKWh');
    expectTotalOfRows(backSnap);
    expect(backSnap.total).toBeGreaterThanOrEqual(weekPv - 1e-9);

    // The comparison with the previous week shows beside the figures and as a table.
    await page.getByLabel('Comparer avec').selectOption('previous');
    await page.locator('[data-testid="compare-table"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('[data-testid="diff-pvKWh"]').textContent(), { timeout: 30_000 }).toMatch(/vs période précédente/);
    expect(page.url()).toContain('compare=previous');

    // The CSV export: a file whose header carries the units.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.locator('[data-testid="export-csv"]').click()]);
    const csv = fs.readFileSync((await download.path()) as string, 'utf8');
    const header = csv.replace(/^\uFEFF/, '').split(/\r?\n/)[0] as string;
    expect(header).toContain('(kWh)');
    expect(header).toMatch(/€/);
    // The header, then a line per day of the week.
    expect(csv.split(/\r?\n/).filter(Boolean).length).toBeGreaterThan(Math.min(...weekRowsSince(yesterday, weekAsked)));
    // The report opens in a new tab.
    expect(await page.locator('[data-testid="report-link"]').getAttribute('target')).toBe('_blank');
    expect(await page.locator('[data-testid="report-link"]').getAttribute('href')).toMatch(/^\/api\/v1\/reports\/period\?period=week&.*format=html/);

    // The screenshot shows the week just reviewed, with its comparison.
    await page.mouse.move(0, 0);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'energy.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows the tank live and in history, and the water figures; a zoom refines the resolution', async () => {
    // The 365 days to today (not the calendar year so far, which is minutes long on New Year's Day):
    // longer than the raw readings are kept, so the chart starts on daily buckets.
    const today = parisDay(testNow());
    const yearAgo = parisDay(Date.parse(`${today}T12:00:00Z`) - 364 * 86_400_000);
    const { page, errors } = await openLoggedIn(`/water?period=custom&from=${yearAgo}&to=${today}`);
    await expect.poll(() => page.locator('[data-testid="tank-level"]').textContent(), { timeout: 30_000 }).toMatch(/\d.*%$/);
    await page.locator('[data-testid="figure-rainfallMm"]').waitFor({ timeout: 60_000 });

    const chart = page.locator('[data-testid="zoom-water"]');
    const res = chart.locator('[data-testid="zoom-resolution"]');
    await expect.poll(() => res.getAttribute('data-resolution'), { timeout: 30_000 }).toBe('1d');
    expect(await res.textContent()).toBe('résolution : 1 j');
    await expect.poll(() => chart.locator('.recharts-line-curve').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // Drag over the last days (the backfill is at the right edge): few enough readings for raw ones.
    const box = (await chart.locator('[data-testid="zoom-area"]').boundingBox()) as { x: number; y: number; width: number; height: number };
    const xOf = (fraction: number) => box.x + 60 + (box.width - 60 - 16) * fraction;
    const y = box.y + box.height / 2;
    await page.mouse.move(xOf(0.985), y);
    await page.mouse.down();
    await page.mouse.move(xOf(0.992), y, { steps: 3 });
    await page.mouse.move(xOf(0.9995), y, { steps: 3 });
    await page.mouse.up();
    await expect.poll(() => res.getAttribute('data-resolution'), { timeout: 30_000 }).toMatch(/^(raw|1m|1h)$/);
    expect(await res.textContent()).toMatch(/^résolution : (1 h|1 min|mesures brutes)$/);
    await chart.locator('[data-testid="zoom-reset"]').click();
    await expect.poll(() => res.getAttribute('data-resolution'), { timeout: 30_000 }).toBe('1d');

    // The week: the rows per day, figures with units; the screenshot shows it.
    const weekAsked = testNow();
    await page.getByLabel('Période', { exact: true }).selectOption('week');
    await expectWeekRows(page, 'water-table', parisDay(weekAsked), weekAsked);
    expect(await page.locator('[data-testid="figure-toiletM3"] .figure-value').textContent()).toMatch(/m³$/);
    // The toilets' water is the sum of the week's days; at 00:30 on a Monday the week holds a night and nothing flushed.
    const toilets = await tableSnapshot(page, 'water-table', 'toiletM3');
    expectTotalOfRows(toilets);
    for (const r of toilets.rows) expect(r.value).toBeGreaterThanOrEqual(0);
    await expect.poll(() => chart.locator('.zoom-loading').count(), { timeout: 30_000 }).toBe(0);

    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'water.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows district heat, the AHU temperatures and the heat recovery', async () => {
    const weekAsked = testNow();
    const { page, errors } = await openLoggedIn('/heat?period=week');
    const heat = page.locator('[data-testid="figure-heatKWh"] .figure-value');
    await heat.waitFor({ timeout: 60_000 });
    expect(await heat.textContent()).toMatch(/\d.*kWh$/);
    // The week's district heat is the sum of its days, none negative (zero is a summer week's, or a Monday's first hour).
    await expectWeekRows(page, 'heat-table', parisDay(weekAsked), weekAsked);
    const heatSnap = await tableSnapshot(page, 'heat-table', 'heatKWh');
    expectTotalOfRows(heatSnap);
    for (const r of heatSnap.rows) expect(r.value).toBeGreaterThanOrEqual(0);
    expect(await page.locator('[data-testid="figure-recoveryEfficiencyPct"] .figure-value').textContent()).toMatch(/(%|—)$/);
    expect(await page.locator('[data-testid="figure-heatPerDegreeDayKWh"] .figure-value').textContent()).toMatch(/(kWh\/DJU|—)$/);
    // Four AHU temperatures drawn, at the resolution the server picked.
    const ahu = page.locator('[data-testid="zoom-ahu"]');
    // A week begun seconds ago may not hold an AHU reading yet (one every 10 s), and the chart keeps
    // the range it loaded: past midnight on a Monday, the test reloads until all four are drawn.
    await expect
      .poll(
        async () => {
          const n = await ahu.locator('.recharts-line-curve').count();
          // Only a chart done loading, never mid-load.
          if (n < 4 && (await ahu.locator('.zoom-loading').count()) === 0 && (await ahu.locator('[data-testid="zoom-resolution"]').count()) > 0) await page.reload();
          return n;
        },
        { timeout: 30_000, interval: 3_000 },
      )
      .toBe(4);
    expect(await ahu.locator('[data-testid="zoom-resolution"]').textContent()).toMatch(/^résolution : /);
    // Zoom by the keyboard: the button is reachable and the resolution gets finer or stays.
    await ahu.getByRole('button', { name: 'Zoom avant' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => ahu.locator('[data-testid="zoom-reset"]').isEnabled()).toBe(true);
    expect(weekRowsSince(parisDay(weekAsked), weekAsked)).toContain(await page.locator('[data-testid="heat-table"] tbody tr[data-start]').count());

    await page.mouse.move(0, 0);
    await ahu.locator('[data-testid="zoom-reset"]').click();
    await expect.poll(() => ahu.locator('.zoom-loading').count(), { timeout: 30_000 }).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'heat.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
