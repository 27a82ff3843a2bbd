import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertListResponse } from '../../shared/alerts';
import type { AlertEvent } from '../../shared/alerts';
import type { RunningServer } from '../../server/app';
import { io } from 'socket.io-client';
import { freePort } from '../helpers/mosquitto';
import { health, PowerPublisher, storedCount } from '../helpers/faults';
import { getJson, startTestServer, tempDir, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * The store cannot keep what it is given: a disk that is full (SQLite), a spool
 * that is full while InfluxDB is away. The server says so (/api/health, the
 * "storage failing" alert) and loses nothing silently: readings are kept in
 * memory and written once the disk has room, or refused and counted.
 *
 * The full disk is a real one: a small tmpfs mounted on DATA_DIR, filled with a
 * file. (A read-only remount is not possible while SQLite holds its files open
 * for writing: the kernel answers EBUSY; a full disk is what a failing or
 * read-only disk looks like to SQLite anyway: every write fails.)
 */
const mounts: string[] = [];
const servers: RunningServer[] = [];
const publishers: PowerPublisher[] = [];

afterEach(async () => {
  for (const p of publishers.splice(0)) await p.close();
  for (const s of servers.splice(0)) await s.close().catch(() => undefined);
  for (const m of mounts.splice(0)) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      // already gone
    }
  }
});

