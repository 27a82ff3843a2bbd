import { z } from 'zod';

/**
 * SenML JSON (RFC 8428) pack schema and record resolution.
 *
 * The schema checks the shape of each record (RFC 8428 §4.1-4.3, §5). Resolution
 * (§4.6) then folds base fields into each record so the rest of the system only
 * ever sees absolute names, times and values.
 */

/** Records per pack: large enough for a whole building meter, small enough to bound memory. */
export const MAX_RECORDS_PER_PACK = 1000;

/** Times below 2**28 s are relative to "now" (RFC 8428 §4.5.3). */
export const RELATIVE_TIME_LIMIT_S = 2 ** 28;

/** Name syntax after resolution (RFC 8428 §4.5.1). */
export const SENML_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9\-:./_]*$/;

const finite = z.number().finite();

export const SenmlRecordSchema = z
  .object({
    bn: z.string().max(256).optional(),
    bt: finite.optional(),
    bu: z.string().max(32).optional(),
    bv: finite.optional(),
    bs: finite.optional(),
    bver: z.number().int().positive().optional(),
    n: z.string().max(256).optional(),
    u: z.string().max(32).optional(),
    v: finite.optional(),
    vs: z.string().max(1024).optional(),
    vb: z.boolean().optional(),
    vd: z.string().max(4096).optional(),
    s: finite.optional(),
    t: finite.optional(),
    ut: finite.optional(),
  })
  // Unknown fields are tolerated, except those ending in "_": RFC 8428 §4.4 makes
  // them "must-understand", so a record carrying one has to be rejected.
  .catchall(z.unknown())
  .superRefine((record, ctx) => {
    // Once per record of every pack: a plain loop, no arrays made (it was a tenth of ingest's time).
    for (const key in record) {
      if (key.endsWith('_')) {
        ctx.addIssue({ code: 'custom', path: [key], message: `must-understand field "${key}" is not supported (RFC 8428 §4.4)` });
      }
    }
    let values = 0;
    if (record.v !== undefined) values++;
    if (record.vs !== undefined) values++;
    if (record.vb !== undefined) values++;
    if (record.vd !== undefined) values++;
    if (values > 1) {
      const present = (['v', 'vs', 'vb', 'vd'] as const).filter((k) => record[k] !== undefined);
      ctx.addIssue({ code: 'custom', message: `a record carries at most one value field, got ${present.join(', ')} (RFC 8428 §4.2)` });
    }
  });

export const SenmlPackSchema = z.array(SenmlRecordSchema).min(1, 'a SenML pack holds at least one record').max(MAX_RECORDS_PER_PACK);

export type SenmlRecord = z.infer<typeof SenmlRecordSchema>;
export type SenmlPack = z.infer<typeof SenmlPackSchema>;

export interface ResolvedRecord {
  /** Index of the record in its pack, for error reports. */
  index: number;
  name: string;
  unit: string | undefined;
  /** Numeric value (v, or vb as 0/1) or sum (s); strings and data are kept aside. */
  value: number | undefined;
  stringValue: string | undefined;
  sum: number | undefined;
  /** Absolute time in epoch milliseconds. */
  timeMs: number;
}

export interface RecordError {
  index: number;
  reason: string;
}

/**
 * Resolves base fields into each record (RFC 8428 §4.6). Records that cannot be
 * resolved (no name, bad name, no value) are reported, not thrown, so that the
 * good records of a pack are kept.
 */
export function resolvePack(pack: SenmlPack, nowMs: number): { records: ResolvedRecord[]; errors: RecordError[] } {
  const records: ResolvedRecord[] = [];
  const errors: RecordError[] = [];
  let bn = '';
  let bt = 0;
  let bu: string | undefined;
  let bv = 0;
  let bs = 0;
  pack.forEach((r, index) => {
    // Base fields apply to this record and every later one until redefined (§4.1).
    if (r.bn !== undefined) bn = r.bn;
    if (r.bt !== undefined) bt = r.bt;
    if (r.bu !== undefined) bu = r.bu;
    if (r.bv !== undefined) bv = r.bv;
    if (r.bs !== undefined) bs = r.bs;

    const name = bn + (r.n ?? '');
    if (name === '') return void errors.push({ index, reason: 'record has no name (bn + n is empty)' });
    if (!SENML_NAME_PATTERN.test(name)) return void errors.push({ index, reason: `invalid SenML name "${name}" (RFC 8428 §4.5.1)` });

    let value: number | undefined;
    if (r.v !== undefined) value = bv + r.v;
    else if (r.vb !== undefined) value = r.vb ? 1 : 0;
    const sum = r.s !== undefined ? bs + r.s : undefined;
    if (value === undefined && sum === undefined && r.vs === undefined && r.vd === undefined) {
      return void errors.push({ index, reason: `record "${name}" has no value and no sum (RFC 8428 §4.6)` });
    }

    const t = bt + (r.t ?? 0);
    // §4.5.3: a resolved time under 2**28 is relative to now (0 = now).
    const timeMs = t < RELATIVE_TIME_LIMIT_S ? nowMs + t * 1000 : t * 1000;
    records.push({ index, name, unit: r.u ?? bu, value, stringValue: r.vs, sum, timeMs: Math.round(timeMs) });
  });
  return { records, errors };
}
