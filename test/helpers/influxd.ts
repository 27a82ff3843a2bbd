import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { debianBinary } from './debian';
import { freePort } from './mosquitto';
import { tempDir, waitFor } from './server';

export const INFLUXD_PATH = '/usr/bin/influxd';

/** Debian's InfluxDB 1.x server (package influxdb). */
export const influxdAvailable = () => debianBinary(INFLUXD_PATH, 'influxdb');

export interface RunningInfluxd {
  /** http://127.0.0.1:<port>, without a database: append "/<db>". */
  url: string;
  /** What influxd printed, for failure messages. */
  output(): string;
  /** Stops the server (SIGTERM, it flushes), keeping its data: InfluxDB "down". */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data: InfluxDB "back". */
  restart(): Promise<void>;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
}

function config(dir: string, rpcPort: number, httpPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${path.join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${path.join(dir, 'data')}"
  wal-dir = "${path.join(dir, 'wal')}"
  query-log-enabled = false
  trace-logging-enabled = false

[retention]
  enabled = true

[shard-precreation]
  enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = false
  log-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  write-tracing = false
  pprof-enabled = false
  flux-enabled = false

[logging]
  level = "warn"
  suppress-logo = true
`;
}

async function ping(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2000) });
    return res.status === 204;
  } catch {
    return false;
  }
}

/**
 * Starts /usr/bin/influxd in the foreground on free local ports with a
 * throw-away directory for its metadata, data and WAL. Never the system
 * service, never a fixed port.
 */
export async function startInfluxd(): Promise<RunningInfluxd> {
  let lastError: unknown;
  // A port free when probed may be taken before influxd binds it: retry on new ones.
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = tempDir('lnm-influxd-');
    const [rpcPort, httpPort] = [await freePort(), await freePort()];
    const conf = path.join(dir, 'influxdb.conf');
    fs.writeFileSync(conf, config(dir, rpcPort, httpPort));
    const url = `http://127.0.0.1:${httpPort}`;
    let out = '';
    let child: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();
    let exitCode: number | null | undefined;

    const start = async (): Promise<void> => {
      exitCode = undefined;
      const proc = spawn(INFLUXD_PATH, ['run', '-config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
      proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
      exited = new Promise<void>((resolve) =>
        proc.once('exit', (code) => {
          exitCode = code;
          resolve();
        }),
      );
      proc.once('error', (err) => {
        out += `\nspawn error: ${err.message}`;
        exitCode = -1;
      });
      await waitFor(
        async () => {
          if (exitCode !== undefined) throw new Error(`influxd exited (code ${exitCode}): ${out.trim().slice(-2000)}`);
          return ping(url);
        },
        `influxd answering ${url}/ping`,
        30_000,
      );
    };

    const stop = async (): Promise<void> => {
      if (!child || exitCode !== undefined) return;
      child.kill('SIGTERM');
      const proc = child;
      const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    };

    try {
      await start();
    } catch (err) {
      lastError = err;
      child?.kill('SIGKILL');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    return {
      url,
      output: () => out,
      stop,
      async restart() {
        await stop();
        await start();
      },
      async close() {
        await stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastError instanceof Error ? lastError : new Error('influxd did not start');
}
