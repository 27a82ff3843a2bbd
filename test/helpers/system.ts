import { SERVER_ENV, SERVER_NODE_FLAGS } from '../../scripts/build-server.mjs';
import { printedPorts, type Spawned, spawnNode } from './process';
import { tempDir, waitFor } from './server';

/**
 * The whole system as a user starts it with `npm start` (scripts/start.mjs: the
 * dashboard build check, the server, the embedded broker, the simulator), on free
 * ports with a throw-away DATA_DIR. A day of backfilled history unless `env` says
 * otherwise (the default is a year, too heavy for two cores). `url` has no
 * trailing slash.
 */
export async function startSystem(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<{ system: Spawned; url: string }> {
  const system = spawnNode([...SERVER_NODE_FLAGS, 'scripts/start.mjs'], { ...SERVER_ENV, HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', DATA_DIR: tempDir(), LOG_LEVEL: 'warn', SIM_BACKFILL_DAYS: '1', ...env });
  const ports = await waitFor(() => printedPorts(system.output()), 'npm start to print the dashboard URL', timeoutMs);
  return { system, url: `http://127.0.0.1:${ports.http}` };
}

/** Stops it as Ctrl-C would (SIGTERM: every buffered reading written), and waits for the exit. */
export async function stopSystem(system: Spawned | undefined): Promise<void> {
  system?.child.kill('SIGTERM');
  await system?.exited;
}
