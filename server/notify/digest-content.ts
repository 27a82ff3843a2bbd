import type { Alert, AlertListQuery, Severity } from '../../shared/alerts';
import { addDays, dateKey, localParts, PARIS } from '../../shared/calendar';
import type { EnergyResponse, KpiQuery } from '../../shared/kpi';
import type { DigestContent } from './types';

const DAY = 86_400_000;
const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export interface DigestSources {
  alerts: (q: AlertListQuery) => Alert[];
  devices: () => Record<string, { status: string; stale: boolean; lastSeen: number | null }>;
  deviceLabel: (id: string) => string;
  energy: (q: Partial<KpiQuery>) => Promise<EnergyResponse>;
}

/**
 * What the daily digest says at `now` (docs/notifications.md): the alerts open
 * now, most severe first; those raised in the 24 h before; the devices offline
 * or stale; yesterday's PV, consumption and self-sufficiency (Paris days).
 */
export async function digestContent(now: number, src: DigestSources): Promise<Omit<DigestContent, 'held'>> {
  const open = src.alerts({ state: 'open', limit: 1000 }).sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.raisedAt - b.raisedAt);
  const fromMs = now - DAY;
  const recent = src.alerts({ state: 'all', since: fromMs, limit: 1000 }).filter((a) => a.raisedAt >= fromMs || a.lastRaisedAt >= fromMs);
  const devices = Object.entries(src.devices())
    .filter(([, d]) => d.status === 'offline' || d.stale)
    .map(([id, d]) => ({ id, label: src.deviceLabel(id), status: d.status === 'offline' ? ('offline' as const) : ('stale' as const), lastSeen: d.lastSeen }));
  const today = localParts(PARIS, now);
  const yesterday = dateKey(addDays(today, -1));
  // The store unreachable (InfluxDB down): the digest goes without its energy rather than not at all.
  const energy: DigestContent['energy'] = await src
    .energy({ period: 'day', date: yesterday, interval: 'period' })
    .then((e) => ({ date: yesterday, pvKWh: e.totals.pvKWh, consumptionKWh: e.totals.consumptionKWh, selfSufficiencyPct: e.totals.selfSufficiencyPct }))
    .catch(() => null);
  return { date: dateKey(today), fromMs, toMs: now, open, recent, devices, energy };
}
