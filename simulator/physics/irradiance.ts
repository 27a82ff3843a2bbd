/**
 * Solar irradiance: extraterrestrial beam, global-to-beam/diffuse
 * decomposition and transposition onto a tilted plane. Pure functions of
 * their arguments; angles in degrees, irradiances in W/m², azimuths clockwise
 * from north (180 = south), tilts from the horizontal (90 = vertical wall).
 */

const DEG = Math.PI / 180;

/**
 * Total solar irradiance at one astronomical unit, W/m²: 1360.8 ± 0.5 from
 * SORCE/TIM, Kopp & Lean, "A new, lower value of total solar irradiance",
 * Geophys. Res. Lett. 38, L01706 (2011). The older 1367 W/m² (WRC) is ~0.4 %
 * higher; nothing in this simulator can tell the two apart.
 */
export const SOLAR_CONSTANT_WM2 = 1361;

/**
 * Extraterrestrial direct normal irradiance at the top of the atmosphere,
 * W/m²: the solar constant times Spencer's (1971) Fourier series for the
 * eccentricity correction factor (r0/r)² of the Earth's orbit, as given by
 * Iqbal, "An Introduction to Solar Radiation" (1983), eq. 1.2.1:
 * E0 = 1.000110 + 0.034221 cos Γ + 0.001280 sin Γ + 0.000719 cos 2Γ + 0.000077 sin 2Γ,
 * Γ = 2π(n − 1)/365, n the day of the year.
 */
