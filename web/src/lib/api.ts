import type { z } from 'zod';
import {
  ErrorResponseSchema,
  type HealthResponse,
  HealthResponseSchema,
  type HistoryResponse,
  HistoryResponseSchema,
  type LatestResponse,
  LatestResponseSchema,
  type SeriesListResponse,
  SeriesListResponseSchema,
} from '../../../shared/api';
import { CSRF_HEADER } from '../../../shared/auth';

/**
 * REST helpers. Every failure becomes an ApiError whose message a person can
 * read (in French), with the server's own words when it gave any.
 */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    /** HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** True for the rejection of a request cancelled through its AbortSignal. */
export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

/** A message to show for anything a fetch helper threw. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export async function getJson<S extends z.ZodType>(path: string, schema: S, what: string, signal?: AbortSignal): Promise<z.output<S>> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { Accept: 'application/json' }, signal });
  } catch (err) {
    if (isAbortError(err)) throw err;
    throw new ApiError(`Impossible de charger ${what} : le serveur est injoignable.`, 0);
  }

  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    if (isAbortError(err)) throw err;
    body = undefined;
  }

  if (!res.ok) {
    const parsedError = ErrorResponseSchema.safeParse(body);
    const reason = parsedError.success ? parsedError.data.error : res.statusText || 'erreur inconnue';
    throw new ApiError(`Impossible de charger ${what} (HTTP ${res.status}) : ${reason}.`, res.status, parsedError.success ? parsedError.data.details : undefined);
  }

  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(`Impossible de charger ${what} : réponse inattendue du serveur.`, res.status, parsed.error.issues);
  }
  return parsed.data;
}

export function fetchSeries(signal?: AbortSignal): Promise<SeriesListResponse> {
  return getJson('/api/v1/series', SeriesListResponseSchema, 'la liste des séries', signal);
}

export function fetchLatest(signal?: AbortSignal): Promise<LatestResponse> {
  return getJson('/api/v1/latest', LatestResponseSchema, 'les dernières valeurs', signal);
}

export function fetchHistory(seriesId: string, from: number, to: number, signal?: AbortSignal): Promise<HistoryResponse> {
  const query = new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)) });
  return getJson(`/api/v1/series/${encodeURIComponent(seriesId)}/history?${query}`, HistoryResponseSchema, `l'historique de ${seriesId}`, signal);
}

export function fetchHealth(signal?: AbortSignal): Promise<HealthResponse> {
  return getJson('/api/health', HealthResponseSchema, "l'état du serveur", signal);
}

/**
 * A write (POST, PUT, PATCH, DELETE) with a JSON body; the answer parsed with `schema`
 * (undefined for 204). The server's {error} is thrown as an ApiError, its message as is.
 */
export async function sendJson<S extends z.ZodType>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body: unknown, schema: S | null): Promise<z.output<S> | undefined> {
  // The CSRF header: the server refuses a write authenticated by the session cookie without it.
  const res = await fetch(path, { method, headers: { 'Content-Type': 'application/json', Accept: 'application/json', [CSRF_HEADER]: '1' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const parsedError = ErrorResponseSchema.safeParse(json);
    throw new ApiError(parsedError.success ? parsedError.data.error : `HTTP ${res.status}`, res.status, parsedError.success ? parsedError.data.details : undefined);
  }
  if (!schema || res.status === 204) return undefined;
  return schema.parse(json);
}
