/**
 * Occupancy of Le Numérique's zones: the expected share of a zone's capacity
 * present at a local time, and a noisy integer head count around it.
 *
 * Where the profiles come from:
 * - Offices: the shape of the standard office schedule used in energy
 *   simulation, e.g. the DOE/ASHRAE 90.1 medium-office occupancy schedule
 *   (weekday: 0.1 at 6-7 h, 0.2 at 7-8 h, 0.95 at 8-12 h, 0.5 at 12-13 h,
 *   0.95 at 13-17 h, 0.7, 0.4, 0.1 in the evening; ASHRAE 90.1 User's Manual,
 *   Appendix G schedules) and the office occupancy profiles of
 *   EN 16798-1:2019 Annex C / ISO 17772-1. They are shifted to French
 *   working hours: arrival 8-9 h, a lunch dip 12-14 h (the French lunch break
 *   is longer than the one-hour dip of the US schedule), departure 17-19 h.
 * - Everything specific to the tiers-lieu (coworking, training sessions
 *   9-12 h / 14-17 h, fablab afternoons, Tuesday and Thursday evenings and
 *   Saturdays, reception opening hours, meeting-room bursts, Saturday opening
 *   9-17 h) is an ASSUMPTION of this model, to be replaced by the building's
 *   real opening hours and booking data when they are known.
 * - Closed on Sundays and public holidays; technical rooms are unoccupied.
 *
 * Shares are expected values, so they include the typical utilisation of the
 * space (a training room is not booked every day, a coworking desk is not
 * taken every day), not only whether the room is open.
 */

export type ZoneUse = 'reception' | 'fablab' | 'immersive' | 'training' | 'coworking' | 'office' | 'meeting' | 'technical' | 'circulation';

export const ZONE_USES: readonly ZoneUse[] = ['reception', 'fablab', 'immersive', 'training', 'coworking', 'office', 'meeting', 'technical', 'circulation'];

/** The part of the local time that occupancy depends on (LocalTime fits). */
export interface OccupancyTime {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Fractional local hour. */
  hour: number;
  isHoliday: boolean;
}

/** [from hour, to hour, share] intervals; anything not covered is 0. */
type Intervals = readonly (readonly [number, number, number])[];

interface UseProfile {
  weekday: Intervals;
  /** Tuesday and Thursday evenings added to the weekday profile. */
  evening?: Intervals;
  saturday: Intervals;
}

const PROFILES: Record<ZoneUse, UseProfile> = {
  // ASHRAE 90.1 office shape on French hours (see above).
  office: {
    weekday: [
      [7, 8, 0.1],
      [8, 9, 0.5],
      [9, 12, 0.95],
      [12, 14, 0.5],
      [14, 17, 0.95],
      [17, 18, 0.7],
      [18, 19, 0.4],
      [19, 20, 0.1],
    ],
    saturday: [],
  },
  // Assumption: open 8-19 h, ~80 % of desks taken at the peak; coworkers eat on
  // site more often than office staff, so the lunch dip is shallower.
  coworking: {
    weekday: [
      [8, 9, 0.3],
      [9, 12, 0.8],
      [12, 14, 0.55],
      [14, 18, 0.8],
      [18, 19, 0.4],
      [19, 20, 0.1],
    ],
    saturday: [[9, 17, 0.1]],
  },
  // Assumption: sessions 9-12 h and 14-17 h, a session fills ~3/4 of the seats
  // on average including unbooked days; the room empties at lunch.
  training: {
    weekday: [
      [8.5, 9, 0.3],
      [9, 12, 0.75],
      [12, 14, 0.05],
      [14, 17, 0.75],
      [17, 17.5, 0.2],
    ],
    saturday: [],
  },
  // Assumption: light mornings, busy afternoons, open evenings on Tuesday and
  // Thursday (makers' evenings), open all Saturday.
  fablab: {
    weekday: [
      [10, 12, 0.2],
      [12, 14, 0.1],
      [14, 19, 0.5],
    ],
    evening: [[19, 22, 0.4]],
    saturday: [
      [10, 12, 0.4],
      [12, 14, 0.3],
      [14, 18, 0.5],
    ],
  },
  // Assumption: immersive room (VR / projection) used for demonstrations and
  // workshops by slots.
  immersive: {
    weekday: [
      [10, 12, 0.4],
      [14, 17, 0.5],
    ],
    saturday: [[14, 17, 0.3]],
  },
  // Assumption: reception desk staff plus visitors, following opening hours
  // (weekdays 8-19 h, Saturday 9-17 h).
  reception: {
    weekday: [
      [8, 9, 0.3],
      [9, 12, 0.6],
      [12, 14, 0.4],
      [14, 18, 0.6],
      [18, 19, 0.3],
    ],
    saturday: [[9, 17, 0.3]],
  },
  // Assumption: meeting rooms in bursts: 90 and 60 min meetings with a
  // changeover between them, quiet at lunch.
  meeting: {
    weekday: [
      [9, 10.5, 0.7],
      [10.5, 11, 0.1],
      [11, 12, 0.6],
      [12, 14, 0.1],
      [14, 15.5, 0.7],
      [15.5, 16, 0.1],
      [16, 17.5, 0.6],
      [17.5, 18, 0.2],
    ],
    saturday: [],
  },
  // Assumption: corridors and stairs hold people in transit, busiest at
  // arrival, lunch and departure.
  circulation: {
    weekday: [
      [8, 8.5, 0.15],
      [8.5, 9, 0.3],
      [9, 12, 0.1],
      [12, 12.5, 0.3],
      [12.5, 13.5, 0.1],
      [13.5, 14, 0.3],
      [14, 17, 0.1],
      [17, 17.5, 0.3],
      [17.5, 19, 0.15],
    ],
    saturday: [[9, 17, 0.05]],
  },
  technical: { weekday: [], saturday: [] },
};

