import type { Response } from 'express';
import type { Building } from '../../../shared/building';
import type { Catalogue } from '../../../shared/catalogue';
import {
  ComfortQuerySchema,
  ComfortResponseSchema,
  CompareQuerySchema,
  CompareResponseSchema,
  EnergyQuerySchema,
  EnergyResponseSchema,
  HeatQuerySchema,
  HeatResponseSchema,
  type KpiKind,
  type KpiLocale,
  ReportQuerySchema,
  ReportResponseSchema,
  WaterQuerySchema,
  WaterResponseSchema,
} from '../../../shared/kpi';
import type { Principal } from '../../auth/accounts';
import { renderReportHtml } from '../../kpi/html';
import { KpiInputError } from '../../kpi/periods';
import { createKpiService, type KpiDeps } from '../../kpi/service';
import { compareCsv, kpiCsv } from '../../kpi/tables';
import type { Store } from '../../store/types';
import { type AnyRoute, HttpError, route } from '../registry';

/**
 * Energy, water, heat and comfort KPIs, their comparison with earlier periods,
 * and the printable period report (docs/kpi.md). JSON needs "read"; CSV
 * (format=csv) and the report need "export".
 */

const FILE_NAMES: Record<KpiLocale, Record<KpiKind | 'compare' | 'report', string>> = {
  fr: { energy: 'energie', water: 'eau', heat: 'chaleur', comfort: 'confort', compare: 'comparaison', report: 'rapport' },
  en: { energy: 'energy', water: 'water', heat: 'heat', comfort: 'comfort', compare: 'comparison', report: 'report' },
};

const fileName = (base: string, label: string, ext: string): string => `${base}-${label.replace(/[^A-Za-z0-9-]+/g, '_').replace(/^_+|_+$/g, '')}.${ext}`;

function requireExport(principal: Principal | undefined): void {
  if (!principal?.permissions.includes('export')) {
    throw new HttpError(403, `format=csv needs the "export" permission; ${principal ? `${principal.via === 'token' ? 'this token has' : `role "${principal.role}" has`} ${principal.permissions.join(', ')}` : 'not logged in'}`);
  }
}

/** Bad periods and intervals are the caller's to fix: 400 with the reason. */
async function input<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof KpiInputError) throw new HttpError(400, err.message, err.details);
    throw err;
  }
}

function sendFile(res: Response, type: 'text/csv' | 'text/html', name: string, body: string, attachment: boolean): undefined {
  res.status(200);
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (type === 'text/html') res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'");
  res.setHeader('Content-Disposition', `${attachment ? 'attachment' : 'inline'}; filename="${name}"`);
  res.send(body);
  return undefined;
}

