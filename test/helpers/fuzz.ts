import type { RejectReason } from '../../shared/api';
import { type Catalogue, type Point, findDevice } from '../../shared/catalogue';

/**
 * Seeded, replayable generators of bad input. Every fuzz test prints its seed;
 * FUZZ_SEED=<seed> replays the same run, message for message.
 */

/** mulberry32: a small 32-bit PRNG, enough to draw test cases and to replay them exactly. */
export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let r = this.next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return (entries[entries.length - 1] as [K, number])[0];
  }
}

/** FUZZ_SEED from the environment, else a fresh one; the caller prints it. */
export function fuzzSeed(): number {
  const env = process.env.FUZZ_SEED;
  if (env && /^\d+$/.test(env)) return Number(env) >>> 0;
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

// --- MQTT ----------------------------------------------------------------------

/** What a message must lead to. */
export type MqttExpect =
  /** Handled by ingest: a reading stored per series id listed, these rejections counted (none: a status, say). */
  | { outcome: 'ingest'; stored: string[]; rejected: Partial<Record<RejectReason, number>> }
  /** Refused by the broker itself (illegal or unauthorized topic, oversized packet): the connection is closed. */
  | { outcome: 'broker' };

export interface MqttCase {
  n: number;
  /** The generator that made it, for the summary and for replaying one kind. */
  kind: string;
  /** Whose credentials publish it: a device id, or 'admin' (any topic of the site). */
  publisher: string;
  topic: string;
  payload: Buffer;
  expect: MqttExpect;
}

type Rec = Record<string, unknown>;

export interface MqttFuzzOptions {
  catalogue: Catalogue;
  siteId: string;
  /** Devices that publish (each has its own connection). */
  devices: string[];
  /** Readings are stamped from `next` on, one millisecond apart, so no two valid ones are duplicates; advanced as cases are drawn. */
  stamps: { next: number };
  /** The server's clock, for future and ancient timestamps. */
  nowMs: number;
  /** MQTT_MAX_PACKET_KB of the server, bytes. */
  maxPacketBytes: number;
}

const BAD_UNICODE = ['impört', 'p\u200bower', '\ud800', 'é', '\u0000', '😀', 'Ω', '\u202e'];

/**
 * Draws MQTT messages, valid and malformed, each with what the server must do
 * with it. Invalid records are built so that each leads to exactly one rejection
 * with a known reason, which lets the test compare exact counts.
 */
export function mqttCases(rng: Rng, count: number, opts: MqttFuzzOptions): MqttCase[] {
  const { siteId } = opts;
  const cases: MqttCase[] = [];
  const telemetry = (d: string) => `${siteId}/${d}/telemetry`;

  function validRecord(deviceId: string): { rec: Rec; point: Point; series: string } {
    const type = findDevice(opts.catalogue, deviceId)?.type;
    if (!type) throw new Error(`unknown device ${deviceId}`);
    const point = rng.pick(type.points);
    const ts = opts.stamps.next++;
    const rec: Rec = { n: `${deviceId}:${point.name}`, t: ts / 1000 };
    if (point.kind === 'state') rec.vs = rng.pick(point.states ?? []);
    else {
      rec.u = point.unit;
      const span = Math.min(point.max - point.min, 1e6);
      rec.v = Math.round((point.min + rng.next() * span) * 1000) / 1000;
    }
    return { rec, point, series: `${deviceId}.${point.name}` };
  }

  /** A record that resolves but is refused for one reason. */
  function badRecord(deviceId: string): { rec: Rec; reason: RejectReason } {
    const { rec, point } = validRecord(deviceId);
    const which = rng.pick(['unknown-name', 'unknown-unit', 'wrong-unit', 'no-unit', 'out-of-range', 'no-value', 'bad-name', 'odd-unicode-name', 'future', 'ancient', 'state-as-number'] as const);
    switch (which) {
      case 'unknown-name':
        return { rec: { ...rec, n: `${deviceId}:no_such_point_${rng.int(0, 999)}` }, reason: 'catalogue' };
      case 'bad-name':
        return { rec: { ...rec, n: `${deviceId}:bad name!` }, reason: 'bad-record' };
      case 'odd-unicode-name':
        return { rec: { ...rec, n: `${deviceId}:${rng.pick(BAD_UNICODE)}` }, reason: 'bad-record' };
      case 'no-value': {
        const { v: _v, vs: _vs, ...rest } = rec;
        return { rec: rest, reason: 'bad-record' };
      }
      case 'future':
        return { rec: { ...rec, t: rng.pick([opts.nowMs / 1000 + 86_400 * rng.int(1, 36_500), 1e300, 4102444800, Number.MAX_VALUE]) }, reason: 'future-timestamp' };
      case 'ancient':
        // Relative SenML times (under 2**28 s) count from now: these reach back millennia.
        return { rec: { ...rec, t: rng.pick([-1e10, -1e15, -Number.MAX_VALUE, -(opts.nowMs / 1000) + 1]) }, reason: 'past-timestamp' };
      default:
        if (point.kind === 'state') return { rec: { ...rec, vs: undefined, v: 1 }, reason: 'catalogue' };
        if (which === 'unknown-unit') return { rec: { ...rec, u: rng.pick(['furlong', 'w', 'KW', '°C', '']) }, reason: 'catalogue' };
        if (which === 'wrong-unit') return { rec: { ...rec, u: point.unit === 'Cel' ? 'W' : 'Cel' }, reason: 'catalogue' };
        if (which === 'no-unit') {
          const { u: _u, ...rest } = rec;
          return { rec: rest, reason: 'catalogue' };
        }
        if (which === 'out-of-range') return { rec: { ...rec, v: rng.pick([point.max * 10 + 1, point.min - 1e6, 1e308, -1e308]) }, reason: 'catalogue' };
        // A string where the point wants a number.
        return { rec: { ...rec, v: undefined, vs: 'on' }, reason: 'catalogue' };
    }
  }

  /** A record the SenML schema refuses: the whole pack is rejected (bad-senml). */
  function wrongType(deviceId: string): unknown {
    const { rec } = validRecord(deviceId);
    return rng.pick<() => unknown>([
      () => ({ ...rec, v: '12', vs: undefined }),
      () => ({ ...rec, n: 42 }),
      () => ({ ...rec, t: 'now' }),
      () => ({ ...rec, u: 5 }),
      () => ({ ...rec, vb: 'yes', v: undefined, vs: undefined }),
      () => ({ ...rec, bver: -1 }),
      () => ({ ...rec, bt: [1] }),
      () => ({ ...rec, s: { v: 1 } }),
      () => ({ ...rec, v: 1, vs: 'two values' }),
      () => ({ ...rec, foo_: 1 }),
      () => ({ ...rec, n: 'x'.repeat(300) }),
      () => ({ ...rec, vs: 'y'.repeat(2000), v: undefined }),
      () => null,
      () => 17,
      () => 'record',
      () => [rec],
    ])();
  }

  const json = (x: unknown) => Buffer.from(JSON.stringify(x));
  const device = () => rng.pick(opts.devices);

  const kinds = {
    valid: 40,
    'valid-with-base-fields': 6,
    'mixed-pack': 12,
    'status': 2,
    'bad-status': 1,
    'random-bytes': 5,
    'truncated-json': 5,
    'nan-infinity-literal': 2,
    'overflow-number': 2,
    'wrong-type': 8,
    'not-a-pack': 3,
    'empty-pack': 1,
    'too-many-records': 0.5,
    'deep-nesting': 1,
    'deep-junk-in-valid-record': 0.5,
    'huge-valid-record': 0.2,
    'admin-bad-topic': 4,
    'admin-unknown-device': 1,
    'refused-wildcard-topic': 0.4,
    'refused-other-device-topic': 0.4,
    'refused-odd-topic': 0.4,
    'refused-oversized': 0.1,
  } as const;

  for (let n = 0; n < count; n++) {
    const kind = rng.weighted(kinds);
    const d = device();
    const push = (c: Omit<MqttCase, 'n' | 'kind'>) => cases.push({ n, kind, ...c });
    switch (kind) {
      case 'valid': {
        const recs = Array.from({ length: rng.int(1, 6) }, () => validRecord(d));
        push({ publisher: d, topic: telemetry(d), payload: json(recs.map((r) => r.rec)), expect: { outcome: 'ingest', stored: recs.map((r) => r.series), rejected: {} } });
        break;
      }
      case 'valid-with-base-fields': {
        // bn and bt once, names and times relative to them (RFC 8428 §4.1).
        const recs = Array.from({ length: rng.int(1, 5) }, () => validRecord(d));
        const bt = Math.floor((recs[0]?.rec.t as number) - 1);
        const pack = recs.map(({ rec: r }, i) => ({ ...(i === 0 ? { bn: `${d}:`, bt } : {}), ...r, n: String(r.n).slice(d.length + 1), t: Math.round(((r.t as number) - bt) * 1000) / 1000 }));
        push({ publisher: d, topic: telemetry(d), payload: json(pack), expect: { outcome: 'ingest', stored: recs.map((r) => r.series), rejected: {} } });
        break;
      }
      case 'mixed-pack': {
        const rejected: Partial<Record<RejectReason, number>> = {};
        const stored: string[] = [];
        const pack: Rec[] = [];
        for (let i = rng.int(2, 8); i > 0; i--) {
          if (rng.chance(0.5)) {
            const v = validRecord(d);
            pack.push(v.rec);
            stored.push(v.series);
          } else {
            const b = badRecord(d);
            pack.push(b.rec);
            rejected[b.reason] = (rejected[b.reason] ?? 0) + 1;
          }
        }
        push({ publisher: d, topic: telemetry(d), payload: json(pack), expect: { outcome: 'ingest', stored, rejected } });
        break;
      }
      case 'status':
        push({ publisher: d, topic: `${siteId}/${d}/status`, payload: Buffer.from('online'), expect: { outcome: 'ingest', stored: [], rejected: {} } });
        break;
      case 'bad-status':
        push({ publisher: d, topic: `${siteId}/${d}/status`, payload: Buffer.from(rng.pick(['ONLINE', 'on', '', '{"status":"online"}', 'offline '])), expect: { outcome: 'ingest', stored: [], rejected: { 'bad-status': 1 } } });
        break;
      case 'random-bytes': {
        // The first byte is a control character, which no JSON text starts with.
        const b = rng.bytes(rng.int(1, 2048));
        b[0] = rng.int(0, 8);
        push({ publisher: d, topic: telemetry(d), payload: b, expect: { outcome: 'ingest', stored: [], rejected: { 'bad-json': 1 } } });
        break;
      }
      case 'truncated-json': {
        // A strict prefix of a JSON array is never JSON.
        const full = json(Array.from({ length: rng.int(1, 5) }, () => validRecord(d).rec));
        push({ publisher: d, topic: telemetry(d), payload: full.subarray(0, rng.int(0, full.length - 1)), expect: { outcome: 'ingest', stored: [], rejected: { 'bad-json': 1 } } });
        break;
      }
      case 'nan-infinity-literal': {
        const { rec } = validRecord(d);
        const text = JSON.stringify({ ...rec, v: 0, vs: undefined }).replace('"v":0', `"v":${rng.pick(['NaN', 'Infinity', '-Infinity', 'undefined', '0x10', '+1', '.5'])}`);
        push({ publisher: d, topic: telemetry(d), payload: Buffer.from(`[${text}]`), expect: { outcome: 'ingest', stored: [], rejected: { 'bad-json': 1 } } });
        break;
      }
      case 'overflow-number': {
        // Valid JSON whose number parses to ±Infinity: SenML values are finite.
        const { rec } = validRecord(d);
        const field = rng.pick(['v', 't', 'bt', 'bv', 's']);
        const text = JSON.stringify({ ...rec, [field]: 0, ...(field === 'v' ? { vs: undefined } : {}) }).replace(`"${field}":0`, `"${field}":${rng.pick(['1e999', '-1e999', `1${'0'.repeat(400)}`])}`);
        push({ publisher: d, topic: telemetry(d), payload: Buffer.from(`[${text}]`), expect: { outcome: 'ingest', stored: [], rejected: { 'bad-senml': 1 } } });
        break;
      }
      case 'wrong-type': {
        // One wrong record spoils the whole pack: the schema is checked before records are.
        const pack: unknown[] = Array.from({ length: rng.int(0, 3) }, () => validRecord(d).rec);
        pack.splice(rng.int(0, pack.length), 0, wrongType(d));
        push({ publisher: d, topic: telemetry(d), payload: json(pack), expect: { outcome: 'ingest', stored: [], rejected: { 'bad-senml': 1 } } });
        break;
      }
      case 'not-a-pack':
        push({ publisher: d, topic: telemetry(d), payload: json(rng.pick<unknown>([validRecord(d).rec, 42, 'text', null, true, { records: [] }])), expect: { outcome: 'ingest', stored: [], rejected: { 'bad-senml': 1 } } });
        break;
      case 'empty-pack':
        push({ publisher: d, topic: telemetry(d), payload: json([]), expect: { outcome: 'ingest', stored: [], rejected: { 'bad-senml': 1 } } });
        break;
      case 'too-many-records':
        push({ publisher: d, topic: telemetry(d), payload: json(Array.from({ length: rng.int(1001, 1500) }, () => validRecord(d).rec)), expect: { outcome: 'ingest', stored: [], rejected: { 'bad-senml': 1 } } });
        break;
      case 'deep-nesting': {
        const [open, close] = rng.pick([['[', ']'], ['{"a":', '}'], ['[{"n":', '}]']] as const);
        // As deep as the packet limit allows (100,000 levels of "[]" with the default 1 MiB).
        const depth = rng.int(1000, Math.min(100_000, Math.floor((opts.maxPacketBytes - 1024) / (open.length + close.length))));
        const inner = open === '[' ? '' : '1';
        push({ publisher: d, topic: telemetry(d), payload: Buffer.from(open.repeat(depth) + inner + close.repeat(depth)), expect: { outcome: 'ingest', stored: [], rejected: { 'bad-senml': 1 } } });
        break;
      }
      case 'deep-junk-in-valid-record': {
        // Unknown fields are tolerated (RFC 8428 §4.4): the reading is kept, the junk ignored.
        const { rec, series } = validRecord(d);
        const depth = rng.int(1000, Math.min(50_000, Math.floor((opts.maxPacketBytes - 1024) / 2)));
        const text = JSON.stringify(rec).replace(/}$/, `,"junk":${'['.repeat(depth)}${']'.repeat(depth)}}`);
        push({ publisher: d, topic: telemetry(d), payload: Buffer.from(`[${text}]`), expect: { outcome: 'ingest', stored: [series], rejected: {} } });
        break;
      }
      case 'huge-valid-record': {
        // Just under the packet limit, still a valid reading.
        const { rec, series } = validRecord(d);
        push({ publisher: d, topic: telemetry(d), payload: json([{ ...rec, junk: 'x'.repeat(opts.maxPacketBytes - 2048) }]), expect: { outcome: 'ingest', stored: [series], rejected: {} } });
        break;
      }
      case 'admin-bad-topic': {
        // The admin identity may publish anywhere in the site: ingest must judge the topic.
        const topic = rng.pick([
          `${siteId}/../telemetry`,
          `${siteId}/${d}/telemetry/extra`,
          `${siteId}//telemetry`,
          `${siteId}/${d}/nonsense`,
          `${siteId}/${d}/`,
          `${siteId}/`,
          `${siteId}/${d.toUpperCase()}/telemetry`,
          `${siteId}/${d}\u200b/telemetry`,
          `${siteId}/d\u00e9vice/telemetry`,
          `${siteId}/${'x'.repeat(300)}/telemetry`,
          `${siteId}/${'a/'.repeat(50)}telemetry`,
          `${siteId}/😀/telemetry`,
        ]);
        push({ publisher: 'admin', topic, payload: json([validRecord(d).rec]), expect: { outcome: 'ingest', stored: [], rejected: { 'bad-topic': 1 } } });
        break;
      }
      case 'admin-unknown-device':
        push({ publisher: 'admin', topic: telemetry(`no-such-device-${rng.int(0, 99)}`), payload: json([validRecord(d).rec]), expect: { outcome: 'ingest', stored: [], rejected: { 'unknown-device': 1 } } });
        break;
      case 'refused-wildcard-topic':
        // Wildcards are illegal in a PUBLISH topic (MQTT 3.1.1 §3.3.2.1).
        push({ publisher: rng.pick([d, 'admin']), topic: rng.pick([`${siteId}/+/telemetry`, `${siteId}/#`, `${siteId}/${d}/+`, '#', '+']), payload: json([validRecord(d).rec]), expect: { outcome: 'broker' } });
        break;
      case 'refused-other-device-topic': {
        const other = rng.pick(opts.catalogue.devices.filter((x) => x.id !== d)).id;
        push({ publisher: d, topic: rng.pick([telemetry(other), `other-site/${d}/telemetry`, `${siteId}/${d}/command`]), payload: json([validRecord(d).rec]), expect: { outcome: 'broker' } });
        break;
      }
      case 'refused-odd-topic':
        push({ publisher: d, topic: rng.pick([`${siteId}/${d}/../${d}/telemetry`, `${siteId}/${d}/telemetry\u200b`, `${siteId}/${d}/tëlemetry`, `/${siteId}/${d}/telemetry`, `$SYS/${d}`, `${telemetry(d)}/`]), payload: json([validRecord(d).rec]), expect: { outcome: 'broker' } });
        break;
      case 'refused-oversized':
        push({ publisher: d, topic: telemetry(d), payload: json([{ ...validRecord(d).rec, junk: 'x'.repeat(opts.maxPacketBytes + rng.int(1, 65_536)) }]), expect: { outcome: 'broker' } });
        break;
    }
  }
  return cases;
}

