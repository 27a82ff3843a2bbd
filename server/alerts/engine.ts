import type { Reading } from '../../shared/api';
import { type Alert, type AlertAuditEntry, type AlertDetailResponse, type AlertEvent, type AlertListQuery, type AlertListResponse, type AlertRule, type AlertRuleView, SYSTEM_ALERTS, type ShelveInfo, type SystemAlertId } from '../../shared/alerts';
import type { Building } from '../../shared/building';
import type { Catalogue } from '../../shared/catalogue';
import type { DeviceStatusEvent } from '../../shared/live';
import type { AppDb } from '../db/app-db';
import type { Logger } from '../logger';
import { AlertsError, type Change, SYSTEM, acknowledge, clear, expireShelve, raise, shelve, unshelve } from './lifecycle';
import { readRulesFile } from './rules-file';
import {
  type OfflineEvent,
  type OfflineState,
  type Step,
  type Transition,
  initialCounterReset,
  initialOffline,
  initialRate,
  initialSustain,
  initialThreshold,
  initialTopup,
  stepCounterReset,
  stepHeatRecovery,
  stepOffline,
  stepPv,
  stepRate,
  stepThreshold,
  stepTopup,
  tankLowParams,
} from './rules';
import { AlertStore, type AlertTableChange, type AlertTables } from './store';
import { type Binding, bindRule } from './targets';

/**
 * The alert engine. It is fed, never polls: readings as ingest accepts them,
 * device status events as the broker delivers them, and a periodic tick (device
 * silence, shelving running out). Each (rule, target) keeps its own evaluation
 * state; the pure functions of rules.ts decide, lifecycle.ts changes the alert,
 * the store keeps it with its audit trail, then listeners hear of it.
 */

/** Readings older than this (by the clock) raise and clear nothing: a backfill or a long replay is history. */
export const MAX_READING_AGE_MS = 3_600_000;
/** A context reading (occupancy, irradiance, the AHU's other temperatures) counts if this close in time. */
export const CONTEXT_SKEW_MS = 5 * 60_000;
export const DEFAULT_TICK_MS = 10_000;

export interface Timer {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface AlertsOptions {
  db: AppDb;
  catalogue: Catalogue;
  building: Building;
  /** The rules file (DEFAULT_RULES_FILE: config/alert-rules.json). */
  rulesFile: string;
  log: Logger;
  now?: () => number;
  /** How often tick() runs; 0: never on its own (tests call tick()). */
  tickMs?: number;
  timer?: Timer;
}

export type AlertListener = (event: AlertEvent) => void;

export interface Alerts {
  onReadings(readings: readonly Reading[]): void;
  onStatus(event: DeviceStatusEvent): void;
  /** Returns a function that removes the listener. */
  onChange(listener: AlertListener): () => void;
  /** Device silence and shelving expiry, by the clock; the timer calls it every tickMs. */
  tick(): void;
  /**
   * A condition of the server itself (SYSTEM_ALERTS): raised while `failing` (once,
   * however often it is called), cleared when it is called with failing false.
   */
  system(id: SystemAlertId, failing: boolean, message: string): void;
  list(q: AlertListQuery): AlertListResponse;
  get(id: number): AlertDetailResponse;
  acknowledge(id: number, by: string, comment: string): Alert;
  shelve(id: number, by: string, minutes: number, reason: string): Alert;
  unshelve(id: number, by: string): Alert;
  audit(limit: number, since?: number): AlertAuditEntry[];
  rules(): AlertRuleView[];
  rule(id: string): AlertRuleView;
  createRule(rule: AlertRule, by: string): AlertRuleView;
  updateRule(id: string, rule: AlertRule, by: string): AlertRuleView;
  setRuleEnabled(id: string, enabled: boolean, by: string): AlertRuleView;
  deleteRule(id: string, by: string): void;
  shelveRule(id: string, by: string, minutes: number, reason: string): AlertRuleView;
  unshelveRule(id: string, by: string): AlertRuleView;
  /** The alert tables, for a site of several instances to share (server/scale/alerts.ts). */
  replica: {
    tables(): AlertTables;
    /** Takes these tables as its own and starts evaluating from them. */
    replace(tables: AlertTables): void;
    /** Told of every row written or deleted (undefined: nobody). */
    onRowChange(listener: ((changes: AlertTableChange[]) => void) | undefined): void;
  };
  close(): void;
}

interface LiveRule {
  /** As evaluated: a file rule's `enabled` overridden over the API. */
  rule: AlertRule;
  source: 'file' | 'api';
  bindings: Binding[];
  shelved: ShelveInfo | null;
  updatedAt: number | null;
  updatedBy: string | null;
}

interface Instance {
  key: string;
  live: LiveRule;
  binding: Binding;
  state: unknown;
  /** The newest reading evaluated: older or equal ones (out of order, duplicates, a pack's other points) are skipped. */
  lastTs: number | null;
}

const instanceKey = (ruleId: string, target: string): string => `${ruleId}\u0000${target}`;

/** What a system alert is about: the server. */
const SYSTEM_TARGET = { id: 'server', deviceId: 'server', seriesId: null, zone: 'site', label: 'Serveur' };

export function startAlerts(opts: AlertsOptions): Alerts {
  return new AlertEngine(opts);
}

class AlertEngine implements Alerts {
  private readonly store: AlertStore;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly liveRules = new Map<string, LiveRule>();
  private readonly instances = new Map<string, Instance>();
  private readonly bySeries = new Map<string, Instance[]>();
  private readonly byDevice = new Map<string, Instance[]>();
  /** Open (not closed) alerts by rule and target. */
  private readonly openAlerts = new Map<string, Alert>();
  private readonly latest = new Map<string, [number, number]>();
  private readonly listeners = new Set<AlertListener>();
  /** System alerts raised while their database refused writes, by key: saved at the next call. */
  private readonly unsavedSystem = new Map<string, Change>();
  private readonly timer: Timer;
  private readonly handle: unknown;
  private closed = false;

