import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, openPage } from '../helpers/chromium';
import { type Spawned } from '../helpers/process';
import { TEST_ADMIN_PASSWORD } from '../helpers/server';
import { startSystem, stopSystem } from '../helpers/system';

const chromium = chromiumAvailable();

/**
 * The whole system as a user starts it (scripts/start.ts: build check, server,
 * embedded broker, simulator), seen through Debian's Chromium.
 */
describe.skipIf(!chromium.ok)(`the dashboard, live, in Chromium${chromium.ok ? '' : ` (skipped: ${chromium.reason})`}`, () => {
  let system: Spawned;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    ({ system, url } = await startSystem());
    url = `${url}/`;
    browser = await launchChromium();
  });

  /** Opens the dashboard and logs in through its form, as a person would. */
  async function openLoggedIn(page: Awaited<ReturnType<Browser['newPage']>>): Promise<void> {
    await page.goto(url);
    const form = page.locator('[data-testid="login-form"]');
    await form.waitFor({ timeout: 20_000 });
    await page.getByLabel('Identifiant').fill('admin');
    await page.getByLabel('Mot de passe').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await form.waitFor({ state: 'detached', timeout: 20_000 });
  }

  afterAll(async () => {
    await browser?.close();
    await stopSystem(system);
  });

  it('shows the connection state and live values that change without a reload', async () => {
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openLoggedIn(page);
    await page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: 20_000 });

    const value = page.locator('[data-testid="value-grid-meter.import_power"]');
    await value.waitFor({ timeout: 20_000 });
    await expect.poll(() => value.getAttribute('data-ts'), { timeout: 20_000 }).toMatch(/^\d+$/);
    const firstTs = Number(await value.getAttribute('data-ts'));
    const firstText = await value.textContent();
    expect(firstText).toMatch(/\d/);

    // The simulated meter reports every 5 s: the same element must move on by itself.
    await expect.poll(async () => Number(await value.getAttribute('data-ts')), { timeout: 30_000, interval: 250 }).toBeGreaterThan(firstTs);

    // A state point reads as a word, not as its stored index.
    const state = page.locator('[data-testid="value-pv-inverter-1.state"]');
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toMatch(/^(Arrêt|Production \(MPPT\)|Écrêtage|Défaut)$/);

    // The chart of the last hour has drawn at least one line.
    await expect.poll(() => page.locator('[data-testid="history-chart"] .recharts-line-curve').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    // The screenshots of the overview are taken by overview-devices.test.ts.
    await page.close();
  });

  it('shows the loss of the live connection when the server stops', async () => {
    const page = await openPage(browser);
    await openLoggedIn(page);
    await page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: 20_000 });
    system.child.kill('SIGTERM');
    expect((await system.exited).code).toBe(0);
    await page.locator('[data-testid="connection-state"]:not([data-state="connected"])').waitFor({ timeout: 20_000 });
    await page.close();
  });
});
