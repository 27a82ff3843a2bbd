/**
 * A seeded, random-access weather generator driven by monthly climate normals.
 *
 * Every value is a pure function of (seed, time): day-level weather comes from
 * hashes of (seed, day index), intra-day clouds and gusts from hashes of
 * (seed, 10-minute knot index). Nothing is integrated forward in time, so a
 * backfill at 1-minute steps, a live run at 5-second steps and a jump to any
 * date all see the same weather. Caches only memoise those pure functions.
 *
 * The structure is that of the classic Richardson-type stochastic weather
 * generators (Richardson, "Stochastic simulation of daily precipitation,
 * temperature, and solar radiation", Water Resour. Res. 17(1), 1981; WGEN):
 * a wet/dry day process, a wet-day amount distribution and temperature and
 * radiation conditioned on the day being wet or dry; here the Markov chains
 * are replaced by thresholded moving averages of hashed Gaussian draws over
 * the previous K days (a truncated AR(1) filter), which keeps day-to-day
 * persistence while allowing random access.
 */
import { type ClimateNormals, type Monthly } from './climate-besancon';
import { decompose } from './irradiance';
import { clearSkyGhiHaurwitz, solarPosition } from './sun';
import { createRng, gaussian } from '../random';

const DEG = Math.PI / 180;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Intra-day cloud and gust knots every 10 minutes. */
const KNOT_MS = 600_000;
/** WMO sunshine threshold on the direct normal irradiance, W/m² (WMO-No. 8, CIMO Guide, § 8.1.2). */
export const SUNSHINE_DNI_THRESHOLD = 120;
/** Local hour of the daily maximum temperature. */
const TMAX_HOUR = 15;

export interface WeatherLocalTime {
  /** 1..12. Informational: the generator derives the calendar from dayIndex. */
  month: number;
  /** 1..366. Informational, as month. */
  dayOfYear: number;
  /** Local (solar-ish) hour of the day, 0 ≤ hour < 24, fractional. */
  hour: number;
  /** Whole days since 1970-01-01 in local time. */
  dayIndex: number;
}

export interface WeatherOverrides {
  /** Force a cloudless ('clear', and no rain) or a fully overcast sky. */
  sky?: 'clear' | 'overcast';
  /** Added to the air temperature: +8..10 °C for a heat wave. */
  tempOffsetC?: number;
  /** No rain at all (a dry spell); the day's clouds become those of a dry day. */
  dry?: boolean;
  /** Fixed wind speed, m/s. */
  windMs?: number;
}

export interface WeatherSample {
  airTempC: number;
  dewPointC: number;
  /** 0..100 %. */
  relativeHumidity: number;
  windMs: number;
  rainRateMmH: number;
  /** GHI / clear-sky GHI (Haurwitz), 0..1.05. */
  clearSkyIndex: number;
  ghi: number;
  dni: number;
  dhi: number;
  /** Cloud cover fraction, 0..1. */
  cloudiness: number;
}

export interface WeatherOptions {
  seed: number;
  climate: ClimateNormals;
  latitude: number;
  longitude: number;
}

export interface Weather {
  sample(timeMs: number, local?: WeatherLocalTime, overrides?: WeatherOverrides): WeatherSample;
  /**
   * Exact rain depth, mm, that falls between two instants (analytic integral of rainRateMmH, so the
   * result does not depend on how the interval is cut). Pass the same clock (toLocal) as the `local`
   * given to sample(); both default to local mean solar time. A clock with DST jumps may miscount
   * the hour that repeats or vanishes on a switch day.
   */
  rainMmBetween(t0Ms: number, t1Ms: number, overrides?: WeatherOverrides, toLocal?: (timeMs: number) => WeatherLocalTime): number;
}

// ---------------------------------------------------------------------------
// Hashing and distributions

/** splitmix32 finaliser (after Steele, Lea & Flood's SplitMix, with the murmur3 fmix32 constants). */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A 32-bit hash of (seed, a, b): each input goes through a full avalanche round. */
export function hash32(seed: number, a: number, b = 0): number {
  return splitmix32(splitmix32(splitmix32(seed | 0) ^ (a | 0)) ^ (b | 0));
}

