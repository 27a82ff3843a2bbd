import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type RunningServer, startServer } from '../server/app';
import { readSimulatorSecrets } from '../server/auth/provision';
import { loadConfig } from '../server/config';
import { POWER_DEVICES } from '../test/helpers/faults';
import type { LoadDevice, LoadJob } from './load-client';

/** What every bench module shares: repetitions, the load process, a server on a throw-away DATA_DIR. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SITE = 'le-numerique';
export const BENCH_ADMIN_PASSWORD = 'bench-admin-password';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

export function tempDir(prefix = 'lnm-bench-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface LoadResult {
  sent: number;
  publishedMs: number;
  received?: number[];
  rawCount?: number;
  latency?: { n: number; p50: number; p99: number; max: number };
}

/**
 * Starts bench/load-client.ts in its own process with `job`, waits until its
 * clients are connected, then says "go" and resolves with the time of the go
 * (performance.now() here) and a promise of its result.
 */
export async function startLoad(job: LoadJob): Promise<{ goAt: number; result: Promise<LoadResult & { doneAt: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/load-client.ts'), JSON.stringify(job)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  let onReady: () => void = () => undefined;
  let onDone: (r: LoadResult & { doneAt: number }) => void = () => undefined;
  let onError: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onError = reject;
  });
  const result = new Promise<LoadResult & { doneAt: number }>((resolve, reject) => {
    onDone = resolve;
    const prev = onError;
    onError = (e) => {
      prev(e);
      reject(e);
    };
  });
  result.catch(() => undefined);
  lines.on('line', (line) => {
    let msg: { event?: string; message?: string } & LoadResult;
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.event === 'ready') onReady();
    else if (msg.event === 'done') onDone({ ...msg, doneAt: performance.now() });
    else if (msg.event === 'error') onError(new Error(`load client: ${msg.message}`));
  });
  child.once('exit', (code) => {
    if (code !== 0) onError(new Error(`load client exited with ${code}`));
  });
  await ready;
  const goAt = performance.now();
  child.stdin.write('go\n');
  return { goAt, result };
}

/** Resolves when check() holds, polled every `everyMs`; the time it first held, by performance.now(). */
export async function until(check: () => boolean, what: string, timeoutMs = 300_000, everyMs = 2): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return performance.now();
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The devices of the building that have a power point in watts, with their provisioned MQTT passwords. */
export function powerDevices(dataDir: string, n: number): LoadDevice[] {
  const secrets = readSimulatorSecrets(dataDir);
  return POWER_DEVICES.slice(0, n).map(([id, point]) => ({ id, point, username: id, password: secrets?.devices[id] }));
}

export interface BenchServer {
  server: RunningServer;
  dataDir: string;
  httpUrl: string;
  mqttUrl: string;
  token: string;
  close(): Promise<void>;
}

/** The real server (broker, ingest, store, live, API) in this process, on free ports, quiet, no simulator unless asked. */
export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = env.DATA_DIR ?? tempDir();
  const config = loadConfig({ HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', SIMULATOR: 'off', SIM_BACKFILL_DAYS: '0', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD, ...env });
  const server = await startServer(config);
  const httpUrl = `http://127.0.0.1:${server.httpPort}`;
  const res = await fetch(`${httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: BENCH_ADMIN_PASSWORD }) });
  const { token } = (await res.json()) as { token: string };
  return {
    server,
    dataDir,
    httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${server.mqttPort}`,
    token,
    async close() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
