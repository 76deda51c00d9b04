// The append-only log of sequenced commands, as an interface: the sealed file journal is the
// embedded default, and a replicated log (NATS JetStream) is meant to slot in behind the same
// contract. Records are opaque bytes; sealing, chaining and durability are the log's job.
//
// How a replicated implementation maps onto this contract:
// - `append` admits synchronously and assigns consecutive sequence numbers at once; the
//   `GroupCommitter` (./group-commit.ts) gathers admitted records into batches while the
//   previous batch is in flight. A file journal writes a batch with one write and one
//   fdatasync; a JetStream journal publishes it as one message whose id is
//   `<writerEpoch>.<firstSequence>` and whose expected-last-message-id is the previous
//   batch's id, so a stale writer is fenced at its first publish. Any batch failure
//   (I/O error, fencing rejection) fails the journal: every pending append rejects and the
//   enclave must recover from the log before it may write again.
// - Records are sealed and chained (./sealing.ts) before they leave the enclave, so the log
//   store, like the host, sees only ciphertext, sizes and sequence numbers.
// - `anchorAt` gives the chain value a snapshot records, so recovery can check that the
//   snapshot and the log describe one history even after old records are pruned.

/** One durable record read back from the journal. */
export interface JournalRecord {
  /** Position in the log: 1 for the first record ever appended, then consecutive. */
  readonly sequence: number;
  /** The bytes given to `append`, authenticated and decrypted. */
  readonly payload: Uint8Array;
  /** The chain value after this record (HMAC over the previous value and the sealed record). */
  readonly chainMac: Uint8Array;
}

/** What a durable append covered. */
export interface AppendReceipt {
  readonly firstSequence: number;
  readonly lastSequence: number;
  /** The chain value after `lastSequence`. */
  readonly chainMac: Uint8Array;
}

/** The sequence numbers an admission assigned. */
export interface AdmittedRange {
  readonly firstSequence: number;
  readonly lastSequence: number;
}

/**
 * Learns of durability without a promise per append: `durable` is called with the new
 * durableSequence each time it advances (in order, synchronously with the batch completing),
 * `failed` once when the journal fails.
 */
export interface JournalWatcher {
  durable(durableSequence: number): void;
  failed(error: Error): void;
}

/** How appends were grouped so far: a batch is one write and one fdatasync (or one publish). */
export interface JournalStats {
  readonly batches: number;
  readonly records: number;
  readonly bytes: number;
}

/** A trusted point on the chain, kept inside a sealed snapshot. */
export interface JournalAnchor {
  readonly sequence: number;
  readonly chainMac: Uint8Array;
}

export interface Journal {
  /** The sequence number the next admitted record will get. */
  readonly nextSequence: number;
  /** The highest sequence known durable (0 when none). */
  readonly durableSequence: number;
  /** The lowest sequence still held (records before it were pruned); equals nextSequence when empty. */
  readonly firstSequence: number;
  /** Batches made durable so far; no secret (the host sees the writes anyway). */
  readonly stats: JournalStats;

  /**
   * Admits records synchronously: a refused append throws a CodedError and assigns nothing;
   * an admitted one has its sequence numbers `nextSequence ..` by the time this returns.
   * The promise resolves only once every record is durable, in sequence order.
   */
  append(records: readonly Uint8Array[]): Promise<AppendReceipt>;

  /**
   * Admits records exactly as `append` does, without creating a promise: the hot path learns
   * of their durability through the watcher instead.
   */
  admit(records: readonly Uint8Array[]): AdmittedRange;

  /** Sets the one watcher (replacing any earlier one; undefined removes it). */
  watch(watcher: JournalWatcher | undefined): void;

  /** Resolves once every record admitted before the call is durable. */
  sync(): Promise<void>;

  /**
   * Durable records from `sequence` to `durableSequence` as of the call, each verified
   * against the chain again as it is read (the host may have changed the store since open).
   */
  readFrom(sequence: number): AsyncGenerator<JournalRecord, void, undefined>;

  /** The chain value after a durable record. */
  anchorAt(sequence: number): Promise<JournalAnchor>;

  /**
   * Drops whole stored units (segments, stream prefix) whose records are all at or below
   * `sequence`, never the one holding the last durable record. Call only with a sequence a
   * retained snapshot covers. Resolves to the number of units removed.
   */
  pruneThrough(sequence: number): Promise<number>;

  /** Waits for pending appends to become durable, then releases files and zeroes keys. */
  close(): Promise<void>;
}
