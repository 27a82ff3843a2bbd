import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { AlertListResponseSchema, AlertRuleListResponseSchema } from '../../../shared/alerts';
import { AlertCard } from '../components/alerts/AlertCard';
import { RulesTable } from '../components/alerts/RulesTable';
import { useAlertEvents } from '../components/alerts/use-alert-events';
import '../components/alerts/alerts.css';
import { useMessages } from '../lib/i18n';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

const messages = {
  fr: {
    title: 'Alertes',
    open: 'En cours',
    all: 'Tout l’historique',
    tabs: 'Quelles alertes',
    counts: (a: number, k: number, c: number, s: number) => `${a} active${a > 1 ? 's' : ''}, ${k} acquittée${k > 1 ? 's' : ''}, ${c} terminée${c > 1 ? 's' : ''} non acquittée${c > 1 ? 's' : ''}, ${s} mise${s > 1 ? 's' : ''} de côté`,
    noneOpen: 'Aucune alerte en cours.',
    none: 'Aucune alerte enregistrée.',
    loading: 'Chargement…',
    rules: 'Règles',
    rulesNote: 'Les règles du fichier config/alert-rules.json ne se modifient qu’en éditant ce fichier ; ici, on peut seulement les activer ou les désactiver.',
    refresh: 'Mise à jour à chaque événement d’alerte (connexion temps réel), et toutes les 30 s.',
  },
  en: {
    title: 'Alerts',
    open: 'Open',
    all: 'All history',
    tabs: 'Which alerts',
    counts: (a: number, k: number, c: number, s: number) => `${a} active, ${k} acknowledged, ${c} cleared but not acknowledged, ${s} shelved`,
    noneOpen: 'No open alert.',
    none: 'No alert recorded.',
    loading: 'Loading…',
    rules: 'Rules',
    rulesNote: 'Rules from config/alert-rules.json change only by editing that file; here they can only be enabled or disabled.',
    refresh: 'Updated on every alert event (live connection), and every 30 s.',
  },
};

export default function AlertsPage() {
  const t = useMessages(messages);
  const canAck = useCan('alerts:ack');
  const canRules = useCan('rules');
  const [params, setParams] = useSearchParams();
  // A notification's link names its alert (?alert=<id>): it may be closed by now, so every alert is listed.
  const focusId = Number(params.get('alert') ?? NaN);
  const tab = params.get('state') === 'all' || Number.isInteger(focusId) ? 'all' : 'open';
  const list = useApi(`/api/v1/alerts?state=${tab}&limit=200`, AlertListResponseSchema, 'les alertes');
  const rules = useApi('/api/v1/alert-rules', AlertRuleListResponseSchema, 'les règles d’alerte');
  const { reload: reloadList } = list;
  const { reload: reloadRules } = rules;
  const refresh = useCallback(() => {
    reloadList();
    reloadRules();
  }, [reloadList, reloadRules]);
  useAlertEvents(refresh);

  const counts = list.data?.counts;
  return (
    <section className="panel page-grid" aria-labelledby="alerts-title">
      <h2 id="alerts-title">{t.title}</h2>
      {counts ? (
        <p className="alert-counts" role="status" data-testid="alert-counts">
          {t.counts(counts.active, counts.acknowledged, counts.cleared, counts.shelved)}
        </p>
      ) : null}
      <div className="segmented" role="tablist" aria-label={t.tabs}>
        {(['open', 'all'] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} data-testid={`tab-${k}`} onClick={() => setParams(k === 'open' ? {} : { state: 'all' })}>
            {t[k]}
          </button>
        ))}
      </div>
      <p className="notice">{t.refresh}</p>
      <div role="tabpanel" aria-label={t[tab]} className="alert-list" data-testid="alert-list">
        {list.error ? <p className="error">{list.error}</p> : null}
        {!list.data && !list.error ? <p className="notice">{t.loading}</p> : null}
        {list.data && list.data.alerts.length === 0 ? <p className="empty">{tab === 'open' ? t.noneOpen : t.none}</p> : null}
        {list.data?.alerts.map((a) => <AlertCard key={a.id} alert={a} canAck={canAck} onChanged={refresh} focused={a.id === focusId} />)}
      </div>

      <h2>{t.rules}</h2>
      <p className="notice">{t.rulesNote}</p>
      {rules.error ? <p className="error">{rules.error}</p> : null}
      {rules.data ? <RulesTable rules={rules.data.rules} canEdit={canRules} onChanged={refresh} /> : null}
    </section>
  );
}
