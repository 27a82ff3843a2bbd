import { z } from 'zod';
import { TimeParamSchema } from './api';
import { ID_PATTERN } from './topics';

/**
 * Alerts, version 1 (docs/alerts.md): the rules a facility manager relies on,
 * the alerts they raise, their lifecycle and audit trail, the REST bodies and
 * the events the server pushes. The lifecycle follows ISA-18.2 / IEC 62682:
 *
 *   active ──ack──▶ acknowledged ──condition gone──▶ closed
 *     │                                                 ▲
 *     └──condition gone──▶ cleared ──ack───────────────┘
 *                            │ (returned to normal, unacknowledged: stays visible)
 *                            └──condition back──▶ active (the same alert, occurrences + 1)
 *
 * One open alert (active, acknowledged or cleared) per rule and target at a time.
 * Shelving hides an alert, or every alert of a rule, for a limited time.
 */

const id = z.string().regex(ID_PATTERN, 'ids are lower-case letters, digits and "-"');
const pointName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'point names are snake_case');
const seriesRef = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.[a-z][a-z0-9_]{0,62}$/, 'series ids are "<deviceId>.<point>"');
const minutes = (max = 7 * 24 * 60) => z.number().min(0).max(max);

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/**
 * What a rule watches: explicit series ids, or a selector expanding to every
 * catalogued series that matches all of its fields (an empty selector matches
 * everything). Device-level rules (device-offline, heat-recovery) watch the
 * devices of those series.
 */
export const TargetSchema = z
  .strictObject({
    series: z.array(seriesRef).min(1).max(500).optional(),
    deviceType: id.optional(),
    devices: z.array(id).min(1).max(500).optional(),
    zones: z.array(id).min(1).max(500).optional(),
    point: pointName.optional(),
    pointKind: z.enum(['gauge', 'counter', 'state']).optional(),
  })
  .refine((t) => t.series === undefined || Object.keys(t).length === 1, { message: 'give either "series" or a selector (deviceType, devices, zones, point, pointKind), not both' });
export type Target = z.infer<typeof TargetSchema>;

const base = {
  id,
  name: z.string().trim().min(1).max(200),
  /** Why the rule exists, for whoever reads the alert. */
  description: z.string().max(2000).optional(),
  severity: SeveritySchema,
  enabled: z.boolean().default(true),
};

/** A value beyond a limit for a while; clears once back past the limit by the hysteresis. */
export const ThresholdRuleSchema = z.strictObject({
  ...base,
  kind: z.literal('threshold'),
  target: TargetSchema,
  op: z.enum(['above', 'below']).default('above'),
  value: z.number(),
  /** Clears only once the value is back past `value` by this much (same unit). */
  hysteresis: z.number().min(0).default(0),
  /** The condition must hold this long, by reading time, before the alert is raised. */
  forMinutes: minutes().default(0),
  /** Only while the zone's room sensor counts at least one occupant (its `occupancy` point). */
  occupiedOnly: z.boolean().default(false),
});

/** A value moving faster than `perMinute` units per minute, measured over `windowMinutes`. */
export const RateRuleSchema = z.strictObject({
  ...base,
  kind: z.literal('rate-of-change'),
  target: TargetSchema,
  direction: z.enum(['rise', 'fall', 'either']).default('either'),
  perMinute: z.number().positive(),
  windowMinutes: z.number().min(1).max(24 * 60).default(10),
  /** Clears once the rate is below perMinute minus this (units per minute). */
  hysteresis: z.number().min(0).default(0),
  forMinutes: minutes().default(0),
});

/** A device that said "offline" (its last will) or has been silent longer than staleFactor times its period. */
export const OfflineRuleSchema = z.strictObject({
  ...base,
  kind: z.literal('device-offline'),
  target: TargetSchema.default({}),
  staleFactor: z.number().min(1).max(1000).default(5),
  /** Never raised before this long: a device that reconnects within it does not disturb anyone. */
  graceMinutes: minutes(24 * 60).default(5),
});

