import type { Reading } from '../../shared/api';

/** One readings frame as the server made it, before any client's filter. */
export interface Frame {
  seq: number;
  ts: number;
  readings: readonly Reading[];
}

export interface Replay {
  /** The held frames after the point asked for, oldest first. */
  frames: Frame[];
  /** Frames after that point were evicted: they arrived within this range of server time. */
  gap?: { from: number; to: number };
}

/**
 * The recent frames, for reconnecting and lagging clients: bounded by age and
 * by the number of readings held, whichever binds first. Seqs are consecutive,
 * so a frame is found by arithmetic.
 */
export class FrameRing {
  /** Held frames from `head` on; the slots before it are evicted (undefined, so their readings can be collected). */
  private frames: (Frame | undefined)[] = [];
  private head = 0;
  private held = 0;
  /** The newest frame evicted (seq 0 at the server's start, when nothing was). */
  private evicted: { seq: number; ts: number };

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxReadings: number,
    startTs: number,
  ) {
    this.evicted = { seq: 0, ts: startTs };
  }

  /** Readings held, across frames. */
  get readings(): number {
    return this.held;
  }

  get size(): number {
    return this.frames.length - this.head;
  }

  /** The newest frame's seq, or the last evicted one's when none is held. */
  get lastSeq(): number {
    return this.frames.at(-1)?.seq ?? this.evicted.seq;
  }

  push(frame: Frame): void {
    const last = this.lastSeq;
    if (frame.seq !== last + 1) throw new Error(`frame seq ${frame.seq} does not follow ${last}`);
    this.frames.push(frame);
    this.held += frame.readings.length;
    this.trim(frame.ts);
  }

  /** Evicts frames older than the age bound, then the oldest beyond the readings bound (the newest frame stays). */
  trim(now: number): void {
    const oldest = now - this.maxAgeMs;
    while (this.head < this.frames.length) {
      const f = this.frames[this.head] as Frame;
      const tooMany = this.held > this.maxReadings && this.head < this.frames.length - 1;
      if (f.ts >= oldest && !tooMany) break;
      this.evicted = { seq: f.seq, ts: f.ts };
      this.held -= f.readings.length;
      // Let go of the frame now: a slot kept until the next compaction held up to
      // 1,024 evicted frames, minutes of readings at a high rate, far past the bounds.
      this.frames[this.head] = undefined;
      this.head++;
    }
    // Compact now and then rather than shifting on every eviction.
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * The frames after `seq`. A seq evicted (or from the future: another server
   * run) gives every held frame and the gap before them, from `fromTs` (when the
   * caller knows the time of that seq) else from `fallbackFrom`.
   */
  afterSeq(seq: number, fromTs: number | undefined, fallbackFrom: number): Replay {
    const first = this.frames[this.head];
    if (seq >= this.evicted.seq && seq <= this.lastSeq) {
      if (!first || seq >= this.lastSeq) return { frames: [] };
      return { frames: this.heldFrom(this.head + (seq - first.seq) + 1) };
    }
    return { frames: this.heldFrom(this.head), gap: { from: Math.min(fromTs ?? fallbackFrom, this.evicted.ts), to: this.evicted.ts } };
  }

  /** The frames made after server time `ts`, and the gap when some of those were evicted. */
  afterTs(ts: number): Replay {
    const frames = this.heldFrom(this.head).filter((f) => f.ts > ts);
    if (ts >= this.evicted.ts) return { frames };
    return { frames, gap: { from: ts, to: this.evicted.ts } };
  }

  /** The held frames from slot `i` on (every slot from head on holds one). */
  private heldFrom(i: number): Frame[] {
    return this.frames.slice(i) as Frame[];
  }

  /** The server time of a frame still held, or of the newest evicted one. */
  tsOf(seq: number): number | undefined {
    if (seq === this.evicted.seq) return this.evicted.ts;
    const first = this.frames[this.head];
    if (!first || seq < first.seq) return undefined;
    return this.frames[this.head + (seq - first.seq)]?.ts;
  }
}
