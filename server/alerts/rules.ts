import type { RuleOf } from '../../shared/alerts';
import { duration, num, withUnit } from './format';

/**
 * The evaluation of every rule kind, as pure functions: each takes the rule, the
 * state it keeps for one target and one input (a reading, a device status, a
 * clock tick), and returns the new state and, when the alert must change, a
 * transition with the reason in words. Nothing here reads a clock or a store:
 * durations come from the readings' own timestamps (a replay faster than real
 * time keeps its meaning), and device silence from the arrival times and the
 * clock the engine passes in.
 *
 * Every kind is built the same way (docs/alerts.md): a condition that must hold
 * `forMinutes` before the alert is raised, once; and a clearing condition on
 * the other side of a hysteresis band, so that a value hovering at the limit
 * does not make the alert come and go.
 */

export interface Transition {
  type: 'raise' | 'clear';
  /** When the condition was met or gone: a reading's timestamp, or the clock for device silence. */
  ts: number;
  message: string;
  /** The value behind it, in the target's unit (null when there is none). */
  value: number | null;
}

export interface Step<S> {
  state: S;
  transition?: Transition;
}

/** What the messages name: the series or device, its unit, and how far apart its readings may be. */
export interface Subject {
  label: string;
  unit: string;
  /** Readings further apart than this cannot prove that a condition held in between: a pending duration restarts. */
  gapMs: number;
}

export type Phase = 'normal' | 'pending' | 'active';

/** The part every duration-based kind shares: where it is, since when, and its last reading time. */
export interface Sustain {
  phase: Phase;
  /** Start of the condition (pending or active). */
  since: number | null;
  lastTs: number | null;
}

export const MINUTE = 60_000;

export function initialSustain(active: boolean): Sustain {
  return { phase: active ? 'active' : 'normal', since: null, lastTs: null };
}

/**
 * The shared state machine. `bad` is the condition as the kind judges it: true
 * (beyond the limit; once active: not yet back past the hysteresis), false
 * (fine), undefined (cannot be judged now: no irradiance, unit stopped...).
 * Undefined restarts a pending duration but never clears an active alert:
 * an inverter that failed at noon stays in alert through the night.
 */
export function sustain(s: Sustain, ts: number, bad: boolean | undefined, o: { forMs: number; gapMs: number }): { state: Sustain; event?: 'raise' | 'clear' } {
  if (s.phase === 'active') {
    if (bad === false) return { state: { phase: 'normal', since: null, lastTs: ts }, event: 'clear' };
    return { state: { ...s, lastTs: ts } };
  }
  if (bad !== true) return { state: { phase: 'normal', since: null, lastTs: ts } };
  const gap = s.lastTs !== null && ts - s.lastTs > o.gapMs;
  const start = s.phase === 'pending' && s.since !== null && !gap ? s.since : ts;
  if (ts - start >= o.forMs) return { state: { phase: 'active', since: start, lastTs: ts }, event: 'raise' };
  return { state: { phase: 'pending', since: start, lastTs: ts } };
}

const forText = (ms: number): string => (ms > 0 ? ` depuis ${duration(ms)}` : '');

// --- threshold (and tank-low)

export interface ThresholdParams {
  op: 'above' | 'below';
  value: number;
  hysteresis: number;
  forMinutes: number;
  occupiedOnly: boolean;
}

export interface ThresholdState extends Sustain {
  /** Occupied-only rules: since when the zone has been seen empty while the alert is active. */
  unoccupiedSince: number | null;
}

export function initialThreshold(active: boolean): ThresholdState {
  return { ...initialSustain(active), unoccupiedSince: null };
}

/**
 * A value beyond a limit for `forMinutes`. Occupied-only: raised only while the
 * zone's occupancy reading counts someone (unknown occupancy raises nothing);
 * cleared when the value is back past the hysteresis, or when the zone has been
 * empty for `forMinutes` (at least 5 minutes, so that one empty reading does not clear it).
 */
