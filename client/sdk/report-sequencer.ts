// Puts the account's execution stream back in order across reconnects: every report is
// delivered once, in seq order. Within one session the enclave sends reports in order; across
// a reconnect, live reports of the new session can overtake the replay that session.resume
// asks for, and replays can repeat reports already seen. So reports at or below the last
// delivered seq are dropped as duplicates, later ones wait for the gap to fill, and the
// resume answer says which seqs the enclave no longer remembers (reported as missing).

export const REPORT_SEQUENCER_LIMITS = {
  /** Reports held while a gap is open; beyond it the gap is declared lost. */
  maxBufferedReports: 4096,
} as const;

export interface SeqRange {
  readonly fromSeq: number;
  readonly toSeq: number;
}

export interface SequencerOutput<R> {
  readonly delivered: readonly R[];
  /** Seqs the enclave no longer remembers: the stream has a hole there. */
  readonly missing: readonly SeqRange[];
}

const NOTHING: SequencerOutput<never> = { delivered: [], missing: [] };

export class ReportSequencer<R extends { readonly seq: number }> {
  #lastSeq: number | undefined;
  readonly #buffer = new Map<number, R>();
  readonly #maxBuffered: number;

  /** lastSeq undefined: the baseline is not known yet (a fresh client before its first resume answer). */
  constructor(lastSeq?: number, maxBuffered: number = REPORT_SEQUENCER_LIMITS.maxBufferedReports) {
    if (lastSeq !== undefined && (!Number.isSafeInteger(lastSeq) || lastSeq < 0)) throw new Error(`assertion: lastSeq ${lastSeq} is not a non-negative integer`);
    this.#lastSeq = lastSeq;
    this.#maxBuffered = maxBuffered;
  }

  /** The last seq delivered (or the baseline); undefined before the baseline is known. */
  get lastSeq(): number | undefined {
    return this.#lastSeq;
  }

  get bufferedCount(): number {
    return this.#buffer.size;
  }

  /** One report from the wire. Returns what can now be delivered, in order. */
  accept(report: R): SequencerOutput<R> {
    const seq = report.seq;
    if (!Number.isSafeInteger(seq) || seq < 1) return NOTHING;
    if ((this.#lastSeq !== undefined && seq <= this.#lastSeq) || this.#buffer.has(seq)) return NOTHING;
    if (this.#lastSeq !== undefined && seq === this.#lastSeq + 1) {
      this.#lastSeq = seq;
      return { delivered: [report, ...this.#drain()], missing: [] };
    }
    this.#buffer.set(seq, report);
    if (this.#buffer.size <= this.#maxBuffered || this.#lastSeq === undefined) {
      if (this.#buffer.size > this.#maxBuffered) this.#buffer.delete(Math.min(...this.#buffer.keys()));
      return NOTHING;
    }
    return this.#skipToBuffered(Math.min(...this.#buffer.keys()) - 1);
  }

  /**
   * The enclave answered session.resume: every report it still remembers up to serverLastSeq
   * has been sent before this answer. Seqs still missing up to there are lost.
   */
  resumed(serverLastSeq: number): SequencerOutput<R> {
    if (!Number.isSafeInteger(serverLastSeq) || serverLastSeq < 0) return NOTHING;
    if (this.#lastSeq === undefined) {
      const delivered = [...this.#buffer.values()].sort((a, b) => a.seq - b.seq);
      this.#buffer.clear();
      this.#lastSeq = Math.max(serverLastSeq, delivered.at(-1)?.seq ?? 0);
      return { delivered, missing: [] };
    }
    if (serverLastSeq <= this.#lastSeq) return NOTHING;
    return this.#skipToBuffered(serverLastSeq);
  }

  /** Delivers everything buffered up to `throughSeq`, recording the holes, then drains what follows. */
  #skipToBuffered(throughSeq: number): SequencerOutput<R> {
    const delivered: R[] = [];
    const missing: SeqRange[] = [];
    const waiting = [...this.#buffer.keys()].filter((seq) => seq <= throughSeq).sort((a, b) => a - b);
    for (const seq of waiting) {
      if (seq > this.#lastSeq! + 1) missing.push({ fromSeq: this.#lastSeq! + 1, toSeq: seq - 1 });
      delivered.push(this.#buffer.get(seq)!);
      this.#buffer.delete(seq);
      this.#lastSeq = seq;
    }
    if (throughSeq > this.#lastSeq!) {
      missing.push({ fromSeq: this.#lastSeq! + 1, toSeq: throughSeq });
      this.#lastSeq = throughSeq;
    }
    delivered.push(...this.#drain());
    return { delivered, missing };
  }

  #drain(): R[] {
    const out: R[] = [];
    for (let next = this.#buffer.get(this.#lastSeq! + 1); next !== undefined; next = this.#buffer.get(this.#lastSeq! + 1)) {
      this.#buffer.delete(next.seq);
      this.#lastSeq = next.seq;
      out.push(next);
    }
    return out;
  }
}
