/**
 * The simulated clock: real time (speed 1), accelerated (speed up to 10,000),
 * paused, or stepped by hand. Simulated time is anchored to the wall clock so
 * that a change of speed never makes time jump or run backwards.
 */
export class SimClock {
  private anchorSim: number;
  private anchorWall: number;
  private speedValue: number;
  private pausedValue = false;

  constructor(
    start: number,
    speed: number,
    private readonly wall: () => number = Date.now,
  ) {
    if (!(speed >= 0 && speed <= 10_000)) throw new RangeError(`speed must be between 0 and 10000, got ${speed}`);
    this.anchorSim = start;
    this.anchorWall = wall();
    this.speedValue = speed;
    // Speed 0 is the stepped clock: time moves only when stepped.
    if (speed === 0) this.pausedValue = true;
  }

  now(): number {
    if (this.pausedValue) return this.anchorSim;
    return this.anchorSim + (this.wall() - this.anchorWall) * this.speedValue;
  }

  get speed(): number {
    return this.speedValue;
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  private reanchor(): void {
    this.anchorSim = this.now();
    this.anchorWall = this.wall();
  }

  setSpeed(speed: number): void {
    if (!(speed >= 0 && speed <= 10_000)) throw new RangeError(`speed must be between 0 and 10000, got ${speed}`);
    this.reanchor();
    this.speedValue = speed;
    this.pausedValue = speed === 0;
  }

  pause(): void {
    this.reanchor();
    this.pausedValue = true;
  }

  resume(): void {
    if (this.speedValue === 0) return;
    this.anchorWall = this.wall();
    this.pausedValue = false;
  }

  /** Moves simulated time forward by `ms`, whatever the mode. */
  advance(ms: number): void {
    this.reanchor();
    this.anchorSim += ms;
  }

  /** Jumps to a simulated instant (used when a backfill hands over to the live run). */
  set(simTime: number): void {
    this.anchorSim = simTime;
    this.anchorWall = this.wall();
  }
}
