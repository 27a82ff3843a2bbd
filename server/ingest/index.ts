import type { IngestStatsResponse, Reading, RejectReason, RejectedResponse } from '../../shared/api';
import { type Catalogue, catalogueSeries, checkPoint, findDevice, seriesId } from '../../shared/catalogue';
import type { DeviceStatusEvent } from '../../shared/live';
import { resolvePack } from '../../shared/senml';
import { type ParsedTopic, STATUS_OFFLINE, STATUS_ONLINE, parseTopic } from '../../shared/topics';
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import { RollingRate } from './rate';
import { DeadLetters } from './dead-letter';
import { checkPack } from './senml-check';
import type { IngestMessage, MessageSource } from './source';

/** How far ahead of the server clock a reading may be stamped (clock drift, not time travel). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/**
 * The earliest time a reading may carry: 2000-01-01 UTC, before any device of
 * this building existed. SenML lets a relative time (§4.5.3) reach any date, and
 * a device whose clock was never set sends such absurd ones.
 */
export const MIN_READING_TIME_MS = Date.UTC(2000, 0, 1);

/**
 * Topics parsed, kept: a device publishes on the same two topics all its life, and
 * splitting and matching each one cost a tenth of ingest's own time. Bounded, since
 * any client may publish on any topic: past the bound the memo starts over.
 */
const TOPIC_MEMO_SIZE = 10_000;

