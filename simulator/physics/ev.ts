/**
 * Electric-vehicle charging at Le Numérique: arrivals, sessions, and a
 * PV-first allocation of the charging power.
 *
 * Electrical values: a 7.4 kW AC point is 230 V × 32 A single-phase, an 11 kW
 * point 3 × 230 V × 16 A. IEC 61851-1 (control pilot duty cycle, Annex A)
 * lets the charger signal no less than 6 A: 230 V × 6 A = 1.38 kW
 * single-phase (4.14 kW three-phase), so a car either charges at least at
 * that power or pauses.
 *
 * The arrival profile and the session mix are ASSUMPTIONS for a tiers-lieu
 * car park used by staff, coworkers and visitors, to be fitted to the
 * chargers' own logs when they exist.
 */

export type ChargerState = 'available' | 'charging' | 'finished' | 'fault';

/** Single-phase minimum current of IEC 61851-1 (6 A at 230 V), W. */
export const IEC61851_MIN_SINGLE_PHASE_W = 230 * 6;

export interface EvTime {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Fractional local hour. */
  hour: number;
  isHoliday: boolean;
}

// Expected arrivals per charger per hour, by local hour (assumption):
// weekdays peak at 8-10 h (staff and coworkers) and after lunch (visitors,
// training participants), ~1.65 sessions per charger per day; Saturdays
// follow the fablab (~0.45); Sundays and public holidays only see a trickle
// of public users (~0.16).
const WEEKDAY = [0, 0, 0, 0, 0, 0, 0, 0.1, 0.35, 0.3, 0.15, 0.1, 0.05, 0.2, 0.15, 0.1, 0.05, 0.05, 0.05, 0, 0, 0, 0, 0];
const SATURDAY = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.05, 0.1, 0.1, 0, 0.05, 0.08, 0.05, 0.02, 0, 0, 0, 0, 0, 0, 0];
const SUNDAY = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0, 0, 0, 0, 0, 0];

/**
 * Expected arrivals per hour at the site's chargers (a Poisson rate: the
 * chance of an arrival in a step of Δt seconds is about rate·Δt/3600).
 */
export function evArrivalRate(local: EvTime, nChargers: number): number {
  const table = local.weekday === 0 || local.isHoliday ? SUNDAY : local.weekday === 6 ? SATURDAY : WEEKDAY;
  const h = Math.floor(local.hour);
  return (table[h < 0 ? 0 : h > 23 ? 23 : h] ?? 0) * Math.max(0, nChargers);
}

export interface EvSession {
  /** Energy the car wants, Wh. */
  energyWh: number;
  /** Time the car stays plugged, s. */
  dwellS: number;
  /** Highest AC power the car accepts, W. */
  maxPowerW: number;
}

/**
 * A charging session from three uniform draws (assumption, shaped on typical
 * workplace charging: most sessions small, a long tail):
 * - energy 5-30 kWh, 5 + 25·u1² (mean 13.3 kWh);
 * - dwell: 40 % visitors staying 1-3 h, 60 % staff and coworkers staying
 *   6-9 h (u2 picks the group and the time within it);
 * - on-board charger: 70 % 7.4 kW single-phase, 30 % 11 kW three-phase (u3).
 */
export function drawSession(u1: number, u2: number, u3: number): EvSession {
  const energyWh = (5 + 25 * u1 * u1) * 1000;
  const dwellH = u2 < 0.4 ? 1 + 2 * (u2 / 0.4) : 6 + 3 * ((u2 - 0.4) / 0.6);
  return { energyWh, dwellS: dwellH * 3600, maxPowerW: u3 < 0.7 ? 7400 : 11_000 };
}

export interface ChargingDemand {
  id: string;
  /** Energy still wanted, Wh (0 or less: battery full, nothing is allocated). */
  needWh: number;
  /** Highest power this car/charger pair accepts, W. */
  maxW: number;
}

export interface ChargingAllocation {
  id: string;
  powerW: number;
  /** Part of powerW covered by PV surplus. */
  pvW: number;
  /** Part of powerW taken from the grid. */
  gridW: number;
}

export interface AllocationResult {
  /** One entry per input session, in input order. */
  sessions: ChargingAllocation[];
  pvW: number;
  gridW: number;
  totalW: number;
}

export interface AllocationOptions {
  /** Solar-only mode: never draw from the grid; a car that cannot get its minimum from PV pauses. */
  solarOnly?: boolean;
  /** Step length, s: caps each car at the power that would fill it within the step. */
  dtS?: number;
}