  constructor(private readonly opts: AlertsOptions) {
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.store = new AlertStore(opts.db, opts.log);
    this.load('au démarrage');
    this.timer = opts.timer ?? { setInterval: (fn, ms) => setInterval(fn, ms).unref(), clearInterval: (h) => clearInterval(h as NodeJS.Timeout) };
    const tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
    this.handle = tickMs > 0 ? this.timer.setInterval(() => this.tick(), tickMs) : undefined;
  }

  /** (Re)reads the rules, their overrides and the open alerts from the store; evaluation starts again. */
  private load(when: string): void {
    this.liveRules.clear();
    this.instances.clear();
    this.openAlerts.clear();
    const fileRules = readRulesFile(this.opts.rulesFile, this.opts.catalogue, this.opts.building);
    const states = this.store.ruleStates();
    const apiRules = this.store.apiRules();
    const apiIds = new Set(apiRules.map((r) => r.rule.id));
    for (const rule of fileRules) {
      if (apiIds.has(rule.id)) {
        this.log.warn({ ruleId: rule.id, file: this.opts.rulesFile }, 'alert rule id used by a rule created over the API: the API rule is kept, the file rule skipped');
        continue;
      }
      const st = states.get(rule.id);
      this.liveRules.set(rule.id, this.makeLive({ ...rule, enabled: st?.enabled ?? rule.enabled }, 'file', st?.shelved ?? null, st?.updatedAt ?? null, st?.updatedBy ?? null));
    }
    for (const r of apiRules) {
      const st = states.get(r.rule.id);
      this.liveRules.set(r.rule.id, this.makeLive(r.rule, 'api', st?.shelved ?? null, r.updatedAt, r.updatedBy));
    }
    for (const a of this.store.open()) this.openAlerts.set(instanceKey(a.ruleId, a.target.id), a);
    for (const live of this.liveRules.values()) this.addInstances(live);
    this.clearOrphans(SYSTEM, when);
    this.reindex();
    const counts = this.store.counts();
    this.log.info({ rules: this.liveRules.size, file: this.opts.rulesFile, fileRules: fileRules.length, apiRules: apiRules.length, open: counts }, 'alerts started');
  }

  // --- feeding

