import { z } from 'zod';
import { type Aggregate, HealthResponseSchema, HistoryQuerySchema, HistoryResponseSchema, historyRange, IngestStatsResponseSchema, LatestResponseSchema, RejectedQuerySchema, RejectedResponseSchema, SeriesListResponseSchema } from '../../../shared/api';
import type { HealthResponse } from '../../../shared/api';
import { type Catalogue, findDevice } from '../../../shared/catalogue';
import { pointSemantics } from '../../../shared/semantics';
import { PARIS, formatLocalIso } from '../../../shared/calendar';
import type { Ingest } from '../../ingest/index';
import { toCsv } from '../../kpi/csv';
import type { Bucket, Store } from '../../store/types';
import { type AnyRoute, HttpError, route } from '../registry';

export const SeriesParamsSchema = z.object({ id: z.string().regex(/^[a-z0-9-]+\.[a-z0-9_]+$/, 'series ids look like "<deviceId>.<point>"') });

function valueOf(b: Bucket, agg: Aggregate): number {
  // 'increase' is only asked of counters, whose buckets always carry it.
  return agg === 'increase' ? (b.increase ?? 0) : b[agg];
}

/** Health, series, latest values, history, ingest statistics. */
export function readingRoutes(deps: { store: Store; catalogue: Catalogue; ingest: Pick<Ingest, 'stats' | 'rejected'>; health: () => HealthResponse; now: () => number }): AnyRoute[] {
  const { store } = deps;
  const withSemantics = (s: ReturnType<Store['listSeries']>[number]) => {
    const sem = pointSemantics(findDevice(deps.catalogue, s.deviceId)?.type.id ?? '', s.point);
    return { ...s, ...(sem.brick ? { brick: sem.brick } : {}), tags: sem.tags };
  };
  return [
    route({
      method: 'get',
      path: '/health',
      summary: 'Whether the broker, the store, ingest and the simulator are up',
      description: 'Public, for probes and load balancers: it gives counts, never readings.',
      tag: 'meta',
      access: 'public',
      response: HealthResponseSchema,
      handler: () => deps.health(),
    }),
    route({
      method: 'get',
      path: '/v1/series',
      summary: 'Every known series: id, device, point, unit, kind, zone, Brick class and semantic tags',
      tag: 'readings',
      access: 'read',
      response: SeriesListResponseSchema,
      handler: () => ({ series: store.listSeries().map(withSemantics) }),
    }),
    route({
      method: 'get',
      path: '/v1/latest',
      summary: 'The latest reading of every series',
      tag: 'readings',
      access: 'read',
      response: LatestResponseSchema,
      handler: () => ({ readings: store.latest() }),
    }),
    route({
      method: 'get',
      path: '/v1/series/:id/history',
      summary: 'The history of one series, at the resolution its range needs',
      description: 'resolution=auto picks the finest of raw, 1m, 1h, 1d that gives at most maxPoints buckets (docs/storage.md).',
      tag: 'readings',
      access: 'read',
      params: SeriesParamsSchema,
      query: HistoryQuerySchema,
      response: HistoryResponseSchema,
      alsoProduces: ['text/csv'],
      async handler({ params, query, principal, res }) {
        if (query.format === 'csv' && !principal?.permissions.includes('export')) throw new HttpError(403, 'permission "export" required for CSV (role energy-reviewer or admin)');
        const series = store.getSeries(params.id);
        if (!series) throw new HttpError(404, `unknown series "${params.id}"`, { hint: 'GET /api/v1/series lists them' });
        const agg: Aggregate = query.agg ?? (series.kind === 'gauge' ? 'mean' : 'last');
        if (agg === 'increase' && series.kind !== 'counter') throw new HttpError(400, `agg=increase applies to counters; "${params.id}" is a ${series.kind}`, { path: ['agg'] });
        const { from, to, problem } = historyRange(query, deps.now());
        if (problem) throw new HttpError(400, problem, { path: ['from'] });
        const { resolution, buckets, truncated } = await store.query(params.id, { from, to, resolution: query.resolution, maxPoints: query.maxPoints });
        const points = buckets.map((b): [number, number] => [b.t, valueOf(b, agg)]);
        if (query.format === 'csv') {
          const fr = query.locale === 'fr';
          const csv = toCsv(
            [
              { key: 'time', header: fr ? 'Horodatage (Europe/Paris)' : 'Time (Europe/Paris)' },
              { key: 'value', header: `${series.label} [${series.id}] ${agg}${resolution === 'raw' ? '' : ` ${resolution}`}`, unit: series.unit || undefined },
            ],
            points.map(([t, v]) => ({ time: formatLocalIso(PARIS, t), value: series.kind === 'state' && agg === 'last' ? (series.states?.[v] ?? v) : v })),
            query.locale,
          );
          res.setHeader('Content-Type', 'text/csv; charset=utf-8');
          res.setHeader('Content-Disposition', `attachment; filename="${series.id}-${resolution}.csv"`);
          res.send(csv);
          return undefined;
        }
        return { series, from, to, resolution, agg, points, truncated };
      },
    }),
    route({
      method: 'get',
      path: '/v1/ingest/stats',
      summary: 'Accepted and rejected messages, per device and reason; stale devices',
      tag: 'ingest',
      access: 'read',
      response: IngestStatsResponseSchema,
      handler: () => deps.ingest.stats(),
    }),
    route({
      method: 'get',
      path: '/v1/ingest/rejected',
      summary: 'The latest rejected messages with their reason (a bounded dead-letter store)',
      tag: 'ingest',
      access: 'read',
      query: RejectedQuerySchema,
      response: RejectedResponseSchema,
      handler: ({ query }) => deps.ingest.rejected({ deviceId: query.device, reason: query.reason, limit: query.limit }),
    }),
  ];
}
