import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alerts';
import type { Delivery } from '../../server/notify/types';
import { type WebhookTarget, DELIVERY_HEADER, EVENT_HEADER, TIMESTAMP_HEADER, createWebhookProvider } from '../../server/notify/webhook';
import { type WebhookReceiver, startWebhookReceiver } from '../helpers/webhook-receiver';

/**
 * The webhook provider against real HTTP servers: a subscriber that checks
 * signatures, one that is down, one that redirects, one that never answers,
 * and one that echoes what it got in its error page. Whatever fails, the error
 * (bound for the delivery log) carries neither the signing secret nor the
 * secrets of the URL (user info, query).
 */

const SECRET = 'whsec-integration-0123456789';
const TOKEN = 'query-token-s3cr3t';
const PASSWORD = 'pa55-w0rd-hidden';
const TIMEOUT_MS = 300;

const alert: Alert = {
  id: 9,
  ruleId: 'tank-low',
  ruleName: 'Cuve basse',
  kind: 'tank-low',
  severity: 'warning',
  target: { id: 'rainwater-tank', deviceId: 'rainwater-tank', seriesId: 'rainwater-tank.level', zone: 'basement', label: 'Cuve' },
  state: 'active',
  message: 'niveau 12 %',
  value: 12,
  raisedAt: Date.now(),
  lastRaisedAt: Date.now(),
  occurrences: 1,
  clearedAt: null,
  clearMessage: null,
  acknowledged: null,
  shelved: null,
  updatedAt: Date.now(),
};

let seq = 0;
const delivery = (to: string): Delivery => ({ id: ++seq, key: `wh-${seq}-k`, channel: 'webhook', to, lang: 'fr', event: { type: 'alert:raised', alert, at: Date.now() }, attempts: 0 });

let receiver: WebhookReceiver;
/** Misbehaving endpoints: /redirect answers 302 to the receiver, /hang never answers, /long answers 500 with a long body, anything else 500 with the request's URL and headers. */
let misc: Server;
let miscBase: string;
const hanging: ServerResponse[] = [];
let targets: WebhookTarget[] = [];

const provider = () => createWebhookProvider({ targets: () => targets, publicUrl: 'https://monitor.example.org', timeoutMs: TIMEOUT_MS });

/** Sends and returns the rejection's message, checking it leaks nothing. */
async function failure(to: string): Promise<string> {
  const err = await provider()
    .send(delivery(to))
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(Error);
  const message = (err as Error).message;
  for (const secret of [SECRET, TOKEN, PASSWORD, 'token=']) expect(message).not.toContain(secret);
  return message;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  misc = createServer((req, res) => {
    req.resume();
    if (req.url?.startsWith('/redirect')) res.writeHead(302, { location: `${receiver.url}?token=${TOKEN}` }).end();
    else if (req.url?.startsWith('/hang')) hanging.push(res);
    // The token straddles the 200th character: cutting the body there must not leave its start behind.
    else if (req.url?.startsWith('/long')) res.writeHead(500).end(`${'x'.repeat(195)}${TOKEN}${'y'.repeat(5000)}`);
    else res.writeHead(500, { 'content-type': 'text/plain' }).end(`boom: ${req.url} ${JSON.stringify(req.headers)}`);
  });
  await new Promise<void>((resolve) => misc.listen(0, '127.0.0.1', resolve));
  miscBase = `http://127.0.0.1:${(misc.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await receiver?.stop();
  for (const res of hanging) res.destroy();
  misc?.closeAllConnections();
  await new Promise<void>((resolve) => (misc ? misc.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  receiver.received.length = 0;
  receiver.setDown(null);
  targets = [
    { id: 'ops', url: `${receiver.url}?token=${TOKEN}`, secret: SECRET, format: 'json' },
    { id: 'with-user', url: receiver.url.replace('http://', `http://bot:${PASSWORD}@`) + `?token=${TOKEN}`, secret: SECRET, format: 'json' },
    { id: 'ntfy', url: receiver.url.replace(/\/hook$/, '/alertes-batiment'), secret: SECRET, format: 'ntfy' },
    { id: 'redirect', url: `${miscBase}/redirect?token=${TOKEN}`, secret: SECRET, format: 'json' },
    { id: 'hang', url: `${miscBase}/hang?token=${TOKEN}`, secret: SECRET, format: 'slack' },
    { id: 'echo', url: `http://bot:${PASSWORD}@${miscBase.slice('http://'.length)}/echo/${TOKEN}?token=${TOKEN}`, secret: SECRET, format: 'json' },
    { id: 'long', url: `${miscBase}/long?token=${TOKEN}`, secret: SECRET, format: 'json' },
    { id: 'ftp', url: `ftp://127.0.0.1/x?token=${TOKEN}`, secret: SECRET, format: 'json' },
    { id: 'refused', url: `http://bot:${PASSWORD}@127.0.0.1:${(misc.address() as AddressInfo).port + 1}/x?token=${TOKEN}`, secret: SECRET, format: 'json' },
  ];
});

