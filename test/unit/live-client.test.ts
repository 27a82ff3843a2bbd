import { describe, expect, it } from 'vitest';
import { LiveCursor } from '../../web/src/lib/live-client';

const frame = (seq: number, prev: number, ts = seq * 250) => ({ seq, prev, ts, series: [], points: [] });

describe("the dashboard's place in the live stream", () => {
  it('sends nothing the first time, then the last frame it got', () => {
    const c = new LiveCursor();
    expect(c.since()).toBeUndefined();
    expect(c.acked({ ok: true, server: 's1', seq: 10, ts: 5000 })).toBeUndefined();
    expect(c.since()).toEqual({ server: 's1', seq: 10, ts: 5000 });
    expect(c.frame(frame(11, 10))).toBe(false);
    expect(c.frame(frame(14, 11))).toBe(false);
    expect(c.since()).toEqual({ server: 's1', seq: 14, ts: 3500 });
  });

  it('keeps the time of the frame it resumes from, and reports the gaps the server names', () => {
    const c = new LiveCursor();
    c.acked({ ok: true, server: 's1', seq: 0, ts: 100 });
    c.frame(frame(3, 0, 900));
    // Reconnected and resumed exactly: the frame's time stays.
    expect(c.acked({ ok: true, server: 's1', seq: 3, ts: 2000 })).toBeUndefined();
    expect(c.since()).toEqual({ server: 's1', seq: 3, ts: 900 });
    // The server restarted: it names the gap and a new run.
    expect(c.acked({ ok: true, server: 's2', seq: 0, ts: 3000, gap: { from: 650, to: 2900 } })).toEqual({ from: 650, to: 2900 });
    expect(c.since()).toEqual({ server: 's2', seq: 0, ts: 3000 });
  });

  it('sees a frame that does not follow the last one, and restarts the chain at a resync', () => {
    const c = new LiveCursor();
    c.acked({ ok: true, server: 's', seq: 5, ts: 0 });
    expect(c.frame(frame(7, 6))).toBe(true);
    expect(c.resync({ seq: 20, ts: 9000, gap: { from: 1, to: 2 } })).toEqual({ from: 1, to: 2 });
    expect(c.frame(frame(21, 20))).toBe(false);
    expect(c.resync({ seq: 21, ts: 9500 })).toBeUndefined();
  });
});
