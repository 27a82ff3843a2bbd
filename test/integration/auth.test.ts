import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorResponse } from '../../shared/api';
import type { ApiTokenListResponse, CreateApiTokenResponse, LoginResponse, MeResponse, UserListResponse } from '../../shared/auth';
import type { RunningServer } from '../../server/app';
import { APP_DB_FILE } from '../../server/db/app-db';
import { printedPorts, spawnServer } from '../helpers/process';
import { TEST_ADMIN_PASSWORD, apiFetch, getJson, startTestServer, tempDir, tokenFor, waitFor } from '../helpers/server';

let server: RunningServer & { dataDir: string; adminToken: string };
let base: string;

beforeAll(async () => {
  server = await startTestServer({ LOGIN_ATTEMPTS: '3' });
  base = `http://127.0.0.1:${server.httpPort}`;
});
afterAll(async () => {
  await server?.close();
});

const loginRaw = (username: string, password: string) => fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

describe('logging in', () => {
  it('answers a token usable as Bearer and sets an HttpOnly, SameSite=Strict session cookie for the browser', async () => {
    const res = await loginRaw('admin', TEST_ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    const body = (await res.json()) as LoginResponse;
    expect(body.user).toMatchObject({ username: 'admin', role: 'admin' });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^lnm_session=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    const viaBearer = await getJson<MeResponse>(`${base}/api/v1/auth/me`, body.token);
    expect(viaBearer.body).toMatchObject({ username: 'admin', via: 'session' });
    const viaCookie = await fetch(`${base}/api/v1/auth/me`, { headers: { cookie: cookie.split(';')[0] as string } });
    expect(viaCookie.status).toBe(200);
  });

  it('refuses a wrong password and an unknown user alike, without saying which', async () => {
    const wrong = await loginRaw('admin', 'not-the-password');
    const unknown = await loginRaw('nobody', 'whatever-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(((await wrong.json()) as ErrorResponse).error).toBe(((await unknown.json()) as ErrorResponse).error);
  });

  it('slows password guessing: after LOGIN_ATTEMPTS failures for a user, 429 even with the right password, others unaffected', async () => {
    await apiFetch(`${base}/api/v1/users`, { method: 'POST', body: JSON.stringify({ username: 'guessed', role: 'viewer', password: 'the-right-password' }) });
    for (let i = 0; i < 3; i++) expect((await loginRaw('guessed', `guess-${i}`)).status).toBe(401);
    const blocked = await loginRaw('guessed', 'the-right-password');
    expect(blocked.status).toBe(429);
    expect(((await blocked.json()) as ErrorResponse).error).toMatch(/too many failed logins/);
    expect((await loginRaw('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
  });

  it('ends a session on logout: its token stops working at once', async () => {
    const token = ((await (await loginRaw('admin', TEST_ADMIN_PASSWORD)).json()) as LoginResponse).token;
    expect((await getJson(`${base}/api/v1/auth/me`, token)).status).toBe(200);
    expect((await apiFetch(`${base}/api/v1/auth/logout`, { method: 'POST', token })).status).toBe(204);
    expect((await getJson(`${base}/api/v1/auth/me`, token)).status).toBe(401);
  });

  it('asks for credentials on every API route but health, login and the OpenAPI document', async () => {
    const anonymous = await getJson<ErrorResponse>(`${base}/api/v1/latest`, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toMatch(/authentication required/);
    expect((await getJson(`${base}/api/health`, null)).status).toBe(200);
    expect((await getJson(`${base}/api/v1/openapi.json`, null)).status).toBe(200);
  });
});

describe('users', () => {
  it('keeps only scrypt hashes of passwords and SHA-256 of tokens at rest', async () => {
    const { token } = (await (await apiFetch(`${base}/api/v1/auth/tokens`, { method: 'POST', body: JSON.stringify({ name: 'hash check', scopes: ['read'] }) })).json()) as CreateApiTokenResponse;
    const db = new Database(path.join(server.dataDir, APP_DB_FILE), { readonly: true });
    const users = db.prepare('SELECT password_hash FROM users').all() as { password_hash: string }[];
    const dump = JSON.stringify([users, db.prepare('SELECT * FROM sessions').all(), db.prepare('SELECT * FROM api_tokens').all()]);
    db.close();
    for (const u of users) expect(u.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(dump).not.toContain(TEST_ADMIN_PASSWORD);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(server.adminToken);
  });

  it('an admin creates, demotes and disables users; a disabled user is logged out at once', async () => {
    const created = await apiFetch(`${base}/api/v1/users`, { method: 'POST', body: JSON.stringify({ username: 'claire', role: 'operator', password: 'claire-password-1' }) });
    expect(created.status).toBe(201);
    const session = ((await (await loginRaw('claire', 'claire-password-1')).json()) as LoginResponse).token;
    expect((await getJson<MeResponse>(`${base}/api/v1/auth/me`, session)).body.permissions).toEqual(['read', 'alerts:ack', 'simulator']);
    const disabled = await apiFetch(`${base}/api/v1/users/claire`, { method: 'PATCH', body: JSON.stringify({ disabled: true }) });
    expect(disabled.status).toBe(200);
    expect((await getJson(`${base}/api/v1/auth/me`, session)).status).toBe(401);
    expect((await loginRaw('claire', 'claire-password-1')).status).toBe(401);
    const list = await getJson<UserListResponse>(`${base}/api/v1/users`);
    expect(list.body.users.find((u) => u.username === 'claire')).toMatchObject({ role: 'operator', disabled: true });
  });

  it('refuses a weak password, a duplicate user and removing the last admin, each with its reason', async () => {
    const weak = await apiFetch(`${base}/api/v1/users`, { method: 'POST', body: JSON.stringify({ username: 'weak', role: 'viewer', password: 'short' }) });
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as ErrorResponse).error).toMatch(/at least 12 characters/);
    const dup = await apiFetch(`${base}/api/v1/users`, { method: 'POST', body: JSON.stringify({ username: 'admin', role: 'viewer', password: 'another-password' }) });
    expect(dup.status).toBe(409);
    const last = await apiFetch(`${base}/api/v1/users/admin`, { method: 'DELETE' });
    expect(last.status).toBe(409);
    expect(((await last.json()) as ErrorResponse).error).toMatch(/last enabled admin/);
  });

  it('creates a user once when the same name is asked for twice at the same time: one 201, one 409', async () => {
    // Password hashing yields to the event loop, so both requests pass the
    // existence check before either inserts; the second must still be a 409.
    const body = JSON.stringify({ username: 'twin', role: 'viewer', password: 'twin-password-123' });
    const answers = await Promise.all([1, 2, 3].map(() => apiFetch(`${base}/api/v1/users`, { method: 'POST', body })));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it('records who changed what in the audit trail', async () => {
    const { body } = await getJson<{ entries: { actor: string; action: string; target: string }[] }>(`${base}/api/v1/audit`);
    expect(body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'admin', action: 'user.update', target: 'claire' }), expect.objectContaining({ actor: 'admin', action: 'user.create', target: 'claire' })]));
  });
});

describe('API tokens for integrations', () => {
  it('carry only the scopes asked for, within their owner’s permissions, and stop working when revoked', async () => {
    const reviewer = await tokenFor(base, 'energy-reviewer');
    const tooMuch = await apiFetch(`${base}/api/v1/auth/tokens`, { method: 'POST', token: reviewer, body: JSON.stringify({ name: 'grafana', scopes: ['read', 'users'] }) });
    expect(tooMuch.status).toBe(403);
    expect(((await tooMuch.json()) as ErrorResponse).error).toMatch(/scopes its owner lacks: users/);

    const res = await apiFetch(`${base}/api/v1/auth/tokens`, { method: 'POST', token: reviewer, body: JSON.stringify({ name: 'grafana', scopes: ['read'], expiresInDays: 30 }) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as CreateApiTokenResponse;
    expect(created.token).toMatch(/^lnm_/);
    expect((await getJson<MeResponse>(`${base}/api/v1/auth/me`, created.token)).body).toMatchObject({ via: 'token', permissions: ['read'] });
    expect((await getJson(`${base}/api/v1/latest`, created.token)).status).toBe(200);

    const mine = await getJson<ApiTokenListResponse>(`${base}/api/v1/auth/tokens`, reviewer);
    expect(mine.body.tokens.map((t) => t.id)).toEqual([created.id]);
    expect(JSON.stringify(mine.body)).not.toContain(created.token);

    expect((await apiFetch(`${base}/api/v1/auth/tokens/${created.id}`, { method: 'DELETE', token: reviewer })).status).toBe(204);
    expect((await getJson(`${base}/api/v1/latest`, created.token)).status).toBe(401);
  });
});

describe('the first start', () => {
  it('creates an admin with a generated password, printed once on the console and never in the logs', async () => {
    const dataDir = tempDir();
    const env = { HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', SIMULATOR: 'off', LOG_LEVEL: 'info', DATA_DIR: dataDir, ADMIN_PASSWORD: '' };
    const first = spawnServer(env);
    try {
      const ports = await waitFor(() => printedPorts(first.output()), 'the server', 30_000);
      const password = await waitFor(() => /log in as "admin" with password (\S+)/.exec(first.output())?.[1], 'the printed password');
      expect(first.output().split(password).length - 1).toBe(1);
      const ok = await fetch(`http://127.0.0.1:${ports.http}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      expect(ok.status).toBe(200);
      first.child.kill('SIGTERM');
      await first.exited;

      const second = spawnServer(env);
      await waitFor(() => printedPorts(second.output()), 'the second start', 30_000);
      expect(second.output()).not.toMatch(/with password/);
      second.child.kill('SIGTERM');
      await second.exited;
    } finally {
      first.child.kill('SIGKILL');
    }
  }, 60_000);
});