  onReadings(readings: readonly Reading[]): void {
    if (this.closed || readings.length === 0) return;
    try {
      const now = this.now();
      // Once per message at full rate (a tenth of a microsecond counts here): the usual
      // message is one device, so its instances are looked up once, and nothing is
      // allocated unless the pack mixes devices or instants.
      let lastDevice = '';
      let devices: Set<string> | undefined;
      let fresh = 0;
      let sorted = true;
      for (let i = 0; i < readings.length; i++) {
        const r = readings[i] as Reading;
        const dot = r.seriesId.indexOf('.');
        if (dot > 0 && (lastDevice.length !== dot || !r.seriesId.startsWith(lastDevice))) {
          const d = r.seriesId.slice(0, dot);
          if (d !== lastDevice) (devices ??= new Set()).add((lastDevice = d));
        }
        if (r.ts >= now - MAX_READING_AGE_MS) fresh++;
        if (i > 0 && r.ts < (readings[i - 1] as Reading).ts) sorted = false;
      }
      // Arrival is a sign of life, whatever the readings' age: a device replaying its buffer is online.
      if (devices) for (const d of devices) for (const inst of this.byDevice.get(d) ?? []) this.evaluateOffline(inst, { type: 'reading', at: now });
      if (fresh === 0) return;
      // A pack may hold several instants: take them in time order, each instant's readings together,
      // so that a CO2 reading is judged with the occupancy of its own instant.
      const inOrder = fresh === readings.length && sorted ? readings : readings.filter((r) => r.ts >= now - MAX_READING_AGE_MS).sort((a, b) => a.ts - b.ts);
      for (let i = 0; i < inOrder.length; ) {
        let j = i;
        while (j < inOrder.length && (inOrder[j] as Reading).ts === (inOrder[i] as Reading).ts) j++;
        for (let k = i; k < j; k++) {
          const r = inOrder[k] as Reading;
          const prev = this.latest.get(r.seriesId);
          if (!prev) this.latest.set(r.seriesId, [r.ts, r.value]);
          else if (r.ts >= prev[0]) {
            prev[0] = r.ts;
            prev[1] = r.value;
          }
        }
        for (let k = i; k < j; k++) {
          const r = inOrder[k] as Reading;
          const instances = this.bySeries.get(r.seriesId);
          if (!instances) continue;
          for (const inst of instances) {
            if (inst.lastTs !== null && r.ts <= inst.lastTs) continue;
            inst.lastTs = r.ts;
            this.evaluateReading(inst, r);
          }
        }
        i = j;
      }
    } catch (err) {
      // Alerts must never take ingest down with them.
      this.log.error({ err }, 'alert evaluation failed');
    }
  }

  onStatus(event: DeviceStatusEvent): void {
    if (this.closed) return;
    try {
      for (const inst of this.byDevice.get(event.deviceId) ?? []) this.evaluateOffline(inst, { type: 'status', status: event.status, at: event.ts });
    } catch (err) {
      this.log.error({ err }, 'alert evaluation failed');
    }
  }

  tick(): void {
    if (this.closed) return;
    try {
      const now = this.now();
      for (const list of this.byDevice.values()) for (const inst of list) this.evaluateOffline(inst, { type: 'tick', at: now });
      for (const a of [...this.openAlerts.values()]) {
        const change = expireShelve(a, now);
        if (change) this.commit(change);
      }
      for (const live of this.liveRules.values()) {
        if (live.shelved && live.shelved.until <= now) {
          this.log.info({ ruleId: live.rule.id }, 'rule shelving over');
          live.shelved = null;
          this.store.putRuleState(live.rule.id, { ...this.ruleState(live), shelved: null, updatedAt: now, updatedBy: SYSTEM });
          this.store.ruleAudit(now, SYSTEM, 'rule.shelve-expired', live.rule.id);
        }
      }
    } catch (err) {
      this.log.error({ err }, 'alert tick failed');
    }
  }