export function extraterrestrialNormal(timeMs: number): number {
  const d = new Date(timeMs);
  const n = Math.floor((timeMs - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  const g = (2 * Math.PI * (n - 1)) / 365;
  const e0 = 1.00011 + 0.034221 * Math.cos(g) + 0.00128 * Math.sin(g) + 0.000719 * Math.cos(2 * g) + 0.000077 * Math.sin(2 * g);
  return SOLAR_CONSTANT_WM2 * e0;
}

/**
 * Diffuse fraction DHI/GHI of hourly global irradiance from the clearness
 * index kt: Erbs, Klein & Duffie, "Estimation of the diffuse radiation
 * fraction for hourly, daily and monthly-average global radiation", Solar
 * Energy 28(4):293-302 (1982), eq. 1 (also Duffie & Beckman, "Solar
 * Engineering of Thermal Processes", eq. 2.10.1).
 */
export function erbsDiffuseFraction(kt: number): number {
  if (kt <= 0.22) return 1 - 0.09 * Math.max(0, kt);
  if (kt <= 0.8) return 0.9511 - 0.1604 * kt + 4.388 * kt ** 2 - 16.638 * kt ** 3 + 12.336 * kt ** 4;
  return 0.165;
}

export interface Decomposition {
  /** Direct normal irradiance, W/m². */
  dni: number;
  /** Diffuse horizontal irradiance, W/m². */
  dhi: number;
  /** Clearness index GHI / (I0 · cos z), dimensionless, 0..1. */
  kt: number;
}

/** cos z floor for the clearness index: 0.065 (z = 86.27°), pvlib's erbs() default, so kt stays finite at sunrise. */
const MIN_COS_ZENITH = 0.065;
/** Beyond this zenith the beam is set to zero (pvlib's erbs() max_zenith): dividing by cos z there only amplifies noise. */
const MAX_ZENITH_DEG = 87;
/** Cap on kt: Erbs is flat above 0.8 anyway, and cloud-edge enhancement never pushes GHI beyond the extraterrestrial value. */
const MAX_KT = 1;

/**
 * Splits global horizontal irradiance into its direct normal and diffuse
 * horizontal parts with the Erbs et al. (1982) correlation, following the
 * procedure of pvlib.irradiance.erbs: kt = GHI / (I0 · max(cos z, 0.065)),
 * DHI = kd(kt) · GHI, DNI = (GHI − DHI) / cos z, DNI = 0 beyond z = 87°.
 * Zero at night. DHI + DNI · cos z = GHI always holds (beyond 87° all of
 * GHI is counted as diffuse).
 */
export function decompose(ghi: number, zenithDeg: number, timeMs: number): Decomposition {
  const cosZ = Math.cos(zenithDeg * DEG);
  if (!(ghi > 0) || cosZ <= 0) return { dni: 0, dhi: 0, kt: 0 };
  const i0 = extraterrestrialNormal(timeMs);
  const kt = Math.min(MAX_KT, ghi / (i0 * Math.max(cosZ, MIN_COS_ZENITH)));
  if (zenithDeg > MAX_ZENITH_DEG) return { dni: 0, dhi: ghi, kt };
  const dhi = erbsDiffuseFraction(kt) * ghi;
  // The beam can never exceed what arrives at the top of the atmosphere.
  const dni = Math.min(i0, Math.max(0, (ghi - dhi) / cosZ));
  return { dni, dhi: ghi - dni * cosZ, kt };
}

/**
 * Angle of incidence of the beam on a plane, degrees (0 = beam normal to the
 * plane, > 90 = sun behind it): cos θ = cos z cos β + sin z sin β cos(γs − γ),
 * Duffie & Beckman eq. 1.6.3 written with azimuths from north.
 */
export function angleOfIncidence(sunZenithDeg: number, sunAzimuthDeg: number, tiltDeg: number, surfaceAzimuthDeg: number): number {
  return Math.acos(Math.min(1, Math.max(-1, cosIncidence(sunZenithDeg, sunAzimuthDeg, tiltDeg, surfaceAzimuthDeg)))) / DEG;
}

function cosIncidence(sunZenithDeg: number, sunAzimuthDeg: number, tiltDeg: number, surfaceAzimuthDeg: number): number {
  const z = sunZenithDeg * DEG;
  const b = tiltDeg * DEG;
  return Math.cos(z) * Math.cos(b) + Math.sin(z) * Math.sin(b) * Math.cos((sunAzimuthDeg - surfaceAzimuthDeg) * DEG);
}

export interface TranspositionInput {
  ghi: number;
  dni: number;
  dhi: number;
  sunZenithDeg: number;
  sunAzimuthDeg: number;
  tiltDeg: number;
  surfaceAzimuthDeg: number;
  /** Ground reflectance, 0..1 (0.2 is the customary default for grass/concrete). */
  albedo: number;
  /** Extraterrestrial normal irradiance, W/m² (extraterrestrialNormal); only the anisotropic model uses it. */
  dniExtra: number;
}

export interface PlaneOfArray {
  /** Total plane-of-array irradiance, W/m². */
  poa: number;
  beam: number;
  skyDiffuse: number;
  ground: number;
}

/** Floor on cos z in the beam projection ratio Rb, pvlib's haydavies() value (cos 89°), so Rb stays finite at sunrise. */
const MIN_COS_ZENITH_RB = 0.01745;

function beamAndGround(p: TranspositionInput): { beam: number; ground: number; cosTheta: number; cosTilt: number } {
  const cosTheta = cosIncidence(p.sunZenithDeg, p.sunAzimuthDeg, p.tiltDeg, p.surfaceAzimuthDeg);
  const cosTilt = Math.cos(p.tiltDeg * DEG);
  const sunUp = p.sunZenithDeg < 90;
  return {
    beam: sunUp ? Math.max(0, p.dni * cosTheta) : 0,
    // Isotropic ground reflection, Liu & Jordan (1963): the plane sees (1 − cos β)/2 of the ground.
    ground: Math.max(0, p.ghi * p.albedo * (1 - cosTilt) / 2),
    cosTheta,
    cosTilt,
  };
}

/**
 * Plane-of-array irradiance with an isotropic sky: Liu & Jordan, "The
 * long-term average performance of flat-plate solar-energy collectors",
 * Solar Energy 7(2):53-74 (1963). Sky diffuse = DHI · (1 + cos β)/2.
 */
export function transposeIsotropic(p: TranspositionInput): PlaneOfArray {
  const { beam, ground, cosTilt } = beamAndGround(p);
  const skyDiffuse = Math.max(0, p.dhi * (1 + cosTilt) / 2);
  return { poa: beam + skyDiffuse + ground, beam, skyDiffuse, ground };
}

/**
 * Plane-of-array irradiance with the Hay & Davies anisotropic sky: Hay &
 * Davies, "Calculation of the solar radiation incident on an inclined
 * surface", Proc. First Canadian Solar Radiation Data Workshop (1980).
 * A share Ai = DNI / I0 of the diffuse light is circumsolar and projected
 * like the beam (Rb = cos θ / cos z); the rest is isotropic:
 * sky = DHI · (Ai · Rb + (1 − Ai)(1 + cos β)/2), as in pvlib.irradiance.haydavies.
 */
export function transposeHayDavies(p: TranspositionInput): PlaneOfArray {
  const { beam, ground, cosTheta, cosTilt } = beamAndGround(p);
  const sunUp = p.sunZenithDeg < 90;
  const ai = sunUp && p.dniExtra > 0 ? Math.min(1, Math.max(0, p.dni / p.dniExtra)) : 0;
  const rb = sunUp ? Math.max(0, cosTheta) / Math.max(Math.cos(p.sunZenithDeg * DEG), MIN_COS_ZENITH_RB) : 0;
  const skyDiffuse = Math.max(0, p.dhi * (ai * rb + (1 - ai) * (1 + cosTilt) / 2));
  return { poa: beam + skyDiffuse + ground, beam, skyDiffuse, ground };
}
