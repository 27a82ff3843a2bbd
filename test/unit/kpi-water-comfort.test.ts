import { describe, expect, it } from 'vitest';
import { type ComfortHour, comfortTable } from '../../server/kpi/comfort';
import { type WaterHour, waterTable } from '../../server/kpi/water';

const TZ = 'Europe/Paris';
const H = 3_600_000;

describe('rainwater', () => {
  const t0 = Date.UTC(2026, 4, 4, 8);
  const hour = (i: number, w: Partial<WaterHour>): WaterHour => ({ t: t0 + i * H, rainMm: 0, inflowL: 0, toiletL: 0, wateringL: 0, topupL: 0, overflowL: 0, ...w });

  it('counts rain, harvest, uses, top-up and overflow, and the potable water the rain replaced', () => {
    const hours = [hour(0, { rainMm: 2, inflowL: 400, overflowL: 50 }), hour(1, { toiletL: 300, wateringL: 200, topupL: 100 })];
    const t = waterTable(hours, [{ startMs: t0, endMs: t0 + 2 * H }], 4.2).totals;
    expect(t).toMatchObject({ rainfallMm: 2, harvestedM3: 0.4, toiletM3: 0.3, wateringM3: 0.2, usedM3: 0.5, mainsTopupM3: 0.1, overflowM3: 0.05 });
    expect(t.potableSavedM3).toBeCloseTo(0.4, 12);
    expect(t.potableSavedEur).toBeCloseTo(1.68, 12);
    expect(t.substitutionPct).toBeCloseTo(80, 10);
  });

  it('keeps a top-up that fills the tank ahead of its use in the balance, so rows still add up', () => {
    const hours = [hour(0, { topupL: 500 }), hour(1, { toiletL: 500 })];
    const spans = [
      { startMs: t0, endMs: t0 + H },
      { startMs: t0 + H, endMs: t0 + 2 * H },
    ];
    const t = waterTable(hours, spans, 4.2);
    expect(t.rows.map((r) => r.potableSavedM3)).toEqual([-0.5, 0.5]);
    expect(t.totals.potableSavedM3).toBe(0);
    // The uses were all mains water: 0 %, and no rate at all for an hour without use.
    expect(t.totals.substitutionPct).toBe(0);
    expect(t.rows[0]?.substitutionPct).toBeNull();
  });
});

describe('comfort by EN 16798-1 category over occupied hours', () => {
  // Winter hours in January, summer ones in July (local months).
  const jan = Date.UTC(2026, 0, 12, 9);
  const jul = Date.UTC(2026, 6, 13, 9);
  const h = (t: number, x: Partial<ComfortHour>): ComfortHour => ({ t, occupancy: 3, co2Ppm: 700, temperatureC: 22, humidityPct: 40, outdoorC: 5, ...x });

  it('classifies each occupied hour, counts missing readings as missing, and ignores unoccupied hours', () => {
    const hours: ComfortHour[] = [
      // CO2 480 above outdoor: I; 22 °C in the heating season: I; 55 %RH: II.
      h(jan, { co2Ppm: 900, temperatureC: 22, humidityPct: 55 }),
      // 880 above: III; 19.5 °C: III; no humidity reading.
      h(jan + H, { co2Ppm: 1300, temperatureC: 19.5, humidityPct: null }),
      // July at 25 °C outdoors: cooling-season ranges, where 22 °C is III; no CO2 reading.
      h(jul, { co2Ppm: null, temperatureC: 22, outdoorC: 25 }),
      // July at 12 °C outdoors: the heating season's ranges again, 22 °C is I.
      h(jul + H, { co2Ppm: 2000, temperatureC: 22, outdoorC: 12, humidityPct: 75 }),
      // Unoccupied, or no occupancy reading: not counted.
      h(jul + 2 * H, { occupancy: 0, co2Ppm: 3000 }),
      h(jul + 3 * H, { occupancy: null, co2Ppm: 3000 }),
    ];
    const t = comfortTable([{ zone: 'r1', label: 'Room 1', hours }], [{ startMs: jan, endMs: jul + 4 * H }], 420, TZ);
    expect(t.zones[0]?.zone).toBe('r1');
    const z = t.zones[0]?.figures;
    expect(z).toMatchObject({
      occupiedHours: 4,
      co2I: 1,
      co2II: 0,
      co2III: 1,
      co2IV: 1,
      co2Missing: 1,
      temperatureI: 2,
      temperatureIII: 2,
      temperatureMissing: 0,
      humidityI: 1,
      humidityII: 1,
      humidityIV: 1,
      humidityMissing: 1,
    });
    // Shares of the classified hours: CO2 1 of 3, temperature 2 of 4.
    expect(z?.co2IIOrBetterPct).toBeCloseTo(100 / 3, 10);
    expect(z?.temperatureIIOrBetterPct).toBe(50);
    expect(t.totals.occupiedHours).toBe(4);
  });

  it('takes the season from the local month: 1 May 00:30 in Paris is still 30 April in UTC', () => {
    const mayFirst = Date.UTC(2026, 3, 30, 22); // 00:00 local, 1 May
    const t = comfortTable([{ zone: 'r1', label: 'Room 1', hours: [h(mayFirst, { temperatureC: 22, outdoorC: 18 })] }], [{ startMs: mayFirst, endMs: mayFirst + H }], 420, TZ);
    expect(t.zones[0]?.figures.temperatureIII).toBe(1); // cooling season: 22 °C is III
  });

  it('gives rows per interval and zone that add up to each zone, and totals in zone-hours', () => {
    const spans = [
      { startMs: jan, endMs: jan + 2 * H },
      { startMs: jan + 2 * H, endMs: jan + 4 * H },
    ];
    const a = [0, 1, 2, 3].map((i) => h(jan + i * H, { co2Ppm: 600 + 300 * i }));
    const b = [0, 1, 2, 3].map((i) => h(jan + i * H, { occupancy: i % 2 }));
    const t = comfortTable(
      [
        { zone: 'a', label: 'A', hours: a },
        { zone: 'b', label: 'B', hours: b },
      ],
      spans,
      420,
      TZ,
    );
    expect(t.rows.map((r) => [r.span, r.zone, r.figures.occupiedHours])).toEqual([
      [0, 'a', 2],
      [0, 'b', 1],
      [1, 'a', 2],
      [1, 'b', 1],
    ]);
    expect(t.totals.occupiedHours).toBe(6);
    // 600, 900, 1200 and 1500 ppm are 180, 480, 780 and 1080 above outdoor: I, I, II, III.
    expect(t.zones.map(({ figures: z }) => [z.co2I, z.co2II, z.co2III, z.co2IV])).toEqual([
      [2, 1, 1, 0],
      [2, 0, 0, 0],
    ]);
  });
});
