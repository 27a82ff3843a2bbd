import type { Building } from '../shared/building';
import { SUBMETERS } from '../shared/device-types';
import { roomSensorId } from '../shared/catalogue';
import { localTime } from './physics/calendar';
import { BESANCON_NORMALS } from './physics/climate-besancon';
import { co2Step } from './physics/co2';
import { type Category, co2Category, temperatureCategory } from './physics/comfort';
import { type ChargerState, allocateCharging, chargerState, drawSession, evArrivalRate } from './physics/ev';
import { extraterrestrialNormal, transposeHayDavies } from './physics/irradiance';
import { type ZoneUse, occupancyShare, occupants as drawOccupants } from './physics/occupancy';
import { cellTemperatureFaiman, dcPower, inverter, inverterState } from './physics/pv';
import { type TankState, initialTankState, tankStep, toiletDemandL, wateringDemandL } from './physics/rainwater';
import { solarPosition } from './physics/sun';
import { heatRecovery, heatingCurveSupplyC, heatingPowerW, internalGainsW, substation, ventilationConductanceWPerK, zoneStep } from './physics/thermal';
import { type Weather, type WeatherSample, createWeather } from './physics/weather';
import { type Rng, createRng } from './random';
import type { ScenarioEffects } from './scenarios';
import type { Sample } from './pack';

/**
 * The simulated building: every physical model stepped together, so that every
 * device reads the same instant of one consistent world. The energy balance
 * holds exactly at every step (consumption = self-consumed + imported, PV =
 * self-consumed + exported), and so does the rainwater mass balance.
 */

const OUTDOOR_CO2_PPM = 420;
/** CO2 generation per seated adult, L/s (Persily & de Jonge 2017). */
const CO2_LS_PER_PERSON = 0.0052;
/** Infiltration when the AHU is off: 0.1 air change per hour (a tight, recent envelope; assumption). */
const INFILTRATION_ACH = 0.1;
/** Solar gains: glazing at 15 % of the floor area, g-value 0.5, half the horizontal irradiance reaching the facade (assumption). */
const SOLAR_APERTURE_PER_M2 = 0.15 * 0.5 * 0.5;
/** Daylight: luminous efficacy of daylight ~110 lm/W, daylight factor 2 % (EN 17037 minimum target). */
const DAYLIGHT_LX_PER_WM2 = 110 * 0.02;
/** Lighting keeps 500 lx on work planes (EN 12464-1 offices). */
const LIGHTING_TARGET_LX = 500;
const KWH = 3_600_000;

interface ZoneModel {
  id: string;
  use: ZoneUse;
  areaM2: number;
  volumeM3: number;
  capacity: number;
  sensor: boolean;
  /** Share of the AHU airflow the zone receives (by design occupancy). */
  airShare: number;
  heated: boolean;
}

export interface ZoneState {
  tempC: number;
  co2Ppm: number;
  rh: number;
  occupants: number;
  lux: number;
}

interface ChargerSession {
  needWh: number;
  maxW: number;
  departAt: number;
  energyWh: number;
}

/** Everything the world remembers from one step to the next: JSON, so a run can stop and resume. */
export interface WorldState {
  t: number;
  zones: ZoneState[];
  tank: TankState;
  dryDays: number;
  lastRainDay: number;
  chargers: Array<{ session: ChargerSession | null; finishedUntil: number; lastSessionWh: number }>;
  counters: {
    pvWh: number[];
    importWh: number;
    exportWh: number;
    submeterWh: Record<string, number>;
    chargerWh: number[];
    heatWh: number;
    rainMm: number;
    tankL: { inflow: number; toilet: number; watering: number; topup: number; overflow: number };
  };
  rngState: number;
}

