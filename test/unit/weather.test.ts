import { beforeAll, describe, expect, it } from 'vitest';
import { BESANCON_NORMALS as NORMALS } from '../../simulator/physics/climate-besancon';
import { clearSkyGhiHaurwitz, solarPosition } from '../../simulator/physics/sun';
import { SUNSHINE_DNI_THRESHOLD, createWeather, normalCdf, solarLocalTime, type WeatherSample } from '../../simulator/physics/weather';

const LAT = 47.24;
const LON = 6.02;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The generator's default clock is local mean solar time: UTC + longitude/15 h. */
const SOLAR_OFFSET_MS = (LON / 15) * HOUR;
const dayStart = (dayIndex: number) => dayIndex * DAY - SOLAR_OFFSET_MS;
const monthOf = (dayIndex: number) => new Date(dayIndex * DAY).getUTCMonth();
const weather = (seed: number) => createWeather({ seed, climate: NORMALS, latitude: LAT, longitude: LON });

describe('Besançon normals table (climate-besancon.ts)', () => {
  const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
  it('adds up to the Infoclimat 1991-2020 annual totals: 1108 mm, 141 rain days, 1797 h of sunshine', () => {
    expect(sum(NORMALS.precipitationMm)).toBe(1108);
    expect(sum(NORMALS.precipitationDays)).toBe(141);
    expect(sum(NORMALS.sunshineHours)).toBe(1797);
  });
  it('has Dec-Feb means of max 6.4 °C and min 0.4 °C: the Météo-France 1981-2010 anchors (6.1 / 0.1 °C) plus 0.3 °C', () => {
    const winter = (xs: readonly number[]) => ((xs[11] as number) + (xs[0] as number) + (xs[1] as number)) / 3;
    expect(winter(NORMALS.tMaxC)).toBeCloseTo(6.43, 1);
    expect(winter(NORMALS.tMinC)).toBeCloseTo(0.37, 1);
  });
});

describe('standard normal CDF (Abramowitz & Stegun 7.1.26)', () => {
  it('matches the normal table: Φ(0) = 0.5, Φ(1) = 0.841345, Φ(1.96) = 0.975002, Φ(−2.326) = 0.010009', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1)).toBeCloseTo(0.841345, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.975002, 6);
    expect(normalCdf(-2.326)).toBeCloseTo(0.010009, 6);
  });
});

describe('weather generator: determinism and random access', () => {
  const t0 = Date.UTC(2026, 5, 10);

  it('gives identical samples for the same seed, different weather for another seed', () => {
    const a = weather(7);
    const b = weather(7);
    const c = weather(8);
    const times = Array.from({ length: 500 }, (_, i) => t0 + ((i * 7_919_993) % (365 * DAY)));
    expect(times.map((t) => a.sample(t))).toEqual(times.map((t) => b.sample(t)));
    expect(times.map((t) => c.sample(t).airTempC)).not.toEqual(times.map((t) => a.sample(t).airTempC));
  });

  it('does not depend on the order or the step of the calls (forward, backward, 1 min, 5 s, random, after a far jump)', () => {
    const probes = Array.from({ length: 3 * 144 }, (_, i) => t0 + i * 600_000); // every 10 min over 3 days
    const reference = (() => {
      const w = weather(11);
      return probes.map((t) => w.sample(t));
    })();

    const backward = weather(11);
    const back = [...probes].reverse().map((t) => backward.sample(t)).reverse();
    expect(back).toEqual(reference);

    // A live run at 5-second steps and a backfill at 1-minute steps hit the same instants.
    const live = weather(11);
    const seen5s = new Map<number, WeatherSample>();
    for (let t = t0; t <= probes[probes.length - 1]!; t += 5_000) {
      const s = live.sample(t);
      if ((t - t0) % 600_000 === 0) seen5s.set(t, s);
    }
    expect(probes.map((t) => seen5s.get(t))).toEqual(reference);

    const backfill = weather(11);
    const seen1m = new Map<number, WeatherSample>();
    for (let t = t0; t <= probes[probes.length - 1]!; t += 60_000) {
      const s = backfill.sample(t);
      if ((t - t0) % 600_000 === 0) seen1m.set(t, s);
    }
    expect(probes.map((t) => seen1m.get(t))).toEqual(reference);

    const jumpy = weather(11);
    const shuffled = probes.map((t, i) => ({ t, k: (i * 2_654_435_761) % 4_294_967_296 })).sort((x, y) => x.k - y.k);
    const got = new Map<number, WeatherSample>();
    for (const { t } of shuffled) {
      jumpy.sample(t + 300 * 365 * DAY); // evict every cache between two probes
      got.set(t, jumpy.sample(t));
    }
    expect(probes.map((t) => got.get(t))).toEqual(reference);
  });

  it('integrates rain exactly and independently of the step: rainMmBetween is additive and matches Σ rate·dt', () => {
    const w = weather(3);
    // Find a wet day in June 2026.
    let d = Math.floor(t0 / DAY);
    while (w.rainMmBetween(dayStart(d), dayStart(d + 1)) < 5) d++;
    const start = dayStart(d);
    const total = w.rainMmBetween(start, start + DAY);
    let pieces = 0;
    for (let t = start; t < start + DAY; t += 7 * 60_000) pieces += w.rainMmBetween(t, Math.min(t + 7 * 60_000, start + DAY));
    expect(pieces).toBeCloseTo(total, 9);
    let riemann = 0;
    for (let t = start; t < start + DAY; t += 10_000) riemann += (w.sample(t + 5_000).rainRateMmH * 10_000) / HOUR;
    expect(riemann / total).toBeCloseTo(1, 3);
  });
});

