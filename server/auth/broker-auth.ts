import type { Aedes, AuthenticateError, Client } from 'aedes';
import type { Logger } from '../logger';
import type { Credential, Registry } from './registry';

/** MQTT 3.1.1 CONNACK return codes (§3.2.2.3). */
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function authError(message: string, code: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

export interface BrokerAuthOptions {
  /** Failed logins allowed per client address and username in `windowMs` (LOGIN_ATTEMPTS, default 10). */
  loginAttempts?: number;
  /** Default 15 minutes, as the REST API's login. */
  windowMs?: number;
  /** A refused attempt past the limit waits this long before its CONNACK (default 1 s). */
  blockedDelayMs?: number;
  now?: () => number;
}

/** Failures are tracked for at most this many address and username pairs (the oldest go first). */
const MAX_TRACKED = 10_000;

/**
 * Counts failed logins per client address and username in a fixed window, as the
 * REST API's login limiter does: past the limit, the identity is refused from
 * that address, without a password check, until the window ends.
 */
export class FailedLogins {
  private readonly entries = new Map<string, { count: number; resetAt: number; reported: boolean }>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private entry(key: string) {
    const e = this.entries.get(key);
    if (e && e.resetAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** True when this key is past its limit; the first call in a window also says it is new (to log once). */
  blocked(key: string): { blocked: boolean; first: boolean } {
    const e = this.entry(key);
    if (!e || e.count < this.limit) return { blocked: false, first: false };
    const first = !e.reported;
    e.reported = true;
    return { blocked: true, first };
  }

  fail(key: string): number {
    const e = this.entry(key);
    if (e) return ++e.count;
    if (this.entries.size >= MAX_TRACKED) {
      const t = this.now();
      for (const [k, v] of this.entries) if (v.resetAt <= t) this.entries.delete(k);
      if (this.entries.size >= MAX_TRACKED) this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, { count: 1, resetAt: this.now() + this.windowMs, reported: false });
    return 1;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The remote address of a client: its TCP or TLS socket's, or the WebSocket upgrade request's. */
function addressOf(client: Client): string {
  const c = client as unknown as { conn?: { remoteAddress?: string }; req?: { socket?: { remoteAddress?: string } } };
  return c.conn?.remoteAddress ?? c.req?.socket?.remoteAddress ?? 'unknown';
}

/**
 * The broker's gate: anonymous connections are refused, each identity is
 * checked against its scrypt hash, and a device may publish only its own
 * telemetry and status and subscribe only to its own command topic. A refused
 * publish closes the connection (MQTT 3.1.1 has no negative PUBACK); a refused
 * subscription gets the 0x80 failure code in its SUBACK.
 *
 * Password guessing is slowed as on the REST API: after `loginAttempts` failures
 * from one address for one username in 15 minutes, that username is refused from
 * that address (CONNACK 5, after a delay, without spending a scrypt check on it)
 * until the window ends, and the first refusal is logged at warn level. Every
 * failure is logged with the username and address, never the password.
 */
export function installBrokerAuth(aedes: Aedes, registry: Registry, log: Logger, opts: BrokerAuthOptions = {}): void {
  const identities = new WeakMap<Client, Credential>();
  const failures = new FailedLogins(opts.loginAttempts ?? 10, opts.windowMs ?? 15 * 60_000, opts.now);
  const blockedDelayMs = opts.blockedDelayMs ?? 1000;

  aedes.authenticate = (client, username, password, done) => {
    if (!username || !password) {
      log.warn({ clientId: client.id, address: addressOf(client) }, 'anonymous connection refused');
      return done(authError('anonymous connections are refused', NOT_AUTHORIZED), false);
    }
    const address = addressOf(client);
    const key = `${address}|${username.slice(0, 64)}`;
    const limit = failures.blocked(key);
    if (limit.blocked) {
      if (limit.first) log.warn({ clientId: client.id, username, address }, 'mqtt login attempts limited: refused until the window passes');
      else log.debug({ clientId: client.id, username, address }, 'mqtt login still limited');
      setTimeout(() => done(authError('too many failed logins: wait and try again', NOT_AUTHORIZED), false), blockedDelayMs).unref();
      return;
    }
    registry.verify(username, password.toString('utf8')).then(
      (cred) => {
        if (!cred) {
          const count = failures.fail(key);
          // Never log the password; the username and address are what an operator needs to act.
          log.warn({ clientId: client.id, username, address, failures: count }, 'bad username or password');
          return done(authError('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
        }
        identities.set(client, cred);
        done(null, true);
      },
      (err: unknown) => {
        log.error({ err, username }, 'credential check failed');
        done(authError('server unavailable', 3), false);
      },
    );
  };

  aedes.authorizePublish = (client, packet, done) => {
    // The broker's own messages (and wills of clients already gone) have no client.
    if (!client) return done(null);
    const cred = identities.get(client);
    if (cred && registry.canPublish(cred, packet.topic)) return done(null);
    log.warn({ clientId: client.id, username: cred?.username, topic: packet.topic.slice(0, 200) }, 'publish refused');
    done(new Error(`${cred?.username ?? 'this client'} may not publish on ${packet.topic}`));
  };

  aedes.authorizeSubscribe = (client, sub, done) => {
    const cred = identities.get(client);
    if (cred && registry.canSubscribe(cred, sub.topic)) return done(null, sub);
    log.warn({ clientId: client.id, username: cred?.username, topic: sub.topic.slice(0, 200) }, 'subscription refused');
    done(null, null);
  };
}
