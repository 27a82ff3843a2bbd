import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';

/**
 * Two languages, French by default (the building's), English on a switch.
 * Messages live beside the component that shows them, as `{ fr: {...}, en: {...} }`
 * objects whose two halves tsc checks against each other (useMessages); numbers,
 * dates and units are formatted by Intl for the chosen language, always in the
 * building's time zone (Europe/Paris), whatever the browser's.
 */
export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];
export const TIME_ZONE = 'Europe/Paris';
const STORAGE_KEY = 'lnm.lang';
/** en-GB: 24-hour clock and day-month order, closer to what a French site's English readers expect than en-US. */
export const INTL_LOCALE: Record<Lang, string> = { fr: 'fr-FR', en: 'en-GB' };

export interface Format {
  locale: string;
  /** 12 345,6 (fr) / 12,345.6 (en); never "-0". */
  number(value: number, maxDecimals?: number, minDecimals?: number): string;
  /** A number and its unit, with a no-break space between them. */
  unit(value: number, unit: string, maxDecimals?: number): string;
  percent(value: number, maxDecimals?: number): string;
  /** 22/11/2026 14:05 in Europe/Paris. */
  dateTime(ms: number): string;
  date(ms: number, options?: Intl.DateTimeFormatOptions): string;
  time(ms: number, withSeconds?: boolean): string;
  /** "il y a 3 min" / "3 min ago". */
  relative(ms: number, now?: number): string;
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  fmt: Format;
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}

export function makeFormat(lang: Lang): Format {
  const locale = INTL_LOCALE[lang];
  const number = (value: number, maxDecimals = 1, minDecimals = 0) =>
    Number.isFinite(value) ? cached(`n:${locale}:${maxDecimals}:${minDecimals}`, () => new Intl.NumberFormat(locale, { maximumFractionDigits: maxDecimals, minimumFractionDigits: Math.min(minDecimals, maxDecimals), signDisplay: 'negative' })).format(value) : '—';
  const dtf = (key: string, options: Intl.DateTimeFormatOptions) => cached(`d:${locale}:${key}`, () => new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, ...options }));
  return {
    locale,
    number,
    unit: (value, unit, maxDecimals = 1) => (unit ? `${number(value, maxDecimals)}\u00a0${unit}` : number(value, maxDecimals)),
    percent: (value, maxDecimals = 1) => `${number(value, maxDecimals)}\u00a0%`,
    dateTime: (ms) => dtf('dt', { dateStyle: 'short', timeStyle: 'short' }).format(ms),
    date: (ms, options) => (options ? new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, ...options }) : dtf('date', { dateStyle: 'medium' })).format(ms),
    time: (ms, withSeconds = false) => dtf(withSeconds ? 'ts' : 't', { hour: '2-digit', minute: '2-digit', ...(withSeconds ? { second: '2-digit' } : {}) }).format(ms),
    relative(ms, now = Date.now()) {
      const rtf = cached(`r:${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })) as Intl.RelativeTimeFormat;
      const s = Math.round((ms - now) / 1000);
      const a = Math.abs(s);
      if (a < 60) return rtf.format(s, 'second');
      if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
      if (a < 86_400) return rtf.format(Math.round(s / 3600), 'hour');
      return rtf.format(Math.round(s / 86_400), 'day');
    },
  };
}

function initialLang(): Lang {
  const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  return stored === 'en' || stored === 'fr' ? stored : 'fr';
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    localStorage.setItem(STORAGE_KEY, l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang, fmt: makeFormat(lang) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

/** The messages of the current language. `messages.en` must have the same keys as `messages.fr`. */
export function useMessages<M extends Record<string, string | ((...args: never[]) => string)>>(messages: { fr: M; en: { [K in keyof M]: M[K] } }): M {
  return messages[useI18n().lang];
}