// --- HTTP ----------------------------------------------------------------------

/** Values that try to break out of a query, a path or a template, in every parameter. */
export const INJECTIONS: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE readings; --",
  '" OR ""="',
  '1; SELECT * FROM users',
  "grid-meter.import_power' UNION SELECT password_hash FROM users --",
  '1) OR (1=1',
  '%27%20OR%201%3D1',
  "x'/**/OR/**/1=1",
  // InfluxQL
  '" ; DROP MEASUREMENT reading --',
  "' ; DROP DATABASE lenumerique ; SELECT '",
  '/.*/',
  'reading WHERE 1=1',
  '"series" =~ /.*/',
  "time > now() - 100000d'",
  // paths and templates
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '${process.exit()}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '\u0000',
  '\ud800',
  '😀'.repeat(50),
  'x'.repeat(5000),
  '-1',
  '1e309',
  'NaN',
  'null',
  '[]',
  '{}',
];

/** Wrong-typed JSON values for any body field. */
export const WRONG_VALUES: readonly unknown[] = [null, true, false, 0, -1, 1.5, 1e308, '', 'x'.repeat(10_000), [], [1, 2], {}, { $gt: '' }, "' OR 1=1 --", '\u0000', '\ud800', Number.MAX_SAFE_INTEGER + 2];
