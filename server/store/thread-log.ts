import type { StoreLog } from './types';

/** A log record a store thread sends to the event loop, which gives it to the server's logger (`log[level](obj, msg)`). */
export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

/**
 * A store thread's logger (sqlite-worker.ts, influx-worker.ts): each record is
 * posted to the event loop. An Error among its fields (pino's `err`) goes as its
 * message, which is what a log line shows of it.
 */
export function threadLog(post: (m: LogMessage) => void): StoreLog {
  const plain = (obj: object): object => Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, v instanceof Error ? v.message : v]));
  return {
    info: (obj, msg) => post({ type: 'log', level: 'info', obj: plain(obj), msg }),
    warn: (obj, msg) => post({ type: 'log', level: 'warn', obj: plain(obj), msg }),
    error: (obj, msg) => post({ type: 'log', level: 'error', obj: plain(obj), msg }),
  };
}