export function kpiRoutes(deps: { store: Store; catalogue: Catalogue; building: Building; now: () => number; defaults?: KpiDeps['defaults'] }): AnyRoute[] {
  const kpi = createKpiService(deps);
  const tz = deps.building.site.timezone;
  const periodHelp =
    'period=day|week|month|year around date (a local date, default today; weeks are ISO weeks) or period=custom from..to; rows by interval (hour, day, week, month, period) in Europe/Paris local time. A period reaching past now is cut at the end of the current hour (partial: true).';

  return [
    route({
      method: 'get',
      path: '/v1/kpi/energy',
      summary: 'PV, grid import and export, consumption, self-consumption, EV charging, costs and CO2, by interval',
      description: `${periodHelp} Every figure is computed per hour from the meters' hourly increases and summed; ratios are ratios of the sums. Tariffs and the grid emission factor default to the building file's. format=csv (permission "export") gives the rows as CSV.`,
      tag: 'kpi',
      access: 'read',
      query: EnergyQuerySchema,
      response: EnergyResponseSchema,
      alsoProduces: ['text/csv'],
      async handler({ query, principal, res }) {
        if (query.format === 'csv') requireExport(principal);
        const body = await input(() => kpi.energy(query));
        if (query.format === 'csv') return sendFile(res, 'text/csv', fileName(FILE_NAMES[query.locale].energy, body.period.label, 'csv'), kpiCsv('energy', body.rows, tz, query.locale), true);
        return body;
      },
    }),
    route({
      method: 'get',
      path: '/v1/kpi/water',
      summary: 'Rainfall, rainwater harvested and used, mains top-up, overflow, substitution rate, potable water saved',
      description: `${periodHelp} format=csv (permission "export") gives the rows as CSV.`,
      tag: 'kpi',
      access: 'read',
      query: WaterQuerySchema,
      response: WaterResponseSchema,
      alsoProduces: ['text/csv'],
      async handler({ query, principal, res }) {
        if (query.format === 'csv') requireExport(principal);
        const body = await input(() => kpi.water(query));
        if (query.format === 'csv') return sendFile(res, 'text/csv', fileName(FILE_NAMES[query.locale].water, body.period.label, 'csv'), kpiCsv('water', body.rows, tz, query.locale), true);
        return body;
      },
    }),
    route({
      method: 'get',
      path: '/v1/kpi/heat',
      summary: 'District heat delivered, heating degree-days and heat per degree-day, AHU heat-recovery efficiency (EN 308)',
      description: `${periodHelp} Degree-days are per whole local day (none on hourly rows). format=csv (permission "export") gives the rows as CSV.`,
      tag: 'kpi',
      access: 'read',
      query: HeatQuerySchema,
      response: HeatResponseSchema,
      alsoProduces: ['text/csv'],
      async handler({ query, principal, res }) {
        if (query.format === 'csv') requireExport(principal);
        const body = await input(() => kpi.heat(query));
        if (query.format === 'csv') return sendFile(res, 'text/csv', fileName(FILE_NAMES[query.locale].heat, body.period.label, 'csv'), kpiCsv('heat', body.rows, tz, query.locale), true);
        return body;
      },
    }),
    route({
      method: 'get',
      path: '/v1/kpi/comfort',
      summary: 'Occupied hours of each zone in each EN 16798-1 category, for CO2, temperature and humidity',
      description: `${periodHelp} Rows per interval and zone; the default interval is the whole period. format=csv (permission "export") gives the rows as CSV.`,
      tag: 'kpi',
      access: 'read',
      query: ComfortQuerySchema,
      response: ComfortResponseSchema,
      alsoProduces: ['text/csv'],
      async handler({ query, principal, res }) {
        if (query.format === 'csv') requireExport(principal);
        const body = await input(() => kpi.comfort(query));
        if (query.format === 'csv') return sendFile(res, 'text/csv', fileName(FILE_NAMES[query.locale].comfort, body.period.label, 'csv'), kpiCsv('comfort', body.rows, tz, query.locale), true);
        return body;
      },
    }),
    route({
      method: 'get',
      path: '/v1/kpi/compare',
      summary: "A KPI's totals against the previous period and the same period a year earlier",
      description: `kpi=energy|water|heat|comfort. ${periodHelp} For a partial period the references are cut as far into them as it has gone. format=csv (permission "export") gives the figures as CSV.`,
      tag: 'kpi',
      access: 'read',
      query: CompareQuerySchema,
      response: CompareResponseSchema,
      alsoProduces: ['text/csv'],
      async handler({ query, principal, res }) {
        if (query.format === 'csv') requireExport(principal);
        const body = await input(() => kpi.compare(query.kpi, query));
        if (query.format === 'csv') return sendFile(res, 'text/csv', fileName(`${FILE_NAMES[query.locale].compare}-${FILE_NAMES[query.locale][query.kpi]}`, body.current.label, 'csv'), compareCsv(query.kpi, body.figures, query.locale), true);
        return body;
      },
    }),
    route({
      method: 'get',
      path: '/v1/reports/period',
      summary: 'The period report: energy, water, heat and comfort KPIs with the same period a year earlier, as JSON or a printable HTML page',
      description: `${periodHelp} format=html gives a self-contained printable page (French labels, numbers in the locale).`,
      tag: 'kpi',
      access: 'export',
      query: ReportQuerySchema,
      response: ReportResponseSchema,
      alsoProduces: ['text/html'],
      async handler({ query, res }) {
        const body = await input(() => kpi.report(query));
        if (query.format === 'html') return sendFile(res, 'text/html', fileName(FILE_NAMES[query.locale].report, body.period.label, 'html'), renderReportHtml(body, query.locale), false);
        return body;
      },
    }),
  ];
}
