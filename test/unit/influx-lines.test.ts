import { type IPoint, InfluxDB } from 'influx';
import { describe, expect, it } from 'vitest';
import { fieldsLine, line, lineWriter, seriesKey } from '../../server/store/influx-lines';

/**
 * The store writes raw readings as line protocol it makes itself
 * (server/store/influx-lines.ts). InfluxDB must receive exactly what the
 * `influx` client's writePoints would have sent: the same series (tags escaped
 * the same way), the same float field, the same timestamp. The client's payload
 * is taken at its pool, where both hand their request over.
 */
function capture(client: InfluxDB): { body: string; query: Record<string, unknown>; auth?: string }[] {
  const seen: { body: string; query: Record<string, unknown>; auth?: string }[] = [];
  (client as unknown as { _pool: { discard: (o: { body: string; query: Record<string, unknown>; auth?: string }) => Promise<void> } })._pool.discard = async (o) => {
    seen.push({ body: o.body, query: o.query, ...(o.auth ? { auth: o.auth } : {}) });
  };
  return seen;
}

const tagSets: Record<string, string>[] = [
  { series: 'grid-meter.import_power', site: 'le-numerique', device: 'grid-meter', point: 'import_power', zone: 'technique', unit: 'W', kind: 'gauge' },
  // What line protocol must escape in tags: commas, spaces, equals signs, backslashes; accents pass as UTF-8.
  { series: 'room-101.co2', site: 'le numérique', device: 'room-101', point: 'co2', zone: 'salle 1,2=a\\b', unit: 'ppm', kind: 'gauge' },
  { series: 'tank.level', site: 'x', device: 'tank', point: 'level', zone: 'z', kind: 'state' },
];
const values = [0, 1, -1, 0.1, 1234.5678, -273.15, 1e-7, 6.02e23, 2 ** 53, Number.MIN_VALUE];

describe('raw readings as line protocol', () => {
  it("are byte for byte what the influx client's writePoints sends", async () => {
    const client = new InfluxDB({ host: '127.0.0.1', port: 1, database: 'lenumerique', username: 'u', password: 'p w' });
    const seen = capture(client);
    const points: IPoint[] = [];
    const lines: string[] = [];
    let ts = 1_764_900_000_000;
    for (const tags of tagSets) {
      const key = seriesKey('reading', tags);
      for (const value of values) {
        ts += 997;
        points.push({ measurement: 'reading', tags, fields: { value }, timestamp: ts });
        lines.push(line(key, 'value', value, ts));
      }
    }
    await client.writePoints(points, { database: 'lenumerique', retentionPolicy: 'raw', precision: 'ms' });
    await lineWriter(client, { database: 'lenumerique', username: 'u', password: 'p w' })(lines, 'raw');
    expect(seen).toHaveLength(2);
    const [lib, ours] = seen as [(typeof seen)[0], (typeof seen)[0]];
    expect(ours.body).toBe(lib.body);
    expect(ours.query).toEqual(lib.query);
    expect(ours.auth).toBe(lib.auth);
    expect(ours.body.split('\n')).toHaveLength(tagSets.length * values.length);
    // (a backslash is left as it is: line protocol escapes only before comma, space and equals.)
    expect(ours.body).toContain('zone=salle\\ 1\\,2\\=a\\b');
  });

  it("are byte for byte what writePoints sends for rollup points too: every field of a minute, an hour, a gauge's missing increase", async () => {
    const client = new InfluxDB({ host: '127.0.0.1', port: 1, database: 'lenumerique' });
    const seen = capture(client);
    const points: IPoint[] = [];
    const lines: string[] = [];
    let ts = 1_764_900_000_000;
    for (const tags of tagSets) {
      for (const measurement of ['reading_1m', 'reading_1h']) {
        const key = seriesKey(measurement, tags);
        for (const [i, value] of values.entries()) {
          ts += 60_000;
          // Built in the store's order (influx.ts), not sorted: the line sorts them as the client does.
          const fields: Record<string, number> = { count: i + 1, sum: value * (i + 1), mean: value, min: -value, max: value, last: value };
          if (measurement === 'reading_1m') Object.assign(fields, { first: value / 3, first_ts: ts + 1, last_ts: ts + 59_000, inc_inner: value / 7 });
          if (i % 2 === 0) fields.increase = value / 11;
          points.push({ measurement, tags, fields, timestamp: ts });
          lines.push(fieldsLine(key, fields, ts));
        }
      }
    }
    await client.writePoints(points, { database: 'lenumerique', retentionPolicy: 'rollup', precision: 'ms' });
    await lineWriter(client, { database: 'lenumerique' })(lines, 'rollup');
    const [lib, ours] = seen as [(typeof seen)[0], (typeof seen)[0]];
    expect(ours.body).toBe(lib.body);
    expect(ours.query).toEqual(lib.query);
    expect(ours.body).toContain(' count=1,first=0,first_ts=');
  });

  it('refuse to start on a client without the pool they write through', () => {
    expect(() => lineWriter({} as InfluxDB, { database: 'x' })).toThrow(/connection pool/);
  });
});
