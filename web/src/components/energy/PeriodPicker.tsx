import { useId } from 'react';
import { useI18n, useMessages } from '../../lib/i18n';
import { changeKind, describePeriod, PERIOD_KINDS, type PeriodKind, type PeriodState, shiftPeriod, startsInFuture, todayKey } from '../../lib/periods';
import './energy.css';

const messages = {
  fr: {
    group: 'Choix de la période',
    kind: 'Période',
    day: 'Jour',
    week: 'Semaine',
    month: 'Mois',
    year: 'Année',
    custom: 'Personnalisée',
    date: 'Date',
    from: 'Du',
    to: 'Au',
    previous: '◀ Précédente',
    next: 'Suivante ▶',
    today: 'Aujourd’hui',
    previousLabel: 'Période précédente',
    nextLabel: 'Période suivante',
  },
  en: {
    group: 'Period selection',
    kind: 'Period',
    day: 'Day',
    week: 'Week',
    month: 'Month',
    year: 'Year',
    custom: 'Custom',
    date: 'Date',
    from: 'From',
    to: 'To',
    previous: '◀ Previous',
    next: 'Next ▶',
    today: 'Today',
    previousLabel: 'Previous period',
    nextLabel: 'Next period',
  },
};

/** Day, week, month, year or from–to; previous and next; the period in words. */
export function PeriodPicker({ period, onChange }: { period: PeriodState; onChange: (p: PeriodState) => void }) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const id = useId();
  const today = todayKey();
  const next = shiftPeriod(period, 1);
  const set = (p: PeriodState) => onChange(p);
  return (
    <div className="period-picker" role="group" aria-label={t.group}>
      <div className="period-fields">
        <label htmlFor={`${id}-kind`}>{t.kind}</label>
        <select id={`${id}-kind`} data-testid="period-kind" value={period.kind} onChange={(e) => set(changeKind(period, e.target.value as PeriodKind))}>
          {PERIOD_KINDS.map((k) => (
            <option key={k} value={k}>
              {t[k]}
            </option>
          ))}
        </select>
        {period.kind === 'custom' ? (
          <>
            <label htmlFor={`${id}-from`}>{t.from}</label>
            <input id={`${id}-from`} type="date" value={period.from} max={period.to} onChange={(e) => e.target.value && set({ ...period, from: e.target.value })} />
            <label htmlFor={`${id}-to`}>{t.to}</label>
            <input id={`${id}-to`} type="date" value={period.to} min={period.from} max={today} onChange={(e) => e.target.value && set({ ...period, to: e.target.value })} />
          </>
        ) : (
          <>
            <label htmlFor={`${id}-date`}>{t.date}</label>
            <input id={`${id}-date`} type="date" value={period.date} max={today} onChange={(e) => e.target.value && set({ ...period, date: e.target.value })} />
          </>
        )}
      </div>
      <div className="period-nav">
        <button type="button" className="lnm-button" data-testid="period-previous" aria-label={t.previousLabel} onClick={() => set(shiftPeriod(period, -1))}>
          {t.previous}
        </button>
        <p className="period-label" data-testid="period-label" aria-live="polite">
          {describePeriod(period, fmt.locale)}
        </p>
        <button type="button" className="lnm-button" data-testid="period-next" aria-label={t.nextLabel} onClick={() => set(next)} disabled={startsInFuture(next)}>
          {t.next}
        </button>
        {period.kind !== 'custom' && period.date !== today ? (
          <button type="button" className="lnm-button" onClick={() => set({ ...period, date: today })}>
            {t.today}
          </button>
        ) : null}
      </div>
    </div>
  );
}
