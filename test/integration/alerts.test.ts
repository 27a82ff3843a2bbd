import { Ajv2020 } from 'ajv/dist/2020.js';
import mqtt, { type MqttClient } from 'mqtt';
import { type Socket, io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertAuditEntry, AlertDetailResponse, AlertEvent, AlertListResponse, AlertRuleView } from '../../shared/alerts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/live';
import type { RunningServer } from '../../server/app';
import { publishSeries } from '../helpers/publish';
import { apiFetch, getJson, mqttCredentials, startTestServer, tokenFor, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * Alerts on a real server, fed over real MQTT: a room sensor reports CO2 above
 * 1,200 ppm for more than 10 minutes in an occupied meeting room (the shipped
 * rule), the alert is raised once, an operator acknowledges it with a comment,
 * a viewer may not, it closes when the CO2 drops, and its history and trail say
 * who did what and when. Rules over the API: who may change them, and what is refused.
 */

const MIN = 60_000;
const DEVICE = 'room-r1-reunion';
const SERIES = `${DEVICE}.co2`;

let server: RunningServer & { dataDir: string; adminToken: string };
let base: string;
let sensor: MqttClient;
let operator: string;
let viewer: string;
/** A dashboard of a viewer: alert events are pushed to it as they happen. */
let dashboard: Socket<ServerToClientEvents, ClientToServerEvents>;
const pushed: AlertEvent[] = [];

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.httpPort}`;
  operator = await tokenFor(base, 'operator');
  viewer = await tokenFor(base, 'viewer');
  sensor = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: `alerts-${DEVICE}`, ...mqttCredentials(server.dataDir, DEVICE) });
  dashboard = io(base, { auth: { token: viewer }, transports: ['websocket'] });
  for (const type of ['alert:raised', 'alert:updated', 'alert:cleared'] as const) dashboard.on(type, (e: AlertEvent) => pushed.push(e));
  await waitFor(() => dashboard.connected, 'the dashboard connected');
});

afterAll(async () => {
  dashboard?.close();
  await sensor?.endAsync();
  await server?.close();
});

/** One reading a minute of CO2 and occupancy, from `fromMin` to `toMin` minutes relative to now. */
function room(start: number, fromMin: number, toMin: number, co2: number, occupancy: number) {
  const points = (v: number): [number, number][] => Array.from({ length: toMin - fromMin + 1 }, (_, i) => [start + (fromMin + i) * MIN, v]);
  return publishSeries(sensor, 'le-numerique', DEVICE, [
    { name: 'co2', unit: 'ppm', points: points(co2) },
    { name: 'occupancy', unit: 'count', points: points(occupancy) },
  ]);
}

const co2Alerts = async (state = 'all') => (await getJson<AlertListResponse>(`${base}/api/v1/alerts?state=${state}&rule=co2-occupied`)).body.alerts.filter((a) => a.target.id === SERIES);
const post = (path: string, body: unknown, token?: string) => apiFetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body), ...(token ? { token } : {}) });

describe('a CO2 alert in an occupied room, end to end', () => {
  const start = Math.floor(testNow() / MIN) * MIN - 30 * MIN;
  let alert: Alert;

  it('is raised once the CO2 has stayed above 1,200 ppm for 10 minutes with people in the room', async () => {
    // 30 to 22 minutes ago: high, but only 8 minutes of it — nothing yet.
    await room(start, 0, 8, 1450, 12);
    await new Promise((r) => setTimeout(r, 300));
    expect(await co2Alerts()).toHaveLength(0);
    // Up to 15 minutes ago: the 10 minutes are there, by the readings' own time.
    await room(start, 9, 15, 1480, 12);
    const [raised] = await waitFor(async () => {
      const list = await co2Alerts('open');
      return list.length > 0 && list;
    }, 'the CO2 alert');
    alert = raised as Alert;
    expect(alert).toMatchObject({ ruleId: 'co2-occupied', severity: 'warning', state: 'active', occurrences: 1, raisedAt: start + 10 * MIN, acknowledged: null, target: { deviceId: DEVICE, zone: 'r1-reunion' } });
    // Every dashboard hears of it at once, with the same alert.
    const event = await waitFor(() => pushed.find((e) => e.type === 'alert:raised' && e.alert.id === alert.id), 'alert:raised over socket.io');
    expect(event.alert).toMatchObject({ ruleId: 'co2-occupied', state: 'active', target: { id: SERIES } });
    // Raised by the reading 10 minutes in, the first of the second batch.
    expect(alert.message).toBe('Ambiance Salles de réunion R+1 – CO2 : 1\u202f480 ppm, au-dessus de 1\u202f200 ppm depuis 10 min, zone occupée (12 pers.)');
  });

  it('is not raised again while the CO2 stays high', async () => {
    await room(start, 16, 19, 1500, 14);
    await new Promise((r) => setTimeout(r, 300));
    expect(await co2Alerts()).toMatchObject([{ id: alert.id, state: 'active', occurrences: 1 }]);
    const { body } = await getJson<AlertListResponse>(`${base}/api/v1/alerts`);
    expect(body.counts.active).toBeGreaterThanOrEqual(1);
  });

  it('a viewer may read it but not acknowledge it (403), and nothing changes', async () => {
    expect((await getJson(`${base}/api/v1/alerts/${alert.id}`, viewer)).status).toBe(200);
    const res = await post(`/api/v1/alerts/${alert.id}/ack`, { comment: 'vu' }, viewer);
    expect(res.status).toBe(403);
    expect((await res.json()) as { error: string }).toMatchObject({ error: expect.stringContaining('alerts:ack') });
    expect((await co2Alerts())[0]?.state).toBe('active');
  });

  it('an operator acknowledges it with a comment; twice is a conflict', async () => {
    const res = await post(`/api/v1/alerts/${alert.id}/ack`, { comment: 'Fenêtres ouvertes, débit de la CTA vérifié' }, operator);
    expect(res.status).toBe(200);
    const acked = (await res.json()) as Alert;
    expect(acked.state).toBe('acknowledged');
    expect(acked.acknowledged).toMatchObject({ by: expect.stringMatching(/^operator-/), comment: 'Fenêtres ouvertes, débit de la CTA vérifié' });
    // The acknowledgement reaches every dashboard, with who and why.
    const update = await waitFor(() => pushed.find((e) => e.type === 'alert:updated' && e.alert.id === alert.id && e.change === 'acknowledged'), 'alert:updated over socket.io');
    expect(update).toMatchObject({ by: expect.stringMatching(/^operator-/), alert: { state: 'acknowledged' } });
    expect((await post(`/api/v1/alerts/${alert.id}/ack`, { comment: 'encore' }, operator)).status).toBe(409);
    expect((await post('/api/v1/alerts/999999/ack', {}, operator)).status).toBe(404);
  });

  it('closes once the CO2 is back under 1,100 ppm, and says why', async () => {
    await room(start, 20, 29, 900, 10);
    const [closed] = await waitFor(async () => {
      const list = await co2Alerts();
      return list[0]?.state === 'closed' && list;
    }, 'the alert to close');
    expect(closed).toMatchObject({ id: alert.id, clearedAt: start + 20 * MIN, clearMessage: 'Ambiance Salles de réunion R+1 – CO2 revenu à 900 ppm (sous 1\u202f100 ppm)' });
    expect(await co2Alerts('open')).toHaveLength(0);
  });

  it('keeps its history and the trail of every transition: who, when, what', async () => {
    const { status, body } = await getJson<AlertDetailResponse>(`${base}/api/v1/alerts/${alert.id}`);
    expect(status).toBe(200);
    expect(body.trail.map((t) => [t.action, t.actor === 'system' ? 'system' : t.actor.replace(/-\d+-\d+$/, '')])).toEqual([
      ['raised', 'system'],
      ['acknowledged', 'operator'],
      ['cleared', 'system'],
    ]);
    expect(body.trail[1]?.detail).toMatchObject({ comment: 'Fenêtres ouvertes, débit de la CTA vérifié' });
    for (const t of body.trail) expect(t.ts).toBeGreaterThan(start);
    const since = new Date(start).toISOString();
    const history = await getJson<AlertListResponse>(`${base}/api/v1/alerts?state=closed&since=${encodeURIComponent(since)}`);
    expect(history.body.alerts.map((a) => a.id)).toContain(alert.id);
    const audit = await getJson<{ entries: AlertAuditEntry[] }>(`${base}/api/v1/alert-audit?limit=20`, viewer);
    expect(audit.body.entries.filter((e) => e.alertId === alert.id).map((e) => e.action)).toEqual(['cleared', 'acknowledged', 'raised']);
    // The server's own audit trail has the acknowledgement too.
    const serverAudit = await getJson<{ entries: { action: string; target: string }[] }>(`${base}/api/v1/audit`);
    if (serverAudit.status === 200) expect(serverAudit.body.entries).toContainEqual(expect.objectContaining({ action: 'alert.ack', target: `alert:${alert.id}` }));
  });

  it('rejects bad input with the shared error shape', async () => {
    const res = await post(`/api/v1/alerts/${alert.id}/shelve`, { minutes: 0, reason: '' }, operator);
    expect(res.status).toBe(400);
    expect((await res.json()) as { error: string }).toMatchObject({ error: expect.stringMatching(/^invalid body: /) });
    expect((await getJson(`${base}/api/v1/alerts?state=burning`)).status).toBe(400);
  });
});

describe('alert rules over the API', () => {
  const rule = { id: 'fablab-hot', name: 'Fablab trop chaud', severity: 'info', kind: 'threshold', target: { zones: ['rdc-fablab'], point: 'temperature' }, value: 30, forMinutes: 15 };

  it('lists the shipped rules, with what each watches', async () => {
    const { body } = await getJson<{ rules: AlertRuleView[] }>(`${base}/api/v1/alert-rules`, viewer);
    const co2 = body.rules.find((r) => r.rule.id === 'co2-occupied');
    expect(co2).toMatchObject({ source: 'file', shelved: null, rule: { kind: 'threshold', value: 1200, enabled: true } });
    expect(co2?.targets).toContain(SERIES);
  });

  it('only admins create, change and delete rules; operators may shelve them', async () => {
    expect((await post('/api/v1/alert-rules', rule, operator)).status).toBe(403);
    const created = await post('/api/v1/alert-rules', rule);
    expect(created.status).toBe(201);
    expect((await created.json()) as AlertRuleView).toMatchObject({ source: 'api', targets: ['room-rdc-fablab.temperature'] });
    expect((await post('/api/v1/alert-rules', rule)).status).toBe(409);
    const put = await apiFetch(`${base}/api/v1/alert-rules/fablab-hot`, { method: 'PUT', body: JSON.stringify({ ...rule, value: 32 }) });
    expect(put.status).toBe(200);
    const shelved = await post('/api/v1/alert-rules/fablab-hot/shelve', { minutes: 60, reason: 'four à refusion en essai' }, operator);
    expect(shelved.status).toBe(200);
    expect(((await shelved.json()) as AlertRuleView).shelved).toMatchObject({ reason: 'four à refusion en essai', scope: 'rule' });
    expect((await apiFetch(`${base}/api/v1/alert-rules/fablab-hot`, { method: 'DELETE', token: operator })).status).toBe(403);
    expect((await apiFetch(`${base}/api/v1/alert-rules/fablab-hot`, { method: 'DELETE' })).status).toBe(204);
    expect((await getJson(`${base}/api/v1/alert-rules/fablab-hot`)).status).toBe(404);
  });

  it('refuses a rule that cannot work in this building, and edits of a file rule other than enabling it', async () => {
    const bad = await post('/api/v1/alert-rules', { ...rule, id: 'attic', target: { zones: ['attic'], point: 'temperature' } });
    expect(bad.status).toBe(400);
    expect((await bad.json()) as { error: string }).toMatchObject({ error: 'the rule cannot be used in this building: zone "attic" does not exist' });
    const put = await apiFetch(`${base}/api/v1/alert-rules/tank-low`, { method: 'PUT', body: JSON.stringify({ id: 'tank-low', name: 'x', severity: 'info', kind: 'tank-low', belowPct: 50 }) });
    expect(put.status).toBe(409);
    const disabled = await apiFetch(`${base}/api/v1/alert-rules/tank-low`, { method: 'PATCH', body: JSON.stringify({ enabled: false }) });
    expect(disabled.status).toBe(200);
    expect(((await disabled.json()) as AlertRuleView).rule.enabled).toBe(false);
    await apiFetch(`${base}/api/v1/alert-rules/tank-low`, { method: 'PATCH', body: JSON.stringify({ enabled: true }) });
  });
});

describe('the OpenAPI document of the alert routes', () => {
  it('matches what they answer, errors included', async () => {
    type Op = { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>; 'x-permission'?: string };
    const doc = (await getJson<{ paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, Record<string, unknown>> } }>(`${base}/api/v1/openapi.json`, null)).body;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const [first] = await co2Alerts();
    const calls: [string, string, string][] = [
      ['/api/v1/alerts', '/api/v1/alerts?state=all', 'read'],
      ['/api/v1/alerts/{id}', `/api/v1/alerts/${first?.id ?? 1}`, 'read'],
      ['/api/v1/alerts/{id}', '/api/v1/alerts/424242', 'read'],
      ['/api/v1/alerts/{id}', '/api/v1/alerts/not-a-number', 'read'],
      ['/api/v1/alert-audit', '/api/v1/alert-audit', 'read'],
      ['/api/v1/alert-rules', '/api/v1/alert-rules', 'read'],
      ['/api/v1/alert-rules/{id}', '/api/v1/alert-rules/co2-occupied', 'read'],
    ];
    for (const [path, url, permission] of calls) {
      const op = doc.paths[path]?.get;
      expect(op?.['x-permission'], path).toBe(permission);
      const res = await apiFetch(`${base}${url}`);
      const schema = op?.responses[String(res.status)]?.content?.['application/json']?.schema;
      expect(schema, `${url} answered ${res.status}, not in the document`).toBeDefined();
      const validate = ajv.compile(schema && '$ref' in schema ? (doc.components.schemas.Error as Record<string, unknown>) : (schema as Record<string, unknown>));
      expect(validate(await res.json()), `${url}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    expect(doc.paths['/api/v1/alerts/{id}/ack']?.post?.['x-permission']).toBe('alerts:ack');
    expect(doc.paths['/api/v1/alert-rules']?.post?.['x-permission']).toBe('rules');
  });
});
