// The one thing a replicated journal needs from a distributed log, as an interface: an ordered
// stream of opaque batches, each with an id, appended only if the log still ends where the
// writer last saw it. The NATS JetStream implementation lives outside the enclave
// (src/cluster/jetstream-log.ts); the enclave only ever hands it sealed bytes, so the log and
// whoever carries the bytes see ciphertext, sizes, batch ids and timing, nothing else.

/** Where a log ends: the stream sequence and id of its last batch (0 and undefined when empty). */
export interface LogPosition {
  readonly streamSequence: number;
  readonly batchId: string | undefined;
}

export interface LogExtent {
  /** Stream sequence of the oldest stored batch; `last.streamSequence + 1` when the log is empty. */
  readonly firstStreamSequence: number;
  readonly last: LogPosition;
}

export interface StoredBatch {
  readonly streamSequence: number;
  readonly batchId: string;
  readonly bytes: Uint8Array;
}

export interface ReplicatedLog {
  /** The stored range, as the log's leader knows it now. */
  extent(): Promise<LogExtent>;

  /** Stored batches from `fromStreamSequence` through `throughStreamSequence`, in order, none skipped. */
  read(fromStreamSequence: number, throughStreamSequence: number): AsyncIterable<StoredBatch>;

  /**
   * Appends one batch only if the log still ends at `after` (same stream sequence and batch
   * id) and resolves to its stream sequence once a quorum holds it. Retrying a batch the log
   * already holds resolves to where it is held (deduplicated by `batchId`). Rejects with
   * CLUSTER_JOURNAL_FENCED when the log ends elsewhere, CLUSTER_REPLICATION_FAILED when no
   * quorum acknowledged it in time.
   */
  append(batchId: string, bytes: Uint8Array, after: LogPosition): Promise<number>;

  /**
   * Optional, for a follower: stored batches from `fromStreamSequence` on, as they are appended,
   * without end until the iterator is returned. Without it a follower polls `extent` and `read`.
   */
  tail?(fromStreamSequence: number): AsyncIterable<StoredBatch>;
}
