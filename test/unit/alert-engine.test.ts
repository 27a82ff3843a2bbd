import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../shared/api';
import { type AlertEvent, AlertEventSchema, type AlertRuleInput, AlertRuleSchema, type RuleOf } from '../../shared/alerts';
import { building, catalogue } from '../../shared/catalogue';
import { type Alerts, AlertsError, startAlerts } from '../../server/alerts/index';
import type { Timer } from '../../server/alerts/engine';
import { type AppDb, openAppDb } from '../../server/db/app-db';

/**
 * The engine with a real app database: an alert raised once and persisted, its
 * lifecycle (acknowledge, clear, close, come back), shelving, a restart, rules
 * over the API, and what it must ignore (a backfill, packs out of order).
 */

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 12, 9, 0);
const log = pino({ level: 'silent' });

const CO2_RULE: AlertRuleInput = { id: 'co2-occupied', name: 'CO2 élevé en zone occupée', severity: 'warning', kind: 'threshold', target: { deviceType: 'room-sensor', point: 'co2' }, value: 1200, hysteresis: 100, forMinutes: 10, occupiedOnly: true };
const RESET_RULE: AlertRuleInput = { id: 'counter-reset', name: 'Compteur remis à zéro', severity: 'warning', kind: 'counter-reset' };
const OFFLINE_RULE: AlertRuleInput = { id: 'offline', name: 'Hors ligne', severity: 'warning', kind: 'device-offline', target: { devices: ['weather-station'] }, staleFactor: 5, graceMinutes: 5 };

interface Harness {
  alerts: Alerts;
  db: AppDb;
  dir: string;
  events: AlertEvent[];
  clock: { now: number };
  ticks: (() => void)[];
  restart(): void;
}
const open: Harness[] = [];

function harness(rules: AlertRuleInput[] = [CO2_RULE], dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lnm-alerts-'))): Harness {
  const file = path.join(dir, 'rules.json');
  if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify({ version: 1, rules }));
  const clock = { now: T0 + 30 * MIN };
  const ticks: (() => void)[] = [];
  const timer: Timer = { setInterval: (fn) => ticks.push(fn), clearInterval: () => ticks.splice(0) };
  const events: AlertEvent[] = [];
  const start = (db: AppDb) => {
    const a = startAlerts({ db, catalogue, building, rulesFile: file, log, now: () => clock.now, tickMs: 10_000, timer });
    a.onChange((e) => events.push(AlertEventSchema.parse(e)));
    return a;
  };
  const db = openAppDb(dir);
  const h: Harness = {
    alerts: start(db),
    db,
    dir,
    events,
    clock,
    ticks,
    restart() {
      h.alerts.close();
      h.db.close();
      h.db = openAppDb(dir);
      h.alerts = start(h.db);
    },
  };
  open.push(h);
  return h;
}

afterEach(() => {
  for (const h of open.splice(0)) {
    h.alerts.close();
    h.db.close();
    fs.rmSync(h.dir, { recursive: true, force: true });
  }
});

/** What a room sensor sends each minute: CO2 and occupancy in one pack. */
function room(h: Harness, zone: string, from: number, minutes: number, co2: number, occupancy: number): void {
  for (let i = 0; i < minutes; i++) {
    const ts = T0 + (from + i) * MIN;
    h.alerts.onReadings([
      { seriesId: `room-${zone}.co2`, ts, value: co2 },
      { seriesId: `room-${zone}.occupancy`, ts, value: occupancy },
    ]);
  }
}
const types = (h: Harness) => h.events.map((e) => e.type);