/** What the world looks like at one instant, for devices and for the yearly report. */
export interface Snapshot {
  weather: WeatherSample;
  pv: Array<{ acW: number; dcW: number; moduleC: number; state: string }>;
  pvW: number;
  consumptionW: number;
  importW: number;
  exportW: number;
  selfConsumedW: number;
  loads: { lightingW: number; plugsW: number; ahuW: number; fablabW: number; evW: number; baseW: number };
  evPvW: number;
  chargers: Array<{ state: ChargerState; powerW: number; sessionWh: number }>;
  heat: { powerW: number; supplyC: number; returnC: number };
  ahu: { outdoorC: number; supplyC: number; extractC: number; exhaustC: number; airflowM3s: number; fanW: number; efficiency: number };
  tankFlows: { inflowL: number; toiletL: number; wateringL: number; topupL: number; overflowL: number; rainMm: number };
  zones: ZoneState[];
  /** EN 16798-1 categories of each zone at this instant. */
  categories: Array<{ co2: Category; temperature: Category }>;
  heatingSeason: boolean;
}

/** Saturation vapour pressure over water, hPa (Magnus formula, Alduchov & Eskridge 1996). */
function saturationHpa(tC: number): number {
  return 6.1094 * Math.exp((17.625 * tC) / (tC + 243.04));
}

export class World {
  private readonly b: Building;
  private readonly zones: ZoneModel[];
  private readonly weather: Weather;
  private rng: Rng;
  private rngState: number;
  private effects: ScenarioEffects = { description: 'normal' };
  private s: WorldState;
  private snap: Snapshot | undefined;
  private readonly deviceIndex = new Map<string, (s: Snapshot) => Sample['values']>();
  /** Equipment out of order (the "equipment" fault): inverters and chargers by device id. */
  private readonly failed = new Set<string>();

  constructor(building: Building, readonly seed: number, start: number, state?: WorldState) {
    this.b = building;
    const occupied = building.zones.filter((z) => z.use !== 'roof' && z.use !== 'outdoor');
    const designPeople = occupied.reduce((a, z) => a + z.capacity, 0) || 1;
    this.zones = occupied.map((z) => ({
      id: z.id,
      use: z.use as ZoneUse,
      areaM2: z.areaM2,
      volumeM3: Math.max(1, z.areaM2 * z.heightM),
      capacity: z.capacity,
      sensor: z.sensor,
      airShare: z.use === 'technical' ? 0 : z.capacity / designPeople,
      heated: z.use !== 'technical',
    }));
    this.weather = createWeather({ seed, climate: BESANCON_NORMALS, latitude: building.site.latitude, longitude: building.site.longitude });
    this.rngState = state?.rngState ?? (seed ^ 0x5bd1e995) >>> 0;
    this.rng = createRng(this.rngState);
    this.s = state ?? {
      t: start,
      zones: this.zones.map(() => ({ tempC: 20, co2Ppm: OUTDOOR_CO2_PPM + 30, rh: 45, occupants: 0, lux: 0 })),
      tank: initialTankState(building.rainwater.capacityL * 0.5),
      dryDays: 0,
      lastRainDay: Math.floor(start / 86_400_000),
      chargers: building.chargers.map(() => ({ session: null, finishedUntil: 0, lastSessionWh: 0 })),
      counters: {
        pvWh: building.pv.inverters.map(() => 0),
        importWh: 0,
        exportWh: 0,
        submeterWh: Object.fromEntries(SUBMETERS.map((m) => [m.id, 0])),
        chargerWh: building.chargers.map(() => 0),
        heatWh: 0,
        rainMm: 0,
        tankL: { inflow: 0, toilet: 0, watering: 0, topup: 0, overflow: 0 },
      },
      rngState: this.rngState,
    };
    this.buildDeviceIndex();
    // A fresh world reads its first instant now; a restored one waits for its next step, so
    // that it continues exactly as the run it was saved from (no extra random draws).
    if (!state) this.snap = this.compute(this.s.t, 0);
  }

  get t(): number {
    return this.s.t;
  }

  get snapshot(): Snapshot {
    if (!this.snap) throw new Error('world not stepped');
    return this.snap;
  }

  /** The state to save, so that a restarted simulator continues (and never runs counters backwards). */
  exportState(): WorldState {
    return structuredClone({ ...this.s, rngState: this.rngState });
  }

  setScenario(effects: ScenarioEffects): void {
    this.effects = effects;
  }

  /** Puts an inverter or a charger out of order (or back): it reports "fault" and delivers nothing. */
  setEquipmentFault(deviceId: string, failed: boolean): void {
    if (failed) this.failed.add(deviceId);
    else this.failed.delete(deviceId);
  }

