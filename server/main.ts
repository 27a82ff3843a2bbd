import { startServer } from './app';
import { ConfigError, loadConfig } from './config';

/** The server process: parse config once, start, stop cleanly on SIGINT/SIGTERM. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const server = await startServer(config);
  const ws = `${server.url.replace(/^http/, 'ws')}mqtt`;
  const mqttLines = [
    ...(server.mqttPort ? [`  MQTT:      mqtt://localhost:${server.mqttPort}${config.mqttPlain === 'loopback' ? '  (this machine only)' : ''}`] : []),
    ...(server.mqttsPort ? [`  MQTTS:     mqtts://localhost:${server.mqttsPort}`] : []),
  ];
  const mqttText = server.externalBroker ? `  MQTT:      external broker ${server.externalBroker} (shared subscription)\n` : `${mqttLines.join('\n')}  (and ${ws})\n`;
  // A shifted clock is said where the tester looks, so that nobody mistakes its figures for today's.
  const clockText = env.TEST_NOW ? `  Clock:     TEST_NOW, it reads ${new Date(config.now()).toISOString()} (docs/testing.md)\n` : '';
  console.log(`\n  Le Numérique monitor is running.\n  Dashboard: ${server.url}\n${mqttText}${clockText}`);
  if (server.generatedAdminPassword) {
    // Shown once, on the console only (never in the JSON logs): the first start's admin account.
    console.log(`  First start: log in as "admin" with password ${server.generatedAdminPassword}\n  (shown once; set ADMIN_PASSWORD before the first start to choose it)\n`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n  ${signal}: flushing and stopping...`);
    // The contract is "stopped within 5 s": past that, exit rather than hang.
    const force = setTimeout(() => {
      console.error('  shutdown took longer than 5 s; exiting');
      process.exit(1);
    }, 5000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
