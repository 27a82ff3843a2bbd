import { useState } from 'react';
import { type AlertRule, type AlertRuleView, AlertRuleViewSchema, type Target } from '../../../../shared/alerts';
import { errorMessage, sendJson } from '../../lib/api';
import { useI18n, useMessages } from '../../lib/i18n';
import { SeverityBadge } from './AlertCard';

const messages = {
  fr: {
    caption: 'Règles d’alerte',
    name: 'Règle',
    kind: 'Type',
    target: 'Cible',
    thresholds: 'Seuils et durées',
    enabled: 'Active',
    source: 'Origine',
    file: 'fichier',
    api: 'API',
    on: 'oui',
    off: 'non',
    all: 'tout',
    targets: (n: number) => `${n} cible${n > 1 ? 's' : ''}`,
    toggle: (name: string) => `Règle « ${name} » active`,
    shelved: 'mise de côté',
    kinds: (k: AlertRule['kind']) => ({
      threshold: 'Seuil',
      'rate-of-change': 'Vitesse de variation',
      'device-offline': 'Équipement hors ligne',
      'counter-reset': 'Compteur remis à zéro',
      'tank-low': 'Cuve basse',
      'mains-topup': 'Appoint eau de ville',
      'pv-underperformance': 'Sous-performance PV',
      'heat-recovery': 'Récupération de chaleur',
    } as Record<AlertRule['kind'], string>)[k],
  },
  en: {
    caption: 'Alert rules',
    name: 'Rule',
    kind: 'Kind',
    target: 'Target',
    thresholds: 'Thresholds and durations',
    enabled: 'Enabled',
    source: 'Source',
    file: 'file',
    api: 'API',
    on: 'yes',
    off: 'no',
    all: 'everything',
    targets: (n: number) => `${n} target${n > 1 ? 's' : ''}`,
    toggle: (name: string) => `Rule “${name}” enabled`,
    shelved: 'shelved',
    kinds: (k: AlertRule['kind']) => ({
      threshold: 'Threshold',
      'rate-of-change': 'Rate of change',
      'device-offline': 'Device offline',
      'counter-reset': 'Counter reset',
      'tank-low': 'Tank low',
      'mains-topup': 'Mains top-up',
      'pv-underperformance': 'PV underperformance',
      'heat-recovery': 'Heat recovery',
    } as Record<AlertRule['kind'], string>)[k],
  },
};

function targetText(target: Target, all: string): string {
  if (target.series) return target.series.join(', ');
  const parts = Object.entries(target).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  return parts.length ? parts.join(' · ') : all;
}

/** The rule's own parameters (what is not name, severity, target…), as "key = value". */
export function ruleParameters(rule: AlertRule): string {
  const skip = new Set(['id', 'name', 'description', 'severity', 'enabled', 'kind', 'target']);
  return Object.entries(rule)
    .filter(([k, v]) => !skip.has(k) && v !== undefined)
    .map(([k, v]) => `${k} = ${String(v)}`)
    .join(' · ');
}

/** Every rule with its kind, target, thresholds and whether it is enabled; a switch for those allowed to change rules. */
export function RulesTable({ rules, canEdit, onChanged }: { rules: readonly AlertRuleView[]; canEdit: boolean; onChanged: () => void }) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const toggle = async (id: string, enabled: boolean) => {
    setBusy(id);
    setError(null);
    try {
      await sendJson('PATCH', `/api/v1/alert-rules/${id}`, { enabled }, AlertRuleViewSchema);
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="data-table rules-table" data-testid="rules-table">
          <caption className="visually-hidden">{t.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.kind}</th>
              <th scope="col">{t.target}</th>
              <th scope="col">{t.thresholds}</th>
              <th scope="col">{t.source}</th>
              <th scope="col">{t.enabled}</th>
            </tr>
          </thead>
          <tbody>
            {rules.map(({ rule, source, shelved, targets, updatedAt, updatedBy }) => (
              <tr key={rule.id} data-testid={`rule-${rule.id}`}>
                <th scope="row">
                  <SeverityBadge severity={rule.severity} /> {rule.name}
                  <br />
                  <code className="notice">{rule.id}</code>
                  {shelved ? <span className="notice"> · {t.shelved}</span> : null}
                </th>
                <td>{t.kinds(rule.kind)}</td>
                <td>
                  {targetText(rule.target, t.all)}
                  <br />
                  <span className="notice">{t.targets(targets.length)}</span>
                </td>
                <td className="rule-params">{ruleParameters(rule)}</td>
                <td>
                  {source === 'file' ? t.file : t.api}
                  {updatedBy && updatedAt ? (
                    <span className="notice">
                      <br />
                      {updatedBy}, {fmt.dateTime(updatedAt)}
                    </span>
                  ) : null}
                </td>
                <td>
                  {canEdit ? (
                    <label className="switch">
                      <input type="checkbox" checked={rule.enabled} disabled={busy === rule.id} onChange={(e) => void toggle(rule.id, e.target.checked)} aria-label={t.toggle(rule.name)} />
                      <span aria-hidden="true">{rule.enabled ? t.on : t.off}</span>
                    </label>
                  ) : rule.enabled ? (
                    t.on
                  ) : (
                    t.off
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
