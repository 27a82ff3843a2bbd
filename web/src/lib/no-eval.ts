import { z } from 'zod';

/**
 * The server's Content-Security-Policy forbids eval (script-src 'self', see
 * server/api/hardening.ts): zod must not compile its parsers with new Function,
 * nor even probe whether it may (the caught probe is still reported as a CSP
 * violation). Schemas decide this when they are built, so this module is the
 * first that main.tsx imports. Parsing a few API answers does not need the speed.
 */
z.config({ jitless: true });
