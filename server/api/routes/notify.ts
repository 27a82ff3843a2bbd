import { z } from 'zod';
import {
  DeliveryLogQuerySchema,
  DeliveryLogResponseSchema,
  NotifySettingsPatchSchema,
  NotifySettingsSchema,
  NotifyTestResponseSchema,
  NotifyTestSchema,
  WebhookCreateSchema,
  WebhookViewSchema,
} from '../../../shared/notify';
import { UsernameParamsSchema } from '../../../shared/auth';
import type { Accounts } from '../../auth/accounts';
import type { Notify } from '../../notify/index';
import type { NotifySettingsStore } from '../../notify/settings';
import { safeUrl } from '../../notify/webhook';
import { ENV_WEBHOOK_ID } from '../../notify/from-config';
import { type AnyRoute, HttpError, route } from '../registry';

/**
 * Notifications (docs/notifications.md). Each user reads and changes their own
 * settings and may send themselves a test e-mail; the delivery log, the
 * webhooks and any other test are the admins' (permission 'users'). Secrets
 * go in, never out: a webhook's secret is not in any answer.
 */
export function notifyRoutes(deps: {
  notify: Pick<Notify, 'log' | 'stats' | 'test'>;
  settings: NotifySettingsStore;
  accounts: Pick<Accounts, 'audit' | 'getUser'>;
  channels: { email: boolean };
  envWebhook: { url: string; format: 'json' | 'slack' | 'ntfy' } | undefined;
}): AnyRoute[] {
  const { settings } = deps;
  const who = (p: { username: string } | undefined): string => {
    if (!p) throw new HttpError(401, 'log in first');
    return p.username;
  };
  const webhookViews = () => [
    ...(deps.envWebhook ? [{ id: ENV_WEBHOOK_ID, name: 'NOTIFY_WEBHOOK_URL', url: safeUrl(deps.envWebhook.url), format: deps.envWebhook.format, severities: ['info' as const, 'warning' as const, 'critical' as const], fromEnvironment: true, createdAt: 0 }] : []),
    ...settings.webhooks().map((w) => ({ id: w.id, name: w.name, url: safeUrl(w.url), format: w.format, severities: w.severities, fromEnvironment: false, createdAt: w.createdAt })),
  ];

  return [
    route({
      method: 'get',
      path: '/v1/me/notifications',
      summary: 'My notification settings: address, language, what I subscribe to, quiet hours, the digest',
      tag: 'notifications',
      access: 'authenticated',
      response: NotifySettingsSchema,
      handler: ({ principal }) => settings.get(who(principal)),
    }),
    route({
      method: 'put',
      path: '/v1/me/notifications',
      summary: 'Change my notification settings (any subset of the fields)',
      tag: 'notifications',
      access: 'authenticated',
      body: NotifySettingsPatchSchema,
      response: NotifySettingsSchema,
      handler: ({ principal, body }) => {
        const username = who(principal);
        const saved = settings.set(username, body);
        deps.accounts.audit(username, 'notify.settings', username, { fields: Object.keys(body) });
        return saved;
      },
    }),
    route({
      method: 'get',
      path: '/v1/users/:username/notifications',
      summary: 'A user\'s notification settings (admins)',
      tag: 'notifications',
      access: 'users',
      params: UsernameParamsSchema,
      response: NotifySettingsSchema,
      handler: ({ params }) => {
        if (!deps.accounts.getUser(params.username)) throw new HttpError(404, `unknown user "${params.username}"`);
        return settings.get(params.username);
      },
    }),
    route({
      method: 'put',
      path: '/v1/users/:username/notifications',
      summary: 'Change a user\'s notification settings (admins): their address and language, what they receive',
      tag: 'notifications',
      access: 'users',
      params: UsernameParamsSchema,
      body: NotifySettingsPatchSchema,
      response: NotifySettingsSchema,
      handler: ({ principal, params, body }) => {
        if (!deps.accounts.getUser(params.username)) throw new HttpError(404, `unknown user "${params.username}"`);
        const saved = settings.set(params.username, body);
        deps.accounts.audit(who(principal), 'notify.settings', params.username, { fields: Object.keys(body) });
        return saved;
      },
    }),
    route({
      method: 'post',
      path: '/v1/notifications/test',
      summary: 'Send a test: an e-mail to my own address (anyone), or to another address or a webhook (admins)',
      tag: 'notifications',
      access: 'authenticated',
      body: NotifyTestSchema,
      response: NotifyTestResponseSchema,
      status: 202,
      handler: ({ principal, body }) => {
        const username = who(principal);
        const mine = settings.get(username);
        const own = body.channel === 'email' && (body.to === undefined || body.to === mine.email);
        if (!own && !principal?.permissions.includes('users')) throw new HttpError(403, 'permission "users" required to test another address or a webhook');
        let to = body.to;
        if (body.channel === 'email') {
          if (!deps.channels.email) throw new HttpError(409, 'no SMTP relay is configured (SMTP_URL)');
          to ??= mine.email ?? undefined;
          if (!to) throw new HttpError(409, 'you have no e-mail address yet: save one in your notification settings first');
          if (!z.email().safeParse(to).success) throw new HttpError(400, '"to" must be an e-mail address', { path: ['to'] });
        } else {
          if (!to) throw new HttpError(400, 'a webhook test needs "to": the webhook\'s id', { path: ['to'] });
          if (!webhookViews().some((w) => w.id === to)) throw new HttpError(404, `unknown webhook "${to}"`);
        }
        const key = deps.notify.test(body.channel, to, mine.lang);
        deps.accounts.audit(username, 'notify.test', body.channel === 'email' ? to : `webhook:${to}`);
        return { key, channel: body.channel, to };
      },
    }),
    route({
      method: 'get',
      path: '/v1/notifications/deliveries',
      summary: 'The delivery log: what was sent to whom, how it went (newest first)',
      tag: 'notifications',
      access: 'users',
      query: DeliveryLogQuerySchema,
      response: DeliveryLogResponseSchema,
      handler: ({ query }) => {
        const s = deps.notify.stats();
        return { deliveries: deps.notify.log({ limit: query.limit, status: query.status }), counts: { pending: s.pending, sent: s.sent, failed: s.failed }, channels: { email: deps.channels.email, webhook: webhookViews().length > 0 } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/notifications/webhooks',
      summary: 'The webhooks (their secrets are never shown)',
      tag: 'notifications',
      access: 'users',
      response: z.object({ webhooks: z.array(WebhookViewSchema) }),
      handler: () => ({ webhooks: webhookViews() }),
    }),
    route({
      method: 'post',
      path: '/v1/notifications/webhooks',
      summary: 'Add a webhook: every alert of its severities, signed with its secret',
      tag: 'notifications',
      access: 'users',
      body: WebhookCreateSchema,
      response: WebhookViewSchema,
      status: 201,
      handler: ({ principal, body }) => {
        const w = settings.addWebhook(body);
        deps.accounts.audit(who(principal), 'notify.webhook.create', w.id, { url: safeUrl(w.url), format: w.format });
        return { id: w.id, name: w.name, url: safeUrl(w.url), format: w.format, severities: w.severities, fromEnvironment: false, createdAt: w.createdAt };
      },
    }),
    route({
      method: 'delete',
      path: '/v1/notifications/webhooks/:id',
      summary: 'Remove a webhook (the environment\'s is removed by unsetting NOTIFY_WEBHOOK_URL)',
      tag: 'notifications',
      access: 'users',
      params: z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'webhook ids are lower-case letters, digits and "-"') }),
      status: 204,
      errors: [409],
      handler: ({ principal, params }) => {
        if (params.id === ENV_WEBHOOK_ID && deps.envWebhook) throw new HttpError(409, 'this webhook comes from NOTIFY_WEBHOOK_URL: unset it there');
        if (!settings.deleteWebhook(params.id)) throw new HttpError(404, `unknown webhook "${params.id}"`);
        deps.accounts.audit(who(principal), 'notify.webhook.delete', params.id);
        return undefined;
      },
    }),
  ];
}
