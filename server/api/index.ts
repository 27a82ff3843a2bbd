import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { type Aggregate, type HealthResponse, type HistoryResponse, HistoryQuerySchema, type IngestStatsResponse, type LatestResponse, RejectedQuerySchema, type RejectedResponse, type SeriesListResponse } from '../../shared/api';
import type { Ingest } from '../ingest/index';
import type { Logger } from '../logger';
import { type Bucket, type Store, StoreUnavailableError } from '../store/types';
import { parsed, validate } from './validate';


const SeriesParamsSchema = z.object({ id: z.string().regex(/^[a-z0-9-]+\.[a-z0-9_]+$/, 'series ids look like "<deviceId>.<point>"') });

export interface ApiDeps {
  store: Store;
  ingest: Pick<Ingest, 'stats' | 'rejected'>;
  health: () => HealthResponse;
  webDir: string;
  log: Logger;
}

export function createApi(deps: ApiDeps): express.Express {
  const { store, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/api/health', (_req, res) => {
    const body = deps.health();
    res.status(200).json(body);
  });

  const v1 = express.Router();
  v1.get('/series', (_req, res) => {
    const body: SeriesListResponse = { series: store.listSeries() };
    res.json(body);
  });

  v1.get('/latest', (_req, res) => {
    const body: LatestResponse = { readings: store.latest() };
    res.json(body);
  });

  v1.get('/series/:id/history', validate('params', SeriesParamsSchema), validate('query', HistoryQuerySchema), async (_req, res) => {
    const { id } = parsed(res, 'params', SeriesParamsSchema);
    const { from, to, resolution: asked, agg: askedAgg, maxPoints } = parsed(res, 'query', HistoryQuerySchema);
    const series = store.getSeries(id);
    if (!series) {
      res.status(404).json({ error: `unknown series "${id}"`, details: { hint: 'GET /api/v1/series lists them' } });
      return;
    }
    const agg: Aggregate = askedAgg ?? (series.kind === 'gauge' ? 'mean' : 'last');
    if (agg === 'increase' && series.kind !== 'counter') {
      res.status(400).json({ error: `agg=increase applies to counters; "${id}" is a ${series.kind}`, details: { path: ['agg'] } });
      return;
    }
    const { resolution, buckets, truncated } = await store.query(id, { from, to, resolution: asked, maxPoints });
    const points = buckets.map((b): [number, number] => [b.t, valueOf(b, agg)]);
    const body: HistoryResponse = { series, from, to, resolution, agg, points, truncated };
    res.json(body);
  });
  v1.get('/ingest/stats', (_req, res) => {
    const body: IngestStatsResponse = deps.ingest.stats();
    res.json(body);
  });

  v1.get('/ingest/rejected', validate('query', RejectedQuerySchema), (_req, res) => {
    const q = parsed(res, 'query', RejectedQuerySchema);
    const body: RejectedResponse = deps.ingest.rejected({ deviceId: q.device, reason: q.reason, limit: q.limit });
    res.json(body);
  });
  app.use('/api/v1', v1);

  app.use('/api', (req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}`, details: { hint: 'see docs/mqtt.md and README.md' } });
  });

  // The built dashboard. index.html is never cached so a new build is picked up at once;
  // hashed assets are immutable.
  const index = path.join(deps.webDir, 'index.html');
  if (fs.existsSync(index)) {
    app.use(express.static(deps.webDir, { index: false, maxAge: '1y', immutable: true }));
    app.get(/^\/(?!api\/|socket\.io\/|mqtt$).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  } else {
    app.get('/', (_req, res) => {
      res.status(503).type('text/plain').send('The dashboard is not built: run "npm run build:web" (npm start does it for you).');
    });
  }

  // Bad JSON bodies and anything thrown: a JSON error, never a stack trace.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof StoreUnavailableError) {
      // InfluxDB away: readings are spooled meanwhile, nothing is lost; the caller may retry.
      res.setHeader('Retry-After', '5');
      res.status(503).json({ error: 'the time-series store is unreachable; readings are kept and written once it is back', details: { code: err.code } });
      return;
    }
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err }, 'unhandled error');
    res.status(status).json({ error: status === 500 ? 'internal error' : 'bad request' });
  });
  return app;
}

function valueOf(b: Bucket, agg: Aggregate): number {
  // 'increase' is only asked of counters, whose buckets always carry it.
  return agg === 'increase' ? (b.increase ?? 0) : b[agg];
}
