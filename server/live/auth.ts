import { parseCookie } from 'cookie';
import type { IncomingHttpHeaders } from 'node:http';
import { SESSION_COOKIE } from '../../shared/auth';

/** What a socket.io handshake carries that credentials may come from. */
export interface HandshakeLike {
  headers: IncomingHttpHeaders;
  auth?: Record<string, unknown> | undefined;
}

export type HandshakeCredentials = { token: string; via: 'auth' | 'bearer' | 'cookie' } | { token: undefined; reason: string };

/**
 * The token of a socket.io handshake, as the REST API reads it: `auth.token`
 * (socket.io clients other than browsers), else "Authorization: Bearer", else
 * the session cookie. The first one present is the one used: a wrong token is
 * not rescued by a cookie beside it.
 *
 * A cookie is sent by the browser whichever page opens the connection, and
 * WebSocket has no CORS: a page of another origin on the same site (another
 * port, a sibling host; SameSite does not separate those) could read the live
 * data with the user's session. So the cookie counts only when the handshake's
 * Origin, if any, is this server's own.
 */
export function handshakeCredentials(h: HandshakeLike): HandshakeCredentials {
  const fromAuth = h.auth?.token;
  if (typeof fromAuth === 'string' && fromAuth !== '') return { token: fromAuth, via: 'auth' };
  const authorization = h.headers.authorization;
  if (authorization?.startsWith('Bearer ')) {
    const token = authorization.slice(7).trim();
    if (token !== '') return { token, via: 'bearer' };
  }
  const cookie = h.headers.cookie ? parseCookie(h.headers.cookie)[SESSION_COOKIE] : undefined;
  if (!cookie) return { token: undefined, reason: 'no credentials' };
  if (!sameOrigin(h.headers)) return { token: undefined, reason: 'session cookie sent from another origin' };
  return { token: cookie, via: 'cookie' };
}

/** True when the request has no Origin (not a browser) or an Origin whose host is the Host it was sent to. */
export function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  const host = headers.host;
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
