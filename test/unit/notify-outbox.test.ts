import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Outbox, retryDelay } from '../../server/notify/outbox';
import type { NotifyEvent } from '../../server/notify/types';

/** The outbox's promises (server/notify/outbox.ts), on an in-memory SQLite with the clock injected. */
function outbox(start = Date.parse('2027-03-28T00:30:00Z')) {
  let t = start;
  const db = new Database(':memory:');
  db.exec('CREATE TABLE migrations (module TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const box = new Outbox(db, () => t);
  return { box, advance: (ms: number) => (t += ms), now: () => t };
}
const event = (n: number): NotifyEvent => ({ type: 'test', alert: null, at: n });
const msg = (key: string, to: string) => ({ key, channel: 'webhook' as const, to, lang: 'fr' as const, event: event(1) });

describe('notification outbox', () => {
  it('waits 15 s after a first refusal, doubling to at most 30 min: about 60 attempts over a day of outage', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n))).toEqual([15_000, 30_000, 60_000, 120_000]);
    expect(retryDelay(8)).toBe(30 * 60_000);
    expect(retryDelay(500)).toBe(30 * 60_000);
    let waited = 0;
    let attempts = 0;
    while (waited < 86_400_000) waited += retryDelay(++attempts);
    expect(attempts).toBeGreaterThan(40);
    expect(attempts).toBeLessThan(60);
  });

  it('keeps a key once, however often it is added', () => {
    const { box } = outbox();
    expect(box.add([msg('k1', 'a'), msg('k1', 'a')])).toBe(1);
    expect(box.add([msg('k1', 'a')])).toBe(0);
    expect(box.log()).toHaveLength(1);
  });

  it("gives each recipient its messages in order: a refused one holds back that recipient's next, not another's", () => {
    const { box, advance } = outbox();
    box.add([msg('a1', 'a'), msg('a2', 'a'), msg('b1', 'b')]);
    const first = box.due();
    expect(first.map((d) => d.key)).toEqual(['a1', 'b1']);
    box.failed(first[0]?.id as number, 'HTTP 503', { giveUpAfterMs: 86_400_000 });
    box.sent(first[1]?.id as number);
    // a1 waits for its retry; a2 must not overtake it.
    expect(box.due()).toEqual([]);
    advance(15_000);
    expect(box.due().map((d) => [d.key, d.attempts])).toEqual([['a1', 1]]);
    box.sent(box.due()[0]?.id as number);
    expect(box.due().map((d) => d.key)).toEqual(['a2']);
  });

  it('gives a message up once it is older than the limit, and says so in the log with the last error', () => {
    const { box, advance } = outbox();
    box.add([msg('old', 'a')]);
    advance(49 * 3_600_000);
    const [d] = box.due();
    expect(box.failed(d?.id as number, 'HTTP 410 Gone', { giveUpAfterMs: 48 * 3_600_000 })).toBe('failed');
    expect(box.due()).toEqual([]);
    expect(box.log()[0]).toMatchObject({ key: 'old', status: 'failed', attempts: 1, lastError: 'HTTP 410 Gone', nextAt: null });
  });
});
