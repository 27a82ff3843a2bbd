/**
 * MQTT topic layout, version 1. Kept in one place so that the simulator, the
 * ingest and the docs can never disagree.
 *
 *   <siteId>/<deviceId>/telemetry   SenML JSON pack (RFC 8428)
 *   <siteId>/<deviceId>/status      "online" | "offline", retained; "offline" is the last will
 *   <siteId>/<deviceId>/command     JSON commands to a device (the simulator's control channel)
 *   <siteId>/<deviceId>/state       a device's retained JSON state (what the simulator runs now)
 */
export const DEFAULT_SITE_ID = 'le-numerique';

/** Ids are used verbatim as topic levels and URL segments: no wildcards, no slashes, no dots. */
export const ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const STATUS_ONLINE = 'online';
export const STATUS_OFFLINE = 'offline';
export type DeviceStatus = typeof STATUS_ONLINE | typeof STATUS_OFFLINE;

export type TopicKind = 'telemetry' | 'status' | 'command' | 'state';
const TOPIC_KINDS: readonly string[] = ['telemetry', 'status', 'command', 'state'];

export function telemetryTopic(siteId: string, deviceId: string): string {
  return `${siteId}/${deviceId}/telemetry`;
}

export function statusTopic(siteId: string, deviceId: string): string {
  return `${siteId}/${deviceId}/status`;
}

export function commandTopic(siteId: string, deviceId: string): string {
  return `${siteId}/${deviceId}/command`;
}

export function stateTopic(siteId: string, deviceId: string): string {
  return `${siteId}/${deviceId}/state`;
}

/** The subscription filters the server needs for one site. */
export function siteFilters(siteId: string): { telemetry: string; status: string } {
  return { telemetry: `${siteId}/+/telemetry`, status: `${siteId}/+/status` };
}

export type ParsedTopic =
  | { ok: true; siteId: string; deviceId: string; kind: TopicKind }
  | { ok: false; reason: string };

/** Parses a topic a device published on; anything off the layout gets a reason. */
export function parseTopic(topic: string): ParsedTopic {
  const parts = topic.split('/');
  if (parts.length !== 3) return { ok: false, reason: 'topic must have 3 levels: <siteId>/<deviceId>/<telemetry|status>' };
  const [siteId, deviceId, kind] = parts as [string, string, string];
  if (!ID_PATTERN.test(siteId)) return { ok: false, reason: `invalid site id "${siteId}"` };
  if (!ID_PATTERN.test(deviceId)) return { ok: false, reason: `invalid device id "${deviceId}"` };
  if (!TOPIC_KINDS.includes(kind)) return { ok: false, reason: `unknown topic kind "${kind}"` };
  return { ok: true, siteId, deviceId, kind: kind as TopicKind };
}
