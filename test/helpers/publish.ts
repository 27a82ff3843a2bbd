import type { MqttClient } from 'mqtt';
import { MAX_RECORDS_PER_PACK } from '../../shared/senml';

export interface SeriesToSend {
  name: string;
  unit: string;
  points: [ts: number, value: number][];
}

/**
 * Publishes readings of one device as SenML packs at QoS 1, as a device sending
 * its stored history would: records grouped by time, at most MAX_RECORDS_PER_PACK
 * per pack, each pack acknowledged before the next.
 */
export async function publishSeries(client: MqttClient, siteId: string, deviceId: string, series: SeriesToSend[]): Promise<number> {
  const byTime = new Map<number, { n: string; u: string; v: number }[]>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      let records = byTime.get(t);
      if (!records) byTime.set(t, (records = []));
      records.push({ n: s.name, u: s.unit, v });
    }
  }
  let pack: Record<string, unknown>[] = [];
  let packs = 0;
  const send = async () => {
    if (pack.length === 0) return;
    pack[0] = { bn: `${deviceId}:`, ...pack[0] };
    await client.publishAsync(`${siteId}/${deviceId}/telemetry`, JSON.stringify(pack), { qos: 1 });
    packs++;
    pack = [];
  };
  for (const [t, records] of byTime) {
    if (pack.length + records.length > MAX_RECORDS_PER_PACK) await send();
    // Every record carries its time: a record without t is at the base time (RFC 8428 §4.5.3), not its neighbour's.
    for (const r of records) pack.push({ t: t / 1000, ...r });
  }
  await send();
  return packs;
}
