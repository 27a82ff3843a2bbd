import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { INJECTIONS, Rng, WRONG_VALUES, fuzzSeed } from '../helpers/fuzz';
import { type RunningInfluxd, influxdAvailable, startInfluxd } from '../helpers/influxd';
import { apiFetch, getJson, login, mqttCredentials, startTestServer } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * Bad input over HTTP, driven by the OpenAPI document so that a new route is
 * covered the day it is declared: every operation gets injection attempts (SQL,
 * InfluxQL, paths, templates) in each path and query parameter, wrong types and
 * missing fields in its body, huge and malformed bodies. The answer is a 4xx
 * JSON {error} (or a success, for a value that is merely odd), never a 5xx,
 * never a stack trace, nor a query or a storage error in the text. The same
 * run goes against the SQLite store and a real influxd.
 */

type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; enum?: unknown[]; const?: unknown; pattern?: string; minimum?: number; minLength?: number; minItems?: number; items?: Schema; oneOf?: Schema[]; anyOf?: Schema[]; default?: unknown };
interface Op {
  operationId: string;
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; schema: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
}
interface Doc {
  paths: Record<string, Record<string, Op>>;
}

/** A value the schema accepts, as far as a small sampler can tell: enough to reach the handler. */
function sample(s: Schema | undefined, name = ''): unknown {
  if (!s) return 'x';
  if (s.oneOf?.[0] || s.anyOf?.[0]) return sample(s.oneOf?.[0] ?? s.anyOf?.[0], name);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  switch (s.type) {
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, sample(s.properties?.[k], k)]));
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items, name));
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return true;
    default:
      if (s.pattern?.includes('\\.')) return 'grid-meter.import_power';
      if (s.pattern?.startsWith('^\\d')) return '1';
      if (s.pattern?.includes('a-f0-9')) return '0123456789abcdef';
      if (name === 'password') return 'a-long-enough-password';
      if (s.pattern) return 'fuzz-x1';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
  }
}

/** Path parameters that name things which exist, so the routes get past their 404. */
function pathValue(path: string, name: string): string {
  if (name === 'username') return VICTIM;
  if (path.includes('/series/')) return 'grid-meter.import_power';
  if (path.includes('/devices/')) return 'grid-meter';
  if (path.includes('/zones/')) return 'rdc-accueil';
  if (path.includes('/alerts/')) return '1';
  if (path.includes('/alert-rules/')) return 'fuzz-rule';
  if (path.includes('/tokens/')) return '0123456789abcdef';
  return 'x';
}

const VICTIM = 'fuzz-victim';

