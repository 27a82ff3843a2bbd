/**
 * Solar geometry and clear-sky irradiance: pure functions of time and place.
 *
 * Position: NOAA Global Monitoring Division, "General Solar Position
 * Calculations" (fractional-year series for declination and the equation of
 * time, after Spencer 1971). Accurate to about 0.1° between ±60° latitude,
 * which is far below what a PV simulation can notice.
 */

const DEG = Math.PI / 180;

export interface SolarPosition {
  /** Angle of the sun above the horizon, degrees (negative at night). */
  elevationDeg: number;
  /** Solar zenith angle, degrees. */
  zenithDeg: number;
  /** Azimuth clockwise from north, degrees. */
  azimuthDeg: number;
  /** Solar declination, degrees. */
  declinationDeg: number;
  /** Equation of time, minutes. */
  equationOfTimeMin: number;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function solarPosition(timeMs: number, latitudeDeg: number, longitudeDeg: number): SolarPosition {
  const d = new Date(timeMs);
  const year = d.getUTCFullYear();
  const startOfYear = Date.UTC(year, 0, 1);
  const dayOfYear = Math.floor((timeMs - startOfYear) / 86_400_000) + 1;
  const hour = d.getUTCHours() + d.getUTCMinutes() / 60 + d.getUTCSeconds() / 3600 + d.getUTCMilliseconds() / 3_600_000;
  // Fractional year, radians (NOAA eq. 1).
  const g = ((2 * Math.PI) / (isLeap(year) ? 366 : 365)) * (dayOfYear - 1 + (hour - 12) / 24);
  const eqtime = 229.18 * (0.000075 + 0.001868 * Math.cos(g) - 0.032077 * Math.sin(g) - 0.014615 * Math.cos(2 * g) - 0.040849 * Math.sin(2 * g));
  const decl =
    0.006918 - 0.399912 * Math.cos(g) + 0.070257 * Math.sin(g) - 0.006758 * Math.cos(2 * g) + 0.000907 * Math.sin(2 * g) - 0.002697 * Math.cos(3 * g) + 0.00148 * Math.sin(3 * g);
  // True solar time in minutes (time offset uses UTC, so the zone offset is 0).
  const tst = hour * 60 + eqtime + 4 * longitudeDeg;
  const ha = (tst / 4 - 180) * DEG;
  const lat = latitudeDeg * DEG;
  const cosZen = Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(ha);
  const zen = Math.acos(Math.min(1, Math.max(-1, cosZen)));
  // Azimuth from north, clockwise (atan2 form avoids the NOAA quadrant cases).
  const az = Math.atan2(Math.sin(ha), Math.cos(ha) * Math.sin(lat) - Math.tan(decl) * Math.cos(lat)) + Math.PI;
  return {
    elevationDeg: 90 - zen / DEG,
    zenithDeg: zen / DEG,
    azimuthDeg: ((az / DEG) % 360 + 360) % 360,
    declinationDeg: decl / DEG,
    equationOfTimeMin: eqtime,
  };
}

/**
 * Clear-sky global horizontal irradiance, W/m², Haurwitz (1945) model as
 * given by Reno, Hansen & Stein, "Global Horizontal Irradiance Clear Sky
 * Models: Implementation and Analysis", Sandia SAND2012-2389, eq. 3:
 * GHI = 1098 · cos z · exp(-0.057 / cos z). Chosen because it needs no
 * atmospheric inputs and ranked among the best simple models in that study.
 */
export function clearSkyGhiHaurwitz(zenithDeg: number): number {
  const cz = Math.cos(zenithDeg * DEG);
  if (cz <= 0) return 0;
  return 1098 * cz * Math.exp(-0.057 / cz);
}
