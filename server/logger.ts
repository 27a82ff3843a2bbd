import pino, { type Logger } from 'pino';

/**
 * One logger, one child per module namespace (mqtt, ingest, store, http, live,
 * simulator). pino writes JSON lines, which is what log shippers expect; tests
 * pass level "silent".
 */
export type LogNamespace = 'app' | 'mqtt' | 'ingest' | 'store' | 'http' | 'live' | 'simulator' | 'auth' | 'alerts' | 'kpi' | 'cluster' | 'notify';
export type { Logger };

export function createLogger(level: string): (ns: LogNamespace) => Logger {
  const root = pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
  const children = new Map<LogNamespace, Logger>();
  return (ns) => {
    let child = children.get(ns);
    if (!child) {
      child = root.child({ ns });
      children.set(ns, child);
    }
    return child;
  };
}
