import { escape, type InfluxDB } from 'influx';

/**
 * Raw readings as InfluxDB line protocol, written through the `influx` client's
 * own connection pool.
 *
 * Why not `influx.writePoints` for them: it escapes every tag name and value of
 * every point again (a regular expression each), 4.5 µs a point on this
 * machine, as much CPU as ingest's parsing and validation of the reading. A
 * series' tags are the same for each of its readings, so their escaped text is
 * made once per series here, and a reading costs one string concatenation. The
 * text is the same as the client's, byte for byte (test/unit/influx-lines.test.ts).
 * Rollup points go the same way (fieldsLine): a live load changes a minute, its
 * hour and its day per series and batch, and writePoints' escaping of their tags
 * and field names was 5 % of the event loop on the InfluxDB path (bench/ingest.ts).
 */

/** `measurement,tag=value,...` exactly as `writePoints` writes it: tags in their object's order, names and values escaped. */
export function seriesKey(measurement: string, tags: Readonly<Record<string, string>>): string {
  let key = measurement;
  for (const name of Object.keys(tags)) key += `,${escape.tag(name)}=${escape.tag(tags[name] as string)}`;
  return key;
}

/** One float field `field` at `ts` (in the write's precision), as `writePoints` formats a number field and a number timestamp. */
export function line(key: string, field: string, value: number, ts: number): string {
  return `${key} ${field}=${String(value)} ${String(ts)}`;
}

/**
 * Number fields at `ts`, as `writePoints` formats a point without a schema: fields
 * sorted by name, each value as String() gives it. Field names are not escaped:
 * the store's are plain words (count, sum, first_ts...), which need none.
 */
export function fieldsLine(key: string, fields: Readonly<Record<string, number>>, ts: number): string {
  let text = key;
  let sep = ' ';
  for (const name of Object.keys(fields).sort()) {
    text += `${sep}${name}=${String(fields[name])}`;
    sep = ',';
  }
  return `${text} ${String(ts)}`;
}

interface Pool {
  discard(options: { method: string; path: string; body: string; query: Record<string, string | undefined>; auth?: string }): Promise<void>;
}

/**
 * A function that POSTs lines to /write with the client's pool: its hosts, its
 * timeouts and the errors it throws (ServiceNotAvailableError, RequestError with
 * `res.statusCode`), which the store tells apart. The pool is the client's
 * private field (`_pool`, influx 5.x), so its presence is checked at once.
 */
export function lineWriter(influx: InfluxDB, opts: { database: string; username?: string | undefined; password?: string | undefined }): (lines: readonly string[], rp: string) => Promise<void> {
  const pool = (influx as unknown as { _pool?: Pool })._pool;
  if (!pool || typeof pool.discard !== 'function') throw new Error('the influx client has no connection pool to write through (influx 5.x expected)');
  const auth = typeof opts.username === 'string' ? `${opts.username}:${opts.password ?? ''}` : undefined;
  return (lines, rp) => pool.discard({ method: 'POST', path: '/write', body: lines.join('\n'), query: { db: opts.database, precision: 'ms', rp }, auth });
}
