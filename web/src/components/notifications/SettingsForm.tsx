import { type FormEvent, useId, useRef, useState } from 'react';
import { AlertRuleListResponseSchema, SEVERITIES, type Severity } from '../../../../shared/alerts';
import { DEVICE_TYPES } from '../../../../shared/device-types';
import { NOTIFY_LANGS, type NotifySettings, NotifySettingsSchema } from '../../../../shared/notify';
import { ZoneListResponseSchema } from '../../../../shared/site';
import { sendJson } from '../../lib/api';
import { useI18n, useMessages } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { typeLabel } from '../devices/labels';
import { CheckList, type CheckOption } from './CheckList';
import { issuePaths, OutcomeRegion, problemText, sendTest, useOutcome, useSeverityLabel } from './notify-common';

const messages = {
  fr: {
    intro: 'Ce que vous recevez par e-mail quand une alerte se déclenche, est relancée ou se termine.',
    email: 'Adresse e-mail',
    emailHint: 'Laissez vide pour ne recevoir aucun e-mail.',
    emailInvalid: 'Cette adresse e-mail n’est pas valide (exemple : prenom.nom@le-numerique.fr).',
    lang: 'Langue des e-mails',
    severities: 'Gravités à recevoir',
    noSeverity: 'Aucune gravité cochée : vous ne recevrez aucune alerte.',
    filters: 'Filtres (facultatifs)',
    filtersHint: 'Une liste sans case cochée ne filtre rien : vous recevez alors les alertes de toutes les zones, de tous les types d’équipements et de toutes les règles. Cochez des cases pour ne recevoir que celles-là.',
    zones: 'Zones',
    zonesNone: 'Toutes les zones (aucune case cochée).',
    types: 'Types d’équipements',
    typesNone: 'Tous les types d’équipements (aucune case cochée).',
    rules: 'Règles d’alerte',
    rulesNone: 'Toutes les règles (aucune case cochée).',
    some: (n: number) => `Seulement ${n === 1 ? 'la case cochée' : `les ${n} cases cochées`}.`,
    clear: 'Tout décocher',
    clearLabel: (what: string) => `Tout décocher : ${what}`,
    level: (n: number) => (n === 0 ? 'rez-de-chaussée' : n < 0 ? `niveau ${n}` : `étage ${n}`),
    loadingList: 'Chargement de la liste…',
    timing: 'Horaires',
    quiet: 'Heures calmes',
    quietHint: 'Pendant les heures calmes, seules les alertes critiques sont envoyées ; les autres attendent la synthèse du matin.',
    quietStart: 'Début',
    quietEnd: 'Fin',
    paris: 'heure de Paris',
    quietMidnight: 'Heures en heure de Paris. Une fin plus tôt que le début passe minuit (par exemple de 22:00 à 07:00).',
    quietSame: 'Les heures calmes doivent commencer et finir à des heures différentes.',
    quietMissing: 'Indiquez le début et la fin des heures calmes.',
    digest: 'Synthèse quotidienne à 7 h 30',
    digestHint: 'Heure de Paris : les alertes ouvertes et celles des dernières 24 h, les équipements hors ligne et l’énergie de la veille.',
    save: 'Enregistrer',
    saving: 'Enregistrement…',
    saved: 'Réglages enregistrés.',
    unsaved: 'Modifications non enregistrées.',
    fix: 'Corrigez les champs signalés avant d’enregistrer.',
    saveFailed: (m: string) => `Enregistrement impossible : ${m}`,
    test: 'Envoyer un e-mail de test',
    testTo: (a: string) => `Le test part à l’adresse enregistrée : ${a}.`,
    testNeedsAddress: 'Enregistrez d’abord une adresse e-mail pour pouvoir vous envoyer un test.',
    testSending: 'Envoi du test…',
    testQueued: (to: string) => `E-mail de test mis en file d’attente pour ${to} ; il arrive en général en moins d’une minute.`,
    testFailed: (m: string) => `Le test n’a pas pu partir : ${m}`,
    noSmtp: 'Aucun relais SMTP configuré (SMTP_URL) : aucun e-mail ne peut partir.',
  },
  en: {
    intro: 'What you receive by e-mail when an alert is raised, escalated or cleared.',
    email: 'E-mail address',
    emailHint: 'Leave empty to receive no e-mail.',
    emailInvalid: 'This e-mail address is not valid (for example: first.last@le-numerique.fr).',
    lang: 'Language of the e-mails',
    severities: 'Severities to receive',
    noSeverity: 'No severity ticked: you will receive no alert.',
    filters: 'Filters (optional)',
    filtersHint: 'A list with no box ticked filters nothing: you then receive the alerts of every zone, every device type and every rule. Tick boxes to receive only those.',
    zones: 'Zones',
    zonesNone: 'Every zone (no box ticked).',
    types: 'Device types',
    typesNone: 'Every device type (no box ticked).',
    rules: 'Alert rules',
    rulesNone: 'Every rule (no box ticked).',
    some: (n: number) => `Only ${n === 1 ? 'the ticked box' : `the ${n} ticked boxes`}.`,
    clear: 'Untick all',
    clearLabel: (what: string) => `Untick all: ${what}`,
    level: (n: number) => (n === 0 ? 'ground floor' : n < 0 ? `level ${n}` : `floor ${n}`),
    loadingList: 'Loading the list…',
    timing: 'Timing',
    quiet: 'Quiet hours',
    quietHint: 'During quiet hours, only critical alerts are sent; the others wait for the morning digest.',
    quietStart: 'Start',
    quietEnd: 'End',
    paris: 'Paris time',
    quietMidnight: 'Times in Paris time. An end earlier than the start spans midnight (for example from 22:00 to 07:00).',
    quietSame: 'Quiet hours must start and end at different times.',
    quietMissing: 'Give the start and the end of the quiet hours.',
    digest: 'Daily digest at 7:30',
    digestHint: 'Paris time: the open alerts and those of the last 24 h, the devices offline and the previous day’s energy.',
    save: 'Save',
    saving: 'Saving…',
    saved: 'Settings saved.',
    unsaved: 'Unsaved changes.',
    fix: 'Correct the fields marked before saving.',
    saveFailed: (m: string) => `Could not save: ${m}`,
    test: 'Send a test e-mail',
    testTo: (a: string) => `The test goes to the saved address: ${a}.`,
    testNeedsAddress: 'Save an e-mail address first to send yourself a test.',
    testSending: 'Sending the test…',
    testQueued: (to: string) => `Test e-mail queued for ${to}; it usually arrives within a minute.`,
    testFailed: (m: string) => `The test could not be sent: ${m}`,
    noSmtp: 'No SMTP relay configured (SMTP_URL): no e-mail can be sent.',
  },
};