describe('webhook provider', () => {
  it('delivers a signed POST with the delivery id and event headers', async () => {
    const d = delivery('ops');
    await provider().send(d);
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.signatureValid).toBe(true);
    expect(got.path).toBe(`/hook?token=${TOKEN}`);
    expect(got.headers[DELIVERY_HEADER.toLowerCase()]).toBe(d.key);
    expect(got.headers[EVENT_HEADER.toLowerCase()]).toBe('alert:raised');
    expect(Math.abs(Number(got.headers[TIMESTAMP_HEADER.toLowerCase()]) - Date.now() / 1000)).toBeLessThan(60);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe('le-numerique-monitor');
    expect(got.json).toMatchObject({ version: 1, deliveryId: d.key, event: 'alert:raised', alert: { id: 9 }, link: 'https://monitor.example.org/alerts?alert=9' });
  });

  it('sends user:pass@ as Basic auth, not in the URL', async () => {
    await provider().send(delivery('with-user'));
    const got = receiver.received[0]!;
    expect(got.signatureValid).toBe(true);
    expect(got.headers.authorization).toBe(`Basic ${Buffer.from(`bot:${PASSWORD}`).toString('base64')}`);
  });

  it('ntfy: posts to the server root with the topic in the body', async () => {
    await provider().send(delivery('ntfy'));
    const got = receiver.received[0]!;
    expect(got.path).toBe('/');
    expect(got.json).toMatchObject({ topic: 'alertes-batiment', priority: 4, click: 'https://monitor.example.org/alerts?alert=9' });
    expect(got.signatureValid).toBe(true);
  });

  it('receiver down: rejects with HTTP 503, then delivers once it is back', async () => {
    receiver.setDown(503);
    expect(await failure('ops')).toMatch(/^HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/…: down for maintenance$/);
    expect(await failure('with-user')).toMatch(/^HTTP 503/);
    expect(receiver.received).toHaveLength(0);
    receiver.setDown(null);
    await provider().send(delivery('ops'));
    expect(receiver.received).toHaveLength(1);
  });

  it('a redirect is refused, never followed', async () => {
    const message = await failure('redirect');
    expect(message).toContain('redirect refused (302 to http://127.0.0.1:');
    expect(receiver.received).toHaveLength(0);
  });

  it('a receiver that never answers: rejects after timeoutMs', async () => {
    const t0 = Date.now();
    const message = await failure('hang');
    const elapsed = Date.now() - t0;
    expect(message).toContain(`timeout after ${TIMEOUT_MS} ms`);
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(5_000);
    expect(hanging.length).toBeGreaterThan(0);
  });

  it('an error page echoing the URL and headers does not leak them; at most 200 characters of it', async () => {
    const message = await failure('echo');
    expect(message).toMatch(/^HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/…: boom: /);
    expect(message).toContain('[redacted]');
    expect(message.length).toBeLessThan(300);
    expect(message).not.toContain(Buffer.from(`bot:${PASSWORD}`).toString('base64'));
  });

  it('a body cut at 200 characters does not keep the start of a secret', async () => {
    const message = await failure('long');
    expect(message).toMatch(/: x{195}…$/);
    expect(message).not.toContain(TOKEN.slice(0, 4));
  });

  it('a connection refused, an unknown webhook, a URL that is not http(s)', async () => {
    expect(await failure('ftp')).toBe('webhook ftp: only http and https URLs (ftp:)');
    expect(await failure('refused')).toMatch(/^fetch failed: .*ECONNREFUSED.* \(http:\/\/127\.0\.0\.1:\d+\/…\)$/);
    await expect(provider().send(delivery('gone'))).rejects.toThrow('unknown webhook gone');
  });
});
