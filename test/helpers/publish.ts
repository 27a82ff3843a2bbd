import mqtt, { type MqttClient } from 'mqtt';
import { mqttCredentials } from './server';
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

/**
 * Twelve minutes of 1,500 ppm CO2 in a room with 9 people, ending a minute ago,
 * from the room's own sensor: the shipped rule co2-occupied raises a warning.
 */
export async function stuffyRoom(mqttPort: number, dataDir: string, device: string, now: number): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: `stuffy-${device}`, ...mqttCredentials(dataDir, device) });
  const MIN = 60_000;
  const start = Math.floor(now / MIN) * MIN - 13 * MIN;
  const points = (v: number): [number, number][] => Array.from({ length: 12 }, (_, i) => [start + i * MIN, v]);
  await publishSeries(client, 'le-numerique', device, [
    { name: 'co2', unit: 'ppm', points: points(1500) },
    { name: 'occupancy', unit: 'count', points: points(9) },
  ]);
  await client.endAsync();
}
