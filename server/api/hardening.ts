import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { parseCookie } from 'cookie';
import { CSRF_HEADER, SESSION_COOKIE } from '../../shared/auth';
import type { Logger } from '../logger';
import { sameOrigin } from '../live/auth';

/**
 * HTTP hardening in front of everything express answers (docs/security.md):
 * security headers and a Content-Security-Policy, CORS closed unless origins are
 * listed, CSRF protection for writes authenticated by the session cookie, and a
 * ceiling on the URL (the body's is express.json's, 100 kB, in api/index.ts).
 *
 * The headers are written here rather than with helmet: they are a dozen fixed
 * strings (OWASP Secure Headers Project), and one module less in the production
 * tree is one module less to keep up to date.
 */

/**
 * The dashboard's policy: only this origin's scripts, styles, images, fonts and
 * connections (REST and socket.io's WebSocket: CSP Level 3 'self' covers ws: and
 * wss: to the same host), no plug-ins, no framing, no <base> or form target
 * elsewhere. React sets inline styles through the CSSOM, which style-src does not
 * govern, so no 'unsafe-inline' is needed; test/e2e/csp.test.ts checks in
 * Chromium that no page breaks it.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * What the API answers (JSON, CSV, the printable report): nothing may load from
 * it and it runs no script. The report carries its stylesheet inline, hence
 * 'unsafe-inline' for styles only, in a document without any script.
 */
export const API_CSP = ["default-src 'none'", "style-src 'unsafe-inline'", "img-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');

/** Longest request target accepted, bytes: the longest real query (a history range, a KPI period) is under 300. */
export const MAX_URL_BYTES = 8 * 1024;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface HardeningOptions {
  /** The server speaks HTTPS: add Strict-Transport-Security. */
  https: boolean;
  /** Origins allowed to call /api from a browser with a Bearer token (CORS_ORIGINS); empty: none. */
  corsOrigins: readonly string[];
  log: Logger;
}

/** True when this request is authenticated by the session cookie rather than an Authorization header. */
export function cookieAuthenticated(req: Pick<IncomingMessage, 'headers'>): boolean {
  if (req.headers.authorization?.startsWith('Bearer ')) return false;
  return !!req.headers.cookie && parseCookie(req.headers.cookie)[SESSION_COOKIE] !== undefined;
}

/** Wraps the app: every response gets the headers, /api gets CORS and CSRF checks. */
export function harden(app: express.Express, opts: HardeningOptions): express.Express {
  const outer = express();
  outer.disable('x-powered-by');
  const allowed = new Set(opts.corsOrigins);
  const rejected = (res: Response, status: number, error: string, details?: unknown) => {
    res.status(status).json({ error, ...(details === undefined ? {} : { details }) });
  };

  outer.use((req: Request, res: Response, next: NextFunction) => {
    const api = req.path.startsWith('/api/') || req.path === '/api';
    res.setHeader('Content-Security-Policy', api ? API_CSP : DASHBOARD_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Origin-Agent-Cluster', '?1');
    res.setHeader('X-DNS-Prefetch-Control', 'off');
    res.setHeader('X-Permitted-Cross-Domain-Policies', 'none');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    // Two years, as the HSTS preload list asks (RFC 6797); only over HTTPS, where it means something.
    if (opts.https) res.setHeader('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');

    if ((req.originalUrl ?? req.url).length > MAX_URL_BYTES) {
      opts.log.warn({ method: req.method, length: req.originalUrl.length, ip: req.ip }, 'request target too long');
      return rejected(res, 414, `request target too long: at most ${MAX_URL_BYTES} bytes`, { length: req.originalUrl.length, max: MAX_URL_BYTES });
    }
    if (!api) return next();

    // CORS: closed unless the origin is listed. Never with credentials: another
    // origin authenticates with a Bearer token, never with the session cookie.
    const origin = req.headers.origin;
    if (origin !== undefined && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.append('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      if (origin === undefined || !allowed.has(origin)) {
        opts.log.info({ origin, path: req.path }, 'cross-origin request refused');
        return rejected(res, 403, 'cross-origin requests are not allowed from this origin', { origin, hint: 'an administrator lists allowed origins in CORS_ORIGINS' });
      }
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
      return res.status(204).end();
    }

    // CSRF: a browser sends the session cookie with any request to this host, even
    // one a page elsewhere makes it send. A write authenticated by the cookie must
    // therefore carry a header no other page can set without a CORS preflight (which
    // is refused above) and, when the browser names the page's origin, come from
    // this one. Bearer requests carry their credentials explicitly: no CSRF there.
    if (!SAFE_METHODS.has(req.method) && cookieAuthenticated(req)) {
      if (req.headers[CSRF_HEADER] !== '1') {
        opts.log.warn({ method: req.method, path: req.path, origin, ip: req.ip }, 'cookie-authenticated write without the CSRF header refused');
        return rejected(res, 403, `a write authenticated by the session cookie must send the header "${CSRF_HEADER}: 1"`, { hint: 'integrations use "Authorization: Bearer <token>" instead' });
      }
      if (!sameOrigin(req.headers)) {
        opts.log.warn({ method: req.method, path: req.path, origin, ip: req.ip }, 'cookie-authenticated write from another origin refused');
        return rejected(res, 403, 'a write authenticated by the session cookie must come from this server’s own pages', { origin });
      }
    }
    next();
  });
  outer.use(app);
  return outer;
}
