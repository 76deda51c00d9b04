// The chain values of the most recent records, kept in memory by every journal so that
// snapshots (which record an anchor) need not read the store back.
import { JOURNAL_LIMITS } from './limits.js';
import { MAC_BYTES } from './segment-format.js';

/** The chain values of the most recent records, so snapshots need not re-read segments. */
export class AnchorRing {
  readonly #macs = Buffer.alloc(JOURNAL_LIMITS.anchorHistory * MAC_BYTES);
  readonly #sequences = new Float64Array(JOURNAL_LIMITS.anchorHistory);

  /** Stores a record's chain value; returns the ring's copy (valid until anchorHistory more records). */
  remember(sequence: number, chainMac: Uint8Array): Uint8Array {
    const start = (sequence % JOURNAL_LIMITS.anchorHistory) * MAC_BYTES;
    this.#macs.set(chainMac, start);
    this.#sequences[sequence % JOURNAL_LIMITS.anchorHistory] = sequence;
    return this.#macs.subarray(start, start + MAC_BYTES);
  }

  lookup(sequence: number): Uint8Array | undefined {
    const slot = sequence % JOURNAL_LIMITS.anchorHistory;
    if (this.#sequences[slot] !== sequence) return undefined;
    return Buffer.from(this.#macs.subarray(slot * MAC_BYTES, (slot + 1) * MAC_BYTES));
  }

  clear(): void {
    this.#macs.fill(0);
    this.#sequences.fill(0);
  }
}
