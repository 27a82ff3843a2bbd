import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertRulesFileSchema, RULE_KINDS } from '../../shared/alerts';
import { building, catalogue } from '../../shared/catalogue';
import { AlertRulesError, DEFAULT_RULES_FILE, readRulesFile } from '../../server/alerts/rules-file';
import { bindRule } from '../../server/alerts/targets';

/** The shipped rules, and a broken rules file: every problem listed at once, each saying where. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lnm-rules-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function problemsOf(content: string): string[] {
  const file = path.join(dir, `rules-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, content);
  try {
    readRulesFile(file, catalogue, building);
  } catch (err) {
    expect(err).toBeInstanceOf(AlertRulesError);
    expect((err as Error).message).toContain(file);
    return (err as AlertRulesError).problems;
  }
  throw new Error('no problem found');
}

describe('config/alert-rules.json', () => {
  const rules = readRulesFile(DEFAULT_RULES_FILE, catalogue, building);

  it('is valid for Le Numérique, uses every rule kind, and says why for each rule', () => {
    expect(new Set(rules.map((r) => r.kind))).toEqual(new Set(RULE_KINDS));
    for (const r of rules) expect(r.description?.length ?? 0, r.id).toBeGreaterThan(40);
    // The file holds no defaults it does not need: it parses as written.
    expect(AlertRulesFileSchema.parse(JSON.parse(fs.readFileSync(DEFAULT_RULES_FILE, 'utf8'))).rules).toEqual(rules);
  });

  it('watches what it says: every room sensor for CO2, every device for silence, every inverter, the tank, the AHU', () => {
    const targets = Object.fromEntries(rules.map((r) => [r.id, bindRule(r, catalogue, building).bindings.map((b) => b.key)]));
    const rooms = catalogue.devices.filter((d) => d.type === 'room-sensor');
    expect(targets['co2-occupied']).toEqual(rooms.map((d) => `${d.id}.co2`));
    expect(targets['device-offline']).toEqual(catalogue.devices.map((d) => d.id));
    expect(targets['pv-underperformance']).toEqual(['pv-inverter-1.ac_power', 'pv-inverter-2.ac_power', 'pv-inverter-3.ac_power']);
    expect(targets['tank-low']).toEqual(['rainwater-tank.level']);
    expect(targets['mains-topup']).toEqual(['rainwater-tank.mains_topup']);
    expect(targets['heat-recovery']).toEqual(['ahu']);
    expect(targets['counter-reset']).toContain('grid-meter.import_energy');
    expect(targets['counter-reset']).toContain('rainwater-tank.mains_topup');
    expect(targets['counter-reset']?.every((id) => catalogue.deviceTypes.some((t) => t.points.some((p) => id.endsWith(`.${p.name}`) && p.kind === 'counter')))).toBe(true);
    // The expected PV production uses each inverter's own arrays: 48, 21 and 21 kWp.
    const pv = rules.find((r) => r.kind === 'pv-underperformance');
    expect(pv && bindRule(pv, catalogue, building).bindings.map((b) => b.peakW)).toEqual([48_000, 21_000, 21_000]);
  });
});

describe('a rules file with problems', () => {
  it('says when it is not JSON, or not there', () => {
    expect(problemsOf('{ "version": 1, rules: [] }')[0]).toMatch(/^not valid JSON: /);
    expect(() => readRulesFile(path.join(dir, 'missing.json'), catalogue, building)).toThrow(/cannot read it/);
  });

  it('lists every schema problem with its place in the file', () => {
    const problems = problemsOf(
      JSON.stringify({
        version: 1,
        rules: [
          { id: 'ok', name: 'fine', severity: 'info', kind: 'tank-low', belowPct: 5 },
          { id: 'no-value', name: 'x', severity: 'warning', kind: 'threshold', target: { point: 'co2' } },
          { id: 'Bad Id', name: 'x', severity: 'urgent', kind: 'tank-low', belowPct: 5 },
          { id: 'typo', name: 'x', severity: 'info', kind: 'tank-low', belowPct: 5, forMinuts: 3 },
          { id: 'what', name: 'x', severity: 'info', kind: 'flood' },
        ],
      }),
    );
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^rules\[1\]\.value: /);
    expect(problems).toContainEqual(expect.stringMatching(/^rules\[2\]\.id: ids are lower-case/));
    expect(problems).toContainEqual(expect.stringMatching(/^rules\[2\]\.severity: /));
    expect(problems).toContainEqual(expect.stringMatching(/^rules\[3\]: .*forMinuts/));
    expect(problems).toContainEqual(expect.stringMatching(/^rules\[4\]\.kind: /));
  });

  it('lists every rule that cannot work in this building, saying why', () => {
    const problems = problemsOf(
      JSON.stringify({
        version: 1,
        rules: [
          { id: 'a', name: 'x', severity: 'info', kind: 'threshold', target: { series: ['room-r1-reunion.co2', 'room-nowhere.co2'] }, value: 1 },
          { id: 'a', name: 'dup', severity: 'info', kind: 'tank-low', belowPct: 5 },
          { id: 'roof-co2', name: 'x', severity: 'info', kind: 'threshold', target: { deviceType: 'weather-station', point: 'temperature' }, value: 30, occupiedOnly: true },
          { id: 'reset-gauge', name: 'x', severity: 'info', kind: 'counter-reset', target: { series: ['grid-meter.import_power'] } },
          { id: 'pv-meter', name: 'x', severity: 'info', kind: 'pv-underperformance', target: { series: ['grid-meter.export_power'] }, belowPct: 50 },
          { id: 'nothing', name: 'x', severity: 'info', kind: 'rate-of-change', target: { deviceType: 'ahu', point: 'co2' }, perMinute: 1 },
          { id: 'lift', name: 'x', severity: 'info', kind: 'device-offline', target: { deviceType: 'lift' } },
        ],
      }),
    );
    expect(problems).toEqual([
      'rules[0] ("a"): series "room-nowhere.co2" is not in the catalogue',
      'rules[1] ("a"): duplicate id "a" (also rules[0] ("a"))',
      'rules[2] ("roof-co2"): series "weather-station.temperature" is in zone "roof", which has no occupancy sensor (room-roof.occupancy): occupiedOnly cannot be judged there',
      'rules[3] ("reset-gauge"): series "grid-meter.import_power" is a gauge; a counter-reset rule needs counters',
      'rules[4] ("pv-meter"): device "grid-meter" is not an inverter with PV arrays in the building file: its expected production is unknown',
      'rules[5] ("nothing"): its target matches no series in the catalogue',
      expect.stringMatching(/^rules\[6\] \("lift"\): device type "lift" does not exist \(weather-station, pv-inverter, /),
    ]);
  });
});
