import fs from 'node:fs';
import path from 'node:path';
import { InfluxDB, escape } from 'influx';
import type { Reading, Series } from '../../shared/api';
import { DEFAULT_SITE_ID } from '../../shared/topics';
import { type CoarseRow, DAY, HOUR, MINUTE, type MinuteRow, type Point, applyPoints, bucketsOf, bySeries, combine, floorTo, minutesNeedingRaw, minuteRow, planQuery, pointsLimit, queryStart, rangesOf, rawBuckets, sortDistinct, toBucket } from './rollup';
import { fieldsLine, line, lineWriter, seriesKey } from './influx-lines';
import { Spool, type SpoolBatch, SpoolFullError } from './spool';
import { DEFAULT_RAW_RETENTION_DAYS, type RangeResult, type Store, type StoreLog, type StoreStats, StoreUnavailableError } from './types';

/**
 * The InfluxDB 1.x backend (docs/storage.md).
 *
 * Layout, in the database named by the URL path:
 * - retention policy "raw" (default, `${rawRetentionDays}d`): measurement
 *   "reading", field "value", tags series, site, device, point, zone, unit, kind;
 * - retention policy "rollups" (INF): measurements "reading_1m", "reading_1h",
 *   "reading_1d", same tags, fields count, sum, mean, min, max, last and, for
 *   counters, increase; reading_1m also first, first_ts, last_ts, inc_inner (what
 *   merging a late reading needs).
 *
 * Rollups are computed here, on every batch, with the same code as SQLite
 * (rollup.ts), not by continuous queries: a CQ only looks at the last interval,
 * so a late reading would never reach its bucket, and InfluxQL has no counter
 * increase that counts a reset from zero and the step across a bucket boundary.
 *
 * Every batch goes through the on-disk spool in dataDir, and leaves it only when
 * InfluxDB has it, raw readings and rollups: an outage fills the spool (up to
 * spoolMaxBytes), the batches are written in order once the database answers,
 * and a batch interrupted by a crash is written again at start-up (writes are
 * idempotent, a replayed reading is a duplicate).
 */

export interface InfluxStoreOptions {
  /** http://host:port/database (user:password@ if the server wants them). */
  url: string;
  /** The spool and the series metadata live here. */
  dataDir: string;
  log: StoreLog;
  /** Readings per batch (one spool file, one write of raw points). Default 5,000. */
  batchSize?: number;
  /** A batch is cut when its oldest reading is this old. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** Duration of the "raw" retention policy. Default 30. */
  rawRetentionDays?: number;
  /** The spool never grows past this; beyond it batches are dropped, logged and counted. Default 256 MiB. */
  spoolMaxBytes?: number;
  /** Value of the "site" tag. Default DEFAULT_SITE_ID. */
  siteId?: string;
  /** While InfluxDB cannot be reached, try again this often. Default 1,000 ms. */
  retryMs?: number;
  /** The clock that says which readings raw retention has already expired. */
  now?: () => number;
  /**
   * Runs each batch write, rollups included, alone among every instance of the site
   * (scaled out: a Redis lock, server/scale/lock.ts). A batch's rollups are read,
   * merged and written back: two instances doing that at once for the same minute
   * would each write their own sum, and one would be lost.
   */
  serialize?: <T>(write: () => Promise<T>) => Promise<T>;
  /** Told when stats() may have changed: readings spooled, a group written, the database lost or found (influx-worker.ts). */
  onChange?: () => void;
}

export const INFLUX_SERIES_FILE = 'influx-series.json';
export const INFLUX_SPOOL_DIR = 'influx-spool';
export const RAW_RP = 'raw';
export const ROLLUP_RP = 'rollups';
export const MEASUREMENT = 'reading';
const ROLLUP_MEASUREMENT = { '1m': 'reading_1m', '1h': 'reading_1h', '1d': 'reading_1d' } as const;
/** Points per HTTP write, statements per HTTP query. */
const WRITE_CHUNK = 5_000;
const STATEMENT_CHUNK = 50;
/** Readings of consecutive spool batches written together when they wait (pump). */
const GROUP_READINGS = 20_000;
/** Raw-reading writes in flight at once: InfluxDB takes them on several cores. */
const RAW_WRITES_IN_FLIGHT = 2;
/** How long a read waits for the spool to be written before it answers from what is stored. */
const READ_WAIT_MS = 5_000;

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/**
 * What a database that is stopping or starting says inside a 200 answer (InfluxDB
 * 1.x puts a statement's error in the body, not in the status): "query engine
 * shutdown", "engine is closed", "shard 3 closed", "timeout". The database is away,
 * not refusing the batch.
 */
const GOING_AWAY = /engine (is )?(shutdown|closed)|shard \d+ (is )?closed|store is closed|server is shutting down|^InfluxDB: timeout\b/i;

/** A network failure, a 5xx or a database on its way down or up: wait and try again. */
function unreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (err.name === 'ServiceNotAvailableError' || err.constructor.name === 'ServiceNotAvailableError') return true;
  if (GOING_AWAY.test(err.message)) return true;
  const status = (err as { res?: { statusCode?: number } }).res?.statusCode;
  return typeof status === 'number' && status >= 500;
}

