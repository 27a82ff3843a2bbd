import fs from 'node:fs';
import type { z } from 'zod';
import { type AlertRule, AlertRulesFileSchema } from '../../shared/alerts';
import type { Building } from '../../shared/building';
import type { Catalogue } from '../../shared/catalogue';
import { projectPath } from '../paths';
import { bindRule } from './targets';

/** The rules shipped with the monitor (docs/alerts.md explains each). */
export const DEFAULT_RULES_FILE = projectPath('config/alert-rules.json');

/** A rules file the server cannot use: every problem, each on its own line, so that one start lists them all. */
export class AlertRulesError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the alert rules:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AlertRulesError';
  }
}

/** zod issues as "rules[2].value: expected number". */
export function issuesToProblems(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((i) => {
    const path = i.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), prefix);
    return `${path || '(file)'}: ${i.message}`;
  });
}

/** What is wrong with these rules in this building: duplicate ids, targets that match nothing, missing sensors. */
export function checkRules(rules: readonly AlertRule[], catalogue: Catalogue, building: Building, where: (index: number, rule: AlertRule) => string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  rules.forEach((rule, i) => {
    const first = seen.get(rule.id);
    if (first !== undefined) problems.push(`${where(i, rule)}: duplicate id "${rule.id}" (also ${where(first, rule)})`);
    else seen.set(rule.id, i);
    for (const p of bindRule(rule, catalogue, building).problems) problems.push(`${where(i, rule)}: ${p}`);
  });
  return problems;
}

/**
 * Reads and checks the rules file: valid JSON, the shared schema, and every rule
 * usable in this building. Throws an AlertRulesError listing every problem.
 */
export function readRulesFile(file: string, catalogue: Catalogue, building: Building): AlertRule[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AlertRulesError(file, [`cannot read it: ${(err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AlertRulesError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  const parsed = AlertRulesFileSchema.safeParse(json);
  if (!parsed.success) throw new AlertRulesError(file, issuesToProblems(parsed.error));
  const rules = parsed.data.rules;
  const problems = checkRules(rules, catalogue, building, (i, r) => `rules[${i}] ("${r.id}")`);
  if (problems.length > 0) throw new AlertRulesError(file, problems);
  return rules;
}