export function stepThreshold(p: ThresholdParams, s: ThresholdState, input: { ts: number; value: number; occupancy?: number | undefined }, subject: Subject): Step<ThresholdState> {
  const { ts, value } = input;
  const above = p.op === 'above';
  const breach = above ? value > p.value : value < p.value;
  const back = above ? p.value - p.hysteresis : p.value + p.hysteresis;
  const recovered = above ? value < back : value > back;
  const occupied = input.occupancy === undefined ? undefined : input.occupancy >= 1;
  const forMs = p.forMinutes * MINUTE;
  let unoccupiedSince = s.unoccupiedSince;
  let emptyLongEnough = false;
  let bad: boolean | undefined;
  if (s.phase === 'active') {
    if (p.occupiedOnly && occupied === false) {
      unoccupiedSince ??= ts;
      emptyLongEnough = ts - unoccupiedSince >= Math.max(forMs, 5 * MINUTE);
    } else if (occupied === true) unoccupiedSince = null;
    bad = !(recovered || emptyLongEnough);
  } else {
    unoccupiedSince = null;
    bad = !breach ? false : !p.occupiedOnly ? true : occupied;
  }
  const r = sustain(s, ts, bad, { forMs, gapMs: subject.gapMs });
  const state: ThresholdState = { ...r.state, unoccupiedSince: r.state.phase === 'active' ? unoccupiedSince : null };
  if (r.event === 'raise') {
    const occ = p.occupiedOnly && input.occupancy !== undefined ? `, zone occupée (${num(input.occupancy, 0)} pers.)` : '';
    const message = `${subject.label} : ${withUnit(value, subject.unit)}, ${above ? 'au-dessus de' : 'en dessous de'} ${withUnit(p.value, subject.unit)}${forText(ts - (r.state.since ?? ts))}${occ}`;
    return { state, transition: { type: 'raise', ts, message, value } };
  }
  if (r.event === 'clear') {
    const message = recovered
      ? `${subject.label} revenu à ${withUnit(value, subject.unit)} (${above ? 'sous' : 'au-dessus de'} ${withUnit(back, subject.unit)})`
      : `${subject.label} : zone inoccupée depuis ${duration(ts - (s.unoccupiedSince ?? unoccupiedSince ?? ts))} (${withUnit(value, subject.unit)})`;
    return { state, transition: { type: 'clear', ts, message, value } };
  }
  return { state };
}

export function tankLowParams(rule: RuleOf<'tank-low'>): ThresholdParams {
  return { op: 'below', value: rule.belowPct, hysteresis: rule.hysteresisPct, forMinutes: rule.forMinutes, occupiedOnly: false };
}

// --- rate of change

export interface RateState extends Sustain {
  /** [ts, value] over the window, thinned to about 120 points. */
  samples: [number, number][];
}

export function initialRate(active: boolean): RateState {
  return { ...initialSustain(active), samples: [] };
}

/**
 * The change over the window, per minute: (value now − oldest value in the
 * window) / minutes between them, judged once the window is half covered.
 * A single spike is caught only if `forMinutes` is 0: set it to ignore them.
 */
export function stepRate(p: RuleOf<'rate-of-change'>, s: RateState, input: { ts: number; value: number }, subject: Subject): Step<RateState> {
  const { ts, value } = input;
  const windowMs = p.windowMinutes * MINUTE;
  const samples = s.samples.filter(([t]) => t >= ts - windowMs);
  const base = samples[0];
  let rate: number | undefined;
  if (base && ts - base[0] >= windowMs / 2) rate = (value - base[1]) / ((ts - base[0]) / MINUTE);
  const last = samples.at(-1);
  if (!last || ts - last[0] >= windowMs / 120) samples.push([ts, value]);
  const magnitude = rate === undefined ? undefined : p.direction === 'rise' ? rate : p.direction === 'fall' ? -rate : Math.abs(rate);
  const bad = magnitude === undefined ? undefined : s.phase === 'active' ? !(magnitude < p.perMinute - p.hysteresis) : magnitude > p.perMinute;
  const r = sustain(s, ts, bad, { forMs: p.forMinutes * MINUTE, gapMs: subject.gapMs });
  const state: RateState = { ...r.state, samples };
  if (!r.event || rate === undefined || !base) return { state };
  const perMin = `${withUnit(Math.abs(rate), subject.unit, 2)}/min`;
  const over = duration(ts - base[0]);
  if (r.event === 'raise') {
    const message = `${subject.label} : ${rate >= 0 ? 'hausse' : 'baisse'} de ${perMin} sur ${over} (de ${withUnit(base[1], subject.unit)} à ${withUnit(value, subject.unit)}), limite ${withUnit(p.perMinute, subject.unit, 2)}/min${forText(ts - (r.state.since ?? ts))}`;
    return { state, transition: { type: 'raise', ts, message, value } };
  }
  return { state, transition: { type: 'clear', ts, message: `${subject.label} : rythme revenu à ${perMin} sur ${over}`, value } };
}

