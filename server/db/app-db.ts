import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../logger';

/**
 * The server's own state, apart from the readings: users, sessions, API tokens,
 * the audit trail, alert rules and alerts. A small SQLite file in DATA_DIR
 * (whatever STORE is), WAL, with versioned migrations kept per module so that
 * each module (auth, alerts...) owns its tables.
 */
export const APP_DB_FILE = 'app.sqlite';

export type AppDb = Database.Database;

export function openAppDb(dataDir: string): AppDb {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, APP_DB_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE IF NOT EXISTS migrations (module TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  return db;
}

/** Applies the migrations of `module` not applied yet, in order, each in a transaction. */
export function migrateModule(db: AppDb, module: string, migrations: readonly string[], log?: Logger): void {
  const row = db.prepare('SELECT version FROM migrations WHERE module = ?').get(module) as { version: number } | undefined;
  for (let v = row?.version ?? 0; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v] as string);
      db.prepare('INSERT INTO migrations (module, version) VALUES (?, ?) ON CONFLICT(module) DO UPDATE SET version = excluded.version').run(module, v + 1);
    })();
    log?.info({ module, version: v + 1 }, 'app schema migrated');
  }
}
