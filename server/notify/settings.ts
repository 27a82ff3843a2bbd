import crypto from 'node:crypto';
import { DEFAULT_NOTIFY_SETTINGS, type NotifySettings } from '../../shared/notify';
import type { Severity } from '../../shared/alerts';
import { type AppDb, migrateModule } from '../db/app-db';
import type { WebhookTarget } from './webhook';

/**
 * What each user wants to receive, and the webhooks admins added over the API,
 * in the app's SQLite file. Webhook secrets are stored to sign with; no read of
 * this module's views returns them.
 */
const MIGRATIONS = [
  `CREATE TABLE notify_settings (
     username TEXT PRIMARY KEY,
     settings TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE notify_webhooks (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     url TEXT NOT NULL,
     secret TEXT NOT NULL,
     format TEXT NOT NULL,
     severities TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE notify_escalations (
     alert_id INTEGER PRIMARY KEY,
     level INTEGER NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE TABLE notify_meta (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );`,
];

export interface StoredWebhook extends WebhookTarget {
  name: string;
  severities: Severity[];
  createdAt: number;
}

/** A change of the settings or webhooks, as the instances of a site share it (server/scale/notify.ts). */
export type NotifyShareChange = { kind: 'settings'; username: string; settings: NotifySettings } | { kind: 'webhook'; id: string; webhook: StoredWebhook | null };

export class NotifySettingsStore {
  /** Told of every change made here (not of those applied from elsewhere). */
  onChange: ((change: NotifyShareChange) => void) | undefined;

  constructor(
    private readonly db: AppDb,
    private readonly now: () => number,
  ) {
    migrateModule(db, 'notify-settings', MIGRATIONS);
  }

  /** Applies a change another instance made, without telling onChange. */
  apply(change: NotifyShareChange): void {
    if (change.kind === 'settings') this.write(change.username, change.settings);
    else if (change.webhook === null) this.db.prepare('DELETE FROM notify_webhooks WHERE id = ?').run(change.id);
    else {
      const w = change.webhook;
      this.db
        .prepare('INSERT INTO notify_webhooks (id, name, url, secret, format, severities, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, url = excluded.url, secret = excluded.secret, format = excluded.format, severities = excluded.severities')
        .run(w.id, w.name, w.url, w.secret, w.format, JSON.stringify(w.severities), w.createdAt);
    }
  }

  private write(username: string, settings: NotifySettings): void {
    this.db.prepare('INSERT INTO notify_settings (username, settings, updated_at) VALUES (?, ?, ?) ON CONFLICT(username) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at').run(username, JSON.stringify(settings), this.now());
  }

  /** A user's settings; the defaults (no address, warnings and critical, French) when never set. */
  get(username: string): NotifySettings {
    const row = this.db.prepare('SELECT settings FROM notify_settings WHERE username = ?').get(username) as { settings: string } | undefined;
    return row ? { ...DEFAULT_NOTIFY_SETTINGS, ...(JSON.parse(row.settings) as Partial<NotifySettings>) } : { ...DEFAULT_NOTIFY_SETTINGS };
  }

  /** Whether the user ever saved settings (ADMIN_EMAIL fills the first admin's only when not). */
  has(username: string): boolean {
    return this.db.prepare('SELECT 1 FROM notify_settings WHERE username = ?').get(username) !== undefined;
  }

  set(username: string, patch: Partial<NotifySettings>): NotifySettings {
    const next = { ...this.get(username), ...patch };
    this.write(username, next);
    this.onChange?.({ kind: 'settings', username, settings: next });
    return next;
  }

  /** Every user's saved settings. */
  all(): Map<string, NotifySettings> {
    const rows = this.db.prepare('SELECT username, settings FROM notify_settings').all() as { username: string; settings: string }[];
    return new Map(rows.map((r) => [r.username, { ...DEFAULT_NOTIFY_SETTINGS, ...(JSON.parse(r.settings) as Partial<NotifySettings>) }]));
  }

  webhooks(): StoredWebhook[] {
    const rows = this.db.prepare('SELECT * FROM notify_webhooks ORDER BY created_at, id').all() as { id: string; name: string; url: string; secret: string; format: WebhookTarget['format']; severities: string; created_at: number }[];
    return rows.map((r) => ({ id: r.id, name: r.name, url: r.url, secret: r.secret, format: r.format, severities: JSON.parse(r.severities) as Severity[], createdAt: r.created_at }));
  }

  addWebhook(w: { name: string; url: string; secret: string; format: WebhookTarget['format']; severities: Severity[] }): StoredWebhook {
    const id = `hook-${crypto.randomBytes(4).toString('hex')}`;
    const createdAt = this.now();
    this.db.prepare('INSERT INTO notify_webhooks (id, name, url, secret, format, severities, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, w.name, w.url, w.secret, w.format, JSON.stringify(w.severities), createdAt);
    const stored = { id, ...w, createdAt };
    this.onChange?.({ kind: 'webhook', id, webhook: stored });
    return stored;
  }

  deleteWebhook(id: string): boolean {
    const deleted = this.db.prepare('DELETE FROM notify_webhooks WHERE id = ?').run(id).changes > 0;
    if (deleted) this.onChange?.({ kind: 'webhook', id, webhook: null });
    return deleted;
  }

  /** How many times an alert was escalated (0: never). */
  escalationLevel(alertId: number): number {
    return (this.db.prepare('SELECT level FROM notify_escalations WHERE alert_id = ?').get(alertId) as { level: number } | undefined)?.level ?? 0;
  }

  setEscalationLevel(alertId: number, level: number): void {
    this.db.prepare('INSERT INTO notify_escalations (alert_id, level, at) VALUES (?, ?, ?) ON CONFLICT(alert_id) DO UPDATE SET level = excluded.level, at = excluded.at').run(alertId, level, this.now());
  }

  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM notify_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO notify_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