// --- counter reset

export interface CounterResetState {
  phase: 'normal' | 'active';
  last: number | null;
  lastTs: number | null;
  /** The last decrease seen. */
  resetAt: number | null;
}

export function initialCounterReset(active: boolean, now: number): CounterResetState {
  return { phase: active ? 'active' : 'normal', last: null, lastTs: null, resetAt: active ? now : null };
}

/**
 * A counter that goes down (by more than minDrop) between two readings in time
 * order. Readings older than the last one are the engine's to skip: a pack
 * delivered out of order is not a reset. The alert clears once the counter has
 * counted normally for clearAfterMinutes since its last decrease.
 */
export function stepCounterReset(p: RuleOf<'counter-reset'>, s: CounterResetState, input: { ts: number; value: number }, subject: Subject): Step<CounterResetState> {
  const { ts, value } = input;
  const drop = s.last === null ? 0 : s.last - value;
  if (drop > 0 && drop > p.minDrop) {
    const state: CounterResetState = { phase: 'active', last: value, lastTs: ts, resetAt: ts };
    if (s.phase === 'active') return { state };
    const message = `${subject.label} : le compteur a reculé de ${withUnit(s.last ?? 0, subject.unit, 0)} à ${withUnit(value, subject.unit, 0)} (remise à zéro, remplacement ou reprogrammation) ; la consommation de la période est à vérifier`;
    return { state, transition: { type: 'raise', ts, message, value } };
  }
  const state: CounterResetState = { ...s, last: value, lastTs: ts };
  if (s.phase === 'active' && s.resetAt !== null && ts - s.resetAt >= p.clearAfterMinutes * MINUTE) {
    return { state: { ...state, phase: 'normal', resetAt: null }, transition: { type: 'clear', ts, message: `${subject.label} compte de nouveau normalement depuis ${duration(ts - s.resetAt)}`, value } };
  }
  return { state };
}

// --- mains top-up

export interface TopupState extends Sustain {
  samples: [number, number][];
  /** The counter when the current run started. */
  startValue: number | null;
}

export function initialTopup(active: boolean): TopupState {
  return { ...initialSustain(active), samples: [], startValue: null };
}

/**
 * Running: the counter grew by at least minLitres over the last windowMinutes
 * (or over what is known of it so far). Stopped: it grew less than that over a
 * whole window. A counter that goes down starts the window again.
 */
export function stepTopup(p: RuleOf<'mains-topup'>, s: TopupState, input: { ts: number; value: number }, subject: Subject): Step<TopupState> {
  const { ts, value } = input;
  const windowMs = p.windowMinutes * MINUTE;
  let samples = s.samples;
  const last = samples.at(-1);
  if (last && value < last[1]) samples = [];
  else samples = [...samples];
  const cut = ts - windowMs;
  // Keep the newest sample at or before the cut as the window's start.
  while (samples.length >= 2 && (samples[1] as [number, number])[0] <= cut) samples.shift();
  const base = samples[0];
  const increase = base ? value - base[1] : 0;
  const covered = base !== undefined && base[0] <= cut;
  const running = increase >= p.minLitres ? true : covered ? false : undefined;
  const newest = samples.at(-1);
  if (!newest || ts - newest[0] >= windowMs / 60) samples.push([ts, value]);
  const r = sustain(s, ts, running, { forMs: p.forMinutes * MINUTE, gapMs: subject.gapMs });
  const started = r.state.phase !== 'normal' && s.phase === 'normal';
  const startValue = r.state.phase === 'normal' ? null : started ? (base?.[1] ?? value) : (s.startValue ?? base?.[1] ?? value);
  const state: TopupState = { ...r.state, samples, startValue };
  if (r.event === 'raise') {
    const since = r.state.since ?? ts;
    const message =
      p.forMinutes > 0
        ? `${subject.label} : appoint d'eau de ville en marche depuis ${duration(ts - since)} (${withUnit(value - (startValue ?? value), 'l', 0)}), au-delà de ${duration(p.forMinutes * MINUTE)}`
        : `${subject.label} : appoint d'eau de ville en marche (+${withUnit(increase, 'l', 0)} en ${duration(ts - (base?.[0] ?? ts))})`;
    return { state, transition: { type: 'raise', ts, message, value } };
  }
  if (r.event === 'clear') {
    const total = s.startValue === null ? '' : ` ; ${withUnit(value - s.startValue, 'l', 0)} au total`;
    return { state, transition: { type: 'clear', ts, message: `${subject.label} : appoint arrêté (moins de ${withUnit(p.minLitres, 'l', 0)} en ${duration(windowMs)})${total}`, value } };
  }
  return { state };
}

