import { TEST_ADMIN_PASSWORD } from './server';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { clockEnv } from './clock';
import { SERVER_BUNDLE, SERVER_ENV, SERVER_NODE_FLAGS } from '../../scripts/build-server.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a TypeScript entry point the way npm scripts do (node + tsx), capturing its output. */
export function spawnTs(entry: string, env: Record<string, string>, args: string[] = []): Spawned {
  return spawnNode(['--import', 'tsx', entry, ...args], env);
}

let bundled = false;

/**
 * The server as `npm start` runs it: the bundle of server/main.ts
 * (scripts/build-server.mjs) on plain node, built once per test process from
 * the sources as they are now.
 */
export function spawnServer(env: Record<string, string>): Spawned {
  if (!bundled) {
    execFileSync(process.execPath, ['scripts/build-server.mjs'], { cwd: ROOT, stdio: 'pipe' });
    bundled = true;
  }
  return spawnNode([...SERVER_NODE_FLAGS, SERVER_BUNDLE], { ...SERVER_ENV, ...env });
}

/** `node` with these arguments, from the project's root, capturing its output. */
export function spawnNode(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // A known admin password, so that a test can log in to the server it spawned (login() in server.ts).
    // The run's clock (TEST_NOW), so that what it starts reads the same instant as the test (helpers/clock.ts).
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, ...clockEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exited };
}

/** The ports a started server printed ("Dashboard: http://localhost:N/", "MQTT: mqtt://localhost:N"). */
export function printedPorts(output: string): { http: number; mqtt: number } | undefined {
  const http = /Dashboard: http:\/\/[^:]+:(\d+)\//.exec(output)?.[1];
  const mqtt = /MQTT:\s+mqtt:\/\/[^:]+:(\d+)/.exec(output)?.[1];
  return http && mqtt ? { http: Number(http), mqtt: Number(mqtt) } : undefined;
}