/** What no answer may show: a stack frame, a source file, a storage engine's own words, a query. */
const LEAKS: [string, RegExp][] = [
  ['stack frame', /\n\s+at |\bat [\w.<>]+ \(/],
  ['source path', /\.(ts|js):\d+|node_modules|\/work\/|\/server\//],
  ['SQLite', /sqlite|SQLITE_|no such (table|column)|near "/i],
  ['InfluxDB', /influx|error parsing query|found .+, expected/i],
  ['query text', /\b(SELECT|INSERT INTO|DELETE FROM|UPDATE \w+ SET|DROP (TABLE|MEASUREMENT|DATABASE))\b/i],
];

interface Attempt {
  method: string;
  path: string;
  what: string;
  injected?: string;
  query?: Record<string, string | string[]>;
  body?: string;
  contentType?: string;
}

function checkAnswer(a: Attempt, status: number, type: string, text: string): string[] {
  const problems: string[] = [];
  const where = `${a.method.toUpperCase()} ${a.path} ${a.what}`;
  if (status >= 500) problems.push(`${where}: HTTP ${status} ${text.slice(0, 200)}`);
  if (status >= 400) {
    if (!type.startsWith('application/json')) problems.push(`${where}: HTTP ${status} answered ${type}, not JSON`);
    else {
      try {
        const body = JSON.parse(text) as { error?: unknown };
        if (typeof body.error !== 'string' || body.error.length === 0) problems.push(`${where}: HTTP ${status} without an error message`);
      } catch {
        problems.push(`${where}: HTTP ${status} with a body that is not JSON`);
      }
    }
  }
  // A success may hold stored text (the audit trail quotes earlier attempts) and name
  // the store (health): only error answers are judged for leaks.
  if (status < 400) return problems;
  // The answer may echo what was sent (an unknown id, say): judge the rest of it.
  let rest = text;
  for (const v of [a.injected, a.injected && JSON.stringify(a.injected).slice(1, -1), a.path, ...Object.values(a.query ?? {}).flat()]) if (v) rest = rest.split(v).join('');
  for (const [name, re] of LEAKS) if (re.test(rest)) problems.push(`${where}: the answer shows a ${name}: ${rest.slice(0, 300)}`);
  return problems;
}

/** A path segment, percent-encoded; a lone surrogate (no UTF-8 for it) as the bytes a careless client would send. */
function encodeSegment(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80';
  }
}

function attemptsFor(doc: Doc, rng: Rng): Attempt[] {
  const out: Attempt[] = [];
  for (const [docPath, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path');
      const queryParams = params.filter((p) => p.in === 'query');
      const bodySchema = op.requestBody?.content['application/json'].schema;
      const fill = (overrides: Record<string, string> = {}) => docPath.replace(/\{(\w+)\}/g, (_m, name: string) => encodeSegment(overrides[name] ?? pathValue(docPath, name)));
      const baseBody = bodySchema ? (sample(bodySchema) as Record<string, unknown>) : undefined;
      const json = (x: unknown) => JSON.stringify(x);
      const base = { method, body: baseBody === undefined ? undefined : json(baseBody) };

      for (const p of pathParams) for (const v of INJECTIONS) out.push({ ...base, path: fill({ [p.name]: v }), what: `path ${p.name}=${JSON.stringify(v).slice(0, 40)}`, injected: v });
      for (const p of queryParams) {
        for (const v of INJECTIONS) out.push({ ...base, path: fill(), query: { [p.name]: v }, what: `query ${p.name}=${JSON.stringify(v).slice(0, 40)}`, injected: v });
        out.push({ ...base, path: fill(), query: { [p.name]: ['1', '2'] }, what: `query ${p.name} given twice` });
        out.push({ ...base, path: fill(), query: { [p.name]: '' }, what: `query ${p.name} empty` });
      }
      out.push({ ...base, path: fill(), query: { [rng.pick(INJECTIONS)]: rng.pick(INJECTIONS) }, what: 'an unknown query parameter' });
      if (method === 'get' || method === 'delete') continue;

      // Bodies: wrong types, missing fields, injections in every field, malformed and huge.
      out.push({ method, path: fill(), what: 'no body' });
      for (const v of WRONG_VALUES) out.push({ method, path: fill(), body: json(v), what: `body ${json(v).slice(0, 30)}` });
      const schema = bodySchema?.oneOf?.[0] ?? bodySchema;
      for (const field of Object.keys(schema?.properties ?? {})) {
        // Every wrong type; a seeded draw of the injections (all of them go in every path and query parameter).
        const drawn = Array.from({ length: 8 }, () => rng.pick(INJECTIONS));
        for (const v of [...WRONG_VALUES, ...drawn]) out.push({ method, path: fill(), body: json({ ...baseBody, [field]: v }), what: `body ${field}=${json(v).slice(0, 30)}`, injected: typeof v === 'string' ? v : undefined });
        if (schema?.required?.includes(field)) {
          const { [field]: _gone, ...rest } = baseBody ?? {};
          out.push({ method, path: fill(), body: json(rest), what: `body without ${field}` });
        }
      }
      out.push({ method, path: fill(), body: '{"truncated": ', what: 'body not JSON' });
      out.push({ method, path: fill(), body: "{'single': 'quotes'}", what: 'body with single quotes' });
      out.push({ method, path: fill(), body: `{"a": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`, what: 'body nested 20,000 deep' });
      out.push({ method, path: fill(), body: json({ ...baseBody, junk: 'x'.repeat(2 * 2 ** 20) }), what: 'a 2 MiB body' });
      out.push({ method, path: fill(), body: '{"__proto__": {"admin": true}, "constructor": {"prototype": {"admin": true}}}', what: 'prototype pollution' });
      out.push({ method, path: fill(), body: json(baseBody), contentType: 'text/plain', what: 'JSON sent as text/plain' });
    }
  }
  return out;
}

async function run(base: string, adminToken: string, attempts: Attempt[]): Promise<{ problems: string[]; statuses: Record<string, number> }> {
  const problems: string[] = [];
  const statuses: Record<string, number> = {};
  // A few requests in flight at once, as several clients would send them.
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < attempts.length; i = next++) await one(attempts[i] as Attempt);
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { problems, statuses };

  async function one(a: Attempt): Promise<void> {
    const url = new URL(`${base}${a.path}`);
    for (const [k, v] of Object.entries(a.query ?? {})) for (const x of [v].flat()) url.searchParams.append(k, x);
    // Logging out ends the session it is sent with: give it a session of its own.
    const token = a.path.endsWith('/logout') ? await login(base, 'admin', undefined, false) : adminToken;
    const headers: Record<string, string> = {};
    if (a.body !== undefined) headers['content-type'] = a.contentType ?? 'application/json';
    let res: Response;
    try {
      res = await apiFetch(url.href, { method: a.method.toUpperCase(), body: a.body, headers, token });
    } catch (err) {
      problems.push(`${a.method.toUpperCase()} ${a.path} ${a.what}: no answer (${(err as Error).message})`);
      return;
    }
    const text = await res.text();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    problems.push(...checkAnswer(a, res.status, (res.headers.get('content-type') ?? '').split(';')[0] as string, text));
  }
}

const influx = influxdAvailable();
const stores: { name: string; available: { ok: boolean; reason?: string } }[] = [
  { name: 'sqlite', available: { ok: true } },
  { name: 'influx', available: influx },
];

describe.each(stores)('bad input over HTTP, store $name', ({ name, available }) => {
  let server: RunningServer & { dataDir: string; adminToken: string };
  let influxd: RunningInfluxd | undefined;
  let base: string;

  beforeAll(async () => {
    if (!available.ok) return;
    const env: Record<string, string> = { LOGIN_ATTEMPTS: '1000' };
    if (name === 'influx') {
      influxd = await startInfluxd();
      Object.assign(env, { STORE: 'influx', INFLUX_URL: `${influxd.url}/lenumerique_fuzz`, STORE_FLUSH_MS: '100' });
    }
    server = await startTestServer(env);
    base = `http://127.0.0.1:${server.httpPort}`;
    // Something to query and a user to aim at, so the routes get past their 404s.
    const meter = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: `fuzz-http-${name}`, ...mqttCredentials(server.dataDir, 'grid-meter') });
    const t = testNow() - 60_000;
    await meter.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', bt: t / 1000, n: 'import_power', u: 'W', v: 1200 }, { n: 'import_energy', u: 'Wh', v: 5 }]), { qos: 1 });
    await meter.endAsync();
    await server.store.flush();
    const created = await apiFetch(`${base}/api/v1/users`, { method: 'POST', body: JSON.stringify({ username: VICTIM, role: 'viewer', password: 'victim-password-1' }) });
    expect(created.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await influxd?.close();
  });

  it.skipIf(!available.ok)(`every documented operation answers injections, wrong types, missing fields and huge bodies with a 4xx JSON error, never a 5xx nor a stack trace or a query${available.ok ? '' : ` (${available.reason})`}`, async () => {
    const doc = (await getJson<Doc>(`${base}/api/v1/openapi.json`, null)).body;
    const seed = fuzzSeed();
    console.log(`HTTP fuzz (${name}) seed ${seed}: FUZZ_SEED=${seed} replays it`);
    // On InfluxDB, the routes that read the time-series store: the others do not depend on it.
    const attempts = attemptsFor(doc, new Rng(seed)).filter((a) => name === 'sqlite' || /\/(series|latest|kpi|reports|devices|health)/.test(a.path));
    const operations = Object.values(doc.paths).reduce((n, m) => n + Object.keys(m).length, 0);
    expect(operations).toBeGreaterThan(40);
    expect(new Set(attempts.map((a) => a.method + a.path.split('/').slice(0, 4).join('/'))).size).toBeGreaterThan(name === 'sqlite' ? 20 : 5);
    const { problems, statuses } = await run(base, server.adminToken, attempts);
    console.log(`HTTP fuzz (${name}): ${attempts.length} requests over ${operations} operations; statuses ${JSON.stringify(statuses)}`);
    expect(problems).toEqual([]);
    // Still serving, the data intact.
    expect((await getJson(`${base}/api/health`, null)).status).toBe(200);
    const latest = await getJson<{ readings: { seriesId: string }[] }>(`${base}/api/v1/latest`);
    expect(latest.body.readings.some((r) => r.seriesId === 'grid-meter.import_power')).toBe(true);
    const history = await getJson<{ points: unknown[] }>(`${base}/api/v1/series/grid-meter.import_power/history?resolution=raw`);
    expect(history.body.points.length).toBe(1);
  }, 300_000);

  it.skipIf(!available.ok)('bad ranges: an end before its start, a range past the limit, a year of raw readings, absurd dates', async () => {
    const history = (q: string) => getJson<{ error?: string; points?: unknown[]; truncated?: boolean }>(`${base}/api/v1/series/grid-meter.import_power/history?${q}`);
    const year = 366 * 86_400_000;
    const now = testNow();
    for (const q of [`from=${now}&to=${now - 1000}`, `from=0&to=${now + 20 * year}`, 'from=-1e309', 'from=2026-13-45', `from=${Number.MAX_SAFE_INTEGER + 10}`, 'to=1e3', 'maxPoints=0', 'maxPoints=20001', 'maxPoints=-1', 'resolution=1s', 'agg=increase']) {
      const { status, body } = await history(q);
      expect(status, q).toBe(400);
      expect(body.error, q).toMatch(/\S/);
    }
    // A year at raw resolution is bounded by maxPoints, not refused: the first points, marked truncated when there are more.
    for (const resolution of ['raw', '1m']) {
      const { status, body } = await history(`from=${now - year}&to=${now}&resolution=${resolution}&maxPoints=20000`);
      expect(status).toBe(200);
      expect(body.points?.length ?? 0).toBeLessThanOrEqual(20_000);
    }
    const kpi = (q: string) => getJson<{ error?: string }>(`${base}/api/v1/kpi/energy?${q}`);
    for (const q of ['period=custom&from=2026-05-01&to=2026-04-01', 'period=custom&from=2026-02-30&to=2026-03-01', 'period=decade', 'date=not-a-date', 'interval=second', 'period=custom&from=1900-01-01&to=2100-12-31&interval=hour', 'offPeakHours=25-26', 'importPeakPerKWh=-1', 'importPeakPerKWh=NaN']) {
      const { status, body } = await kpi(q);
      expect(status, q).toBeGreaterThanOrEqual(400);
      expect(status, q).toBeLessThan(500);
      expect(body.error, q).toMatch(/\S/);
    }
  }, 120_000);
});