describe('the alert lifecycle', () => {
  it('raises once, acknowledges with a comment, closes when the condition is gone, and keeps the trail', () => {
    const h = harness();
    room(h, 'r1-reunion', 0, 25, 1400, 9);
    expect(types(h)).toEqual(['alert:raised']);
    const raised = h.events[0]?.alert;
    expect(raised).toMatchObject({ ruleId: 'co2-occupied', state: 'active', severity: 'warning', value: 1400, raisedAt: T0 + 10 * MIN, occurrences: 1, acknowledged: null });
    expect(raised?.target).toEqual({ id: 'room-r1-reunion.co2', deviceId: 'room-r1-reunion', seriesId: 'room-r1-reunion.co2', zone: 'r1-reunion', label: 'Ambiance Salles de réunion R+1 – CO2' });
    expect(raised?.message).toBe('Ambiance Salles de réunion R+1 – CO2 : 1\u202f400 ppm, au-dessus de 1\u202f200 ppm depuis 10 min, zone occupée (9 pers.)');
    const id = raised?.id ?? 0;
    expect(h.alerts.list({ state: 'open', limit: 10 })).toMatchObject({ alerts: [{ id, state: 'active' }], counts: { active: 1, acknowledged: 0, cleared: 0, shelved: 0 } });

    h.clock.now += MIN;
    const acked = h.alerts.acknowledge(id, 'operateur', 'fenêtres ouvertes, CTA vérifiée');
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'operateur', at: h.clock.now, comment: 'fenêtres ouvertes, CTA vérifiée' } });
    expect(h.events.at(-1)).toMatchObject({ type: 'alert:updated', change: 'acknowledged', by: 'operateur' });
    expect(() => h.alerts.acknowledge(id, 'autre', '')).toThrow(expect.objectContaining({ status: 409 }));

    room(h, 'r1-reunion', 25, 5, 1350, 9); // still high: nothing new
    expect(types(h)).toEqual(['alert:raised', 'alert:updated']);
    room(h, 'r1-reunion', 30, 3, 1050, 9);
    expect(types(h)).toEqual(['alert:raised', 'alert:updated', 'alert:cleared']);
    expect(h.events.at(-1)?.alert).toMatchObject({ id, state: 'closed', clearedAt: T0 + 30 * MIN, clearMessage: 'Ambiance Salles de réunion R+1 – CO2 revenu à 1\u202f050 ppm (sous 1\u202f100 ppm)' });

    expect(h.alerts.list({ state: 'open', limit: 10 }).alerts).toHaveLength(0);
    expect(h.alerts.list({ state: 'all', limit: 10 }).alerts.map((a) => a.id)).toEqual([id]);
    const detail = h.alerts.get(id);
    expect(detail.trail.map((t) => [t.action, t.actor])).toEqual([
      ['raised', 'system'],
      ['acknowledged', 'operateur'],
      ['cleared', 'system'],
    ]);
    expect(detail.trail[1]?.detail).toMatchObject({ comment: 'fenêtres ouvertes, CTA vérifiée' });
    expect(h.alerts.audit(10).map((e) => e.action)).toEqual(['cleared', 'acknowledged', 'raised']);
  });

  it('a cleared alert nobody acknowledged stays visible; if the condition returns it is the same alert, raised again', () => {
    const h = harness();
    room(h, 'r1-reunion', 0, 12, 1400, 9);
    room(h, 'r1-reunion', 12, 2, 1000, 9);
    const id = h.events[0]?.alert.id ?? 0;
    expect(h.alerts.list({ state: 'open', limit: 10 }).alerts).toMatchObject([{ id, state: 'cleared' }]);
    expect(h.alerts.list({ state: 'cleared', limit: 10 }).counts.cleared).toBe(1);
    room(h, 'r1-reunion', 14, 12, 1500, 9);
    expect(types(h)).toEqual(['alert:raised', 'alert:cleared', 'alert:raised']);
    expect(h.events.at(-1)?.alert).toMatchObject({ id, state: 'active', occurrences: 2, raisedAt: T0 + 10 * MIN, lastRaisedAt: T0 + 24 * MIN, clearedAt: null });
    // Acknowledging a cleared alert closes it; the next episode is a new alert.
    room(h, 'r1-reunion', 26, 1, 1000, 9);
    expect(h.alerts.acknowledge(id, 'operateur', '').state).toBe('closed');
    room(h, 'r1-reunion', 27, 12, 1500, 9);
    expect(h.events.at(-1)?.alert.id).not.toBe(id);
    expect(h.alerts.list({ state: 'all', limit: 10 }).alerts).toHaveLength(2);
  });

  it('one alert per rule and target: two zones, two alerts; an empty zone, none', () => {
    const h = harness();
    room(h, 'r1-reunion', 0, 12, 1400, 9);
    room(h, 'r3-reunion', 0, 12, 1400, 4);
    room(h, 'r4-evenements', 0, 12, 1900, 0);
    expect(h.events.map((e) => e.alert.target.zone).sort()).toEqual(['r1-reunion', 'r3-reunion']);
  });

  it('ignores readings older than an hour: a backfill or a long replay raises nothing', () => {
    const h = harness();
    h.clock.now = T0 + 26 * 3600_000;
    room(h, 'r1-reunion', 0, 60, 1900, 30);
    expect(h.events).toHaveLength(0);
  });

  it('a pack delivered out of order or twice is not a counter reset; a real one is raised once', () => {
    const h = harness([RESET_RULE]);
    const meter = (minute: number, value: number): Reading[] => [{ seriesId: 'grid-meter.import_energy', ts: T0 + minute * MIN, value }];
    for (let m = 0; m < 5; m++) h.alerts.onReadings(meter(m, 1000 + m * 10));
    h.alerts.onReadings(meter(2, 1020)); // a duplicate
    for (let m = 9; m >= 5; m--) h.alerts.onReadings(meter(m, 1000 + m * 10)); // reversed
    expect(h.events).toHaveLength(0);
    h.alerts.onReadings(meter(10, 3));
    h.alerts.onReadings(meter(11, 8));
    expect(types(h)).toEqual(['alert:raised']);
    expect(h.events[0]?.alert.target.id).toBe('grid-meter.import_energy');
  });

  it('device offline: status events and the injected timer, cleared by its next reading', () => {
    const h = harness([OFFLINE_RULE]);
    expect(h.ticks).toHaveLength(1);
    h.alerts.onReadings([{ seriesId: 'weather-station.ghi', ts: h.clock.now, value: 300 }]);
    h.alerts.onStatus({ deviceId: 'weather-station', status: 'offline', ts: h.clock.now });
    h.clock.now += 4 * MIN;
    h.ticks[0]?.();
    expect(h.events).toHaveLength(0);
    h.clock.now += 2 * MIN;
    h.ticks[0]?.();
    h.ticks[0]?.();
    expect(types(h)).toEqual(['alert:raised']);
    expect(h.events[0]?.alert).toMatchObject({ kind: 'device-offline', target: { id: 'weather-station', seriesId: null }, value: null, message: 'Station météo hors ligne depuis 6 min (déconnecté du broker, dernière donnée il y a 6 min)' });
    // Old readings arriving (a device replaying its buffer) are a sign of life too.
    h.alerts.onReadings([{ seriesId: 'weather-station.ghi', ts: h.clock.now - 2 * 3600_000, value: 0 }]);
    expect(types(h)).toEqual(['alert:raised', 'alert:cleared']);
  });

  it('a listener that throws disturbs neither the others nor the engine', () => {
    const h = harness();
    h.alerts.onChange(() => {
      throw new Error('boom');
    });
    const seen: string[] = [];
    const off = h.alerts.onChange((e) => seen.push(e.type));
    room(h, 'r1-reunion', 0, 12, 1400, 9);
    expect(seen).toEqual(['alert:raised']);
    off();
    room(h, 'r1-reunion', 12, 1, 1000, 9);
    expect(seen).toEqual(['alert:raised']);
    expect(types(h)).toEqual(['alert:raised', 'alert:cleared']);
  });
});

