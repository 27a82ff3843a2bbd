import { describe, expect, it } from 'vitest';
import { AlertRuleSchema, type AlertRuleInput, type RuleOf, type RuleKind } from '../../shared/alerts';
import {
  type Step,
  type Subject,
  type Transition,
  expectedAcW,
  initialCounterReset,
  initialOffline,
  initialRate,
  initialSustain,
  initialThreshold,
  initialTopup,
  stepCounterReset,
  stepHeatRecovery,
  stepOffline,
  stepPv,
  stepRate,
  stepThreshold,
  stepTopup,
  tankLowParams,
  temperatureRatio,
} from '../../server/alerts/rules';

/**
 * Every rule kind, on hand-built reading sequences: the duration before an alert
 * is raised, the hysteresis that keeps it from flapping, raised once, and the
 * reason it gives. The functions are pure: time is the readings' own.
 */

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 12, 9, 0);
const rule = <K extends RuleKind>(kind: K, r: Omit<Extract<AlertRuleInput, { kind: K }>, 'id' | 'name' | 'severity' | 'kind'>): RuleOf<K> => AlertRuleSchema.parse({ id: 'r', name: 'r', severity: 'warning', kind, ...r }) as RuleOf<K>;
const subject = (unit: string, label = 'Capteur'): Subject => ({ label, unit, gapMs: 15 * MIN });

/** Feeds a sequence through a step function; returns every transition and the final state. */
function feed<S, I>(step: (s: S, input: I) => Step<S>, initial: S, inputs: I[]): { state: S; transitions: (Transition & { at: number })[] } {
  let state = initial;
  const transitions: (Transition & { at: number })[] = [];
  inputs.forEach((input, at) => {
    const r = step(state, input);
    state = r.state;
    if (r.transition) transitions.push({ ...r.transition, at });
  });
  return { state, transitions };
}
/** One reading a minute from T0 (plus offset minutes). */
const perMinute = (values: number[], from = 0) => values.map((value, i) => ({ ts: T0 + (from + i) * MIN, value }));

