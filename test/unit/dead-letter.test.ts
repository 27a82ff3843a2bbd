import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_PAYLOAD_BYTES, DeadLetters } from '../../server/ingest/dead-letter';

describe('the dead-letter store', () => {
  it('keeps the newest rejected messages up to its capacity and counts what it dropped', () => {
    const dl = new DeadLetters(5);
    for (let i = 0; i < 20; i++) dl.add({ ts: i, topic: 't', deviceId: i % 2 ? 'a' : 'b', reason: 'bad-json', detail: `#${i}`, payload: 'x' });
    expect(dl.size).toBe(5);
    expect(dl.dropped).toBe(15);
    expect(dl.list({ limit: 10 }).map((m) => m.detail)).toEqual(['#19', '#18', '#17', '#16', '#15']);
    expect(dl.list({ deviceId: 'a', limit: 10 }).map((m) => m.detail)).toEqual(['#19', '#17', '#15']);
  });

  it('cuts huge payloads so a flood of garbage cannot grow memory', () => {
    const dl = new DeadLetters(1);
    dl.add({ ts: 0, topic: 't', reason: 'bad-json', detail: 'd', payload: Buffer.alloc(1_000_000, 'a') });
    expect(dl.list({ limit: 1 })[0]?.payload.length).toBe(DEAD_LETTER_PAYLOAD_BYTES + 1);
  });
});