interface Active {
  index: number;
  cap: number;
  min: number;
}

/**
 * Equal shares of a budget among sessions, each capped at its maximum, with
 * what capped sessions leave redistributed to the others ("water filling"):
 * visit sessions from the smallest cap up, each taking min(cap, remaining /
 * sessions left). Returns the shares aligned with `list`.
 */
function waterFill(list: readonly Active[], budgetW: number): number[] {
  const order = list.map((_, i) => i).sort((a, b) => (list[a]?.cap ?? 0) - (list[b]?.cap ?? 0));
  const shares = new Array<number>(list.length).fill(0);
  let remaining = budgetW;
  for (let j = 0; j < order.length; j++) {
    const i = order[j] ?? 0;
    const give = Math.min(list[i]?.cap ?? 0, remaining / (order.length - j));
    shares[i] = give;
    remaining -= give;
  }
  return shares;
}

/**
 * Splits the charging power among the plugged cars, PV surplus first.
 *
 * 1. Cars with nothing left to charge get nothing.
 * 2. The PV surplus (bounded by the site limit `chargerLimitW`) is shared
 *    equally, each car capped at its maximum, leftovers redistributed.
 * 3. PV-first mode: a car whose PV share is below the IEC 61851-1 minimum
 *    (`minGridW`, e.g. 1.38 kW) is topped up to it from the grid. Either the
 *    PV share is at least the minimum for every car, or it is below it for all
 *    of them, so the total is max(PV used, Σ minima) ≤ the site limit. When
 *    the minima of all cars do not fit under the limit, the later cars in the
 *    input order (first come, first served) pause.
 * 4. Solar-only mode: no grid; when the surplus cannot give every car its
 *    minimum, the later cars pause so the earlier ones can charge.
 */
export function allocateCharging(sessions: readonly ChargingDemand[], pvSurplusW: number, chargerLimitW: number, minGridW: number, opts: AllocationOptions = {}): AllocationResult {
  const limitW = Math.max(0, chargerLimitW);
  const pvBudgetW = Math.max(0, Math.min(pvSurplusW, limitW));
  const active: Active[] = [];
  sessions.forEach((s, index) => {
    const fillW = opts.dtS !== undefined && opts.dtS > 0 ? (s.needWh * 3600) / opts.dtS : Number.POSITIVE_INFINITY;
    const cap = Math.min(s.maxW, fillW);
    // A car the charger can only feed below the minimum current still takes what it accepts (tapering at the end of charge).
    if (s.needWh > 0 && cap > 0) active.push({ index, cap, min: Math.min(Math.max(0, minGridW), cap) });
  });

  const out: ChargingAllocation[] = sessions.map((s) => ({ id: s.id, powerW: 0, pvW: 0, gridW: 0 }));
  let running: Active[];
  let pvShares: number[];
  if (opts.solarOnly) {
    let k = active.length;
    pvShares = waterFill(active, pvBudgetW);
    // 1e-9 W tolerates the rounding of the shares.
    while (k > 0 && pvShares.some((w, i) => w < (active[i]?.min ?? 0) - 1e-9)) {
      k--;
      pvShares = waterFill(active.slice(0, k), pvBudgetW);
    }
    running = active.slice(0, k);
  } else {
    let k = 0;
    let minimaW = 0;
    while (k < active.length && minimaW + (active[k]?.min ?? 0) <= limitW) {
      minimaW += active[k]?.min ?? 0;
      k++;
    }
    running = active.slice(0, k);
    pvShares = waterFill(running, pvBudgetW);
  }

  let pvW = 0;
  let gridW = 0;
  running.forEach((a, i) => {
    const pv = pvShares[i] ?? 0;
    const grid = opts.solarOnly ? 0 : Math.max(0, a.min - pv);
    const slot = out[a.index];
    if (slot === undefined) return;
    slot.pvW = pv;
    slot.gridW = grid;
    slot.powerW = pv + grid;
    pvW += pv;
    gridW += grid;
  });
  return { sessions: out, pvW, gridW, totalW: pvW + gridW };
}

/** State a charging point reports, from what is plugged into it. */
export function chargerState(point: { fault: boolean; plugged: boolean; needWh: number }): ChargerState {
  if (point.fault) return 'fault';
  if (!point.plugged) return 'available';
  return point.needWh > 0 ? 'charging' : 'finished';
}