// Profiles are sampled at quarter-hour resolution into flat tables once, so a
// look-up is one multiplication and one array read (no search per call).
const SLOTS_PER_HOUR = 4;
const SLOTS = 24 * SLOTS_PER_HOUR;

function tabulate(...parts: Intervals[]): Float64Array {
  const table = new Float64Array(SLOTS);
  for (const intervals of parts) {
    for (const [from, to, share] of intervals) {
      for (let s = Math.round(from * SLOTS_PER_HOUR); s < Math.round(to * SLOTS_PER_HOUR); s++) table[s] = share;
    }
  }
  return table;
}

interface Tables {
  weekday: Float64Array;
  weekdayEvening: Float64Array;
  saturday: Float64Array;
}

const TABLES = {} as Record<ZoneUse, Tables>;
for (const use of ZONE_USES) {
  const p = PROFILES[use];
  TABLES[use] = { weekday: tabulate(p.weekday), weekdayEvening: tabulate(p.weekday, p.evening ?? []), saturday: tabulate(p.saturday) };
}

/** Expected share (0..1) of a zone's capacity present at a local time. */
export function occupancyShare(use: ZoneUse, local: OccupancyTime): number {
  const { weekday, hour } = local;
  if (weekday === 0 || local.isHoliday) return 0;
  const t = TABLES[use];
  const table = weekday === 6 ? t.saturday : weekday === 2 || weekday === 4 ? t.weekdayEvening : t.weekday;
  const slot = Math.floor(hour * SLOTS_PER_HOUR);
  return table[slot < 0 ? 0 : slot >= SLOTS ? SLOTS - 1 : slot] ?? 0;
}

/**
 * A head count around the expected share: each of `capacity` seats is taken
 * with probability p = share, so the count is Binomial(capacity, p), drawn here
 * by its normal approximation (mean n·p, variance n·p·(1−p), De Moivre-Laplace)
 * from two uniforms by Box-Muller, rounded and clamped to 0..capacity. Pure:
 * the same draws give the same count. p = 0 gives exactly 0, p = 1 the capacity.
 */
export function occupants(use: ZoneUse, capacity: number, local: OccupancyTime, u: number, v: number): number {
  const p = occupancyShare(use, local);
  const n = Math.max(0, Math.floor(capacity));
  if (p <= 0 || n === 0) return 0;
  if (p >= 1) return n;
  // 1 − u keeps the logarithm finite for u = 0 (u is in [0, 1)); the floor
  // guards a caller passing u = 1.
  const z = Math.sqrt(-2 * Math.log(Math.max(1 - u, 1e-300))) * Math.cos(2 * Math.PI * v);
  const k = Math.round(n * p + z * Math.sqrt(n * p * (1 - p)));
  return k < 0 ? 0 : k > n ? n : k;
}
