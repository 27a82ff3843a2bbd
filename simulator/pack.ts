import type { Point } from '../shared/catalogue';
import type { SenmlPack, SenmlRecord } from '../shared/senml';

/** One reading of every point of a device at one instant, as the device's firmware would hold it. */
export interface Sample {
  t: number;
  values: Array<[point: string, value: number | string]>;
}

/** Most records in one pack: a QoS 1 PUBLISH of about 30 kB, well under broker limits. */
export const MAX_RECORDS_PER_PACK = 500;

/**
 * Encodes samples as SenML packs (RFC 8428): bn "<deviceId>:" and bt on the
 * first record, times of later samples relative to bt, states as string values.
 * Samples are split so that no pack exceeds MAX_RECORDS_PER_PACK records.
 */
export function samplesToPacks(deviceId: string, points: readonly Point[], samples: readonly Sample[]): SenmlPack[] {
  const units = new Map(points.map((p) => [p.name, p.unit]));
  const packs: SenmlPack[] = [];
  let records: SenmlRecord[] = [];
  let bt = 0;
  for (const s of samples) {
    if (records.length > 0 && records.length + s.values.length > MAX_RECORDS_PER_PACK) {
      packs.push(records);
      records = [];
    }
    const first = records.length === 0;
    if (first) bt = s.t;
    s.values.forEach(([n, value], i) => {
      const r: SenmlRecord = { n };
      if (first && i === 0) {
        r.bn = `${deviceId}:`;
        r.bt = bt / 1000;
      } else if (s.t !== bt) {
        r.t = (s.t - bt) / 1000;
      }
      if (typeof value === 'string') r.vs = value;
      else {
        const u = units.get(n);
        if (u) r.u = u;
        r.v = value;
      }
      records.push(r);
    });
  }
  if (records.length > 0) packs.push(records);
  return packs;
}
