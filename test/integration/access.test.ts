import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Permission, ROLE_PERMISSIONS, ROLES, type Role } from '../../shared/auth';
import type { RunningServer } from '../../server/app';
import { apiFetch, getJson, startTestServer, tokenFor } from '../helpers/server';

/**
 * Who may call what, for every route family, read from the OpenAPI document the
 * server publishes (each operation names its permission in x-permission): for
 * every operation and every role, a role without the permission gets 403 and
 * nothing happens; a role with it is let through (a GET answers 2xx or a 4xx
 * about the input, never 401/403); without credentials, 401.
 */
interface Operation {
  method: string;
  path: string;
  permission: Permission | 'authenticated' | undefined;
  public: boolean;
}

let server: RunningServer & { dataDir: string; adminToken: string };
let base: string;
const operations: Operation[] = [];
const tokens = {} as Record<Role, string>;

/** A value for each path parameter that names something that exists. */
const SAMPLE: Record<string, string> = { id: 'grid-meter.import_power', username: 'admin' };
const sampleFor = (path: string, op: string): string =>
  path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'id' && /\/devices\//.test(path)) return 'grid-meter';
    if (name === 'id' && /\/zones\//.test(path)) return 'rdc-accueil';
    if (name === 'id' && /\/tokens\//.test(path)) return '0123456789abcdef';
    if (name === 'id' && /alert/.test(path)) return '1';
    return SAMPLE[name] ?? `sample-${op}`;
  });

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.httpPort}`;
  const doc = (await getJson<{ paths: Record<string, Record<string, { security?: unknown[]; 'x-permission'?: Permission | 'authenticated' }>> }>(`${base}/api/v1/openapi.json`, null)).body;
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      operations.push({ method: method.toUpperCase(), path, permission: op['x-permission'], public: Array.isArray(op.security) && op.security.length === 0 });
    }
  }
  for (const role of ROLES) tokens[role] = await tokenFor(base, role);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('access to every route, by role', () => {
  it('documents a permission for every non-public operation, and covers every family', () => {
    expect(operations.length).toBeGreaterThan(20);
    for (const op of operations) if (!op.public) expect(op.permission, `${op.method} ${op.path}`).toBeDefined();
    const families = new Set(operations.map((o) => o.path.split('/')[3]));
    for (const family of ['series', 'latest', 'site', 'zones', 'devices', 'users', 'auth', 'simulator', 'ingest', 'audit']) expect(families).toContain(family);
  });

  it('answers 401 without credentials on every non-public operation', async () => {
    for (const op of operations.filter((o) => !o.public)) {
      const res = await apiFetch(`${base}${sampleFor(op.path, 'anon')}`, { method: op.method, token: null, ...(op.method === 'GET' ? {} : { body: '{}' }) });
      expect(res.status, `${op.method} ${op.path}`).toBe(401);
    }
  });

  it('answers 403 to every role lacking the permission, for every operation, and changes nothing', async () => {
    let denied = 0;
    for (const op of operations.filter((o) => !o.public && o.permission !== 'authenticated')) {
      for (const role of ROLES) {
        if (ROLE_PERMISSIONS[role].includes(op.permission as Permission)) continue;
        const res = await apiFetch(`${base}${sampleFor(op.path, role)}`, { method: op.method, token: tokens[role], ...(op.method === 'GET' ? {} : { body: '{}' }) });
        expect(res.status, `${role}: ${op.method} ${op.path}`).toBe(403);
        denied++;
      }
    }
    // viewer, operator and energy-reviewer are each refused something.
    expect(denied).toBeGreaterThan(15);
    // The admin is still there: a refused DELETE /users/admin did nothing.
    expect((await getJson(`${base}/api/v1/users`)).status).toBe(200);
  });

  it('lets every role with the permission read what it may read', async () => {
    for (const op of operations.filter((o) => o.method === 'GET' && !o.public)) {
      for (const role of ROLES) {
        if (op.permission !== 'authenticated' && !ROLE_PERMISSIONS[role].includes(op.permission as Permission)) continue;
        const res = await apiFetch(`${base}${sampleFor(op.path, role)}`, { token: tokens[role] });
        expect([401, 403], `${role}: GET ${op.path} answered ${res.status}`).not.toContain(res.status);
        expect(res.status, `${role}: GET ${op.path}`).toBeLessThan(500);
      }
    }
  });

  it('a viewer cannot acknowledge an alert, drive the simulator or manage users', async () => {
    const viewer = tokens.viewer;
    const tries: [string, string, unknown][] = [
      ['POST', '/api/v1/simulator/commands', { cmd: 'pause' }],
      ['POST', '/api/v1/users', { username: 'intruder', role: 'admin', password: 'intruder-password' }],
      ['PATCH', '/api/v1/users/admin', { role: 'viewer' }],
    ];
    const ack = operations.find((o) => o.method === 'POST' && /\/alerts\/\{id\}\/ack/.test(o.path));
    if (ack) tries.push(['POST', sampleFor(ack.path, 'viewer'), { comment: 'seen' }]);
    for (const [method, path, body] of tries) {
      const res = await apiFetch(`${base}${path}`, { method, token: viewer, body: JSON.stringify(body) });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    const users = await getJson<{ users: { username: string; role: string }[] }>(`${base}/api/v1/users`);
    expect(users.body.users.find((u) => u.username === 'intruder')).toBeUndefined();
    expect(users.body.users.find((u) => u.username === 'admin')?.role).toBe('admin');
  });
});