/** A counter that goes down: a meter replaced, reset or reprogrammed (its consumption is no longer continuous). */
export const CounterResetRuleSchema = z.strictObject({
  ...base,
  kind: z.literal('counter-reset'),
  target: TargetSchema.default({ pointKind: 'counter' }),
  /** Ignore decreases smaller than this (the counter's unit). */
  minDrop: z.number().min(0).default(0),
  /** A reset is an event: its alert clears after this long of counting up normally again. */
  clearAfterMinutes: minutes().default(60),
});

/** The rainwater tank's level (%) below a limit. */
export const TankLowRuleSchema = z.strictObject({
  ...base,
  kind: z.literal('tank-low'),
  target: TargetSchema.default({ deviceType: 'rainwater-tank', point: 'level' }),
  belowPct: z.number().min(0).max(100),
  hysteresisPct: z.number().min(0).max(100).default(2),
  forMinutes: minutes().default(5),
});

/** The tank's mains top-up counter (litres of city water) increasing: the tank is being topped up. */
export const MainsTopupRuleSchema = z.strictObject({
  ...base,
  kind: z.literal('mains-topup'),
  target: TargetSchema.default({ deviceType: 'rainwater-tank', point: 'mains_topup' }),
  /** Running means at least this many litres over the last `windowMinutes`. */
  minLitres: z.number().positive().default(1),
  windowMinutes: z.number().min(1).max(24 * 60).default(10),
  /** Raised once it has been running this long (0: at once; 180: a valve stuck open). */
  forMinutes: minutes().default(0),
});

/**
 * An inverter producing less than the measured irradiance predicts:
 * expected AC = GHI / 1000 W/m² × kWp × performance ratio (IEC 61724-1), capped at the inverter's rating.
 */
export const PvRuleSchema = z.strictObject({
  ...base,
  kind: z.literal('pv-underperformance'),
  target: TargetSchema.default({ deviceType: 'pv-inverter', point: 'ac_power' }),
  irradianceSeries: seriesRef.default('weather-station.ghi'),
  performanceRatio: z.number().min(0.3).max(1).default(0.8),
  /** Raised when production is more than this far below the expectation, %. */
  belowPct: z.number().min(1).max(100),
  /** Clears when production is back within belowPct minus this, %. */
  hysteresisPct: z.number().min(0).max(100).default(10),
  /** Judged only above this irradiance, W/m²: with the sun low, tilted arrays see too little or too much of it. */
  minIrradiance: z.number().min(0).max(1500).default(300),
  forMinutes: minutes().default(30),
});

/**
 * An air-handling unit recovering less heat than it should: the EN 308 temperature
 * ratio on the exhaust side, (extract − exhaust) / (extract − outdoor), below minRatio
 * while the unit runs, in cold weather.
 */
export const HeatRecoveryRuleSchema = z.strictObject({
  ...base,
  kind: z.literal('heat-recovery'),
  target: TargetSchema.default({ deviceType: 'ahu' }),
  minRatio: z.number().min(0).max(1),
  hysteresis: z.number().min(0).max(1).default(0.05),
  /** Running: at least this airflow, m³/s. */
  minAirflow: z.number().min(0).default(0.1),
  /** Judged only when extract air is at least this much warmer than outdoor air, K. */
  minDeltaK: z.number().min(1).default(5),
  /**
   * Judged only at or below this outdoor temperature, °C, and this extract temperature: a unit
   * bypasses its recovery on purpose when the building is warm (EN 16798-3 summer bypass, night
   * cooling), and the catalogue has no bypass damper point to say so.
   */
  maxOutdoorC: z.number().default(12),
  maxExtractC: z.number().default(22),
  forMinutes: minutes().default(30),
});

