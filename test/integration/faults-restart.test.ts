import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRETS_DIR, SIMULATOR_SECRETS } from '../../server/auth/provision';
import { health, type ServerProcess, startServerProcess, storedTimes } from '../helpers/faults';
import { freePort } from '../helpers/mosquitto';
import { type Spawned, spawnTs } from '../helpers/process';
import { getJson, tempDir, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * The server restarts while the whole simulated building goes on publishing from
 * a process of its own (as real devices would): the devices keep their readings
 * while the broker is away (store-and-forward) and send them on reconnection.
 * SIGTERM loses nothing; SIGKILL may lose what the store had not flushed yet, at
 * most STORE_FLUSH_MS (200 ms, docs/storage.md): one reading per series at most,
 * at the moment of the kill.
 */
const PERIOD_MS = 1000;
const running: Spawned[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults: server restarts under the running building', () => {
  it('after a SIGTERM restart no series has a gap longer than its period; after a SIGKILL restart, at most the readings of the last flush interval before the kill are missing', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, HTTP_PORT: String(await freePort()), MQTT_PORT: String(await freePort()) };
    const start = async () => {
      const s = await startServerProcess(env);
      running.push(s);
      return s;
    };
    let server: ServerProcess = await start();
    const sim = spawnTs('simulator/cli.ts', {}, ['--broker', `mqtt://127.0.0.1:${env.MQTT_PORT}`, '--credentials', path.join(dataDir, SECRETS_DIR, SIMULATOR_SECRETS), '--period', String(PERIOD_MS), '--log-level', 'warn']);
    running.push(sim);
    const t0 = testNow();
    await waitFor(async () => (await health(server.base)).store.written > 0, 'the first readings', 30_000);
    await sleep(4_000);

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    const termAt = testNow();
    await sleep(3_000); // readings taken while nobody listens
    server = await start();
    await sleep(5_000);
    // The kill comes once every device has caught up (its latest reading fresh): a backlog the
    // broker acknowledged in the last STORE_FLUSH_MS before a kill is lost whole, however old
    // its readings (docs/reliability.md, "Restarts"); caught-up devices lose one reading at most.
    await waitFor(
      async () => {
        const { body } = await getJson<{ readings: { seriesId: string; ts: number }[] }>(`${server.base}/api/v1/latest`);
        const now = testNow();
        return body.readings.length > 100 && body.readings.every((r) => r.ts >= now - 3 * PERIOD_MS);
      },
      'every device caught up',
      60_000,
    );

    server.child.kill('SIGKILL');
    await server.exited;
    const killAt = testNow();
    await sleep(3_000);
    server = await start();
    await sleep(5_000);

    // The simulator stops cleanly: what it still holds is sent first.
    sim.child.kill('SIGTERM');
    expect((await sim.exited).code).toBe(0);
    const end = testNow();
    await waitFor(async () => (await health(server.base)).store.pending === 0, 'everything written');

    const { body } = await getJson<{ series: { id: string }[] }>(`${server.base}/api/v1/series`);
    let checked = 0;
    let missingAtKill = 0;
    const problems: string[] = [];
    for (const { id } of body.series) {
      const ts = await storedTimes(server.base, id, t0, end);
      if (ts.length === 0) continue; // not a series the devices publish (none of its readings at all)
      checked++;
      expect(ts[0], `${id} starts`).toBeLessThan(termAt);
      for (let i = 1; i < ts.length; i++) {
        const a = ts[i - 1] as number;
        const b = ts[i] as number;
        if (b - a <= 1.5 * PERIOD_MS) continue;
        // A reading lost to the kill: acknowledged by the broker, not yet flushed. One at most, at the kill.
        if (a <= killAt && b >= killAt - 1_000 && b - a <= 2.5 * PERIOD_MS) {
          missingAtKill++;
          continue;
        }
        problems.push(`${id}: ${b - a} ms without a reading from ${new Date(a).toISOString()} (SIGTERM at ${new Date(termAt).toISOString()}, SIGKILL at ${new Date(killAt).toISOString()})`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(100);
    process.stdout.write(`restart: ${checked} series checked, ${missingAtKill} lost a reading to the SIGKILL\n`);
  }, 120_000);
});
