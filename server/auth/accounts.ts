import { createHash, randomBytes } from 'node:crypto';
import { type ApiToken, type AuditEntry, type Permission, ROLE_PERMISSIONS, type Role, type User } from '../../shared/auth';
import { type AppDb, migrateModule } from '../db/app-db';
import type { Logger } from '../logger';
import { hashPassword, newPassword, verifyPassword } from './passwords';

/**
 * People and integrations: users with roles, browser sessions, API tokens with
 * scopes, and the audit trail of what they changed (docs/security.md).
 *
 * Passwords are scrypt hashes (passwords.ts). Session and API tokens are 256-bit
 * random values: only their SHA-256 is stored, which is enough for secrets that
 * cannot be guessed (no need for a slow hash), and a stolen database gives none
 * of them. Nothing here logs a password or a token.
 */

const MIGRATIONS = [
  `CREATE TABLE users (
     username TEXT PRIMARY KEY,
     role TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     disabled INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     last_login_at INTEGER
   );
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY,
     token_hash TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     owner TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
     scopes TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER,
     last_used_at INTEGER
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY,
     ts INTEGER NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     detail TEXT
   );
   CREATE INDEX audit_ts ON audit(ts);`,
];

/** Who a request or a socket is. */
export interface Principal {
  username: string;
  role: Role;
  /** For a token: its scopes, within its owner's current permissions. */
  permissions: readonly Permission[];
  via: 'session' | 'token';
}

export const SESSION_TTL_MS = 12 * 3600 * 1000;
/** API tokens look like this, so that a leaked one is easy to recognise (and to scan for). */
const TOKEN_PREFIX = 'lnm_';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class UserError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

interface UserRow {
  username: string;
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: number;
  last_login_at: number | null;
}
interface TokenRow {
  id: string;
  name: string;
  owner: string;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

const toUser = (r: UserRow): User => ({ username: r.username, role: r.role, disabled: r.disabled === 1, createdAt: r.created_at, lastLoginAt: r.last_login_at });
const toToken = (r: TokenRow): ApiToken => ({ id: r.id, name: r.name, owner: r.owner, scopes: JSON.parse(r.scopes) as Permission[], createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at });

/** A hash to compare against when the user does not exist, so that timing does not tell who exists. */
let dummyHash: Promise<string> | undefined;

/** A session opened or closed here, for the other instances of the site (server/scale/sessions.ts). */
export type SessionChange = { type: 'open'; hash: string; username: string; role: Role; expiresAt: number } | { type: 'close'; hash: string } | { type: 'close-user'; username: string };

/** The sessions other instances opened, as this instance knows them (scaled out). */
export interface SharedSessions {
  get(hash: string): { username: string; role: Role; expiresAt: number } | undefined;
  changed(change: SessionChange): void;
}

/**
 * A user as the instances of a site share it (server/scale/accounts.ts): what
 * every instance must agree on. The last login stays each instance's own.
 */
export interface SharedUser {
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: number;
}
/** An API token as the instances share it: its SHA-256, never the token. The last use stays local. */
export interface SharedToken {
  token_hash: string;
  name: string;
  owner: string;
  scopes: string;
  created_at: number;
  expires_at: number | null;
}
/** A user or token created, changed (row) or deleted (null) here, for the other instances. */
export type AccountChange = { kind: 'user'; username: string; row: SharedUser | null } | { kind: 'token'; id: string; row: SharedToken | null };

export class Accounts {
  /** Scaled out (REDIS_URL): sessions opened on other instances are valid here too. */
  shared: SharedSessions | undefined;
  /** Scaled out (REDIS_URL): told of every change to users and tokens made here. */
  sharedAccounts: ((change: AccountChange) => void) | undefined;

  constructor(
    private readonly db: AppDb,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    migrateModule(db, 'auth', MIGRATIONS, log);
  }

