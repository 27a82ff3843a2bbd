import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { type RunningInfluxd, influxdAvailable, startInfluxd } from '../helpers/influxd';
import { type RunningRedis, redisAvailable, startRedis } from '../helpers/redis';
import { mqttCredentials, startTestServer, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * Two instances writing neighbouring readings of one series to one InfluxDB.
 * Each batch reads its minutes' rollups, merges its readings and writes them
 * back: without coordination, two instances merging into the same minute at
 * once each write their own sum and one's readings vanish from the rollup
 * (without the lock this test fails: 10,960 of 12,000 counted; the bench lost
 * 7,601 of 20,000). The batch writes of the site take a Redis lock, so the
 * rollups count every reading once.
 */
const deps = [influxdAvailable(), redisAvailable()];
const missing = deps.filter((d) => !d.ok).map((d) => d.reason);
const DB = 'lnm_two_writers';
const SERIES = 'grid-meter.import_power';
type Server = RunningServer & { dataDir: string };

async function count(url: string, q: string): Promise<number> {
  const res = await fetch(`${url}/query?db=${DB}&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: Array<{ series?: Array<{ values: [string, number][] }> }> };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

describe.skipIf(missing.length > 0)(`two instances writing one series to InfluxDB${missing.length ? ` (skipped: ${missing.join('; ')})` : ''}`, () => {
  let influx: RunningInfluxd | undefined;
  let redis: RunningRedis | undefined;
  const servers: Server[] = [];
  const clients: MqttClient[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync()));
    for (const s of servers) await s.close();
    await Promise.all([influx?.close(), redis?.stop()]);
  });

  it('keeps the 1-minute, 1-hour and 1-day rollups exact when the readings of each minute are split between them', async () => {
    [influx, redis] = await Promise.all([startInfluxd(), startRedis()]);
    for (const id of ['w-a', 'w-b']) servers.push(await startTestServer({ STORE: 'influx', INFLUX_URL: `${influx.url}/${DB}`, REDIS_URL: redis.url, INSTANCE_ID: id, STORE_FLUSH_MS: '50' }));
    for (const s of servers) clients.push(await mqtt.connectAsync(`mqtt://127.0.0.1:${s.mqttPort}`, { clientId: `two-writers-${s.httpPort}`, ...mqttCredentials(s.dataDir, 'admin') }));
    // 12,000 readings 100 ms apart, in packs of 20: even packs through A, odd packs through B, at once.
    const n = 12_000;
    const t0 = Math.floor(testNow() / 60_000) * 60_000 - 30 * 60_000;
    const publish = async (client: MqttClient, parity: number) => {
      const sent: Promise<unknown>[] = [];
      for (let p = parity; p * 20 < n; p += 2) {
        const pack = Array.from({ length: 20 }, (_, i) => ({ t: (t0 + (p * 20 + i) * 100) / 1000, v: p * 20 + i }));
        sent.push(client.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', n: 'import_power', u: 'W', ...pack[0] }, ...pack.slice(1).map((r) => ({ n: 'import_power', u: 'W', ...r }))]), { qos: 1 }));
      }
      await Promise.all(sent);
    };
    await Promise.all([publish(clients[0] as MqttClient, 0), publish(clients[1] as MqttClient, 1)]);
    const url = influx.url;
    await waitFor(async () => (await count(url, `SELECT count("value") FROM "raw"."reading" WHERE "series" = '${SERIES}'`)) >= n, `${n} raw readings`, 60_000);
    for (const s of servers) await s.store.flush();
    const sum = (n - 1) * n / 2;
    await waitFor(async () => (await count(url, `SELECT sum("count") FROM "rollups"."reading_1m" WHERE "series" = '${SERIES}'`)) === n, 'the 1-minute rollups to count every reading', 10_000).catch(() => undefined);
    expect(await count(url, `SELECT sum("count") FROM "rollups"."reading_1m" WHERE "series" = '${SERIES}'`)).toBe(n);
    expect(await count(url, `SELECT sum("sum") FROM "rollups"."reading_1m" WHERE "series" = '${SERIES}'`)).toBe(sum);
    expect(await count(url, `SELECT sum("count") FROM "rollups"."reading_1h" WHERE "series" = '${SERIES}'`)).toBe(n);
    expect(await count(url, `SELECT sum("count") FROM "rollups"."reading_1d" WHERE "series" = '${SERIES}'`)).toBe(n);
  }, 120_000);
});
