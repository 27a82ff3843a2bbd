import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertAuditResponse, AlertEvent, AlertListResponse, AlertRuleListResponse } from '../../shared/alerts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/live';
import type { RunningServer } from '../../server/app';
import { publishSeries } from '../helpers/publish';
import { type RunningRedis, redisAvailable, startRedis } from '../helpers/redis';
import { apiFetch, getJson, mqttCredentials, startTestServer, tokenFor, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';
import { type RunningSmtp, startSmtpServer } from '../helpers/smtp';

/**
 * Two instances of one site sharing Redis: a CO2 alert whose readings were
 * ingested half by one instance and half by the other is raised once, with one
 * id, seen by the dashboards of both; an operator acknowledges it on the instance
 * that does not run the alerts, and both see it acknowledged.
 */
const redis = redisAvailable();
const MIN = 60_000;
const DEVICE = 'room-r1-reunion';
const SERIES = `${DEVICE}.co2`;
type Server = RunningServer & { dataDir: string; adminToken: string };
type Dashboard = Socket<ServerToClientEvents, ClientToServerEvents>;

describe.skipIf(!redis.ok)(`alerts shared by two instances through Redis${redis.ok ? '' : ` (skipped: ${redis.reason})`}`, () => {
  let r: RunningRedis;
  /** Both instances send through the same relay, to the same admin: only the alerts leader may. */
  let smtp: RunningSmtp;
  const NOTIFY = { ADMIN_EMAIL: 'gestionnaire@le-numerique.example' };
  let a: Server;
  let b: Server;
  const sensors: MqttClient[] = [];
  const dashboards: Dashboard[] = [];
  const pushed = new Map<Server, AlertEvent[]>();

  beforeAll(async () => {
    r = await startRedis();
    smtp = await startSmtpServer();
    a = await startTestServer({ REDIS_URL: r.url, INSTANCE_ID: 'alerts-a', SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ...NOTIFY });
    b = await startTestServer({ REDIS_URL: r.url, INSTANCE_ID: 'alerts-b', SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ...NOTIFY });
    for (const s of [a, b]) {
      sensors.push(await mqtt.connectAsync(`mqtt://127.0.0.1:${s.mqttPort}`, { clientId: `alerts-${DEVICE}-${s.httpPort}`, ...mqttCredentials(s.dataDir, DEVICE) }));
      const d: Dashboard = io(`http://127.0.0.1:${s.httpPort}`, { auth: { token: s.adminToken }, transports: ['websocket'] });
      dashboards.push(d);
      const list: AlertEvent[] = [];
      pushed.set(s, list);
      for (const type of ['alert:raised', 'alert:updated', 'alert:cleared'] as const) d.on(type, (e: AlertEvent) => list.push(e));
      await waitFor(() => d.connected, 'a dashboard connected');
    }
    await waitFor(() => (a.alertsLeader?.() ? 1 : 0) + (b.alertsLeader?.() ? 1 : 0) === 1, 'one alerts leader');
  }, 60_000);

  afterAll(async () => {
    for (const d of dashboards) d.close();
    await Promise.all(sensors.map((s) => s.endAsync()));
    await a?.close();
    await b?.close();
    await r?.stop();
    await smtp?.stop();
  });

  const co2Alerts = async (s: Server) => (await getJson<AlertListResponse>(`http://127.0.0.1:${s.httpPort}/api/v1/alerts?state=all&rule=co2-occupied`, s.adminToken)).body.alerts.filter((x) => x.target.id === SERIES);

  it('is raised once from readings ingested half by each instance, with one id that both instances list and both dashboards hear of once', async () => {
    const start = Math.floor(testNow() / MIN) * MIN - 30 * MIN;
    const room = (sensor: MqttClient, fromMin: number, toMin: number) => {
      const points = (v: number): [number, number][] => Array.from({ length: toMin - fromMin + 1 }, (_, i) => [start + (fromMin + i) * MIN, v]);
      return publishSeries(sensor, 'le-numerique', DEVICE, [
        { name: 'co2', unit: 'ppm', points: points(1480) },
        { name: 'occupancy', unit: 'count', points: points(12) },
      ]);
    };
    // Minutes 0 to 6 through instance A, 7 to 15 through instance B: neither has 10 minutes on its own.
    await room(sensors[0] as MqttClient, 0, 6);
    await new Promise((res) => setTimeout(res, 500));
    await room(sensors[1] as MqttClient, 7, 15);
    const [fromA] = await waitFor(async () => {
      const list = await co2Alerts(a);
      return list.length > 0 && list;
    }, 'the CO2 alert listed by instance A');
    const alert = fromA as Alert;
    expect(alert).toMatchObject({ ruleId: 'co2-occupied', state: 'active', occurrences: 1, raisedAt: start + 10 * MIN });
    expect(await co2Alerts(b)).toEqual([alert]);
    for (const s of [a, b]) await waitFor(() => pushed.get(s)?.some((e) => e.type === 'alert:raised'), 'alert:raised on each dashboard');
    await new Promise((res) => setTimeout(res, 500));
    for (const s of [a, b]) expect(pushed.get(s)?.filter((e) => e.type === 'alert:raised').map((e) => e.alert.id)).toEqual([alert.id]);
    // One e-mail to the admin, from the leader alone, though both instances are set up to send.
    await waitFor(() => smtp.messages.some((m) => m.text.includes(`alert=${alert.id}`)), 'the e-mail');
    await new Promise((res) => setTimeout(res, 1000));
    expect(smtp.messages.filter((m) => m.text.includes(`alert=${alert.id}`))).toHaveLength(1);
  });

  it("a person's notification settings and a webhook saved through one instance are the other's too, so the leader sends by them", async () => {
    const put = await apiFetch(`http://127.0.0.1:${b.httpPort}/api/v1/me/notifications`, { method: 'PUT', token: b.adminToken, body: JSON.stringify({ email: 'astreinte@le-numerique.example', quietHours: { start: '22:00', end: '06:30' } }) });
    expect(put.status).toBe(200);
    await waitFor(async () => (await getJson<{ email: string | null }>(`http://127.0.0.1:${a.httpPort}/api/v1/me/notifications`, a.adminToken)).body.email === 'astreinte@le-numerique.example', 'the settings on the other instance');
    expect((await getJson(`http://127.0.0.1:${a.httpPort}/api/v1/me/notifications`, a.adminToken)).body).toMatchObject({ quietHours: { start: '22:00', end: '06:30' } });
    const created = await apiFetch(`http://127.0.0.1:${a.httpPort}/api/v1/notifications/webhooks`, { method: 'POST', token: a.adminToken, body: JSON.stringify({ name: 'Astreinte', url: 'https://hooks.example.org/astreinte', secret: 'shared-secret-0123456789' }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const listed = async (s: Server) => (await getJson<{ webhooks: { id: string }[] }>(`http://127.0.0.1:${s.httpPort}/api/v1/notifications/webhooks`, s.adminToken)).body.webhooks.map((w) => w.id);
    await waitFor(async () => (await listed(b)).includes(id), 'the webhook on the other instance');
    expect((await apiFetch(`http://127.0.0.1:${b.httpPort}/api/v1/notifications/webhooks/${id}`, { method: 'DELETE', token: b.adminToken })).status).toBe(204);
    await waitFor(async () => !(await listed(a)).includes(id), 'the webhook gone from both');
  });

  it('an acknowledgement made on the instance that does not run the alerts is the one both instances and both dashboards see', async () => {
    const follower = a.alertsLeader?.() ? b : a;
    const other = follower === a ? b : a;
    const [alert] = await co2Alerts(a);
    const operator = await tokenFor(`http://127.0.0.1:${follower.httpPort}`, 'operator');
    const res = await apiFetch(`http://127.0.0.1:${follower.httpPort}/api/v1/alerts/${alert?.id}/ack`, { method: 'POST', body: JSON.stringify({ comment: 'fenêtres ouvertes' }), token: operator });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as Alert).state).toBe('acknowledged');
    for (const s of [a, b]) {
      expect((await co2Alerts(s))[0]).toMatchObject({ id: alert?.id, state: 'acknowledged', acknowledged: { comment: 'fenêtres ouvertes' } });
      await waitFor(() => pushed.get(s)?.some((e) => e.type === 'alert:updated' && e.change === 'acknowledged'), 'alert:updated on each dashboard');
    }
    // Twice is a conflict, wherever it is asked.
    const again = await apiFetch(`http://127.0.0.1:${other.httpPort}/api/v1/alerts/${alert?.id}/ack`, { method: 'POST', body: JSON.stringify({ comment: 'encore' }), token: other.adminToken });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toBeTruthy();
  });

  it('when the leader stops, the other instance takes the alerts over with their state: same ids, the acknowledgement, the rules made over the API, no second raise', async () => {
    const leader = a.alertsLeader?.() ? a : b;
    const other = leader === a ? b : a;
    const base = `http://127.0.0.1:${other.httpPort}`;
    // A rule made over the API through the follower: the leader keeps it, and the site with it.
    const rule = { id: 'outdoor-seen', name: 'Température extérieure relevée', severity: 'info', kind: 'threshold', target: { series: ['weather-station.temperature'] }, op: 'above', value: -100, enabled: true };
    const made = await apiFetch(`${base}/api/v1/alert-rules`, { method: 'POST', body: JSON.stringify(rule), token: other.adminToken });
    expect(made.status, await made.clone().text()).toBe(201);
    const [before] = await co2Alerts(other);
    expect(before).toMatchObject({ state: 'acknowledged' });
    const audit = (await getJson<AlertAuditResponse>(`${base}/api/v1/alert-audit?limit=100`, other.adminToken)).body.entries;
    expect(audit.length).toBeGreaterThan(2);

    await leader.close();
    // The stopping leader gives the lease up: the other takes it at its next try (a third of the lease).
    await waitFor(() => other.alertsLeader?.(), 'the other instance leading the alerts', 10_000);
    // Its own app.sqlite never held the alert: it took the site's tables from Redis.
    expect(await co2Alerts(other)).toEqual([before]);
    const { rules } = (await getJson<AlertRuleListResponse>(`${base}/api/v1/alert-rules`, other.adminToken)).body;
    expect(rules.find((r) => r.rule.id === 'outdoor-seen')).toMatchObject({ source: 'api' });
    expect((await getJson<AlertAuditResponse>(`${base}/api/v1/alert-audit?limit=100`, other.adminToken)).body.entries).toEqual(audit);

    // The CO2 condition goes on, now through the new leader: still the same alert, not a second one.
    const sensor = sensors[other === a ? 0 : 1] as MqttClient;
    const start = Math.floor(testNow() / MIN) * MIN - 30 * MIN;
    const points = (v: number): [number, number][] => Array.from({ length: 12 }, (_, i) => [start + (16 + i) * MIN, v]);
    await publishSeries(sensor, 'le-numerique', DEVICE, [
      { name: 'co2', unit: 'ppm', points: points(1490) },
      { name: 'occupancy', unit: 'count', points: points(12) },
    ]);
    await waitFor(async () => (await other.store.history(SERIES, start + 16 * MIN, start + 27 * MIN, 100)).points.length === 12, 'the new readings stored');
    // The engine is fed as readings are ingested; a moment for any event to come.
    await new Promise((res) => setTimeout(res, 500));
    const after = await co2Alerts(other);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before?.id, state: 'acknowledged', occurrences: 1 });
    expect(pushed.get(other)?.filter((e) => e.type === 'alert:raised' && e.alert.ruleId === 'co2-occupied')).toHaveLength(1);
  });
});
