import type { Reading } from '../../../../shared/api';
import type { Building } from '../../../../shared/building';
import { roomSensorId } from '../../../../shared/catalogue';
import { type Category, co2Category, type Season, seasonOf, temperatureCategory } from '../../../../shared/comfort';

/**
 * The comfort page's pure logic: where each zone is drawn on its level's plan,
 * and which EN 16798-1 category it is in now. No React, no DOM: unit-tested in
 * test/unit/web-comfort.test.ts.
 */

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PlacedZone extends Rect {
  id: string;
  label: string;
  areaM2: number;
  /** Whether the zone has a room sensor (some, like the technical room, have none). */
  sensor: boolean;
}

interface Sized {
  id: string;
  label: string;
  areaM2: number;
  sensor: boolean;
}

/**
 * A treemap of one level: each zone a rectangle whose area is proportional to its
 * floor area, inside a `width` × `height` box.
 *
 * The building file has NO coordinates (only each zone's level and area), so this
 * is a schematic, not the real floor plan: zones are sorted largest first and the
 * list is split recursively in two halves of nearly equal area, each half taking
 * its share of the longer side. Deterministic (ties broken by id), so the plan does
 * not move between renders. Zones of zero area (the outdoor area) are left out.
 */
export function layoutLevel(zones: readonly Sized[], width: number, height: number): PlacedZone[] {
  const items = zones.filter((z) => z.areaM2 > 0).sort((a, b) => b.areaM2 - a.areaM2 || a.id.localeCompare(b.id));
  const out: PlacedZone[] = [];
  split(items, { x: 0, y: 0, w: width, h: height }, out);
  return out;
}

function split(items: readonly Sized[], r: Rect, out: PlacedZone[]): void {
  if (items.length === 0) return;
  if (items.length === 1) {
    const z = items[0]!;
    out.push({ ...r, id: z.id, label: z.label, areaM2: z.areaM2, sensor: z.sensor });
    return;
  }
  const total = items.reduce((s, z) => s + z.areaM2, 0);
  // The cut that leaves the first part closest to half the area (at least one item each side).
  let acc = 0;
  let cut = 1;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < items.length - 1; i++) {
    acc += items[i]!.areaM2;
    const diff = Math.abs(total / 2 - acc);
    if (diff < best) {
      best = diff;
      cut = i + 1;
    }
  }
  const first = items.slice(0, cut);
  const rest = items.slice(cut);
  const share = first.reduce((s, z) => s + z.areaM2, 0) / total;
  if (r.w >= r.h) {
    const w1 = r.w * share;
    split(first, { x: r.x, y: r.y, w: w1, h: r.h }, out);
    split(rest, { x: r.x + w1, y: r.y, w: r.w - w1, h: r.h }, out);
  } else {
    const h1 = r.h * share;
    split(first, { x: r.x, y: r.y, w: r.w, h: h1 }, out);
    split(rest, { x: r.x, y: r.y + h1, w: r.w, h: r.h - h1 }, out);
  }
}

/** The levels to draw: those with at least one zone that has a room sensor, in level order. */
export function plannedLevels(building: Pick<Building, 'levels' | 'zones'>): Array<{ level: number; label: string }> {
  return building.levels
    .filter((l) => building.zones.some((z) => z.level === l.level && z.areaM2 > 0 && z.sensor !== false))
    .sort((a, b) => a.level - b.level)
    .map((l) => ({ level: l.level, label: l.label }));
}

export type Metric = 'co2' | 'temperature';

/** A reading older than this is not "current": the zone is shown as without data. */
export const STALE_MS = 15 * 60_000;

export interface ZoneComfort {
  metric: Metric;
  /** null: no current reading (no sensor, nothing heard yet, or too old). */
  value: number | null;
  category: Category | null;
  ts: number | null;
  /** For temperature, the season whose ranges apply. */
  season: Season;
}

/** Calendar month (1-12) of an instant in Europe/Paris. */
export function parisMonth(ms: number): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', month: 'numeric' }).format(ms));
}

/**
 * The season for temperature categories, by shared/comfort.ts's rule (heating from
 * October to April, or when the outdoor air is below 15 °C), from the weather
 * station's current temperature when there is one.
 */
export function currentSeason(latest: ReadonlyMap<string, Reading>, now: number): Season {
  const outdoor = latest.get('weather-station.temperature');
  const outdoorC = outdoor && now - outdoor.ts <= STALE_MS ? outdoor.value : null;
  return seasonOf(parisMonth(now), outdoorC);
}

/** The zone's current category for CO2 or operative temperature, from its room sensor's newest reading. */
export function zoneComfort(zoneId: string, metric: Metric, latest: ReadonlyMap<string, Reading>, now: number, season: Season, outdoorCo2Ppm?: number): ZoneComfort {
  const r = latest.get(`${roomSensorId(zoneId)}.${metric}`);
  if (!r || now - r.ts > STALE_MS || !Number.isFinite(r.value)) return { metric, value: null, category: null, ts: r?.ts ?? null, season };
  const category = metric === 'co2' ? co2Category(r.value, outdoorCo2Ppm) : temperatureCategory(r.value, season);
  return { metric, value: r.value, category, ts: r.ts, season };
}

/** Category I..IV as a number 1..4 (for CSS classes and patterns). */
export function categoryIndex(c: Category): 1 | 2 | 3 | 4 {
  return c === 'I' ? 1 : c === 'II' ? 2 : c === 'III' ? 3 : 4;
}

/** Shortens a label to fit about `maxChars` characters (an ellipsis at the end). */
export function fitLabel(label: string, maxChars: number): string {
  if (maxChars < 2) return '';
  return label.length <= maxChars ? label : `${label.slice(0, Math.max(1, maxChars - 1)).trimEnd()}…`;
}
