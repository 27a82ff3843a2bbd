import { z } from 'zod';
import { SeveritySchema } from './alerts';
import { ID_PATTERN } from './topics';

/**
 * Notifications, version 1 (docs/notifications.md): what each user wants to
 * receive, the channels admins manage, and the delivery log. Secrets (SMTP
 * password, webhook secrets) are written, never read back: no answer carries them.
 */

export const NOTIFY_LANGS = ['fr', 'en'] as const;
export const NotifyLangSchema = z.enum(NOTIFY_LANGS);

const id = z.string().regex(ID_PATTERN, 'ids are lower-case letters, digits and "-"');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time as HH:MM (Europe/Paris)');

/** Quiet hours in Europe/Paris time: only critical alerts are sent; the rest wait for the morning digest. end < start spans midnight. */
export const QuietHoursSchema = z.object({ start: hhmm, end: hhmm }).refine((q) => q.start !== q.end, { message: 'quiet hours must not start and end at the same time' });
export type QuietHours = z.infer<typeof QuietHoursSchema>;

/** One user's notification settings. Empty filters match everything. */
export const NotifySettingsSchema = z.object({
  /** Where e-mails go; null: none to this user. */
  email: z.email({ error: 'email must be an e-mail address' }).max(254).nullable(),
  lang: NotifyLangSchema,
  severities: z.array(SeveritySchema).max(3),
  zones: z.array(id).max(200),
  deviceTypes: z.array(id).max(50),
  rules: z.array(id).max(500),
  quietHours: QuietHoursSchema.nullable(),
  /** The daily digest (open alerts, the last 24 h, devices offline, yesterday's energy). */
  digest: z.boolean(),
});
export type NotifySettings = z.infer<typeof NotifySettingsSchema>;

export const DEFAULT_NOTIFY_SETTINGS: NotifySettings = { email: null, lang: 'fr', severities: ['warning', 'critical'], zones: [], deviceTypes: [], rules: [], quietHours: null, digest: true };

/** A change of one's settings: any subset of the fields. */
export const NotifySettingsPatchSchema = NotifySettingsSchema.partial().strict();

export const NotifyChannelSchema = z.enum(['email', 'webhook']);
export const WebhookFormatSchema = z.enum(['json', 'slack', 'ntfy']);

/** A webhook as the API shows it: its URL cut to scheme://host/..., never its secret. */
export const WebhookViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  format: WebhookFormatSchema,
  severities: z.array(SeveritySchema),
  /** The one from NOTIFY_WEBHOOK_URL: managed by the environment, not the API. */
  fromEnvironment: z.boolean(),
  createdAt: z.number(),
});
export type WebhookView = z.infer<typeof WebhookViewSchema>;

export const WebhookCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  url: z.url({ error: 'url must be an http:// or https:// URL' }).refine((s) => /^https?:\/\//.test(s), 'url must be an http:// or https:// URL'),
  secret: z.string().min(16, 'secret must have at least 16 characters (it signs every body)').max(256),
  format: WebhookFormatSchema.default('json'),
  severities: z.array(SeveritySchema).min(1).max(3).default(['info', 'warning', 'critical']),
});

export const DeliveryStatusSchema = z.enum(['pending', 'sent', 'failed']);

export const DeliveryLogEntrySchema = z.object({
  id: z.number(),
  key: z.string(),
  channel: NotifyChannelSchema,
  /** An e-mail address, or a webhook's id. */
  recipient: z.string(),
  event: z.enum(['alert:raised', 'alert:cleared', 'alert:escalated', 'digest', 'test']),
  alertId: z.number().nullable(),
  status: DeliveryStatusSchema,
  attempts: z.number(),
  createdAt: z.number(),
  sentAt: z.number().nullable(),
  nextAt: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type DeliveryLogEntryView = z.infer<typeof DeliveryLogEntrySchema>;

export const DeliveryLogQuerySchema = z.object({
  status: DeliveryStatusSchema.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'limit must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'limit must be from 1 to 1000')
    .default(100),
});

export const DeliveryLogResponseSchema = z.object({
  deliveries: z.array(DeliveryLogEntrySchema),
  counts: z.object({ pending: z.number(), sent: z.number(), failed: z.number() }),
  channels: z.object({ email: z.boolean(), webhook: z.boolean() }),
});

/** "Send a test": to an address (default: the caller's own) or a webhook's id. */
export const NotifyTestSchema = z.strictObject({ channel: NotifyChannelSchema, to: z.string().min(1).max(254).optional() });
export const NotifyTestResponseSchema = z.object({ key: z.string(), channel: NotifyChannelSchema, to: z.string() });