/** The form's state: text fields as typed, quiet hours kept while switched off. */
interface Draft {
  email: string;
  lang: NotifySettings['lang'];
  severities: Severity[];
  zones: string[];
  deviceTypes: string[];
  rules: string[];
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  digest: boolean;
}

function toDraft(s: NotifySettings): Draft {
  return {
    email: s.email ?? '',
    lang: s.lang,
    severities: [...s.severities],
    zones: [...s.zones],
    deviceTypes: [...s.deviceTypes],
    rules: [...s.rules],
    quiet: s.quietHours !== null,
    quietStart: s.quietHours?.start ?? '22:00',
    quietEnd: s.quietHours?.end ?? '07:00',
    digest: s.digest,
  };
}

function fromDraft(d: Draft): NotifySettings {
  return {
    email: d.email.trim() === '' ? null : d.email.trim(),
    lang: d.lang,
    severities: SEVERITIES.filter((s) => d.severities.includes(s)),
    zones: d.zones,
    deviceTypes: d.deviceTypes,
    rules: d.rules,
    quietHours: d.quiet ? { start: d.quietStart, end: d.quietEnd } : null,
    digest: d.digest,
  };
}

/** Same settings, whatever the order of the filters. */
function sameSettings(a: NotifySettings, b: NotifySettings): boolean {
  const norm = (s: NotifySettings) => JSON.stringify({ ...s, severities: [...s.severities].sort(), zones: [...s.zones].sort(), deviceTypes: [...s.deviceTypes].sort(), rules: [...s.rules].sort() });
  return norm(a) === norm(b);
}

/** A loose check (the server has the last word): something@something.tld, no spaces. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type FieldErrors = Partial<Record<'email' | 'quiet', string>>;

interface Props {
  initial: NotifySettings;
  /** Whether an SMTP relay is configured, when known (admins read it from the delivery log). */
  emailChannel?: boolean | undefined;
  /** After a test was queued: the delivery log may show it. */
  onTestQueued?: () => void;
}

