import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { commandTopic, ID_PATTERN, stateTopic, statusTopic, telemetryTopic } from '../../shared/topics';
import { SIMULATOR_DEVICE_ID } from '../../shared/simulator';
import { mosquittoHash } from './mosquitto';
import { hashPassword, newPassword, verifyPassword } from './passwords';

/**
 * The MQTT identities: one per device, plus the simulator's control tool and an
 * admin identity for operators' tools. Kept in DATA_DIR/credentials.json (mode
 * 0600) with scrypt hashes only; a password is shown once, when it is created
 * or rotated. The file is re-read when it changes, so `npm run devices` works
 * against a running server.
 */
export type Role = 'device' | 'simulator' | 'admin';

export interface Credential {
  username: string;
  role: Role;
  deviceId?: string;
  type?: string;
  zone?: string;
  hash: string;
  /** The same password in Mosquitto's password-file format, for an external broker (mosquitto.ts). */
  brokerHash?: string;
  disabled: boolean;
  createdAt: string;
  rotatedAt?: string;
}

interface CredentialsFile {
  version: 1;
  clients: Credential[];
}

export const CREDENTIALS_FILE = 'credentials.json';

export interface Issued {
  username: string;
  password: string;
  role: Role;
  deviceId?: string;
  topics: { publish: string[]; subscribe: string[] };
}

export class Registry {
  private readonly file: string;
  private cache: { mtimeMs: number; data: CredentialsFile } | undefined;
  /** Successful checks, keyed by username and a digest of the password and of the stored hash. */
  private readonly verified = new Set<string>();

  constructor(
    dataDir: string,
    readonly siteId: string,
  ) {
    this.file = path.join(dataDir, CREDENTIALS_FILE);
  }

  private read(): CredentialsFile {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch {
      return { version: 1, clients: [] };
    }
    if (this.cache && this.cache.mtimeMs === st.mtimeMs) return this.cache.data;
    const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as CredentialsFile;
    this.cache = { mtimeMs: st.mtimeMs, data };
    return data;
  }

  private write(data: CredentialsFile): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    this.cache = undefined;
  }

  list(): Array<Omit<Credential, 'hash'>> {
    return this.read().clients.map(({ hash: _hash, brokerHash: _brokerHash, ...rest }) => rest);
  }

  /** Every identity with its hashes (for export-mosquitto; never shown). */
  credentials(): Credential[] {
    return this.read().clients;
  }

  get(username: string): Credential | undefined {
    return this.read().clients.find((c) => c.username === username);
  }

  topics(c: Pick<Credential, 'role' | 'deviceId'>): Issued['topics'] {
    const site = this.siteId;
    if (c.role === 'admin') return { publish: [`${site}/#`], subscribe: [`${site}/#`] };
    if (c.role === 'simulator') return { publish: [stateTopic(site, SIMULATOR_DEVICE_ID)], subscribe: [commandTopic(site, SIMULATOR_DEVICE_ID)] };
    const id = c.deviceId ?? '';
    return { publish: [telemetryTopic(site, id), statusTopic(site, id)], subscribe: [commandTopic(site, id)] };
  }

  async add(entry: { username: string; role: Role; deviceId?: string; type?: string; zone?: string }): Promise<Issued> {
    if (!ID_PATTERN.test(entry.username)) throw new Error(`"${entry.username}" is not a valid id: lower-case letters, digits and "-"`);
    const data = this.read();
    if (data.clients.some((c) => c.username === entry.username)) throw new Error(`"${entry.username}" exists already: use "rotate" for a new password`);
    const password = newPassword();
    const cred: Credential = { ...entry, hash: await hashPassword(password), brokerHash: await mosquittoHash(password), disabled: false, createdAt: new Date().toISOString() };
    // Checked again after the hashing awaits: a concurrent add of the same name must not write a twin.
    const now = this.read();
    if (now.clients.some((c) => c.username === entry.username)) throw new Error(`"${entry.username}" exists already: use "rotate" for a new password`);
    this.write({ version: 1, clients: [...now.clients, cred] });
    return { username: cred.username, password, role: cred.role, deviceId: cred.deviceId, topics: this.topics(cred) };
  }

  async rotate(username: string): Promise<Issued> {
    const c = this.get(username);
    if (!c) throw new Error(`no identity "${username}"`);
    const password = newPassword();
    const hash = await hashPassword(password);
    const brokerHash = await mosquittoHash(password);
    const data = this.read();
    this.write({ version: 1, clients: data.clients.map((x) => (x.username === username ? { ...x, hash, brokerHash, disabled: false, rotatedAt: new Date().toISOString() } : x)) });
    return { username, password, role: c.role, deviceId: c.deviceId, topics: this.topics(c) };
  }

  setDisabled(username: string, disabled: boolean): void {
    const data = this.read();
    if (!data.clients.some((c) => c.username === username)) throw new Error(`no identity "${username}"`);
    this.write({ version: 1, clients: data.clients.map((x) => (x.username === username ? { ...x, disabled } : x)) });
  }

  /** The identity behind a username and password, if they match and it is enabled. */
  async verify(username: string, password: string): Promise<Credential | undefined> {
    const c = this.get(username);
    if (!c || c.disabled) return undefined;
    // A reconnecting device is checked once: the key changes with the password and with the stored hash.
    const key = createHash('sha256').update(username).update('\0').update(password).update('\0').update(c.hash).digest('base64');
    if (this.verified.has(key)) return c;
    if (!(await verifyPassword(password, c.hash))) return undefined;
    this.verified.add(key);
    return c;
  }

  canPublish(c: Credential, topic: string): boolean {
    if (c.role === 'admin') return topic.startsWith(`${this.siteId}/`);
    return this.topics(c).publish.includes(topic);
  }

  canSubscribe(c: Credential, filter: string): boolean {
    if (c.role === 'admin') return filter === `${this.siteId}/#` || filter.startsWith(`${this.siteId}/`);
    return this.topics(c).subscribe.includes(filter);
  }
}
