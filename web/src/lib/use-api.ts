import { useCallback, useEffect, useState } from 'react';
import type { z } from 'zod';
import { errorMessage, getJson, isAbortError } from './api';

export interface ApiState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  /** Fetches again (after a write, on a live event). */
  reload: () => void;
}

/**
 * GETs `path` (null: nothing yet) and parses it with `schema`; fetches again when
 * `path` changes, cancelling the previous request. Keeps the last data while a new
 * one loads, so a chart does not blink when its period changes.
 */
export function useApi<S extends z.ZodType>(path: string | null, schema: S, what: string): ApiState<z.output<S>> {
  const [data, setData] = useState<z.output<S> | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setLoading(true);
    getJson(path, schema, what, controller.signal).then(
      (d) => {
        setData(d);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (isAbortError(err)) return;
        setError(errorMessage(err));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [path, schema, what, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, loading, reload };
}
