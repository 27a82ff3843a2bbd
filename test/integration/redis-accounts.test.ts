import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateApiTokenResponse, UserListResponse } from '../../shared/auth';
import type { RunningServer } from '../../server/app';
import { type RunningRedis, redisAvailable, startRedis } from '../helpers/redis';
import { apiFetch, getJson, startTestServer, tempDir, waitFor } from '../helpers/server';

/**
 * Users and API tokens shared by the instances of a site through Redis: a load
 * balancer may send a person or an integration to any instance, so an account
 * made, changed or deleted through one must be the same on every other, at once
 * and after a restart, and a deleted account must not come back with an instance
 * that was down when it went.
 */
const redis = redisAvailable();
type Server = RunningServer & { dataDir: string; adminToken: string };

const base = (s: Server) => `http://127.0.0.1:${s.httpPort}`;
const loginStatus = async (s: Server, username: string, password: string) =>
  (await fetch(`${base(s)}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).status;
const usernames = async (s: Server) => (await getJson<UserListResponse>(`${base(s)}/api/v1/users`, s.adminToken)).body.users.map((u) => u.username);

describe.skipIf(!redis.ok)(`users and API tokens shared by the instances through Redis${redis.ok ? '' : ` (skipped: ${redis.reason})`}`, () => {
  let r: RunningRedis;
  let a: Server;
  let b: Server;
  const dirC = tempDir();

  beforeAll(async () => {
    r = await startRedis();
    a = await startTestServer({ REDIS_URL: r.url, INSTANCE_ID: 'accounts-a' });
    b = await startTestServer({ REDIS_URL: r.url, INSTANCE_ID: 'accounts-b' });
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await r?.stop();
  });

  it('a user created through one instance logs in through the other; a new password and a deletion count everywhere', async () => {
    const created = await apiFetch(`${base(a)}/api/v1/users`, { method: 'POST', token: a.adminToken, body: JSON.stringify({ username: 'claire', role: 'operator', password: 'claire-password-1' }) });
    expect(created.status).toBe(201);
    await waitFor(async () => (await loginStatus(b, 'claire', 'claire-password-1')) === 200, 'claire logging in through B');

    const changed = await apiFetch(`${base(b)}/api/v1/users/claire`, { method: 'PATCH', token: b.adminToken, body: JSON.stringify({ password: 'claire-password-2' }) });
    expect(changed.status).toBe(200);
    await waitFor(async () => (await loginStatus(a, 'claire', 'claire-password-2')) === 200, 'the new password through A');
    expect(await loginStatus(a, 'claire', 'claire-password-1')).toBe(401);

    expect((await apiFetch(`${base(a)}/api/v1/users/claire`, { method: 'DELETE', token: a.adminToken })).status).toBe(204);
    await waitFor(async () => !(await usernames(b)).includes('claire'), 'claire gone from B');
    expect(await loginStatus(b, 'claire', 'claire-password-2')).toBe(401);
  });

  it('an API token made through one instance works through the other until it is revoked, and its revocation counts everywhere', async () => {
    const res = await apiFetch(`${base(b)}/api/v1/auth/tokens`, { method: 'POST', token: b.adminToken, body: JSON.stringify({ name: 'energy export', scopes: ['read'] }) });
    expect(res.status).toBe(201);
    const token = (await res.json()) as CreateApiTokenResponse;
    await waitFor(async () => (await apiFetch(`${base(a)}/api/v1/series`, { token: token.token })).status === 200, 'the token accepted by A');
    expect((await apiFetch(`${base(a)}/api/v1/auth/tokens/${token.id}`, { method: 'DELETE', token: a.adminToken })).status).toBe(204);
    await waitFor(async () => (await apiFetch(`${base(b)}/api/v1/series`, { token: token.token })).status === 401, 'the token refused by B');
  });

  it('an instance joining later takes the accounts, makes no admin of its own, and one that was down when a user was deleted does not bring it back', async () => {
    expect((await apiFetch(`${base(a)}/api/v1/users`, { method: 'POST', token: a.adminToken, body: JSON.stringify({ username: 'marc', role: 'viewer', password: 'marc-password-12' }) })).status).toBe(201);
    expect((await apiFetch(`${base(a)}/api/v1/users`, { method: 'POST', token: a.adminToken, body: JSON.stringify({ username: 'lea', role: 'viewer', password: 'lea-password-123' }) })).status).toBe(201);
    // C starts with another ADMIN_PASSWORD: the site's admin is the one it finds, not a new one.
    // startTestServer logs in as admin with the test password, which only the site's admin has.
    const cs = await startTestServer({ REDIS_URL: r.url, INSTANCE_ID: 'accounts-c', DATA_DIR: dirC, ADMIN_PASSWORD: 'another-admin-password' });
    expect(await usernames(cs)).toEqual(expect.arrayContaining(['admin', 'marc', 'lea']));
    expect(await loginStatus(cs, 'marc', 'marc-password-12')).toBe(200);
    await cs.close();

    // While C is down, marc is deleted and a user is made.
    expect((await apiFetch(`${base(b)}/api/v1/users/marc`, { method: 'DELETE', token: b.adminToken })).status).toBe(204);
    expect((await apiFetch(`${base(b)}/api/v1/users`, { method: 'POST', token: b.adminToken, body: JSON.stringify({ username: 'yanis', role: 'viewer', password: 'yanis-password-1' }) })).status).toBe(201);
    const again = await startTestServer({ REDIS_URL: r.url, INSTANCE_ID: 'accounts-c', DATA_DIR: dirC });
    try {
      const onC = await usernames(again);
      expect(onC).toContain('yanis');
      expect(onC).toContain('lea');
      expect(onC).not.toContain('marc');
      expect(await loginStatus(again, 'marc', 'marc-password-12')).toBe(401);
      // Nor did C's restart give marc back to the others.
      await new Promise((res) => setTimeout(res, 300));
      expect(await usernames(a)).not.toContain('marc');
    } finally {
      await again.close();
    }
  }, 60_000);
});
