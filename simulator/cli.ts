import { parseArgs } from 'node:util';
import pino from 'pino';
import { catalogue } from '../shared/catalogue';
import { DEFAULT_SITE_ID, ID_PATTERN } from '../shared/topics';
import { startSimulator } from './index';

/** `npm run simulator -- --broker mqtt://host:port [--site id] [--seed n] [--period ms]` */
const usage = 'usage: npm run simulator -- --broker mqtt://host:1883 [--site le-numerique] [--seed 42] [--period 2000] [--log-level info]';

function fail(message: string): never {
  console.error(`simulator: ${message}\n${usage}`);
  process.exit(2);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      broker: { type: 'string', default: 'mqtt://localhost:1883' },
      site: { type: 'string', default: DEFAULT_SITE_ID },
      seed: { type: 'string', default: '42' },
      period: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const broker = String(values.broker);
if (!/^(mqtts?|wss?|tcp):\/\//.test(broker)) fail(`--broker must be an mqtt://, mqtts://, ws:// or wss:// URL, got "${broker}"`);
const site = String(values.site);
if (!ID_PATTERN.test(site)) fail(`--site must be lower-case letters, digits and "-", got "${site}"`);
const seed = Number(values.seed);
if (!Number.isSafeInteger(seed) || seed < 0) fail(`--seed must be a non-negative integer, got "${values.seed}"`);
const period = values.period === undefined ? undefined : Number(values.period);
if (period !== undefined && !(period >= 100)) fail(`--period must be at least 100 ms, got "${values.period}"`);

const log = pino({ level: String(values['log-level']), base: undefined }).child({ ns: 'simulator' });
const sim = await startSimulator({ brokerUrl: broker, siteId: site, catalogue, seed, log, periodMs: period });

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
