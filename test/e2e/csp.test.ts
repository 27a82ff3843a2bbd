import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, openPage } from '../helpers/chromium';
import { type Spawned } from '../helpers/process';
import { TEST_ADMIN_PASSWORD } from '../helpers/server';
import { startSystem, stopSystem } from '../helpers/system';

const chromium = chromiumAvailable();
const PAGES: [string, string][] = [
  ['/', '[data-testid="flow-diagram"]'],
  ['/energy', '[data-testid="export-csv"]'],
  ['/water', 'main'],
  ['/heat', 'main'],
  ['/comfort', '[data-testid="floor-plan"]'],
  ['/devices', 'main'],
  ['/devices/grid-meter', '[data-testid="device-chart"]'],
  ['/alerts', '[data-testid="rules-table"]'],
  ['/notifications', '[data-testid="notify-settings-form"]'],
  ['/simulator', '[data-testid="sim-state"]'],
];

/**
 * The dashboard under its strict Content-Security-Policy (server/api/hardening.ts:
 * only this origin's scripts, styles, images and connections), in Chromium with
 * the whole system running: every page loads, draws its charts and follows the
 * live push without a single CSP violation; the printable report, under the API's
 * own policy, too; and the dashboard's writes, sent with the session cookie,
 * carry what the CSRF check asks for.
 */
describe.skipIf(!chromium.ok)(`the Content-Security-Policy, in Chromium${chromium.ok ? '' : ` (skipped: ${chromium.reason})`}`, () => {
  let system: Spawned;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    ({ system, url } = await startSystem());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stopSystem(system);
  });

  /** A page that records every CSP violation: the DOM event, and Chromium's console report of it. */
  async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
    await page.exposeFunction('__cspViolation', (v: string) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __cspViolation(v: string): void }).__cspViolation(`${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    return { page, violations };
  }

  it('every page loads, draws and goes live with no CSP violation, and a write from a page goes through the CSRF check', async () => {
    const { page, violations } = await watchedPage();
    await page.goto(`${url}/`);
    const form = page.locator('[data-testid="login-form"]');
    await form.waitFor({ timeout: 20_000 });
    await page.getByLabel('Identifiant').fill('admin');
    await page.getByLabel('Mot de passe').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await form.waitFor({ state: 'detached', timeout: 20_000 });
    // socket.io's WebSocket to this origin is allowed by connect-src 'self'.
    await page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: 20_000 });
    const csp = (await page.request.get(`${url}/`)).headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");

    for (const [pathname, ready] of PAGES) {
      await page.goto(`${url}${pathname}`);
      await page.locator(ready).first().waitFor({ timeout: 20_000 });
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.waitForTimeout(500);
      await page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: 20_000 });
      // Charts are drawn (recharts' SVG, styled by the page's stylesheet and the CSSOM).
      if (pathname === '/devices/grid-meter') await expect.poll(() => page.locator('.recharts-surface').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    }

    // A write through the page's own controls: the session cookie, and the CSRF header the server asks for.
    await page.goto(`${url}/simulator`);
    await page.locator('[data-testid="sim-state"]').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: /^(Pause|Reprendre)$/ }).first().click();
    await expect.poll(() => page.getByTestId('sim-status').textContent(), { timeout: 10_000 }).toContain('Commande envoyée');
    expect(violations).toEqual([]);
    await page.close();
  }, 180_000);

  it('the printable report renders its own inline stylesheet under the API policy, with no violation', async () => {
    const { page, violations } = await watchedPage();
    await page.goto(`${url}/`);
    await page.locator('[data-testid="login-form"]').waitFor({ timeout: 20_000 });
    await page.getByLabel('Identifiant').fill('admin');
    await page.getByLabel('Mot de passe').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('[data-testid="login-form"]').waitFor({ state: 'detached', timeout: 20_000 });
    const res = await page.goto(`${url}/api/v1/reports/period?period=week&format=html`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    await page.locator('h1').waitFor();
    // The stylesheet applied: the report's tables are laid out by it, not by the browser's defaults.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('table') as Element).borderCollapse)).toBe('collapse');
    expect(violations).toEqual([]);
    await page.close();
  }, 60_000);
});