  /**
   * The first start: an `admin` user when there is no user at all, with
   * `password` (ADMIN_PASSWORD) or a generated one, returned so that the caller
   * prints it once. Later starts: undefined.
   */
  async ensureAdmin(password?: string): Promise<{ username: string; password: string; generated: boolean } | undefined> {
    const count = (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
    if (count > 0) return undefined;
    const pw = password ?? newPassword();
    await this.createUser({ username: 'admin', role: 'admin', password: pw }, 'system');
    return { username: 'admin', password: pw, generated: password === undefined };
  }

  listUsers(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  getUser(username: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row && toUser(row);
  }

  async createUser(u: { username: string; role: Role; password: string }, actor: string): Promise<User> {
    if (this.getUser(u.username)) throw new UserError(409, `user "${u.username}" already exists`);
    const hash = await hashPassword(u.password);
    // The hash is computed off the main thread, so a second request for the same
    // name can pass the check above meanwhile; the primary key settles the race.
    try {
      this.db.prepare('INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)').run(u.username, u.role, hash, this.now());
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) throw new UserError(409, `user "${u.username}" already exists`);
      throw err;
    }
    this.audit(actor, 'user.create', u.username, { role: u.role });
    this.tellUser(u.username);
    return this.getUser(u.username) as User;
  }

  async updateUser(username: string, patch: { role?: Role; password?: string; disabled?: boolean }, actor: string): Promise<User> {
    // Hash first: the checks and writes below then run with no await between them,
    // so a concurrent delete cannot slip in and leave a half-applied change.
    const hash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    const user = this.getUser(username);
    if (!user) throw new UserError(404, `no user "${username}"`);
    if ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true) this.keepOneAdmin(username);
    if (patch.role !== undefined) this.db.prepare('UPDATE users SET role = ? WHERE username = ?').run(patch.role, username);
    if (patch.disabled !== undefined) this.db.prepare('UPDATE users SET disabled = ? WHERE username = ?').run(patch.disabled ? 1 : 0, username);
    if (hash !== undefined) this.db.prepare('UPDATE users SET password_hash = ? WHERE username = ?').run(hash, username);
    // A new password, a lower role or a disabled account: its open sessions end now.
    if (patch.password !== undefined || patch.disabled || patch.role !== undefined) {
      this.db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
      this.shared?.changed({ type: 'close-user', username });
    }
    this.audit(actor, 'user.update', username, { role: patch.role, disabled: patch.disabled, password: patch.password === undefined ? undefined : 'changed' });
    this.tellUser(username);
    return this.getUser(username) as User;
  }

  deleteUser(username: string, actor: string): void {
    if (!this.getUser(username)) throw new UserError(404, `no user "${username}"`);
    this.keepOneAdmin(username);
    this.db.prepare('DELETE FROM users WHERE username = ?').run(username);
    this.shared?.changed({ type: 'close-user', username });
    this.audit(actor, 'user.delete', username);
    this.tellUser(username);
  }

  /** Refuses to remove the last enabled admin: nobody could manage users any more. */
  private keepOneAdmin(username: string): void {
    const admins = (this.db.prepare("SELECT username FROM users WHERE role = 'admin' AND disabled = 0").all() as { username: string }[]).map((r) => r.username);
    if (admins.length === 1 && admins[0] === username) throw new UserError(409, 'this is the last enabled admin: make another admin first');
  }