/** A 4xx to a write: the points themselves are refused (unparsable, a field type conflict), whenever they are sent. */
function refusedForGood(err: unknown): boolean {
  const status = (err as { res?: { statusCode?: number } } | undefined)?.res?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 404;
}

/** Any other failure of a batch is tried this many times, retryMs apart, before it is set aside. */
const MAX_ATTEMPTS = 5;

interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}
interface InfluxResult {
  statement_id?: number;
  series?: InfluxSeries[];
  error?: string;
}

/** Rows of one result as objects, with the series tag. */
function rowsOf(result: InfluxResult | undefined): { series: string; row: Record<string, number | null> }[] {
  const out: { series: string; row: Record<string, number | null> }[] = [];
  for (const s of result?.series ?? []) {
    for (const values of s.values) {
      const row: Record<string, number | null> = {};
      s.columns.forEach((c, i) => (row[c] = (values[i] as number | null | undefined) ?? null));
      out.push({ series: s.tags?.series ?? '', row });
    }
  }
  return out;
}

const num = (v: number | null | undefined): number => v ?? 0;

function minuteFrom(row: Record<string, number | null>): MinuteRow {
  return minuteRow(num(row.time), num(row.count), num(row.sum), num(row.min), num(row.max), num(row.first), num(row.first_ts), num(row.last), num(row.last_ts), num(row.inc_inner), row.increase ?? null);
}

function coarseFrom(row: Record<string, number | null>): CoarseRow {
  return { t: num(row.time), count: num(row.count), sum: num(row.sum), min: num(row.min), max: num(row.max), last: num(row.last), increase: row.increase ?? null };
}

const MINUTE_FIELDS = '"count", "sum", "min", "max", "first", "first_ts", "last", "last_ts", "inc_inner", "increase"';
const COARSE_FIELDS = '"count", "sum", "min", "max", "last", "increase"';

/** One series' rollups in hand (openInfluxStore, `hands`). */
interface Hand {
  /** Every stored minute row from `start` to `end` (minutes, inclusive) is in `minutes`, with the nearest one on each side. */
  start: number;
  end: number;
  minutes: Map<number, MinuteRow>;
  /** Every stored hour row of these days (their starts) is in `hours`. */
  days: Set<number>;
  hours: Map<number, CoarseRow>;
}

