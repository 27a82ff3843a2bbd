/**
 * Indoor CO2 of a well-mixed zone: the single-zone mass balance
 * V dC/dt = G·N − Q (C − C_out), solved exactly over a step (constant inputs),
 * so a large time step stays stable. Persily & de Jonge, "Carbon dioxide
 * generation rates for building occupants", Indoor Air 27 (2017): about
 * 0.0052 L/s per seated adult at 1.2 met.
 */
export interface Co2Inputs {
  occupants: number;
  volumeM3: number;
  /** Outdoor air supply, m³/s. */
  ventilationM3s: number;
  outdoorPpm: number;
  /** CO2 generated per person, L/s. */
  generationLsPerPerson: number;
}

export function co2Step(currentPpm: number, inp: Co2Inputs, dtS: number): number {
  // Steady state: C_ss = C_out + G·N / Q (G in m³/s, ppm = 1e6 · volume fraction).
  const genM3s = (inp.occupants * inp.generationLsPerPerson) / 1000;
  if (inp.ventilationM3s <= 0) return currentPpm + (genM3s / inp.volumeM3) * 1e6 * dtS;
  const steady = inp.outdoorPpm + (genM3s / inp.ventilationM3s) * 1e6;
  const decay = Math.exp((-inp.ventilationM3s / inp.volumeM3) * dtS);
  return steady + (currentPpm - steady) * decay;
}
