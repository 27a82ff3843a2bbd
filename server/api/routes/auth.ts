import type { Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import {
  ApiTokenListResponseSchema,
  AuditEntrySchema,
  CreateApiTokenRequestSchema,
  CreateApiTokenResponseSchema,
  CreateUserRequestSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  MeResponseSchema,
  SESSION_COOKIE,
  TokenParamsSchema,
  UpdateUserRequestSchema,
  UserListResponseSchema,
  UserSchema,
  UsernameParamsSchema,
} from '../../../shared/auth';
import type { Accounts, Principal } from '../../auth/accounts';
import type { Logger } from '../../logger';
import { credentialsOf } from '../index';
import { type AnyRoute, HttpError, route } from '../registry';

export interface AuthRouteOptions {
  /** Failed logins allowed per client address and username in `loginWindowMs` before 429. */
  loginAttempts?: number;
  loginWindowMs?: number;
  /** The clock sessions expire by (the Accounts' own). */
  now?: () => number;
}

const AuditQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d+$/, 'limit must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'limit must be from 1 to 1000')
    .default(200),
});

/** Login, logout, the caller, users, API tokens, the audit trail. */
export function authRoutes(accounts: Accounts, log: Logger, opts: AuthRouteOptions = {}): AnyRoute[] {
  // Slows password guessing: after N failures for one address and one username, 429 until
  // the window passes (express-rate-limit, rather than a home-made counter). Successes do
  // not count, so a user who types their password right is never locked out by others.
  const limiter = rateLimit({
    windowMs: opts.loginWindowMs ?? 15 * 60_000,
    limit: opts.loginAttempts ?? 10,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req: Request) => `${req.ip ?? 'unknown'}|${typeof req.body?.username === 'string' ? req.body.username.slice(0, 64) : ''}`,
    validate: { keyGeneratorIpFallback: false },
    handler: (req, res) => {
      log.warn({ ip: req.ip, username: typeof req.body?.username === 'string' ? req.body.username.slice(0, 64) : undefined }, 'login attempts limited');
      res.status(429).json({ error: 'too many failed logins: wait and try again' });
    },
  });
  const limited = (req: Request, res: Parameters<typeof limiter>[1]) =>
    new Promise<void>((resolve, reject) => {
      void limiter(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
    });

  const me = (p: Principal | undefined) => p as Principal;

  return [
    route({
      method: 'post',
      path: '/v1/auth/login',
      summary: 'Log in: a token for "Authorization: Bearer", and the same as an HttpOnly session cookie',
      tag: 'auth',
      access: 'public',
      errors: [401, 429],
      body: LoginRequestSchema,
      response: LoginResponseSchema,
      async handler({ req, res, body }) {
        await limited(req, res);
        if (res.headersSent) return undefined;
        const session = await accounts.login(body.username, body.password);
        if (!session) {
          log.warn({ ip: req.ip, username: body.username }, 'failed login');
          // The limiter counts this failure (skipSuccessfulRequests looks at the status).
          throw new HttpError(401, 'wrong username or password');
        }
        log.info({ username: body.username }, 'login');
        res.cookie(SESSION_COOKIE, session.token, {
          httpOnly: true,
          sameSite: 'strict',
          secure: req.secure,
          path: '/',
          // Relative: the browser expires the cookie on its own clock, whatever the server's reads.
          maxAge: session.expiresAt - (opts.now ?? Date.now)(),
        });
        const p = session.principal;
        return { token: session.token, expiresAt: session.expiresAt, user: { username: p.username, role: p.role, permissions: [...p.permissions] } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/auth/logout',
      summary: 'End this session (its token stops working at once)',
      tag: 'auth',
      access: 'authenticated',
      status: 204,
      handler({ req, res }) {
        const token = credentialsOf(req.headers);
        if (token) accounts.logout(token);
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/v1/auth/me',
      summary: 'Who the caller is and what they may do',
      tag: 'auth',
      access: 'authenticated',
      response: MeResponseSchema,
      handler: ({ principal }) => ({ username: me(principal).username, role: me(principal).role, permissions: [...me(principal).permissions], via: me(principal).via }),
    }),
    route({
      method: 'get',
      path: '/v1/auth/tokens',
      summary: "API tokens: the caller's own (an admin sees all)",
      tag: 'auth',
      access: 'authenticated',
      response: ApiTokenListResponseSchema,
      handler: ({ principal }) => ({ tokens: accounts.listTokens(me(principal)) }),
    }),
    route({
      method: 'post',
      path: '/v1/auth/tokens',
      summary: 'A new API token for an integration, with scopes within the caller’s permissions; shown once',
      tag: 'auth',
      access: 'authenticated',
      status: 201,
      body: CreateApiTokenRequestSchema,
      response: CreateApiTokenResponseSchema,
      handler: ({ principal, body }) => {
        if (me(principal).via === 'token') throw new HttpError(403, 'an API token cannot create tokens: log in as a user');
        return accounts.createToken(me(principal), body);
      },
    }),
    route({
      method: 'delete',
      path: '/v1/auth/tokens/:id',
      summary: 'Revoke an API token',
      tag: 'auth',
      access: 'authenticated',
      status: 204,
      params: TokenParamsSchema,
      handler: ({ principal, params }) => {
        accounts.revokeToken(me(principal), params.id);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/v1/users',
      summary: 'Every user, with role and state',
      tag: 'users',
      access: 'users',
      response: UserListResponseSchema,
      handler: () => ({ users: accounts.listUsers() }),
    }),
    route({
      method: 'post',
      path: '/v1/users',
      summary: 'Create a user',
      tag: 'users',
      errors: [409],
      access: 'users',
      status: 201,
      body: CreateUserRequestSchema,
      response: UserSchema,
      handler: ({ principal, body }) => accounts.createUser(body, me(principal).username),
    }),
    route({
      method: 'patch',
      path: '/v1/users/:username',
      summary: "Change a user's role or password, or disable them (their sessions end)",
      tag: 'users',
      errors: [409],
      access: 'users',
      params: UsernameParamsSchema,
      body: UpdateUserRequestSchema,
      response: UserSchema,
      handler: ({ principal, params, body }) => accounts.updateUser(params.username, body, me(principal).username),
    }),
    route({
      method: 'delete',
      path: '/v1/users/:username',
      summary: 'Delete a user, their sessions and tokens',
      tag: 'users',
      errors: [409],
      access: 'users',
      status: 204,
      params: UsernameParamsSchema,
      handler: ({ principal, params }) => {
        accounts.deleteUser(params.username, me(principal).username);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/v1/audit',
      summary: 'The audit trail: who changed users, tokens, devices, rules and alerts, newest first',
      tag: 'users',
      access: 'users',
      query: AuditQuerySchema,
      response: z.object({ entries: z.array(AuditEntrySchema) }),
      handler: ({ query }) => ({ entries: accounts.auditTrail(query.limit) }),
    }),
  ];
}