describe('weather generator: physical consistency of a sample', () => {
  it('keeps every quantity in range and splits GHI = Haurwitz clear sky · index into DNI and DHI', () => {
    const w = weather(5);
    const start = Date.UTC(2026, 0, 1);
    const bad: string[] = [];
    for (let t = start; t < start + 365 * DAY; t += 37 * 60_000) {
      const s = w.sample(t);
      const z = solarPosition(t, LAT, LON).zenithDeg;
      const checks: [string, boolean][] = [
        ['clearSkyIndex in 0..1.05', s.clearSkyIndex >= 0 && s.clearSkyIndex <= 1.05],
        ['cloudiness in 0..1', s.cloudiness >= 0 && s.cloudiness <= 1],
        ['RH in 0..100', s.relativeHumidity >= 0 && s.relativeHumidity <= 100],
        ['wind, rain >= 0', s.windMs >= 0 && s.rainRateMmH >= 0],
        ['dew point <= air', s.dewPointC <= s.airTempC],
        ['GHI = Haurwitz · index', Math.abs(s.ghi - clearSkyGhiHaurwitz(z) * s.clearSkyIndex) < 1e-6],
        ['DHI + DNI cos z = GHI', Math.abs(s.dhi + s.dni * Math.cos((z * Math.PI) / 180) - s.ghi) < 1e-6],
      ];
      for (const [name, ok] of checks) if (!ok) bad.push(`${new Date(t).toISOString()}: ${name}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('weather generator: scenario overrides', () => {
  const w = weather(21);
  const julyDay = Math.floor(Date.UTC(2026, 6, 14) / DAY);
  const janDay = Math.floor(Date.UTC(2026, 0, 14) / DAY);
  const hours = (d: number) => Array.from({ length: 96 }, (_, i) => dayStart(d) + i * 15 * 60_000);

  it("'clear' gives a cloudless, dry day with the beam above the sunshine threshold all day long", () => {
    const samples = hours(julyDay).map((t) => w.sample(t, undefined, { sky: 'clear' }));
    expect(samples.every((s) => s.cloudiness === 0 && s.rainRateMmH === 0 && s.clearSkyIndex >= 0.98)).toBe(true);
    const noon = w.sample(dayStart(julyDay) + 12 * HOUR, undefined, { sky: 'clear' });
    expect(noon.dni).toBeGreaterThan(700);
  });

  it("'overcast' hides the sun all day: no hour of sunshine, cloudiness 1", () => {
    const samples = hours(janDay).map((t) => w.sample(t, undefined, { sky: 'overcast' }));
    expect(samples.every((s) => s.dni <= SUNSHINE_DNI_THRESHOLD && s.cloudiness === 1)).toBe(true);
  });

  it('tempOffsetC shifts the air temperature by exactly the offset (heat wave +9 °C); dry removes all rain; windMs fixes the wind', () => {
    for (const t of hours(julyDay)) {
      expect(w.sample(t, undefined, { tempOffsetC: 9 }).airTempC - w.sample(t).airTempC).toBeCloseTo(9, 9);
      expect(w.sample(t, undefined, { windMs: 4.2 }).windMs).toBe(4.2);
    }
    const month0 = dayStart(Math.floor(Date.UTC(2026, 10, 1) / DAY));
    expect(w.rainMmBetween(month0, month0 + 30 * DAY)).toBeGreaterThan(0);
    expect(w.rainMmBetween(month0, month0 + 30 * DAY, { dry: true })).toBe(0);
  });
});

/**
 * Long-run statistics against the normals. 50 years at hourly steps for
 * temperature, humidity and sunshine; 100 years of daily rain totals (rain
 * needs no sampling: rainMmBetween integrates it exactly). Sampling noise of
 * a 50-year mean is ~0.2 °C for a monthly temperature and ~5 % for sunshine.
 */
describe('weather generator: 50-year statistics reproduce the Besançon normals', () => {
  const YEARS = 50;
  const first = Math.floor(Date.UTC(1971, 0, 1) / DAY);
  const stats = Array.from({ length: 12 }, () => ({ days: 0, tMin: 0, tMax: 0, sunH: 0, months: 0, rainMm: 0, rainDays: 0, rainMonths: 0 }));
  const hourlyT = { jan: new Array<number>(24).fill(0), jul: new Array<number>(24).fill(0) };
  const rh = { dawn: 0, afternoon: 0, wetDays: 0, dryDays: 0, nWet: 0, nDry: 0 };
  let hoursTotal = 0;
  let rainyHours = 0;
  const wetHourRates: number[] = [];

  beforeAll(() => {
    const w = weather(2026);
    let lastMonth = -1;
    for (let d = first; d < first + Math.round(YEARS * 365.25); d++) {
      const m = monthOf(d);
      const st = stats[m]!;
      if (m !== lastMonth) st.months++;
      lastMonth = m;
      let lo = Infinity;
      let hi = -Infinity;
      let rhDay = 0;
      for (let h = 0; h < 24; h++) {
        // Mid-hour samples: each stands for its hour in the sunshine count.
        const s = w.sample(dayStart(d) + (h + 0.5) * HOUR);
        lo = Math.min(lo, s.airTempC);
        hi = Math.max(hi, s.airTempC);
        if (s.dni > SUNSHINE_DNI_THRESHOLD) st.sunH++;
        if (m === 0) hourlyT.jan[h] = (hourlyT.jan[h] as number) + s.airTempC;
        if (m === 6) hourlyT.jul[h] = (hourlyT.jul[h] as number) + s.airTempC;
        if (h === 5) rh.dawn += s.relativeHumidity;
        if (h === 15) rh.afternoon += s.relativeHumidity;
        rhDay += s.relativeHumidity / 24;
        hoursTotal++;
        if (s.rainRateMmH > 0) {
          rainyHours++;
          wetHourRates.push(s.rainRateMmH);
        }
      }
      st.days++;
      st.tMin += lo;
      st.tMax += hi;
      if (w.rainMmBetween(dayStart(d), dayStart(d + 1)) >= 1) {
        rh.wetDays += rhDay;
        rh.nWet++;
      } else {
        rh.dryDays += rhDay;
        rh.nDry++;
      }
    }
    lastMonth = -1;
    for (let d = first; d < first + Math.round(2 * YEARS * 365.25); d++) {
      const m = monthOf(d);
      const st = stats[m]!;
      if (m !== lastMonth) st.rainMonths++;
      lastMonth = m;
      const mm = w.rainMmBetween(dayStart(d), dayStart(d + 1));
      st.rainMm += mm;
      if (mm >= 1) st.rainDays++;
    }
  });

  it('mean daily minimum and maximum temperature within 1 °C of the normals, every month', () => {
    stats.forEach((st, m) => {
      expect(Math.abs(st.tMin / st.days - NORMALS.tMinC[m]!), `Tmin month ${m + 1}`).toBeLessThan(1);
      expect(Math.abs(st.tMax / st.days - NORMALS.tMaxC[m]!), `Tmax month ${m + 1}`).toBeLessThan(1);
    });
  });

  it('monthly precipitation within 15 % and days with ≥ 1 mm within 20 % of the normals (100 years)', () => {
    stats.forEach((st, m) => {
      expect(Math.abs(st.rainMm / st.rainMonths / NORMALS.precipitationMm[m]! - 1), `rain month ${m + 1}`).toBeLessThan(0.15);
      expect(Math.abs(st.rainDays / st.rainMonths / NORMALS.precipitationDays[m]! - 1), `rain days month ${m + 1}`).toBeLessThan(0.2);
    });
  });

  it('monthly sunshine (hours with DNI > 120 W/m², WMO) within 20 % of the normals', () => {
    stats.forEach((st, m) => {
      expect(Math.abs(st.sunH / st.months / NORMALS.sunshineHours[m]! - 1), `sunshine month ${m + 1}`).toBeLessThan(0.2);
    });
  });

  it('has its coldest hour around sunrise and its warmest mid-afternoon (~15:00 local solar time)', () => {
    const argmin = (xs: number[]) => xs.indexOf(Math.min(...xs));
    const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
    // Sunrise at 47° N: ~04:30 solar time in mid-July, ~07:50 in mid-January.
    expect(argmin(hourlyT.jul)).toBeGreaterThanOrEqual(3);
    expect(argmin(hourlyT.jul)).toBeLessThanOrEqual(5);
    expect(argmin(hourlyT.jan)).toBeGreaterThanOrEqual(6);
    expect(argmin(hourlyT.jan)).toBeLessThanOrEqual(8);
    for (const series of [hourlyT.jan, hourlyT.jul]) {
      expect(argmax(series)).toBeGreaterThanOrEqual(14);
      expect(argmax(series)).toBeLessThanOrEqual(15);
    }
  });

  it('is more humid at dawn than in the afternoon, and on rainy days than on dry ones', () => {
    expect(rh.dawn).toBeGreaterThan(rh.afternoon + 10 * (hoursTotal / 24));
    expect(rh.wetDays / rh.nWet).toBeGreaterThan(rh.dryDays / rh.nDry + 3);
  });

  it('rains only a small share of the hours, with realistic hourly intensities', () => {
    // Rain falls in roughly 5-10 % of the hours in a temperate climate with ~140 rain days a year.
    const share = rainyHours / hoursTotal;
    expect(share).toBeGreaterThan(0.03);
    expect(share).toBeLessThan(0.15);
    const sorted = [...wetHourRates].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
    expect(median).toBeGreaterThan(0.3);
    expect(median).toBeLessThan(3);
    expect(p99).toBeGreaterThan(4);
    expect(p99).toBeLessThan(30);
  });
});

describe('weather generator: a year at one-minute steps', () => {
  it('runs 525,600 samples (a backfill) and still gives the year about its normal sunshine', () => {
    const w = weather(99);
    const start = Date.UTC(2025, 0, 1) - SOLAR_OFFSET_MS;
    let sunMinutes = 0;
    let finite = true;
    for (let i = 0; i < 525_600; i++) {
      const s = w.sample(start + i * 60_000);
      if (s.dni > SUNSHINE_DNI_THRESHOLD) sunMinutes++;
      finite &&= Number.isFinite(s.airTempC + s.ghi + s.relativeHumidity + s.windMs);
    }
    expect(finite).toBe(true);
    // One year is one draw: a ±20 % band around the 1797 h normal covers year-to-year variation (2013: 1659 h, 2015: 2135 h).
    expect(Math.abs(sunMinutes / 60 / 1797 - 1)).toBeLessThan(0.2);
  });

  it('maps UTC to local mean solar time: Besançon is 24 min ahead of UTC', () => {
    const loc = solarLocalTime(Date.UTC(2026, 2, 1, 12), LON);
    expect(loc.hour).toBeCloseTo(12 + LON / 15, 9);
    expect(loc.month).toBe(3);
    expect(loc.dayOfYear).toBe(60);
  });
});
