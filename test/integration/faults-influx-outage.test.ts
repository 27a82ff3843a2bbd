import { afterAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { health, PowerPublisher, storedTimes } from '../helpers/faults';
import { type RunningInfluxd, influxdAvailable, startInfluxd } from '../helpers/influxd';
import { startTestServer, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * InfluxDB goes away for a whole minute while eight devices keep publishing, then
 * comes back: every reading the broker acknowledged is in InfluxDB afterwards,
 * exactly once, series by series (docs/storage.md, "The spool").
 */
const available = influxdAvailable();
let influxd: RunningInfluxd | undefined;
let server: (RunningServer & { dataDir: string }) | undefined;
let pub: PowerPublisher | undefined;

afterAll(async () => {
  await pub?.close();
  await server?.close();
  await influxd?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!available.ok)(`faults: InfluxDB away for 60 s${available.ok ? '' : ` (${available.reason})`}`, () => {
  it('InfluxDB stopped for 60 s while devices publish, then started again: every acknowledged reading stored, exactly once', async () => {
    influxd = await startInfluxd();
    server = await startTestServer({ STORE: 'influx', INFLUX_URL: `${influxd.url}/lenumerique_outage`, STORE_FLUSH_MS: '200' });
    const base = `http://127.0.0.1:${server.httpPort}`;
    pub = new PowerPublisher(`mqtt://127.0.0.1:${server.mqttPort}`, server.dataDir);
    await pub.connect();
    const t0 = testNow();
    // 8 devices, 20 readings each every 200 ms: 800 readings/s, before, during and after the outage.
    let publishing = true;
    const loop = (async () => {
      for (let tick = testNow(); publishing; tick += 200) {
        await sleep(Math.max(0, tick - testNow()));
        await pub?.publish(20, 20);
      }
    })();
    try {
      await sleep(3_000);
      await influxd.stop();
      const down = await waitFor(async () => {
        const h = await health(base);
        return h.store.state === 'degraded' && (h.store.spooled ?? 0) > 0 && h;
      }, 'the spool in /api/health');
      expect(down.status).toBe('degraded');
      await sleep(60_000);
      const during = await health(base);
      expect(during.store.dropped).toBe(0);
      expect(during.store.spooled).toBeGreaterThan(40_000);
      await influxd.restart();
      await sleep(3_000);
    } finally {
      publishing = false;
      await loop;
    }
    const end = testNow();
    const h = await waitFor(
      async () => {
        const x = await health(base);
        return x.store.state === 'up' && x.store.spooled === 0 && x.store.pending === 0 && x;
      },
      'the spool written',
      60_000,
    );
    expect(h.store.dropped).toBe(0);
    expect(pub.failed).toBe(0);
    let stored = 0;
    for (const [seriesId, sent] of pub.acked) {
      const got = await storedTimes(base, seriesId, t0 - 1_000, end);
      expect(got.length, seriesId).toBe(sent.length);
      expect(got).toEqual(sent);
      stored += got.length;
    }
    expect(stored).toBe(pub.total);
    // `written` counts a reading once, when a batch stores it: a batch InfluxDB took part of
    // before it stopped is replayed whole, and what it had already stored counts as duplicates.
    expect(h.store.written).toBeLessThanOrEqual(pub.total);
    process.stdout.write(`influx outage: ${pub.total} readings published, ${stored} stored (${h.store.written} counted as written)\n`);
  }, 150_000);
});
