/**
 * Photovoltaic array and inverter: the PVWatts version 5 chain.
 * Dobos, "PVWatts Version 5 Manual", NREL/TP-6A20-62641 (2014): DC power
 * proportional to plane-of-array irradiance with a linear temperature
 * coefficient, a lumped system loss, and a part-load inverter efficiency
 * curve with clipping at the inverter's AC rating. Pure functions; powers in
 * W, temperatures in °C, irradiance in W/m², wind in m/s.
 */

/**
 * Cell temperature from the Faiman (2008) model: Tc = Ta + E / (U0 + U1 · v).
 * Faiman, "Assessing the outdoor operating temperature of photovoltaic
 * modules", Prog. Photovolt. 16(4):307-315 (2008). The defaults U0 = 25
 * W/(m²·K) and U1 = 6.84 W·s/(m³·K) are those of pvlib.temperature.faiman
 * (PVsyst's free-standing values in the Faiman form).
 */
export function cellTemperatureFaiman(poa: number, airC: number, windMs: number, u0 = 25, u1 = 6.84): number {
  return airC + Math.max(0, poa) / (u0 + u1 * Math.max(0, windMs));
}

/**
 * Cell temperature from the nominal operating cell temperature (NOCT),
 * Tc = Ta + (NOCT − 20)/800 · E: the NOCT (800 W/m², 20 °C air, 1 m/s wind)
 * rise scaled linearly with irradiance; Duffie & Beckman, "Solar Engineering
 * of Thermal Processes", § 23.3 (ignores the small efficiency correction).
 * A datasheet NOCT of 45 °C is typical of glass/backsheet modules.
 */
export function cellTemperatureNoct(poa: number, airC: number, noctC = 45): number {
  return airC + ((noctC - 20) / 800) * Math.max(0, poa);
}

export interface DcOptions {
  /** Nameplate DC rating at STC (1000 W/m², 25 °C cell), W. */
  peakW: number;
  /**
   * Power temperature coefficient, 1/K. PVWatts v5 uses −0.0047 ('standard'),
   * −0.0035 ('premium') and −0.0020 ('thin film'); −0.0037 is the typical
   * datasheet value of current mono-crystalline PERC modules.
   */
  gammaPerK?: number;
  /** Lumped system losses, 0..1: PVWatts v5's default is 14 % (soiling, shading, mismatch, wiring, LID, nameplate, availability). */
  systemLoss?: number;
}

/**
 * DC power of the array, W: P = P0 · E/1000 · (1 + γ (Tc − 25)) · (1 − losses),
 * the PVWatts v5 module model (manual, "PV Module Model") with its system
 * loss applied on the DC side as PVWatts does. Never negative.
 */
export function dcPower(poa: number, cellC: number, opts: DcOptions): number {
  const gamma = opts.gammaPerK ?? -0.0037;
  const loss = opts.systemLoss ?? 0.14;
  const p = opts.peakW * (Math.max(0, poa) / 1000) * (1 + gamma * (cellC - 25)) * (1 - loss);
  return Math.max(0, p);
}

export interface InverterOptions {
  /** AC power rating, W (PVWatts' Pac0). */
  acRatedW: number;
  /** Nominal efficiency at rated power (PVWatts v5 default 0.96). */
  nominalEfficiency?: number;
  /** Reference efficiency of the normalised curve, defined by PVWatts as 0.9637. */
  refEfficiency?: number;
}

export interface InverterOutput {
  acW: number;
  /** AC/DC efficiency at this operating point, 0..1 (0 when off). */
  efficiency: number;
  /** True when the inverter limits its output to acRatedW. */
  clipped: boolean;
}

/**
 * PVWatts v5 inverter (manual, "Inverter Model"; as pvlib.inverter.pvwatts):
 * η = η_nom/η_ref · (−0.0162 ζ − 0.0059/ζ + 0.9858), ζ = Pdc/Pdc0 with
 * Pdc0 = Pac0/η_nom, and Pac = min(η · Pdc, Pac0). At ζ = 1 the bracket is
 * exactly η_ref, so η = η_nom at rated power.
 */
export function inverter(dcW: number, opts: InverterOptions): InverterOutput {
  const etaNom = opts.nominalEfficiency ?? 0.96;
  const etaRef = opts.refEfficiency ?? 0.9637;
  const pdc0 = opts.acRatedW / etaNom;
  if (!(dcW > 0) || !(pdc0 > 0)) return { acW: 0, efficiency: 0, clipped: false };
  const zeta = dcW / pdc0;
  const eta = (etaNom / etaRef) * (-0.0162 * zeta - 0.0059 / zeta + 0.9858);
  // Below ζ ≈ 0.006 the curve turns negative: the inverter cannot cover its own losses and stays off.
  if (eta <= 0) return { acW: 0, efficiency: 0, clipped: false };
  const ac = eta * dcW;
  // A relative tolerance so that ζ = 1 exactly (η·Pdc = Pac0 up to rounding) does not count as clipping.
  if (ac > opts.acRatedW * (1 + 1e-12)) return { acW: opts.acRatedW, efficiency: opts.acRatedW / dcW, clipped: true };
  return { acW: ac, efficiency: eta, clipped: false };
}

export type InverterState = 'off' | 'mppt' | 'clipping' | 'fault';

/** Operating state an inverter would report (fault wins; no AC output is 'off'). */
export function inverterState(acW: number, clipped: boolean, fault: boolean): InverterState {
  if (fault) return 'fault';
  if (!(acW > 0)) return 'off';
  return clipped ? 'clipping' : 'mppt';
}
