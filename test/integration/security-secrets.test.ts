import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { type Socket, io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateApiTokenResponse, LoginResponse } from '../../shared/auth';
import { CSRF_HEADER } from '../../shared/auth';
import { SECRETS_DIR } from '../../server/auth/provision';
import { printedPorts, type Spawned, spawnServer } from '../helpers/process';
import { TEST_ADMIN_PASSWORD, mqttCredentials, tempDir, waitFor } from '../helpers/server';

/**
 * Secrets at rest and in the logs, on the server as `npm start` runs it (its own
 * process, logging every level down to trace): after logins good and bad, a new
 * user, a password change, an API token, socket.io connections, and MQTT
 * connections with right and wrong passwords, no password and no token appears
 * in the captured output nor in any file of DATA_DIR (the SQLite files with their
 * write-ahead logs, credentials.json), but the simulator's own secrets file,
 * which is its owner's only. Failed logins, on MQTT and on the API, are logged
 * with who and from where, and repeated ones are slowed on MQTT as on the API.
 */

const dataDir = tempDir();
let server: Spawned;
let base: string;
let mqttUrl: string;
/** Every secret the test handles; none may leak. */
const secrets = new Map<string, string>();

const USER_PASSWORD = 'first-password-of-lea';
const NEW_PASSWORD = 'second-password-of-lea';
const WRONG_PASSWORD = 'wrong-password-guess-42';
const WRONG_MQTT_PASSWORD = 'wrong-mqtt-password-guess-43';

const json = (body: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(body) });
async function post(path: string, body: unknown, token?: string): Promise<Response> {
  const { body: b, ...headers } = json(body);
  return fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: b });
}

async function connack(username: string, password: string, clientId: string): Promise<number> {
  try {
    const c = await mqtt.connectAsync(mqttUrl, { clientId, username, password, reconnectPeriod: 0, connectTimeout: 10_000 });
    await c.endAsync();
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

/** Every file of DATA_DIR but the simulator's secrets, with its path. */
function dataFiles(dir = dataDir): { file: string; bytes: Buffer }[] {
  const out: { file: string; bytes: Buffer }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (p !== path.join(dataDir, SECRETS_DIR)) out.push(...dataFiles(p));
    } else if (entry.isFile()) out.push({ file: path.relative(dataDir, p), bytes: fs.readFileSync(p) });
  }
  return out;
}

function leaks(): string[] {
  const found: string[] = [];
  const output = server.output();
  for (const [what, secret] of secrets) {
    if (output.includes(secret)) found.push(`${what} in the log output`);
    for (const { file, bytes } of dataFiles()) if (bytes.includes(Buffer.from(secret, 'utf8'))) found.push(`${what} in ${file}`);
  }
  return found;
}

/** The JSON log lines with this message. */
const logLines = (msg: string) =>
  server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === msg);

