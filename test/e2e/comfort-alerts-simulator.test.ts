import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { building } from '../../shared/catalogue';
import { chromiumAvailable, launchChromium, openPage, screenshotsDir } from '../helpers/chromium';
import type { Spawned } from '../helpers/process';
import { TEST_ADMIN_PASSWORD } from '../helpers/server';
import { type RunningSmtp, startSmtpServer } from '../helpers/smtp';
import { startSystem, stopSystem } from '../helpers/system';
import { type WebhookReceiver, startWebhookReceiver } from '../helpers/webhook-receiver';

const chromium = chromiumAvailable();
const SCREENSHOTS = screenshotsDir();
/** The room sensor the test takes offline, and the fast rule that watches it. */
const DEVICE = 'room-rdc-formation-1';
const RULE_ID = 'e2e-offline-fast';
/** Notifications set up as a new user would (docs/notifications.md). */
const ADMIN_EMAIL = 'gestionnaire@le-numerique.example';
const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789';

/**
 * The comfort, alerts and simulator pages against the whole system
 * (scripts/start.ts: server, embedded broker, simulator), in Debian's Chromium,
 * logged in as admin through the form.
 */
describe.skipIf(!chromium.ok)(`comfort, alerts and simulator pages in Chromium${chromium.ok ? '' : ` (skipped: ${chromium.reason})`}`, () => {
  let system: Spawned;
  let browser: Browser;
  let url: string;
  let smtp: RunningSmtp;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    hook = await startWebhookReceiver(WEBHOOK_SECRET);
    ({ system, url } = await startSystem({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ADMIN_EMAIL, NOTIFY_WEBHOOK_URL: hook.url, NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET }));
    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stopSystem(system);
    await hook?.stop();
    await smtp?.stop();
  });

  /** Polls for what another process sends (an e-mail, a webhook), a minute at most. */
  async function waitUntil<T>(find: () => T | undefined, what: string): Promise<T> {
    let found: T | undefined;
    await expect.poll(() => (found = find()) !== undefined, { timeout: 60_000, message: what }).toBe(true);
    return found as T;
  }

  async function openLoggedIn(pathname: string): Promise<{ page: Page; errors: string[] }> {
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}${pathname}`);
    const form = page.locator('[data-testid="login-form"]');
    await form.waitFor({ timeout: 20_000 });
    await page.getByLabel('Identifiant').fill('admin');
    await page.getByLabel('Mot de passe').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await form.waitFor({ state: 'detached', timeout: 20_000 });
    return { page, errors };
  }

  it('shows every zone of a level on the plan, each in a category, and a zone in detail', async () => {
    const { page, errors } = await openLoggedIn('/comfort');
    await page.locator('[data-testid="floor-plan"]').waitFor({ timeout: 20_000 });
    const ground = building.zones.filter((z) => z.level === 0 && z.areaM2 > 0);
    for (const z of ground) {
      const zone = page.locator(`[data-testid="zone-${z.id}"]`);
      if (z.sensor === false) {
        await expect.poll(() => zone.getAttribute('aria-label'), { timeout: 20_000 }).toContain('pas de capteur');
        continue;
      }
      // A category once the room sensor's first reading is in (the snapshot has the backfill's last).
      await expect.poll(() => zone.getAttribute('data-category'), { timeout: 60_000 }).toMatch(/^(I|II|III|IV)$/);
      expect(await zone.getAttribute('aria-label')).toMatch(new RegExp(`^${z.label} : CO2 [\\d\\s]+\\sppm, catégorie (I|II|III|IV)$`));
    }
    // The toggle switches the plan to temperature.
    await page.getByRole('button', { name: 'Température' }).click();
    await expect.poll(() => page.locator(`[data-testid="zone-${DEVICE.replace('room-', '')}"]`).getAttribute('aria-label')).toMatch(/température [\d,]+\s°C, catégorie/);
    await page.getByRole('button', { name: 'CO2' }).click();

    // Keyboard: the zone is a link; Enter opens its detail.
    await page.locator('[data-testid="zone-rdc-formation-1"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="zone-detail"]').waitFor({ timeout: 10_000 });
    expect(page.url()).toContain('zone=rdc-formation-1');
    await expect.poll(() => page.locator('[data-testid="zone-detail"] .recharts-line-curve').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    // Occupied hours per category this month: a table once the KPI answered (a day of history has some).
    await expect.poll(() => page.getByTestId('zone-kpi-state').getAttribute('data-state'), { timeout: 30_000 }).not.toBe('loading');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'comfort.png'), fullPage: true });
    expect(await page.getByTestId('zone-kpi-state').getAttribute('data-state')).toBe('table');
    await page.getByTestId('zone-kpi').waitFor();
    expect(errors).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'comfort.png'), fullPage: true });
    await page.close();
  });

  it('raises an alert when a fault is injected from the simulator page, and acknowledges it', async () => {
    const { page, errors } = await openLoggedIn('/simulator');
    await page.locator('[data-testid="sim-state"]').waitFor({ timeout: 20_000 });

    // The shipped device-offline rule waits 5 min: an admin adds one with no grace, on one device, over the API.
    const created = await page.evaluate(
      async ([id, device]) => {
        const res = await fetch('/api/v1/alert-rules', {
          method: 'POST',
          // With the session cookie, as the dashboard's own writes: the CSRF header (docs/security.md).
          headers: { 'Content-Type': 'application/json', 'x-lnm-csrf': '1' },
          body: JSON.stringify({ id, name: 'Capteur hors ligne (test e2e)', severity: 'critical', kind: 'device-offline', target: { devices: [device] }, graceMinutes: 0 }),
        });
        return res.status;
      },
      [RULE_ID, DEVICE] as const,
    );
    expect(created).toBe(201);

    // The fault, through the page's own controls.
    await page.getByTestId('fault-device').selectOption(DEVICE);
    await page.getByTestId('fault-kind').selectOption('offline');
    await page.getByTestId('fault-duration').fill('3600');
    await page.getByTestId('fault-inject').click();
    await page.locator(`[data-testid="sim-fault-${DEVICE}-offline"]`).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('sim-status').textContent()).toContain('Commande envoyée');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'simulator.png'), fullPage: true });

    await page.getByTestId('nav-alerts').click();
    const card = page.locator(`[data-rule="${RULE_ID}"]`).first();
    await card.waitFor({ timeout: 60_000 });
    expect(await card.getAttribute('data-state')).toBe('active');
    await expect.poll(() => card.textContent()).toContain('Critique');

    await card.getByTestId('ack-open').click();
    await card.getByLabel('Commentaire').fill('Capteur débranché pour le test');
    await card.getByRole('button', { name: 'Confirmer l’acquittement' }).click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 15_000 }).toBe('acknowledged');
    await expect.poll(() => card.getByTestId('alert-ack').textContent()).toMatch(/Acquittée par admin .*Capteur débranché pour le test/);

    // The admin was told by e-mail and the webhook, within a minute, with a link to this alert.
    const alertId = Number((await card.getAttribute('data-testid'))?.replace('alert-', ''));
    const mail = await waitUntil(() => smtp.messages.find((m) => m.to.includes(ADMIN_EMAIL) && m.text.includes(`alert=${alertId}`)), 'the e-mail to the admin');
    expect(mail.subject).toMatch(/CRITIQUE/);
    expect(mail.text).toContain(`${url}/alerts?alert=${alertId}`);
    const call = await waitUntil(() => hook.received.find((r) => (r.json as { alert?: { id?: number } } | null)?.alert?.id === alertId), 'the webhook');
    expect(call.signatureValid).toBe(true);
    expect(call.json).toMatchObject({ event: 'alert:raised', alert: { severity: 'critical', target: { deviceId: DEVICE } } });

    // The e-mail's link opens the alerts page on that alert.
    const link = /https?:\/\/\S+\/alerts\?alert=\d+/.exec(mail.text)?.[0] as string;
    await page.goto(link);
    await expect.poll(() => page.locator('[aria-current="true"]').getAttribute('data-testid'), { timeout: 15_000 }).toBe(`alert-${alertId}`);

    // The trail says who did what.
    await card.getByRole('button', { name: 'Historique' }).click();
    await expect.poll(() => card.locator('.alert-trail').textContent(), { timeout: 10_000 }).toMatch(/admin : acquittée/);
    // The rules list shows the new rule.
    await page.locator(`[data-testid="rule-${RULE_ID}"]`).waitFor({ timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'alerts.png'), fullPage: true });
    await page.close();
  });

  it('sets my notifications, sends myself a test e-mail, and shows it in the delivery log', async () => {
    const { page, errors } = await openLoggedIn('/notifications');
    const form = page.getByTestId('notify-settings-form');
    await form.waitFor({ timeout: 20_000 });
    // ADMIN_EMAIL filled the first admin's address.
    await expect.poll(() => page.getByTestId('notify-email').inputValue(), { timeout: 10_000 }).toBe(ADMIN_EMAIL);
    await page.getByTestId('notify-email').fill('astreinte@le-numerique.example');
    await page.getByTestId('notify-quiet').check();
    await page.getByTestId('notify-quiet-start').fill('22:00');
    await page.getByTestId('notify-quiet-end').fill('07:00');
    await page.getByTestId('notify-save').click();
    await expect.poll(() => page.getByTestId('notify-status').getAttribute('data-state'), { timeout: 10_000 }).toBe('ok');
    await page.getByTestId('notify-test-email').click();
    const mail = await waitUntil(() => smtp.messages.find((m) => m.to.includes('astreinte@le-numerique.example')), 'the test e-mail');
    expect(mail.subject).toMatch(/test/i);
    // The log shows it sent, with the alert e-mails before it.
    const log = page.getByTestId('deliveries-table');
    await expect.poll(async () => (await log.textContent()) ?? '', { timeout: 30_000 }).toContain('astreinte@le-numerique.example');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'notifications.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a phone in dark mode: no page scrolls sideways', async () => {
    const { page, errors } = await openLoggedIn('/comfort');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    for (const [pathname, ready] of [
      ['/comfort?zone=r1-reunion', '[data-testid="zone-detail"]'],
      ['/alerts?state=all', '[data-testid="rules-table"]'],
      ['/simulator', '[data-testid="sim-state"]'],
    ] as const) {
      await page.goto(`${url}${pathname}`);
      await page.locator(ready).waitFor({ timeout: 20_000 });
      if (process.env.E2E_PHONE_SHOTS) await page.screenshot({ path: path.join(process.env.E2E_PHONE_SHOTS, `${pathname.split(/[/?]/)[1]}-phone.png`), fullPage: true });
      // Wide tables scroll inside their own box; the page itself does not.
      expect(await page.evaluate(() => document.documentElement.scrollWidth), pathname).toBeLessThanOrEqual(390);
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