describe('a restart', () => {
  it('keeps open alerts and their evaluation: no second raise, cleared when the condition goes', () => {
    const h = harness();
    room(h, 'r1-reunion', 0, 12, 1400, 9);
    const id = h.events[0]?.alert.id;
    h.restart();
    expect(h.alerts.list({ state: 'open', limit: 10 }).alerts).toMatchObject([{ id, state: 'active' }]);
    room(h, 'r1-reunion', 12, 20, 1400, 9);
    expect(types(h)).toEqual(['alert:raised']);
    room(h, 'r1-reunion', 32, 1, 1000, 9);
    expect(h.events.at(-1)).toMatchObject({ type: 'alert:cleared', alert: { id, state: 'cleared' } });
  });

  it('clears an open alert whose rule is gone from the file, saying so', () => {
    const h = harness();
    room(h, 'r1-reunion', 0, 12, 1400, 9);
    const id = h.events[0]?.alert.id ?? 0;
    fs.writeFileSync(path.join(h.dir, 'rules.json'), JSON.stringify({ version: 1, rules: [RESET_RULE] }));
    h.restart();
    expect(h.alerts.get(id)).toMatchObject({ state: 'cleared', clearMessage: "la règle « CO2 élevé en zone occupée » n'existe plus (au démarrage)" });
  });
});

