// Per-session rate limiting: a token bucket refilled continuously at a fixed rate, so a
// session may burst up to its capacity and then sustain the rate, and nothing else.

export class TokenBucket {
  #tokens: number;
  #lastMs: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    private readonly nowMs: () => number,
  ) {
    this.#tokens = capacity;
    this.#lastMs = nowMs();
  }

  /** Takes `count` tokens if all are there; takes none otherwise. */
  take(count: number): boolean {
    const now = this.nowMs();
    const elapsedMs = Math.max(0, now - this.#lastMs);
    this.#lastMs = now;
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsedMs * this.ratePerSecond) / 1_000);
    if (this.#tokens < count) return false;
    this.#tokens -= count;
    return true;
  }
}
