import { useCallback, useRef, useState } from 'react';
import { z } from 'zod';
import { NotifyTestResponseSchema, WebhookViewSchema } from '../../../../shared/notify';
import type { Severity } from '../../../../shared/alerts';
import { ApiError, errorMessage, sendJson } from '../../lib/api';
import { useMessages } from '../../lib/i18n';

/** GET /api/v1/notifications/webhooks (module-level: useApi refetches when its schema changes). */
export const WebhookListSchema = z.object({ webhooks: z.array(WebhookViewSchema) });

/** "Send a test": an e-mail to one's own saved address (no `to`), or a webhook by its id (admins). */
export function sendTest(channel: 'email' | 'webhook', to?: string) {
  return sendJson('POST', '/api/v1/notifications/test', to === undefined ? { channel } : { channel, to }, NotifyTestResponseSchema);
}

/** The server's message, with every problem it listed in `details` when there are several (a 400 on a form). */
export function problemText(err: unknown): string {
  const base = errorMessage(err);
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return base;
  const issues = (err.details as unknown[]).flatMap((d) => {
    if (typeof d !== 'object' || d === null) return [];
    const { path, message } = d as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') return [];
    return [typeof path === 'string' && path ? `${path}: ${message}` : message];
  });
  return issues.length > 1 ? `${base} (${issues.join(' ; ')})` : base;
}

/** The fields a 400 named in its details ("email", "quietHours.start"…). */
export function issuePaths(err: unknown): string[] {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return [];
  return (err.details as unknown[]).flatMap((d) => {
    const path = typeof d === 'object' && d !== null ? (d as { path?: unknown }).path : undefined;
    return typeof path === 'string' ? [path] : [];
  });
}

/** What the last action of a form gave: shown in a status region (progress, success) or as an alert (failure). */
export interface Outcome {
  kind: 'busy' | 'ok' | 'error';
  text: string;
  /** Bumped on every change: a repeated failure is a new alert, announced again. */
  seq: number;
}

export function useOutcome(): { outcome: Outcome | null; set: (kind: Outcome['kind'], text: string) => void; clear: () => void } {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const seq = useRef(0);
  const set = useCallback((kind: Outcome['kind'], text: string) => {
    seq.current += 1;
    setOutcome({ kind, text, seq: seq.current });
  }, []);
  const clear = useCallback(() => setOutcome(null), []);
  return { outcome, set, clear };
}

/**
 * The status region of a form: always in the page (a live region must exist
 * before its text changes to be announced), role=status for progress and
 * success; a failure is a role=alert paragraph of its own.
 */
export function OutcomeRegion({ outcome, testId }: { outcome: Outcome | null; testId: string }) {
  return (
    <div className="notify-outcome" data-testid={testId} data-state={outcome?.kind ?? 'idle'}>
      <p role="status" className={outcome?.kind === 'ok' ? 'notify-ok' : 'notice'}>
        {outcome && outcome.kind !== 'error' ? outcome.text : ''}
      </p>
      {outcome?.kind === 'error' ? (
        <p key={outcome.seq} role="alert" className="error">
          {outcome.text}
        </p>
      ) : null}
    </div>
  );
}

const severityMessages = {
  fr: { severity: (k: Severity) => ({ info: 'Information', warning: 'Avertissement', critical: 'Critique' } satisfies Record<Severity, string>)[k] },
  en: { severity: (k: Severity) => ({ info: 'Information', warning: 'Warning', critical: 'Critical' } satisfies Record<Severity, string>)[k] },
};

/** A severity's name, in words (the alerts page's words). */
export function useSeverityLabel(): (k: Severity) => string {
  return useMessages(severityMessages).severity;
}