  /** Checks a password; on success opens a session. Undefined for any failure, without saying which. */
  async login(username: string, password: string): Promise<{ token: string; expiresAt: number; principal: Principal } | undefined> {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    dummyHash ??= hashPassword(newPassword());
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash));
    if (!row || !ok || row.disabled === 1) return undefined;
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + SESSION_TTL_MS;
    this.db.prepare('INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)').run(sha256(token), username, now, expiresAt);
    this.db.prepare('UPDATE users SET last_login_at = ? WHERE username = ?').run(now, username);
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
    this.shared?.changed({ type: 'open', hash: sha256(token), username, role: row.role, expiresAt });
    return { token, expiresAt, principal: { username, role: row.role, permissions: ROLE_PERMISSIONS[row.role], via: 'session' } };
  }

  /** A session change made on another instance (scaled out): its effect on the sessions kept here, not told again. */
  applyShared(change: SessionChange): void {
    if (change.type === 'close') this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(change.hash);
    else if (change.type === 'close-user') this.db.prepare('DELETE FROM sessions WHERE username = ?').run(change.username);
  }

  logout(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token));
    this.shared?.changed({ type: 'close', hash: sha256(token) });
  }

  /** A session token or an API token to its principal; undefined when unknown, expired or its user disabled. */
  authenticate(token: string | undefined): Principal | undefined {
    if (!token || token.length > 200) return undefined;
    const now = this.now();
    const hash = sha256(token);
    if (token.startsWith(TOKEN_PREFIX)) {
      const row = this.db
        .prepare('SELECT t.id, t.scopes, t.expires_at, u.username, u.role, u.disabled FROM api_tokens t JOIN users u ON u.username = t.owner WHERE t.token_hash = ?')
        .get(hash) as { id: string; scopes: string; expires_at: number | null; username: string; role: Role; disabled: number } | undefined;
      if (!row || row.disabled === 1 || (row.expires_at !== null && row.expires_at < now)) return undefined;
      this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
      const own = ROLE_PERMISSIONS[row.role];
      // A token never outgrows its owner: a demoted owner's tokens lose what the owner lost.
      const scopes = (JSON.parse(row.scopes) as Permission[]).filter((p) => own.includes(p));
      return { username: row.username, role: row.role, permissions: scopes, via: 'token' };
    }
    const row = this.db.prepare('SELECT s.expires_at, u.username, u.role, u.disabled FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = ?').get(hash) as { expires_at: number; username: string; role: Role; disabled: number } | undefined;
    if (!row) {
      // Opened on another instance of the site: valid with the role it was opened with.
      const remote = this.shared?.get(hash);
      if (!remote || remote.expiresAt < now) return undefined;
      return { username: remote.username, role: remote.role, permissions: ROLE_PERMISSIONS[remote.role], via: 'session' };
    }
    if (row.disabled === 1 || row.expires_at < now) return undefined;
    return { username: row.username, role: row.role, permissions: ROLE_PERMISSIONS[row.role], via: 'session' };
  }

  createToken(owner: Principal, req: { name: string; scopes: Permission[]; expiresInDays?: number }): ApiToken & { token: string } {
    const beyond = req.scopes.filter((s) => !owner.permissions.includes(s));
    if (beyond.length > 0) throw new UserError(403, `a token cannot have scopes its owner lacks: ${beyond.join(', ')}`);
    const id = randomBytes(8).toString('hex');
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    const expiresAt = req.expiresInDays === undefined ? null : now + req.expiresInDays * 86_400_000;
    const scopes = [...new Set(req.scopes)];
    this.db.prepare('INSERT INTO api_tokens (id, token_hash, name, owner, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, sha256(token), req.name, owner.username, JSON.stringify(scopes), now, expiresAt);
    this.audit(owner.username, 'token.create', id, { name: req.name, scopes });
    this.tellToken(id);
    return { id, name: req.name, owner: owner.username, scopes, createdAt: now, expiresAt, lastUsedAt: null, token };
  }

  /** An admin sees every token; anyone else their own. */
  listTokens(who: Principal): ApiToken[] {
    const rows = who.permissions.includes('users') ? this.db.prepare('SELECT * FROM api_tokens ORDER BY created_at').all() : this.db.prepare('SELECT * FROM api_tokens WHERE owner = ? ORDER BY created_at').all(who.username);
    return (rows as TokenRow[]).map(toToken);
  }

  revokeToken(who: Principal, id: string): void {
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as TokenRow | undefined;
    if (!row || (row.owner !== who.username && !who.permissions.includes('users'))) throw new UserError(404, `no token "${id}"`);
    this.db.prepare('DELETE FROM api_tokens WHERE id = ?').run(id);
    this.audit(who.username, 'token.revoke', id, { name: row.name, owner: row.owner });
    this.tellToken(id);
  }

  /** Every user and token as shared rows (scaled out: what this instance brings to the others at start). */
  exportAccounts(): { users: Map<string, SharedUser>; tokens: Map<string, SharedToken> } {
    const users = new Map<string, SharedUser>();
    for (const r of this.db.prepare('SELECT username, role, password_hash, disabled, created_at FROM users').all() as (SharedUser & { username: string })[]) {
      users.set(r.username, { role: r.role, password_hash: r.password_hash, disabled: r.disabled, created_at: r.created_at });
    }
    const tokens = new Map<string, SharedToken>();
    for (const r of this.db.prepare('SELECT id, token_hash, name, owner, scopes, created_at, expires_at FROM api_tokens').all() as (SharedToken & { id: string })[]) {
      tokens.set(r.id, { token_hash: r.token_hash, name: r.name, owner: r.owner, scopes: r.scopes, created_at: r.created_at, expires_at: r.expires_at });
    }
    return { users, tokens };
  }

  /**
   * A change made on another instance, applied here without telling anyone again
   * and without an audit entry (the instance where it was made keeps that).
   * An upsert, never a REPLACE: a replaced user row would cascade to its sessions and tokens.
   */
  applyAccount(change: AccountChange): void {
    if (change.kind === 'user') {
      const r = change.row;
      if (r === null) this.db.prepare('DELETE FROM users WHERE username = ?').run(change.username);
      else
        this.db
          .prepare('INSERT INTO users (username, role, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, disabled = excluded.disabled, created_at = excluded.created_at')
          .run(change.username, r.role, r.password_hash, r.disabled, r.created_at);
      return;
    }
    const r = change.row;
    if (r === null) this.db.prepare('DELETE FROM api_tokens WHERE id = ?').run(change.id);
    // A token whose owner is unknown here is skipped: its owner's deletion is on its way or done.
    else if (this.db.prepare('SELECT 1 FROM users WHERE username = ?').get(r.owner))
      this.db
        .prepare('INSERT INTO api_tokens (id, token_hash, name, owner, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET token_hash = excluded.token_hash, name = excluded.name, owner = excluded.owner, scopes = excluded.scopes, created_at = excluded.created_at, expires_at = excluded.expires_at')
        .run(change.id, r.token_hash, r.name, r.owner, r.scopes, r.created_at, r.expires_at);
  }

  private tellUser(username: string): void {
    if (!this.sharedAccounts) return;
    const r = this.db.prepare('SELECT role, password_hash, disabled, created_at FROM users WHERE username = ?').get(username) as SharedUser | undefined;
    this.sharedAccounts({ kind: 'user', username, row: r ?? null });
  }

  private tellToken(id: string): void {
    if (!this.sharedAccounts) return;
    const r = this.db.prepare('SELECT token_hash, name, owner, scopes, created_at, expires_at FROM api_tokens WHERE id = ?').get(id) as SharedToken | undefined;
    this.sharedAccounts({ kind: 'token', id, row: r ?? null });
  }

  audit(actor: string, action: string, target: string, detail?: Record<string, unknown>): void {
    const clean = detail && Object.fromEntries(Object.entries(detail).filter(([, v]) => v !== undefined));
    this.db.prepare('INSERT INTO audit (ts, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)').run(this.now(), actor, action, target, clean && Object.keys(clean).length > 0 ? JSON.stringify(clean) : null);
    this.log.info({ actor, action, target }, 'audit');
  }

  auditTrail(limit = 200, since?: number): AuditEntry[] {
    const rows = this.db.prepare('SELECT ts, actor, action, target, detail FROM audit WHERE ts >= ? ORDER BY id DESC LIMIT ?').all(since ?? 0, limit) as { ts: number; actor: string; action: string; target: string; detail: string | null }[];
    return rows.map((r) => ({ ts: r.ts, actor: r.actor, action: r.action, target: r.target, ...(r.detail ? { detail: JSON.parse(r.detail) as unknown } : {}) }));
  }
}