export const AlertRuleSchema = z.discriminatedUnion('kind', [ThresholdRuleSchema, RateRuleSchema, OfflineRuleSchema, CounterResetRuleSchema, TankLowRuleSchema, MainsTopupRuleSchema, PvRuleSchema, HeatRecoveryRuleSchema]);
export type AlertRule = z.infer<typeof AlertRuleSchema>;
export type AlertRuleInput = z.input<typeof AlertRuleSchema>;
export type RuleKind = AlertRule['kind'];
export const RULE_KINDS = ['threshold', 'rate-of-change', 'device-offline', 'counter-reset', 'tank-low', 'mains-topup', 'pv-underperformance', 'heat-recovery'] as const satisfies readonly RuleKind[];
export type RuleOf<K extends RuleKind> = Extract<AlertRule, { kind: K }>;

/** The rules file (config/alert-rules.json). */
export const AlertRulesFileSchema = z.strictObject({
  $comment: z.string().optional(),
  version: z.literal(1),
  rules: z.array(AlertRuleSchema),
});
export type AlertRulesFile = z.infer<typeof AlertRulesFileSchema>;

// --- Alerts

/**
 * Conditions of the server itself, raised and cleared by the server, not by a rule
 * (docs/alerts.md, "System alerts"). Their alerts have kind 'system', the rule id
 * `system.<id>` and the target 'server'.
 */
export const SYSTEM_ALERTS = {
  'storage-failing': { name: 'Stockage en échec', severity: 'critical' },
} as const satisfies Record<string, { name: string; severity: (typeof SEVERITIES)[number] }>;
export type SystemAlertId = keyof typeof SYSTEM_ALERTS;

export const ALERT_STATES = ['active', 'acknowledged', 'cleared', 'closed'] as const;
export const AlertStateSchema = z.enum(ALERT_STATES);
export type AlertState = z.infer<typeof AlertStateSchema>;

export const ShelveInfoSchema = z.object({
  by: z.string(),
  at: z.number(),
  /** Epoch ms when it ends on its own. */
  until: z.number(),
  reason: z.string(),
  /** Shelved on its own, or with every alert of its rule. */
  scope: z.enum(['alert', 'rule']),
});
export type ShelveInfo = z.infer<typeof ShelveInfoSchema>;

export const AlertSchema = z.object({
  id: z.number().int(),
  ruleId: z.string(),
  ruleName: z.string(),
  /** The rule's kind, or 'system' for a condition of the server itself (SYSTEM_ALERTS). */
  kind: z.enum([...RULE_KINDS, 'system']),
  severity: SeveritySchema,
  /** What it is about: a series ("<deviceId>.<point>") or a device, with its zone and a label to show. */
  target: z.object({ id: z.string(), deviceId: z.string(), seriesId: z.string().nullable(), zone: z.string(), label: z.string() }),
  state: AlertStateSchema,
  /** Why it was raised (the last time), in words and figures. */
  message: z.string(),
  /** The value that raised it, in the target's unit; null when there is none (offline). */
  value: z.number().nullable(),
  /** First raised, epoch ms. */
  raisedAt: z.number(),
  lastRaisedAt: z.number(),
  /** Times the condition came back while the alert was still open (cleared but not acknowledged). */
  occurrences: z.number().int(),
  clearedAt: z.number().nullable(),
  clearMessage: z.string().nullable(),
  acknowledged: z.object({ by: z.string(), at: z.number(), comment: z.string() }).nullable(),
  shelved: ShelveInfoSchema.nullable(),
  updatedAt: z.number(),
});
export type Alert = z.infer<typeof AlertSchema>;

