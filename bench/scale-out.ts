import { parseArgs } from 'node:util';
import { POWER_DEVICES } from '../test/helpers/faults';
import { influxdAvailable, startInfluxd } from '../test/helpers/influxd';
import { mosquittoAvailable, startMosquitto } from '../test/helpers/mosquitto';
import { spawnServer } from '../test/helpers/process';
import { redisAvailable, startRedis } from '../test/helpers/redis';
import { SITE, startLoad, tempDir } from './harness';
import type { LoadDevice } from './load-client';

/**
 * `npx tsx bench/scale-out.ts [--count N] [--instances 1,2]`: the throughput of
 * the scaled-out layout (docs/deployment.md) with one and with two server
 * instances: Debian's Mosquitto, Redis and InfluxDB, N instances as processes
 * (MQTT_URL, REDIS_URL, STORE=influx), and the bench's load process publishing
 * `count` readings at QoS 1 from 8 devices as fast as the broker takes them.
 * The rate is readings stored in InfluxDB (raw, rollups written) per second,
 * from the load's "go" to the last one counted there. Everything runs on this
 * machine: the engines, the instances and the load share its cores.
 */
const { values } = parseArgs({ options: { count: { type: 'string', default: '40000' }, instances: { type: 'string', default: '1,2' } } });
const count = Number(values.count);
const runs = (values.instances ?? '1,2').split(',').map(Number);
for (const e of [mosquittoAvailable(), redisAvailable(), influxdAvailable()]) if (!e.ok) throw new Error(e.reason);

const devices: LoadDevice[] = POWER_DEVICES.map(([id, point]) => ({ id, point }));

async function rawCount(url: string, db: string): Promise<number> {
  const res = await fetch(`${url}/query?db=${db}&q=${encodeURIComponent('SELECT count("value") FROM "raw"."reading"')}`);
  const body = (await res.json()) as { results: Array<{ series?: Array<{ values: [string, number][] }> }> };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

/** Readings the 1-minute rollups count: equal to the raw count when the rollups are exact. */
async function rollupCount(url: string, db: string): Promise<number> {
  const res = await fetch(`${url}/query?db=${db}&q=${encodeURIComponent('SELECT sum("count") FROM "rollups"."reading_1m"')}`);
  const body = (await res.json()) as { results: Array<{ series?: Array<{ values: [string, number][] }> }> };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

async function run(instances: number): Promise<{ instances: number; readings: number; publishedPerS: number; storedPerS: number; inRollups: number }> {
  // docs/deployment.md's settings. Mosquitto's default max_queued_messages (1000 per
  // client) drops what a server instance has not taken yet while its store catches
  // up; its default max_inflight_messages (20) would let an instance, which
  // acknowledges once a batch is stored, take 20 messages per batch.
  const [broker, redis, influx] = await Promise.all([startMosquitto({ extra: ['max_queued_messages 1000000', 'max_queued_bytes 0', 'max_inflight_messages 0', 'upgrade_outgoing_qos true'] }), startRedis(), startInfluxd()]);
  const db = `lnm_bench_${instances}`;
  const procs = Array.from({ length: instances }, (_, i) =>
    spawnServer({ HTTP_PORT: '0', HOST: '127.0.0.1', DATA_DIR: tempDir(), SIMULATOR: 'off', LOG_LEVEL: 'warn', MQTT_URL: broker.url, REDIS_URL: redis.url, STORE: 'influx', INFLUX_URL: `${influx.url}/${db}`, INSTANCE_ID: `bench-${i}` }),
  );
  try {
    for (const p of procs) {
      const deadline = Date.now() + 60_000;
      while (!/Dashboard: /.test(p.output())) {
        if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`an instance did not start:\n${p.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const { goAt, result } = await startLoad({ siteId: SITE, publish: { mqttUrl: broker.url, devices, qos: 1, count, t0: Date.now() - 50 * 60_000 } });
    const done = await result;
    let stored = 0;
    while (stored < count) {
      await new Promise((r) => setTimeout(r, 100));
      stored = await rawCount(influx.url, db);
      if (performance.now() - goAt > 240_000) throw new Error(`only ${stored} of ${count} readings stored after 4 min\n${procs.map((p) => p.output().slice(-3000)).join('\n')}`);
    }
    const storedAt = performance.now();
    // The rollups of the last batch are written just after its raw readings.
    await new Promise((r) => setTimeout(r, 2000));
    return { instances, readings: count, publishedPerS: Math.round(count / ((done.doneAt - goAt) / 1000)), storedPerS: Math.round(count / ((storedAt - goAt) / 1000)), inRollups: await rollupCount(influx.url, db) };
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await Promise.all([broker.stop(), redis.stop(), influx.close()]);
  }
}

const results = [];
for (const n of runs) {
  const r = await run(n);
  console.log(JSON.stringify(r));
  results.push(r);
}
console.table(results);
