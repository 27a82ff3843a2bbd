import fs from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { type Clock, clockFromEnv, systemClock } from '../shared/clock';
import { type Building, BuildingSchema } from '../shared/building';
import { building as defaultBuilding } from '../shared/catalogue';
import { FAULT_KINDS, type FaultSpec, FaultSpecSchema, SCENARIO_NAMES, ScenarioNameSchema } from '../shared/simulator';
import { DEFAULT_SITE_ID, ID_PATTERN } from '../shared/topics';
import { startSimulator } from './engine';
import { FAULT_DEFAULTS } from './faults';
import { formatReport, simulateYear } from './report';
import { SCENARIOS } from './scenarios';

const HELP = `Le Numérique building simulator

Usage:
  npm run simulator -- [run] [options]        run the simulated devices against an MQTT broker
  npm run simulator -- report [options]       print a simulated year's totals (no broker needed)

Run options:
  --broker URL           MQTT broker (mqtt://, mqtts://, ws://, wss://)       [mqtt://localhost:1883]
  --username NAME        MQTT username for every device (also MQTT_USERNAME)
  --password SECRET      MQTT password (also MQTT_PASSWORD; prefer the variable: argv is visible to others)
  --credentials FILE     per-device passwords as the server provisions them (DATA_DIR/secrets/simulator.json)
  --site ID              site id, the first topic level                         [${DEFAULT_SITE_ID}]
  --building FILE        building file (JSON, see buildings/le-numerique.json)  [Le Numérique]
  --seed N               random seed: same seed, start and building = same readings, bit for bit [42]
  --start ISO            simulated start, e.g. 2026-07-08T00:00:00+02:00        [now, or the scenario's date]
  --speed X              1 = real time, up to 10000; 0 = stepped (see the command topic) [1]
  --scenario NAME        ${SCENARIO_NAMES.join(' | ')}
  --fault DEV:KIND[:S[:M]]  inject a fault at start (repeatable): device id or *, kind, duration s, magnitude
  --backfill-days N      first generate N days (up to 366) of history up to the start [0]
  --backfill-step S      step of that history, seconds                          [300]
  --period MS            override every device's reporting period (simulated ms, at least 1000)
  --log-level LEVEL      fatal | error | warn | info | debug                      [info]

Report options:
  --year YYYY            the simulated calendar year (Europe/Paris)             [last year]
  --seed N               random seed                                            [1]
  --step S               physics step, seconds                                  [60]
  --building FILE        building file                                          [Le Numérique]
  --json                 one JSON document instead of tables

Environment: TEST_NOW (an ISO 8601 instant) shifts the simulator's clock there, running at real pace, as the
server's (docs/testing.md); TEST_NOW_WALL the machine's epoch ms at which it held.

Control at run time: publish JSON on <site>/simulator/command, e.g.
  mosquitto_pub -t le-numerique/simulator/command -m '{"cmd":"scenario","name":"heat-wave"}'
  mosquitto_pub -t le-numerique/simulator/command -m '{"cmd":"fault","fault":{"device":"grid-meter","kind":"offline","durationS":600}}'
  mosquitto_pub -t le-numerique/simulator/command -m '{"cmd":"speed","speed":100}'
Commands: scenario, speed, pause, resume, step {seconds}, fault {fault}, clear-fault {device, kind?}.
What runs now is retained on <site>/simulator/state.

Scenarios:
${SCENARIO_NAMES.map((n) => `  ${n.padEnd(22)} ${SCENARIOS[n].description}`).join('\n')}

Faults:
${FAULT_KINDS.map((k) => `  ${k.padEnd(22)} ${FAULT_DEFAULTS[k].description}`).join('\n')}
`;

function fail(message: string): never {
  console.error(`simulator: ${message}\nTry: npm run simulator -- --help`);
  process.exit(2);
}

const argv = process.argv.slice(2);
const sub = argv[0] === 'report' || argv[0] === 'run' ? argv.shift() : 'run';

