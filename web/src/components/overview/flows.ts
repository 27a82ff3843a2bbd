import type { Reading } from '../../../../shared/api';

/** Live power flows, in W, from the latest readings (docs/kpi.md's split, applied to power). */
export interface Flows {
  pv: number;
  import: number;
  export: number;
  ev: number;
  /** Self-consumed PV: production less export. */
  selfConsumed: number;
  pvToBuilding: number;
  pvToEv: number;
  /** Everything the site uses, EV included: self-consumed PV plus import. */
  consumption: number;
  /** The building's own loads, EV excluded. */
  buildingLoad: number;
  /** Newest reading among the ones used, epoch ms; null before any. */
  ts: number | null;
  /** Some of the figures had no reading yet. */
  missing: boolean;
}

const PV_POWER = /^pv-inverter-[a-z0-9-]+\.ac_power$/;
const CHARGER_POWER = /^ev-charger-[a-z0-9-]+\.power$/;

export function computeFlows(latest: ReadonlyMap<string, Reading>): Flows {
  let pv = 0;
  let pvSeen = false;
  let chargers = 0;
  let chargersSeen = false;
  let ts: number | null = null;
  const seen = (r: Reading) => {
    ts = ts === null ? r.ts : Math.max(ts, r.ts);
  };
  for (const [id, r] of latest) {
    if (PV_POWER.test(id)) {
      pv += Math.max(0, r.value);
      pvSeen = true;
      seen(r);
    } else if (CHARGER_POWER.test(id)) {
      chargers += Math.max(0, r.value);
      chargersSeen = true;
    }
  }
  const imp = latest.get('grid-meter.import_power');
  const exp = latest.get('grid-meter.export_power');
  const sub = latest.get('submeter-ev.power');
  for (const r of [imp, exp, sub]) if (r) seen(r);
  const importW = Math.max(0, imp?.value ?? 0);
  const exportW = Math.max(0, exp?.value ?? 0);
  // The EV feeder's sub-meter when it reports, else the chargers' own meters (as the KPIs do).
  const ev = sub ? Math.max(0, sub.value) : chargers;
  // Export cannot exceed production: readings of different instants may disagree for a moment.
  const selfConsumed = Math.max(0, pv - exportW);
  const consumption = selfConsumed + importW;
  // PV serves the other loads first; the EV gets what is left (docs/kpi.md, "EV from PV").
  const pvToEv = Math.min(ev, Math.max(0, selfConsumed - (consumption - ev)));
  return {
    pv,
    import: importW,
    export: exportW,
    ev,
    selfConsumed,
    pvToBuilding: selfConsumed - pvToEv,
    pvToEv,
    consumption,
    buildingLoad: Math.max(0, consumption - ev),
    ts,
    missing: !pvSeen || !imp || !exp || (!sub && !chargersSeen),
  };
}
