import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { debianBinary } from './debian';
import { freePort } from './mosquitto';
import { tempDir, waitFor } from './server';

export const REDIS_SERVER_PATH = '/usr/bin/redis-server';

/** Debian's Redis (package redis-server). */
export const redisAvailable = () => debianBinary(REDIS_SERVER_PATH, 'redis-server');

export interface RunningRedis {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts /usr/bin/redis-server in the foreground on a free local port, without
 * persistence, in a temporary directory. Never the system service, never a fixed port.
 */
export async function startRedis(): Promise<RunningRedis> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = tempDir('lnm-redis-');
    const child = spawn(REDIS_SERVER_PATH, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code) => {
        exitCode = code;
        resolve();
      }),
    );
    child.once('error', (err) => {
      out += `\nspawn error: ${err.message}`;
      exitCode = -1;
    });
    try {
      await waitFor(() => {
        if (exitCode !== undefined) throw new Error(`redis-server exited (code ${exitCode}): ${out.trim()}`);
        return accepts(port);
      }, `redis-server listening on port ${port}`, 10_000);
    } catch (err) {
      lastError = err;
      child.kill('SIGKILL');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      output: () => out,
      async stop() {
        if (exitCode === undefined) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(killer);
        }
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastError instanceof Error ? lastError : new Error('redis-server did not start');
}