/** Uniform in (0, 1) from a hash; never 0, so logs are safe. */
function hashUniform(seed: number, a: number, b: number): number {
  return (hash32(seed, a, b) + 0.5) / 4294967296;
}

/** Standard normal from two hashes (Box-Muller). */
function hashGaussian(seed: number, a: number, b: number): number {
  const u = hashUniform(seed, a, b);
  const v = hashUniform(seed, a, b + 0x5bd1e995);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Standard normal CDF via erf, Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function at(values: Monthly | readonly number[], i: number): number {
  return values[((i % values.length) + values.length) % values.length] as number;
}

// ---------------------------------------------------------------------------
// Calendar and sun helpers

/** Local mean solar time from UTC: longitude / 15 hours ahead of UTC (no equation of time, no DST). */
export function solarLocalTime(timeMs: number, longitudeDeg: number): WeatherLocalTime {
  const shifted = timeMs + (longitudeDeg / 15) * HOUR_MS;
  const dayIndex = Math.floor(shifted / DAY_MS);
  const hour = (shifted - dayIndex * DAY_MS) / HOUR_MS;
  const cal = calendarOf(dayIndex);
  return { month: cal.month, dayOfYear: cal.dayOfYear, hour, dayIndex };
}

function calendarOf(dayIndex: number): { month: number; dayOfYear: number; dayOfMonth: number; daysInMonth: number } {
  const d = new Date(dayIndex * DAY_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return {
    month: m + 1,
    dayOfYear: Math.round((Date.UTC(y, m, d.getUTCDate()) - Date.UTC(y, 0, 1)) / DAY_MS) + 1,
    dayOfMonth: d.getUTCDate(),
    daysInMonth: new Date(Date.UTC(y, m + 1, 0)).getUTCDate(),
  };
}

/** Sunrise in local mean solar hours: cos ω = −tan φ tan δ, Cooper's (1969) declination. */
function sunriseSolarHour(dayOfYear: number, latitudeDeg: number): number {
  const decl = 23.45 * DEG * Math.sin((2 * Math.PI * (284 + dayOfYear)) / 365);
  const c = -Math.tan(latitudeDeg * DEG) * Math.tan(decl);
  const omega = Math.acos(Math.min(1, Math.max(-1, c))) / DEG;
  // Keep sunrise before the afternoon maximum even under polar day or night.
  return Math.min(11, Math.max(1, 12 - omega / 15));
}

/**
 * Knot values k such that linear interpolation between mid-month knots has
 * exactly the given monthly means (in the spirit of Rymes & Myers, "Mean
 * preserving algorithm for smoothly interpolating averaged data", Solar
 * Energy 71(4), 2001). For piecewise-linear interpolation over equal months
 * the mean of month i is (k[i−1] + 6 k[i] + k[i+1]) / 8; Jacobi iteration on
 * that cyclic system converges (spectral radius 1/3).
 */
function meanPreservingKnots(means: readonly number[]): number[] {
  let k = [...means];
  for (let it = 0; it < 60; it++) {
    k = means.map((m, i) => (m - (at(k, i - 1) + at(k, i + 1)) / 8) / 0.75);
  }
  return k;
}

/** Linear interpolation between mid-month knots at a calendar day (fractional month position). */
function interpolateMonthly(knots: readonly number[], month: number, dayOfMonth: number, daysInMonth: number): number {
  const x = month - 1 + (dayOfMonth - 0.5) / daysInMonth - 0.5;
  const i = Math.floor(x);
  const f = x - i;
  return at(knots, i) * (1 - f) + at(knots, i + 1) * f;
}

// ---------------------------------------------------------------------------
// Climate-derived constants

/**
 * Hours per month during which the beam of a cloudless sky exceeds the WMO
 * sunshine threshold at this place, with the same clear-sky and
 * decomposition models the generator uses: the "possible" sunshine against
 * which the normals' sunshine hours are a fraction. Computed once per place
 * over a reference year at 10-minute steps.
 */
const possibleSunshineCache = new Map<string, number[]>();
export function possibleSunshineHours(latitude: number, longitude: number): number[] {
  const key = `${latitude},${longitude}`;
  const cached = possibleSunshineCache.get(key);
  if (cached) return cached;
  const hours = new Array<number>(12).fill(0);
  const start = Date.UTC(2001, 0, 1);
  for (let t = start; t < Date.UTC(2002, 0, 1); t += KNOT_MS) {
    const z = solarPosition(t + KNOT_MS / 2, latitude, longitude).zenithDeg;
    if (z >= 90) continue;
    const ghi = clearSkyGhiHaurwitz(z);
    if (decompose(ghi, z, t).dni > SUNSHINE_DNI_THRESHOLD) {
      const m = new Date(t).getUTCMonth();
      hours[m] = at(hours, m) + KNOT_MS / HOUR_MS;
    }
  }
  possibleSunshineCache.set(key, hours);
  return hours;
}

// Generator constants. Each is a modelling choice, tuned so that the long-run
// statistics reproduce the normals (test/unit/weather.test.ts checks them).

/** Number of past days in the persistence filters. */
const K_DAYS = 10;
/** Lag-1 correlations of the daily latent variables (truncated AR(1) weights φ^k). */
const PHI = { temp: 0.75, wet: 0.5, sun: 0.45, wind: 0.6 } as const;
/** Mean sunshine fraction of a wet day relative to the monthly mean (dry days make up the rest). */
const WET_SUN_FACTOR = 0.3;
/** Highest mean sunshine fraction allowed for a dry day (keeps u^k well defined). */
const MAX_DRY_SUN = 0.95;
/** Standard deviation of the daily-mean temperature anomaly, °C: winter, summer. */
const TEMP_SD = { winter: 3.3, summer: 2.5 } as const;
/** Typical rain intensity, mm/h: long light frontal rain in winter, short showers in summer. */
const RAIN_INTENSITY = { winter: 1.1, summer: 3.2 } as const;

const STREAM = { innovations: 1, day: 2, cloud: 3, gust: 4 } as const;

function filterWeights(phi: number): { w: number[]; norm: number } {
  const w = Array.from({ length: K_DAYS }, (_, k) => phi ** k);
  return { w, norm: Math.sqrt(w.reduce((s, x) => s + x * x, 0)) };
}
const WEIGHTS = {
  temp: filterWeights(PHI.temp),
  wet: filterWeights(PHI.wet),
  sun: filterWeights(PHI.sun),
  wind: filterWeights(PHI.wind),
};

/** 0 in mid-January, 1 in mid-July: a smooth season index for the northern hemisphere. */
function summerness(dayOfYear: number, latitude: number): number {
  const s = (1 - Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365.25)) / 2;
  return latitude >= 0 ? s : 1 - s;
}

// ---------------------------------------------------------------------------
// Day state

interface DayState {
  dayIndex: number;
  /** Normal daily mean and range of temperature at this date, °C. */
  tMeanN: number;
  dtrN: number;
  /** Daily-mean temperature anomaly, °C. */
  tAnom: number;
  /** Expected sunshine fraction of the day before it is known wet or dry (the DTR reference). */
  meanSun: number;
  wet: boolean;
  /** Share of the daytime the sun is out, for the day taken as wet / as dry. */
  sunWet: number;
  sunDry: number;
  /** Clear-sky index under cloud, wet and dry day. */
  underCloudWet: number;
  underCloudDry: number;
  /** Clear-sky index with the sun out. */
  sunOut: number;
  /** Rain events: start hour, duration h, depth mm (flattened triples). */
  rain: number[];
  /** Dew-point depression below the daily minimum, °C, wet and dry day. */
  depWet: number;
  depDry: number;
  /** Daily-mean wind, m/s, wet and dry day. */
  windWet: number;
  windDry: number;
  /** Sunrise, local mean solar hours. */
  sunrise: number;
}

interface Effective {
  wet: boolean;
  sun: number;
  tMin: number;
  tMax: number;
  dewPoint: number;
}

export function createWeather(opts: WeatherOptions): Weather {
  const { seed, climate, latitude, longitude } = opts;
  const tMeanKnots = meanPreservingKnots(climate.tMinC.map((lo, i) => (lo + at(climate.tMaxC, i)) / 2));
  const dtrKnots = meanPreservingKnots(climate.tMaxC.map((hi, i) => hi - at(climate.tMinC, i)));
  const possible = possibleSunshineHours(latitude, longitude);
  // Relative sunshine of each month; capped so that even the sunniest climate leaves some cloud to draw.
  const relSun = climate.sunshineHours.map((h, i) => Math.min(MAX_DRY_SUN, h / Math.max(1, at(possible, i))));

  // Per-day Gaussian innovations for the four persistent variables, memoised (direct-mapped).
  const INNOV_SLOTS = 64;
  const innovKey = new Float64Array(INNOV_SLOTS).fill(NaN);
  const innovVal = new Float64Array(INNOV_SLOTS * 4);
  function innovations(day: number, out: number[]): void {
    const slot = ((day % INNOV_SLOTS) + INNOV_SLOTS) % INNOV_SLOTS;
    if (innovKey[slot] !== day) {
      const rng = createRng(hash32(seed, day, STREAM.innovations));
      for (let v = 0; v < 4; v++) innovVal[slot * 4 + v] = gaussian(rng);
      innovKey[slot] = day;
    }
    for (let v = 0; v < 4; v++) out[v] = innovVal[slot * 4 + v] as number;
  }

  /** The four persistent daily variables: φ-weighted sums of this and the previous K−1 days' innovations, unit variance. */
  function latent(day: number): { temp: number; wet: number; sun: number; wind: number } {
    const e = [0, 0, 0, 0];
    let temp = 0;
    let wet = 0;
    let sun = 0;
    let wind = 0;
    for (let k = 0; k < K_DAYS; k++) {
      innovations(day - k, e);
      const [eTemp = 0, eWet = 0, eSun = 0, eWind = 0] = e;
      temp += (WEIGHTS.temp.w[k] ?? 0) * eTemp;
      wet += (WEIGHTS.wet.w[k] ?? 0) * eWet;
      sun += (WEIGHTS.sun.w[k] ?? 0) * eSun;
      wind += (WEIGHTS.wind.w[k] ?? 0) * eWind;
    }
    return { temp: temp / WEIGHTS.temp.norm, wet: wet / WEIGHTS.wet.norm, sun: sun / WEIGHTS.sun.norm, wind: wind / WEIGHTS.wind.norm };
  }

  function buildDay(dayIndex: number): DayState {
    const cal = calendarOf(dayIndex);
    const m = cal.month - 1;
    const s = summerness(cal.dayOfYear, latitude);
    const z = latent(dayIndex);
    const rng = createRng(hash32(seed, dayIndex, STREAM.day));

    // Wet day when the persistent latent exceeds the climatological threshold: P(wet) = rain days / days.
    const pWet = Math.min(0.98, at(climate.precipitationDays, m) / cal.daysInMonth);
    const wet = normalCdf(z.wet) > 1 - pWet;

    // Wet-day depth: 1 mm (the rain-day threshold) plus an exponential excess, so the mean is P / N exactly.
    const meanDepth = at(climate.precipitationMm, m) / Math.max(0.1, at(climate.precipitationDays, m));
    const depth = 1 + Math.max(0.2, meanDepth - 1) * -Math.log(1 - rng());
    const intensity = RAIN_INTENSITY.winter + (RAIN_INTENSITY.summer - RAIN_INTENSITY.winter) * s;

    // Sunshine fraction u^((1−m)/m) has mean m for u uniform; u = Φ(z) carries the persistence.
    // Rain hides the sun for about E[duration]/24 of a wet day (E[duration] = mean depth / intensity),
    // so dry days make up for that share as well, keeping the month's sunshine on the normal.
    const r = at(relSun, m);
    const rainShare = Math.min(0.9, meanDepth / intensity / 24);
    const mWet = WET_SUN_FACTOR * r;
    const mDry = Math.min(MAX_DRY_SUN, ((1 - pWet * WET_SUN_FACTOR * (1 - rainShare)) * r) / (1 - pWet));
    const uSun = normalCdf(z.sun);
    const sunWet = uSun ** ((1 - mWet) / mWet);
    const sunDry = uSun ** ((1 - mDry) / mDry);

    // The day's rain as one or two events with a half-sine rate profile, kept inside the local day.
    const events = depth >= 6 && rng() < 0.4 ? 2 : 1;
    const rain: number[] = [];
    for (let e = 0; e < events; e++) {
      const mm = depth / events;
      const dur = Math.min(16, Math.max(0.5, (mm / intensity) * (0.5 + rng())));
      const latest = 24 - dur;
      // Summer showers favour the afternoon (convection); frontal rain comes at any hour.
      const afternoon = rng() < 0.6 * s;
      const start = afternoon ? Math.min(latest, 12 + rng() * Math.max(0, Math.min(6, latest - 12))) : rng() * latest;
      rain.push(start, dur, mm);
    }

    const anomSd = TEMP_SD.winter + (TEMP_SD.summer - TEMP_SD.winter) * s;
    const windSeason = 1 + 0.15 * (1 - 2 * s); // windier winters, calmer summers (±15 %, an assumption)
    const windBase = climate.meanWindMs * windSeason * Math.exp(0.4 * z.wind - 0.08); // lognormal, mean 1
    // Fronts bring wind: wet days +30 %, dry days scaled so the long-run mean is kept.
    const windWet = windBase * (1 + 0.3 * (1 - pWet));
    const windDry = windBase * (1 - 0.3 * pWet);

    const uDep = rng();
    return {
      dayIndex,
      tMeanN: interpolateMonthly(tMeanKnots, cal.month, cal.dayOfMonth, cal.daysInMonth),
      dtrN: interpolateMonthly(dtrKnots, cal.month, cal.dayOfMonth, cal.daysInMonth),
      tAnom: anomSd * z.temp,
      meanSun: pWet * mWet + (1 - pWet) * mDry,
      wet,
      sunWet,
      sunDry,
      // Under cloud the clear-sky index stays at or below 0.5: above ~0.55 Erbs would hand the beam more
      // than the 120 W/m² sunshine threshold at high sun, i.e. the sun would count as out.
      underCloudWet: 0.12 + 0.18 * rng(),
      underCloudDry: 0.25 + 0.25 * rng(),
      // With the sun out: clear sky, up to 5 % brighter when cloud edges reflect extra light.
      sunOut: 0.98 + 0.07 * rng(),
      rain,
      // FAO-56 (Allen et al. 1998, § 3 eq. 48 note): in humid climates the dew point is close to Tmin.
      depWet: 0.4 * uDep,
      depDry: (0.5 + 2.5 * uDep) * (0.4 + 0.6 * s),
      windWet,
      windDry,
      sunrise: sunriseSolarHour(cal.dayOfYear, latitude),
    };
  }

  const DAY_SLOTS = 16;
  const days: (DayState | undefined)[] = new Array<DayState | undefined>(DAY_SLOTS);
  function day(dayIndex: number): DayState {
    const slot = ((dayIndex % DAY_SLOTS) + DAY_SLOTS) % DAY_SLOTS;
    const hit = days[slot];
    if (hit && hit.dayIndex === dayIndex) return hit;
    const built = buildDay(dayIndex);
    days[slot] = built;
    return built;
  }

  function effective(d: DayState, ov: WeatherOverrides | undefined): Effective {
    const wet = d.wet && !ov?.dry && ov?.sky !== 'clear';
    const sun = ov?.sky === 'clear' ? 1 : ov?.sky === 'overcast' ? 0 : wet ? d.sunWet : d.sunDry;
    // Sunny days have a wider diurnal range, cloudy ones a narrower one; centring on E[sun] keeps the normal range.
    const dtr = Math.max(1, d.dtrN * (1 + sun - d.meanSun));
    const offset = ov?.tempOffsetC ?? 0;
    const mean = d.tMeanN + d.tAnom + offset;
    const tMin = mean - dtr / 2;
    // A heat wave or cold snap moves the dew point less than the air: RH falls in hot spells, as observed.
    const dewPoint = tMin - offset * 0.7 - (wet ? d.depWet : d.depDry);
    return { wet, sun, tMin, tMax: mean + dtr / 2, dewPoint };
  }

  /** Rain depth fallen on a day from hour 0 to hour h (cumulative of the half-sine event profiles). */
  function rainCumulative(d: DayState, wet: boolean, h: number): number {
    if (!wet) return 0;
    let sum = 0;
    for (let i = 0; i + 2 < d.rain.length; i += 3) {
      const start = d.rain[i] as number;
      const dur = d.rain[i + 1] as number;
      const mm = d.rain[i + 2] as number;
      const x = Math.min(1, Math.max(0, (h - start) / dur));
      sum += (mm * (1 - Math.cos(Math.PI * x))) / 2;
    }
    return sum;
  }

  function rainRate(d: DayState, wet: boolean, h: number): number {
    if (!wet) return 0;
    let rate = 0;
    for (let i = 0; i + 2 < d.rain.length; i += 3) {
      const start = d.rain[i] as number;
      const dur = d.rain[i + 1] as number;
      const mm = d.rain[i + 2] as number;
      if (h > start && h < start + dur) rate += ((mm * Math.PI) / (2 * dur)) * Math.sin((Math.PI * (h - start)) / dur);
    }
    return rate;
  }

  // Intra-day knots: cloud field (moving average of 3 hashed normals, ~30 min clumps) and gust noise.
  let knotIndex = NaN;
  let cloudU0 = 0;
  let cloudU1 = 0;
  let gust0 = 0;
  let gust1 = 0;
  function loadKnots(j: number): void {
    if (j === knotIndex) return;
    const g = [0, 1, 2, 3].map((i) => hashGaussian(seed, j - 2 + i, STREAM.cloud));
    cloudU0 = normalCdf(((g[0] as number) + (g[1] as number) + (g[2] as number)) / Math.sqrt(3));
    cloudU1 = normalCdf(((g[1] as number) + (g[2] as number) + (g[3] as number)) / Math.sqrt(3));
    gust0 = hashGaussian(seed, j, STREAM.gust);
    gust1 = hashGaussian(seed, j + 1, STREAM.gust);
    knotIndex = j;
  }

  /** Air temperature at a local hour: half-cosines from Tmin at sunrise to Tmax at 15:00 and down to the next sunrise. */
  function temperature(h: number, sunriseShift: number, prev: DayState, cur: DayState, next: DayState, ov: WeatherOverrides | undefined): { t: number; ep: Effective; ec: Effective; en: Effective } {
    const ep = effective(prev, ov);
    const ec = effective(cur, ov);
    const en = effective(next, ov);
    const sr = cur.sunrise + sunriseShift;
    let t: number;
    if (h < sr) {
      const y = (h + 24 - TMAX_HOUR) / (sr + 24 - TMAX_HOUR);
      t = ec.tMin + (ep.tMax - ec.tMin) * (1 + Math.cos(Math.PI * y)) / 2;
    } else if (h <= TMAX_HOUR) {
      const x = (h - sr) / (TMAX_HOUR - sr);
      t = ec.tMin + (ec.tMax - ec.tMin) * (1 - Math.cos(Math.PI * x)) / 2;
    } else {
      const srNext = next.sunrise + sunriseShift;
      const y = (h - TMAX_HOUR) / (24 + srNext - TMAX_HOUR);
      t = en.tMin + (ec.tMax - en.tMin) * (1 + Math.cos(Math.PI * y)) / 2;
    }
    return { t, ep, ec, en };
  }

  function sample(timeMs: number, localIn?: WeatherLocalTime, ov?: WeatherOverrides): WeatherSample {
    const local = localIn ?? solarLocalTime(timeMs, longitude);
    const h = Math.min(24, Math.max(0, local.hour));
    const cur = day(local.dayIndex);
    const prev = day(local.dayIndex - 1);
    const next = day(local.dayIndex + 1);

    // Sunrise is computed in mean solar time; shift it into the caller's clock (e.g. CET/CEST).
    const solarHour = (((timeMs / HOUR_MS + longitude / 15) % 24) + 24) % 24;
    let shift = local.hour - solarHour;
    shift -= 24 * Math.round(shift / 24);

    const { t: airTempC, ep, ec, en } = temperature(h, shift, prev, cur, next, ov);

    // Dew point: slow, linear between the days' values at noon.
    const dewPointC = h < 12 ? ep.dewPoint + (ec.dewPoint - ep.dewPoint) * ((h + 12) / 24) : ec.dewPoint + (en.dewPoint - ec.dewPoint) * ((h - 12) / 24);

    const rainRateMmH = rainRate(cur, ec.wet, h);

    // Clouds: the sun is out at a knot when the knot's uniform falls below the day's sunshine fraction.
    const j = Math.floor(timeMs / KNOT_MS);
    loadKnots(j);
    const frac = (timeMs - j * KNOT_MS) / KNOT_MS;
    const smooth = frac * frac * (3 - 2 * frac);
    const out0 = cloudU0 < ec.sun ? 1 : 0;
    const out1 = cloudU1 < ec.sun ? 1 : 0;
    // Rain hides the sun; the half-sine onset of the rate makes the darkening gradual.
    const sunOut = (out0 + (out1 - out0) * smooth) * Math.max(0, 1 - rainRateMmH / 0.3);
    const underCloud = ov?.sky === 'overcast' ? cur.underCloudWet : ec.wet ? cur.underCloudWet : cur.underCloudDry;
    const clearSkyIndex = Math.min(1.05, Math.max(0, underCloud + (cur.sunOut - underCloud) * sunOut));
    const cloudiness = ov?.sky === 'clear' ? 0 : ov?.sky === 'overcast' ? 1 : Math.min(1, Math.max(0, 0.5 * (1 - ec.sun) + 0.5 * (1 - sunOut)));

    const sun = solarPosition(timeMs, latitude, longitude);
    const ghi = clearSkyGhiHaurwitz(sun.zenithDeg) * clearSkyIndex;
    const { dni, dhi } = decompose(ghi, sun.zenithDeg, timeMs);

    // Magnus formula over water, Alduchov & Eskridge (1996): es = 6.1094 exp(17.625 T / (T + 243.04)) hPa.
    const dew = Math.min(dewPointC, airTempC);
    let relativeHumidity = 100 * Math.exp((17.625 * dew) / (dew + 243.04) - (17.625 * airTempC) / (airTempC + 243.04));
    if (rainRateMmH > 0) relativeHumidity = Math.max(relativeHumidity, 90 + 8 * Math.min(1, rainRateMmH));
    relativeHumidity = Math.min(100, Math.max(0, relativeHumidity));

    const gust = gust0 + (gust1 - gust0) * frac;
    // Daytime mixing strengthens surface wind (peak mid-afternoon), calmer nights.
    const diurnal = 1 + 0.3 * Math.sin((2 * Math.PI * (h - 9)) / 24);
    const windMs = ov?.windMs ?? Math.max(0, (ec.wet ? cur.windWet : cur.windDry) * diurnal * (1 + 0.2 * gust));

    return { airTempC, dewPointC: dew, relativeHumidity, windMs, rainRateMmH, clearSkyIndex, ghi, dni, dhi, cloudiness };
  }

  function rainMmBetween(t0Ms: number, t1Ms: number, ov?: WeatherOverrides, toLocal?: (timeMs: number) => WeatherLocalTime): number {
    const mapping = toLocal ?? ((t: number) => solarLocalTime(t, longitude));
    let total = 0;
    let t = t0Ms;
    while (t < t1Ms) {
      const loc = mapping(t);
      const d = day(loc.dayIndex);
      const wet = effective(d, ov).wet;
      const hEnd = Math.min(24, loc.hour + (t1Ms - t) / HOUR_MS);
      total += rainCumulative(d, wet, hEnd) - rainCumulative(d, wet, loc.hour);
      // On to the next local midnight (at least 1 ms on, whatever the mapping does).
      t = Math.max(t + 1, t + (24 - loc.hour) * HOUR_MS);
    }
    return total;
  }

  return { sample, rainMmBetween };
}
