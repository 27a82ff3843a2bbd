import { type Browser, type BrowserContextOptions, type Page, chromium } from 'playwright-core';
import path from 'node:path';
import { shifted, testNow } from './clock';
import { ROOT } from './process';
import { debianBinary } from './debian';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Debian's Chromium, never a downloaded one. */
export const chromiumAvailable = () => debianBinary(CHROMIUM_PATH, 'chromium');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Flags for a root sandbox with no network: no sandbox (root), and none of the
    // background fetches that a closed network refuses.
    // French, as the building's people: the browser's own widgets (date inputs) read dd/mm/yyyy.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--lang=fr-FR'],
  });
}

/**
 * A new page on the run's clock: with TEST_NOW, Playwright's clock gives the
 * page the same instant as the server and the test (helpers/clock.ts), running
 * at real pace so that the page's timers and polling behave as on any day.
 * Every end-to-end test opens its pages here.
 */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const page = await browser.newPage(options);
  if (shifted()) await page.clock.install({ time: testNow() });
  return page;
}

/**
 * Where the end-to-end tests save what the pages showed: docs/screenshots (the
 * README's pictures, rewritten by every run), or, on a shifted clock, a folder
 * of test-results/ named after the instant, so that a run at 02:30 on a DST
 * night can be looked at without changing the documentation.
 */
export function screenshotsDir(): string {
  const at = process.env.TEST_NOW;
  return at ? path.join(ROOT, 'test-results', `screenshots-${at.replace(/[^0-9A-Za-z+-]/g, '')}`) : path.join(ROOT, 'docs/screenshots');
}
