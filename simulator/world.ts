import type { Catalogue } from '../shared/catalogue';
import { co2Step } from './physics/co2';
import { clearSkyGhiHaurwitz, solarPosition } from './physics/sun';
import { type Rng, createRng, gaussian } from './random';

/**
 * The first, simple model of the building: the sun drives the PV inverter,
 * occupancy drives the building load and the coworking room, and the grid
 * meter sees the difference. Sizes are working assumptions until the simulator
 * issue (#3) puts the whole building in its own file:
 * - PV 60 kWp on one 50 kVA inverter: about 400 m² of the roof at ~150 Wp/m²;
 * - performance ratio 0.85 (typical of a well-ventilated rooftop array);
 * - base load 12 kW (AHU, IT, standby) plus 250 W per occupant.
 */
export interface BuildingModel {
  latitude: number;
  longitude: number;
  timezone: string;
  pvPeakW: number;
  inverterAcW: number;
  performanceRatio: number;
  baseLoadW: number;
  loadPerOccupantW: number;
  buildingPeakOccupants: number;
  room: { peakOccupants: number; areaM2: number; heightM: number; ventilationM3s: number };
}

export function defaultBuilding(cat: Catalogue): BuildingModel {
  const coworking = cat.zones.find((z) => z.id === 'r1-coworking');
  const areaM2 = coworking?.areaM2 ?? 250;
  return {
    latitude: cat.site.latitude,
    longitude: cat.site.longitude,
    timezone: cat.site.timezone,
    pvPeakW: 60_000,
    inverterAcW: 50_000,
    performanceRatio: 0.85,
    baseLoadW: 12_000,
    loadPerOccupantW: 250,
    buildingPeakOccupants: 180,
    // EN 16798-1 category II design airflow: 7 L/s per person + 0.7 L/s·m² (low-polluting building).
    room: { peakOccupants: 40, areaM2, heightM: 2.8, ventilationM3s: (40 * 7 + areaM2 * 0.7) / 1000 },
  };
}

export interface WorldSnapshot {
  tMs: number;
  ghiWm2: number;
  pvAcW: number;
  pvEnergyWh: number;
  loadW: number;
  importW: number;
  exportW: number;
  importEnergyWh: number;
  exportEnergyWh: number;
  roomOccupants: number;
  roomCo2Ppm: number;
  roomTemperatureC: number;
  roomHumidityRh: number;
  roomIlluminanceLx: number;
}

/**
 * Share of peak occupancy at a local time: weekdays 8:00-19:00 with a lunch
 * dip, a light Saturday, a closed Sunday.
 */
export function occupancyShare(weekday: number, hour: number): number {
  const open = weekday === 0 ? 0 : weekday === 6 ? 0.2 : 1;
  if (open === 0 || hour < 7.5 || hour > 19.5) return 0;
  const ramp = Math.min(1, (hour - 7.5) / 1.5, (19.5 - hour) / 1.5);
  const lunch = hour > 12 && hour < 14 ? 0.7 : 1;
  return open * Math.max(0, ramp) * lunch;
}

export class World {
  private readonly rng: Rng;
  private readonly localTime: Intl.DateTimeFormat;
  private last: WorldSnapshot | undefined;
  /** Clear-sky index (0 overcast .. 1 clear), a bounded random walk. */
  private clearness = 0.8;

  constructor(
    readonly model: BuildingModel,
    seed: number,
  ) {
    this.rng = createRng(seed);
    this.localTime = new Intl.DateTimeFormat('en-GB', { timeZone: model.timezone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
  }

  private local(tMs: number): { weekday: number; hour: number } {
    const parts = this.localTime.formatToParts(tMs);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
    const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
    return { weekday, hour: Number(get('hour')) + Number(get('minute')) / 60 };
  }

  /** Advances the world to tMs and returns what every sensor would read. */
  step(tMs: number): WorldSnapshot {
    const m = this.model;
    const prev = this.last;
    const dtS = prev ? Math.max(0, (tMs - prev.tMs) / 1000) : 0;

    this.clearness = Math.min(1, Math.max(0.15, this.clearness + gaussian(this.rng) * 0.02 * Math.sqrt(Math.max(dtS, 1) / 10)));
    const sun = solarPosition(tMs, m.latitude, m.longitude);
    const ghi = clearSkyGhiHaurwitz(sun.zenithDeg) * this.clearness;
    const pvAcW = Math.min(m.inverterAcW, (m.pvPeakW * ghi * m.performanceRatio) / 1000);

    const { weekday, hour } = this.local(tMs);
    const share = occupancyShare(weekday, hour);
    const buildingOccupants = Math.round(share * m.buildingPeakOccupants);
    const loadW = m.baseLoadW + buildingOccupants * m.loadPerOccupantW + gaussian(this.rng) * 300;
    const net = loadW - pvAcW;
    const importW = Math.max(0, net);
    const exportW = Math.max(0, -net);
    const roomOccupants = Math.max(0, Math.round(share * m.room.peakOccupants + gaussian(this.rng) * (share > 0 ? 2 : 0)));

    const volume = m.room.areaM2 * m.room.heightM;
    // Ventilation runs on an occupancy schedule, at a tenth of its design flow when closed.
    const ventilation = share > 0 ? m.room.ventilationM3s : m.room.ventilationM3s * 0.1;
    const co2 = co2Step(prev?.roomCo2Ppm ?? 450, { occupants: roomOccupants, volumeM3: volume, ventilationM3s: ventilation, outdoorPpm: 420, generationLsPerPerson: 0.0052 }, dtS);
    const roomTemperatureC = 20.5 + roomOccupants * 0.04 + (ghi / 1000) * 1.2 + gaussian(this.rng) * 0.05;
    const roomHumidityRh = Math.min(100, Math.max(0, 42 + roomOccupants * 0.15 + gaussian(this.rng) * 0.3));
    // Daylight through glazing (daylight factor ~2 %, luminous efficacy ~110 lm/W) plus 400 lx of lighting when occupied.
    const roomIlluminanceLx = Math.max(0, ghi * 110 * 0.02 + (roomOccupants > 0 ? 400 : 0) + gaussian(this.rng) * 5);

    const snap: WorldSnapshot = {
      tMs,
      ghiWm2: ghi,
      pvAcW,
      pvEnergyWh: (prev?.pvEnergyWh ?? 0) + (pvAcW * dtS) / 3600,
      loadW,
      importW,
      exportW,
      importEnergyWh: (prev?.importEnergyWh ?? 0) + (importW * dtS) / 3600,
      exportEnergyWh: (prev?.exportEnergyWh ?? 0) + (exportW * dtS) / 3600,
      roomOccupants,
      roomCo2Ppm: co2,
      roomTemperatureC,
      roomHumidityRh,
      roomIlluminanceLx,
    };
    this.last = snap;
    return snap;
  }
}