describe('shelving', () => {
  it('shelves an alert for a while, by whom and why; it comes back when the time is up', () => {
    const h = harness();
    room(h, 'r1-reunion', 0, 12, 1400, 9);
    const id = h.events[0]?.alert.id ?? 0;
    expect(() => h.alerts.unshelve(id, 'operateur')).toThrow(AlertsError);
    const shelved = h.alerts.shelve(id, 'operateur', 60, 'capteur en maintenance');
    expect(shelved.shelved).toEqual({ by: 'operateur', at: h.clock.now, until: h.clock.now + 60 * MIN, reason: 'capteur en maintenance', scope: 'alert' });
    expect(h.alerts.list({ state: 'open', limit: 10 }).counts.shelved).toBe(1);
    // Still evaluated while shelved: it clears and comes back as usual, quietly flagged.
    room(h, 'r1-reunion', 12, 1, 1000, 9);
    room(h, 'r1-reunion', 13, 12, 1400, 9);
    expect(h.events.at(-1)?.alert).toMatchObject({ id, state: 'active', occurrences: 2, shelved: { reason: 'capteur en maintenance' } });
    h.clock.now += 59 * MIN;
    h.ticks[0]?.();
    expect(h.alerts.get(id).shelved).not.toBeNull();
    h.clock.now += 2 * MIN;
    h.ticks[0]?.();
    expect(h.events.at(-1)).toMatchObject({ type: 'alert:updated', change: 'shelve-expired', by: 'system', alert: { id, shelved: null } });
    expect(h.alerts.get(id).trail.map((t) => t.action)).toEqual(['raised', 'shelved', 'cleared', 're-raised', 'shelve-expired']);
  });

  it('shelving a rule shelves its open alerts and those it raises meanwhile; unshelving brings them back', () => {
    const h = harness();
    room(h, 'r1-reunion', 0, 12, 1400, 9);
    const first = h.events[0]?.alert.id;
    const view = h.alerts.shelveRule('co2-occupied', 'operateur', 120, 'travaux de ventilation');
    expect(view.shelved).toMatchObject({ by: 'operateur', reason: 'travaux de ventilation', scope: 'rule' });
    expect(h.alerts.get(first ?? 0).shelved?.scope).toBe('rule');
    room(h, 'r3-reunion', 0, 12, 1400, 4);
    expect(h.events.at(-1)).toMatchObject({ type: 'alert:raised', alert: { target: { zone: 'r3-reunion' }, shelved: { scope: 'rule', reason: 'travaux de ventilation' } } });
    h.alerts.unshelveRule('co2-occupied', 'operateur');
    expect(h.alerts.list({ state: 'open', limit: 10 }).alerts.map((a) => a.shelved)).toEqual([null, null]);
    expect(() => h.alerts.unshelveRule('co2-occupied', 'operateur')).toThrow(expect.objectContaining({ status: 409 }));
  });

  it('a closed alert cannot be shelved', () => {
    const h = harness();
    room(h, 'r1-reunion', 0, 12, 1400, 9);
    const id = h.events[0]?.alert.id ?? 0;
    h.alerts.acknowledge(id, 'operateur', '');
    room(h, 'r1-reunion', 12, 1, 1000, 9);
    expect(() => h.alerts.shelve(id, 'operateur', 10, 'trop tard')).toThrow(expect.objectContaining({ status: 409 }));
  });
});

