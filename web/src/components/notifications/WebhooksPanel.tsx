import { type FormEvent, useId, useRef, useState } from 'react';
import type { z } from 'zod';
import { SEVERITIES, type Severity } from '../../../../shared/alerts';
import { WebhookFormatSchema, type WebhookView, WebhookViewSchema } from '../../../../shared/notify';
import { sendJson } from '../../lib/api';
import { useI18n, useMessages } from '../../lib/i18n';
import type { ApiState } from '../../lib/use-api';
import { OutcomeRegion, problemText, sendTest, useOutcome, useSeverityLabel, type WebhookListSchema } from './notify-common';

type Format = WebhookView['format'];

const messages = {
  fr: {
    intro: 'Chaque webhook reçoit les alertes des gravités choisies, signées avec son secret (en-tête X-LeNumerique-Signature, HMAC-SHA256).',
    caption: 'Webhooks configurés',
    region: 'Tableau des webhooks',
    name: 'Nom',
    url: 'URL',
    format: 'Format',
    severities: 'Gravités',
    created: 'Ajouté le',
    actions: 'Actions',
    env: 'défini par l’environnement',
    envHint: 'NOTIFY_WEBHOOK_URL : se retire dans l’environnement du serveur, pas ici.',
    none: 'Aucun webhook configuré.',
    loading: 'Chargement des webhooks…',
    test: 'Tester',
    testLabel: (n: string) => `Tester le webhook « ${n} »`,
    del: 'Supprimer',
    delLabel: (n: string) => `Supprimer le webhook « ${n} »`,
    confirm: 'Confirmer la suppression',
    confirmLabel: (n: string) => `Confirmer la suppression du webhook « ${n} »`,
    cancel: 'Annuler',
    deleting: 'Suppression…',
    deleted: (n: string) => `Webhook « ${n} » supprimé.`,
    deleteFailed: (m: string) => `Suppression impossible : ${m}`,
    testing: 'Envoi du test…',
    testQueued: (n: string) => `Test mis en file d’attente pour le webhook « ${n} » ; son résultat apparaît dans le journal des envois.`,
    testFailed: (m: string) => `Le test n’a pas pu partir : ${m}`,
    formats: (f: Format) => ({ json: 'JSON (document versionné)', slack: 'Slack / Mattermost', ntfy: 'ntfy' } satisfies Record<Format, string>)[f],
    add: 'Ajouter un webhook',
    fName: 'Nom',
    fUrl: 'URL',
    fUrlHint: 'http:// ou https://. Pour ntfy : le serveur suivi du sujet, par exemple https://ntfy.sh/le-numerique.',
    fSecret: 'Secret',
    fSecretHint: 'Au moins 16 caractères. Il signe chaque envoi : donnez-le au récepteur. Il ne sera plus jamais affiché après l’ajout.',
    generate: 'Générer un secret',
    show: 'Afficher le secret',
    fFormat: 'Format',
    fSeverities: 'Gravités envoyées',
    submit: 'Ajouter le webhook',
    adding: 'Ajout…',
    added: (n: string) => `Webhook « ${n} » ajouté. Son secret ne sera plus affiché.`,
    addFailed: (m: string) => `Ajout impossible : ${m}`,
    errName: 'Donnez un nom.',
    errUrl: 'L’URL doit commencer par http:// ou https://.',
    errSecret: 'Le secret doit avoir au moins 16 caractères.',
    errSeverities: 'Cochez au moins une gravité.',
    fix: 'Corrigez les champs signalés :',
  },
  en: {
    intro: 'Each webhook receives the alerts of the severities chosen, signed with its secret (header X-LeNumerique-Signature, HMAC-SHA256).',
    caption: 'Configured webhooks',
    region: 'Webhooks table',
    name: 'Name',
    url: 'URL',
    format: 'Format',
    severities: 'Severities',
    created: 'Added on',
    actions: 'Actions',
    env: 'set by the environment',
    envHint: 'NOTIFY_WEBHOOK_URL: removed in the server’s environment, not here.',
    none: 'No webhook configured.',
    loading: 'Loading the webhooks…',
    test: 'Test',
    testLabel: (n: string) => `Test the webhook “${n}”`,
    del: 'Delete',
    delLabel: (n: string) => `Delete the webhook “${n}”`,
    confirm: 'Confirm deletion',
    confirmLabel: (n: string) => `Confirm deletion of the webhook “${n}”`,
    cancel: 'Cancel',
    deleting: 'Deleting…',
    deleted: (n: string) => `Webhook “${n}” deleted.`,
    deleteFailed: (m: string) => `Could not delete: ${m}`,
    testing: 'Sending the test…',
    testQueued: (n: string) => `Test queued for the webhook “${n}”; its result shows in the delivery log.`,
    testFailed: (m: string) => `The test could not be sent: ${m}`,
    formats: (f: Format) => ({ json: 'JSON (versioned document)', slack: 'Slack / Mattermost', ntfy: 'ntfy' } satisfies Record<Format, string>)[f],
    add: 'Add a webhook',
    fName: 'Name',
    fUrl: 'URL',
    fUrlHint: 'http:// or https://. For ntfy: the server followed by the topic, for example https://ntfy.sh/le-numerique.',
    fSecret: 'Secret',
    fSecretHint: 'At least 16 characters. It signs every delivery: give it to the receiver. It will never be shown again once added.',
    generate: 'Generate a secret',
    show: 'Show the secret',
    fFormat: 'Format',
    fSeverities: 'Severities sent',
    submit: 'Add the webhook',
    adding: 'Adding…',
    added: (n: string) => `Webhook “${n}” added. Its secret will not be shown again.`,
    addFailed: (m: string) => `Could not add: ${m}`,
    errName: 'Give a name.',
    errUrl: 'The URL must start with http:// or https://.',
    errSecret: 'The secret must have at least 16 characters.',
    errSeverities: 'Tick at least one severity.',
    fix: 'Correct the fields marked:',
  },
};

