import { describe, expect, it } from 'vitest';
import { SenmlPackSchema, resolvePack } from '../../shared/senml';

const NOW = Date.UTC(2026, 5, 21, 12, 0, 0);

function resolve(json: unknown) {
  const parsed = SenmlPackSchema.safeParse(json);
  if (!parsed.success) throw new Error(parsed.error.message);
  return resolvePack(parsed.data, NOW);
}

describe('SenML pack schema and resolution (RFC 8428)', () => {
  it('resolves the single-datapoint example of §5.1.1', () => {
    // RFC 8428 §5.1.1: [{"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}], no time = now.
    const { records, errors } = resolve([{ n: 'urn:dev:ow:10e2073a01080063', u: 'Cel', v: 23.1 }]);
    expect(errors).toEqual([]);
    expect(records).toEqual([expect.objectContaining({ name: 'urn:dev:ow:10e2073a01080063', unit: 'Cel', value: 23.1, timeMs: NOW })]);
  });

  it('applies base name, base time, base unit and relative times as in §5.1.2', () => {
    // RFC 8428 §5.1.2 (multiple datapoints): bn, bt and bu carried to later records, t relative to bt.
    const { records, errors } = resolve([
      { bn: 'urn:dev:ow:10e2073a01080063:', bt: 1.276020076001e9, bu: 'A', bver: 5, n: 'voltage', u: 'V', v: 120.1 },
      { n: 'current', t: -5, v: 1.2 },
      { n: 'current', t: -4, v: 1.3 },
    ]);
    expect(errors).toEqual([]);
    expect(records.map((r) => [r.name, r.unit, r.value, r.timeMs])).toEqual([
      ['urn:dev:ow:10e2073a01080063:voltage', 'V', 120.1, 1276020076001],
      ['urn:dev:ow:10e2073a01080063:current', 'A', 1.2, 1276020071001],
      ['urn:dev:ow:10e2073a01080063:current', 'A', 1.3, 1276020072001],
    ]);
  });

  it('treats times under 2**28 s as relative to now (§4.5.3)', () => {
    const { records } = resolve([{ n: 'x', v: 1, t: -10 }]);
    expect(records[0]?.timeMs).toBe(NOW - 10_000);
  });

  it('adds the base value to v and maps vb to 0/1 (§4.1, §4.2)', () => {
    const { records } = resolve([{ bn: 'd:', bv: 100, n: 'a', v: 5 }, { n: 'b', vb: true }, { n: 'c', s: 7, bs: 3 }]);
    expect(records.map((r) => [r.value, r.sum])).toEqual([[105, undefined], [1, undefined], [undefined, 10]]);
  });

  it('rejects a record with a must-understand field (§4.4)', () => {
    const parsed = SenmlPackSchema.safeParse([{ n: 'x', v: 1, foo_: 2 }]);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/must-understand/);
  });

  it('accepts unknown fields that are not must-understand (§4.4)', () => {
    expect(SenmlPackSchema.safeParse([{ n: 'x', v: 1, vendor: 'abc' }]).success).toBe(true);
  });

  it('rejects shapes that are not SenML', () => {
    for (const bad of [{}, [], 'x', [{ n: 'x', v: '1' }], [{ n: 5, v: 1 }], [{ n: 'x', v: 1, vs: 'a' }]]) {
      expect(SenmlPackSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('reports bad records but keeps the good ones of the same pack', () => {
    const { records, errors } = resolve([{ bn: 'dev:', n: 'ok', v: 1 }, { n: ' bad name', v: 2 }, { n: 'novalue' }, { n: 'ok2', v: 3 }]);
    expect(records.map((r) => r.name)).toEqual(['dev:ok', 'dev:ok2']);
    expect(errors.map((e) => e.index)).toEqual([1, 2]);
    expect(errors[0]?.reason).toMatch(/invalid SenML name/);
    expect(errors[1]?.reason).toMatch(/no value/);
  });

  it('rejects a record whose resolved name is empty', () => {
    const { errors } = resolve([{ v: 1 }]);
    expect(errors[0]?.reason).toMatch(/no name/);
  });
});
