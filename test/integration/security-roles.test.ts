import mqtt, { type MqttClient } from 'mqtt';
import { type Socket, io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertListResponse } from '../../shared/alerts';
import type { ErrorResponse } from '../../shared/api';
import { type CreateApiTokenResponse, type Permission, ROLE_PERMISSIONS, ROLES, type Role, type UserListResponse } from '../../shared/auth';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../shared/live';
import type { RunningServer } from '../../server/app';
import { publishSeries } from '../helpers/publish';
import { apiFetch, getJson, mqttCredentials, startTestServer, tokenFor, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * Least privilege, route by route (docs/security.md). The table below is the
 * reviewed list of every operation and who may call it; the server's OpenAPI
 * document (written from the same route declarations that mount the routes)
 * must match it exactly, so a new route, or a changed permission, fails here
 * until it has been looked at and added. Then each (operation, caller) pair is
 * called and answers what the table says; and the three things a viewer must
 * never do, on the API and on socket.io, are tried with the expected outcome
 * for a role that may.
 */

type Access = 'public' | 'authenticated' | Permission;
const REVIEWED: Record<string, Access> = {
  'GET /api/health': 'public',
  'POST /api/v1/auth/login': 'public',
  'GET /api/v1/openapi.json': 'public',
  'POST /api/v1/auth/logout': 'authenticated',
  'GET /api/v1/auth/me': 'authenticated',
  'GET /api/v1/auth/tokens': 'authenticated',
  'POST /api/v1/auth/tokens': 'authenticated',
  'DELETE /api/v1/auth/tokens/{id}': 'authenticated',
  'GET /api/v1/series': 'read',
  'GET /api/v1/latest': 'read',
  'GET /api/v1/series/{id}/history': 'read',
  'GET /api/v1/ingest/stats': 'read',
  'GET /api/v1/ingest/rejected': 'read',
  'GET /api/v1/site': 'read',
  'GET /api/v1/zones': 'read',
  'GET /api/v1/zones/{id}': 'read',
  'GET /api/v1/devices': 'read',
  'GET /api/v1/devices/{id}': 'read',
  'GET /api/v1/simulator': 'read',
  'GET /api/v1/kpi/energy': 'read',
  'GET /api/v1/kpi/water': 'read',
  'GET /api/v1/kpi/heat': 'read',
  'GET /api/v1/kpi/comfort': 'read',
  'GET /api/v1/kpi/compare': 'read',
  'GET /api/v1/alerts': 'read',
  'GET /api/v1/alerts/{id}': 'read',
  'GET /api/v1/alert-audit': 'read',
  'GET /api/v1/alert-rules': 'read',
  'GET /api/v1/alert-rules/{id}': 'read',
  'POST /api/v1/simulator/commands': 'simulator',
  'POST /api/v1/alerts/{id}/ack': 'alerts:ack',
  'POST /api/v1/alerts/{id}/shelve': 'alerts:ack',
  'POST /api/v1/alerts/{id}/unshelve': 'alerts:ack',
  'POST /api/v1/alert-rules/{id}/shelve': 'alerts:ack',
  'POST /api/v1/alert-rules/{id}/unshelve': 'alerts:ack',
  'GET /api/v1/reports/period': 'export',
  'GET /api/v1/users': 'users',
  'POST /api/v1/users': 'users',
  'PATCH /api/v1/users/{username}': 'users',
  'DELETE /api/v1/users/{username}': 'users',
  'GET /api/v1/audit': 'users',
  'POST /api/v1/alert-rules': 'rules',
  'PUT /api/v1/alert-rules/{id}': 'rules',
  'PATCH /api/v1/alert-rules/{id}': 'rules',
  'DELETE /api/v1/alert-rules/{id}': 'rules',
  // Notifications: one's own settings and a test to oneself; the rest is the admins'.
  'GET /api/v1/me/notifications': 'authenticated',
  'PUT /api/v1/me/notifications': 'authenticated',
  'POST /api/v1/notifications/test': 'authenticated',
  'GET /api/v1/notifications/deliveries': 'users',
  'GET /api/v1/users/{username}/notifications': 'users',
  'PUT /api/v1/users/{username}/notifications': 'users',
  'GET /api/v1/notifications/webhooks': 'users',
  'POST /api/v1/notifications/webhooks': 'users',
  'DELETE /api/v1/notifications/webhooks/{id}': 'users',
};

/** Path parameters that name something that exists, so that a 404 cannot hide a missing check. */
function sample(path: string): string {
  return path
    .replace('/devices/{id}', '/devices/grid-meter')
    .replace('/zones/{id}', '/zones/rdc-accueil')
    .replace('/series/{id}', '/series/grid-meter.import_power')
    .replace('/tokens/{id}', '/tokens/0123456789abcdef')
    .replace('/alert-rules/{id}', '/alert-rules/co2-occupied')
    .replace('/alerts/{id}', '/alerts/1')
    .replace('/webhooks/{id}', '/webhooks/hook-00000000')
    .replace('{username}', 'admin');
}

const MIN = 60_000;
/** Two occupied rooms whose CO2 raises an alert each: one acknowledged over the API, one tried over socket.io. */
const DEVICE = 'room-r1-reunion';
const SOCKET_DEVICE = 'room-r1-coworking';

let server: RunningServer & { dataDir: string; adminToken: string };
let base: string;
const tokens = {} as Record<Role, string>;
/** An integration's token of an energy reviewer, scoped to "export" only. */
let exportOnly: string;
let sensor: MqttClient;
let documented: Record<string, Access>;

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.httpPort}`;
  for (const role of ROLES) tokens[role] = await tokenFor(base, role);
  const created = await apiFetch(`${base}/api/v1/auth/tokens`, { method: 'POST', token: tokens['energy-reviewer'], body: JSON.stringify({ name: 'export only', scopes: ['export'] }) });
  exportOnly = ((await created.json()) as CreateApiTokenResponse).token;
  const doc = (await getJson<{ paths: Record<string, Record<string, { security?: unknown[]; 'x-permission'?: Access }>> }>(`${base}/api/v1/openapi.json`, null)).body;
  documented = {};
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) documented[`${method.toUpperCase()} ${path}`] = Array.isArray(op.security) && op.security.length === 0 ? 'public' : (op['x-permission'] as Access);
  }
  // The operators' MQTT identity may publish for any device of the site.
  sensor = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: 'roles-sensor', ...mqttCredentials(server.dataDir, 'admin') });
  // 16 minutes of 1,450 ppm CO2 in occupied rooms: the shipped co2-occupied rule raises an alert for each.
  const start = Math.floor(testNow() / MIN) * MIN - 30 * MIN;
  const points = (v: number): [number, number][] => Array.from({ length: 16 }, (_, i) => [start + i * MIN, v]);
  for (const device of [DEVICE, SOCKET_DEVICE]) {
    await publishSeries(sensor, 'le-numerique', device, [
      { name: 'co2', unit: 'ppm', points: points(1450) },
      { name: 'occupancy', unit: 'count', points: points(12) },
    ]);
  }
}, 60_000);

const co2Alert = (device: string) => waitFor(async () => (await getJson<AlertListResponse>(`${base}/api/v1/alerts?state=open&rule=co2-occupied`)).body.alerts.find((a) => a.target.deviceId === device), `the CO2 alert of ${device}`);

afterAll(async () => {
  await sensor?.endAsync();
  await server?.close();
});

describe('the table of who may call what', () => {
  it('is exactly what the server declares: a new route or a changed permission fails until reviewed here', () => {
    expect(documented).toEqual(REVIEWED);
  });

  it('answers each caller as the table says: 401 without credentials, 403 without the permission, through otherwise', async () => {
    const callers: [string, string | null, readonly Permission[] | null][] = [
      ['anonymous', null, null],
      ...ROLES.map((r): [string, string, readonly Permission[]] => [r, tokens[r], ROLE_PERMISSIONS[r]]),
      ['token scoped to export', exportOnly, ['export']],
    ];
    let checked = 0;
    for (const [key, access] of Object.entries(REVIEWED)) {
      const [method, path] = key.split(' ') as [string, string];
      // Writes by callers who may make them are not sent blind (they would change things): the tests below do them.
      for (const [who, token, permissions] of callers) {
        const allowed = access === 'public' || (permissions !== null && (access === 'authenticated' || permissions.includes(access)));
        if (allowed && method !== 'GET') continue;
        const res = await apiFetch(`${base}${sample(path)}`, { method, token, ...(method === 'GET' ? {} : { body: '{}' }) });
        const what = `${who}: ${key} answered ${res.status}`;
        if (allowed) {
          expect([401, 403], what).not.toContain(res.status);
          expect(res.status, what).toBeLessThan(500);
        } else expect(res.status, what).toBe(permissions === null ? 401 : 403);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('what a viewer may not do, and who may', () => {
  const post = (path: string, body: unknown, token: string) => apiFetch(`${base}${path}`, { method: 'POST', token, body: JSON.stringify(body) });
  let alert: Alert;

  beforeAll(async () => {
    alert = await co2Alert(DEVICE);
  });

  it('a viewer cannot acknowledge an alert (403, still unacknowledged); an operator can', async () => {
    const refused = await post(`/api/v1/alerts/${alert.id}/ack`, { comment: 'vu' }, tokens.viewer);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ErrorResponse).error).toMatch(/permission "alerts:ack" required/);
    expect((await getJson<Alert>(`${base}/api/v1/alerts/${alert.id}`)).body.acknowledged).toBeNull();
    expect((await post(`/api/v1/alerts/${alert.id}/ack`, { comment: 'aération ouverte' }, tokens.operator)).status).toBe(200);
    expect((await getJson<Alert>(`${base}/api/v1/alerts/${alert.id}`)).body.acknowledged).toMatchObject({ by: expect.stringMatching(/^operator-/) });
  });

  it('a viewer cannot drive the simulator (403); an operator gets past the check (here 409: no simulator runs)', async () => {
    const refused = await post('/api/v1/simulator/commands', { cmd: 'pause' }, tokens.viewer);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ErrorResponse).error).toMatch(/permission "simulator" required/);
    const operator = await post('/api/v1/simulator/commands', { cmd: 'pause' }, tokens.operator);
    expect(operator.status).toBe(409);
    expect(((await operator.json()) as ErrorResponse).error).toMatch(/simulator is not running/);
  });

  it('a viewer cannot manage users (403 for each write, nothing changes); an admin can', async () => {
    const before = (await getJson<UserListResponse>(`${base}/api/v1/users`)).body.users;
    const tries: [string, string, unknown][] = [
      ['POST', '/api/v1/users', { username: 'intruder', role: 'admin', password: 'intruder-password' }],
      ['PATCH', '/api/v1/users/admin', { role: 'viewer' }],
      ['PATCH', '/api/v1/users/admin', { password: 'taken-over-password' }],
      ['DELETE', '/api/v1/users/admin', undefined],
    ];
    for (const [method, path, body] of tries) {
      const res = await apiFetch(`${base}${path}`, { method, token: tokens.viewer, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await getJson(`${base}/api/v1/users`, tokens.viewer)).status).toBe(403);
    expect((await getJson<UserListResponse>(`${base}/api/v1/users`)).body.users).toEqual(before);
    expect((await post('/api/v1/users', { username: 'welcome', role: 'viewer', password: 'welcome-password' }, tokens.admin)).status).toBe(201);
  });
});

describe('socket.io events', () => {
  type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
  const connect = (token: string) => io(base, { auth: { token }, transports: ['websocket'], reconnection: false }) as Client;
  const subscribe = (s: Client) => new Promise<SubscribeAck>((resolve) => s.emit('subscribe', { devices: ['grid-meter'] }, resolve));

  it("refuses a connection whose credentials lack 'read'", async () => {
    const s = connect(exportOnly);
    const err = await new Promise<Error & { data?: { status?: number } }>((resolve) => s.on('connect_error', resolve));
    expect(err.data?.status).toBe(403);
    s.close();
  });

  it('checks the credentials again on every event: a viewer disabled while connected is refused its next subscribe', async () => {
    const username = 'viewer-on-socket';
    await apiFetch(`${base}/api/v1/users`, { method: 'POST', body: JSON.stringify({ username, role: 'viewer', password: 'viewer-on-socket-pw' }) });
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'viewer-on-socket-pw' }) });
    const s = connect(((await login.json()) as { token: string }).token);
    try {
      await waitFor(() => s.connected, 'the viewer connected');
      expect((await subscribe(s)).ok).toBe(true);
      expect((await apiFetch(`${base}/api/v1/users/${username}`, { method: 'PATCH', body: JSON.stringify({ disabled: true }) })).status).toBe(200);
      const ack = await Promise.race([subscribe(s), new Promise<SubscribeAck>((resolve) => s.on('disconnect', () => resolve({ ok: false, error: 'disconnected' })))]);
      expect(ack.ok).toBe(false);
    } finally {
      s.close();
    }
  });

  it('offers a viewer no event that changes anything: an "ack" sent over the socket does nothing', async () => {
    const s = connect(tokens.viewer);
    try {
      await waitFor(() => s.connected, 'the viewer connected');
      const target = await co2Alert(SOCKET_DEVICE);
      expect(target.acknowledged).toBeNull();
      const raw = s as unknown as { emit(event: string, ...args: unknown[]): void };
      for (const event of ['ack', 'alert:ack', 'alerts:ack', 'simulator:command', 'users:create']) raw.emit(event, { id: target.id, alertId: target.id, comment: 'forged', cmd: 'pause', username: 'intruder', role: 'admin' });
      // The socket answers in order: once a subscribe is acknowledged, the events before it were seen.
      expect((await subscribe(s)).ok).toBe(true);
      const after = (await getJson<Alert>(`${base}/api/v1/alerts/${target.id}`)).body;
      expect(after.acknowledged).toBeNull();
      expect((await getJson<UserListResponse>(`${base}/api/v1/users`)).body.users.map((u) => u.username)).not.toContain('intruder');
    } finally {
      s.close();
    }
  });
});
