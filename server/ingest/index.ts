import type { Aedes } from 'aedes';
import type { Reading } from '../../shared/api';
import { type Catalogue, catalogueSeries, checkPoint, findDevice, seriesId } from '../../shared/catalogue';
import type { DeviceStatusEvent } from '../../shared/live';
import { SenmlPackSchema, resolvePack } from '../../shared/senml';
import { STATUS_OFFLINE, STATUS_ONLINE, parseTopic } from '../../shared/topics';
import type { Logger } from '../logger';
import type { Store } from '../store/types';

/** How far ahead of the server clock a reading may be stamped (clock drift, not time travel). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export interface IngestStats {
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

export interface Ingest {
  stats(): IngestStats;
  stop(): void;
}

export interface IngestOptions {
  aedes: Aedes;
  store: Store;
  catalogue: Catalogue;
  siteId: string;
  log: Logger;
  now?: () => number;
  onReadings: (readings: Reading[]) => void;
  onStatus: (event: DeviceStatusEvent) => void;
}

/**
 * In-process ingest: every message published to the embedded broker is parsed,
 * validated against the shared SenML schema and the catalogue, then queued for
 * the store and the live push. A bad record is counted and logged with its
 * reason; it never takes the good records of its pack down with it.
 */
export function startIngest(opts: IngestOptions): Ingest {
  const { aedes, store, catalogue, siteId, log } = opts;
  const now = opts.now ?? Date.now;
  const stats: IngestStats = { accepted: 0, rejected: 0, rejectedByReason: {} };
  store.upsertSeries(catalogueSeries(catalogue));

  function reject(reason: string, details: Record<string, unknown>, count = 1): void {
    stats.rejected += count;
    stats.rejectedByReason[reason] = (stats.rejectedByReason[reason] ?? 0) + count;
    log.warn({ reason, ...details }, 'rejected');
  }

  function onPublish(packet: { topic: string; payload: Buffer | string }, client: unknown): void {
    // Messages the broker makes itself ($SYS, will delivery of the server) carry no client.
    if (!client || packet.topic.startsWith('$SYS/')) return;
    const topic = parseTopic(packet.topic);
    if (!topic.ok) return reject('bad-topic', { topic: packet.topic, detail: topic.reason });
    if (topic.siteId !== siteId) return reject('unknown-site', { topic: packet.topic });
    const known = findDevice(catalogue, topic.deviceId);
    // Commands and retained states are for devices and dashboards, not readings to store.
    if (topic.kind === 'command' || topic.kind === 'state') return;
    if (!known) return reject('unknown-device', { topic: packet.topic });
    const text = typeof packet.payload === 'string' ? packet.payload : packet.payload.toString('utf8');

    if (topic.kind === 'status') {
      if (text !== STATUS_ONLINE && text !== STATUS_OFFLINE) return reject('bad-status', { deviceId: topic.deviceId, payload: text.slice(0, 64) });
      opts.onStatus({ deviceId: topic.deviceId, status: text, ts: now() });
      return;
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return reject('bad-json', { deviceId: topic.deviceId, bytes: text.length });
    }
    const pack = SenmlPackSchema.safeParse(json);
    if (!pack.success) {
      const issue = pack.error.issues[0];
      return reject('bad-senml', { deviceId: topic.deviceId, detail: issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid' });
    }
    const t = now();
    const { records, errors } = resolvePack(pack.data, t);
    for (const e of errors) reject('bad-record', { deviceId: topic.deviceId, index: e.index, detail: e.reason });

    const readings: Reading[] = [];
    for (const rec of records) {
      if (rec.timeMs > t + MAX_FUTURE_SKEW_MS) {
        reject('future-timestamp', { deviceId: topic.deviceId, name: rec.name, ts: rec.timeMs });
        continue;
      }
      const check = checkPoint(topic.deviceId, known.type, rec);
      if (!check.ok) {
        reject('catalogue', { deviceId: topic.deviceId, detail: check.reason });
        continue;
      }
      readings.push({ seriesId: seriesId(topic.deviceId, check.point.name), ts: rec.timeMs, value: check.value });
    }
    if (readings.length === 0) return;
    try {
      store.write(readings);
    } catch (err) {
      // The store keeps what it could not write and retries; the live view still gets the values.
      log.error({ err }, 'store write failed');
    }
    stats.accepted += readings.length;
    opts.onReadings(readings);
  }

  aedes.on('publish', onPublish);
  return {
    stats: () => ({ ...stats, rejectedByReason: { ...stats.rejectedByReason } }),
    stop: () => {
      aedes.off('publish', onPublish);
    },
  };
}
