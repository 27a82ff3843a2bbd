import { z } from 'zod';

/**
 * Who may do what (docs/security.md). A role is a set of permissions; an API
 * token carries scopes, a subset of its owner's permissions.
 *
 * - viewer: reads everything (live values, history, KPIs, alerts, devices).
 * - operator: also acknowledges and shelves alerts and drives the simulator.
 * - energy-reviewer: also exports (CSV) and prints period reports.
 * - admin: everything, including users, devices and alert rules.
 */
export const PERMISSIONS = ['read', 'alerts:ack', 'simulator', 'export', 'users', 'devices', 'rules'] as const;
export const PermissionSchema = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof PermissionSchema>;

export const ROLES = ['viewer', 'operator', 'energy-reviewer', 'admin'] as const;
export const RoleSchema = z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` });
export type Role = z.infer<typeof RoleSchema>;

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'alerts:ack', 'simulator'],
  'energy-reviewer': ['read', 'export'],
  admin: PERMISSIONS,
};

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;
const Username = z.string().regex(USERNAME_PATTERN, 'usernames are 2 to 64 lower-case letters, digits, ".", "_" or "-"');
/** At least 12 characters (NIST SP 800-63B §3.1.1.2 asks for 8 minimum and 64 maximum at least; we ask more of humans). */
const NewPassword = z.string().min(12, 'passwords have at least 12 characters').max(256, 'passwords have at most 256 characters');

export const LoginRequestSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const SESSION_COOKIE = 'lnm_session';
/**
 * Writes authenticated by the session cookie must carry this header, set to "1"
 * (CSRF protection: another site's page cannot add it without a CORS preflight,
 * which the server refuses). Requests with "Authorization: Bearer" need not.
 */
export const CSRF_HEADER = 'x-lnm-csrf';

export const LoginResponseSchema = z.object({
  /** Send as "Authorization: Bearer <token>"; the browser gets the same in an HttpOnly cookie. */
  token: z.string(),
  expiresAt: z.number(),
  user: z.object({ username: z.string(), role: RoleSchema, permissions: z.array(PermissionSchema) }),
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const MeResponseSchema = z.object({
  username: z.string(),
  role: RoleSchema,
  permissions: z.array(PermissionSchema),
  /** How this request authenticated. */
  via: z.enum(['session', 'token']),
});
export type MeResponse = z.infer<typeof MeResponseSchema>;

export const UserSchema = z.object({ username: z.string(), role: RoleSchema, disabled: z.boolean(), createdAt: z.number(), lastLoginAt: z.number().nullable() });
export type User = z.infer<typeof UserSchema>;
export const UserListResponseSchema = z.object({ users: z.array(UserSchema) });
export type UserListResponse = z.infer<typeof UserListResponseSchema>;

export const CreateUserRequestSchema = z.object({ username: Username, role: RoleSchema, password: NewPassword });
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;
export const UpdateUserRequestSchema = z
  .object({ role: RoleSchema.optional(), password: NewPassword.optional(), disabled: z.boolean().optional() })
  .refine((b) => b.role !== undefined || b.password !== undefined || b.disabled !== undefined, 'give at least one of role, password, disabled');
export type UpdateUserRequest = z.infer<typeof UpdateUserRequestSchema>;
export const UsernameParamsSchema = z.object({ username: Username });

export const ApiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  owner: z.string(),
  scopes: z.array(PermissionSchema),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
  lastUsedAt: z.number().nullable(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;
export const ApiTokenListResponseSchema = z.object({ tokens: z.array(ApiTokenSchema) });
export type ApiTokenListResponse = z.infer<typeof ApiTokenListResponseSchema>;
export const CreateApiTokenRequestSchema = z.object({
  name: z.string().min(1).max(100),
  /** A subset of the caller's permissions. */
  scopes: z.array(PermissionSchema).min(1).max(PERMISSIONS.length),
  /** Days until it expires; omitted: never. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequestSchema>;
/** The token itself is shown once, here; the server keeps only its hash. */
export const CreateApiTokenResponseSchema = ApiTokenSchema.extend({ token: z.string() });
export type CreateApiTokenResponse = z.infer<typeof CreateApiTokenResponseSchema>;
export const TokenParamsSchema = z.object({ id: z.string().regex(/^[a-f0-9]{16}$/, 'token ids are 16 hex digits') });

export const AuditEntrySchema = z.object({ ts: z.number(), actor: z.string(), action: z.string(), target: z.string(), detail: z.unknown().optional() });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
