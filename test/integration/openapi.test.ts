import { Ajv2020 } from 'ajv/dist/2020.js';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { apiFetch, getJson, mqttCredentials, startTestServer } from '../helpers/server';

/**
 * The OpenAPI 3.1 document against what the routes do: every documented GET is
 * called as an admin, and its answer must validate against the schema the
 * document gives for its status; every error answer against the Error schema;
 * and a path the document does not list is not served.
 */
type Schema = Record<string, unknown>;
interface Op {
  parameters?: { name: string; in: string; required: boolean }[];
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, Schema> };
}

let server: RunningServer & { dataDir: string };
let base: string;
let doc: Doc;

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.httpPort}`;
  // Some data, so that answers hold more than empty lists.
  const meter = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: 'openapi-meter', ...mqttCredentials(server.dataDir, 'grid-meter') });
  await meter.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', n: 'import_power', u: 'W', v: 1200 }, { n: 'import_energy', u: 'Wh', v: 5 }]), { qos: 1 });
  await meter.publishAsync('le-numerique/grid-meter/telemetry', 'not json', { qos: 1 });
  await meter.endAsync();
  await server.store.flush();
  doc = (await getJson<Doc>(`${base}/api/v1/openapi.json`, null)).body;
});

afterAll(async () => {
  await server?.close();
});

const SAMPLE_PATH: Record<string, string> = { id: 'grid-meter.import_power', username: 'admin' };
function concrete(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'id' && path.includes('/devices/')) return 'grid-meter';
    if (name === 'id' && path.includes('/zones/')) return 'rdc-accueil';
    return SAMPLE_PATH[name] ?? name;
  });
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the server version, a security scheme, and an Error schema', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(doc.components.schemas.Error).toMatchObject({ type: 'object', required: ['error'] });
  });

  it('matches what every GET route answers', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const checked: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      const op = methods.get;
      if (!op) continue;
      // Required query parameters other than the path's make a route that needs a scenario of its own.
      if ((op.parameters ?? []).some((p) => p.in === 'query' && p.required)) continue;
      const res = await apiFetch(`${base}${concrete(path)}`);
      const status = String(res.status);
      const type = (res.headers.get('content-type') ?? '').split(';')[0] as string;
      const documented = op.responses[status]?.content?.[type]?.schema;
      expect(documented, `GET ${path} answered ${status} ${type}, which the document does not list`).toBeDefined();
      if (type !== 'application/json') continue;
      const body: unknown = await res.json();
      const schema = '$ref' in (documented as Schema) ? doc.components.schemas.Error : documented;
      const validate = ajv.compile(schema as Schema);
      expect(validate(body), `GET ${path} (${status}): ${ajv.errorsText(validate.errors)}`).toBe(true);
      checked.push(path);
    }
    expect(checked.length).toBeGreaterThan(10);
  });

  it('documents the errors routes give: a 400 {error, details} for bad input', async () => {
    const res = await apiFetch(`${base}/api/v1/series/grid-meter.import_power/history?resolution=weekly`);
    expect(res.status).toBe(400);
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(doc.components.schemas.Error as Schema);
    expect(validate(await res.json())).toBe(true);
    expect(doc.paths['/api/v1/series/{id}/history']?.get?.responses['400']).toBeDefined();
  });

  it('lists every route the API serves: an undocumented path is a 404', async () => {
    const res = await apiFetch(`${base}/api/v1/not-a-route`);
    expect(res.status).toBe(404);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/v1/auth/login', '/api/v1/series/{id}/history', '/api/v1/devices/{id}', '/api/v1/openapi.json']));
  });
});