  /** Advances the world to `tMs` in one step (callers choose the step; at most a minute keeps it smooth). */
  step(tMs: number): Snapshot {
    const dtS = Math.max(0, (tMs - this.s.t) / 1000);
    this.snap = this.compute(tMs, dtS);
    this.s.t = tMs;
    return this.snap;
  }

  /** The values a device would report now, point by point. */
  read(deviceId: string): Sample['values'] {
    const reader = this.deviceIndex.get(deviceId);
    if (!reader) throw new Error(`the simulator has no model for device "${deviceId}"`);
    return reader(this.snapshot);
  }

  private draw(): number {
    // A private counter-based stream: the state is one integer, saved with the world.
    this.rngState = (this.rngState + 1) >>> 0;
    this.rng = createRng(this.rngState);
    return this.rng();
  }

  private compute(t: number, dtS: number): Snapshot {
    const b = this.b;
    const s = this.s;
    const fx = this.effects;
    const local = localTime(t);
    const w = this.weather.sample(t, undefined, fx.weather);
    const sun = solarPosition(t, b.site.latitude, b.site.longitude);

    // --- PV: transposition per array, cell temperature, DC, then each inverter.
    const dniExtra = extraterrestrialNormal(t);
    const dcByInverter = new Map<string, { dcW: number; cellC: number; peak: number }>();
    for (const a of b.pv.arrays) {
      const poa = transposeHayDavies({ ghi: w.ghi, dni: w.dni, dhi: w.dhi, sunZenithDeg: sun.zenithDeg, sunAzimuthDeg: sun.azimuthDeg, tiltDeg: a.tiltDeg, surfaceAzimuthDeg: a.azimuthDeg, albedo: b.pv.albedo, dniExtra }).poa;
      const cellC = cellTemperatureFaiman(poa, w.airTempC, w.windMs);
      const dcW = dcPower(poa, cellC, { peakW: a.peakW, gammaPerK: b.pv.gammaPerK, systemLoss: b.pv.systemLoss });
      const acc = dcByInverter.get(a.inverter) ?? { dcW: 0, cellC: 0, peak: 0 };
      // Module temperature reported by the inverter: the rating-weighted mean of its arrays.
      acc.cellC = (acc.cellC * acc.peak + cellC * a.peakW) / (acc.peak + a.peakW);
      acc.peak += a.peakW;
      acc.dcW += dcW;
      dcByInverter.set(a.inverter, acc);
    }
    const pv = b.pv.inverters.map((inv) => {
      const d = dcByInverter.get(inv.id) ?? { dcW: 0, cellC: w.airTempC, peak: 0 };
      if (this.failed.has(inv.id)) return { acW: 0, dcW: 0, moduleC: d.cellC, state: inverterState(0, false, true) as string };
      const out = inverter(d.dcW, { acRatedW: inv.acRatedW, nominalEfficiency: inv.nominalEfficiency });
      return { acW: out.acW, dcW: d.dcW, moduleC: d.cellC, state: inverterState(out.acW, out.clipped, false) as string };
    });
    const pvW = pv.reduce((a, p) => a + p.acW, 0);

    // --- Occupancy and zones' use.
    const occ = { weekday: local.weekday, hour: local.hour, isHoliday: local.isHoliday };
    let people = 0;
    let openShare = 0;
    const zoneOccupants = this.zones.map((z) => {
      const n = z.capacity > 0 ? drawOccupants(z.use, z.capacity, occ, this.draw(), this.draw()) : 0;
      people += n;
      openShare = Math.max(openShare, z.capacity > 0 ? occupancyShare(z.use, occ) : 0);
      return n;
    });
    const buildingOpen = openShare > 0;

    // --- AHU: on while the building is open, airflow following demand (CO2-controlled VAV, 30 % minimum).
    const designPeople = this.zones.reduce((a, z) => a + z.capacity, 0) || 1;
    const heatingSeason = w.airTempC < 15 || local.month <= 4 || local.month >= 10;
    const meanIndoorC = s.zones.reduce((a, z) => a + z.tempC, 0) / Math.max(1, s.zones.length);
    // Summer night flushing: outside the heating season, a warm building with cooler air outside
    // is ventilated at half flow overnight (a standard AHU free-cooling sequence).
    const nightFlush = !buildingOpen && meanIndoorC > 24 && w.airTempC < meanIndoorC - 2;
    const demand = buildingOpen ? Math.min(1, Math.max(0.3, people / designPeople)) : nightFlush ? 0.5 : 0;
    const airflow = b.ahu.designAirflowM3s * demand;
    // Fan affinity laws: power grows with the cube of the flow; SFP holds at design flow.
    const fanW = b.ahu.sfpWPerM3s * b.ahu.designAirflowM3s * demand ** 3;
    // The recovery is bypassed when it would only heat a warm building (EN 16798-3 summer bypass).
    const bypass = meanIndoorC > 23 && w.airTempC < meanIndoorC;
    const recoveryEff = fx.heatRecoveryFailed || bypass ? 0 : b.ahu.recoveryEfficiency;

    // --- Zones: daylight, lighting, gains, heating, temperature, CO2, humidity.
    const outdoorVp = saturationHpa(w.dewPointC);
    let lightingW = 0;
    let heatingDemandW = 0;
    let extractSum = 0;
    let extractWeight = 0;
    const daylightLx = w.ghi * DAYLIGHT_LX_PER_WM2;
    const plugsW = people * b.loads.plugsWPerPerson + 0.15 * b.loads.plugsWPerPerson * designPeople;
    const zoneStates: ZoneState[] = [];
    const categories: Array<{ co2: Category; temperature: Category }> = [];
    const maxHeatPerM2 = b.heating.substationMaxW / (this.zones.reduce((a, z) => a + (z.heated ? z.areaM2 : 0), 0) || 1);
    this.zones.forEach((z, i) => {
      const prev = s.zones[i] as ZoneState;
      const n = zoneOccupants[i] ?? 0;
      const occupied = n > 0;
      // Lights on when occupied and daylight falls short of the target (daylight-linked dimming).
      const lightShare = occupied ? Math.max(0.1, 1 - daylightLx / LIGHTING_TARGET_LX) : z.use === 'circulation' || z.use === 'reception' ? 0.05 : 0;
      const zoneLightW = z.areaM2 * b.loads.lightingWPerM2 * lightShare;
      lightingW += zoneLightW;
      const lux = daylightLx + (occupied ? LIGHTING_TARGET_LX * lightShare : 0);
      const setpoint = buildingOpen ? b.heating.setpointOccupiedC : b.heating.setpointUnoccupiedC;
      const heatW = z.heated && heatingSeason ? heatingPowerW(prev.tempC, setpoint, maxHeatPerM2 * z.areaM2) : 0;
      heatingDemandW += heatW;
      const zoneAir = airflow * z.airShare;
      const infiltration = (INFILTRATION_ACH * z.volumeM3) / 3600;
      const tempC = zoneStep(
        prev.tempC,
        {
          outdoorC: w.airTempC,
          heatingW: heatW,
          // External blinds come down in a warm room, cutting solar gains to about a third (g 0.5 -> 0.15).
          solarGainW: w.ghi * z.areaM2 * SOLAR_APERTURE_PER_M2 * (prev.tempC > 24 ? 0.3 : 1),
          internalGainW: internalGainsW(n, zoneLightW + (plugsW * n) / Math.max(1, people)),
          uaWPerK: b.heating.fabricUaWPerKM2 * z.areaM2,
          ventilationWPerK: ventilationConductanceWPerK(zoneAir, recoveryEff) + ventilationConductanceWPerK(infiltration, 0),
          capacitanceJPerK: b.heating.capacitanceJPerKM2 * z.areaM2,
        },
        dtS,
      );
      const co2Ppm = co2Step(prev.co2Ppm, { occupants: n, volumeM3: z.volumeM3, ventilationM3s: zoneAir + infiltration, outdoorPpm: OUTDOOR_CO2_PPM, generationLsPerPerson: CO2_LS_PER_PERSON }, dtS);
      // Indoor vapour pressure: outdoor air plus the moisture of occupants (~50 g/h each, ISO 13788),
      // diluted by the zone's airflow; RH follows from the indoor temperature.
      // 1 g/m³ of water vapour is 1.35 hPa at room temperature (ideal gas: e = ρv·Rv·T, Rv = 461.5 J/kg·K).
      const moistureHpa = (((n * 50) / 3600) / Math.max(0.02, zoneAir + infiltration)) * 1.35;
      const rh = Math.min(95, Math.max(15, (100 * (outdoorVp + moistureHpa)) / saturationHpa(tempC)));
      if (zoneAir > 0) {
        extractSum += tempC * zoneAir;
        extractWeight += zoneAir;
      }
      const zs = { tempC, co2Ppm, rh, occupants: n, lux };
      zoneStates.push(zs);
      categories.push({ co2: co2Category(co2Ppm, OUTDOOR_CO2_PPM), temperature: temperatureCategory(tempC, heatingSeason ? 'heating' : 'cooling') });
    });
    const extractC = extractWeight > 0 ? extractSum / extractWeight : (zoneStates[0]?.tempC ?? 20);
    const recovery = heatRecovery(w.airTempC, extractC, recoveryEff);
    // The AHU's heating coil brings the supply air to 18 °C in the heating season, on district heat.
    // Never while flushing the building with cool night air: that air is wanted cool.
    const supplyC = airflow > 0 && heatingSeason && buildingOpen ? Math.max(recovery.supplyC, 18) : recovery.supplyC;
    const coilW = airflow > 0 ? 1200 * airflow * Math.max(0, supplyC - recovery.supplyC) : 0;
    const heatW = Math.min(b.heating.substationMaxW, heatingDemandW + coilW);
    const supplyWaterC = heatingCurveSupplyC(w.airTempC);
    // Design flow of the primary: ΔT 30 K at full power.
    const sub = substation(heatW, supplyWaterC, b.heating.substationMaxW / (4180 * 30));

    // --- Loads other than EV.
    const fablabShare = this.zones.filter((z) => z.use === 'fablab').reduce((a, z) => a + occupancyShare(z.use, occ), 0);
    const fablabW = fablabShare > 0 ? b.loads.fablabMachinesW * fablabShare * (0.3 + 0.7 * this.draw()) : 0.02 * b.loads.fablabMachinesW;
    const pumpsW = heatW > 0 ? b.loads.pumpsW : 0.1 * b.loads.pumpsW;
    const ahuW = fanW + pumpsW;
    const baseW = b.loads.baseW;
    const nonEvW = baseW + lightingW + plugsW + ahuW + fablabW;

    // --- EV chargers: arrivals, then charging that follows the PV surplus first.
    const arrivalsPerS = (evArrivalRate(occ, b.chargers.length) * (fx.evArrivalFactor ?? 1)) / 3600 / Math.max(1, b.chargers.length);
    const demands: Array<{ id: string; needWh: number; maxW: number }> = [];
    b.chargers.forEach((c, i) => {
      const st = s.chargers[i];
      if (!st) return;
      if (st.session && t >= st.session.departAt) {
        st.lastSessionWh = st.session.energyWh;
        st.session = null;
      }
      const broken = this.failed.has(c.id);
      // A car at a failed charger leaves; nobody plugs into it until it is repaired.
      if (broken && st.session) {
        st.lastSessionWh = st.session.energyWh;
        st.session = null;
      }
      if (!broken && !st.session && dtS > 0 && this.draw() < 1 - Math.exp(-arrivalsPerS * dtS)) {
        const drawn = drawSession(this.draw(), this.draw(), this.draw());
        st.session = { needWh: drawn.energyWh, maxW: Math.min(drawn.maxPowerW, c.maxPowerW), departAt: t + drawn.dwellS * 1000, energyWh: 0 };
      }
      if (st.session) demands.push({ id: String(i), needWh: st.session.needWh, maxW: st.session.maxW });
    });
    const surplusW = Math.max(0, pvW - nonEvW);
    const chargerLimitW = b.chargers.reduce((a, c) => a + c.maxPowerW, 0);
    const alloc = allocateCharging(demands, surplusW, chargerLimitW, b.evMinGridPowerW, { dtS: dtS > 0 ? dtS : undefined });
    const evPower = new Map(alloc.sessions.map((a) => [Number(a.id), a]));
    const chargers = b.chargers.map((_, i) => {
      const st = s.chargers[i];
      const a = evPower.get(i);
      const powerW = a?.powerW ?? 0;
      if (st?.session) {
        const wh = (powerW * dtS) / 3600;
        st.session.energyWh += wh;
        st.session.needWh = Math.max(0, st.session.needWh - wh);
      }
      const state: ChargerState = chargerState({ fault: this.failed.has(b.chargers[i]?.id ?? ''), plugged: !!st?.session, needWh: st?.session && st.session.needWh > 1e-6 ? st.session.needWh : 0 });
      return { state, powerW, sessionWh: st?.session?.energyWh ?? st?.lastSessionWh ?? 0 };
    });
    const evW = alloc.totalW;

    // --- The grid balance, exact by construction.
    const consumptionW = nonEvW + evW;
    const net = consumptionW - pvW;
    const importW = net > 0 ? net : 0;
    const exportW = net < 0 ? -net : 0;
    const selfConsumedW = pvW - exportW;

    // --- Rainwater.
    const rainMm = dtS > 0 ? this.weather.rainMmBetween(t - dtS * 1000, t, fx.weather) : 0;
    const day = local.dayIndex;
    if (rainMm > 0.2) s.lastRainDay = day;
    s.dryDays = Math.max(0, day - s.lastRainDay);
    const rw = b.rainwater;
    const tank = tankStep(
      s.tank,
      {
        rainMm,
        roofAreaM2: rw.roofAreaM2,
        runoffCoefficient: rw.runoffCoefficient,
        filterEfficiency: rw.filterEfficiency,
        firstFlushMm: rw.firstFlushMm,
        capacityL: rw.capacityL,
        // The building file gives litres per person and day; the model counts uses per 8 h at 4 L a flush.
        toiletDemandL: toiletDemandL(people, dtS, b.water.toiletLPerPersonDay / 4),
        wateringDemandL: wateringDemandL(local.month, local.hour, dtS, s.dryDays) * (b.water.wateringLPerDay / 600) * (fx.wateringFactor ?? 1),
        topupBelowL: (rw.capacityL * rw.topupBelowPct) / 100,
        topupToL: (rw.capacityL * rw.topupToPct) / 100,
        topupRateLps: rw.topupRateLps,
      },
      dtS,
    );
    s.tank = tank.state;

    // --- Counters: energy as the integral of the power over the step.
    const c = s.counters;
    const h = dtS / 3600;
    pv.forEach((p, i) => (c.pvWh[i] = (c.pvWh[i] ?? 0) + p.acW * h));
    c.importWh += importW * h;
    c.exportWh += exportW * h;
    const sub_ = c.submeterWh;
    sub_['submeter-lighting'] = (sub_['submeter-lighting'] ?? 0) + lightingW * h;
    sub_['submeter-plugs'] = (sub_['submeter-plugs'] ?? 0) + plugsW * h;
    sub_['submeter-ahu'] = (sub_['submeter-ahu'] ?? 0) + ahuW * h;
    sub_['submeter-fablab'] = (sub_['submeter-fablab'] ?? 0) + fablabW * h;
    sub_['submeter-ev'] = (sub_['submeter-ev'] ?? 0) + evW * h;
    chargers.forEach((ch, i) => (c.chargerWh[i] = (c.chargerWh[i] ?? 0) + ch.powerW * h));
    c.heatWh += sub.deliveredW * h;
    c.rainMm += rainMm;
    c.tankL.inflow += tank.inflowL;
    c.tankL.toilet += tank.toiletL;
    c.tankL.watering += tank.wateringL;
    c.tankL.topup += tank.topupL;
    c.tankL.overflow += tank.overflowL;
    s.zones = zoneStates;

    return {
      weather: w,
      pv,
      pvW,
      consumptionW,
      importW,
      exportW,
      selfConsumedW,
      loads: { lightingW, plugsW, ahuW, fablabW, evW, baseW },
      evPvW: alloc.pvW,
      chargers,
      heat: { powerW: sub.deliveredW, supplyC: sub.supplyC, returnC: sub.returnC },
      ahu: { outdoorC: w.airTempC, supplyC, extractC, exhaustC: airflow > 0 ? recovery.exhaustC : extractC, airflowM3s: airflow, fanW, efficiency: airflow > 0 ? recoveryEff : 0 },
      tankFlows: { inflowL: tank.inflowL, toiletL: tank.toiletL, wateringL: tank.wateringL, topupL: tank.topupL, overflowL: tank.overflowL, rainMm },
      zones: zoneStates,
      categories,
      heatingSeason,
    };
  }