describe('threshold', () => {
  const co2 = rule('threshold', { target: { point: 'co2' }, op: 'above', value: 1200, hysteresis: 100, forMinutes: 10 });
  const step = (s: ReturnType<typeof initialThreshold>, i: { ts: number; value: number; occupancy?: number }) => stepThreshold(co2, s, i, subject('ppm', 'Salle de réunion – CO2'));

  it('waits for the duration, by reading time, then raises once with its reason', () => {
    const { transitions } = feed(step, initialThreshold(false), perMinute(Array(30).fill(1340)));
    expect(transitions).toHaveLength(1);
    const [t] = transitions;
    // Readings at minutes 0..10: the condition has held 10 minutes at the 11th.
    expect(t?.at).toBe(10);
    expect(t?.type).toBe('raise');
    expect(t?.ts).toBe(T0 + 10 * MIN);
    expect(t?.value).toBe(1340);
    expect(t?.message).toBe('Salle de réunion – CO2 : 1\u202f340 ppm, au-dessus de 1\u202f200 ppm depuis 10 min');
  });

  it('restarts the duration when the value dips under the limit, even for one reading', () => {
    const values = [...Array(9).fill(1300), 1190, ...Array(9).fill(1300)];
    expect(feed(step, initialThreshold(false), perMinute(values)).transitions).toHaveLength(0);
  });

  it('does not bridge a gap in the readings: 9 minutes, silence, 2 minutes is not 10 minutes held', () => {
    const inputs = [...perMinute(Array(9).fill(1300)), ...perMinute([1300, 1300], 40)];
    expect(feed(step, initialThreshold(false), inputs).transitions).toHaveLength(0);
  });

  it('keeps the alert through values hovering around the limit, and clears only below limit − hysteresis', () => {
    const hovering = [1190, 1210, 1150, 1250, 1101, 1199, 1205, 1120];
    const values = [...Array(11).fill(1300), ...hovering, ...hovering, 1099, 1300, 1099];
    const { transitions } = feed(step, initialThreshold(false), perMinute(values));
    expect(transitions.map((t) => t.type)).toEqual(['raise', 'clear']);
    expect(transitions[1]?.message).toBe('Salle de réunion – CO2 revenu à 1\u202f099 ppm (sous 1\u202f100 ppm)');
    // The 1300 right after clearing starts a new duration; it does not raise at once.
    expect(transitions[1]?.at).toBe(11 + 2 * hovering.length);
  });

  it('works downwards too (op below)', () => {
    const cold = rule('threshold', { target: { point: 'temperature' }, op: 'below', value: 18, hysteresis: 0.5, forMinutes: 5 });
    const s = (st: ReturnType<typeof initialThreshold>, i: { ts: number; value: number }) => stepThreshold(cold, st, i, subject('Cel', 'Bureau'));
    const { transitions } = feed(s, initialThreshold(false), perMinute([17.5, 17.5, 17.5, 17.5, 17.5, 17.5, 18.2, 18.4, 18.6]));
    expect(transitions.map((t) => [t.type, t.at])).toEqual([
      ['raise', 5],
      ['clear', 8],
    ]);
    expect(transitions[0]?.message).toBe('Bureau : 17,5 °C, en dessous de 18 °C depuis 5 min');
  });

  describe('occupied zones only', () => {
    const occ = rule('threshold', { target: { point: 'co2' }, value: 1200, hysteresis: 100, forMinutes: 10, occupiedOnly: true });
    const s = (st: ReturnType<typeof initialThreshold>, i: { ts: number; value: number; occupancy?: number }) => stepThreshold(occ, st, i, subject('ppm', 'Réunion – CO2'));
    const readings = (n: number, value: number, occupancy: number | undefined, from = 0) => perMinute(Array(n).fill(value), from).map((r) => ({ ...r, occupancy }));

    it('raises nothing in an empty zone, nor when occupancy is unknown', () => {
      expect(feed(s, initialThreshold(false), readings(60, 1500, 0)).transitions).toHaveLength(0);
      expect(feed(s, initialThreshold(false), readings(60, 1500, undefined)).transitions).toHaveLength(0);
    });

    it('raises once the zone is occupied for the duration, and says how many are there', () => {
      const { transitions } = feed(s, initialThreshold(false), [...readings(5, 1500, 0), ...readings(20, 1500, 12, 5)]);
      expect(transitions).toHaveLength(1);
      expect(transitions[0]?.at).toBe(15);
      expect(transitions[0]?.message).toBe('Réunion – CO2 : 1\u202f500 ppm, au-dessus de 1\u202f200 ppm depuis 10 min, zone occupée (12 pers.)');
    });

    it('clears when the zone has been empty for the duration, not on one empty reading', () => {
      const inputs = [...readings(11, 1500, 12), ...readings(1, 1500, 0, 11), ...readings(3, 1500, 12, 12), ...readings(12, 1450, 0, 15)];
      const { transitions } = feed(s, initialThreshold(false), inputs);
      expect(transitions.map((t) => [t.type, t.at])).toEqual([
        ['raise', 10],
        // Empty from minute 15: 10 minutes later, at minute 25 (the 26th reading).
        ['clear', 25],
      ]);
      expect(transitions[1]?.message).toBe('Réunion – CO2 : zone inoccupée depuis 10 min (1\u202f450 ppm)');
    });
  });
});

describe('tank low', () => {
  const low = rule('tank-low', { belowPct: 5, hysteresisPct: 2, forMinutes: 10 });
  const step = (s: ReturnType<typeof initialThreshold>, i: { ts: number; value: number }) => stepThreshold(tankLowParams(low), s, i, subject('%', "Cuve d'eau de pluie – Niveau"));

  it('raises below the level for the duration and clears above level + hysteresis', () => {
    const { transitions } = feed(step, initialThreshold(false), perMinute([6, ...Array(11).fill(4.2), 5.5, 6.9, 4.8, 7.2]));
    expect(transitions.map((t) => [t.type, t.at])).toEqual([
      ['raise', 11],
      ['clear', 15],
    ]);
    expect(transitions[0]?.message).toBe("Cuve d'eau de pluie – Niveau : 4,2 %, en dessous de 5 % depuis 10 min");
  });

  it('takes its target from the catalogue by default', () => {
    expect(low.target).toEqual({ deviceType: 'rainwater-tank', point: 'level' });
  });
});