export const ALERT_ACTIONS = ['raised', 're-raised', 'acknowledged', 'cleared', 'closed', 'shelved', 'unshelved', 'shelve-expired'] as const;
export const AlertTrailEntrySchema = z.object({
  ts: z.number(),
  /** A username, or "system" for what the engine did. */
  actor: z.string(),
  action: z.enum(ALERT_ACTIONS),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type AlertTrailEntry = z.infer<typeof AlertTrailEntrySchema>;

export const AlertDetailResponseSchema = AlertSchema.extend({ trail: z.array(AlertTrailEntrySchema) });
export type AlertDetailResponse = z.infer<typeof AlertDetailResponseSchema>;

/** 'open': everything still needing attention (active, acknowledged, cleared); 'all': history too. */
export const AlertListQuerySchema = z.object({
  state: z.enum(['open', ...ALERT_STATES, 'all'], { error: `state must be one of open, ${ALERT_STATES.join(', ')}, all` }).default('open'),
  /** Alerts raised or changed at or after this time (epoch ms or ISO 8601). */
  since: TimeParamSchema.optional(),
  rule: id.optional(),
  severity: SeveritySchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type AlertListQuery = z.infer<typeof AlertListQuerySchema>;

export const AlertListResponseSchema = z.object({
  alerts: z.array(AlertSchema),
  /** Open alerts by state, whatever the filter: what a status bar shows. */
  counts: z.object({ active: z.number(), acknowledged: z.number(), cleared: z.number(), shelved: z.number() }),
});
export type AlertListResponse = z.infer<typeof AlertListResponseSchema>;

export const AlertParamsSchema = z.object({ id: z.string().regex(/^\d{1,15}$/, 'alert ids are whole numbers').transform(Number) });

export const AckRequestSchema = z.object({ comment: z.string().trim().max(1000).default('') });
export type AckRequest = z.infer<typeof AckRequestSchema>;

/** ISA-18.2 asks shelving to be time-limited and justified: at most a week, with a reason. */
export const MAX_SHELVE_MINUTES = 7 * 24 * 60;
export const ShelveRequestSchema = z.object({
  minutes: z.number().int().min(1).max(MAX_SHELVE_MINUTES),
  reason: z.string().trim().min(1, 'say why it is shelved').max(1000),
});
export type ShelveRequest = z.infer<typeof ShelveRequestSchema>;

export const AlertAuditQuerySchema = z.object({
  since: TimeParamSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export const AlertAuditEntrySchema = AlertTrailEntrySchema.extend({
  action: z.string(),
  alertId: z.number().nullable(),
  ruleId: z.string(),
});
export type AlertAuditEntry = z.infer<typeof AlertAuditEntrySchema>;
export const AlertAuditResponseSchema = z.object({ entries: z.array(AlertAuditEntrySchema) });
export type AlertAuditResponse = z.infer<typeof AlertAuditResponseSchema>;

// --- Rules over REST

export const RULE_SOURCES = ['file', 'api'] as const;
export const AlertRuleViewSchema = z.object({
  /** The rule as it is evaluated: for a file rule, `enabled` as overridden over the API. */
  rule: AlertRuleSchema,
  /** 'file': from the rules file, read-only except enable/disable and shelving; 'api': created over the API. */
  source: z.enum(RULE_SOURCES),
  shelved: ShelveInfoSchema.nullable(),
  /** What the target expands to in the catalogue: series ids, or device ids for device-level rules. */
  targets: z.array(z.string()),
  updatedAt: z.number().nullable(),
  updatedBy: z.string().nullable(),
});
export type AlertRuleView = z.infer<typeof AlertRuleViewSchema>;
export const AlertRuleListResponseSchema = z.object({ rules: z.array(AlertRuleViewSchema) });
export type AlertRuleListResponse = z.infer<typeof AlertRuleListResponseSchema>;
export const RuleParamsSchema = z.object({ id });
export const RuleEnableRequestSchema = z.object({ enabled: z.boolean() });

// --- Events (pushed over socket.io by the server)

export const AlertEventSchema = z.discriminatedUnion('type', [
  /** New, or back while still open (occurrences grew). */
  z.object({ type: z.literal('alert:raised'), alert: AlertSchema }),
  /** Acknowledged, shelved, unshelved (by someone or when the time ran out). */
  z.object({ type: z.literal('alert:updated'), alert: AlertSchema, change: z.enum(['acknowledged', 'closed', 'shelved', 'unshelved', 'shelve-expired']), by: z.string() }),
  /** The condition is gone (or its rule was disabled, changed or deleted). */
  z.object({ type: z.literal('alert:cleared'), alert: AlertSchema }),
]);
export type AlertEvent = z.infer<typeof AlertEventSchema>;
export type AlertEventType = AlertEvent['type'];