/** An ISO date for a log line or a reason, or the number itself when no Date can hold it. */
function isoOrNumber(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

export type IngestStats = IngestStatsResponse;

export interface Ingest {
  stats(): IngestStats;
  /**
   * Readings another instance ingested (scaled out: each instance gets a share of
   * every device's messages): a sign of life of their devices, so that none looks
   * stale here for lack of its own share. Counts stay this instance's own.
   */
  seen(readings: readonly Reading[]): void;
  rejected(q: { deviceId?: string; reason?: RejectReason; limit: number }): RejectedResponse;
  stop(): void;
}

export interface IngestOptions {
  /** The embedded broker's messages (aedesSource) or an external broker's (server/broker/external.ts). */
  source: MessageSource;
  store: Store;
  catalogue: Catalogue;
  siteId: string;
  log: Logger;
  now?: () => number;
  onReadings: (readings: Reading[]) => void;
  onStatus: (event: DeviceStatusEvent) => void;
  /** Rejected messages kept for inspection (default 1,000). */
  deadLetterCapacity?: number;
  /** A device is stale after this many of its periods without a reading (default 3). */
  staleFactor?: number;
  /** Devices added after start (`npm run devices -- add`): their type and zone, if known. */
  provisioned?: (deviceId: string) => { type?: string; zone?: string } | undefined;
}

/**
 * In-process ingest: every message its source delivers (the embedded broker's,
 * or an external broker's shared subscription) is parsed,
 * validated against the shared SenML schema and the catalogue, then queued for
 * the store and the live push. A bad record is counted and logged with its
 * reason; it never takes the good records of its pack down with it.
 */
export function startIngest(opts: IngestOptions): Ingest {
  const { source, store, siteId, log } = opts;
  // Our own copy: provisioned devices join it without touching the shared default.
  const catalogue: Catalogue = { ...opts.catalogue, devices: [...opts.catalogue.devices] };
  const now = opts.now ?? Date.now;
  const totals = { accepted: 0, rejected: 0, rejectedByReason: {} as Record<string, number> };
  const perDevice = new Map<string, { accepted: number; rejected: number; rejectedByReason: Record<string, number>; lastSeen: number | null; status: 'online' | 'offline' | 'unknown' }>();
  const rates = new Map<string, RollingRate>();
  const deadLetters = new DeadLetters(opts.deadLetterCapacity ?? 1000);
  const staleFactor = opts.staleFactor ?? 3;
  store.upsertSeries(catalogueSeries(catalogue));
  for (const d of catalogue.devices) perDevice.set(d.id, { accepted: 0, rejected: 0, rejectedByReason: {}, lastSeen: null, status: 'unknown' });

  /**
   * Counts, logs and keeps a rejected message (or record) with its reason. It
   * never throws: a bad message must not disturb the good ones beside it.
   */
  function reject(reason: RejectReason, ctx: { topic: string; deviceId?: string; payload?: Buffer | string; detail: string }, count = 1): void {
    totals.rejected += count;
    totals.rejectedByReason[reason] = (totals.rejectedByReason[reason] ?? 0) + count;
    const dev = ctx.deviceId ? perDevice.get(ctx.deviceId) : undefined;
    if (dev) {
      dev.rejected += count;
      dev.rejectedByReason[reason] = (dev.rejectedByReason[reason] ?? 0) + count;
    }
    deadLetters.add({ ts: now(), topic: ctx.topic.slice(0, 256), deviceId: ctx.deviceId, reason, detail: ctx.detail, payload: ctx.payload });
    log.warn({ reason, topic: ctx.topic.slice(0, 256), deviceId: ctx.deviceId, detail: ctx.detail }, 'rejected');
  }

  // One string per series, made once: every reading of a series shares it (fewer
  // allocations per message, and no copies promoted to the old generation).
  const seriesIds = new Map<string, Map<string, string>>();
  function idOf(deviceId: string, point: string): string {
    let points = seriesIds.get(deviceId);
    if (!points) seriesIds.set(deviceId, (points = new Map()));
    let id = points.get(point);
    if (id === undefined) points.set(point, (id = seriesId(deviceId, point)));
    return id;
  }

  const topics = new Map<string, ParsedTopic>();
  function topicOf(topic: string): ParsedTopic {
    let parsed = topics.get(topic);
    if (parsed === undefined) {
      if (topics.size >= TOPIC_MEMO_SIZE) topics.clear();
      topics.set(topic, (parsed = parseTopic(topic)));
    }
    return parsed;
  }

  // The catalogue's devices by id, with their type: found once per message, not by a scan.
  const devicesById = new Map<string, NonNullable<ReturnType<typeof findDevice>>>();
  const deviceOf = (deviceId: string): ReturnType<typeof findDevice> => {
    let known = devicesById.get(deviceId);
    if (known === undefined) {
      known = findDevice(catalogue, deviceId) ?? provisionedDevice(deviceId);
      if (known) devicesById.set(deviceId, known);
    }
    return known;
  };

  function onPublish(packet: IngestMessage): void {
    try {
      ingestMessage(packet);
    } catch (err) {
      // A bug of ours on some input must not become an unhandled rejection inside
      // aedes (which ends the process): log it loudly, keep serving the others.
      log.error({ err, topic: String(packet.topic).slice(0, 256) }, 'ingest failed on a message');
    }
  }

  function ingestMessage(packet: IngestMessage): void {
    const raw = packet.payload;
    const topic = topicOf(packet.topic);
    if (!topic.ok) return reject('bad-topic', { topic: packet.topic, payload: raw, detail: topic.reason });
    if (topic.siteId !== siteId) return reject('unknown-site', { topic: packet.topic, payload: raw, detail: `this server ingests site "${siteId}"` });
    // Commands and retained states are for devices and dashboards, not readings to store.
    if (topic.kind === 'command' || topic.kind === 'state') return;
    const deviceId = topic.deviceId;
    const known = deviceOf(deviceId);
    if (!known) return reject('unknown-device', { topic: packet.topic, payload: raw, detail: `device "${deviceId}" is not in the catalogue` });
    const dev = perDevice.get(deviceId);
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');

    if (topic.kind === 'status') {
      if (text !== STATUS_ONLINE && text !== STATUS_OFFLINE) return reject('bad-status', { topic: packet.topic, deviceId, payload: raw, detail: 'status is "online" or "offline"' });
      if (dev) dev.status = text;
      opts.onStatus({ deviceId, status: text, ts: now() });
      return;
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return reject('bad-json', { topic: packet.topic, deviceId, payload: raw, detail: (err as Error).message });
    }
    const pack = checkPack(json);
    if (!pack.success) {
      const issue = pack.error.issues[0];
      return reject('bad-senml', { topic: packet.topic, deviceId, payload: raw, detail: issue ? `${issue.path.join('.') || 'pack'}: ${issue.message}` : 'not a SenML pack' });
    }
    const t = now();
    const { records, errors } = resolvePack(pack.data, t);
    // A pack is judged record by record: the good records are kept, each bad one is
    // rejected on its own, with the whole pack kept beside it for inspection.
    for (const e of errors) reject('bad-record', { topic: packet.topic, deviceId, payload: raw, detail: `record ${e.index}: ${e.reason}` });

    const readings: Reading[] = [];
    for (const rec of records) {
      if (rec.timeMs > t + MAX_FUTURE_SKEW_MS) {
        reject('future-timestamp', { topic: packet.topic, deviceId, payload: raw, detail: `record ${rec.index} "${rec.name}" is stamped ${isoOrNumber(rec.timeMs)}, more than ${MAX_FUTURE_SKEW_MS / 60_000} min ahead of the server clock` });
        continue;
      }
      if (!(rec.timeMs >= MIN_READING_TIME_MS)) {
        reject('past-timestamp', { topic: packet.topic, deviceId, payload: raw, detail: `record ${rec.index} "${rec.name}" is stamped ${isoOrNumber(rec.timeMs)}, before ${isoOrNumber(MIN_READING_TIME_MS)}` });
        continue;
      }
      const check = checkPoint(deviceId, known.type, rec);
      if (!check.ok) {
        reject('catalogue', { topic: packet.topic, deviceId, payload: raw, detail: `record ${rec.index}: ${check.reason}` });
        continue;
      }
      readings.push({ seriesId: idOf(deviceId, check.point.name), ts: rec.timeMs, value: check.value });
    }
    if (readings.length === 0) return;
    try {
      store.write(readings);
    } catch (err) {
      // The store keeps what it could not write and retries; the live view still gets the values.
      log.error({ err }, 'store write failed');
    }
    totals.accepted += readings.length;
    if (dev) {
      dev.accepted += readings.length;
      dev.lastSeen = t;
      let rate = rates.get(deviceId);
      if (!rate) rates.set(deviceId, (rate = new RollingRate()));
      rate.add(t);
    }
    opts.onReadings(readings);
  }

  /**
   * A device provisioned with `npm run devices -- add` joins the catalogue on its
   * first message: its series are registered from its type, once.
   */
  function provisionedDevice(deviceId: string): ReturnType<typeof findDevice> {
    const p = opts.provisioned?.(deviceId);
    const type = p?.type ? catalogue.deviceTypes.find((t) => t.id === p.type) : undefined;
    if (!p || !type) return undefined;
    const device = { id: deviceId, label: deviceId, type: type.id, zone: p.zone ?? catalogue.zones[0]?.id ?? 'site' };
    catalogue.devices.push(device);
    store.upsertSeries(catalogueSeries({ ...catalogue, devices: [device] }));
    perDevice.set(deviceId, { accepted: 0, rejected: 0, rejectedByReason: {}, lastSeen: null, status: 'unknown' });
    return { device, type };
  }

  function stats(): IngestStats {
    const t = now();
    const devices: IngestStats['devices'] = {};
    for (const d of catalogue.devices) {
      const s = perDevice.get(d.id);
      const periodMs = (findDevice(catalogue, d.id)?.type.periodS ?? 60) * 1000;
      if (!s) continue;
      devices[d.id] = { ...s, rejectedByReason: { ...s.rejectedByReason }, messagesPerMin: rates.get(d.id)?.perMinute(t) ?? 0, stale: s.lastSeen === null || t - s.lastSeen > staleFactor * periodMs };
    }
    return { ...totals, rejectedByReason: { ...totals.rejectedByReason }, devices, deadLetters: { size: deadLetters.size, capacity: deadLetters.capacity, dropped: deadLetters.dropped }, staleFactor };
  }

  source.start(onPublish);
  return {
    stats,
    seen(readings) {
      const t = now();
      for (const r of readings) {
        const dev = perDevice.get(r.seriesId.slice(0, r.seriesId.indexOf('.')));
        if (dev && (dev.lastSeen === null || dev.lastSeen < t)) dev.lastSeen = t;
      }
    },
    rejected: (q) => ({ items: deadLetters.list(q), capacity: deadLetters.capacity, dropped: deadLetters.dropped }),
    stop: () => source.stop(),
  };
}
