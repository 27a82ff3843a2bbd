import Database from 'better-sqlite3';
import { DAY, HOUR } from './rollup';

/**
 * The SQLite file's schema and its connections' settings, shared by the store's
 * reading connection (the event loop) and its writer (a worker thread, see
 * sqlite-writer.ts).
 */

/**
 * Versioned migrations, applied in order and recorded in PRAGMA user_version,
 * so an old data directory upgrades itself at start-up.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE series (
     key INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     device_id TEXT NOT NULL,
     point TEXT NOT NULL,
     unit TEXT NOT NULL,
     kind TEXT NOT NULL,
     label TEXT NOT NULL,
     zone TEXT NOT NULL
   );
   -- One row per (series, instant): a repeated reading is stored once.
   -- WITHOUT ROWID keeps rows clustered by series then time, the order of every range query.
   CREATE TABLE readings (
     series INTEGER NOT NULL REFERENCES series(key),
     ts INTEGER NOT NULL,
     value REAL NOT NULL,
     PRIMARY KEY (series, ts)
   ) WITHOUT ROWID;`,
  // 2: state points (inverter, charger) keep their state names, indexed by the stored value.
  `ALTER TABLE series ADD COLUMN states TEXT;`,
  // 3: rollups by UTC minute, hour and day (docs/storage.md), kept when retention deletes
  // raw readings; raw_from: raw readings of the series are complete from this time on.
  // An existing data directory gets the rollups of the readings it already holds.
  `ALTER TABLE series ADD COLUMN raw_from INTEGER;
   CREATE TABLE rollup_1m (
     series INTEGER NOT NULL REFERENCES series(key),
     t INTEGER NOT NULL,
     count INTEGER NOT NULL,
     sum REAL NOT NULL,
     min REAL NOT NULL,
     max REAL NOT NULL,
     first REAL NOT NULL,
     first_ts INTEGER NOT NULL,
     last REAL NOT NULL,
     last_ts INTEGER NOT NULL,
     inc_inner REAL NOT NULL,
     increase REAL,
     PRIMARY KEY (series, t)
   ) WITHOUT ROWID;
   CREATE TABLE rollup_1h (
     series INTEGER NOT NULL REFERENCES series(key),
     t INTEGER NOT NULL,
     count INTEGER NOT NULL,
     sum REAL NOT NULL,
     min REAL NOT NULL,
     max REAL NOT NULL,
     last REAL NOT NULL,
     increase REAL,
     PRIMARY KEY (series, t)
   ) WITHOUT ROWID;
   CREATE TABLE rollup_1d (
     series INTEGER NOT NULL REFERENCES series(key),
     t INTEGER NOT NULL,
     count INTEGER NOT NULL,
     sum REAL NOT NULL,
     min REAL NOT NULL,
     max REAL NOT NULL,
     last REAL NOT NULL,
     increase REAL,
     PRIMARY KEY (series, t)
   ) WITHOUT ROWID;
   INSERT INTO rollup_1m (series, t, count, sum, min, max, first, first_ts, last, last_ts, inc_inner, increase)
   SELECT series, m, count(*), sum(value), min(value), max(value),
          max(CASE WHEN ts = f_ts THEN value END), min(ts), max(CASE WHEN ts = l_ts THEN value END), max(ts),
          CASE WHEN max(counter) THEN total(CASE WHEN prev_ts >= m THEN step END) ELSE 0 END,
          CASE WHEN max(counter) THEN total(step) END
   FROM (
     SELECT series, ts, value, m, counter, prev_ts,
            CASE WHEN prev IS NULL THEN 0 WHEN value >= prev THEN value - prev ELSE value END AS step,
            min(ts) OVER (PARTITION BY series, m) AS f_ts,
            max(ts) OVER (PARTITION BY series, m) AS l_ts
     FROM (
       SELECT r.series, r.ts, r.value, (r.ts / 60000) * 60000 AS m, s.kind = 'counter' AS counter,
              lag(r.value) OVER w AS prev, lag(r.ts) OVER w AS prev_ts
       FROM readings r JOIN series s ON s.key = r.series
       WINDOW w AS (PARTITION BY r.series ORDER BY r.ts)
     )
   )
   GROUP BY series, m;
   ${coarseSql('rollup_1m', 'rollup_1h', HOUR, '')}
   ${coarseSql('rollup_1h', 'rollup_1d', DAY, '')}`,
];

/** Recomputes the `size` buckets of `dst` from the finer rows of `src` (all series, or `where`). */
export function coarseSql(src: string, dst: string, size: number, where: string): string {
  return `INSERT OR REPLACE INTO ${dst} (series, t, count, sum, min, max, last, increase)
    SELECT series, b, sum(count), sum(sum), min(min), max(max), max(CASE WHEN rn = 1 THEN last END), sum(increase)
    FROM (SELECT series, count, sum, min, max, last, increase, (t / ${size}) * ${size} AS b,
                 row_number() OVER (PARTITION BY series, t / ${size} ORDER BY t DESC) AS rn
          FROM ${src} ${where})
    GROUP BY series, b;`;
}

/** The server's logger, or the writer thread's stand-in for it. */
export interface SchemaLog {
  info(obj: object, msg: string): void;
}

export interface OpenDatabaseOptions {
  /** The writer: a larger page cache and fewer checkpoints (see below). */
  writer?: boolean;
  /** Run the migrations (the first connection opened, before the writer starts). */
  migrate?: boolean;
  log: SchemaLog;
}

export function openDatabase(file: string, opts: OpenDatabaseOptions): Database.Database {
  const db = new Database(file);
  // WAL lets the API read while ingest writes; NORMAL sync is durable across a
  // process crash and only risks the last transaction on power loss (sqlite.org/wal.html).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // The two connections take turns on the write lock (the reader only for series
  // metadata and retention's bookkeeping): wait for it rather than fail.
  db.pragma('busy_timeout = 10000');
  if (opts.writer) {
    // Every series has its insertion point in each of four tables (raw, 1m, 1h, 1d):
    // 142 series x 4 leaf pages and their parents, about 2.7 MB, which the 2 MB
    // default cache (sqlite.org/pragma.html#pragma_cache_size) would evict while the
    // next batch dirties them again. 4 MB holds them. It was 16 MB: the writer alone
    // backfilled no faster than at 4 MB (bench/history.ts, sqliteWriterAlone), and
    // under a steady 5,000 readings/s the larger cache took minutes to fill, the
    // server's RSS climbing with it (docs/performance.md, "Memory").
    db.pragma('cache_size = -4096');
    // A checkpoint copies the WAL into the database and syncs it; every 1,000 pages
    // (the default) it ran several times a second during a backfill and doubled its
    // time on this machine's disk. 10,000 pages: a WAL of up to about 40 MB.
    db.pragma('wal_autocheckpoint = 10000');
  }
  if (opts.migrate) migrate(db, opts.log);
  return db;
}

function migrate(db: Database.Database, log: SchemaLog): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    const started = Date.now();
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
    log.info({ version: v + 1, ms: Date.now() - started }, 'schema migrated');
  }
}