describe('rate of change', () => {
  const falling = rule('rate-of-change', { target: { point: 'level' }, direction: 'fall', perMinute: 0.5, windowMinutes: 10, hysteresis: 0.2, forMinutes: 3 });
  const step = (s: ReturnType<typeof initialRate>, i: { ts: number; value: number }) => stepRate(falling, s, i, subject('%', 'Cuve – Niveau'));

  it('measures over the window once half of it is covered, raises after the duration, once', () => {
    // Steady, then falling 1 %/min.
    const values = [...Array(10).fill(60), ...Array.from({ length: 20 }, (_, i) => 59 - i)];
    const { transitions } = feed(step, initialRate(false), perMinute(values));
    expect(transitions).toHaveLength(1);
    const t = transitions[0];
    // Over 10 minutes the fall exceeds 0.5 %/min from minute 15 (at 14, 5 % over 10 min is exactly 0.5): then 3 more minutes.
    expect(t?.at).toBe(18);
    expect(t?.message).toMatch(/^Cuve – Niveau : baisse de 0,9 %\/min sur 10 min \(de 60 % à 51 %\), limite 0,5 %\/min depuis 3 min$/);
  });

  it('ignores a rise when watching falls, and a one-reading spike when a duration is asked', () => {
    expect(feed(step, initialRate(false), perMinute(Array.from({ length: 30 }, (_, i) => 20 + i))).transitions).toHaveLength(0);
    const spike = [...Array(12).fill(60), 10, ...Array(12).fill(60)];
    expect(feed(step, initialRate(false), perMinute(spike)).transitions).toHaveLength(0);
  });

  it('clears only when the rate is below the limit minus the hysteresis', () => {
    const values = [...Array(10).fill(60), ...Array.from({ length: 10 }, (_, i) => 59 - i)];
    let v = 50;
    // Then falling 0.4 %/min (above 0.5 − 0.2): stays; then flat: clears.
    for (let i = 0; i < 15; i++) values.push((v -= 0.4));
    for (let i = 0; i < 15; i++) values.push(v);
    const { transitions } = feed(step, initialRate(false), perMinute(values));
    expect(transitions.map((t) => t.type)).toEqual(['raise', 'clear']);
    expect(transitions[1]?.at).toBeGreaterThan(35);
  });
});

describe('counter reset', () => {
  const reset = rule('counter-reset', { minDrop: 0, clearAfterMinutes: 60 });
  const step = (s: ReturnType<typeof initialCounterReset>, i: { ts: number; value: number }) => stepCounterReset(reset, s, i, subject('Wh', 'Onduleur PV sud – Énergie AC'));

  it('raises once when a counter goes down, and clears after an hour of counting up', () => {
    const values = [1_000_000, 1_000_500, 1_001_000, 12, 400, 5, 900, ...Array.from({ length: 70 }, (_, i) => 1000 + i * 100)];
    const { transitions } = feed(step, initialCounterReset(false, T0), perMinute(values));
    // The second decrease (400 -> 5) is the same trouble, not a second alert; it restarts the hour.
    expect(transitions.map((t) => [t.type, t.at])).toEqual([
      ['raise', 3],
      ['clear', 65],
    ]);
    expect(transitions[0]?.message).toBe('Onduleur PV sud – Énergie AC : le compteur a reculé de 1\u202f001\u202f000 Wh à 12 Wh (remise à zéro, remplacement ou reprogrammation) ; la consommation de la période est à vérifier');
    expect(transitions[1]?.message).toBe('Onduleur PV sud – Énergie AC compte de nouveau normalement depuis 1 h 00');
  });

  it('ignores a flat counter, and a decrease no larger than minDrop', () => {
    expect(feed(step, initialCounterReset(false, T0), perMinute([5, 5, 5, 5])).transitions).toHaveLength(0);
    const tolerant = rule('counter-reset', { minDrop: 10 });
    const s = (st: ReturnType<typeof initialCounterReset>, i: { ts: number; value: number }) => stepCounterReset(tolerant, st, i, subject('l', 'Cuve'));
    expect(feed(s, initialCounterReset(false, T0), perMinute([100, 95, 120, 90])).transitions.map((t) => t.at)).toEqual([3]);
  });
});

