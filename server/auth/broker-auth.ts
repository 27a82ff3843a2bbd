import type { Aedes, AuthenticateError, Client } from 'aedes';
import type { Logger } from '../logger';
import type { Credential, Registry } from './registry';

/** MQTT 3.1.1 CONNACK return codes (§3.2.2.3). */
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function authError(message: string, code: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

/**
 * The broker's gate: anonymous connections are refused, each identity is
 * checked against its scrypt hash, and a device may publish only its own
 * telemetry and status and subscribe only to its own command topic. A refused
 * publish closes the connection (MQTT 3.1.1 has no negative PUBACK); a refused
 * subscription gets the 0x80 failure code in its SUBACK.
 */
export function installBrokerAuth(aedes: Aedes, registry: Registry, log: Logger): void {
  const identities = new WeakMap<Client, Credential>();

  aedes.authenticate = (client, username, password, done) => {
    if (!username || !password) {
      log.warn({ clientId: client.id }, 'anonymous connection refused');
      return done(authError('anonymous connections are refused', NOT_AUTHORIZED), false);
    }
    registry.verify(username, password.toString('utf8')).then(
      (cred) => {
        if (!cred) {
          // Never log the password; the username is what an operator needs to act.
          log.warn({ clientId: client.id, username }, 'bad username or password');
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
