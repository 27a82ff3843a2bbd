/**
 * Messages per minute over the last minute, in six rolling buckets of 10 s (the
 * way Uptime Kuma keeps its rolling history): constant memory per device, and a
 * rate that moves smoothly instead of jumping at each whole minute.
 */
const BUCKET_MS = 10_000;
const BUCKETS = 6;

export class RollingRate {
  private readonly starts = new Array<number>(BUCKETS).fill(-1);
  private readonly counts = new Array<number>(BUCKETS).fill(0);

  add(t: number, n = 1): void {
    const b = Math.floor(t / BUCKET_MS);
    const i = b % BUCKETS;
    if (this.starts[i] !== b) {
      this.starts[i] = b;
      this.counts[i] = 0;
    }
    this.counts[i] = (this.counts[i] ?? 0) + n;
  }

  /** Events in the last minute (the current bucket and the five before it). */
  perMinute(t: number): number {
    const now = Math.floor(t / BUCKET_MS);
    let sum = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const start = this.starts[i] ?? -1;
      if (start > now - BUCKETS && start <= now) sum += this.counts[i] ?? 0;
    }
    return sum;
  }
}
