import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorResponse } from '../../shared/api';
import { CSRF_HEADER, type UserListResponse } from '../../shared/auth';
import type { RunningServer } from '../../server/app';
import { MAX_URL_BYTES } from '../../server/api/hardening';
import { TEST_ADMIN_PASSWORD, apiFetch, getJson, startTestServer } from '../helpers/server';

/**
 * HTTP hardening (docs/security.md, server/api/hardening.ts), on a real server:
 * the security headers and Content-Security-Policy, CORS closed but for the
 * origins listed in CORS_ORIGINS, CSRF protection of writes that a browser
 * authenticates with the session cookie, the cookie's flags, and the ceilings
 * on body and URL sizes.
 */

const LISTED = 'https://grafana.example.org';
const STRANGER = 'https://evil.example.com';

let server: RunningServer & { dataDir: string; adminToken: string };
let base: string;
/** The admin's session cookie, "lnm_session=...", as a browser holds it. */
let cookie: string;
let setCookie: string;

beforeAll(async () => {
  server = await startTestServer({ CORS_ORIGINS: LISTED });
  base = `http://127.0.0.1:${server.httpPort}`;
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }) });
  setCookie = res.headers.get('set-cookie') ?? '';
  cookie = setCookie.split(';')[0] as string;
});
afterAll(async () => {
  await server?.close();
});

const users = async () => (await getJson<UserListResponse>(`${base}/api/v1/users`)).body.users.map((u) => u.username);
const newUser = (username: string) => JSON.stringify({ username, role: 'viewer', password: `password-of-${username}` });

describe('security headers', () => {
  it('sends a strict Content-Security-Policy and the usual hardening headers on the dashboard and the API, and no X-Powered-By', async () => {
    for (const path of ['/', '/api/health', '/api/v1/latest', '/api/v1/no-such-route']) {
      const res = await fetch(`${base}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/default-src '(self|none)'/);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("base-uri 'none'");
      // No script may run but this origin's files: no inline script, no eval.
      expect(csp, path).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
      // Plain HTTP: HSTS would mean nothing (security-tls.test.ts checks it over HTTPS).
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
    }
    const dashboard = (await fetch(`${base}/`)).headers.get('content-security-policy') ?? '';
    expect(dashboard).toContain("script-src 'self'");
    expect(dashboard).toContain("object-src 'none'");
    expect(dashboard).not.toContain('unsafe-inline');
  });
});

describe('CORS', () => {
  it('is closed to an origin that is not listed: no Access-Control-Allow-Origin, and a refused preflight', async () => {
    const read = await apiFetch(`${base}/api/v1/latest`, { headers: { origin: STRANGER } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${base}/api/v1/users`, { method: 'OPTIONS', headers: { origin: STRANGER, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await preflight.json()) as ErrorResponse).error).toMatch(/not allowed from this origin/);
  });

  it('opens to an origin listed in CORS_ORIGINS, for Bearer tokens only: never with credentials, never the CSRF header', async () => {
    const preflight = await fetch(`${base}/api/v1/users`, { method: 'OPTIONS', headers: { origin: LISTED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toBe('authorization, content-type');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const read = await apiFetch(`${base}/api/v1/latest`, { headers: { origin: LISTED } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(read.headers.get('vary')).toMatch(/Origin/);
  });
});

describe('the session cookie and CSRF', () => {
  it('is HttpOnly, SameSite=Strict, for the whole site, and not Secure over plain HTTP', () => {
    expect(setCookie).toMatch(/^lnm_session=[^;]+;/);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).toMatch(/; Path=\//i);
    expect(setCookie).not.toMatch(/; Secure/i);
  });

  it('refuses a write authenticated by the cookie without the CSRF header, and changes nothing', async () => {
    const res = await fetch(`${base}/api/v1/users`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: newUser('forged') });
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorResponse).error).toContain(CSRF_HEADER);
    expect(await users()).not.toContain('forged');
    // A logout forged by another page does not end the session either.
    expect((await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } })).status).toBe(403);
    expect((await fetch(`${base}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(200);
  });

  it('refuses a cookie write with the header from a page of another origin', async () => {
    const res = await fetch(`${base}/api/v1/users`, { method: 'POST', headers: { cookie, origin: STRANGER, [CSRF_HEADER]: '1', 'content-type': 'application/json' }, body: newUser('forged-2') });
    expect(res.status).toBe(403);
    expect(await users()).not.toContain('forged-2');
  });

  it("accepts the dashboard's own cookie write (header set, same origin), and Bearer writes without any header", async () => {
    const own = await fetch(`${base}/api/v1/users`, { method: 'POST', headers: { cookie, origin: base, [CSRF_HEADER]: '1', 'content-type': 'application/json' }, body: newUser('by-cookie') });
    expect(own.status).toBe(201);
    const bearer = await apiFetch(`${base}/api/v1/users`, { method: 'POST', body: newUser('by-bearer') });
    expect(bearer.status).toBe(201);
    expect(await users()).toEqual(expect.arrayContaining(['by-cookie', 'by-bearer']));
    // Reads with the cookie need no header: GET changes nothing.
    expect((await fetch(`${base}/api/v1/latest`, { headers: { cookie } })).status).toBe(200);
  });
});

describe('size limits', () => {
  it('refuses a JSON body over 100 kB with 413 {error}, and a URL over the ceiling with 414 {error}; the server goes on', async () => {
    const big = await apiFetch(`${base}/api/v1/users`, { method: 'POST', body: JSON.stringify({ username: 'big', role: 'viewer', password: 'x'.repeat(200_000) }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as ErrorResponse).error).toMatch(/too large/);
    const long = await apiFetch(`${base}/api/v1/latest?pad=${'a'.repeat(MAX_URL_BYTES)}`);
    expect(long.status).toBe(414);
    expect(((await long.json()) as ErrorResponse).error).toMatch(/too long/);
    expect((await getJson(`${base}/api/v1/latest`)).status).toBe(200);
    expect(await users()).not.toContain('big');
  });
});
