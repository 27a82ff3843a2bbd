import { describe, expect, it } from 'vitest';
import { checkPack, fastAccepts } from '../../server/ingest/senml-check';
import { MAX_RECORDS_PER_PACK, SenmlPackSchema } from '../../shared/senml';
import { createRng } from '../../simulator/random';

/**
 * The compiled check on the ingest path (ajv, from zod's JSON Schema) must give
 * the zod schema's answer on every input: a pack it takes that zod refuses would
 * be stored unchecked; one it refuses that zod takes only costs time, and is
 * still a disagreement worth knowing of.
 */
const zodAccepts = (x: unknown): boolean => SenmlPackSchema.safeParse(x).success;

const FIELDS = ['bn', 'bt', 'bu', 'bv', 'bs', 'bver', 'n', 'u', 'v', 'vs', 'vb', 'vd', 's', 't', 'ut', 'vendor', 'x_', '_', 'a_b', '__proto__'];
const ASTRAL = '\u{1F600}';

function valueOf(rng: () => number): unknown {
  const pick = Math.floor(rng() * 22);
  switch (pick) {
    case 0: return 0;
    case 1: return -1;
    case 2: return 1.5;
    case 3: return 1;
    case 4: return 2 ** 53; // not a safe integer: bver refuses it
    case 5: return 1e308;
    case 6: return JSON.parse('1e400'); // Infinity, as JSON.parse makes it
    case 7: return JSON.parse('-1e400');
    case 8: return true;
    case 9: return false;
    case 10: return null;
    case 11: return [];
    case 12: return {};
    case 13: return 'W';
    case 14: return '';
    case 15: return 'a'.repeat(32);
    case 16: return 'a'.repeat(33);
    case 17: return 'a'.repeat(256);
    case 18: return 'a'.repeat(257);
    case 19: return ASTRAL.repeat(256); // 256 code points, 512 UTF-16 units
    case 20: return ASTRAL.repeat(257); // over n's 256 code points
    default: return 'x'.repeat(1025);
  }
}

function recordOf(rng: () => number): unknown {
  if (rng() < 0.03) return valueOf(rng); // not an object at all
  const r: Record<string, unknown> = {};
  const n = Math.floor(rng() * 5);
  for (let i = 0; i < n; i++) {
    const key = FIELDS[Math.floor(rng() * FIELDS.length)] as string;
    // Own properties, as JSON.parse makes them, "__proto__" included.
    Object.defineProperty(r, key, { value: valueOf(rng), enumerable: true, writable: true, configurable: true });
  }
  // Half the records look like a device's: a name and a number.
  if (rng() < 0.5) Object.assign(r, { n: 'grid-meter:import_power', u: 'W', v: rng() * 1000 });
  return r;
}

describe('the compiled SenML check holds the zod schema\'s answers', () => {
  it('agrees with zod on 20,000 generated packs (types, lengths, Infinity, must-understand fields, several values)', () => {
    const rng = createRng(8428);
    const disagreements: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const pack = rng() < 0.02 ? valueOf(rng) : Array.from({ length: Math.floor(rng() * 4) }, () => recordOf(rng));
      const [fast, zod] = [fastAccepts(pack), zodAccepts(pack)];
      // A "__proto__" field (an own property, as JSON.parse makes it) is refused by ajv
      // and taken by zod: the safe way round, zod has the last word (checkPack).
      const protoKey = JSON.stringify(pack).includes('"__proto__"');
      if (fast ? !zod : zod && !protoKey) disagreements.push(`ajv ${fast}, zod ${zod}: ${JSON.stringify(pack).slice(0, 200)}`);
      if (fast) accepted++;
    }
    expect(disagreements).toEqual([]);
    // The generator makes both kinds, not only refusals.
    expect(accepted).toBeGreaterThan(1_000);
  });

  it('agrees on the cases a maintainer would try first', () => {
    const cases: [unknown, boolean][] = [
      [[{ n: 'urn:dev:ow:10e2073a01080063', u: 'Cel', v: 23.1 }], true], // RFC 8428 §5.1.1
      [[{ bn: 'd:', bt: 1.276020076001e9, bu: 'A', bver: 5, n: 'voltage', u: 'V', v: 120.1 }, { n: 'current', t: -5, v: 1.2 }], true], // §5.1.2
      [[{ n: 'x', v: 1, vendor: 'abc' }], true], // §4.4: unknown, not must-understand
      [[{ n: 'x', v: 1, foo_: 2 }], false], // §4.4: must-understand
      [[{ n: 'x', v: 1, vs: 'a' }], false], // §4.2: one value field
      [[{ n: 'x', vb: true, vd: 'AA' }], false],
      [[{ n: 'x', v: JSON.parse('1e400') }], false], // not finite
      [[{ n: 'x', bver: 0, v: 1 }], false],
      [[{ n: ASTRAL.repeat(256), v: 1 }], true], // zod 4 counts code points, not UTF-16 units
      [[{ n: ASTRAL.repeat(257), v: 1 }], false],
      [[], false],
      [{}, false],
      ['[]', false],
      [null, false],
      [Array.from({ length: MAX_RECORDS_PER_PACK }, () => ({ n: 'x', v: 1 })), true],
      [Array.from({ length: MAX_RECORDS_PER_PACK + 1 }, () => ({ n: 'x', v: 1 })), false],
    ];
    for (const [pack, ok] of cases) {
      const label = JSON.stringify(pack).slice(0, 80);
      expect(zodAccepts(pack), `zod: ${label}`).toBe(ok);
      expect(fastAccepts(pack), `ajv: ${label}`).toBe(ok);
    }
  });

  it('gives the pack itself when it is good, and zod\'s reason when it is not', () => {
    const pack = [{ n: 'x', v: 1 }];
    const ok = checkPack(pack);
    // ajv refuses an own "__proto__" field that zod takes: checkPack takes it.
    expect(checkPack(JSON.parse('[{"__proto__":1,"n":"x","v":1}]')).success).toBe(true);
    expect(ok.success && ok.data).toBe(pack);
    const bad = checkPack([{ n: 'x', v: 1, foo_: 2 }]);
    expect(bad.success).toBe(false);
    expect(!bad.success && bad.error.issues[0]?.message).toMatch(/must-understand field "foo_"/);
  });
});
