import { z } from 'zod';

/**
 * The simulator's control channel: JSON commands on `<siteId>/simulator/command`
 * and its retained state (what runs now) on `<siteId>/simulator/state`. The same
 * shapes serve the CLI and, later, the REST API.
 */

export const SCENARIO_NAMES = ['normal', 'clear-summer-day', 'grey-winter-week', 'heat-wave', 'ev-rush', 'dry-spell', 'ahu-recovery-failure', 'comms-cut'] as const;
export const ScenarioNameSchema = z.enum(SCENARIO_NAMES);
export type ScenarioName = z.infer<typeof ScenarioNameSchema>;

export const FAULT_KINDS = ['offline', 'stuck', 'spike', 'drift', 'counter-reset', 'clock-skew', 'duplicates', 'out-of-order', 'malformed', 'burst', 'equipment'] as const;
export const FaultKindSchema = z.enum(FAULT_KINDS);
export type FaultKind = z.infer<typeof FaultKindSchema>;

export const FaultSpecSchema = z.object({
  device: z.string().min(1),
  kind: FaultKindSchema,
  /** Simulated seconds the fault lasts; omitted = until cleared. */
  durationS: z.number().positive().optional(),
  /** clock-skew: seconds added to timestamps; drift: units per simulated hour; spike: factor. */
  magnitude: z.number().finite().optional(),
});
export type FaultSpec = z.infer<typeof FaultSpecSchema>;

export const SimulatorCommandSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('scenario'), name: ScenarioNameSchema }),
  z.object({ cmd: z.literal('speed'), speed: z.number().min(0).max(10_000) }),
  z.object({ cmd: z.literal('pause') }),
  z.object({ cmd: z.literal('resume') }),
  /** Stepped clock: advance simulated time by this many seconds now. */
  z.object({ cmd: z.literal('step'), seconds: z.number().positive().max(366 * 86_400) }),
  z.object({ cmd: z.literal('fault'), fault: FaultSpecSchema }),
  z.object({ cmd: z.literal('clear-fault'), device: z.string().min(1), kind: FaultKindSchema.optional() }),
]);
export type SimulatorCommand = z.infer<typeof SimulatorCommandSchema>;

export const SimulatorStateSchema = z.object({
  seed: z.number(),
  /** Simulated time now, epoch ms. */
  simTime: z.number(),
  speed: z.number(),
  paused: z.boolean(),
  scenario: ScenarioNameSchema,
  devices: z.number(),
  connected: z.number(),
  published: z.number(),
  buffered: z.number(),
  faults: z.array(FaultSpecSchema.extend({ untilSimTime: z.number().optional() })),
  backfill: z.object({ running: z.boolean(), done: z.number(), total: z.number() }).optional(),
});
export type SimulatorState = z.infer<typeof SimulatorStateSchema>;

export const SIMULATOR_DEVICE_ID = 'simulator';
