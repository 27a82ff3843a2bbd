import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { debianBinary } from './debian';
import { tempDir, waitFor } from './server';

export const MOSQUITTO_PATH = '/usr/sbin/mosquitto';

/** Debian's Mosquitto, a broker that is not ours. */
export const mosquittoAvailable = () => debianBinary(MOSQUITTO_PATH, 'mosquitto');

/** A TCP port free right now on 127.0.0.1: the kernel picks it, we release it at once. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
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

export interface RunningMosquitto {
  port: number;
  url: string;
  /** What mosquitto printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts /usr/sbin/mosquitto in the foreground on a free local port, anonymous
 * and without persistence, from a throw-away configuration file. Never the
 * system service, never a fixed port. `auth` makes it authenticate every client
 * against a password file and hold it to an ACL file (export-mosquitto's).
 */
export async function startMosquitto(auth?: { passwordFile?: string; aclFile?: string; extra?: string[] }): Promise<RunningMosquitto> {
  // The port is free when probed; another process could take it before mosquitto
  // binds it, so a start that fails is retried on a new port.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = tempDir('lnm-mosquitto-');
    const conf = path.join(dir, 'mosquitto.conf');
    // Started as root, Mosquitto drops to the "mosquitto" user, who cannot read a 0600
    // password file of ours: it stays the user who started it.
    const access = auth?.passwordFile && auth.aclFile ? ['allow_anonymous false', `password_file ${auth.passwordFile}`, `acl_file ${auth.aclFile}`, `user ${os.userInfo().username}`] : ['allow_anonymous true'];
    fs.writeFileSync(conf, [`listener ${port} 127.0.0.1`, ...access, ...(auth?.extra ?? []), 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', ''].join('\n'));
    const child = spawn(MOSQUITTO_PATH, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      await waitFor(async () => {
        if (exitCode !== undefined) throw new Error(`mosquitto exited (code ${exitCode}): ${out.trim()}`);
        return accepts(port);
      }, `mosquitto listening on port ${port}`, 10_000);
    } catch (err) {
      lastError = err;
      child.kill('SIGKILL');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    return {
      port,
      url: `mqtt://127.0.0.1:${port}`,
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
  throw lastError instanceof Error ? lastError : new Error('mosquitto did not start');
}
