import type { Building } from '../../shared/building';
import type { User } from '../../shared/auth';
import type { Config } from '../config';
import { createEmailProvider } from './email';
import type { Recipient } from './index';
import type { NotifySettingsStore } from './settings';
import type { Provider } from './types';
import { createWebhookProvider, type WebhookTarget } from './webhook';

/** The webhook set up by NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET. */
export const ENV_WEBHOOK_ID = 'default';

/** Every webhook: the environment's, then those admins added over the API. */
export function webhookTargets(notify: Config['notify'], settings: NotifySettingsStore): WebhookTarget[] {
  const env = notify.webhook ? [{ id: ENV_WEBHOOK_ID, url: notify.webhook.url, secret: notify.webhook.secret, format: notify.webhook.format }] : [];
  return [...env, ...settings.webhooks()];
}

/** The channels: e-mail with SMTP_URL, webhooks always (the environment's and the API's). */
export function providersFromConfig(notify: Config['notify'], building: Building, settings: NotifySettingsStore, publicUrl: () => string): Provider[] {
  const zones = new Map(building.zones.map((z) => [z.id, z.label]));
  // Read at each message: without PUBLIC_URL it is the address the server listens on, known once it does.
  const withLinks = <T extends object>(o: T): T & { readonly publicUrl: string } => Object.defineProperty(o, 'publicUrl', { get: publicUrl, enumerable: true }) as T & { readonly publicUrl: string };
  const providers: Provider[] = [];
  if (notify.smtp) {
    const smtp = notify.smtp;
    providers.push(createEmailProvider(withLinks({ smtpUrl: smtp.url, user: smtp.user, password: smtp.password, from: notify.from, siteName: building.site.name, zoneLabel: (z: string) => zones.get(z) ?? z })));
  }
  providers.push(createWebhookProvider(withLinks({ targets: () => webhookTargets(notify, settings) })));
  return providers;
}

/**
 * Who gets what: every active user with an address, by their own settings
 * (admins are the escalation chain), and every webhook, for the systems that
 * sort alerts themselves. Read at each event: a change applies at once.
 */
export function recipientsFrom(deps: { notify: Config['notify']; settings: NotifySettingsStore; users: () => User[] }): Recipient[] {
  const out: Recipient[] = [];
  if (deps.notify.smtp) {
    const saved = deps.settings.all();
    for (const u of deps.users()) {
      const s = saved.get(u.username);
      if (!s?.email || u.disabled) continue;
      out.push({ channel: 'email', to: s.email, lang: s.lang, severities: s.severities, cleared: true, zones: s.zones, deviceTypes: s.deviceTypes, rules: s.rules, quietHours: s.quietHours, digest: s.digest, escalation: !deps.notify.escalationEmails && u.role === 'admin' });
    }
    // A chain of its own (NOTIFY_ESCALATION_EMAILS: an on-call address, a manager): escalations only.
    for (const to of deps.notify.escalationEmails ?? []) out.push({ channel: 'email', to, lang: 'fr', severities: [], cleared: false, escalation: true });
  }
  if (deps.notify.webhook) out.push({ channel: 'webhook', to: ENV_WEBHOOK_ID, lang: 'fr', severities: ['info', 'warning', 'critical'], cleared: true, escalation: true });
  for (const w of deps.settings.webhooks()) out.push({ channel: 'webhook', to: w.id, lang: 'fr', severities: w.severities, cleared: true, escalation: true });
  return out;
}