  system(id: SystemAlertId, failing: boolean, message: string): void {
    if (this.closed) return;
    const def = SYSTEM_ALERTS[id];
    const ruleId = `system.${id}`;
    const key = instanceKey(ruleId, SYSTEM_TARGET.id);
    const now = this.now();
    try {
      // Raised while the alerts' own database could not take it (the disk that failed
      // the store is theirs too): saved now, with its own times, before anything else.
      const unsaved = this.unsavedSystem.get(key);
      if (unsaved) {
        try {
          this.commit(unsaved);
        } catch {
          return; // still refused: said when it was raised, not again every second
        }
        this.unsavedSystem.delete(key);
      }
      const open = this.openAlerts.get(key);
      if (!failing) {
        const change = open && clear(open, { ts: now, message, value: null, now });
        if (change) this.commit(change);
        return;
      }
      if (open && open.state !== 'cleared') return; // active or acknowledged already: raised once.
      const alert: Alert = open
        ? { ...open, state: 'active', message, lastRaisedAt: now, occurrences: open.occurrences + 1, clearedAt: null, clearMessage: null, updatedAt: now }
        : { id: 0, ruleId, ruleName: def.name, kind: 'system', severity: def.severity, target: SYSTEM_TARGET, state: 'active', message, value: null, raisedAt: now, lastRaisedAt: now, occurrences: 1, clearedAt: null, clearMessage: null, acknowledged: null, shelved: null, updatedAt: now };
      const change: Change = { alert, action: open ? 're-raised' : 'raised', actor: SYSTEM, detail: { message, at: now }, event: { type: 'alert:raised', alert } };
      this.log.error({ alert: ruleId }, message);
      try {
        this.commit(change);
      } catch (err) {
        // Not saved: dashboards are told now all the same, and it is saved as soon as the database takes it.
        this.log.error({ err, alert: ruleId }, 'system alert not saved yet (its database refuses writes): pushed, saved later');
        if (!this.unsavedSystem.has(key)) {
          this.unsavedSystem.set(key, change);
          for (const l of this.listeners) {
            try {
              l(change.event);
            } catch (e) {
              this.log.error({ err: e }, 'alert listener failed');
            }
          }
        }
      }
    } catch (err) {
      this.log.error({ err, alert: ruleId }, 'system alert failed');
    }
  }

  readonly replica: Alerts['replica'] = {
    tables: () => this.store.exportTables(),
    replace: (tables) => {
      this.store.importTables(tables);
      this.load('à la reprise par cette instance');
      this.log.info({ rules: this.liveRules.size, open: this.openAlerts.size }, 'alerts taken from the site');
    },
    onRowChange: (listener) => {
      this.store.replicate = listener;
    },
  };

  onChange(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.handle !== undefined) this.timer.clearInterval(this.handle);
    this.listeners.clear();
  }

  // --- evaluation

  private context(seriesId: string | undefined, ts: number): number | undefined {
    if (!seriesId) return undefined;
    const v = this.latest.get(seriesId);
    return v && Math.abs(v[0] - ts) <= CONTEXT_SKEW_MS ? v[1] : undefined;
  }

  private evaluateReading(inst: Instance, r: Reading): void {
    const { rule } = inst.live;
    const b = inst.binding;
    const subject = { label: b.label, unit: b.unit, gapMs: b.gapMs };
    const input = { ts: r.ts, value: r.value };
    let step: Step<unknown>;
    switch (rule.kind) {
      case 'threshold':
        step = stepThreshold(rule, inst.state as never, { ...input, occupancy: this.context(b.occupancySeries, r.ts) }, subject);
        break;
      case 'tank-low':
        step = stepThreshold(tankLowParams(rule), inst.state as never, input, subject);
        break;
      case 'rate-of-change':
        step = stepRate(rule, inst.state as never, input, subject);
        break;
      case 'counter-reset':
        step = stepCounterReset(rule, inst.state as never, input, subject);
        break;
      case 'mains-topup':
        step = stepTopup(rule, inst.state as never, input, subject);
        break;
      case 'pv-underperformance':
        step = stepPv(rule, inst.state as never, { ts: r.ts, acW: r.value, ghi: this.context(b.irradianceSeries, r.ts), peakW: b.peakW ?? 0, acRatedW: b.acRatedW ?? Infinity }, subject);
        break;
      case 'heat-recovery': {
        const ahu = b.ahu;
        if (!ahu) return;
        step = stepHeatRecovery(rule, inst.state as never, { ts: r.ts, outdoorC: this.context(ahu.outdoor, r.ts), extractC: this.context(ahu.extract, r.ts), exhaustC: this.context(ahu.exhaust, r.ts), airflowM3s: this.context(ahu.airflow, r.ts) }, subject);
        break;
      }
      case 'device-offline':
        return;
    }
    inst.state = step.state;
    if (step.transition) this.transition(inst, step.transition);
  }

