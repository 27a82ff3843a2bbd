import fs from 'node:fs';
import path from 'node:path';
import { parseCookie } from 'cookie';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { SESSION_COOKIE } from '../../shared/auth';
import type { Accounts, Principal } from '../auth/accounts';
import { UserError } from '../auth/accounts';
import type { Logger } from '../logger';
import { StoreUnavailableError } from '../store/types';
import { type AnyRoute, HttpError, mountRoutes, openApiDocument, route } from './registry';

export interface ApiDeps {
  accounts: Accounts;
  /** Every route family (server/api/routes/*), mounted under /api and documented in /api/v1/openapi.json. */
  routes: AnyRoute[];
  version: string;
  webDir: string;
  log: Logger;
  /** Requests larger than this are refused (413). */
  bodyLimit?: string;
}

/** The credentials of a request: "Authorization: Bearer", else the session cookie. */
export function credentialsOf(headers: { authorization?: string | undefined; cookie?: string | undefined }): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  if (headers.cookie) return parseCookie(headers.cookie)[SESSION_COOKIE];
  return undefined;
}

export function createApi(deps: ApiDeps): express.Express {
  const { log, accounts } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use('/api', express.json({ limit: deps.bodyLimit ?? '100kb' }));

  const principalOf = (req: Request): Principal | undefined => {
    const cached = (req as Request & { principal?: Principal | null }).principal;
    if (cached !== undefined) return cached ?? undefined;
    const principal = accounts.authenticate(credentialsOf(req.headers));
    (req as Request & { principal?: Principal | null }).principal = principal ?? null;
    return principal;
  };

  const openapi = route({
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This API, described in OpenAPI 3.1',
    tag: 'meta',
    access: 'public',
    response: z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }),
    handler: () => document,
  });
  const routes = [...deps.routes, openapi];
  const document = openApiDocument(routes, {
    title: 'Le Numérique building monitor',
    version: deps.version,
    description: 'Readings, history, KPIs, alerts and administration of the Le Numérique smart building. Devices publish over MQTT (docs/mqtt.md); this is the HTTP side.',
  });
  app.use('/api', mountRoutes(routes, principalOf));

  app.use('/api', (req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}`, details: { hint: 'GET /api/v1/openapi.json lists them' } });
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

  // Anything thrown: a JSON error with the right status, never a stack trace.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError || err instanceof UserError) {
      res.status(err.status).json({ error: err.message, ...(err instanceof HttpError && err.details !== undefined ? { details: err.details } : {}) });
      return;
    }
    if (err instanceof StoreUnavailableError) {
      // InfluxDB away: readings are spooled meanwhile, nothing is lost; the caller may retry.
      res.setHeader('Retry-After', '5');
      res.status(503).json({ error: 'the time-series store is unreachable; readings are kept and written once it is back', details: { code: err.code } });
      return;
    }
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err }, 'unhandled error');
    const message = status === 413 ? 'request body too large' : status === 500 ? 'internal error' : 'bad request: the body is not valid JSON';
    res.status(status).json({ error: message });
  });
  return app;
}
