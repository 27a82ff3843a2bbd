import type { Alert, AlertAuditEntry, AlertListQuery, AlertRule, AlertTrailEntry, ShelveInfo } from '../../shared/alerts';
import { AlertRuleSchema } from '../../shared/alerts';
import { type AppDb, migrateModule } from '../db/app-db';
import type { Logger } from '../logger';

/**
 * Alerts, their audit trail and the rules created over the API, in the app
 * database (server/db/app-db.ts). At most one open alert (not closed) per rule
 * and target: a partial unique index holds the engine to it.
 */

const MIGRATIONS = [
  `CREATE TABLE alert_rules (
     id TEXT PRIMARY KEY,
     rule TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     created_by TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     updated_by TEXT NOT NULL
   );
   CREATE TABLE alert_rule_state (
     rule_id TEXT PRIMARY KEY,
     enabled INTEGER,
     shelved TEXT,
     updated_at INTEGER NOT NULL,
     updated_by TEXT NOT NULL
   );
   CREATE TABLE alerts (
     id INTEGER PRIMARY KEY,
     rule_id TEXT NOT NULL,
     target_id TEXT NOT NULL,
     state TEXT NOT NULL,
     raised_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     severity TEXT NOT NULL,
     body TEXT NOT NULL
   );
   CREATE UNIQUE INDEX alerts_open ON alerts(rule_id, target_id) WHERE state <> 'closed';
   CREATE INDEX alerts_updated ON alerts(updated_at);
   CREATE TABLE alert_audit (
     id INTEGER PRIMARY KEY,
     ts INTEGER NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     alert_id INTEGER REFERENCES alerts(id),
     rule_id TEXT NOT NULL,
     detail TEXT
   );
   CREATE INDEX alert_audit_alert ON alert_audit(alert_id);
   CREATE INDEX alert_audit_ts ON alert_audit(ts);`,
];

export interface StoredRule {
  rule: AlertRule;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

export interface RuleState {
  enabled: boolean | null;
  shelved: ShelveInfo | null;
  updatedAt: number;
  updatedBy: string;
}

const clean = (detail: Record<string, unknown> | undefined): string | null => {
  if (!detail) return null;
  const d = Object.fromEntries(Object.entries(detail).filter(([, v]) => v !== undefined));
  return Object.keys(d).length > 0 ? JSON.stringify(d) : null;
};

/** The alert tables' rows as stored: what a scaled-out site replicates (server/scale/alerts.ts). */
export interface AlertRow {
  id: number;
  rule_id: string;
  target_id: string;
  state: string;
  raised_at: number;
  updated_at: number;
  severity: string;
  body: string;
}
export interface AuditRow {
  id: number;
  ts: number;
  actor: string;
  action: string;
  alert_id: number | null;
  rule_id: string;
  detail: string | null;
}
export interface RuleRow {
  id: string;
  rule: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}
export interface RuleStateRow {
  rule_id: string;
  enabled: number | null;
  shelved: string | null;
  updated_at: number;
  updated_by: string;
}
export interface AlertTables {
  alerts: AlertRow[];
  audit: AuditRow[];
  rules: RuleRow[];
  ruleStates: RuleStateRow[];
}
export type AlertTableName = keyof AlertTables;
/** One row written (row) or deleted (null), by its key (id, or rule id). */
export interface AlertTableChange {
  table: AlertTableName;
  key: string;
  row: AlertRow | AuditRow | RuleRow | RuleStateRow | null;
}

export class AlertStore {
  /** Told of every row written or deleted, once committed. */
  replicate: ((changes: AlertTableChange[]) => void) | undefined;
  /** Inside transaction(): changes waiting for its commit. */
  private pending: AlertTableChange[] | undefined;

  constructor(
    private readonly db: AppDb,
    private readonly log: Logger,
  ) {
    migrateModule(db, 'alerts', MIGRATIONS, log);
  }

  // --- alerts

  /** Inserts (id 0) or updates an alert, with its audit entry, in one transaction; returns it with its id. */
  save(alert: Alert, audit: { ts: number; actor: string; action: string; detail?: Record<string, unknown> }): Alert {
    const result = this.db.transaction(() => {
      let saved = alert;
      if (alert.id === 0) {
        const { id: _drop, ...body } = alert;
        const info = this.db.prepare('INSERT INTO alerts (rule_id, target_id, state, raised_at, updated_at, severity, body) VALUES (?, ?, ?, ?, ?, ?, ?)').run(alert.ruleId, alert.target.id, alert.state, alert.raisedAt, alert.updatedAt, alert.severity, JSON.stringify(body));
        saved = { ...alert, id: Number(info.lastInsertRowid) };
      } else {
        const { id: _drop, ...body } = alert;
        this.db.prepare('UPDATE alerts SET state = ?, updated_at = ?, severity = ?, body = ? WHERE id = ?').run(alert.state, alert.updatedAt, alert.severity, JSON.stringify(body), alert.id);
      }
      const entry = this.db.prepare('INSERT INTO alert_audit (ts, actor, action, alert_id, rule_id, detail) VALUES (?, ?, ?, ?, ?, ?)').run(audit.ts, audit.actor, audit.action, saved.id, saved.ruleId, clean(audit.detail));
      return { saved, auditId: Number(entry.lastInsertRowid) };
    })();
    const { saved, auditId } = result;
    this.tell([this.rowOf('alerts', saved.id), this.rowOf('audit', auditId)]);
    return saved;
  }