function smallDisk(mb: number): string {
  const dir = tempDir('lnm-small-disk-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Fills the file system of `dir` with one file; returns its path. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

async function storageAlert(base: string): Promise<AlertListResponse['alerts'][number] | undefined> {
  const { body } = await getJson<AlertListResponse>(`${base}/api/v1/alerts?limit=100`);
  return body.alerts.find((a) => a.ruleId === 'system.storage-failing');
}

/** Mounting a tmpfs needs root (CI runs as root; there a missing right fails the test). */
const root = process.getuid?.() === 0;
const fullDisk = root || process.env.CI ? it : it.skip;

describe('faults: storage that cannot keep readings', () => {
  fullDisk('SQLite on a full disk: the server says so in /api/health and raises "storage failing", keeps every reading in memory, and writes them all once the disk has room', async () => {
    const dataDir = smallDisk(24);
    const server = await startTestServer({ DATA_DIR: dataDir });
    servers.push(server);
    const base = `http://127.0.0.1:${server.httpPort}`;
    const t0 = testNow();
    const pub = new PowerPublisher(`mqtt://127.0.0.1:${server.mqttPort}`, dataDir);
    publishers.push(pub);
    await pub.connect();
    await pub.publish(500);
    await waitFor(async () => (await health(base)).store.written === pub.total, 'the first readings written');
    expect((await health(base)).store.error).toBeUndefined();

    // A dashboard is open: it hears of the alert even while the alerts' own database (on the same disk) cannot save it.
    const dashboard = io(base, { auth: { token: server.adminToken }, transports: ['websocket'] });
    const raised: AlertEvent[] = [];
    dashboard.on('alert:raised' as never, (e: AlertEvent) => {
      raised.push(e);
    });
    await waitFor(() => dashboard.connected, 'the dashboard connected');

    const filler = fill(dataDir);
    // Devices go on publishing: the disk refuses the writes (SQLITE_FULL).
    let failing: Awaited<ReturnType<typeof health>> | undefined;
    for (let i = 0; i < 60 && !failing; i++) {
      await pub.publish(1000);
      const h = await health(base);
      if (h.store.error) failing = h;
      else await new Promise((r) => setTimeout(r, 500));
    }
    if (!failing) throw new Error(`the store never said it was failing: ${JSON.stringify(await health(base))}`);
    expect(failing.status).toBe('degraded');
    expect(failing.store.state).toBe('degraded');
    expect(failing.store.error).toMatch(/readings (waiting|kept) in memory/);
    expect(failing.store.pending).toBeGreaterThan(0);
    const pushed = await waitFor(() => raised.find((e) => e.alert.ruleId === 'system.storage-failing'), 'the "storage failing" alert on the dashboard');
    expect(pushed.alert).toMatchObject({ kind: 'system', severity: 'critical', state: 'active', target: { id: 'server' } });
    expect(pushed.alert.message).toMatch(/stockage/i);
    dashboard.close();
    // Nothing refused: all of it waits in memory.
    expect(failing.store.dropped).toBe(0);
    await pub.publish(1000);

    // Room again: every reading is written, the alert clears.
    fs.rmSync(filler);
    const h = await waitFor(
      async () => {
        const x = await health(base);
        return x.store.pending === 0 && !x.store.error && x;
      },
      'the store writing again',
      30_000,
    );
    expect(h.status).toBe('ok');
    expect(h.store.written).toBe(pub.total);
    expect(h.ingest.accepted).toBe(pub.total);
    // Saved once the disk had room, with the time it was raised, and cleared.
    const kept = await waitFor(async () => {
      const a = await storageAlert(base);
      return a?.state === 'cleared' && a;
    }, 'the alert saved and cleared');
    expect(kept.raisedAt).toBe(pushed.alert.raisedAt);
    for (const [seriesId, ts] of pub.acked) expect(await storedCount(base, seriesId, t0 - 60_000, testNow()), seriesId).toBe(ts.length);
  }, 120_000);

  fullDisk('InfluxDB away and the spool on a full disk: readings kept in memory, the error in /api/health and the alert, then all spooled once the disk has room', async () => {
    const dataDir = smallDisk(16);
    const server = await startTestServer({ DATA_DIR: dataDir, STORE: 'influx', INFLUX_URL: `http://127.0.0.1:${await freePort()}/lenumerique`, STORE_FLUSH_MS: '100' });
    servers.push(server);
    const base = `http://127.0.0.1:${server.httpPort}`;
    const pub = new PowerPublisher(`mqtt://127.0.0.1:${server.mqttPort}`, dataDir);
    publishers.push(pub);
    await pub.connect();
    await pub.publish(100);
    await waitFor(async () => (await health(base)).store.spooled === pub.total, 'the first readings spooled');
    const dashboard = io(base, { auth: { token: server.adminToken }, transports: ['websocket'] });
    const raised: AlertEvent[] = [];
    dashboard.on('alert:raised' as never, (e: AlertEvent) => {
      raised.push(e);
    });
    await waitFor(() => dashboard.connected, 'the dashboard connected');

    const filler = fill(dataDir);
    await pub.publish(1000);
    const h = await waitFor(async () => {
      const x = await health(base);
      return x.store.error !== undefined && x;
    }, 'the spool write failing');
    expect(h.store.error).toMatch(/cannot write the spool.*ENOSPC/);
    expect(h.store.dropped).toBe(0);
    expect((h.store.spooled ?? 0) + h.store.pending).toBe(pub.total);
    // The alert reaches the dashboard while its own database (on the full disk) cannot save it.
    await waitFor(() => raised.find((e) => e.alert.ruleId === 'system.storage-failing'), 'the "storage failing" alert on the dashboard');
    dashboard.close();

    fs.rmSync(filler);
    const after = await waitFor(async () => {
      const x = await health(base);
      return x.store.pending === 0 && x.store.error === undefined && x;
    }, 'the readings spooled once the disk has room');
    expect(after.store.spooled).toBe(pub.total);
    expect(after.store.dropped).toBe(0);
    expect(fs.readdirSync(path.join(dataDir, 'influx-spool')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // The alert, raised while its own database was on the full disk, is kept: raised, then cleared.
    const alert = await waitFor(async () => {
      const a = await storageAlert(base);
      return a?.state === 'cleared' && a;
    }, 'the alert saved and cleared');
    expect(alert.message).toMatch(/cannot write the spool/);
  }, 90_000);

  it('InfluxDB away and its spool full: readings beyond the bound are refused, counted in /api/health and said by the "storage failing" alert, none lost silently', async () => {
    const dataDir = tempDir();
    // Nothing listens on this port: InfluxDB is down for the whole test.
    const server = await startTestServer({ DATA_DIR: dataDir, STORE: 'influx', INFLUX_URL: `http://127.0.0.1:${await freePort()}/lenumerique`, INFLUX_SPOOL_MAX_MB: '1', STORE_FLUSH_MS: '100' });
    servers.push(server);
    const base = `http://127.0.0.1:${server.httpPort}`;
    const pub = new PowerPublisher(`mqtt://127.0.0.1:${server.mqttPort}`, dataDir);
    publishers.push(pub);
    await pub.connect();
    // A 1 MiB spool holds about 25,000 readings: publish 64,000.
    for (let i = 0; i < 8; i++) await pub.publish(1000);
    const h = await waitFor(
      async () => {
        const x = await health(base);
        return x.store.pending === 0 && x.store.error !== undefined && x;
      },
      'the spool full',
      30_000,
    );
    expect(h.status).toBe('degraded');
    expect(h.store.error).toMatch(/spool full/);
    expect(h.store.spooledBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(h.store.dropped).toBeGreaterThan(0);
    // Every reading ingest accepted is either in the spool or refused and counted.
    expect(h.ingest.accepted).toBe(pub.total);
    expect((h.store.spooled ?? 0) + h.store.dropped).toBe(pub.total);
    expect(fs.readdirSync(path.join(dataDir, 'influx-spool')).length).toBeGreaterThan(0);
    const alert = await waitFor(() => storageAlert(base), 'the "storage failing" alert');
    expect(alert).toMatchObject({ kind: 'system', state: 'active', severity: 'critical' });
    expect(alert.message).toMatch(/spool full/);
  }, 90_000);
});
