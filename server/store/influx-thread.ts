import { Worker } from 'node:worker_threads';
import type { Reading, Series } from '../../shared/api';
import type { FromInfluxThread, InfluxCall, InfluxThreadInit, ToInfluxThread } from './influx-worker';
import { threadCode } from './thread-code';
import { DEFAULT_RAW_RETENTION_DAYS, type Store, type StoreLog, type StoreStats, StoreUnavailableError } from './types';

/** A thread that does not finish closing (a database that never answers) is stopped after this. */
const CLOSE_TIMEOUT_MS = 60_000;

/**
 * The InfluxDB store in a thread of its own (influx-worker.ts runs openInfluxStore
 * there): the event loop hands readings over as typed arrays and asks for reads;
 * the thread spools, rolls up and writes. What the API needs at once (series,
 * latest values, stats) is kept here. Used when this server is InfluxDB's only
 * writer; scaled out, the batch writes take a Redis lock (opts.serialize), a
 * function no thread can be given, and the store runs on the event loop.
 */
export async function openInfluxStoreInThread(opts: InfluxThreadInit & { log: StoreLog }): Promise<Store> {
  const { log, ...init } = opts;
  // Batches are cut here, as influx.ts cuts them (batchSize readings, or the oldest
  // flushIntervalMs old), and handed over whole: the thread spools each one at once.
  const batchSize = opts.batchSize ?? 5_000;
  const flushIntervalMs = opts.flushIntervalMs ?? 1_000;
  // No inherited flags (a test runner's loader, --cpu-prof): the code is plain JavaScript. The influx client loads from node_modules.
  const worker = new Worker(threadCode('server/store/influx-worker.ts', ['influx', 'zod']), { eval: true, workerData: init, execArgv: [] });
  const send = (m: ToInfluxThread, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer);

  const seriesById = new Map<string, Series>();
  const latestBySeries = new Map<string, Reading>();
  const idNumbers = new Map<string, number>();
  let newIds: string[] = [];
  let buf = new Float64Array(3 * batchSize);
  let buffered = 0;
  let handed = 0;
  let received = 0;
  let threadStats: StoreStats = { state: 'degraded', pending: 0, written: 0, dropped: 0 };
  let seq = 0;
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let gone: Error | undefined;
  let started = false;
  let onClosed: () => void = () => undefined;
  let onReady: (m: Extract<FromInfluxThread, { type: 'ready' | 'open-failed' }>) => void = () => undefined;
  const opened = new Promise<Extract<FromInfluxThread, { type: 'ready' | 'open-failed' }>>((resolve) => (onReady = resolve));

  worker.on('message', (m: FromInfluxThread) => {
    switch (m.type) {
      case 'ready':
        for (const s of m.series) seriesById.set(s.id, s);
        for (const r of m.latest) latestBySeries.set(r.seriesId, r);
        threadStats = m.stats;
        onReady(m);
        break;
      case 'open-failed':
        onReady(m);
        break;
      case 'stats':
        threadStats = m.stats;
        received = m.received;
        break;
      case 'result':
      case 'failed': {
        threadStats = m.stats;
        received = m.received;
        const call = calls.get(m.seq);
        calls.delete(m.seq);
        if (m.type === 'result') call?.resolve(m.value);
        else if (m.name === 'StoreUnavailableError') call?.reject(new StoreUnavailableError(m.message));
        else call?.reject(new Error(m.message));
        break;
      }
      case 'log':
        log[m.level](m.obj, m.msg);
        break;
      case 'closed':
        onClosed();
        break;
    }
  });
  const lost = (err: Error) => {
    if (gone) return;
    gone = err;
    // Before it was open, the failure is openInfluxStoreInThread's error, thrown below.
    if (started) log.error({ err: err.message }, 'the InfluxDB store thread failed: readings are no longer stored');
    for (const c of calls.values()) c.reject(err);
    calls.clear();
    onReady({ type: 'open-failed', message: err.message });
  };
  worker.on('error', lost);
  // An exit that close() did not ask for (out of memory, a native crash) is a failure too.
  worker.on('exit', (code) => {
    if (!closed) return lost(new Error(`the InfluxDB store thread exited (code ${code})`));
    for (const c of calls.values()) c.reject(new Error('store is closed'));
    calls.clear();
  });

  const first = await opened;
  if (first.type === 'open-failed') {
    closed = true;
    await worker.terminate();
    throw new Error(first.message);
  }
  started = true;

  function handOver(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffered === 0 || gone) return;
    if (newIds.length > 0) {
      send({ type: 'ids', ids: newIds });
      newIds = [];
    }
    const data = buffered === batchSize ? buf : buf.slice(0, 3 * buffered);
    if (data === buf) buf = new Float64Array(3 * batchSize);
    handed += buffered;
    buffered = 0;
    send({ type: 'write', data }, [data.buffer as ArrayBuffer]);
  }

  function call<T>(c: InfluxCall): Promise<T> {
    handOver();
    if (gone) return Promise.reject(gone);
    // A request still being answered when the server stops: the thread will not answer it.
    if (closed) return Promise.reject(new Error('store is closed'));
    const id = ++seq;
    return new Promise<T>((resolve, reject) => {
      calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      send({ type: 'call', seq: id, ...c });
    });
  }

  return {
    kind: 'influx',
    rawRetentionDays: opts.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS,
    upsertSeries(list) {
      for (const s of list) seriesById.set(s.id, s);
      // Before any reading of these series: the thread takes messages in order.
      send({ type: 'series', list });
    },
    listSeries: () => [...seriesById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    getSeries: (id) => seriesById.get(id),
    write(readings) {
      if (closed) throw new Error('store is closed');
      if (readings.length === 0) return;
      for (const r of readings) {
        const prev = latestBySeries.get(r.seriesId);
        if (!prev || r.ts >= prev.ts) latestBySeries.set(r.seriesId, r);
        let n = idNumbers.get(r.seriesId);
        if (n === undefined) {
          idNumbers.set(r.seriesId, (n = idNumbers.size));
          newIds.push(r.seriesId);
        }
        const k = 3 * buffered;
        buf[k] = n;
        buf[k + 1] = r.ts;
        buf[k + 2] = r.value;
        if (++buffered === batchSize) handOver();
      }
      if (buffered > 0 && !timer) timer = setTimeout(handOver, flushIntervalMs);
    },
    flush: () => call<void>({ method: 'flush', args: [] }),
    latest: () => [...latestBySeries.values()],
    history: (...args) => call({ method: 'history', args }),
    query: (...args) => call({ method: 'query', args }),
    increases: (...args) => call({ method: 'increases', args }),
    // The "raw" retention policy deletes expired raw readings by itself, whole shards at a time.
    applyRetention: async () => ({ deleted: 0 }),
    stats(): StoreStats {
      const pending = buffered + (handed - received) + threadStats.pending;
      if (gone) return { ...threadStats, pending, state: 'down', error: 'the InfluxDB store thread stopped' };
      return { ...threadStats, pending, state: closed ? 'down' : threadStats.state };
    },
    async close() {
      if (closed) return;
      handOver();
      closed = true;
      if (gone) return;
      const done = new Promise<void>((resolve) => {
        onClosed = resolve;
        worker.once('exit', () => resolve());
      });
      send({ type: 'close' });
      const stuck = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
      await done;
      clearTimeout(stuck);
      // Closed and flushed: what may still hold the thread (the HTTP client's kept-alive sockets) holds nothing of ours.
      await worker.terminate();
    },
  };
}
