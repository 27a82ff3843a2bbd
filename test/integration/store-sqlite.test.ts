import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger';
import { SQLITE_FILE, openSqliteStore } from '../../server/store/sqlite';
import type { Store } from '../../server/store/types';
import { COUNTER, GAUGE, reference, storeContract } from '../contract/store.contract';
import { tempDir } from '../helpers/server';
import { testNow } from '../helpers/clock';

const log = createLogger('silent')('store');

storeContract('SQLite store', async () => {
  const dataDir = tempDir('lnm-sqlite-');
  const opened: Store[] = [];
  // Long flush interval: only flush(), batch size and close() write, as the tests expect.
  const open = async () => {
    const store = openSqliteStore({ dataDir, log, flushIntervalMs: 60_000, now: testNow });
    opened.push(store);
    return store;
  };
  return {
    store: await open(),
    reopen: open,
    async cleanup() {
      for (const s of opened) await s.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

describe('SQLite store, its data directory', () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  it('holds ingest back while more readings wait for the writer thread than it allows, then lets it go on', async () => {
    dataDir = tempDir('lnm-sqlite-');
    const store = openSqliteStore({ dataDir, log, flushIntervalMs: 60_000, maxWaiting: 2_000, now: testNow });
    try {
      store.upsertSeries([GAUGE]);
      expect(store.whenWritable?.()).toBeUndefined();
      const t0 = Math.floor(testNow() / 86_400_000) * 86_400_000 - 86_400_000;
      // 20,000 readings handed over in one turn of the event loop: the writer cannot have answered yet.
      for (let b = 0; b < 20; b++) store.write(Array.from({ length: 1000 }, (_, i) => ({ seriesId: GAUGE.id, ts: t0 + (b * 1000 + i) * 1000, value: i })));
      const held = store.whenWritable?.();
      expect(held).toBeInstanceOf(Promise);
      await held;
      // Let go once at most half the bound waits, not before.
      expect(store.stats().pending).toBeLessThanOrEqual(1_000);
      await store.flush();
      expect(store.whenWritable?.()).toBeUndefined();
      expect(store.stats()).toMatchObject({ pending: 0, written: 20_000, state: 'up' });
    } finally {
      await store.close();
    }
  });

  it("counts a raw answer's first step from the latest reading before it, raw or rolled up only", async () => {
    // A raw reading retention kept (written while recent), then an older-than-retention
    // reading written to the minutes only (a backfill): the meter's step into the raw
    // answer is from the later one.
    dataDir = tempDir('lnm-sqlite-');
    const DAY = 86_400_000;
    const real = testNow();
    let clock = real - 10 * DAY;
    const store = openSqliteStore({ dataDir, log, flushIntervalMs: 60_000, now: () => clock });
    try {
      store.upsertSeries([COUNTER]);
      const day = (n: number) => Math.floor((real - n * DAY) / DAY) * DAY;
      store.write([{ seriesId: COUNTER.id, ts: day(35), value: 100 }]);
      await store.flush();
      clock = real;
      store.write([{ seriesId: COUNTER.id, ts: day(32), value: 400 }]);
      store.write([{ seriesId: COUNTER.id, ts: day(20), value: 450 }]);
      await store.flush();
      expect((await store.history(COUNTER.id, day(40), real, 10)).points.map((p) => p[1])).toEqual([100, 450]);
      const answer = await store.query(COUNTER.id, { from: day(25), to: real, resolution: 'raw' });
      expect(answer.buckets.map((b) => [b.last, b.increase])).toEqual([[450, 50]]);
    } finally {
      await store.close();
    }
  });

  it('rolls up the readings an existing (schema 2) data directory already holds when it upgrades', async () => {
    dataDir = tempDir('lnm-sqlite-');
    const db = new Database(path.join(dataDir, SQLITE_FILE));
    db.exec(`CREATE TABLE series (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, device_id TEXT NOT NULL, point TEXT NOT NULL, unit TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL, zone TEXT NOT NULL);
      CREATE TABLE readings (series INTEGER NOT NULL REFERENCES series(key), ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;
      ALTER TABLE series ADD COLUMN states TEXT;
      PRAGMA user_version = 2;`);
    const add = db.prepare('INSERT INTO series (id, device_id, point, unit, kind, label, zone) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const s of [GAUGE, COUNTER]) add.run(s.id, s.deviceId, s.point, s.unit, s.kind, s.label, s.zone);
    const d = Math.floor(testNow() / 86_400_000) * 86_400_000 - 2 * 86_400_000;
    const meter = Array.from({ length: 3000 }, (_, i) => ({ seriesId: COUNTER.id, ts: d + i * 37_000, value: i === 1700 ? 3 : i < 1700 ? 500 + i * 2 : 3 + (i - 1700) * 3 }));
    const gauge = Array.from({ length: 3000 }, (_, i) => ({ seriesId: GAUGE.id, ts: d + i * 29_000, value: 19 + (i % 17) / 4 }));
    const insert = db.prepare('INSERT INTO readings (series, ts, value) VALUES ((SELECT key FROM series WHERE id = ?), ?, ?)');
    db.transaction(() => {
      for (const r of [...meter, ...gauge]) insert.run(r.seriesId, r.ts, r.value);
    })();
    db.close();

    const store = openSqliteStore({ dataDir, log, now: testNow });
    try {
      const range = { from: d, to: d + 2 * 86_400_000 - 1, maxPoints: 100_000 };
      for (const resolution of ['1m', '1h', '1d'] as const) {
        expect((await store.query(COUNTER.id, { ...range, resolution })).buckets).toEqual(reference(meter, resolution, true).map((b) => ({ ...b, increase: expect.closeTo(b.increase ?? 0, 6) as number })));
        const gaugeBuckets = (await store.query(GAUGE.id, { ...range, resolution })).buckets;
        expect(gaugeBuckets.map((b) => [b.t, b.count, b.min, b.max, b.last, b.increase])).toEqual(reference(gauge, resolution, false).map((b) => [b.t, b.count, b.min, b.max, b.last, b.increase]));
      }
      // Later readings continue the same rollups.
      store.write([{ seriesId: COUNTER.id, ts: d + 3000 * 37_000, value: 4000 }]);
      const last = (await store.query(COUNTER.id, { ...range, resolution: '1d' })).buckets;
      expect(last.reduce((a, b) => a + (b.increase ?? 0), 0)).toBeCloseTo(reference([...meter, { seriesId: COUNTER.id, ts: d + 3000 * 37_000, value: 4000 }], '1d', true).reduce((a, b) => a + (b.increase ?? 0), 0), 6);
    } finally {
      await store.close();
    }
  });
});