  private evaluateOffline(inst: Instance, e: OfflineEvent): void {
    const { rule } = inst.live;
    if (rule.kind !== 'device-offline') return;
    const s = inst.state as OfflineState;
    // Ingest calls this for every message: a reading from a device known to be online
    // only moves its last sign of life, which is all stepOffline would do (no transition
    // is possible), so skip its copies on this hot path (the benchmark's profile, issue 7).
    if (e.type === 'reading' && s.phase === 'normal' && s.status === 'online' && s.seen) {
      if (e.at > s.lastSign) s.lastSign = e.at;
      return;
    }
    const step = stepOffline(rule, inst.state as never, e, { label: inst.binding.label, periodMs: inst.binding.periodMs });
    inst.state = step.state;
    if (step.transition) this.transition(inst, step.transition);
  }

  private transition(inst: Instance, t: Transition): void {
    const now = this.now();
    const open = this.openAlerts.get(inst.key);
    const change = t.type === 'raise' ? raise(open, { rule: inst.live.rule, binding: inst.binding, transition: t, now, ruleShelve: inst.live.shelved }) : open && clear(open, { ts: t.ts, message: t.message, value: t.value, now });
    if (change) this.commit(change);
  }

  /** Persists a change with its audit entry, keeps the open alerts in step, then tells the listeners. */
  private commit(change: Change): Alert {
    const saved = this.store.save(change.alert, { ts: this.now(), actor: change.actor, action: change.action, detail: change.detail });
    const key = instanceKey(saved.ruleId, saved.target.id);
    if (saved.state === 'closed') this.openAlerts.delete(key);
    else this.openAlerts.set(key, saved);
    if (change.action === 'raised' || change.action === 're-raised') this.log.info({ alertId: saved.id, ruleId: saved.ruleId, target: saved.target.id, severity: saved.severity }, saved.message);
    const event = { ...change.event, alert: saved } as AlertEvent;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error({ err }, 'alert listener failed');
      }
    }
    return saved;
  }

  // --- rules

  private makeLive(rule: AlertRule, source: LiveRule['source'], shelved: ShelveInfo | null, updatedAt: number | null, updatedBy: string | null): LiveRule {
    const { bindings, problems } = bindRule(rule, this.opts.catalogue, this.opts.building);
    if (problems.length > 0) this.log.warn({ ruleId: rule.id, source, problems }, 'alert rule partly unusable in this building');
    return { rule, source, bindings, shelved, updatedAt, updatedBy };
  }

  private addInstances(live: LiveRule): void {
    if (!live.rule.enabled) return;
    const now = this.now();
    for (const b of live.bindings) {
      const key = instanceKey(live.rule.id, b.key);
      const open = this.openAlerts.get(key);
      const active = open?.state === 'active' || open?.state === 'acknowledged';
      this.instances.set(key, { key, live, binding: b, state: this.initialState(live.rule, active, now), lastTs: null });
    }
  }

  private initialState(rule: AlertRule, active: boolean, now: number): unknown {
    switch (rule.kind) {
      case 'threshold':
      case 'tank-low':
        return initialThreshold(active);
      case 'rate-of-change':
        return initialRate(active);
      case 'counter-reset':
        return initialCounterReset(active, now);
      case 'mains-topup':
        return initialTopup(active);
      case 'device-offline':
        return initialOffline(active, now);
      case 'pv-underperformance':
      case 'heat-recovery':
        return initialSustain(active);
    }
  }

  private removeInstances(ruleId: string): void {
    for (const [key, inst] of this.instances) if (inst.live.rule.id === ruleId) this.instances.delete(key);
  }

  private reindex(): void {
    this.bySeries.clear();
    this.byDevice.clear();
    for (const inst of this.instances.values()) {
      if (inst.live.rule.kind === 'device-offline') {
        const list = this.byDevice.get(inst.binding.deviceId) ?? [];
        list.push(inst);
        this.byDevice.set(inst.binding.deviceId, list);
        continue;
      }
      for (const s of inst.binding.triggers) {
        const list = this.bySeries.get(s) ?? [];
        list.push(inst);
        this.bySeries.set(s, list);
      }
    }
  }

  /** Active or acknowledged alerts nothing evaluates any more (rule gone, disabled, target dropped): cleared, with why. */
  private clearOrphans(actor: string, when: string): void {
    const now = this.now();
    for (const [key, a] of [...this.openAlerts]) {
      if (this.instances.has(key) || a.kind === 'system' || (a.state !== 'active' && a.state !== 'acknowledged')) continue;
      const live = this.liveRules.get(a.ruleId);
      const why = !live ? `la règle « ${a.ruleName} » n'existe plus` : !live.rule.enabled ? `la règle « ${a.ruleName} » est désactivée` : `la règle « ${a.ruleName} » ne vise plus ${a.target.label}`;
      const change = clear(a, { ts: now, message: `${why} (${when})`, value: null, now, actor });
      if (change) this.commit(change);
    }
  }

  private view(live: LiveRule): AlertRuleView {
    return { rule: live.rule, source: live.source, shelved: live.shelved, targets: live.bindings.map((b) => b.key), updatedAt: live.updatedAt, updatedBy: live.updatedBy };
  }

  private ruleState(live: LiveRule) {
    return { enabled: live.source === 'file' ? live.rule.enabled : null, shelved: live.shelved, updatedAt: live.updatedAt ?? this.now(), updatedBy: live.updatedBy ?? SYSTEM };
  }

  private found(id: string): LiveRule {
    const live = this.liveRules.get(id);
    if (!live) throw new AlertsError(404, `no alert rule "${id}"`);
    return live;
  }

  private checked(rule: AlertRule): LiveRule['bindings'] {
    const { bindings, problems } = bindRule(rule, this.opts.catalogue, this.opts.building);
    if (problems.length > 0) throw new AlertsError(400, `the rule cannot be used in this building: ${problems[0]}`, problems.map((message) => ({ path: 'rule', message })));
    return bindings;
  }

  /** Replaces a rule's evaluation: its instances start again, those with an open alert from "active". */
  private install(live: LiveRule, actor: string, when: string): void {
    this.removeInstances(live.rule.id);
    this.liveRules.set(live.rule.id, live);
    this.addInstances(live);
    this.reindex();
    this.clearOrphans(actor, when);
  }

  rules(): AlertRuleView[] {
    return [...this.liveRules.values()].map((l) => this.view(l));
  }

  rule(id: string): AlertRuleView {
    return this.view(this.found(id));
  }

  createRule(rule: AlertRule, by: string): AlertRuleView {
    if (this.liveRules.has(rule.id)) throw new AlertsError(409, `an alert rule "${rule.id}" exists already (${this.liveRules.get(rule.id)?.source === 'file' ? 'in the rules file' : 'created over the API'})`);
    const bindings = this.checked(rule);
    const now = this.now();
    this.store.transaction(() => {
      this.store.putRule(rule, by, now);
      this.store.ruleAudit(now, by, 'rule.create', rule.id, { rule });
    });
    const live: LiveRule = { rule, source: 'api', bindings, shelved: null, updatedAt: now, updatedBy: by };
    this.install(live, by, `créée par ${by}`);
    return this.view(live);
  }

  updateRule(id: string, rule: AlertRule, by: string): AlertRuleView {
    const old = this.found(id);
    if (rule.id !== id) throw new AlertsError(400, `the body's id "${rule.id}" is not the rule's "${id}": ids do not change (delete and create)`);
    if (old.source === 'file') throw new AlertsError(409, `alert rule "${id}" comes from the rules file: edit the file and restart, or disable it (PATCH enabled)`);
    const bindings = this.checked(rule);
    const now = this.now();
    this.store.transaction(() => {
      this.store.putRule(rule, by, now);
      this.store.ruleAudit(now, by, 'rule.update', id, { rule, previous: old.rule });
    });
    const live: LiveRule = { ...old, rule, bindings, updatedAt: now, updatedBy: by };
    this.install(live, by, `modifiée par ${by}`);
    return this.view(live);
  }

  setRuleEnabled(id: string, enabled: boolean, by: string): AlertRuleView {
    const old = this.found(id);
    const now = this.now();
    const live: LiveRule = { ...old, rule: { ...old.rule, enabled }, updatedAt: now, updatedBy: by };
    this.store.transaction(() => {
      if (live.source === 'api') this.store.putRule(live.rule, by, now);
      else this.store.putRuleState(id, this.ruleState(live));
      this.store.ruleAudit(now, by, enabled ? 'rule.enable' : 'rule.disable', id);
    });
    this.install(live, by, `${enabled ? 'activée' : 'désactivée'} par ${by}`);
    return this.view(live);
  }

  deleteRule(id: string, by: string): void {
    const old = this.found(id);
    if (old.source === 'file') throw new AlertsError(409, `alert rule "${id}" comes from the rules file: remove it there and restart, or disable it (PATCH enabled)`);
    const now = this.now();
    this.store.transaction(() => {
      this.store.deleteRule(id);
      this.store.ruleAudit(now, by, 'rule.delete', id, { rule: old.rule });
    });
    this.removeInstances(id);
    this.liveRules.delete(id);
    this.reindex();
    this.clearOrphans(by, `supprimée par ${by}`);
  }

  shelveRule(id: string, by: string, minutes: number, reason: string): AlertRuleView {
    const live = this.found(id);
    const now = this.now();
    const info: ShelveInfo = { by, at: now, until: now + minutes * 60_000, reason, scope: 'rule' };
    live.shelved = info;
    this.store.transaction(() => {
      this.store.putRuleState(id, { ...this.ruleState(live), updatedAt: now, updatedBy: by });
      this.store.ruleAudit(now, by, 'rule.shelve', id, { until: info.until, reason });
    });
    // Its open alerts go quiet with it, except those shelved on their own (their own time stands).
    for (const a of [...this.openAlerts.values()]) {
      if (a.ruleId !== id || a.shelved?.scope === 'alert') continue;
      this.commit(shelve(a, { by, minutes, reason, now, scope: 'rule', until: info.until }));
    }
    return this.view(live);
  }

  unshelveRule(id: string, by: string): AlertRuleView {
    const live = this.found(id);
    if (!live.shelved) throw new AlertsError(409, `alert rule "${id}" is not shelved`);
    const now = this.now();
    live.shelved = null;
    this.store.transaction(() => {
      this.store.putRuleState(id, { ...this.ruleState(live), updatedAt: now, updatedBy: by });
      this.store.ruleAudit(now, by, 'rule.unshelve', id);
    });
    for (const a of [...this.openAlerts.values()]) if (a.ruleId === id && a.shelved?.scope === 'rule') this.commit(unshelve(a, by, now));
    return this.view(live);
  }

  // --- alerts

  list(q: AlertListQuery): AlertListResponse {
    return { alerts: this.store.list(q), counts: this.store.counts() };
  }

  private alert(id: number): Alert {
    const a = this.store.get(id);
    if (!a) throw new AlertsError(404, `no alert ${id}`);
    return a;
  }

  get(id: number): AlertDetailResponse {
    return { ...this.alert(id), trail: this.store.trail(id) };
  }

  acknowledge(id: number, by: string, comment: string): Alert {
    return this.commit(acknowledge(this.alert(id), by, comment, this.now()));
  }

  shelve(id: number, by: string, minutes: number, reason: string): Alert {
    return this.commit(shelve(this.alert(id), { by, minutes, reason, now: this.now(), scope: 'alert' }));
  }

  unshelve(id: number, by: string): Alert {
    return this.commit(unshelve(this.alert(id), by, this.now()));
  }

  audit(limit: number, since?: number): AlertAuditEntry[] {
    return this.store.audit(limit, since);
  }
}
