import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../shared/api';
import { FrameRing } from '../../server/live/ring';

const r = (n: number): Reading[] => Array.from({ length: n }, (_, i) => ({ seriesId: 'grid-meter.import_power', ts: i, value: i }));

function ringOf(frames: number, { maxAgeMs = 1e9, maxReadings = 1e9, perFrame = 1 } = {}): FrameRing {
  const ring = new FrameRing(maxAgeMs, maxReadings, 1000);
  for (let i = 1; i <= frames; i++) ring.push({ seq: i, ts: 1000 + i * 100, readings: r(perFrame) });
  return ring;
}

describe('the live ring buffer', () => {
  it('lets go of an evicted frame at once, so that its readings can be collected', async () => {
    // The collector, for this test only (node's documented --expose-gc, set at run time).
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const ring = new FrameRing(1000, 1e9, 0);
    const refs = Array.from({ length: 5 }, (_, i) => {
      const readings = r(1000);
      ring.push({ seq: i + 1, ts: i * 10, readings });
      return new WeakRef(readings);
    });
    // Old enough to evict the five frames by age; the ring holds this one only.
    ring.push({ seq: 6, ts: 5000, readings: r(1) });
    expect(ring.size).toBe(1);
    // A WeakRef keeps its target until the end of the current job: collect after it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(refs.map((ref) => ref.deref() === undefined)).toEqual([true, true, true, true, true]);
  });

  it('replays exactly the frames after a seq it still holds', () => {
    const ring = ringOf(10);
    expect(ring.afterSeq(7, undefined, 0)).toEqual({ frames: [expect.objectContaining({ seq: 8 }), expect.objectContaining({ seq: 9 }), expect.objectContaining({ seq: 10 })] });
    expect(ring.afterSeq(10, undefined, 0)).toEqual({ frames: [] });
    expect(ring.afterSeq(0, undefined, 0).frames.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ring.afterSeq(0, undefined, 0).gap).toBeUndefined();
  });

  it('evicts by age and by readings held, and says what a seq before them missed', () => {
    const ring = ringOf(10, { maxReadings: 12, perFrame: 3 });
    // 30 readings pushed, 12 kept: the last 4 frames.
    expect(ring.readings).toBe(12);
    expect(ring.size).toBe(4);
    const replay = ring.afterSeq(2, 1200, 0);
    expect(replay.frames.map((f) => f.seq)).toEqual([7, 8, 9, 10]);
    // Frames 3..6 are gone: made between the client's last frame (1200) and the newest evicted one (1600).
    expect(replay.gap).toEqual({ from: 1200, to: 1600 });
    // The evicted frame the client last got: nothing missing.
    expect(ring.afterSeq(6, undefined, 0)).toEqual({ frames: expect.any(Array) });
    expect(ring.afterSeq(6, undefined, 0).gap).toBeUndefined();

    const aged = ringOf(10, { maxAgeMs: 250 });
    // Frames at 1100..2000, the newest at 2000: those before 1750 are gone.
    expect(aged.afterSeq(0, undefined, 500).frames.map((f) => f.seq)).toEqual([8, 9, 10]);
    expect(aged.afterSeq(0, undefined, 500).gap).toEqual({ from: 500, to: 1700 });
    aged.trim(10_000);
    expect(aged.size).toBe(0);
    expect(aged.lastSeq).toBe(10);
    expect(aged.afterSeq(10, undefined, 0)).toEqual({ frames: [] });
  });

  it('keeps the newest frame even when it alone exceeds the bound', () => {
    const ring = ringOf(3, { maxReadings: 2, perFrame: 5 });
    expect(ring.size).toBe(1);
    expect(ring.lastSeq).toBe(3);
  });

  it('treats a seq it never made (another server run) as a gap back to the time given', () => {
    const ring = ringOf(5);
    expect(ring.afterSeq(99, 400, 0)).toEqual({ frames: expect.any(Array), gap: { from: 400, to: 1000 } });
    expect(ring.afterSeq(99, undefined, 300).gap).toEqual({ from: 300, to: 1000 });
  });

  it('replays by time: the frames made after it, and a gap when that time is before what it holds', () => {
    const ring = ringOf(10, { maxReadings: 5 });
    expect(ring.afterTs(1800).frames.map((f) => f.seq)).toEqual([9, 10]);
    expect(ring.afterTs(1800).gap).toBeUndefined();
    expect(ring.afterTs(900)).toEqual({ frames: expect.any(Array), gap: { from: 900, to: 1500 } });
    expect(ring.afterTs(900).frames).toHaveLength(5);
  });

  it('refuses frames out of sequence', () => {
    const ring = ringOf(2);
    expect(() => ring.push({ seq: 4, ts: 0, readings: [] })).toThrow(/does not follow/);
  });

  it('stays bounded over a long run', () => {
    const ring = new FrameRing(1000, 500, 0);
    for (let i = 1; i <= 100_000; i++) ring.push({ seq: i, ts: i * 10, readings: r(2) });
    expect(ring.size).toBeLessThanOrEqual(250);
    expect(ring.readings).toBeLessThanOrEqual(500);
    expect(ring.tsOf(100_000)).toBe(1_000_000);
    expect(ring.tsOf(1)).toBeUndefined();
  });
});
