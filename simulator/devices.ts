import type { SenmlPack } from '../shared/senml';
import type { WorldSnapshot } from './world';

/**
 * What each device type reads from the world, as a SenML pack (RFC 8428):
 * bn "<deviceId>:" and bt (seconds) on the first record, one record per point.
 */
type Reader = (s: WorldSnapshot) => Array<[name: string, unit: string, value: number]>;

const round = (v: number, digits: number) => Number(v.toFixed(digits));

export const READERS: Record<string, Reader> = {
  'pv-inverter': (s) => [
    ['ac_power', 'W', round(s.pvAcW, 1)],
    ['ac_energy', 'Wh', round(s.pvEnergyWh, 2)],
  ],
  'grid-meter': (s) => [
    ['import_power', 'W', round(s.importW, 1)],
    ['export_power', 'W', round(s.exportW, 1)],
    ['import_energy', 'Wh', round(s.importEnergyWh, 2)],
    ['export_energy', 'Wh', round(s.exportEnergyWh, 2)],
  ],
  'room-sensor': (s) => [
    ['temperature', 'Cel', round(s.roomTemperatureC, 2)],
    ['humidity', '%RH', round(s.roomHumidityRh, 1)],
    ['co2', 'ppm', round(s.roomCo2Ppm, 0)],
    ['illuminance', 'lx', round(s.roomIlluminanceLx, 0)],
    ['occupancy', 'count', s.roomOccupants],
  ],
};

export function toPack(deviceId: string, typeId: string, snapshot: WorldSnapshot): SenmlPack {
  const reader = READERS[typeId];
  if (!reader) throw new Error(`the simulator has no model for device type "${typeId}"`);
  return reader(snapshot).map(([n, u, v], i) => (i === 0 ? { bn: `${deviceId}:`, bt: snapshot.tMs / 1000, n, u, v } : { n, u, v }));
}
