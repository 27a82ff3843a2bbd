import { parentPort, workerData } from 'node:worker_threads';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { openDatabase } from './sqlite-schema';
import { MAX_PER_TRANSACTION, createSqliteWriter } from './sqlite-writer';
import { type LogMessage, threadLog } from './thread-log';

/**
 * The SQLite store's writer thread (bundled and started by sqlite.ts). Messages are handled in order; a write that fails
 * (disk full, file locked) is kept and retried, never skipped, so that what was
 * handed over is written in order or not at all.
 */

export interface WorkerInit {
  file: string;
  rawRetentionDays: number;
  /** First retry of a failed write, ms; doubled up to 5 s. */
  retryMs: number;
}

export type ToWorker =
  | { type: 'write'; seq: number; data: Float64Array; /** The store's clock at hand-over: what raw retention has expired. */ now: number }
  | { type: 'series' }
  | { type: 'retention'; seq: number; now: number }
  | { type: 'close' };

export type FromWorker =
  | { type: 'written'; seq: number; n: number; stored: number; refused: number; rawFrom: [number, number][] }
  | { type: 'failing'; seq: number; message: string }
  | { type: 'retained'; seq: number; deleted: number; rawFrom: [number, number][] }
  | { type: 'retention-failed'; seq: number; message: string }
  | LogMessage
  | { type: 'closed' };

if (!parentPort) throw new Error('sqlite-worker.ts runs as a worker thread');
const port = parentPort;
const init = workerData as WorkerInit;
const post = (m: FromWorker) => port.postMessage(m);
const log = threadLog(post);

const db = openDatabase(init.file, { writer: true, log });
const writer = createSqliteWriter(db, init.rawRetentionDays, log);
const queue: Extract<ToWorker, { type: 'write' }>[] = [];
let retryTimer: NodeJS.Timeout | undefined;
let retryMs = init.retryMs;
let closing = false;
let retention: Promise<void> | undefined;

let scheduled = false;

function schedule(): void {
  if (scheduled || retryTimer) return;
  scheduled = true;
  // After the messages already waiting are received, so that they share a transaction.
  setImmediate(() => {
    scheduled = false;
    drain();
  });
}

function drain(): void {
  if (retryTimer) return;
  while (queue.length > 0) {
    let n = 0;
    let count = 0;
    while (count < queue.length && (count === 0 || n + (queue[count] as (typeof queue)[number]).data.length / 3 <= MAX_PER_TRANSACTION)) {
      n += (queue[count] as (typeof queue)[number]).data.length / 3;
      count++;
    }
    const jobs = queue.slice(0, count);
    const last = jobs[jobs.length - 1] as (typeof queue)[number];
    try {
      const out = writer.write(
        jobs.map((j) => j.data),
        last.now,
      );
      queue.splice(0, count);
      retryMs = init.retryMs;
      post({ type: 'written', seq: last.seq, n, stored: out.stored, refused: out.refused, rawFrom: out.rawFrom });
    } catch (err) {
      // Kept at the head of the queue: a transient failure must not lose data, nor reorder it.
      post({ type: 'failing', seq: (jobs[0] as (typeof queue)[number]).seq, message: (err as Error).message });
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        drain();
        if (closing) finish();
      }, retryMs);
      retryMs = Math.min(5_000, retryMs * 2);
      return;
    }
    // Messages that arrived meanwhile join the next transaction.
    if (queue.length > 0) return schedule();
  }
}

function finish(): void {
  if (queue.length > 0 && retryTimer) return;
  if (queue.length > 0 || scheduled) return void setImmediate(finish);
  void (retention ?? Promise.resolve()).then(() => {
    db.close();
    post({ type: 'closed' });
    port.close();
  });
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'write':
      queue.push(m);
      schedule();
      break;
    case 'series':
      writer.loadSeries();
      break;
    case 'retention': {
      const run = async () => {
        try {
          const r = await writer.retention(m.now, () => yieldToLoop(), () => closing);
          post({ type: 'retained', seq: m.seq, deleted: r.deleted, rawFrom: r.rawFrom });
        } catch (err) {
          post({ type: 'retention-failed', seq: m.seq, message: (err as Error).message });
        }
      };
      const prev = retention ?? Promise.resolve();
      const next: Promise<void> = prev.then(run).finally(() => {
        if (retention === next) retention = undefined;
      });
      retention = next;
      break;
    }
    case 'close':
      closing = true;
      finish();
      break;
  }
});
