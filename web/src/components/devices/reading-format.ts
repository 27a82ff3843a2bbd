import type { Series } from '../../../../shared/api';
import type { Format, Lang } from '../../lib/i18n';
import { displayUnit, stateLabel } from '../../lib/format';

/** English names of the device states carried by state points (French: lib/format.ts). */
const STATE_EN: Record<string, string> = {
  off: 'Off',
  mppt: 'Producing (MPPT)',
  clipping: 'Clipping',
  fault: 'Fault',
  available: 'Available',
  charging: 'Charging',
  finished: 'Charge finished',
};

/** Unit symbols that read differently in English. */
const SYMBOL_EN: Record<string, string> = { '% HR': '% RH' };

/**
 * One reading in the chosen language: the units and scaling of lib/format.ts
 * (kW from 10 kW, m³ from 10 000 L…), the numbers from the i18n formatter.
 */
export function formatReading(fmt: Format, lang: Lang, value: number, series: Pick<Series, 'unit' | 'kind' | 'states'>): string {
  if (series.kind === 'state') {
    const state = series.states?.[value] ?? String(value);
    return lang === 'fr' ? stateLabel(state) : (STATE_EN[state] ?? state);
  }
  const d = displayUnit(series.unit, series.kind, value);
  const scaled = value / d.factor;
  let symbol = d.symbol;
  if (d.plural) {
    const one = Math.abs(Number(scaled.toFixed(d.decimals))) === 1;
    symbol = lang === 'fr' ? (one ? d.plural.one : d.plural.other) : one ? 'person' : 'people';
  } else if (lang === 'en') {
    symbol = SYMBOL_EN[symbol] ?? symbol;
  }
  return fmt.unit(scaled, symbol, d.decimals);
}

/** Watts as kilowatts, one decimal: the flow diagram's figures. */
export function formatKw(fmt: Format, watts: number): string {
  return `${fmt.number(watts / 1000, 1, 1)}\u00a0kW`;
}
