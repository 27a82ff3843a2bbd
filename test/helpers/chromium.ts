import { type Browser, chromium } from 'playwright-core';
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
