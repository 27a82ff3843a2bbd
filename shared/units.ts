/**
 * SenML units used on the wire. Every symbol comes from the IANA "SenML Units"
 * registry: RFC 8428 §12.1 (the initial registry) and RFC 8798 §3 (the units
 * added later, e.g. "%RH", "ppm", "m3/s" as secondary units). A device that
 * sends a symbol outside this list is rejected: a reviewer must never have to
 * guess whether "kw" meant kW or kWh.
 */
export const UNITS = {
  W: { label: 'watt', quantity: 'power', source: 'RFC 8428 §12.1' },
  Wh: { label: 'watt-hour', quantity: 'energy', source: 'RFC 8798 §3 (secondary unit)' },
  kWh: { label: 'kilowatt-hour', quantity: 'energy', source: 'RFC 8798 §3 (secondary unit)' },
  J: { label: 'joule', quantity: 'energy', source: 'RFC 8428 §12.1' },
  Cel: { label: 'degree Celsius', quantity: 'temperature', source: 'RFC 8428 §12.1' },
  '%RH': { label: 'percent relative humidity', quantity: 'humidity', source: 'RFC 8428 §12.1' },
  ppm: { label: 'parts per million', quantity: 'concentration', source: 'RFC 8798 §3 (secondary unit)' },
  lx: { label: 'lux', quantity: 'illuminance', source: 'RFC 8428 §12.1' },
  kW: { label: 'kilowatt', quantity: 'power', source: 'RFC 8798 §3 (secondary unit)' },
  'W/m2': { label: 'watt per square metre', quantity: 'irradiance', source: 'RFC 8428 §12.1' },
  '%': { label: 'percent', quantity: 'ratio', source: 'RFC 8798 §3 (secondary unit)' },
  '/': { label: 'ratio', quantity: 'ratio', source: 'RFC 8428 §12.1' },
  l: { label: 'litre', quantity: 'volume', source: 'RFC 8428 §12.1' },
  m3: { label: 'cubic metre', quantity: 'volume', source: 'RFC 8428 §12.1' },
  'm3/s': { label: 'cubic metre per second', quantity: 'flow', source: 'RFC 8428 §12.1' },
  'l/s': { label: 'litre per second', quantity: 'flow', source: 'RFC 8428 §12.1' },
  mm: { label: 'millimetre', quantity: 'length', source: 'RFC 8798 §3 (secondary unit)' },
  'mm/h': { label: 'millimetre per hour', quantity: 'rain rate', source: 'RFC 8798 §3 (secondary unit)' },
  m: { label: 'metre', quantity: 'length', source: 'RFC 8428 §12.1' },
  'm/s': { label: 'metre per second', quantity: 'speed', source: 'RFC 8428 §12.1' },
  Pa: { label: 'pascal', quantity: 'pressure', source: 'RFC 8428 §12.1' },
  hPa: { label: 'hectopascal', quantity: 'pressure', source: 'RFC 8798 §3 (secondary unit)' },
  V: { label: 'volt', quantity: 'voltage', source: 'RFC 8428 §12.1' },
  A: { label: 'ampere', quantity: 'current', source: 'RFC 8428 §12.1' },
  s: { label: 'second', quantity: 'time', source: 'RFC 8428 §12.1' },
  count: { label: 'count', quantity: 'count', source: 'RFC 8428 §12.1' },
} as const;

export type Unit = keyof typeof UNITS;
export const UNIT_SYMBOLS = Object.keys(UNITS) as Unit[];

export function isUnit(value: string): value is Unit {
  return Object.hasOwn(UNITS, value);
}

/**
 * Secondary units convert linearly to the unit a point is stored in (RFC 8798 §3
 * defines each secondary unit by its scale to a primary one). A device may send
 * "kW" for a point stored in "W": the value is scaled, never rejected.
 */
const SCALES: Partial<Record<Unit, Partial<Record<Unit, number>>>> = {
  kW: { W: 1000 },
  kWh: { Wh: 1000 },
  Wh: { kWh: 0.001 },
  W: { kW: 0.001 },
  hPa: { Pa: 100 },
  Pa: { hPa: 0.01 },
  '%': { '/': 0.01 },
  '/': { '%': 100 },
};

/** The factor that turns a value in `from` into `to`, or undefined when they do not convert. */
export function unitScale(from: Unit, to: Unit): number | undefined {
  return from === to ? 1 : SCALES[from]?.[to];
}
