import { TEST_ADMIN_PASSWORD } from './server';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a TypeScript entry point the way npm scripts do (node + tsx), capturing its output. */
export function spawnTs(entry: string, env: Record<string, string>, args: string[] = []): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: ROOT,
    // A known admin password, so that a test can log in to the server it spawned (login() in server.ts).
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, ...env },
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
