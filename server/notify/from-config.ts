import type { Building } from '../../shared/building';
import type { Config } from '../config';
import { createEmailProvider } from './email';
import type { Recipient } from './index';
import type { Provider } from './types';
import { createWebhookProvider, type WebhookTarget } from './webhook';

/** The webhook set up by NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET. */
export const ENV_WEBHOOK_ID = 'default';

/** The channels the environment configures: e-mail with SMTP_URL, the webhook with NOTIFY_WEBHOOK_URL. */
export function providersFromConfig(notify: Config['notify'], building: Building): Provider[] {
  const zones = new Map(building.zones.map((z) => [z.id, z.label]));
  const providers: Provider[] = [];
  if (notify.smtp) {
    providers.push(
      createEmailProvider({ smtpUrl: notify.smtp.url, user: notify.smtp.user, password: notify.smtp.password, from: notify.from, publicUrl: notify.publicUrl, siteName: building.site.name, zoneLabel: (z) => zones.get(z) ?? z }),
    );
  }
  const hook = notify.webhook;
  if (hook) {
    const targets: WebhookTarget[] = [{ id: ENV_WEBHOOK_ID, url: hook.url, secret: hook.secret, format: hook.format }];
    providers.push(createWebhookProvider({ targets: () => targets, publicUrl: notify.publicUrl }));
  }
  return providers;
}

/**
 * Who gets what until users have their own subscriptions: the first admin's
 * address (ADMIN_EMAIL) the warnings and critical alerts, raised and back to
 * normal; the environment's webhook every alert, for the systems that sort them.
 */
export function recipientsFromConfig(notify: Config['notify']): Recipient[] {
  const out: Recipient[] = [];
  if (notify.smtp && notify.adminEmail) out.push({ channel: 'email', to: notify.adminEmail, lang: 'fr', severities: ['warning', 'critical'], cleared: true });
  if (notify.webhook) out.push({ channel: 'webhook', to: ENV_WEBHOOK_ID, lang: 'fr', severities: ['info', 'warning', 'critical'], cleared: true });
  return out;
}