let values: Record<string, string | boolean | string[] | undefined>;
try {
  ({ values } = parseArgs({
    args: argv,
    options: {
      broker: { type: 'string', default: 'mqtt://localhost:1883' },
      username: { type: 'string' },
      password: { type: 'string' },
      credentials: { type: 'string' },
      site: { type: 'string', default: DEFAULT_SITE_ID },
      building: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      speed: { type: 'string', default: '1' },
      scenario: { type: 'string' },
      fault: { type: 'string', multiple: true },
      'backfill-days': { type: 'string', default: '0' },
      'backfill-step': { type: 'string', default: '300' },
      period: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      year: { type: 'string' },
      step: { type: 'string', default: '60' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const int = (name: string, raw: unknown, min: number, max: number): number => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}, got "${String(raw)}"`);
  return n;
};

function loadBuilding(): Building {
  if (typeof values.building !== 'string') return defaultBuilding;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(values.building, 'utf8'));
  } catch (err) {
    fail(`cannot read the building file ${values.building}: ${(err as Error).message}`);
  }
  const parsed = BuildingSchema.safeParse(json);
  if (!parsed.success) fail(`building file ${values.building}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

// The clock: the machine's, or shifted to TEST_NOW as the server's is (shared/clock.ts, docs/testing.md).
let wall: Clock = systemClock;
try {
  wall = clockFromEnv(process.env);
} catch (err) {
  fail((err as Error).message);
}

if (sub === 'report') {
  const year = values.year === undefined ? new Date(wall()).getUTCFullYear() - 1 : int('year', values.year, 1970, 2100);
  const seed = values.seed === undefined ? 1 : int('seed', values.seed, 0, 2 ** 32 - 1);
  const step = int('step', values.step, 10, 3600);
  const report = simulateYear(loadBuilding(), year, seed, step);
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  process.exit(0);
}

const broker = String(values.broker);
if (!/^(mqtts?|wss?|tcp):\/\//.test(broker)) fail(`--broker must be an mqtt://, mqtts://, ws:// or wss:// URL, got "${broker}"`);
const site = String(values.site);
if (!ID_PATTERN.test(site)) fail(`--site must be lower-case letters, digits and "-", got "${site}"`);
const seed = values.seed === undefined ? 42 : int('seed', values.seed, 0, 2 ** 32 - 1);
const speed = Number(values.speed);
if (!(speed >= 0 && speed <= 10_000)) fail(`--speed must be a number from 0 to 10000, got "${values.speed}"`);
const scenarioParsed = values.scenario === undefined ? undefined : ScenarioNameSchema.safeParse(values.scenario);
if (scenarioParsed && !scenarioParsed.success) fail(`--scenario must be one of ${SCENARIO_NAMES.join(', ')}`);
const scenario = scenarioParsed?.data;
let start: number | undefined;
if (typeof values.start === 'string') {
  start = Date.parse(values.start);
  if (Number.isNaN(start)) fail(`--start must be an ISO 8601 date-time, got "${values.start}"`);
}
const backfillDays = int('backfill-days', values['backfill-days'], 0, 366);
const backfillStepS = int('backfill-step', values['backfill-step'], 10, 3600);
const period = values.period === undefined ? undefined : int('period', values.period, 1000, 3_600_000);
const faults: FaultSpec[] = ((values.fault as string[] | undefined) ?? []).map((f) => {
  const [device, kind, duration, magnitude] = f.split(':');
  const parsed = FaultSpecSchema.safeParse({ device, kind, durationS: duration ? Number(duration) : undefined, magnitude: magnitude ? Number(magnitude) : undefined });
  if (!parsed.success) fail(`--fault "${f}": expected DEVICE:KIND[:SECONDS[:MAGNITUDE]] with KIND one of ${FAULT_KINDS.join(', ')}`);
  return parsed.data;
});

let credentials: { control?: { username: string; password: string }; devices?: Record<string, string> } | undefined;
if (typeof values.credentials === 'string') {
  try {
    credentials = JSON.parse(fs.readFileSync(values.credentials, 'utf8')) as typeof credentials;
  } catch (err) {
    fail(`cannot read --credentials ${values.credentials}: ${(err as Error).message}`);
  }
}

const log = pino({ level: String(values['log-level']), base: undefined }).child({ ns: 'simulator' });
const sim = await startSimulator({
  brokerUrl: broker,
  siteId: site,
  seed,
  log,
  building: loadBuilding(),
  // Credentials from the environment keep them out of `ps`.
  username: (values.username as string | undefined) ?? process.env.MQTT_USERNAME,
  password: (values.password as string | undefined) ?? process.env.MQTT_PASSWORD,
  credentials,
  start,
  speed,
  scenario,
  backfillDays,
  backfillStepS,
  periodMs: period,
  wall,
});
for (const fault of faults) sim.command({ cmd: 'fault', fault });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void sim.stop().then(() => process.exit(0));
  });
}
