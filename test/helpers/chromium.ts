import fs from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Debian's Chromium, never a downloaded one. Locally a missing browser skips the
 * browser tests with a reason; in CI (CI=true) it fails them.
 */
export function chromiumAvailable(): { ok: boolean; reason: string } {
  if (fs.existsSync(CHROMIUM_PATH)) return { ok: true, reason: '' };
  const reason = `${CHROMIUM_PATH} not found: apt-get install chromium (bash .ci/run does it)`;
  if (process.env.CI === 'true') throw new Error(`CI: ${reason}`);
  return { ok: false, reason };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Flags for a root sandbox with no network: no sandbox (root), and none of the
    // background fetches that a closed network refuses.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
