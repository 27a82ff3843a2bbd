import type { RejectedMessage } from '../../shared/api';

/** Bytes of a rejected payload kept for inspection: enough to see what was wrong, bounded in memory. */
export const DEAD_LETTER_PAYLOAD_BYTES = 2048;

/**
 * A bounded dead-letter store: the last `capacity` rejected messages with their
 * reason, newest last. Older entries are dropped (and counted) so that a device
 * flooding garbage can never grow the server's memory.
 */
export class DeadLetters {
  private readonly items: RejectedMessage[] = [];
  dropped = 0;

  constructor(readonly capacity: number) {}

  add(entry: Omit<RejectedMessage, 'payload'> & { payload: Buffer | string | undefined }): void {
    const text = entry.payload === undefined ? '' : typeof entry.payload === 'string' ? entry.payload : entry.payload.toString('utf8');
    this.items.push({ ...entry, payload: text.length > DEAD_LETTER_PAYLOAD_BYTES ? `${text.slice(0, DEAD_LETTER_PAYLOAD_BYTES)}…` : text });
    if (this.items.length > this.capacity) {
      this.items.shift();
      this.dropped++;
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** Newest first, filtered. */
  list(filter: { deviceId?: string; reason?: string; limit: number }): RejectedMessage[] {
    const out: RejectedMessage[] = [];
    for (let i = this.items.length - 1; i >= 0 && out.length < filter.limit; i--) {
      const item = this.items[i] as RejectedMessage;
      if (filter.deviceId && item.deviceId !== filter.deviceId) continue;
      if (filter.reason && item.reason !== filter.reason) continue;
      out.push(item);
    }
    return out;
  }
}
