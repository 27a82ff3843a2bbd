import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { DeliveryLogResponseSchema, NotifySettingsSchema } from '../../../shared/notify';
import { DELIVERY_LIMIT, DeliveriesLog, type DeliveryFilter } from '../components/notifications/DeliveriesLog';
import { WebhookListSchema } from '../components/notifications/notify-common';
import '../components/notifications/notifications.css';
import { SettingsForm } from '../components/notifications/SettingsForm';
import { WebhooksPanel } from '../components/notifications/WebhooksPanel';
import { useEvery } from '../components/overview/use-every';
import { useMessages } from '../lib/i18n';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

const messages = {
  fr: {
    title: 'Notifications',
    mine: 'Mes notifications',
    loading: 'Chargement de vos réglages…',
    retry: 'Réessayer',
    webhooks: 'Webhooks',
    log: 'Journal des envois',
  },
  en: {
    title: 'Notifications',
    mine: 'My notifications',
    loading: 'Loading your settings…',
    retry: 'Try again',
    webhooks: 'Webhooks',
    log: 'Delivery log',
  },
};

/** The delivery log is polled this often while the page is shown. */
const LOG_POLL_MS = 15_000;

function deliveriesPath(filter: DeliveryFilter): string {
  const q = new URLSearchParams({ limit: String(DELIVERY_LIMIT) });
  if (filter !== 'all') q.set('status', filter);
  return `/api/v1/notifications/deliveries?${q}`;
}

/**
 * Notifications: everyone's own settings (address, language, severities,
 * filters, quiet hours, digest, a test e-mail); for admins (permission
 * 'users') the webhooks and the delivery log too.
 */
export default function NotificationsPage() {
  const t = useMessages(messages);
  const isAdmin = useCan('users');
  const settings = useApi('/api/v1/me/notifications', NotifySettingsSchema, 'vos réglages de notification');
  const webhooks = useApi(isAdmin ? '/api/v1/notifications/webhooks' : null, WebhookListSchema, 'les webhooks');
  const [filter, setFilter] = useState<DeliveryFilter>('all');
  const deliveries = useApi(isAdmin ? deliveriesPath(filter) : null, DeliveryLogResponseSchema, 'le journal des envois');

  const { reload: reloadDeliveries } = deliveries;
  const refreshLog = useCallback(() => {
    if (isAdmin) reloadDeliveries();
  }, [isAdmin, reloadDeliveries]);
  useEvery(LOG_POLL_MS, refreshLog);

  // A test is queued, then sent within a second or two: look now, and once more shortly after.
  const later = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(later.current), []);
  const afterTest = useCallback(() => {
    refreshLog();
    window.clearTimeout(later.current);
    later.current = window.setTimeout(refreshLog, 2500);
  }, [refreshLog]);

  const webhookNames = useMemo(() => new Map((webhooks.data?.webhooks ?? []).map((w) => [w.id, w.name])), [webhooks.data]);

  return (
    <section className="panel page-grid notify-page" aria-labelledby="notify-title">
      <h2 id="notify-title">{t.title}</h2>

      <section className="notify-section" aria-labelledby="notify-mine-title">
        <h3 id="notify-mine-title">{t.mine}</h3>
        {settings.error ? (
          <div className="error" role="alert">
            <p>{settings.error}</p>
            <button type="button" className="link-button" onClick={settings.reload}>
              {t.retry}
            </button>
          </div>
        ) : null}
        {!settings.data && !settings.error ? (
          <p className="notice" role="status">
            {t.loading}
          </p>
        ) : null}
        {settings.data ? <SettingsForm initial={settings.data} emailChannel={deliveries.data?.channels.email} onTestQueued={afterTest} /> : null}
      </section>

      {isAdmin ? (
        <>
          <section className="notify-section" aria-labelledby="notify-webhooks-title" data-testid="webhooks-section">
            <h3 id="notify-webhooks-title">{t.webhooks}</h3>
            <WebhooksPanel state={webhooks} onTestQueued={afterTest} />
          </section>
          <section className="notify-section" aria-labelledby="notify-log-title" data-testid="deliveries-section">
            <h3 id="notify-log-title">{t.log}</h3>
            <DeliveriesLog state={deliveries} filter={filter} onFilter={setFilter} webhookNames={webhookNames} />
          </section>
        </>
      ) : null}
    </section>
  );
}