  /** Maps each catalogue device to the points it reports (the catalogue follows the same building file). */
  private buildDeviceIndex(): void {
    const b = this.b;
    const c = () => this.s.counters;
    this.deviceIndex.set('weather-station', (s) => [
      ['ghi', s.weather.ghi],
      ['temperature', s.weather.airTempC],
      ['humidity', s.weather.relativeHumidity],
      ['wind_speed', s.weather.windMs],
      ['rain_rate', s.weather.rainRateMmH],
      ['rain', c().rainMm],
    ]);
    b.pv.inverters.forEach((inv, i) =>
      this.deviceIndex.set(inv.id, (s) => {
        const p = s.pv[i] ?? { acW: 0, dcW: 0, moduleC: 0, state: 'off' };
        return [
          ['ac_power', p.acW],
          ['ac_energy', c().pvWh[i] ?? 0],
          ['dc_power', p.dcW],
          ['module_temperature', p.moduleC],
          ['state', p.state],
        ];
      }),
    );
    this.deviceIndex.set('grid-meter', (s) => [
      ['import_power', s.importW],
      ['export_power', s.exportW],
      ['import_energy', c().importWh],
      ['export_energy', c().exportWh],
    ]);
    const subPower: Record<string, (s: Snapshot) => number> = {
      'submeter-lighting': (s) => s.loads.lightingW,
      'submeter-plugs': (s) => s.loads.plugsW,
      'submeter-ahu': (s) => s.loads.ahuW,
      'submeter-fablab': (s) => s.loads.fablabW,
      'submeter-ev': (s) => s.loads.evW,
    };
    for (const m of SUBMETERS) {
      this.deviceIndex.set(m.id, (s) => [
        ['power', subPower[m.id]?.(s) ?? 0],
        ['energy', c().submeterWh[m.id] ?? 0],
      ]);
    }
    b.chargers.forEach((ch, i) =>
      this.deviceIndex.set(ch.id, (s) => {
        const x = s.chargers[i] ?? { state: 'available', powerW: 0, sessionWh: 0 };
        return [
          ['state', x.state],
          ['power', x.powerW],
          ['session_energy', x.sessionWh],
          ['energy', c().chargerWh[i] ?? 0],
        ];
      }),
    );
    this.deviceIndex.set('rainwater-tank', () => {
      const t = c().tankL;
      const v = this.s.tank.volumeL;
      return [
        ['level', (100 * v) / b.rainwater.capacityL],
        ['volume', v / 1000],
        ['inflow', t.inflow],
        ['toilet_use', t.toilet],
        ['watering_use', t.watering],
        ['mains_topup', t.topup],
        ['overflow', t.overflow],
      ];
    });
    this.deviceIndex.set('heat-substation', (s) => [
      ['heat_power', s.heat.powerW],
      ['heat_energy', c().heatWh],
      ['supply_temperature', s.heat.supplyC],
      ['return_temperature', s.heat.returnC],
    ]);
    this.deviceIndex.set('ahu', (s) => [
      ['outdoor_temperature', s.ahu.outdoorC],
      ['supply_temperature', s.ahu.supplyC],
      ['extract_temperature', s.ahu.extractC],
      ['exhaust_temperature', s.ahu.exhaustC],
      ['airflow', s.ahu.airflowM3s],
      ['fan_power', s.ahu.fanW],
      ['recovery_efficiency', s.ahu.efficiency * 100],
    ]);
    this.zones.forEach((z, i) => {
      if (!z.sensor) return;
      this.deviceIndex.set(roomSensorId(z.id), (s) => {
        const zs = s.zones[i] as ZoneState;
        return [
          ['temperature', zs.tempC],
          ['humidity', zs.rh],
          ['co2', zs.co2Ppm],
          ['illuminance', zs.lux],
          ['occupancy', zs.occupants],
        ];
      });
    });
  }
}

export { KWH };
