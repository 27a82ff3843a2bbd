import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { ErrorResponseSchema } from '../../shared/api';
import type { Permission } from '../../shared/auth';
import type { Principal } from '../auth/accounts';

/**
 * Every REST route is declared once, as data: its method, path, who may call it,
 * the schemas of its parameters, query, body and answer, and its handler. The
 * same declaration mounts it on express (validated by the shared schemas) and
 * writes its entry in the OpenAPI 3.1 document (/api/v1/openapi.json), so the
 * document cannot drift from what the routes do; test/integration/openapi.test.ts
 * calls every documented route and checks the answers against it.
 */

export type Access = 'public' | 'authenticated' | Permission;

/** An error with an HTTP status, answered as {error, details}. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  /** Undefined only on public routes called without credentials. */
  principal: Principal | undefined;
}

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Under /api, express syntax: '/v1/series/:id/history'. */
  path: string;
  summary: string;
  description?: string;
  /** The OpenAPI tag: the route family. */
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** The JSON answer on success; omitted for 204 and non-JSON answers. */
  response?: z.ZodType;
  /** Success status, default 200 (204: no body). */
  status?: number;
  /** Error statuses beyond 400/401/403/404/503 the route may answer (409 conflict, 429...), for the document. */
  errors?: number[];
  /** Other content types the route can answer with (CSV, HTML), chosen by a query parameter. */
  alsoProduces?: ('text/csv' | 'text/html')[];
  /**
   * Returns the JSON body (sent with `status`), or undefined when it answered
   * itself (a file, CSV, a redirect). Throw HttpError for a 4xx.
   */
  handler(ctx: RouteContext<Infer<P>, Infer<Q>, Infer<B>>): unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds routes of every shape.
export type AnyRoute = RouteSpec<any, any, any>;

export function route<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec as AnyRoute;
}

/** The first issue of a failed parse as a 400 {error, details}, as validate() does. */
function badRequest(part: string, error: z.ZodError): HttpError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : part;
  return new HttpError(
    400,
    `invalid ${part}: ${field}: ${issue?.message ?? 'invalid'}`,
    error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

/** 401 without credentials, 403 without the permission. */
export function checkAccess(access: Access, principal: Principal | undefined): void {
  if (access === 'public') return;
  if (!principal) throw new HttpError(401, 'authentication required: log in (POST /api/v1/auth/login) or send "Authorization: Bearer <token>"');
  if (access !== 'authenticated' && !principal.permissions.includes(access)) {
    throw new HttpError(403, `permission "${access}" required; ${principal.via === 'token' ? 'this token has' : `role "${principal.role}" has`} ${principal.permissions.join(', ')}`);
  }
}

/** Mounts the routes on a router; `principalOf` reads the request's credentials. */
export function mountRoutes(routes: readonly AnyRoute[], principalOf: (req: Request) => Principal | undefined): express.Router {
  const router = express.Router();
  for (const spec of routes) {
    router[spec.method](spec.path, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const principal = principalOf(req);
        checkAccess(spec.access, principal);
        const parts: Record<'params' | 'query' | 'body', unknown> = { params: undefined, query: undefined, body: undefined };
        for (const part of ['params', 'query', 'body'] as const) {
          const schema = spec[part] as z.ZodType | undefined;
          if (!schema) continue;
          const result = schema.safeParse(part === 'body' ? (req.body ?? {}) : req[part]);
          if (!result.success) throw badRequest(part, result.error);
          parts[part] = result.data;
        }
        const body = await spec.handler({ req, res, principal, ...parts } as RouteContext<unknown, unknown, unknown>);
        if (res.headersSent) return;
        const status = spec.status ?? 200;
        if (status === 204) res.status(204).end();
        else res.status(status).json(body);
      } catch (err) {
        next(err);
      }
    });
  }
  return router;
}

/** express ':id' to OpenAPI '{id}'. */
const openApiPath = (p: string): string => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
    schema: prop,
  }));
}

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid input: the first problem, and all of them in details',
  '401': 'No valid credentials',
  '403': 'Credentials without the needed permission',
  '404': 'Not found',
  '409': 'Conflicts with the current state (already exists, last admin, not running)',
  '413': 'Request body too large',
  '429': 'Too many attempts: wait and retry',
  '503': 'A backing service (the time-series store) is unreachable; retry',
};

/** The OpenAPI 3.1 document of these routes. */
export function openApiDocument(routes: readonly AnyRoute[], info: { title: string; version: string; description: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  for (const spec of routes) {
    const p = `/api${openApiPath(spec.path)}`;
    paths[p] ??= {};
    const status = String(spec.status ?? 200);
    const content: Record<string, unknown> = {};
    if (spec.response) content['application/json'] = { schema: jsonSchema(spec.response, 'output') };
    for (const type of spec.alsoProduces ?? []) content[type] = { schema: { type: 'string' } };
    const responses: Record<string, unknown> = { [status]: { description: status === '204' ? 'Done' : 'Success', ...(Object.keys(content).length > 0 ? { content } : {}) } };
    const errors = ['400', ...(spec.access === 'public' ? [] : ['401', '403']), '404', '503', ...(spec.errors ?? []).map(String)];
    for (const code of errors) responses[code] = { description: ERROR_STATUSES[code] ?? 'Error', content: error };
    paths[p][spec.method] = {
      operationId: `${spec.method}${spec.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      ...(spec.access === 'public' ? { security: [] } : { 'x-permission': spec.access }),
      parameters: [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')],
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/v1/auth/login, or an API token (lnm_...) from POST /api/v1/auth/tokens' },
        session: { type: 'apiKey', in: 'cookie', name: 'lnm_session' },
      },
      schemas: { Error: jsonSchema(ErrorResponseSchema, 'output') },
    },
    paths,
  };
}