describe('mains top-up', () => {
  const topup = rule('mains-topup', { minLitres: 1, windowMinutes: 10, forMinutes: 0 });
  const step = (s: ReturnType<typeof initialTopup>, i: { ts: number; value: number }) => stepTopup(topup, s, i, subject('l', "Cuve d'eau de pluie – Appoint"));
  /** Every 30 s, like the tank: flat, then 0.5 l/s (15 l a reading), then flat. */
  const series = (flat1: number, running: number, flat2: number) => {
    const out: { ts: number; value: number }[] = [];
    let v = 4000;
    let t = T0;
    for (let i = 0; i < flat1 + running + flat2; i++) {
      if (i >= flat1 && i < flat1 + running) v += 15;
      out.push({ ts: (t += 30_000), value: v });
    }
    return out;
  };

  it('raises when the counter starts increasing, once, and clears after a window without any', () => {
    const { transitions } = feed(step, initialTopup(false), series(40, 120, 40));
    expect(transitions.map((t) => [t.type, t.at])).toEqual([
      ['raise', 40],
      // The last litre came with reading 159: a whole window later (10 min = 20 readings) without any.
      ['clear', 179],
    ]);
    expect(transitions[0]?.message).toBe("Cuve d'eau de pluie – Appoint : appoint d'eau de ville en marche (+15 l en 10 min)");
    expect(transitions[1]?.message).toBe("Cuve d'eau de pluie – Appoint : appoint arrêté (moins de 1 l en 10 min) ; 1\u202f800 l au total");
  });

  it('with a duration: raised only when it runs longer (a valve stuck open)', () => {
    const long = rule('mains-topup', { forMinutes: 180 });
    const s = (st: ReturnType<typeof initialTopup>, i: { ts: number; value: number }) => stepTopup(long, st, i, subject('l', 'Cuve'));
    expect(feed(s, initialTopup(false), series(10, 300, 10)).transitions).toHaveLength(0); // 2.5 h: a normal top-up
    const { transitions } = feed(s, initialTopup(false), series(10, 400, 10));
    expect(transitions[0]?.type).toBe('raise');
    expect(transitions[0]?.message).toMatch(/^Cuve : appoint d'eau de ville en marche depuis 3 h 00 \(5\u202f4\d\d l\), au-delà de 3 h 00$/);
  });

  it('a flat counter raises nothing', () => {
    expect(feed(step, initialTopup(false), series(200, 0, 0)).transitions).toHaveLength(0);
  });
});

describe('PV underperformance', () => {
  const pv = rule('pv-underperformance', { performanceRatio: 0.8, belowPct: 50, hysteresisPct: 10, minIrradiance: 200, forMinutes: 30 });
  const sud = { peakW: 48_000, acRatedW: 40_000 };
  const step = (s: ReturnType<typeof initialSustain>, i: { ts: number; acW: number; ghi: number | undefined }) => stepPv(pv, s, { ...i, ...sud }, subject('W', 'Onduleur PV sud'));
  const minutes = (n: number, acW: number, ghi: number | undefined, from = 0) => Array.from({ length: n }, (_, i) => ({ ts: T0 + (from + i) * MIN, acW, ghi }));

  it('worked example: 800 W/m² on 48 kWp at PR 0.8 expects 30.72 kW; 12 kW is 61 % below', () => {
    expect(expectedAcW(800, 48_000, 0.8, 40_000)).toBeCloseTo(30_720, 6);
    // Above the inverter's rating the expectation clips with it: 1100 W/m² gives 42.2 kW, capped at 40 kW.
    expect(expectedAcW(1100, 48_000, 0.8, 40_000)).toBe(40_000);
    const { transitions } = feed(step, initialSustain(false), minutes(40, 12_000, 800));
    expect(transitions.map((t) => t.at)).toEqual([30]);
    expect(transitions[0]?.value).toBe(12_000);
    expect(transitions[0]?.message).toBe('Onduleur PV sud : 12 kW produits pour 30,7 kW attendus (GHI 800 W/m² × 48 kWc × PR 0,8), soit 61 % en dessous depuis 30 min');
  });

  it('a healthy inverter (PR 0.85 actual) raises nothing, nor one 45 % below (within the tolerance)', () => {
    expect(feed(step, initialSustain(false), minutes(60, 0.85 * 0.8 * 48_000, 800)).transitions).toHaveLength(0);
    expect(feed(step, initialSustain(false), minutes(60, 0.55 * 30_720, 800)).transitions).toHaveLength(0);
  });

  it('judges nothing below the irradiance floor or without a recent irradiance: the duration restarts', () => {
    const inputs = [...minutes(20, 0, 600), ...minutes(5, 0, 150, 20), ...minutes(20, 0, 600, 25)];
    expect(feed(step, initialSustain(false), inputs).transitions).toHaveLength(0);
    expect(feed(step, initialSustain(false), minutes(60, 0, undefined)).transitions).toHaveLength(0);
  });

  it('stays raised through the night (not judged is not cleared), and clears once production is within 40 %', () => {
    const inputs = [...minutes(31, 0, 700), ...minutes(600, 0, 0, 31), ...minutes(10, 20_000, 700, 631), ...minutes(10, 26_000, 700, 641)];
    const { transitions } = feed(step, initialSustain(false), inputs);
    // 20 kW for 26.9 kW expected is 26 % below: under 50 %, but not yet under 40 %? It is: 26 < 40, so it clears there.
    expect(transitions.map((t) => [t.type, t.at])).toEqual([
      ['raise', 30],
      ['clear', 631],
    ]);
    expect(transitions[1]?.message).toBe('Onduleur PV sud : production revenue à 20 kW pour 26,9 kW attendus (GHI 700 W/m² × 48 kWc × PR 0,8)');
    // Between 40 % and 50 % below, it neither raises nor clears: the hysteresis band.
    const band = [...minutes(31, 0, 700), ...minutes(30, 0.55 * 26_880, 700, 31)];
    expect(feed(step, initialSustain(false), band).transitions.map((t) => t.type)).toEqual(['raise']);
  });
});

describe('heat recovery (EN 308 temperature ratio)', () => {
  const hr = rule('heat-recovery', { minRatio: 0.6, hysteresis: 0.05, minAirflow: 0.2, minDeltaK: 8, maxOutdoorC: 12, maxExtractC: 22, forMinutes: 30 });
  type In = { ts: number; outdoorC: number | undefined; extractC: number | undefined; exhaustC: number | undefined; airflowM3s: number | undefined };
  const step = (s: ReturnType<typeof initialSustain>, i: In) => stepHeatRecovery(hr, s, i, subject('', "Centrale de traitement d'air"));
  const minutes = (n: number, o: Omit<In, 'ts'>, from = 0): In[] => Array.from({ length: n }, (_, i) => ({ ts: T0 + (from + i) * MIN, ...o }));

  it('worked example: extract 21 °C, outdoor 0 °C, exhaust 5 °C is 76 %; exhaust 15 °C is 29 %', () => {
    expect(temperatureRatio(0, 21, 5)).toBeCloseTo(16 / 21, 9);
    expect(feed(step, initialSustain(false), minutes(60, { outdoorC: 0, extractC: 21, exhaustC: 5, airflowM3s: 2 })).transitions).toHaveLength(0);
    const { transitions } = feed(step, initialSustain(false), minutes(60, { outdoorC: 0, extractC: 21, exhaustC: 15, airflowM3s: 2 }));
    expect(transitions.map((t) => t.at)).toEqual([30]);
    expect(transitions[0]?.value).toBeCloseTo(6 / 21, 9);
    expect(transitions[0]?.message).toBe("Centrale de traitement d'air : récupération de chaleur à 29 % (rapport de températures EN 308 côté rejet ; reprise 21 °C, rejet 15 °C, air neuf 0 °C), attendu au moins 60 % depuis 30 min");
  });

  it('judges nothing with the unit stopped, in mild weather, in a warm building (bypass) or without every temperature', () => {
    const broken = { extractC: 21, exhaustC: 20.5 };
    for (const o of [
      { ...broken, outdoorC: 0, airflowM3s: 0 },
      { ...broken, outdoorC: 14, airflowM3s: 2 },
      { outdoorC: 8, extractC: 24, exhaustC: 24, airflowM3s: 2 },
      { ...broken, outdoorC: 16, airflowM3s: 2 },
      { ...broken, outdoorC: undefined, airflowM3s: 2 },
    ]) {
      expect(feed(step, initialSustain(false), minutes(90, o)).transitions, JSON.stringify(o)).toHaveLength(0);
    }
  });

  it('stays raised while the unit is stopped overnight and clears when the ratio is back above 65 %', () => {
    const inputs = [...minutes(31, { outdoorC: 0, extractC: 21, exhaustC: 20, airflowM3s: 2 }), ...minutes(600, { outdoorC: -3, extractC: 19, exhaustC: 19, airflowM3s: 0 }, 31), ...minutes(5, { outdoorC: 0, extractC: 21, exhaustC: 8.6, airflowM3s: 2 }, 631), ...minutes(5, { outdoorC: 0, extractC: 21, exhaustC: 6, airflowM3s: 2 }, 636)];
    const { transitions } = feed(step, initialSustain(false), inputs);
    // 8.6 °C: 59 %, still raised; 6 °C: 71 %, cleared.
    expect(transitions.map((t) => [t.type, t.at])).toEqual([
      ['raise', 30],
      ['clear', 636],
    ]);
  });
});

describe('device offline or stale', () => {
  const off = rule('device-offline', { staleFactor: 5, graceMinutes: 5 });
  const sensor = { label: 'Ambiance Fablab', periodMs: 30_000 };
  const step = (s: ReturnType<typeof initialOffline>, e: Parameters<typeof stepOffline>[2]) => stepOffline(off, s, e, sensor);

  it('raises after the grace period once its last will says offline, and clears on its next reading', () => {
    const events: Parameters<typeof stepOffline>[2][] = [
      { type: 'reading', at: T0 },
      { type: 'status', status: 'offline', at: T0 + 10_000 },
      { type: 'tick', at: T0 + 4 * MIN },
      { type: 'tick', at: T0 + 10_000 + 5 * MIN },
      { type: 'tick', at: T0 + 6 * MIN },
      { type: 'reading', at: T0 + 7 * MIN },
      { type: 'tick', at: T0 + 8 * MIN },
    ];
    const { transitions } = feed(step, initialOffline(false, T0 - MIN), events);
    expect(transitions.map((t) => [t.type, t.at])).toEqual([
      ['raise', 3],
      ['clear', 5],
    ]);
    expect(transitions[0]?.message).toBe('Ambiance Fablab hors ligne depuis 5 min (déconnecté du broker, dernière donnée il y a 5 min)');
    expect(transitions[0]?.ts).toBe(T0 + 10_000 + 5 * MIN);
    expect(transitions[1]?.message).toBe('Ambiance Fablab de nouveau en ligne (donnée reçue)');
  });

  it('a device back within the grace period raises nothing', () => {
    const events: Parameters<typeof stepOffline>[2][] = [{ type: 'reading', at: T0 }, { type: 'status', status: 'offline', at: T0 + MIN }, { type: 'tick', at: T0 + 3 * MIN }, { type: 'status', status: 'online', at: T0 + 4 * MIN }, ...Array.from({ length: 4 }, (_, i) => ({ type: 'reading' as const, at: T0 + (4.5 + i) * MIN })), { type: 'tick', at: T0 + 9 * MIN }];
    expect(feed(step, initialOffline(false, T0), events).transitions).toHaveLength(0);
  });

  it('raises a silent device (no reading for staleFactor periods and the grace), by arrival time', () => {
    const ticks = Array.from({ length: 12 }, (_, i) => ({ type: 'tick' as const, at: T0 + i * MIN }));
    const { transitions } = feed(step, initialOffline(false, T0), [{ type: 'reading', at: T0 }, ...ticks]);
    // Silent since T0: stale after 2.5 min, raised after the 5 min of grace.
    expect(transitions.map((t) => t.ts)).toEqual([T0 + 5 * MIN]);
    expect(transitions[0]?.message).toBe('Ambiance Fablab muet : aucune donnée depuis 5 min (période 30 s, limite 5 périodes)');
  });

  it('a device never heard since the start is judged from the start, and says so', () => {
    const { transitions } = feed(step, initialOffline(false, T0), [{ type: 'tick', at: T0 + 6 * MIN }]);
    expect(transitions[0]?.message).toBe('Ambiance Fablab muet : aucune donnée depuis le démarrage du serveur, il y a 6 min (période 30 s, limite 5 périodes)');
  });

  it('restored as active after a restart, it clears on the first reading', () => {
    const { transitions } = feed(step, initialOffline(true, T0), [{ type: 'tick', at: T0 + MIN }, { type: 'reading', at: T0 + 2 * MIN }]);
    expect(transitions.map((t) => t.type)).toEqual(['clear']);
  });
});