beforeAll(async () => {
  server = spawnServer({ HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', SIMULATOR: 'off', LOG_LEVEL: 'trace', DATA_DIR: dataDir, LOGIN_ATTEMPTS: '3' });
  const ports = await waitFor(() => printedPorts(server.output()), 'the server', 30_000);
  base = `http://127.0.0.1:${ports.http}`;
  mqttUrl = `mqtt://127.0.0.1:${ports.mqtt}`;
  secrets.set('the admin password', TEST_ADMIN_PASSWORD);
  secrets.set("a user's password", USER_PASSWORD);
  secrets.set("a user's new password", NEW_PASSWORD);
  secrets.set('a wrong password', WRONG_PASSWORD);
  secrets.set('a wrong MQTT password', WRONG_MQTT_PASSWORD);
  for (const who of ['grid-meter', 'room-r1-reunion', 'simulator', 'admin']) secrets.set(`the MQTT password of ${who}`, mqttCredentials(dataDir, who).password);
}, 60_000);

afterAll(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
});

describe('a day of logins, tokens and connections', () => {
  it('goes through: sessions, a password change, an API token, socket.io and MQTT, with failures among them', async () => {
    const adminLogin = await post('/api/v1/auth/login', { username: 'admin', password: TEST_ADMIN_PASSWORD });
    const admin = ((await adminLogin.json()) as LoginResponse).token;
    const cookie = (adminLogin.headers.get('set-cookie') ?? '').split(';')[0] as string;
    secrets.set("the admin's session token", admin);
    expect((await post('/api/v1/auth/login', { username: 'admin', password: WRONG_PASSWORD })).status).toBe(401);
    expect((await post('/api/v1/users', { username: 'lea', role: 'operator', password: USER_PASSWORD }, admin)).status).toBe(201);
    const login = await post('/api/v1/auth/login', { username: 'lea', password: USER_PASSWORD });
    const lea = ((await login.json()) as LoginResponse).token;
    secrets.set("a user's session token", lea);
    // The dashboard's way: the admin's cookie and the CSRF header.
    const changed = await fetch(`${base}/api/v1/users/lea`, { method: 'PATCH', headers: { cookie, [CSRF_HEADER]: '1', 'content-type': 'application/json' }, body: JSON.stringify({ password: NEW_PASSWORD }) });
    expect(changed.status).toBe(200);
    const created = (await (await post('/api/v1/auth/tokens', { name: 'grafana', scopes: ['read'] }, admin)).json()) as CreateApiTokenResponse;
    secrets.set('an API token', created.token);
    expect((await fetch(`${base}/api/v1/latest`, { headers: { authorization: `Bearer ${created.token}` } })).status).toBe(200);
    const sockets: Socket[] = [io(base, { auth: { token: created.token }, transports: ['websocket'], reconnection: false }), io(base, { auth: { token: 'lnm_not-a-real-token-but-secret-looking' }, transports: ['websocket'], reconnection: false })];
    secrets.set('a wrong API token', 'lnm_not-a-real-token-but-secret-looking');
    await waitFor(() => sockets[0]?.connected, 'socket.io with the API token');
    for (const s of sockets) s.close();
    const grid = mqttCredentials(dataDir, 'grid-meter');
    expect(await connack(grid.username, grid.password, 'secrets-grid')).toBe(0);
    expect(await connack(grid.username, WRONG_MQTT_PASSWORD, 'secrets-grid-wrong')).toBe(4);
    expect((await post('/api/v1/auth/logout', {}, admin)).status).toBe(204);
  });
});

describe('failed logins', () => {
  it('are logged on the API and on MQTT with the username and the address, never the password', async () => {
    // The server's log reaches this process through a pipe, which may lag behind the refused CONNACK on a busy machine.
    await waitFor(() => logLines('failed login').length > 0 && logLines('bad username or password').length > 0, 'the failed logins in the log');
    expect(logLines('failed login')).toContainEqual(expect.objectContaining({ ns: 'http', username: 'admin', ip: expect.any(String) }));
    expect(logLines('bad username or password')).toContainEqual(expect.objectContaining({ ns: 'mqtt', username: 'grid-meter', address: expect.stringContaining('127.0.0.1') }));
  });

  it('are slowed on MQTT: past LOGIN_ATTEMPTS failures, that username is refused from that address even with its password, logged once; others are not', async () => {
    const room = mqttCredentials(dataDir, 'room-r1-reunion');
    for (let i = 0; i < 3; i++) expect(await connack(room.username, `${WRONG_MQTT_PASSWORD}-${i}`, `guess-${i}`)).toBe(4);
    // CONNACK 5, not authorized: the right password is not even checked now.
    expect(await connack(room.username, room.password, 'guess-right')).toBe(5);
    expect(await connack(room.username, room.password, 'guess-right-again')).toBe(5);
    const grid = mqttCredentials(dataDir, 'grid-meter');
    expect(await connack(grid.username, grid.password, 'unaffected')).toBe(0);
    const limited = await waitFor(() => logLines('mqtt login attempts limited: refused until the window passes').length > 0 && logLines('mqtt login attempts limited: refused until the window passes'), 'the limit logged');
    expect(limited).toHaveLength(1);
    expect(limited[0]).toMatchObject({ level: 40, ns: 'mqtt', username: 'room-r1-reunion' });
  });
});

describe('secrets at rest and in the logs', () => {
  it('no password and no token is in the log output or in any file of DATA_DIR, while running', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(13);
    // The output looked at holds every level, debug included.
    expect(logLines('client connected').length).toBeGreaterThan(0);
    // The files looked at: the SQLite databases (and their write-ahead logs) and the MQTT credentials.
    const files = dataFiles().map((f) => f.file);
    expect(files).toEqual(expect.arrayContaining(['app.sqlite', 'credentials.json', 'lenumerique.sqlite']));
    expect(leaks()).toEqual([]);
  });

  it('nor after a stop has written everything out; the simulator secrets file is its owner’s only', async () => {
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(leaks()).toEqual([]);
    expect(fs.statSync(path.join(dataDir, SECRETS_DIR)).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(path.join(dataDir, SECRETS_DIR))) expect(fs.statSync(path.join(dataDir, SECRETS_DIR, f)).mode & 0o777, f).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
  });
});
