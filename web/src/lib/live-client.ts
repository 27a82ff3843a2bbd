import type { Gap, ReadingsFrame, Resync, Since, Snapshot, SubscribeAck } from '../../../shared/live';

/**
 * Where a live client is in the server's stream of frames (shared/live.ts):
 * what to send as `since` when it subscribes again after a reconnect, and
 * whether something was missed that must be fetched over REST. No socket here:
 * the dashboard's hook and the tests drive it alike.
 */
export class LiveCursor {
  private server: string | undefined;
  private seq: number | undefined;
  private ts: number | undefined;

  /** `since` for the next subscription: undefined before the first one. */
  since(): Since | undefined {
    if (this.seq === undefined) return undefined;
    return { seq: this.seq, ...(this.ts === undefined ? {} : { ts: this.ts }), ...(this.server === undefined ? {} : { server: this.server }) };
  }

  /** A subscription's answer; the gap the server could not replay, if any. */
  acked(ack: Extract<SubscribeAck, { ok: true }>): Gap | undefined {
    const resumed = this.server === ack.server && this.seq === ack.seq;
    this.server = ack.server;
    this.seq = ack.seq;
    // Resumed where it was: the time of that frame stays. Otherwise the ack's time is the best known.
    if (!resumed) this.ts = ack.ts;
    return ack.gap;
  }

  snapshot(s: Snapshot): void {
    this.server = s.server;
  }

  /** A readings frame; true when it does not follow the last one (frames were missed). */
  frame(f: ReadingsFrame): boolean {
    const missed = this.seq !== undefined && f.prev !== this.seq;
    this.seq = f.seq;
    this.ts = f.ts;
    return missed;
  }

  /** The server held frames back (this client was slow); the gap it could not replay, if any. */
  resync(r: Resync): Gap | undefined {
    this.seq = r.seq;
    this.ts = r.ts;
    return r.gap;
  }
}
