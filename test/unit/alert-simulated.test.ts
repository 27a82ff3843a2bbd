import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alerts';
import { building, catalogue, catalogueSeries, seriesId } from '../../shared/catalogue';
import { DEFAULT_RULES_FILE, startAlerts } from '../../server/alerts/index';
import { openAppDb } from '../../server/db/app-db';
import { SCENARIOS } from '../../simulator/scenarios';
import { World } from '../../simulator/world';

/**
 * The shipped rules on the simulated building (simulator/world.ts, the same
 * physics as the live simulator): healthy days in winter and summer raise no
 * equipment alert, and each equipment failure the simulator knows is raised
 * once, on the right target. This is how the default limits were chosen
 * (docs/alerts.md gives the yearly counts).
 */

const STEP_MS = 2 * 60_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const stateNames = new Map(catalogueSeries(catalogue).flatMap((s) => (s.states ? [[s.id, s.states] as const] : [])));

function simulate(start: number, days: number, setup: (w: World) => void = () => {}): Alert[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lnm-alerts-sim-'));
  dirs.push(dir);
  const db = openAppDb(dir);
  let now = start;
  const alerts = startAlerts({ db, catalogue, building, rulesFile: DEFAULT_RULES_FILE, log: pino({ level: 'silent' }), now: () => now, tickMs: 0 });
  const raised: Alert[] = [];
  alerts.onChange((e) => {
    if (e.type === 'alert:raised') raised.push(e.alert);
  });
  const world = new World(building, 1, start);
  setup(world);
  for (let t = start + STEP_MS; t <= start + days * 86_400_000; t += STEP_MS) {
    now = t;
    world.step(t);
    for (const d of catalogue.devices) {
      alerts.onReadings(
        world.read(d.id).map(([point, v]) => {
          const id = seriesId(d.id, point);
          return { seriesId: id, ts: t, value: typeof v === 'string' ? (stateNames.get(id) ?? []).indexOf(v) : v };
        }),
      );
    }
    alerts.tick();
  }
  alerts.close();
  db.close();
  return raised;
}

/** Rules about equipment: a healthy building raises none of them. (CO2, temperature and top-up follow the building's use.) */
const EQUIPMENT = ['device-offline', 'counter-reset', 'tank-low', 'tank-level-falling', 'mains-topup-long', 'pv-underperformance', 'heat-recovery'];

describe('the default rules on the simulated building', () => {
  it('raise no equipment alert over healthy days in January and in July', () => {
    const winter = simulate(Date.UTC(2026, 0, 5), 3);
    const summer = simulate(Date.UTC(2026, 6, 6), 3);
    for (const a of [...winter, ...summer]) expect(EQUIPMENT, a.message).not.toContain(a.ruleId);
    // The building's use does raise some: CO2 at lunchtime in the coworking spaces.
    expect([...winter, ...summer].every((a) => ['co2-occupied', 'temperature-low-occupied', 'mains-topup'].includes(a.ruleId))).toBe(true);
  });

  it('raise a failed inverter once, on that inverter only, and keep it through the night', () => {
    const raised = simulate(Date.UTC(2026, 5, 8), 2, (w) => w.setEquipmentFault('pv-inverter-2', true));
    const pv = raised.filter((a) => a.ruleId === 'pv-underperformance');
    expect(pv).toHaveLength(1);
    expect(pv[0]?.target.id).toBe('pv-inverter-2.ac_power');
    expect(pv[0]?.message).toMatch(/^Onduleur PV est : 0 kW produits pour [\d,]+ kW attendus \(GHI [\d\u202f]+ W\/m² × 21 kWc × PR 0,8\), soit 100 % en dessous depuis 30 min$/);
  });

  it('raise a stopped heat-recovery wheel once, on a cold morning', () => {
    const raised = simulate(Date.UTC(2026, 0, 5), 2, (w) => w.setScenario(SCENARIOS['ahu-recovery-failure']));
    const hr = raised.filter((a) => a.ruleId === 'heat-recovery');
    expect(hr).toHaveLength(1);
    expect(hr[0]?.target.id).toBe('ahu');
    expect(hr[0]?.value).toBeCloseTo(0, 6);
  });
});