export async function openInfluxStore(opts: InfluxStoreOptions): Promise<Store> {
  const { log } = opts;
  const batchSize = opts.batchSize ?? 5_000;
  const flushIntervalMs = opts.flushIntervalMs ?? 1_000;
  const rawRetentionDays = opts.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS;
  const spoolMaxBytes = opts.spoolMaxBytes ?? 256 * 1024 * 1024;
  const retryMs = opts.retryMs ?? 1_000;
  const siteId = opts.siteId ?? DEFAULT_SITE_ID;
  const clock = opts.now ?? Date.now;

  const url = new URL(opts.url);
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  if (!database || database.includes('/')) throw new Error(`INFLUX_URL must name the database as its path, e.g. http://localhost:8086/lenumerique (got ${opts.url})`);
  const influx = new InfluxDB({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    database,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    // We retry ourselves, in order, from the spool: the client must not hold a host down for long.
    pool: {
      maxRetries: 0,
      requestTimeout: 30_000,
      backoff: {
        getDelay: () => Math.min(retryMs, 500),
        next() {
          return this;
        },
        reset() {
          return this;
        },
      },
    },
  });
  const where = `${url.protocol}//${url.host}/${database}`;
  const writeLines = lineWriter(influx, { database, username: url.username ? decodeURIComponent(url.username) : undefined, password: url.password ? decodeURIComponent(url.password) : undefined });
  /** The escaped `reading,<tags>` of each series, made once (influx-lines.ts); a new Series object (upsertSeries) gets its own. */
  const rawKeys = new WeakMap<Series, string>();
  const rawKeyOf = (s: Series): string => {
    let key = rawKeys.get(s);
    if (key === undefined) rawKeys.set(s, (key = seriesKey(MEASUREMENT, tagsOf(s))));
    return key;
  };
  /** The same for the rollup measurements: `reading_1m,<tags>` and so on, by level. */
  const rollupKeys = new WeakMap<Series, Record<'1m' | '1h' | '1d', string>>();
  const rollupKeyOf = (s: Series, level: '1m' | '1h' | '1d'): string => {
    let keys = rollupKeys.get(s);
    if (keys === undefined) {
      const tags = tagsOf(s);
      rollupKeys.set(s, (keys = { '1m': seriesKey(ROLLUP_MEASUREMENT['1m'], tags), '1h': seriesKey(ROLLUP_MEASUREMENT['1h'], tags), '1d': seriesKey(ROLLUP_MEASUREMENT['1d'], tags) }));
    }
    return keys[level];
  };

  fs.mkdirSync(opts.dataDir, { recursive: true });
  const spoolDir = path.join(opts.dataDir, INFLUX_SPOOL_DIR);
  const failedDir = path.join(spoolDir, 'refused');
  const spool = new Spool(spoolDir, spoolMaxBytes);
  if (spool.size > 0) log.warn({ batches: spool.size, readings: spool.readings }, 'spool not empty at start: it is written first');

  // Series metadata: a small JSON file beside the spool.
  const seriesFile = path.join(opts.dataDir, INFLUX_SERIES_FILE);
  const seriesById = new Map<string, Series>();
  if (fs.existsSync(seriesFile)) {
    for (const s of (JSON.parse(fs.readFileSync(seriesFile, 'utf8')) as { series: Series[] }).series) seriesById.set(s.id, s);
  }
  function saveSeries(): void {
    const tmp = `${seriesFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, series: [...seriesById.values()] }, null, 1));
    fs.renameSync(tmp, seriesFile);
  }

  const latestBySeries = new Map<string, Reading>();
  function noteLatest(readings: readonly Reading[]): void {
    for (const r of readings) {
      const prev = latestBySeries.get(r.seriesId);
      if (!prev || r.ts >= prev.ts) latestBySeries.set(r.seriesId, r);
    }
  }

  let queue: Reading[] = [];
  let written = 0;
  let dropped = 0;
  let reachable = false;
  /** What keeps the store from keeping readings now (stats().error), undefined once it does again. */
  let failure: string | undefined;
  /** Readings refused since the spool last took a batch. */
  let refusedSpoolFull = 0;
  /** Failed tries of the spool's oldest batch, the database answering each time. */
  let attempts = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let pumping: Promise<void> | undefined;
  let ready: Promise<void> | undefined;
  /**
   * The rollups of each series' last write, in hand, when this store is the only
   * writer (no opts.serialize): every stored minute row of the hours written, with
   * the nearest stored row on each side, and every stored hour row of their days.
   * What this store wrote is then what is stored, so the next batch in those hours
   * (live readings: all of them, for an hour) is merged without asking InfluxDB for
   * its rollups again. Forgotten when a write fails (it may be half done) and when the
   * connection is made again (the database may have been dropped).
   */
  const hands = new Map<string, Hand>();

  /** Line protocol has no empty tag value: an empty one (a state's unit) is left out. */
  const tagsOf = (s: Series): Record<string, string> =>
    Object.fromEntries(Object.entries({ series: s.id, site: siteId, device: s.deviceId, point: s.point, zone: s.zone, unit: s.unit, kind: s.kind }).filter(([, v]) => v !== ''));
  const ms = (t: number): string => `${Math.trunc(t)}ms`;
  const lit = (s: string): string => escape.stringLit(s);
  const seriesFilter = (ids: readonly string[]): string => `(${ids.map((id) => `"series" = ${lit(id)}`).join(' OR ')})`;
  const from = (rp: string, m: string): string => `${escape.quoted(database)}.${escape.quoted(rp)}.${escape.quoted(m)}`;
  /** Raw readings are complete from here on: the retention policy drops whole days, the oldest first. */
  const rawCompleteFrom = (): number => floorTo(clock() - rawRetentionDays * DAY, DAY) + DAY;
  /** InfluxDB refuses points older than its retention policy: they go to the rollups only. */
  const rawWritableFrom = (): number => clock() - rawRetentionDays * DAY + MINUTE;

  async function run(statements: string[]): Promise<InfluxResult[]> {
    const out: InfluxResult[] = [];
    for (let i = 0; i < statements.length; i += STATEMENT_CHUNK) {
      const part = statements.slice(i, i + STATEMENT_CHUNK);
      const body = (await influx.queryRaw(part.join(';\n'), { precision: 'ms', database, method: 'POST' })) as { results?: InfluxResult[]; error?: string };
      if (body.error) throw new Error(`InfluxDB: ${body.error}`);
      for (const r of body.results ?? []) {
        if (r.error) throw new Error(`InfluxDB: ${r.error} (in ${part[r.statement_id ?? 0]?.slice(0, 200)})`);
        out.push(r);
      }
    }
    return out;
  }

  /** Rollup lines, WRITE_CHUNK a request, one request after the other. */
  async function writeRollupLines(lines: string[]): Promise<void> {
    for (let i = 0; i < lines.length; i += WRITE_CHUNK) {
      try {
        await writeLines(lines.slice(i, i + WRITE_CHUNK), ROLLUP_RP);
      } catch (err) {
        // A point that expired between our check and the write: raw retention refused it, the rollups have it.
        if (err instanceof Error && /points beyond retention policy/.test(err.message)) continue;
        throw err;
      }
    }
  }
  /** Raw readings' lines, WRITE_CHUNK a request. */
  async function writeRawLines(lines: string[]): Promise<void> {
    const chunks: string[][] = [];
    for (let i = 0; i < lines.length; i += WRITE_CHUNK) chunks.push(lines.slice(i, i + WRITE_CHUNK));
    const writeChunk = async (chunk: string[]): Promise<void> => {
      try {
        await writeLines(chunk, RAW_RP);
      } catch (err) {
        if (err instanceof Error && /points beyond retention policy/.test(err.message)) return;
        throw err;
      }
    };
    // Raw points are idempotent (a series, a time): their order between chunks does not matter.
    for (let i = 0; i < chunks.length; i += RAW_WRITES_IN_FLIGHT) await Promise.all(chunks.slice(i, i + RAW_WRITES_IN_FLIGHT).map(writeChunk));
  }

  /** The database, its retention policies, and the latest reading of each series. Once per connection. */
  function setup(): Promise<void> {
    ready ??= (async () => {
      hands.clear();
      await run([`CREATE DATABASE ${escape.quoted(database)}`]);
      const [policies] = await run([`SHOW RETENTION POLICIES ON ${escape.quoted(database)}`]);
      const existing = new Set<string>();
      for (const s of policies?.series ?? []) for (const v of s.values) existing.add(String(v[s.columns.indexOf('name')]));
      const db = escape.quoted(database);
      const rawDef = `DURATION ${rawRetentionDays}d REPLICATION 1`;
      await run([existing.has(RAW_RP) ? `ALTER RETENTION POLICY ${escape.quoted(RAW_RP)} ON ${db} ${rawDef} DEFAULT` : `CREATE RETENTION POLICY ${escape.quoted(RAW_RP)} ON ${db} ${rawDef} DEFAULT`]);
      if (!existing.has(ROLLUP_RP)) await run([`CREATE RETENTION POLICY ${escape.quoted(ROLLUP_RP)} ON ${db} DURATION INF REPLICATION 1 SHARD DURATION 52w`]);
      // The latest reading of every series: the last stored minute knows it, even once raw readings expired.
      const [last] = await run([`SELECT "last", "last_ts" FROM ${from(ROLLUP_RP, ROLLUP_MEASUREMENT['1m'])} GROUP BY "series" ORDER BY time DESC LIMIT 1`]);
      noteLatest(rowsOf(last).map(({ series, row }) => ({ seriesId: series, ts: num(row.last_ts), value: num(row.last) })));
      log.info({ influx: where, rawRetentionDays }, 'influx store ready');
    })();
    ready.catch(() => (ready = undefined));
    return ready;
  }

  /** Raw readings, then minutes, hours and days, for one batch. */
  async function writeBatch(readings: readonly Reading[]): Promise<{ stored: number; refused: number }> {
    try {
      return await writeBatchOnce(readings);
    } catch (err) {
      hands.clear();
      throw err;
    }
  }

  async function writeBatchOnce(readings: readonly Reading[]): Promise<{ stored: number; refused: number }> {
    let stored = 0;
    let refused = 0;
    const series: { s: Series; points: Point[]; minutes: number[] }[] = [];
    for (const [id, arrived] of bySeries(readings)) {
      const s = seriesById.get(id);
      if (!s) {
        refused += arrived.length;
        log.warn({ seriesId: id, readings: arrived.length }, 'readings of an unknown series dropped (upsertSeries first)');
        continue;
      }
      const { points } = sortDistinct(arrived);
      series.push({
        s,
        points,
        minutes: bucketsOf(
          points.map((p) => p[0]),
          MINUTE,
        ),
      });
    }
    if (series.length === 0) return { stored, refused };

    // 1. The series whose rollups are in hand for every touched hour and day; for the
    // others, one round trip: the stored minutes of every touched hour (so hours are
    // recomputed in memory), the nearest minute before and after each run of
    // touched hours (for counter steps), and the stored hours of every touched day.
    const handed = new Map<string, Hand>();
    if (!opts.serialize) {
      for (const x of series) {
        const hand = hands.get(x.s.id);
        if (hand && x.minutes.every((m) => m >= hand.start && m <= hand.end && hand.days.has(floorTo(m, DAY)))) handed.set(x.s.id, hand);
      }
    }
    const asked = series.filter((x) => !handed.has(x.s.id));
    const hourRanges = rangesOf(bucketsOf(asked.flatMap((x) => x.minutes), HOUR), HOUR).map((r) => ({ start: r.start, end: r.end + HOUR - MINUTE }));
    const dayRanges = rangesOf(bucketsOf(asked.flatMap((x) => x.minutes), DAY), DAY);
    const inRanges = (ts: readonly number[], rs: readonly { start: number; end: number }[]) => rs.filter((r) => ts.some((t) => t >= r.start && t <= r.end));
    // A handed series' range is its hand's: every row in it is known, as a fetched range's is.
    const rangesOfSeries = new Map(
      series.map((x) => {
        const hand = handed.get(x.s.id);
        return [x.s.id, hand ? [{ start: hand.start, end: hand.end }] : inRanges(x.minutes, hourRanges)];
      }),
    );
    const m1 = from(ROLLUP_RP, ROLLUP_MEASUREMENT['1m']);
    const h1 = from(ROLLUP_RP, ROLLUP_MEASUREMENT['1h']);
    const statements: string[] = [];
    const kinds: ('minute' | 'hour')[] = [];
    for (const r of hourRanges) {
      const f = seriesFilter(asked.filter((x) => rangesOfSeries.get(x.s.id)?.includes(r)).map((x) => x.s.id));
      statements.push(
        `SELECT ${MINUTE_FIELDS} FROM ${m1} WHERE ${f} AND time >= ${ms(r.start)} AND time <= ${ms(r.end)} GROUP BY "series"`,
        `SELECT ${MINUTE_FIELDS} FROM ${m1} WHERE ${f} AND time < ${ms(r.start)} GROUP BY "series" ORDER BY time DESC LIMIT 1`,
        `SELECT ${MINUTE_FIELDS} FROM ${m1} WHERE ${f} AND time > ${ms(r.end)} GROUP BY "series" ORDER BY time ASC LIMIT 1`,
      );
      kinds.push('minute', 'minute', 'minute');
    }
    for (const r of dayRanges) {
      const f = seriesFilter(asked.filter((x) => inRanges(x.minutes, [{ start: r.start, end: r.end + DAY - 1 }]).length > 0).map((x) => x.s.id));
      statements.push(`SELECT ${COARSE_FIELDS} FROM ${h1} WHERE ${f} AND time >= ${ms(r.start)} AND time < ${ms(r.end + DAY)} GROUP BY "series"`);
      kinds.push('hour');
    }
    const rowsBySeries = new Map<string, Map<number, MinuteRow>>(series.map((x) => [x.s.id, handed.get(x.s.id)?.minutes ?? new Map()]));
    const hoursBySeries = new Map<string, Map<number, CoarseRow>>(series.map((x) => [x.s.id, handed.get(x.s.id)?.hours ?? new Map()]));
    (await run(statements)).forEach((result, i) => {
      for (const { series: id, row } of rowsOf(result)) {
        if (kinds[i] === 'minute') {
          const m = minuteFrom(row);
          rowsBySeries.get(id)?.set(m.t, m);
        } else {
          const h = coarseFrom(row);
          hoursBySeries.get(id)?.set(h.t, h);
        }
      }
    });

    // 2. Raw readings of the minutes where a late reading falls between two stored ones.
    const complete = rawCompleteFrom();
    const rawNeeded: { id: string; minute: number }[] = [];
    for (const x of series) {
      for (const m of minutesNeedingRaw(x.points, rowsBySeries.get(x.s.id) as Map<number, MinuteRow>)) if (m >= complete) rawNeeded.push({ id: x.s.id, minute: m });
    }
    const raw = new Map<string, Map<number, Point[]>>();
    const rawResults = await run(rawNeeded.map(({ id, minute }) => `SELECT "value" FROM ${from(RAW_RP, MEASUREMENT)} WHERE "series" = ${lit(id)} AND time >= ${ms(minute)} AND time < ${ms(minute + MINUTE)}`));
    rawNeeded.forEach(({ id, minute }, i) => {
      let bySeriesRaw = raw.get(id);
      if (!bySeriesRaw) raw.set(id, (bySeriesRaw = new Map()));
      bySeriesRaw.set(
        minute,
        rowsOf(rawResults[i]).map(({ row }) => [num(row.time), num(row.value)] as Point),
      );
    });

    // 3. Merge, in memory: minutes first.
    const rawLines: string[] = [];
    const rollupLines: string[] = [];
    const writable = rawWritableFrom();
    const rollupLine = (level: '1m' | '1h' | '1d', s: Series, b: CoarseRow | MinuteRow): string => {
      const fields: Record<string, number> = { count: b.count, sum: b.sum, mean: b.sum / b.count, min: b.min, max: b.max, last: b.last };
      if ('firstTs' in b) Object.assign(fields, { first: b.first, first_ts: b.firstTs, last_ts: b.lastTs, inc_inner: b.incInner });
      if (b.increase !== null) fields.increase = b.increase;
      return fieldsLine(rollupKeyOf(s, level), fields, b.t);
    };
    const hoursToDo = new Map<string, number[]>();
    const missing: { id: string; hours: number[]; days: number[] }[] = [];
    for (const x of series) {
      const counter = x.s.kind === 'counter';
      const rows = rowsBySeries.get(x.s.id) as Map<number, MinuteRow>;
      const ranges = rangesOfSeries.get(x.s.id) ?? [];
      const result = applyPoints(counter, x.points, rows, ranges, raw.get(x.s.id) ?? new Map());
      const key = rawKeyOf(x.s);
      for (const [ts, value] of result.accepted) if (ts >= writable) rawLines.push(line(key, 'value', value, ts));
      stored += result.accepted.length;
      for (const m of result.changed) rollupLines.push(rollupLine('1m', x.s, m));
      if (result.dropped.length > 0) {
        refused += result.dropped.length;
        log.warn({ seriesId: x.s.id, readings: result.dropped.length }, 'late readings inside minutes whose raw readings have expired: dropped');
      }
      // Every touched hour is written, changed or not (a batch replayed after a crash
      // between two writes finds its minutes done and must still finish the hours), and
      // so is the hour of the first minute after each range: a late reading changes its
      // increase, and it may lie hours or days later (the live minute, behind a backfill).
      const after = ranges.map((r) => Math.min(...[...rows.keys()].filter((t) => t > r.end))).filter(Number.isFinite);
      const hours = bucketsOf([...x.minutes, ...result.changed.map((m) => m.t), ...after], HOUR);
      hoursToDo.set(x.s.id, hours);
      const outside = hours.filter((h) => !ranges.some((r) => h >= r.start && h <= r.end));
      if (outside.length > 0) {
        const fetchedDays = new Set(bucketsOf(x.minutes, DAY));
        missing.push({ id: x.s.id, hours: outside, days: bucketsOf(outside, DAY).filter((d) => !fetchedDays.has(d)) });
      }
    }

    // Those hours (and their days' hours) were not fetched yet: a second round trip, rare.
    if (missing.length > 0) {
      const asked: { id: string; kind: 'minute' | 'hour' }[] = [];
      const more: string[] = [];
      for (const { id, hours, days } of missing) {
        for (const r of rangesOf(hours, HOUR)) {
          more.push(`SELECT ${MINUTE_FIELDS} FROM ${m1} WHERE "series" = ${lit(id)} AND time >= ${ms(r.start)} AND time < ${ms(r.end + HOUR)}`);
          asked.push({ id, kind: 'minute' });
        }
        for (const r of rangesOf(days, DAY)) {
          more.push(`SELECT ${COARSE_FIELDS} FROM ${h1} WHERE "series" = ${lit(id)} AND time >= ${ms(r.start)} AND time < ${ms(r.end + DAY)}`);
          asked.push({ id, kind: 'hour' });
        }
      }
      (await run(more)).forEach((result, i) => {
        const { id, kind } = asked[i] as { id: string; kind: 'minute' | 'hour' };
        for (const { row } of rowsOf(result)) {
          // What is in memory is newer than what is stored.
          if (kind === 'minute') {
            const rows = rowsBySeries.get(id) as Map<number, MinuteRow>;
            const m = minuteFrom(row);
            if (!rows.has(m.t)) rows.set(m.t, m);
          } else {
            const hours = hoursBySeries.get(id) as Map<number, CoarseRow>;
            const h = coarseFrom(row);
            if (!hours.has(h.t)) hours.set(h.t, h);
          }
        }
      });
    }

    // Then hours from their minutes, days from their hours.
    for (const x of series) {
      const minuteRows = [...(rowsBySeries.get(x.s.id) as Map<number, MinuteRow>).values()].sort((a, b) => a.t - b.t);
      const hours = hoursBySeries.get(x.s.id) as Map<number, CoarseRow>;
      const touched = hoursToDo.get(x.s.id) ?? [];
      for (const h of touched) {
        const [hour] = combine(
          minuteRows.filter((m) => m.t >= h && m.t < h + HOUR),
          HOUR,
        );
        if (!hour) continue;
        hours.set(h, hour);
        rollupLines.push(rollupLine('1h', x.s, hour));
      }
      const hourRows = [...hours.values()].sort((a, b) => a.t - b.t);
      for (const d of bucketsOf(touched, DAY)) {
        const [day] = combine(
          hourRows.filter((h) => h.t >= d && h.t < d + DAY),
          DAY,
        );
        if (day) rollupLines.push(rollupLine('1d', x.s, day));
      }
    }

    // 4. Raw readings first, then the rollups: never a rollup that counts a reading raw
    // does not have. A batch written again after a crash between the two finds its
    // readings in raw, and their minutes are made again from raw (rollup.ts, mergeIntoStored).
    await writeRawLines(rawLines);
    await writeRollupLines(rollupLines);

    // What was read and written is now what is stored: kept for the next batch. A
    // series with hours fetched outside its ranges (rare) or several ranges is not.
    if (!opts.serialize) {
      const fetchedMore = new Set(missing.map((x) => x.id));
      for (const x of series) {
        const ranges = rangesOfSeries.get(x.s.id) ?? [];
        const range = ranges[0];
        if (handed.has(x.s.id)) {
          if (fetchedMore.has(x.s.id)) hands.delete(x.s.id);
        } else if (fetchedMore.has(x.s.id) || ranges.length !== 1 || !range) hands.delete(x.s.id);
        else {
          hands.set(x.s.id, { start: range.start, end: range.end, days: new Set(bucketsOf(x.minutes, DAY)), minutes: rowsBySeries.get(x.s.id) as Map<number, MinuteRow>, hours: hoursBySeries.get(x.s.id) as Map<number, CoarseRow> });
        }
      }
    }
    return { stored, refused };
  }

  /** Writes the spool, oldest batch first, until it is empty or InfluxDB stops answering. */
  function pump(): Promise<void> {
    // The reset runs in .finally(), after the assignment, even when nothing awaited.
    pumping ??= (async () => {
      // With a backlog (a burst, a backfill, the end of an outage), up to GROUP_READINGS
      // readings of consecutive batches are written as one: one round trip of rollup
      // queries and one of rollup points instead of one per batch. A group the database
      // refuses is tried again batch by batch, so that one bad batch is set aside alone.
      let single = false;
      for (let group = spool.heads(single ? 0 : GROUP_READINGS); group.length > 0; group = spool.heads(single ? 0 : GROUP_READINGS)) {
        const batch = group[0] as SpoolBatch;
        let readings: Reading[] = [];
        let taken = 0;
        try {
          for (const b of group) {
            const r = spool.read(b);
            readings = taken === 0 ? r : readings.concat(r);
            taken++;
          }
        } catch (err) {
          if (taken === 0) {
            log.error({ err: (err as Error).message, file: batch.file }, 'unreadable spool batch set aside');
            dropped += batch.readings;
            spool.shift(failedDir);
            continue;
          }
          // A later batch of the group is unreadable: it is the head of the next group.
        }
        try {
          await setup();
          const { stored, refused } = await (opts.serialize ? opts.serialize(() => writeBatch(readings)) : writeBatch(readings));
          written += stored;
          dropped += refused;
          noteLatest(readings);
          for (let i = 0; i < taken; i++) spool.shift();
          attempts = 0;
          single = false;
          if (!reachable) log.info({ influx: where, spooled: spool.readings }, 'influxdb reachable');
          reachable = true;
          opts.onChange?.();
        } catch (err) {
          if (unreachable(err)) {
            log.warn({ influx: where, err: (err as Error).message, spooled: spool.readings }, 'influxdb unreachable: readings are spooled on disk');
            reachable = false;
            ready = undefined;
            scheduleRetry();
            return;
          }
          if (err instanceof Error && /database not found/.test(err.message)) {
            // Dropped behind our back: create it again and retry the batch.
            ready = undefined;
            log.warn({ influx: where }, 'database not found: creating it again');
            scheduleRetry();
            return;
          }
          // The database answered, with an error. A refusal of the points themselves is
          // final; anything else (a query error of its own) may pass on a later try.
          if (taken > 1 && refusedForGood(err)) {
            single = true;
            continue;
          }
          attempts++;
          if (!refusedForGood(err) && attempts < MAX_ATTEMPTS) {
            log.warn({ influx: where, err: (err as Error).message, attempt: attempts, of: MAX_ATTEMPTS }, 'influxdb failed a batch: tried again later');
            scheduleRetry();
            return;
          }
          // Keep the batch aside for a person, say so, go on with the next.
          attempts = 0;
          reachable = true;
          dropped += batch.readings;
          log.error({ err: (err as Error).message, file: batch.file, readings: batch.readings, refused: failedDir }, 'influxdb refused a batch: set aside, not written');
          spool.shift(failedDir);
        }
      }
    })().finally(() => {
      pumping = undefined;
      opts.onChange?.();
    });
    return pumping;
  }

  function scheduleRetry(): void {
    if (retryTimer || closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void pump();
    }, retryMs);
    retryTimer.unref();
  }

  /** Moves the memory queue into the spool, batchSize readings per batch. */
  function spoolQueue(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    let done = 0;
    try {
      while (done < queue.length) {
        const batch = queue.slice(done, done + batchSize);
        try {
          spool.append(batch);
          failure = undefined;
          refusedSpoolFull = 0;
        } catch (err) {
          if (!(err instanceof SpoolFullError)) throw err;
          dropped += batch.length;
          refusedSpoolFull += batch.length;
          failure = `spool full (${spoolMaxBytes} bytes) while InfluxDB is unreachable: ${refusedSpoolFull} readings refused`;
          log.error({ readings: batch.length, spoolBytes: spool.bytes, spoolMaxBytes }, 'spool full: readings dropped (InfluxDB has been unreachable too long; raise spoolMaxBytes or bring it back)');
        }
        done += batch.length;
      }
    } catch (err) {
      // The disk refused (full, read-only): keep the rest in memory and try again later.
      // No path in it: /api/health, which shows it, is public.
      failure = `cannot write the spool (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ${queue.length - done} readings kept in memory, retried`;
      log.error({ err: (err as Error).message, readings: queue.length - done }, 'cannot write the spool: readings kept in memory');
      scheduleFlush();
    } finally {
      queue = done >= queue.length ? [] : queue.slice(done);
      opts.onChange?.();
    }
  }

  async function flush(): Promise<void> {
    spoolQueue();
    await pump();
  }

  function scheduleFlush(): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, flushIntervalMs);
  }

  /**
   * Reads first write what is queued, waiting READ_WAIT_MS at most: a long spool
   * (after an outage, during a backfill) must not hold an API request; the answer is
   * then what InfluxDB has so far. InfluxDB unreachable: StoreUnavailableError.
   */
  async function readable<T>(what: () => Promise<T>): Promise<T> {
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([flush(), new Promise<void>((resolve) => (timeout = setTimeout(resolve, READ_WAIT_MS)))]);
    clearTimeout(timeout);
    try {
      await setup();
      return await what();
    } catch (err) {
      if (unreachable(err)) throw new StoreUnavailableError(`InfluxDB (${where}) unreachable`, { cause: err });
      throw err;
    }
  }

  log.info({ influx: where, spool: spoolDir }, 'influx store open');
  // Connect now, so that latest() knows the stored values; an outage only makes the
  // store degraded (the spool takes the readings). Then write what a previous run left
  // in the spool, in the background.
  try {
    // A host that does not answer at all must not hold the server's start for the request timeout.
    const [ping] = await influx.ping(2_000);
    if (!ping?.online) throw new Error('no answer to /ping within 2 s');
    await setup();
    reachable = true;
  } catch (err) {
    log.warn({ influx: where, err: (err as Error).message }, 'influxdb unreachable at start: readings are spooled on disk until it answers');
  }
  void pump();

  return {
    kind: 'influx',
    rawRetentionDays,
    upsertSeries(list) {
      for (const s of list) seriesById.set(s.id, s);
      saveSeries();
    },
    listSeries: () => [...seriesById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    getSeries: (id) => seriesById.get(id),
    write(readings) {
      if (closed) throw new Error('store is closed');
      if (readings.length === 0) return;
      for (const r of readings) queue.push(r);
      noteLatest(readings);
      if (queue.length >= batchSize) void flush();
      else scheduleFlush();
    },
    flush,
    latest: () => [...latestBySeries.values()],
    async history(seriesId, fromTs, to, limit) {
      if (!seriesById.has(seriesId)) return { points: [], truncated: false };
      const [res] = await readable(() => run([`SELECT "value" FROM ${from(RAW_RP, MEASUREMENT)} WHERE "series" = ${lit(seriesId)} AND time >= ${ms(fromTs)} AND time <= ${ms(to)} ORDER BY time ASC LIMIT ${limit + 1}`]));
      const rows = rowsOf(res).map(({ row }) => [num(row.time), num(row.value)] as [number, number]);
      const truncated = rows.length > limit;
      return { points: truncated ? rows.slice(0, limit) : rows, truncated };
    },
    async query(seriesId, q): Promise<RangeResult> {
      const s = seriesById.get(seriesId);
      const plan = planQuery(q, rawCompleteFrom());
      if (!s) return { resolution: plan.resolution, buckets: [], truncated: false };
      const { from: lo, to: hi, maxPoints } = plan;
      const counter = s.kind === 'counter';
      const rawM = from(RAW_RP, MEASUREMENT);
      const id = lit(seriesId);
      return readable(async () => {
        let resolution = plan.resolution;
        if (plan.rawCandidate) {
          const [count] = await run([`SELECT count("value") FROM ${rawM} WHERE "series" = ${id} AND time >= ${ms(lo)} AND time <= ${ms(hi)}`]);
          if (num(rowsOf(count)[0]?.row.count) <= maxPoints) resolution = 'raw';
        }
        if (resolution === 'raw') {
          const [rows, before] = await run([
            `SELECT "value" FROM ${rawM} WHERE "series" = ${id} AND time >= ${ms(lo)} AND time <= ${ms(hi)} ORDER BY time ASC LIMIT ${maxPoints + 1}`,
            `SELECT "value" FROM ${rawM} WHERE "series" = ${id} AND time < ${ms(lo)} ORDER BY time DESC LIMIT 1`,
          ]);
          const points = rowsOf(rows).map(({ row }) => [num(row.time), num(row.value)] as Point);
          const truncated = points.length > maxPoints;
          const prev = rowsOf(before)[0]?.row.value ?? undefined;
          return { resolution, buckets: rawBuckets(truncated ? points.slice(0, maxPoints) : points, counter ? prev : undefined, counter), truncated };
        }
        const [res] = await run([`SELECT ${COARSE_FIELDS} FROM ${from(ROLLUP_RP, ROLLUP_MEASUREMENT[resolution])} WHERE "series" = ${id} AND time >= ${ms(queryStart(lo, resolution))} AND time <= ${ms(hi)} ORDER BY time ASC LIMIT ${maxPoints + 1}`]);
        const rows = rowsOf(res).map(({ row }) => coarseFrom(row));
        const truncated = rows.length > maxPoints;
        return { resolution, buckets: (truncated ? rows.slice(0, maxPoints) : rows).map(toBucket), truncated };
      });
    },
    async increases(seriesId, q) {
      if (!seriesById.has(seriesId)) return [];
      const [res] = await readable(() =>
        run([`SELECT "count", "increase" FROM ${from(ROLLUP_RP, ROLLUP_MEASUREMENT[q.resolution])} WHERE "series" = ${lit(seriesId)} AND time >= ${ms(queryStart(q.from, q.resolution))} AND time <= ${ms(q.to)} ORDER BY time ASC LIMIT ${pointsLimit(q.maxPoints)}`]),
      );
      return rowsOf(res).map(({ row }) => ({ t: num(row.time), count: num(row.count), increase: row.increase ?? null }));
    },
    // The "raw" retention policy deletes expired raw readings by itself, whole shards at a time.
    applyRetention: async () => ({ deleted: 0 }),
    stats(): StoreStats {
      return { state: closed ? 'down' : reachable && spool.size === 0 && !failure ? 'up' : 'degraded', pending: queue.length, written, dropped, spooled: spool.readings, spooledBytes: spool.bytes, ...(failure ? { error: failure } : {}) };
    },
    async close() {
      if (closed) return;
      // What InfluxDB cannot take now stays in the spool, for the next start.
      await flush();
      closed = true;
      if (timer) clearTimeout(timer);
      if (retryTimer) clearTimeout(retryTimer);
      await pumping;
      log.info({ written, spooled: spool.readings }, 'influx store closed');
    },
  };
}
