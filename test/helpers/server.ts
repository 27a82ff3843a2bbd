import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningServer, startServer } from '../../server/app';
import { adminSecretsFile, readSimulatorSecrets } from '../../server/auth/provision';
import { loadConfig } from '../../server/config';
import { clockEnv } from './clock';

const made = new Set<string>();

/** A new folder in the system's temporary folder, removed after the test file (test/helpers/setup.ts). */
export function tempDir(prefix = 'lnm-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes every folder tempDir() made in this test file: a test that fails before its own clean-up leaves none behind. */
export function removeTempDirs(): void {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  made.clear();
}

/** The first-start admin password of every test server (ADMIN_PASSWORD). */
export const TEST_ADMIN_PASSWORD = 'test-admin-password-1';

/**
 * Tokens by origin: getJson() and apiFetch() send the one registered for the
 * server they call (the admin's, once startTestServer() or login() got it), so
 * a test reads like a user who is logged in. Pass `token` to act as someone else,
 * or `token: null` to send no credentials.
 */
const tokens = new Map<string, string>();

export function useToken(base: string, token: string): void {
  tokens.set(new URL(base).origin, token);
}

export async function apiFetch(url: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const { token, ...rest } = init;
  const t = token === null ? undefined : (token ?? tokens.get(new URL(url).origin));
  const headers = new Headers(rest.headers);
  if (t && !headers.has('authorization')) headers.set('authorization', `Bearer ${t}`);
  if (rest.body && typeof rest.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return fetch(url, { ...rest, headers });
}

/** Logs in and returns the session token; `register` makes it the default for this origin. */
export async function login(base: string, username = 'admin', password = TEST_ADMIN_PASSWORD, register = username === 'admin'): Promise<string> {
  const res = await fetch(new URL('/api/v1/auth/login', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login as ${username} failed: HTTP ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  if (register) useToken(base, token);
  return token;
}

let users = 0;
/** A new user with this role (created by the admin) and their session token. */
export async function tokenFor(base: string, role: 'viewer' | 'operator' | 'energy-reviewer' | 'admin'): Promise<string> {
  const username = `${role}-${process.pid}-${++users}`;
  const password = `password-of-${username}`;
  const res = await apiFetch(new URL('/api/v1/users', base).href, { method: 'POST', body: JSON.stringify({ username, role, password }) });
  if (res.status !== 201) throw new Error(`creating ${username} failed: HTTP ${res.status} ${await res.text()}`);
  return login(base, username, password, false);
}

/** A real server on ephemeral ports with a throw-away DATA_DIR, quiet logs, the admin logged in. */
export async function startTestServer(env: Record<string, string> = {}, opts: Parameters<typeof startServer>[1] = {}): Promise<RunningServer & { dataDir: string; adminToken: string }> {
  const dataDir = env.DATA_DIR ?? tempDir();
  // No backfilled history unless a test asks for it: a year of it is the production default.
  const config = loadConfig({ HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', SIMULATOR: 'off', SIM_BACKFILL_DAYS: '0', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, ...clockEnv(), ...env });
  const server = await startServer(config, opts);
  const adminToken = await login(`http://127.0.0.1:${server.httpPort}`);
  return Object.assign(server, { dataDir, adminToken });
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

export async function getJson<T = unknown>(url: string, token?: string | null): Promise<{ status: number; body: T }> {
  const res = await apiFetch(url, { token });
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
