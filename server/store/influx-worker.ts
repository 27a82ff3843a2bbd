import { parentPort, workerData } from 'node:worker_threads';
import type { Reading, Series } from '../../shared/api';
import { type InfluxStoreOptions, openInfluxStore } from './influx';
import { type LogMessage, threadLog } from './thread-log';
import type { RangeQuery, Store, StoreStats } from './types';

/**
 * The InfluxDB store's thread (bundled and started by influx-thread.ts): the
 * whole store of influx.ts (spool, rollups, line protocol, HTTP writes) runs here,
 * on an event loop of its own. On the server's event loop a burst of MQTT
 * publishes is read and ingested for a second or more without a turn for I/O
 * (docs/performance.md): the store's answers from InfluxDB waited behind it, and
 * the database stood idle. Here they do not.
 *
 * Messages are handled in order: series before the readings that need them,
 * readings before the reads that must see them.
 */

/** What openInfluxStore takes that can cross to a thread (no functions: no serialize, no clock). */
export type InfluxThreadInit = Omit<InfluxStoreOptions, 'log' | 'serialize' | 'now' | 'onChange'>;

/** The store's reads, by name, with their arguments. */
export type InfluxCall = { method: 'flush'; args: [] } | { method: 'history'; args: [seriesId: string, from: number, to: number, limit: number] } | { method: 'query'; args: [seriesId: string, q: RangeQuery] } | { method: 'increases'; args: Parameters<Store['increases']> };

export type ToInfluxThread =
  /** Numbers for series ids, in the order the main thread gave them (the index is the number). */
  | { type: 'ids'; ids: string[] }
  /** One batch, cut by the event loop: readings as triples (id number, ts, value). */
  | { type: 'write'; data: Float64Array }
  | { type: 'series'; list: Series[] }
  | ({ type: 'call'; seq: number } & InfluxCall)
  | { type: 'close' };

export type FromInfluxThread =
  | { type: 'ready'; series: Series[]; latest: Reading[]; stats: StoreStats }
  | { type: 'open-failed'; message: string }
  /** `received`: readings taken from 'write' messages so far. */
  | { type: 'stats'; stats: StoreStats; received: number }
  /** A call's answer, with the stats as they are then: what a flush() just wrote is in them. */
  | { type: 'result'; seq: number; value: unknown; stats: StoreStats; received: number }
  | { type: 'failed'; seq: number; name: string; message: string; stats: StoreStats; received: number }
  | LogMessage
  | { type: 'closed' };

if (!parentPort) throw new Error('influx-worker.ts runs as a worker thread');
const port = parentPort;
const post = (m: FromInfluxThread) => port.postMessage(m);
const log = threadLog(post);

const ids: string[] = [];
let received = 0;
let store: Store | undefined;

let statsPosted = false;
/** One stats message per turn of this thread's loop, however many changes it saw. */
function postStats(): void {
  if (statsPosted || !store) return;
  statsPosted = true;
  setImmediate(() => {
    statsPosted = false;
    if (store) post({ type: 'stats', stats: store.stats(), received });
  });
}

async function answer(seq: number, call: InfluxCall, s: Store): Promise<void> {
  try {
    let value: unknown;
    if (call.method === 'flush') value = await s.flush();
    else if (call.method === 'history') value = await s.history(...call.args);
    else if (call.method === 'query') value = await s.query(...call.args);
    else value = await s.increases(...call.args);
    post({ type: 'result', seq, value, stats: s.stats(), received });
  } catch (err) {
    post({ type: 'failed', seq, name: (err as Error).name, message: (err as Error).message, stats: s.stats(), received });
  }
}

function handle(m: ToInfluxThread, s: Store): void {
  switch (m.type) {
    case 'ids':
      for (const id of m.ids) ids.push(id);
      break;
    case 'write': {
      const readings: Reading[] = new Array(m.data.length / 3);
      for (let i = 0, k = 0; k < m.data.length; i++, k += 3) readings[i] = { seriesId: ids[m.data[k] as number] as string, ts: m.data[k + 1] as number, value: m.data[k + 2] as number };
      received += readings.length;
      s.write(readings);
      // A batch cut by the event loop (influx-thread.ts): spooled and written now. The
      // store keeps what it cannot write (spool, retries); a failure here is only logged.
      s.flush().catch((err: unknown) => log.error({ err: (err as Error).message }, 'writing a batch failed'));
      postStats();
      break;
    }
    case 'series':
      s.upsertSeries(m.list);
      break;
    case 'call':
      void answer(m.seq, m, s);
      break;
    case 'close':
      void s
        .close()
        .catch((err: unknown) => log.error({ err: (err as Error).message }, 'closing the influx store failed'))
        .finally(() => {
          post({ type: 'stats', stats: s.stats(), received });
          post({ type: 'closed' });
          port.close();
        });
      break;
  }
}

// influx-thread.ts sends nothing before 'ready'.
openInfluxStore({ ...(workerData as InfluxThreadInit), log, onChange: postStats }).then(
  (s) => {
    store = s;
    port.on('message', (m: ToInfluxThread) => handle(m, s));
    post({ type: 'ready', series: s.listSeries(), latest: s.latest(), stats: s.stats() });
  },
  (err: unknown) => {
    post({ type: 'open-failed', message: (err as Error).message });
    port.close();
  },
);
