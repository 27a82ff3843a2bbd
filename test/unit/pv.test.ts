import { describe, expect, it } from 'vitest';
import { cellTemperatureFaiman, cellTemperatureNoct, dcPower, inverter, inverterState } from '../../simulator/physics/pv';

describe('cell temperature', () => {
  it('Faiman (2008) with the pvlib defaults U0 = 25, U1 = 6.84: 1000 W/m², 25 °C, 1 m/s -> 25 + 1000/31.84 = 56.41 °C', () => {
    expect(cellTemperatureFaiman(1000, 25, 1)).toBeCloseTo(56.407, 3);
  });
  it('Faiman: more wind cools the cell; no sun, no rise', () => {
    expect(cellTemperatureFaiman(800, 20, 5)).toBeLessThan(cellTemperatureFaiman(800, 20, 1));
    expect(cellTemperatureFaiman(0, 12, 3)).toBe(12);
  });
  it('NOCT model returns the NOCT itself at the NOCT conditions (800 W/m², 20 °C air)', () => {
    expect(cellTemperatureNoct(800, 20, 45)).toBe(45);
    expect(cellTemperatureNoct(400, 10, 45)).toBeCloseTo(22.5, 9);
  });
});

describe('PVWatts v5 DC model (Dobos 2014, NREL/TP-6A20-62641)', () => {
  it('delivers P0 · (1 − 14 %) at STC (1000 W/m², 25 °C cell)', () => {
    expect(dcPower(1000, 25, { peakW: 10_000 })).toBeCloseTo(8600, 6);
  });
  it('PVWatts v5 default losses compound to 14.08 %: 2 soiling, 3 shading, 2 mismatch, 2 wiring, 0.5 connections, 1.5 LID, 1 nameplate, 3 availability', () => {
    const kept = [0.02, 0.03, 0.02, 0.02, 0.005, 0.015, 0.01, 0.03].reduce((k, l) => k * (1 - l), 1);
    expect(1 - kept).toBeCloseTo(0.1408, 4);
  });
  it('derates by γ (Tc − 25): 10 kWp at 65 °C, γ = −0.37 %/K -> 10000 · 0.852 · 0.86 = 7327.2 W', () => {
    expect(dcPower(1000, 65, { peakW: 10_000 })).toBeCloseTo(7327.2, 6);
    expect(dcPower(1000, 65, { peakW: 10_000, gammaPerK: -0.0035, systemLoss: 0 })).toBeCloseTo(8600, 6);
  });
  it('scales linearly with irradiance and is never negative', () => {
    expect(dcPower(500, 25, { peakW: 10_000 })).toBeCloseTo(4300, 6);
    expect(dcPower(-5, 25, { peakW: 10_000 })).toBe(0);
    expect(dcPower(1000, 400, { peakW: 10_000 })).toBe(0);
  });
});

describe('PVWatts v5 inverter (Dobos 2014; as pvlib.inverter.pvwatts)', () => {
  const opts = { acRatedW: 9600 };
  const pdc0 = 9600 / 0.96;

  it('runs at exactly the nominal 96 % at rated DC input (ζ = 1: −0.0162 − 0.0059 + 0.9858 = η_ref) without clipping', () => {
    const out = inverter(pdc0, opts);
    expect(out.efficiency).toBeCloseTo(0.96, 12);
    expect(out.acW).toBeCloseTo(9600, 6);
    expect(out.clipped).toBe(false);
  });

  it('follows the part-load curve: η(ζ = 0.5) = 0.96/0.9637 · 0.9659 = 0.96219, η(ζ = 0.1) = 0.96/0.9637 · 0.92518 = 0.92163', () => {
    expect(inverter(0.5 * pdc0, opts).efficiency).toBeCloseTo(0.96219, 5);
    expect(inverter(0.1 * pdc0, opts).acW).toBeCloseTo(0.92163 * 0.1 * pdc0, 0);
  });

  it('clips AC at the rating when DC exceeds Pdc0', () => {
    const out = inverter(1.2 * pdc0, opts);
    expect(out.acW).toBe(9600);
    expect(out.clipped).toBe(true);
    expect(out.efficiency).toBeCloseTo(9600 / (1.2 * pdc0), 12);
  });

  it('stays off when the DC input is too small to cover its losses (ζ below ≈ 0.006) or absent', () => {
    expect(inverter(0.005 * pdc0, opts)).toEqual({ acW: 0, efficiency: 0, clipped: false });
    expect(inverter(0, opts).acW).toBe(0);
    expect(inverter(-100, opts).acW).toBe(0);
  });

  it('reports its state: fault first, then off, clipping, mppt', () => {
    expect(inverterState(5000, false, true)).toBe('fault');
    expect(inverterState(0, false, false)).toBe('off');
    expect(inverterState(9600, true, false)).toBe('clipping');
    expect(inverterState(4000, false, false)).toBe('mppt');
  });
});
