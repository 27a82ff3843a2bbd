import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { spawnServer } from '../test/helpers/process';

/**
 * The dashboard's two speed figures (issue 6): the gzipped JavaScript the first
 * page (the overview) loads, and the time from opening it to the first live
 * value on screen. Both need the built dashboard (npm run build:web); the second
 * needs Debian's Chromium and starts the whole system.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'web/dist');
const CHROMIUM = '/usr/bin/chromium';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  src?: string;
}

/** Bytes, gzipped, of the entry, what it imports statically, and the overview page's chunk and its imports. */
export function firstPageJs(): { files: string[]; gzipBytes: number; rawBytes: number } {
  const manifestFile = path.join(DIST, '.vite/manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error('no web/dist/.vite/manifest.json: run "npm run build:web" first');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, ManifestChunk>;
  const entry = Object.entries(manifest).find(([, c]) => c.isEntry);
  if (!entry) throw new Error('the manifest names no entry');
  const overview = Object.keys(manifest).find((k) => /pages\/OverviewPage\.tsx$/.test(k));
  const seen = new Set<string>();
  const walk = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const i of manifest[key]?.imports ?? []) walk(i);
  };
  walk(entry[0]);
  if (overview) walk(overview);
  const files = [...seen].map((k) => (manifest[k] as ManifestChunk).file).filter((f) => f.endsWith('.js'));
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const f of files) {
    const buf = fs.readFileSync(path.join(DIST, f));
    rawBytes += buf.length;
    gzipBytes += gzipSync(buf, { level: 9 }).length;
  }
  return { files, gzipBytes, rawBytes };
}

/** Starts the system (server, broker, simulator) on free ports; resolves with its URL. */
async function startSystem(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  // The server as `npm start` runs it (the bundle on plain node).
  const server = spawnServer({ HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, SIM_BACKFILL_DAYS: '0', LOG_LEVEL: 'warn', ADMIN_PASSWORD: 'bench-admin-password' });
  const { child } = server;
  const out = (): string => server.output();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /Dashboard: (http:\/\/\S+)/.exec(out());
    if (m?.[1]) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      return {
        url: m[1],
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start: ${out().slice(-500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Milliseconds from navigation to the first live value on the overview, once per repetition (a fresh page each time). */
export async function timeToFirstLiveValue(reps: number): Promise<number[]> {
  if (!fs.existsSync(CHROMIUM)) throw new Error('Debian chromium is not installed');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lnm-bench-'));
  const system = await startSystem(dataDir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const login = await fetch(new URL('/api/v1/auth/login', system.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }) });
    const { token } = (await login.json()) as { token: string };
    // Let the simulated devices connect and report once, as on a running site.
    await new Promise((r) => setTimeout(r, 6000));
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const context = await browser.newContext();
      await context.addCookies([{ name: 'lnm_session', value: token, url: system.url }]);
      const page = await context.newPage();
      const t0 = Date.now();
      await page.goto(system.url);
      await page.locator('[data-testid^="value-"][data-ts]').first().waitFor({ timeout: 30_000 });
      times.push(Date.now() - t0);
      await context.close();
    }
    return times;
  } finally {
    await browser.close();
    await system.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
