import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import { type Socket, io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryResponse } from '../../shared/api';
import type { LoginResponse } from '../../shared/auth';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../shared/live';
import { type RunningServer, startServer } from '../../server/app';
import { loadConfig } from '../../server/config';
import { TEST_ADMIN_PASSWORD, mqttCredentials, tempDir, waitFor } from '../helpers/server';
import { clockEnv } from '../helpers/clock';
import { testNow } from '../helpers/clock';

/**
 * TLS with a certificate made here (a self-signed P-256 pair for localhost and
 * 127.0.0.1, trusted by the clients as their CA): HTTPS for the API with a Secure
 * cookie and HSTS, socket.io and MQTT over secure WebSocket on the same port,
 * MQTT over TLS on MQTTS_PORT with MQTT.js, and the plain-text listeners on or
 * off as MQTT_PLAIN says: with TLS the plain MQTT port listens on loopback only
 * (the embedded simulator's way in), or not at all; the HTTP port speaks HTTPS only.
 */

const dir = tempDir('lnm-tls-');
const certFile = path.join(dir, 'cert.pem');
const keyFile = path.join(dir, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
const ca = fs.readFileSync(certFile);

type Server = RunningServer & { dataDir: string };
let server: Server;
let base: string;
let token: string;

async function start(env: Record<string, string>): Promise<Server> {
  const dataDir = tempDir();
  const config = loadConfig({ HTTP_PORT: '0', MQTT_PORT: '0', MQTTS_PORT: '0', SIMULATOR: 'off', SIM_BACKFILL_DAYS: '0', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, ...clockEnv(), ...env });
  return Object.assign(await startServer(config), { dataDir });
}

/** An HTTPS request trusting only our CA. */
function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; ca?: Buffer | null } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? 'GET', headers: init.headers, ...(init.ca === null ? {} : { ca: init.ca ?? ca }) }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Resolves when a TCP connection to host:port opens, rejects with its error code otherwise. */
function tcpConnect(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host, () => {
      s.destroy();
      resolve();
    });
    s.on('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)));
  });
}

beforeAll(async () => {
  // Every interface, as in production: the plain MQTT port must still keep to loopback.
  server = await start({ HOST: '0.0.0.0' });
  base = `https://127.0.0.1:${server.httpPort}`;
  const login = await request(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }) });
  expect(login.status).toBe(200);
  token = (JSON.parse(login.body) as LoginResponse).token;
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('HTTPS', () => {
  it('serves the API over TLS with HSTS and a Secure session cookie', async () => {
    expect(server.url).toMatch(/^https:\/\//);
    const login = await request(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }) });
    const cookie = ([login.headers['set-cookie']].flat()[0] ?? '') as string;
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(login.headers['strict-transport-security']).toMatch(/max-age=\d{8}/);
    const me = await request(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
  });

  it('refuses a client that does not trust the certificate, and speaks no plain HTTP on its port', async () => {
    await expect(request(`${base}/api/health`, { ca: null })).rejects.toThrow(/self-signed|certificate/i);
    await expect(fetch(`http://127.0.0.1:${server.httpPort}/api/health`)).rejects.toThrow();
  });

  it('carries socket.io over the same TLS port, with the same login', async () => {
    const socket = io(`https://127.0.0.1:${server.httpPort}`, { ca: ca.toString(), auth: { token }, transports: ['websocket'], reconnection: false }) as Socket<ServerToClientEvents, ClientToServerEvents>;
    try {
      const ack = await new Promise<SubscribeAck>((resolve, reject) => {
        socket.on('connect_error', reject);
        socket.on('connect', () => socket.emit('subscribe', { devices: ['grid-meter'] }, resolve));
      });
      expect(ack.ok).toBe(true);
    } finally {
      socket.close();
    }
  });
});

