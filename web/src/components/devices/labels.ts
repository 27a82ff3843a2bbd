import type { Lang } from '../../lib/i18n';

/** English names of the device types (the catalogue's are French). */
const TYPE_EN: Record<string, string> = {
  'weather-station': 'Weather station',
  'pv-inverter': 'PV inverter',
  'grid-meter': 'Grid connection meter',
  submeter: 'Electricity sub-meter',
  'ev-charger': 'EV charger',
  'rainwater-tank': 'Rainwater tank',
  'heat-substation': 'District heating substation',
  ahu: 'Air handling unit',
  'room-sensor': 'Room sensor',
};

export function typeLabel(lang: Lang, type: string, french: string): string {
  return lang === 'en' ? (TYPE_EN[type] ?? french) : french;
}
