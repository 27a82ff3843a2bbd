import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, AlertRule } from '../../shared/alerts';
import { type AppDb, openAppDb } from '../../server/db/app-db';
import { type AlertTableChange, AlertStore } from '../../server/alerts/store';
import { createLogger } from '../../server/logger';
import { tempDir } from '../helpers/server';

/**
 * What a scaled-out site copies of the alerts leader's tables (server/scale/alerts.ts):
 * every committed row change, none of a transaction rolled back, and whole tables
 * that another instance's app.sqlite takes with their ids. Real SQLite files.
 */
const log = createLogger('silent')('alerts');
const RULE: AlertRule = { id: 'outdoor-seen', name: 'Température extérieure relevée', severity: 'info', kind: 'threshold', target: { series: ['weather-station.temperature'] }, op: 'above', value: -100, enabled: true } as AlertRule;

describe('alert tables, as the alerts leader shares them', () => {
  const dbs: AppDb[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
  });
  const open = (): { store: AlertStore; told: AlertTableChange[] } => {
    const db = openAppDb(tempDir('lnm-alert-replica-'));
    dbs.push(db);
    const store = new AlertStore(db, log);
    const told: AlertTableChange[] = [];
    store.replicate = (changes) => told.push(...changes);
    return { store, told };
  };

  it('tells every committed change, in order, and nothing of a transaction rolled back', () => {
    const { store, told } = open();
    store.putRule(RULE, 'admin', 1000);
    expect(told).toEqual([{ table: 'rules', key: RULE.id, row: expect.objectContaining({ id: RULE.id, created_by: 'admin' }) }]);
    told.length = 0;

    expect(() =>
      store.transaction(() => {
        store.putRule({ ...RULE, name: 'changée' }, 'admin', 2000);
        store.ruleAudit(2000, 'admin', 'rule.update', RULE.id);
        throw new Error('refused half-way');
      }),
    ).toThrow('refused half-way');
    expect(told).toEqual([]);
    expect(store.apiRules()[0]?.rule.name).toBe(RULE.name);

    store.transaction(() => {
      store.putRuleState(RULE.id, { enabled: false, shelved: null, updatedAt: 3000, updatedBy: 'operator' });
      store.ruleAudit(3000, 'operator', 'rule.disable', RULE.id);
    });
    expect(told.map((c) => c.table)).toEqual(['ruleStates', 'audit']);
    expect(told[0]?.row).toMatchObject({ rule_id: RULE.id, enabled: 0, updated_by: 'operator' });
    told.length = 0;

    store.deleteRule(RULE.id);
    expect(told).toEqual([
      { table: 'rules', key: RULE.id, row: null },
      { table: 'ruleStates', key: RULE.id, row: null },
    ]);
  });

  it('gives another app.sqlite the same tables, alert ids kept, an audit entry whose alert is missing unlinked', () => {
    const leader = open();
    leader.store.putRule(RULE, 'admin', 1000);
    const alert = { id: 0, ruleId: RULE.id, target: { id: 'weather-station.temperature' }, state: 'active', raisedAt: 5000, updatedAt: 5000, severity: 'info' } as unknown as Alert;
    const saved = leader.store.save(alert, { ts: 5000, actor: 'system', action: 'raised' });
    leader.store.save({ ...saved, state: 'acknowledged', updatedAt: 6000 } as Alert, { ts: 6000, actor: 'operator', action: 'acknowledged', detail: { comment: 'vu' } });
    expect(leader.told.filter((c) => c.table === 'alerts').map((c) => c.key)).toEqual([String(saved.id), String(saved.id)]);
    const tables = leader.store.exportTables();

    const follower = open();
    // Its own history, which the site's replaces.
    follower.store.putRule({ ...RULE, id: 'local-only' }, 'someone', 10);
    follower.store.importTables({ ...tables, audit: [...tables.audit, { id: 999, ts: 7000, actor: 'system', action: 'raised', alert_id: 12345, rule_id: RULE.id, detail: null }] });
    const copy = follower.store.exportTables();
    expect(copy.alerts).toEqual(tables.alerts);
    expect(copy.rules).toEqual(tables.rules);
    expect(copy.audit.slice(0, -1)).toEqual(tables.audit);
    expect(copy.audit.at(-1)).toMatchObject({ id: 999, alert_id: null });
    expect(follower.store.get(saved.id)).toMatchObject({ id: saved.id, state: 'acknowledged' });
    expect(follower.store.trail(saved.id).map((e) => e.action)).toEqual(['raised', 'acknowledged']);
  });
});