describe('rules over the API', () => {
  const tankRule = AlertRuleSchema.parse({ id: 'tank-api', name: 'Cuve basse (site)', severity: 'critical', kind: 'tank-low', belowPct: 30, forMinutes: 0 }) as RuleOf<'tank-low'>;
  const tank = (h: Harness, minute: number, level: number) => h.alerts.onReadings([{ seriesId: 'rainwater-tank.level', ts: T0 + minute * MIN, value: level }]);

  it('creates, evaluates, updates, disables and deletes a rule, with an audit entry for each', () => {
    const h = harness();
    const created = h.alerts.createRule(tankRule, 'admin');
    expect(created).toMatchObject({ source: 'api', targets: ['rainwater-tank.level'], updatedBy: 'admin', shelved: null });
    tank(h, 0, 25);
    expect(h.events.at(-1)).toMatchObject({ type: 'alert:raised', alert: { ruleId: 'tank-api', severity: 'critical' } });
    // Updated: evaluation starts again from "active" for its open alert, which clears on the new terms.
    h.alerts.updateRule('tank-api', { ...tankRule, belowPct: 20 }, 'admin');
    tank(h, 1, 25);
    expect(h.events.at(-1)).toMatchObject({ type: 'alert:cleared', alert: { ruleId: 'tank-api', state: 'cleared' } });
    tank(h, 2, 10);
    expect(h.events.at(-1)).toMatchObject({ type: 'alert:raised', alert: { occurrences: 2 } });
    h.alerts.setRuleEnabled('tank-api', false, 'admin');
    expect(h.events.at(-1)).toMatchObject({ type: 'alert:cleared', alert: { clearMessage: 'la règle « Cuve basse (site) » est désactivée (désactivée par admin)' } });
    tank(h, 3, 5);
    expect(h.events.at(-1)?.type).toBe('alert:cleared');
    h.alerts.deleteRule('tank-api', 'admin');
    expect(() => h.alerts.rule('tank-api')).toThrow(expect.objectContaining({ status: 404 }));
    expect(h.alerts.list({ state: 'all', limit: 10 }).alerts.filter((a) => a.ruleId === 'tank-api')).toHaveLength(1);
    expect(h.alerts.audit(50).filter((e) => e.alertId === null).map((e) => [e.action, e.actor])).toEqual([
      ['rule.delete', 'admin'],
      ['rule.disable', 'admin'],
      ['rule.update', 'admin'],
      ['rule.create', 'admin'],
    ]);
  });

  it('refuses a rule that cannot work here, an id taken, and changes to a file rule other than enabling it', () => {
    const h = harness();
    let error: unknown;
    try {
      h.alerts.createRule(AlertRuleSchema.parse({ id: 'nowhere', name: 'x', severity: 'info', kind: 'threshold', target: { zones: ['attic'], point: 'co2' }, value: 1 }), 'admin');
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ status: 400, message: 'the rule cannot be used in this building: zone "attic" does not exist' });
    expect(() => h.alerts.createRule(AlertRuleSchema.parse({ ...CO2_RULE }), 'admin')).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => h.alerts.updateRule('co2-occupied', AlertRuleSchema.parse({ ...CO2_RULE, value: 1500 }), 'admin')).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => h.alerts.deleteRule('co2-occupied', 'admin')).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => h.alerts.updateRule('tank-api', tankRule, 'admin')).toThrow(expect.objectContaining({ status: 404 }));
  });

  it('keeps rules made over the API, and a file rule disabled over the API, across a restart', () => {
    const h = harness();
    h.alerts.createRule(tankRule, 'admin');
    h.alerts.setRuleEnabled('co2-occupied', false, 'admin');
    h.restart();
    expect(h.alerts.rules().map((r) => [r.rule.id, r.source, r.rule.enabled])).toEqual([
      ['co2-occupied', 'file', false],
      ['tank-api', 'api', true],
    ]);
    room(h, 'r1-reunion', 0, 12, 1400, 9);
    expect(h.events).toHaveLength(0);
  });
});