  get(id: number): Alert | undefined {
    const row = this.db.prepare('SELECT id, body FROM alerts WHERE id = ?').get(id) as { id: number; body: string } | undefined;
    return row && this.toAlert(row);
  }

  /** Every alert not closed: what the engine restores at start. */
  open(): Alert[] {
    return (this.db.prepare("SELECT id, body FROM alerts WHERE state <> 'closed' ORDER BY id").all() as { id: number; body: string }[]).map((r) => this.toAlert(r));
  }

  list(q: AlertListQuery): Alert[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.state === 'open') where.push("state <> 'closed'");
    else if (q.state !== 'all') {
      where.push('state = ?');
      args.push(q.state);
    }
    if (q.since !== undefined) {
      where.push('updated_at >= ?');
      args.push(q.since);
    }
    if (q.rule) {
      where.push('rule_id = ?');
      args.push(q.rule);
    }
    if (q.severity) {
      where.push('severity = ?');
      args.push(q.severity);
    }
    const sql = `SELECT id, body FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as { id: number; body: string }[]).map((r) => this.toAlert(r));
  }

  trail(alertId: number): AlertTrailEntry[] {
    const rows = this.db.prepare('SELECT ts, actor, action, detail FROM alert_audit WHERE alert_id = ? ORDER BY id').all(alertId) as { ts: number; actor: string; action: AlertTrailEntry['action']; detail: string | null }[];
    return rows.map((r) => ({ ts: r.ts, actor: r.actor, action: r.action, ...(r.detail ? { detail: JSON.parse(r.detail) as Record<string, unknown> } : {}) }));
  }

  /** Every alert and rule change, newest first. */
  audit(limit: number, since?: number): AlertAuditEntry[] {
    const rows = this.db.prepare('SELECT ts, actor, action, alert_id, rule_id, detail FROM alert_audit WHERE ts >= ? ORDER BY id DESC LIMIT ?').all(since ?? 0, limit) as { ts: number; actor: string; action: string; alert_id: number | null; rule_id: string; detail: string | null }[];
    return rows.map((r) => ({ ts: r.ts, actor: r.actor, action: r.action, alertId: r.alert_id, ruleId: r.rule_id, ...(r.detail ? { detail: JSON.parse(r.detail) as Record<string, unknown> } : {}) }));
  }

  counts(): { active: number; acknowledged: number; cleared: number; shelved: number } {
    const rows = this.db.prepare("SELECT state, count(*) AS n, sum(json_extract(body, '$.shelved') IS NOT NULL) AS shelved FROM alerts WHERE state <> 'closed' GROUP BY state").all() as { state: string; n: number; shelved: number }[];
    const c = { active: 0, acknowledged: 0, cleared: 0, shelved: 0 };
    for (const r of rows) {
      if (r.state === 'active' || r.state === 'acknowledged' || r.state === 'cleared') c[r.state] = r.n;
      c.shelved += r.shelved;
    }
    return c;
  }

  private toAlert(row: { id: number; body: string }): Alert {
    return { id: row.id, ...(JSON.parse(row.body) as Omit<Alert, 'id'>) };
  }

  // --- rules created over the API, and the overrides of every rule (enabled, shelved)

  ruleAudit(ts: number, actor: string, action: string, ruleId: string, detail?: Record<string, unknown>): void {
    const entry = this.db.prepare('INSERT INTO alert_audit (ts, actor, action, alert_id, rule_id, detail) VALUES (?, ?, ?, NULL, ?, ?)').run(ts, actor, action, ruleId, clean(detail));
    this.tell([this.rowOf('audit', Number(entry.lastInsertRowid))]);
  }

  /** The API's rules; one that no longer parses (a schema change) is logged and skipped, never fatal. */
  apiRules(): StoredRule[] {
    const rows = this.db.prepare('SELECT * FROM alert_rules ORDER BY created_at, id').all() as { id: string; rule: string; created_at: number; created_by: string; updated_at: number; updated_by: string }[];
    return rows.flatMap((r) => {
      const parsed = AlertRuleSchema.safeParse(JSON.parse(r.rule));
      if (!parsed.success) {
        this.log.error({ ruleId: r.id, issues: parsed.error.issues }, 'stored alert rule no longer valid: skipped');
        return [];
      }
      return [{ rule: parsed.data, createdAt: r.created_at, createdBy: r.created_by, updatedAt: r.updated_at, updatedBy: r.updated_by }];
    });
  }

  putRule(rule: AlertRule, actor: string, now: number): void {
    this.db
      .prepare('INSERT INTO alert_rules (id, rule, created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET rule = excluded.rule, updated_at = excluded.updated_at, updated_by = excluded.updated_by')
      .run(rule.id, JSON.stringify(rule), now, actor, now, actor);
    this.tell([this.rowOf('rules', rule.id)]);
  }

  deleteRule(id: string): void {
    this.db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id);
    this.db.prepare('DELETE FROM alert_rule_state WHERE rule_id = ?').run(id);
    this.tell([
      { table: 'rules', key: id, row: null },
      { table: 'ruleStates', key: id, row: null },
    ]);
  }

  ruleStates(): Map<string, RuleState> {
    const rows = this.db.prepare('SELECT * FROM alert_rule_state').all() as { rule_id: string; enabled: number | null; shelved: string | null; updated_at: number; updated_by: string }[];
    return new Map(rows.map((r) => [r.rule_id, { enabled: r.enabled === null ? null : r.enabled === 1, shelved: r.shelved ? (JSON.parse(r.shelved) as ShelveInfo) : null, updatedAt: r.updated_at, updatedBy: r.updated_by }]));
  }

  putRuleState(ruleId: string, s: RuleState): void {
    this.db
      .prepare('INSERT INTO alert_rule_state (rule_id, enabled, shelved, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT(rule_id) DO UPDATE SET enabled = excluded.enabled, shelved = excluded.shelved, updated_at = excluded.updated_at, updated_by = excluded.updated_by')
      .run(ruleId, s.enabled === null ? null : s.enabled ? 1 : 0, s.shelved ? JSON.stringify(s.shelved) : null, s.updatedAt, s.updatedBy);
    this.tell([this.rowOf('ruleStates', ruleId)]);
  }

  // --- replication (scaled out): the tables as rows, and their wholesale replacement

  exportTables(): AlertTables {
    return {
      alerts: this.db.prepare('SELECT * FROM alerts ORDER BY id').all() as AlertRow[],
      audit: this.db.prepare('SELECT * FROM alert_audit ORDER BY id').all() as AuditRow[],
      rules: this.db.prepare('SELECT * FROM alert_rules ORDER BY id').all() as RuleRow[],
      ruleStates: this.db.prepare('SELECT * FROM alert_rule_state ORDER BY rule_id').all() as RuleStateRow[],
    };
  }

  /** Replaces every alert table with these rows, ids kept (an alert's id is how the API names it). */
  importTables(t: AlertTables): void {
    const alertIds = new Set(t.alerts.map((a) => a.id));
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM alert_audit').run();
      this.db.prepare('DELETE FROM alerts').run();
      this.db.prepare('DELETE FROM alert_rules').run();
      this.db.prepare('DELETE FROM alert_rule_state').run();
      const alert = this.db.prepare('INSERT INTO alerts (id, rule_id, target_id, state, raised_at, updated_at, severity, body) VALUES (@id, @rule_id, @target_id, @state, @raised_at, @updated_at, @severity, @body)');
      for (const a of t.alerts) alert.run(a);
      const audit = this.db.prepare('INSERT INTO alert_audit (id, ts, actor, action, alert_id, rule_id, detail) VALUES (@id, @ts, @actor, @action, @alert_id, @rule_id, @detail)');
      // An entry whose alert did not make it (a write lost with the leader that made it) keeps its text, not the link.
      for (const e of t.audit) audit.run({ ...e, alert_id: e.alert_id !== null && alertIds.has(e.alert_id) ? e.alert_id : null });
      const rule = this.db.prepare('INSERT INTO alert_rules (id, rule, created_at, created_by, updated_at, updated_by) VALUES (@id, @rule, @created_at, @created_by, @updated_at, @updated_by)');
      for (const r of t.rules) rule.run(r);
      const state = this.db.prepare('INSERT INTO alert_rule_state (rule_id, enabled, shelved, updated_at, updated_by) VALUES (@rule_id, @enabled, @shelved, @updated_at, @updated_by)');
      for (const r of t.ruleStates) state.run(r);
    })();
  }

  private rowOf(table: AlertTableName, key: number | string): AlertTableChange {
    const sql = {
      alerts: 'SELECT * FROM alerts WHERE id = ?',
      audit: 'SELECT * FROM alert_audit WHERE id = ?',
      rules: 'SELECT * FROM alert_rules WHERE id = ?',
      ruleStates: 'SELECT * FROM alert_rule_state WHERE rule_id = ?',
    }[table];
    const row = (this.db.prepare(sql).get(key) as AlertTableChange['row'] | undefined) ?? null;
    return { table, key: String(key), row };
  }

  private tell(changes: AlertTableChange[]): void {
    if (this.pending) {
      this.pending.push(...changes);
      return;
    }
    if (!this.replicate || changes.length === 0) return;
    try {
      this.replicate(changes);
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'replicating an alert change failed');
    }
  }

  transaction<T>(fn: () => T): T {
    // Changes are told once committed: a transaction rolled back tells nothing.
    const outer = this.pending === undefined;
    if (outer) this.pending = [];
    try {
      const result = this.db.transaction(fn)();
      if (outer) {
        const changes = this.pending ?? [];
        this.pending = undefined;
        this.tell(changes);
      }
      return result;
    } finally {
      if (outer) this.pending = undefined;
    }
  }
}
