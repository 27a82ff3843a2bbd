import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningServer, startServer } from '../../server/app';
import { adminSecretsFile, readSimulatorSecrets } from '../../server/auth/provision';
import { loadConfig } from '../../server/config';

export function tempDir(prefix = 'lnm-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A real server on ephemeral ports with a throw-away DATA_DIR, quiet logs. */
export async function startTestServer(env: Record<string, string> = {}, opts: Parameters<typeof startServer>[1] = {}): Promise<RunningServer & { dataDir: string }> {
  const dataDir = env.DATA_DIR ?? tempDir();
  // No backfilled history unless a test asks for it: a year of it is the production default.
  const config = loadConfig({ HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', SIMULATOR: 'off', SIM_BACKFILL_DAYS: '0', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ...env });
  const server = await startServer(config, opts);
  return Object.assign(server, { dataDir });
}

export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

/**
 * MQTT credentials the server provisioned in its DATA_DIR: 'admin' (operators'
 * tools: any topic of the site), 'simulator' (the control tool) or a device id.
 */
export function mqttCredentials(dataDir: string, who: string): { username: string; password: string } {
  if (who === 'admin') return JSON.parse(fs.readFileSync(adminSecretsFile(dataDir), 'utf8')) as { username: string; password: string };
  const secrets = readSimulatorSecrets(dataDir);
  if (!secrets) throw new Error(`no simulator secrets in ${dataDir}`);
  if (who === 'simulator') return secrets.control;
  const password = secrets.devices[who];
  if (!password) throw new Error(`no provisioned password for ${who}`);
  return { username: who, password };
}