/** "Mes notifications": one's own address, language, severities, filters, quiet hours and digest. */
export function SettingsForm({ initial, emailChannel, onTestQueued }: Props) {
  const t = useMessages(messages);
  const { lang } = useI18n();
  const severityLabel = useSeverityLabel();
  const uid = useId();
  const [saved, setSaved] = useState<NotifySettings>(initial);
  const [draft, setDraft] = useState<Draft>(() => toDraft(initial));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);
  const { outcome, set: setOutcome } = useOutcome();
  const emailRef = useRef<HTMLInputElement>(null);
  const startRef = useRef<HTMLInputElement>(null);

  const zones = useApi('/api/v1/zones', ZoneListResponseSchema, 'les zones');
  const rules = useApi('/api/v1/alert-rules', AlertRuleListResponseSchema, 'les règles d’alerte');

  const update = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const dirty = !sameSettings(fromDraft(draft), saved);

  const zoneOptions: CheckOption[] = (zones.data?.zones ?? []).map((z) => ({ id: z.id, label: z.label, detail: `(${t.level(z.level)})` }));
  const typeOptions: CheckOption[] = DEVICE_TYPES.map((d) => ({ id: d.id, label: typeLabel(lang, d.id, d.label) }));
  const ruleOptions: CheckOption[] = (rules.data?.rules ?? []).map((r) => ({ id: r.rule.id, label: r.rule.name, detail: `(${severityLabel(r.rule.severity)})` }));

  const validate = (d: Draft): FieldErrors => {
    const out: FieldErrors = {};
    if (d.email.trim() !== '' && !EMAIL_SHAPE.test(d.email.trim())) out.email = t.emailInvalid;
    if (d.quiet) {
      if (!d.quietStart || !d.quietEnd) out.quiet = t.quietMissing;
      else if (d.quietStart === d.quietEnd) out.quiet = t.quietSame;
    }
    return out;
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const found = validate(draft);
    setErrors(found);
    if (found.email || found.quiet) {
      setOutcome('error', `${t.fix} ${[found.email, found.quiet].filter(Boolean).join(' ')}`);
      (found.email ? emailRef : startRef).current?.focus();
      return;
    }
    setBusy('save');
    setOutcome('busy', t.saving);
    try {
      const result = await sendJson('PUT', '/api/v1/me/notifications', fromDraft(draft), NotifySettingsSchema);
      const next = result ?? fromDraft(draft);
      setSaved(next);
      setDraft(toDraft(next));
      setOutcome('ok', t.saved);
    } catch (err) {
      // The server's checks are the last word: point at the field it refused.
      const paths = issuePaths(err);
      if (paths.some((p) => p.startsWith('email'))) setErrors((e) => ({ ...e, email: t.emailInvalid }));
      setOutcome('error', t.saveFailed(problemText(err)));
    } finally {
      setBusy(null);
    }
  };

  const test = async () => {
    setBusy('test');
    setOutcome('busy', t.testSending);
    try {
      const r = await sendTest('email');
      setOutcome('ok', t.testQueued(r?.to ?? saved.email ?? ''));
      onTestQueued?.();
    } catch (err) {
      setOutcome('error', t.testFailed(problemText(err)));
    } finally {
      setBusy(null);
    }
  };

  const ids = {
    email: `${uid}-email`,
    emailHint: `${uid}-email-hint`,
    emailError: `${uid}-email-error`,
    quietHint: `${uid}-quiet-hint`,
    quietError: `${uid}-quiet-error`,
    testHint: `${uid}-test-hint`,
    severities: `${uid}-sev-hint`,
  };

  return (
    <form className="notify-form" onSubmit={(e) => void save(e)} noValidate data-testid="notify-settings-form" aria-describedby={`${uid}-intro`}>
      <p id={`${uid}-intro`} className="notice">
        {t.intro}
      </p>
      <div className="form-grid">
        <div className="notify-field">
          <label htmlFor={ids.email}>{t.email}</label>
          <input
            ref={emailRef}
            id={ids.email}
            type="email"
            name="email"
            autoComplete="email"
            inputMode="email"
            maxLength={254}
            value={draft.email}
            onChange={(e) => update('email', e.target.value)}
            aria-invalid={errors.email ? true : undefined}
            aria-describedby={errors.email ? `${ids.emailError} ${ids.emailHint}` : ids.emailHint}
            data-testid="notify-email"
          />
          <span id={ids.emailHint} className="hint">
            {t.emailHint}
          </span>
          {errors.email ? (
            <span id={ids.emailError} className="field-error">
              {errors.email}
            </span>
          ) : null}
        </div>
        <label>
          {t.lang}
          <select name="lang" value={draft.lang} onChange={(e) => update('lang', e.target.value as Draft['lang'])} data-testid="notify-lang">
            {NOTIFY_LANGS.map((l) => (
              <option key={l} value={l} lang={l}>
                {l === 'fr' ? 'Français' : 'English'}
              </option>
            ))}
          </select>
        </label>
      </div>

      <fieldset className="notify-fieldset" data-testid="notify-severities" aria-describedby={draft.severities.length === 0 ? ids.severities : undefined}>
        <legend>{t.severities}</legend>
        <ul className="notify-checks notify-checks-inline">
          {SEVERITIES.map((s) => (
            <li key={s}>
              <label className="check">
                <input
                  type="checkbox"
                  name="severities"
                  value={s}
                  checked={draft.severities.includes(s)}
                  onChange={(e) => update('severities', e.target.checked ? [...draft.severities, s] : draft.severities.filter((x) => x !== s))}
                />
                <span>{severityLabel(s)}</span>
              </label>
            </li>
          ))}
        </ul>
        {draft.severities.length === 0 ? (
          <p id={ids.severities} className="field-error">
            {t.noSeverity}
          </p>
        ) : null}
      </fieldset>

      <fieldset className="notify-fieldset">
        <legend>{t.filters}</legend>
        <p className="hint">{t.filtersHint}</p>
        <div className="notify-filters">
          <CheckList
            legend={t.zones}
            options={zoneOptions}
            selected={draft.zones}
            onChange={(v) => update('zones', v)}
            noneText={t.zonesNone}
            someText={t.some}
            clearText={t.clear}
            clearLabel={t.clearLabel(t.zones)}
            note={zones.error ?? (zones.data ? null : t.loadingList)}
            noteIsError={zones.error !== null}
            testId="notify-zones"
          />
          <CheckList
            legend={t.types}
            options={typeOptions}
            selected={draft.deviceTypes}
            onChange={(v) => update('deviceTypes', v)}
            noneText={t.typesNone}
            someText={t.some}
            clearText={t.clear}
            clearLabel={t.clearLabel(t.types)}
            testId="notify-device-types"
          />
          <CheckList
            legend={t.rules}
            options={ruleOptions}
            selected={draft.rules}
            onChange={(v) => update('rules', v)}
            noneText={t.rulesNone}
            someText={t.some}
            clearText={t.clear}
            clearLabel={t.clearLabel(t.rules)}
            note={rules.error ?? (rules.data ? null : t.loadingList)}
            noteIsError={rules.error !== null}
            testId="notify-rules"
          />
        </div>
      </fieldset>

      <fieldset className="notify-fieldset">
        <legend>{t.timing}</legend>
        <label className="check">
          <input type="checkbox" name="quiet" checked={draft.quiet} onChange={(e) => update('quiet', e.target.checked)} aria-describedby={ids.quietHint} data-testid="notify-quiet" />
          <span>{t.quiet}</span>
        </label>
        <p id={ids.quietHint} className="hint">
          {t.quietHint}
        </p>
        <div className="form-grid notify-times">
          <label>
            <span>
              {t.quietStart} <span className="hint">({t.paris})</span>
            </span>
            <input
              ref={startRef}
              type="time"
              name="quietStart"
              step={60}
              value={draft.quietStart}
              disabled={!draft.quiet}
              onChange={(e) => update('quietStart', e.target.value)}
              aria-invalid={errors.quiet ? true : undefined}
              aria-describedby={errors.quiet ? ids.quietError : undefined}
              data-testid="notify-quiet-start"
            />
          </label>
          <label>
            <span>
              {t.quietEnd} <span className="hint">({t.paris})</span>
            </span>
            <input
              type="time"
              name="quietEnd"
              step={60}
              value={draft.quietEnd}
              disabled={!draft.quiet}
              onChange={(e) => update('quietEnd', e.target.value)}
              aria-invalid={errors.quiet ? true : undefined}
              aria-describedby={errors.quiet ? ids.quietError : undefined}
              data-testid="notify-quiet-end"
            />
          </label>
        </div>
        <p className="hint">{t.quietMidnight}</p>
        {errors.quiet ? (
          <p id={ids.quietError} className="field-error">
            {errors.quiet}
          </p>
        ) : null}
        <label className="check notify-digest">
          <input type="checkbox" name="digest" checked={draft.digest} onChange={(e) => update('digest', e.target.checked)} aria-describedby={`${uid}-digest-hint`} data-testid="notify-digest" />
          <span>{t.digest}</span>
        </label>
        <p id={`${uid}-digest-hint`} className="hint">
          {t.digestHint}
        </p>
      </fieldset>

      <div className="notify-actions">
        <button type="submit" className="button" disabled={busy !== null} data-testid="notify-save">
          {busy === 'save' ? t.saving : t.save}
        </button>
        {dirty ? <span className="hint">{t.unsaved}</span> : null}
        <button type="button" className="button secondary" disabled={busy !== null || saved.email === null} onClick={() => void test()} aria-describedby={ids.testHint} data-testid="notify-test-email">
          {t.test}
        </button>
        <span id={ids.testHint} className="hint">
          {saved.email === null ? t.testNeedsAddress : t.testTo(saved.email)}
        </span>
      </div>
      {emailChannel === false ? <p className="notify-warning">{t.noSmtp}</p> : null}
      <OutcomeRegion outcome={outcome} testId="notify-status" />
    </form>
  );
}