describe('MQTT over TLS', () => {
  const opts = (who: string): IClientOptions => ({ ...mqttCredentials(server.dataDir, who), ca, reconnectPeriod: 0, connectTimeout: 5000 });

  it("takes a device's readings on mqtts:// (MQTTS_PORT), stored and served over HTTPS", async () => {
    expect(server.mqttsPort).toBeGreaterThan(0);
    const meter = await mqtt.connectAsync(`mqtts://127.0.0.1:${server.mqttsPort}`, { clientId: 'tls-grid-meter', ...opts('grid-meter') });
    const ts = testNow() - 1000;
    await meter.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', bt: ts / 1000, n: 'import_power', u: 'W', v: 2345 }]), { qos: 1 });
    await meter.endAsync();
    const history = await waitFor(async () => {
      const res = await request(`${base}/api/v1/series/grid-meter.import_power/history?from=${ts - 1}&to=${ts + 1}`, { headers: { authorization: `Bearer ${token}` } });
      const body = JSON.parse(res.body) as HistoryResponse;
      return body.points?.length ? body : undefined;
    }, 'the reading sent over TLS, stored');
    expect(history.points).toEqual([[ts, 2345]]);
  });

  it('still refuses a wrong password over TLS, and a client that does not trust the certificate', async () => {
    const refused = await mqtt.connectAsync(`mqtts://127.0.0.1:${server.mqttsPort}`, { ...opts('grid-meter'), clientId: 'tls-wrong', password: 'not-the-password' }).then(
      async (c) => {
        await c.endAsync();
        return 0;
      },
      (err: { code?: number }) => err.code,
    );
    expect(refused).toBe(4);
    await expect(mqtt.connectAsync(`mqtts://127.0.0.1:${server.mqttsPort}`, { ...opts('grid-meter'), ca: undefined, clientId: 'tls-untrusting' })).rejects.toThrow(/self-signed|certificate/i);
  });

  it('serves MQTT over secure WebSocket on the HTTPS port (/mqtt)', async () => {
    const c = await mqtt.connectAsync(`wss://127.0.0.1:${server.httpPort}/mqtt`, { clientId: 'tls-wss', ...opts('room-r1-reunion') });
    expect(c.connected).toBe(true);
    await c.endAsync();
  });

  it('keeps the plain-text MQTT port to loopback by default when TLS is on: reachable on 127.0.0.1 only, MQTTS on every interface', async () => {
    // 127.0.0.2 is this machine too, but not the address the plain listener is bound to.
    await expect(tcpConnect('127.0.0.1', server.mqttPort)).resolves.toBeUndefined();
    await expect(tcpConnect('127.0.0.2', server.mqttPort)).rejects.toThrow(/ECONNREFUSED/);
    await expect(tcpConnect('127.0.0.2', server.mqttsPort as number)).resolves.toBeUndefined();
  });

  it('has no plain-text MQTT listener at all with MQTT_PLAIN=off', async () => {
    // A free port, so that a refusal there means nothing listens.
    const probe = net.createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as net.AddressInfo).port)));
    await new Promise((r) => probe.close(r));
    const closed = await start({ HOST: '127.0.0.1', MQTT_PORT: String(port), MQTT_PLAIN: 'off' });
    try {
      expect(closed.mqttPort).toBe(0);
      await expect(tcpConnect('127.0.0.1', port)).rejects.toThrow(/ECONNREFUSED/);
      const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${closed.mqttsPort}`, { clientId: 'tls-only', ...mqttCredentials(closed.dataDir, 'grid-meter'), ca, reconnectPeriod: 0 });
      expect(c.connected).toBe(true);
      await c.endAsync();
    } finally {
      await closed.close();
    }
  });
});

describe('TLS configuration', () => {
  it('refuses half a pair, and MQTT_PLAIN=off where it would lock out the simulator or every device, naming the variable', () => {
    expect(() => loadConfig({ TLS_CERT_FILE: certFile })).toThrow(/TLS_KEY_FILE: TLS_CERT_FILE and TLS_KEY_FILE go together/);
    expect(() => loadConfig({ MQTT_PLAIN: 'off', SIMULATOR: 'off' })).toThrow(/MQTT_PLAIN=off needs TLS_CERT_FILE/);
    expect(() => loadConfig({ MQTT_PLAIN: 'off', TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile })).toThrow(/embedded simulator/);
    expect(loadConfig({}).mqttPlain).toBe('on');
    expect(loadConfig({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile }).mqttPlain).toBe('loopback');
  });
});