interface Props {
  state: ApiState<z.output<typeof WebhookListSchema>>;
  /** After a test was queued: the delivery log may show it. */
  onTestQueued: () => void;
}

/** Admins: the webhooks (the environment's one marked, not deletable), a test and a delete per row, and a form to add one. */
export function WebhooksPanel({ state, onTestQueued }: Props) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const severityLabel = useSeverityLabel();
  const { outcome, set: setOutcome } = useOutcome();
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const { reload } = state;
  const webhooks = state.data?.webhooks;

  const test = async (w: WebhookView) => {
    setBusy(w.id);
    setOutcome('busy', t.testing);
    try {
      await sendTest('webhook', w.id);
      setOutcome('ok', t.testQueued(w.name));
      onTestQueued();
    } catch (err) {
      setOutcome('error', t.testFailed(problemText(err)));
    } finally {
      setBusy(null);
    }
  };

  const remove = async (w: WebhookView) => {
    setBusy(w.id);
    setOutcome('busy', t.deleting);
    try {
      await sendJson('DELETE', `/api/v1/notifications/webhooks/${encodeURIComponent(w.id)}`, undefined, null);
      setConfirming(null);
      setOutcome('ok', t.deleted(w.name));
      reload();
    } catch (err) {
      setOutcome('error', t.deleteFailed(problemText(err)));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <p className="notice">{t.intro}</p>
      {state.error ? <p className="error">{state.error}</p> : null}
      {!webhooks && !state.error ? <p className="notice">{t.loading}</p> : null}
      {webhooks && webhooks.length === 0 ? <p className="empty">{t.none}</p> : null}
      {webhooks && webhooks.length > 0 ? (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t.region}>
          <table className="data-table notify-table" data-testid="webhooks-table">
            <caption className="visually-hidden">{t.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.name}</th>
                <th scope="col">{t.url}</th>
                <th scope="col">{t.format}</th>
                <th scope="col">{t.severities}</th>
                <th scope="col">{t.created}</th>
                <th scope="col">{t.actions}</th>
              </tr>
            </thead>
            <tbody>
              {webhooks.map((w) => (
                <tr key={w.id} data-testid={`webhook-${w.id}`} data-env={w.fromEnvironment ? 'true' : undefined}>
                  <th scope="row">
                    {w.name}
                    {w.fromEnvironment ? (
                      <>
                        <br />
                        <span className="env-badge" data-testid="webhook-env">
                          {t.env}
                        </span>
                      </>
                    ) : null}
                  </th>
                  <td className="notify-wrap">
                    <code>{w.url}</code>
                  </td>
                  <td>{t.formats(w.format)}</td>
                  <td>{SEVERITIES.filter((s) => w.severities.includes(s)).map(severityLabel).join(', ')}</td>
                  <td>{w.fromEnvironment || !w.createdAt ? '—' : fmt.dateTime(w.createdAt)}</td>
                  <td>
                    <div className="notify-row-actions">
                      <button type="button" className="link-button" disabled={busy !== null} onClick={() => void test(w)} aria-label={t.testLabel(w.name)} data-testid={`webhook-test-${w.id}`}>
                        {t.test}
                      </button>
                      {w.fromEnvironment ? (
                        <span className="hint">{t.envHint}</span>
                      ) : confirming === w.id ? (
                        <>
                          <button type="button" className="link-button danger" disabled={busy !== null} onClick={() => void remove(w)} aria-label={t.confirmLabel(w.name)} data-testid={`webhook-delete-confirm-${w.id}`} autoFocus>
                            {t.confirm}
                          </button>
                          <button type="button" className="link-button" onClick={() => setConfirming(null)}>
                            {t.cancel}
                          </button>
                        </>
                      ) : (
                        <button type="button" className="link-button danger" disabled={busy !== null} onClick={() => setConfirming(w.id)} aria-label={t.delLabel(w.name)} data-testid={`webhook-delete-${w.id}`}>
                          {t.del}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <OutcomeRegion outcome={outcome} testId="webhooks-status" />
      <WebhookForm onAdded={reload} />
    </>
  );
}

type FieldErrors = Partial<Record<'name' | 'url' | 'secret' | 'severities', string>>;

function isHttpUrl(s: string): boolean {
  if (!/^https?:\/\//i.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** 24 random bytes as hex: 48 characters. */
function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function WebhookForm({ onAdded }: { onAdded: () => void }) {
  const t = useMessages(messages);
  const severityLabel = useSeverityLabel();
  const uid = useId();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [showSecret, setShowSecret] = useState(false);
  const [format, setFormat] = useState<Format>('json');
  const [severities, setSeverities] = useState<Severity[]>([...SEVERITIES]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const { outcome, set: setOutcome } = useOutcome();
  const refs = { name: useRef<HTMLInputElement>(null), url: useRef<HTMLInputElement>(null), secret: useRef<HTMLInputElement>(null), severities: useRef<HTMLInputElement>(null) };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: FieldErrors = {};
    if (!name.trim()) found.name = t.errName;
    if (!isHttpUrl(url.trim())) found.url = t.errUrl;
    if (secret.length < 16) found.secret = t.errSecret;
    if (severities.length === 0) found.severities = t.errSeverities;
    setErrors(found);
    const first = (['name', 'url', 'secret', 'severities'] as const).find((k) => found[k]);
    if (first) {
      setOutcome('error', `${t.fix} ${Object.values(found).join(' ')}`);
      refs[first].current?.focus();
      return;
    }
    setBusy(true);
    setOutcome('busy', t.adding);
    try {
      const created = await sendJson('POST', '/api/v1/notifications/webhooks', { name: name.trim(), url: url.trim(), secret, format, severities: SEVERITIES.filter((s) => severities.includes(s)) }, WebhookViewSchema);
      setOutcome('ok', t.added(created?.name ?? name.trim()));
      setName('');
      setUrl('');
      setSecret('');
      setShowSecret(false);
      setFormat('json');
      setSeverities([...SEVERITIES]);
      onAdded();
    } catch (err) {
      setOutcome('error', t.addFailed(problemText(err)));
    } finally {
      setBusy(false);
    }
  };

  const described = (key: keyof FieldErrors, hint?: string) => [errors[key] ? `${uid}-${key}-error` : null, hint ?? null].filter(Boolean).join(' ') || undefined;
  const fieldError = (key: keyof FieldErrors) =>
    errors[key] ? (
      <span id={`${uid}-${key}-error`} className="field-error">
        {errors[key]}
      </span>
    ) : null;

  return (
    <form className="notify-subform" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${uid}-title`} data-testid="webhook-form">
      <h4 id={`${uid}-title`}>{t.add}</h4>
      <div className="form-grid">
        <div className="notify-field">
          <label htmlFor={`${uid}-name`}>{t.fName}</label>
          <input ref={refs.name} id={`${uid}-name`} type="text" name="name" maxLength={100} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={errors.name ? true : undefined} aria-describedby={described('name')} data-testid="webhook-name" />
          {fieldError('name')}
        </div>
        <label>
          {t.fFormat}
          <select name="format" value={format} onChange={(e) => setFormat(e.target.value as Format)} data-testid="webhook-format">
            {WebhookFormatSchema.options.map((f) => (
              <option key={f} value={f}>
                {t.formats(f)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="notify-field">
        <label htmlFor={`${uid}-url`}>{t.fUrl}</label>
        <input ref={refs.url} id={`${uid}-url`} className="notify-input" type="url" name="url" inputMode="url" autoComplete="off" spellCheck={false} value={url} onChange={(e) => setUrl(e.target.value)} aria-invalid={errors.url ? true : undefined} aria-describedby={described('url', `${uid}-url-hint`)} data-testid="webhook-url" />
        <span id={`${uid}-url-hint`} className="hint">
          {t.fUrlHint}
        </span>
        {fieldError('url')}
      </div>
      <div className="notify-field">
        <label htmlFor={`${uid}-secret`}>{t.fSecret}</label>
        <input
          ref={refs.secret}
          id={`${uid}-secret`}
          className="notify-input"
          type={showSecret ? 'text' : 'password'}
          name="secret"
          autoComplete="new-password"
          spellCheck={false}
          maxLength={256}
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          aria-invalid={errors.secret ? true : undefined}
          aria-describedby={described('secret', `${uid}-secret-hint`)}
          data-testid="webhook-secret"
        />
        <span id={`${uid}-secret-hint`} className="hint">
          {t.fSecretHint}
        </span>
        {fieldError('secret')}
      </div>
      <div className="notify-actions">
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setSecret(randomSecret());
            setShowSecret(true);
          }}
        >
          {t.generate}
        </button>
        <label className="check">
          <input type="checkbox" checked={showSecret} onChange={(e) => setShowSecret(e.target.checked)} />
          <span>{t.show}</span>
        </label>
      </div>
      <fieldset className="notify-fieldset" aria-describedby={described('severities')}>
        <legend>{t.fSeverities}</legend>
        <ul className="notify-checks notify-checks-inline">
          {SEVERITIES.map((s, i) => (
            <li key={s}>
              <label className="check">
                <input
                  ref={i === 0 ? refs.severities : undefined}
                  type="checkbox"
                  name="severities"
                  value={s}
                  checked={severities.includes(s)}
                  onChange={(e) => setSeverities((cur) => (e.target.checked ? [...cur, s] : cur.filter((x) => x !== s)))}
                />
                <span>{severityLabel(s)}</span>
              </label>
            </li>
          ))}
        </ul>
        {fieldError('severities')}
      </fieldset>
      <div className="notify-actions">
        <button type="submit" className="button" disabled={busy} data-testid="webhook-add">
          {busy ? t.adding : t.submit}
        </button>
      </div>
      <OutcomeRegion outcome={outcome} testId="webhook-form-status" />
    </form>
  );
}