// --- PV underperformance

export interface PvInput {
  ts: number;
  acW: number;
  /** Global horizontal irradiance measured at about the same time, W/m²; undefined when none is recent. */
  ghi: number | undefined;
  /** Peak DC power of the arrays behind this inverter, W (STC). */
  peakW: number;
  /** The inverter's AC rating, W: it clips above it, so the expectation does too. */
  acRatedW: number;
}

/**
 * The expected AC power: GHI / 1000 W/m² × peak power × performance ratio
 * (IEC 61724-1 §10: PR = final yield / reference yield, typically 0.75–0.85),
 * capped at the inverter rating. GHI rather than plane-of-array irradiance is
 * what the site measures; for the low tilts here (10–15°) the difference stays
 * within the tolerance the rule leaves (docs/alerts.md).
 */
export function expectedAcW(ghi: number, peakW: number, performanceRatio: number, acRatedW: number): number {
  return Math.min((ghi / 1000) * peakW * performanceRatio, acRatedW);
}

export function stepPv(p: RuleOf<'pv-underperformance'>, s: Sustain, input: PvInput, subject: Subject): Step<Sustain> {
  const { ts, acW, ghi } = input;
  const judged = ghi !== undefined && ghi >= p.minIrradiance && input.peakW > 0;
  const expected = judged ? expectedAcW(ghi, input.peakW, p.performanceRatio, input.acRatedW) : 0;
  const deficitPct = judged && expected > 0 ? (1 - acW / expected) * 100 : undefined;
  const bad = deficitPct === undefined ? undefined : s.phase === 'active' ? !(deficitPct < p.belowPct - p.hysteresisPct) : deficitPct > p.belowPct;
  const r = sustain(s, ts, bad, { forMs: p.forMinutes * MINUTE, gapMs: subject.gapMs });
  if (!r.event || deficitPct === undefined || ghi === undefined) return { state: r.state };
  const kw = (w: number) => `${num(w / 1000, 1)} kW`;
  const capped = expected >= input.acRatedW ? `, plafonné à ${kw(input.acRatedW)}` : '';
  const basis = `GHI ${num(ghi, 0)} W/m² × ${num(input.peakW / 1000, 1)} kWc × PR ${num(p.performanceRatio, 2)}${capped}`;
  if (r.event === 'raise') {
    const message = `${subject.label} : ${kw(acW)} produits pour ${kw(expected)} attendus (${basis}), soit ${num(deficitPct, 0)} % en dessous${forText(ts - (r.state.since ?? ts))}`;
    return { state: r.state, transition: { type: 'raise', ts, message, value: acW } };
  }
  return { state: r.state, transition: { type: 'clear', ts, message: `${subject.label} : production revenue à ${kw(acW)} pour ${kw(expected)} attendus (${basis})`, value: acW } };
}

// --- heat recovery

export interface HeatRecoveryInput {
  ts: number;
  outdoorC: number | undefined;
  extractC: number | undefined;
  exhaustC: number | undefined;
  airflowM3s: number | undefined;
}

/**
 * EN 308 temperature ratio on the exhaust side: (t11 − t12) / (t11 − t21), with
 * t11 the extract air, t12 the exhaust air after the exchanger and t21 the
 * outdoor air. The supply side's ratio would need the supply temperature before
 * the heating coil, which the unit does not report; for balanced flows without
 * condensation the two are equal.
 */
export function temperatureRatio(outdoorC: number, extractC: number, exhaustC: number): number {
  return (extractC - exhaustC) / (extractC - outdoorC);
}

