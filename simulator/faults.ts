import type { Point } from '../shared/catalogue';
import type { FaultKind, FaultSpec } from '../shared/simulator';
import type { Sample } from './pack';

/**
 * Faults a field device really shows, applied between the physics and the wire.
 * Value faults (stuck, spike, drift, counter reset, clock skew) rewrite samples
 * here, purely; delivery faults (offline, duplicates, out-of-order, malformed,
 * burst) are carried out by the device runtime, which asks `has()`.
 */
export interface ActiveFault extends FaultSpec {
  sinceSimTime: number;
  untilSimTime?: number;
}

/** Defaults chosen to be visible on a dashboard and caught (or not) by ingest as a real one would be. */
export const FAULT_DEFAULTS: Record<FaultKind, { magnitude?: number; durationS?: number; description: string }> = {
  offline: { durationS: 600, description: 'the connection drops without a DISCONNECT (the last will fires); readings are kept and sent on reconnection' },
  stuck: { description: 'every value repeats the last one read before the fault' },
  spike: { magnitude: 10, durationS: 1, description: 'gauges jump to magnitude times their value for one reading' },
  drift: { magnitude: 2, description: 'gauges drift by magnitude units per simulated hour' },
  'counter-reset': { durationS: 1, description: 'counters restart from zero, as after a meter replacement or a firmware reset' },
  'clock-skew': { magnitude: 900, description: 'timestamps are off by magnitude seconds (900 s puts them in the future)' },
  duplicates: { description: 'each pack is published twice' },
  'out-of-order': { description: 'packs are held and delivered in reverse order, five at a time' },
  malformed: { description: 'payloads are corrupted, in turn: broken JSON, wrong units, unknown points, not a pack, must-understand fields, out-of-range values, records without a value' },
  burst: { magnitude: 10, durationS: 30, description: 'the device publishes magnitude times faster than its period' },
  equipment: { description: 'the equipment itself fails (inverter or charger): it reports its "fault" state and delivers no power; the energy balance follows' },
};

export class DeviceFaults {
  private readonly active = new Map<FaultKind, ActiveFault>();
  private stuckValues: Sample['values'] | undefined;
  /** Counter offsets left by a counter reset: a reset meter goes on counting from its new zero. */
  private readonly counterOffsets = new Map<string, number>();
  private lastValues: Sample['values'] | undefined;

  constructor(private readonly points: readonly Point[]) {}

  add(spec: FaultSpec, simTime: number): ActiveFault {
    const d = FAULT_DEFAULTS[spec.kind];
    const durationS = spec.durationS ?? d.durationS;
    const fault: ActiveFault = { ...spec, magnitude: spec.magnitude ?? d.magnitude, sinceSimTime: simTime, untilSimTime: durationS === undefined ? undefined : simTime + durationS * 1000 };
    this.active.set(spec.kind, fault);
    if (spec.kind === 'stuck') this.stuckValues = this.lastValues;
    if (spec.kind === 'counter-reset' && this.lastValues) {
      for (const [name, v] of this.lastValues) {
        const p = this.points.find((x) => x.name === name);
        if (p?.kind === 'counter' && typeof v === 'number') this.counterOffsets.set(name, (this.counterOffsets.get(name) ?? 0) + v);
      }
    }
    return fault;
  }

  clear(kind?: FaultKind): void {
    if (kind) this.active.delete(kind);
    else this.active.clear();
    if (!this.active.has('stuck')) this.stuckValues = undefined;
  }

  /** Drops faults whose time is over; returns the kinds that ended. */
  expire(simTime: number): FaultKind[] {
    const ended: FaultKind[] = [];
    for (const [kind, f] of this.active) {
      if (f.untilSimTime !== undefined && simTime >= f.untilSimTime) {
        this.active.delete(kind);
        ended.push(kind);
      }
    }
    if (!this.active.has('stuck')) this.stuckValues = undefined;
    return ended;
  }

  has(kind: FaultKind): ActiveFault | undefined {
    return this.active.get(kind);
  }

  list(): ActiveFault[] {
    return [...this.active.values()];
  }

  /** Applies the value faults to one sample (a new object; the physics is left untouched). */
  apply(sample: Sample): Sample {
    let values = sample.values;
    if (this.counterOffsets.size > 0) {
      values = values.map(([n, v]) => [n, typeof v === 'number' && this.counterOffsets.has(n) ? Math.max(0, v - (this.counterOffsets.get(n) ?? 0)) : v]);
    }
    this.lastValues = values;
    let t = sample.t;
    const stuck = this.active.get('stuck');
    if (stuck && this.stuckValues) values = this.stuckValues;
    const spike = this.active.get('spike');
    if (spike) values = values.map(([n, v]) => [n, typeof v === 'number' && this.isGauge(n) ? v * (spike.magnitude ?? 10) : v]);
    const drift = this.active.get('drift');
    if (drift) {
      const hours = (sample.t - drift.sinceSimTime) / 3_600_000;
      values = values.map(([n, v]) => [n, typeof v === 'number' && this.isGauge(n) ? v + (drift.magnitude ?? 2) * hours : v]);
    }
    const skew = this.active.get('clock-skew');
    if (skew) t += (skew.magnitude ?? 900) * 1000;
    return { t, values };
  }

  private isGauge(name: string): boolean {
    return this.points.find((p) => p.name === name)?.kind === 'gauge';
  }
}

/**
 * The corrupted payloads of the "malformed" fault, in turn: each is something field
 * devices really send, and each is one rejection at ingest. The wrong unit and the
 * out-of-range value are sent for one of the device's own points, so that they are
 * caught as what they are (not as an unknown point).
 */
export function malformedPayload(deviceId: string, n: number, t: number, points: readonly Point[] = []): string {
  const point = points.find((p) => p.kind !== 'state' && p.unit !== '');
  const name = point?.name ?? 'power';
  const bn = `${deviceId}:`;
  const bt = t / 1000;
  switch (n % 7) {
    case 0:
      return `[{"bn":"${bn}","n":"${name}","v":12`; // truncated JSON
    case 1:
      return JSON.stringify([{ bn, bt, n: name, u: 'degC', v: 21 }]); // a unit outside SenML
    case 2:
      return JSON.stringify([{ bn, bt, n: 'mystery_point', u: 'W', v: 1 }]); // unknown point
    case 3:
      return JSON.stringify({ n: name, v: 'NaN' }); // not a pack
    case 4:
      return JSON.stringify([{ bn, bt, n: name, v: 1, unknown_: true }]); // must-understand field
    case 5:
      return JSON.stringify([{ bn, bt, n: name, u: point?.unit ?? 'W', v: (point?.max ?? 0) + Math.abs(point?.max ?? 0) + 1 }]); // out of the plausible range
    default:
      return JSON.stringify([{ bn, bt, n: name, u: point?.unit ?? 'W' }]); // a record without a value
  }
}
