import fs from 'node:fs';
import path from 'node:path';
import type { Catalogue } from '../../shared/catalogue';
import { SIMULATOR_DEVICE_ID } from '../../shared/simulator';
import type { Registry } from './registry';

/**
 * First start: every catalogued device gets an MQTT identity, and so do the
 * simulator's control tool and an admin for operators' tools. The passwords the
 * simulator needs to play those devices are kept in DATA_DIR/secrets/ (mode
 * 0600), never in the repository; the registry itself keeps only hashes.
 */
export const SECRETS_DIR = 'secrets';
export const SIMULATOR_SECRETS = 'simulator.json';
export const ADMIN_SECRETS = 'admin.json';
export const ADMIN_USERNAME = 'admin';

export interface SimulatorSecrets {
  control: { username: string; password: string };
  devices: Record<string, string>;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeSecret(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function simulatorSecretsFile(dataDir: string): string {
  return path.join(dataDir, SECRETS_DIR, SIMULATOR_SECRETS);
}

export function adminSecretsFile(dataDir: string): string {
  return path.join(dataDir, SECRETS_DIR, ADMIN_SECRETS);
}

export function readSimulatorSecrets(dataDir: string): SimulatorSecrets | undefined {
  return readJson<SimulatorSecrets>(simulatorSecretsFile(dataDir));
}

/** Provisions what is missing; returns the simulator's secrets. Idempotent. */
export async function provision(registry: Registry, catalogue: Catalogue, dataDir: string): Promise<SimulatorSecrets> {
  const file = simulatorSecretsFile(dataDir);
  const secrets: SimulatorSecrets = readSimulatorSecrets(dataDir) ?? { control: { username: SIMULATOR_DEVICE_ID, password: '' }, devices: {} };
  let changed = false;
  // Hash in parallel: scrypt runs on libuv's thread pool.
  await Promise.all(
    catalogue.devices.map(async (d) => {
      if (registry.get(d.id)) return;
      const issued = await registry.add({ username: d.id, role: 'device', deviceId: d.id, type: d.type, zone: d.zone });
      secrets.devices[d.id] = issued.password;
      changed = true;
    }),
  );
  if (!registry.get(SIMULATOR_DEVICE_ID)) {
    secrets.control = { username: SIMULATOR_DEVICE_ID, password: (await registry.add({ username: SIMULATOR_DEVICE_ID, role: 'simulator' })).password };
    changed = true;
  }
  if (changed) writeSecret(file, secrets);
  if (!registry.get(ADMIN_USERNAME)) {
    const admin = await registry.add({ username: ADMIN_USERNAME, role: 'admin' });
    writeSecret(adminSecretsFile(dataDir), { username: admin.username, password: admin.password });
  }
  return secrets;
}
