import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryResponse, IngestStatsResponse } from '../../shared/api';
import { shiftedClock } from '../../shared/clock';
import type { EnergyResponse } from '../../shared/kpi';
import type { RunningServer } from '../../server/app';
import { getJson, mqttCredentials, startTestServer, waitFor } from '../helpers/server';

/**
 * TEST_NOW moves the server's clock, not the machine's (docs/testing.md): a
 * server started at the spring-forward night of 2027 takes readings of that
 * night, refuses the machine's "now" as a clock four months behind would not,
 * and answers "today" with a 23-hour day. This file pins its own instant,
 * whatever TEST_NOW the run has.
 */
const AT = '2027-03-28T01:50:00+01:00';
const wallAt = Date.now();
const serverNow = shiftedClock(Date.parse(AT), wallAt);

let server: RunningServer & { dataDir: string };
let client: MqttClient;
let base: string;

beforeAll(async () => {
  server = await startTestServer({ TEST_NOW: AT, TEST_NOW_WALL: String(wallAt) });
  base = `http://127.0.0.1:${server.httpPort}`;
  client = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { ...mqttCredentials(server.dataDir, 'grid-meter'), clientId: 'grid-meter', reconnectPeriod: 0 });
});

afterAll(async () => {
  await client?.endAsync();
  await server?.close();
});

describe('a server on TEST_NOW', () => {
  it('answers "today" as the day of its shifted clock, cut at the end of its hour, across the spring-forward jump', async () => {
    const { status, body } = await getJson<EnergyResponse>(`${base}/api/v1/kpi/energy?period=day`);
    expect(status).toBe(200);
    expect(body.period.label).toBe('2027-03-28');
    expect(body.period.fromMs).toBe(Date.parse('2027-03-28T00:00:00+01:00'));
    // It is 01:5x: the hour ends at 02:00, which that night is 03:00 summer time; two hours so far.
    expect(body.period.partial).toBe(true);
    expect(body.period.toMs).toBe(Date.parse('2027-03-28T03:00:00+02:00'));
    expect(body.period.hours).toBe(2);
  });

  it('takes a reading stamped at its now and gives it back in the default range; a reading minutes ahead of it is refused', async () => {
    const ts = serverNow() - 1000;
    const ahead = serverNow() + 10 * 60_000;
    await client.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', n: 'import_power', u: 'W', t: ts / 1000, v: 4321 }]), { qos: 1 });
    await client.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', n: 'import_power', u: 'W', t: ahead / 1000, v: 1 }]), { qos: 1 });
    // No from and no to: the last hour of the server's clock, which holds the reading.
    const points = await waitFor(async () => {
      const { body } = await getJson<HistoryResponse>(`${base}/api/v1/series/grid-meter.import_power/history?resolution=raw`);
      return body.points.length > 0 && body.points;
    }, 'the reading in the default history range');
    expect(points).toEqual([[ts, 4321]]);
    const { body: stats } = await getJson<IngestStatsResponse>(`${base}/api/v1/ingest/stats`);
    expect(stats.devices['grid-meter']?.rejectedByReason['future-timestamp']).toBe(1);
  });
});
