import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { type ReadingsFrame, type SubscribeAck, frameReadings } from '../../shared/live';
import { health, PowerPublisher, rssMb, type ServerProcess, startServerProcess } from '../helpers/faults';
import { tempDir, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * A dashboard that stops reading its socket (a frozen tab behind a live TCP
 * connection, a client on a link that no longer drains) must not make the server
 * hold its frames without bound, nor slow the others. The stuck client here is
 * the worst kind: a raw WebSocket that never reads again but keeps answering
 * engine.io's pings blindly, so the server never closes it.
 */
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function stuckClient(base: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('0')) ws.send(`40${JSON.stringify({ token })}`);
      else if (text.startsWith('40')) ws.send('421["subscribe",{}]');
      else if (text.startsWith('431')) {
        // Subscribed to everything. From now on it reads nothing.
        const raw = (ws as unknown as { _socket: { pause(): void } })._socket;
        raw.pause();
        resolve(ws);
      } else if (text === '2') ws.send('3');
    });
  });
}

describe('faults: a stuck dashboard', () => {
  it('a client that stops reading its socket gets its frames held back (bounded, counted in /api/health) while ingest and the other clients go on', async () => {
    const dataDir = tempDir();
    const server: ServerProcess = await startServerProcess({ DATA_DIR: dataDir });
    cleanup.push(async () => {
      server.child.kill('SIGKILL');
      await server.exited;
    });
    const token = (await (await fetch(`${server.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'test-admin-password-1' }) })).json()) as { token: string };

    const fast: Socket = io(server.base, { auth: { token: token.token }, transports: ['websocket'] });
    cleanup.push(() => fast.close());
    const frames: { at: number; frame: ReadingsFrame }[] = [];
    fast.on('readings', (frame: ReadingsFrame) => frames.push({ at: testNow(), frame }));
    const ack = (await fast.timeout(10_000).emitWithAck('subscribe', {})) as SubscribeAck;
    if (!ack.ok) throw new Error(ack.error);

    const stuck = await stuckClient(server.base, token.token);
    const pong = setInterval(() => stuck.send('3'), 3_000);
    cleanup.push(() => {
      clearInterval(pong);
      stuck.terminate();
    });

    const pub = new PowerPublisher(`mqtt://127.0.0.1:${server.mqtt}`, dataDir);
    cleanup.push(() => pub.close());
    await pub.connect();
    const rss0 = rssMb(server.child.pid as number);
    // About 8,000 readings a second for 25 s: some 13 MB of frames the stuck client never takes,
    // more than the kernel's socket buffers hold on loopback.
    const publishedAt = new Map<string, number>();
    const rss: number[] = [];
    let maxPendingBytes = 0;
    let maxPendingPackets = 0;
    // At least 25 s, and until the stuck client has been held back for a while (60 s at most).
    const started = testNow();
    let laggingSince: number | undefined;
    const done = () => testNow() - started >= 60_000 || (testNow() - started >= 25_000 && laggingSince !== undefined && testNow() - laggingSince >= 5_000);
    for (let tick = testNow(); !done(); tick += 250) {
      await new Promise((r) => setTimeout(r, Math.max(0, tick - testNow())));
      const before = pub.total;
      await pub.publish(250);
      const now = testNow();
      for (const [seriesId, ts] of pub.acked) for (const t of ts.slice(-250)) publishedAt.set(`${seriesId}@${t}`, now);
      expect(pub.total).toBe(before + 250 * pub.devices.length);
      const h = await health(server.base);
      maxPendingBytes = Math.max(maxPendingBytes, h.live?.maxPendingBytes ?? 0);
      maxPendingPackets = Math.max(maxPendingPackets, h.live?.maxPendingPackets ?? 0);
      if (h.live?.lagging === 1) laggingSince ??= testNow();
      rss.push(rssMb(server.child.pid as number));
    }

    // The stuck client is held back, and it shows.
    const h = await health(server.base);
    expect(h.live?.lagging).toBe(1);
    expect(h.live?.framesHeld).toBeGreaterThan(0);
    // What waits for it stays bounded: engine.io's packets (40) and one write in the socket.
    expect(maxPendingPackets).toBeLessThanOrEqual(42);
    expect(maxPendingBytes).toBeLessThan(8 * 1024 * 1024);
    // Ingest did not wait for it: every reading stored.
    await waitFor(async () => (await health(server.base)).store.written === pub.total, 'every reading stored', 30_000);
    // The other client got every reading, frames in order, none late by more than a few frames.
    await waitFor(() => frames.reduce((a, f) => a + frameReadings(f.frame).length, 0) >= pub.total, 'every reading on the fast client', 30_000);
    let prev = ack.seq;
    const got = new Set<string>();
    let worst = 0;
    for (const { at, frame } of frames) {
      expect(frame.prev).toBe(prev);
      prev = frame.seq;
      for (const r of frameReadings(frame)) {
        const key = `${r.seriesId}@${r.ts}`;
        got.add(key);
        const sent = publishedAt.get(key);
        if (sent !== undefined) worst = Math.max(worst, at - sent);
      }
    }
    expect(got.size).toBe(pub.total);
    // Generous on a shared 2-core machine; a client waiting on the stuck one would wait for ever.
    expect(worst).toBeLessThan(5_000);
    process.stdout.write(`slow client: ${pub.total} readings, frames held ${h.live?.framesHeld}, max pending ${maxPendingPackets} packets / ${Math.round(maxPendingBytes / 1024)} KiB, worst delay on the fast client ${worst} ms, RSS ${Math.round(rss0)} -> max ${Math.round(Math.max(...rss))} MiB\n`);
    // The server's memory did not follow the 13 MB the stuck client never took.
    expect(Math.max(...rss) - rss0).toBeLessThan(150);
  }, 150_000);
});