export function stepHeatRecovery(p: RuleOf<'heat-recovery'>, s: Sustain, input: HeatRecoveryInput, subject: Subject): Step<Sustain> {
  const { ts, outdoorC, extractC, exhaustC, airflowM3s } = input;
  let ratio: number | undefined;
  if (outdoorC !== undefined && extractC !== undefined && exhaustC !== undefined && airflowM3s !== undefined) {
    const running = airflowM3s >= p.minAirflow;
    const judged = running && extractC - outdoorC >= p.minDeltaK && outdoorC <= p.maxOutdoorC && extractC <= p.maxExtractC;
    if (judged) ratio = temperatureRatio(outdoorC, extractC, exhaustC);
  }
  const bad = ratio === undefined ? undefined : s.phase === 'active' ? !(ratio >= p.minRatio + p.hysteresis) : ratio < p.minRatio;
  const r = sustain(s, ts, bad, { forMs: p.forMinutes * MINUTE, gapMs: subject.gapMs });
  if (!r.event || ratio === undefined || outdoorC === undefined || extractC === undefined || exhaustC === undefined) return { state: r.state };
  const pct = (x: number) => `${num(x * 100, 0)} %`;
  const basis = `rapport de températures EN 308 côté rejet ; reprise ${withUnit(extractC, 'Cel')}, rejet ${withUnit(exhaustC, 'Cel')}, air neuf ${withUnit(outdoorC, 'Cel')}`;
  if (r.event === 'raise') {
    const message = `${subject.label} : récupération de chaleur à ${pct(ratio)} (${basis}), attendu au moins ${pct(p.minRatio)}${forText(ts - (r.state.since ?? ts))}`;
    return { state: r.state, transition: { type: 'raise', ts, message, value: ratio } };
  }
  return { state: r.state, transition: { type: 'clear', ts, message: `${subject.label} : récupération de chaleur revenue à ${pct(ratio)} (${basis})`, value: ratio } };
}

// --- device offline or stale

export interface OfflineState {
  phase: 'normal' | 'active';
  status: 'online' | 'offline' | 'unknown';
  statusAt: number | null;
  /** Last sign of life (a reading arrived, or "online"), by the clock; the engine's start until then. */
  lastSign: number;
  seen: boolean;
}

export type OfflineEvent = { type: 'reading'; at: number } | { type: 'status'; status: 'online' | 'offline'; at: number } | { type: 'tick'; at: number };

export function initialOffline(active: boolean, now: number): OfflineState {
  return { phase: active ? 'active' : 'normal', status: 'unknown', statusAt: null, lastSign: now, seen: false };
}

/**
 * Down: the broker delivered the device's "offline" last will, or nothing has
 * arrived from it for staleFactor × its period (by arrival time: a device
 * replaying its buffer is alive, whatever the age of its readings). Raised once
 * it has been down for graceMinutes (and the staleness limit); cleared on its
 * next reading or "online".
 */
export function stepOffline(p: RuleOf<'device-offline'>, s: OfflineState, e: OfflineEvent, subject: { label: string; periodMs: number }): Step<OfflineState> {
  let state: OfflineState = { ...s };
  if (e.type === 'reading') state = { ...state, status: 'online', lastSign: Math.max(state.lastSign, e.at), seen: true };
  if (e.type === 'status') state = { ...state, status: e.status, statusAt: e.at, ...(e.status === 'online' ? { lastSign: Math.max(state.lastSign, e.at), seen: true } : {}) };
  const now = e.at;
  const staleMs = p.staleFactor * subject.periodMs;
  const graceMs = p.graceMinutes * MINUTE;
  const silentMs = now - state.lastSign;
  const stale = silentMs > staleMs;
  const offline = state.status === 'offline';
  if (state.phase === 'normal') {
    const offlineFor = offline && state.statusAt !== null ? now - state.statusAt : -1;
    if (offline && offlineFor >= graceMs) {
      const message = `${subject.label} hors ligne depuis ${duration(offlineFor)} (déconnecté du broker${state.seen ? `, dernière donnée il y a ${duration(silentMs)}` : ''})`;
      return { state: { ...state, phase: 'active' }, transition: { type: 'raise', ts: now, message, value: null } };
    }
    if (stale && silentMs >= graceMs) {
      const why = state.seen ? `aucune donnée depuis ${duration(silentMs)}` : `aucune donnée depuis le démarrage du serveur, il y a ${duration(silentMs)}`;
      const message = `${subject.label} muet : ${why} (période ${duration(subject.periodMs)}, limite ${num(p.staleFactor, 1)} périodes)`;
      return { state: { ...state, phase: 'active' }, transition: { type: 'raise', ts: now, message, value: null } };
    }
    return { state };
  }
  if (!offline && !stale) {
    const how = e.type === 'status' ? 'statut « online » reçu' : 'donnée reçue';
    return { state: { ...state, phase: 'normal' }, transition: { type: 'clear', ts: now, message: `${subject.label} de nouveau en ligne (${how})`, value: null } };
  }
  return { state };
}
