// Every bound the journal, its batches and the snapshot store live within, named in one
// place so each loop and buffer in the journal code points at the limit that bounds it.

export const JOURNAL_LIMITS = {
  /** Largest payload of one record: commands are padded frames of a few hundred bytes. */
  recordBytesMax: 64 * 1024,
  /** Most records one `append` call may carry. */
  recordsPerAppendMax: 4096,
  /** Largest batch: written with one write(2) and made durable with one fdatasync. */
  batchBytesMax: 1024 * 1024,
  /** Admitted bytes not yet durable; above this appends are refused (back-pressure). */
  pendingBytesMax: 32 * 1024 * 1024,
  /** Segment rotation threshold unless configured; a segment always holds at least one record. */
  segmentBytesDefault: 64 * 1024 * 1024,
  segmentBytesMin: 4 * 1024,
  segmentBytesMax: 1024 * 1024 * 1024,
  /** Segment files a journal directory may hold. */
  segmentsMax: 100_000,
  /** Read buffer for scanning segments; holds at least two largest frames. */
  readChunkBytes: 1024 * 1024,
  /** Recent chain values kept in memory so snapshots need not re-read segments. */
  anchorHistory: 65_536,
  /** Short writes tolerated before a batch write counts as failed. */
  shortWritesMax: 16,
} as const;

export const SNAPSHOT_LIMITS = {
  stateBytesMax: 256 * 1024 * 1024,
  stateHashBytesMax: 64,
  /** Newest snapshots kept on disk; older ones are deleted after each save. */
  retainDefault: 3,
  retainMax: 64,
  /** Files a snapshot directory listing may hold before loading refuses to scan it. */
  filesMax: 10_000,
} as const;

export const REPLICATED_LIMITS = {
  /** Largest batch message: below NATS's default max_payload of 1 MiB with room for the unit header and NATS headers. */
  batchBytesMax: 512 * 1024,
  /** Admitted bytes not yet acknowledged by the stream; above this appends are refused (back-pressure). */
  pendingBytesMax: 32 * 1024 * 1024,
  /** Stored batches the journal indexes (stream sequence of each); about 50 million commands at 100 per batch. */
  indexedBatchesMax: 500_000,
  /** Characters of a batch id: `<epoch>.<writer>.<firstSequence>`. */
  batchIdCharsMax: 64,
  /** Batches a follower reads per pull, so one pull's work (and memory) stays bounded. */
  pullBatchesMax: 1_024,
  /** A tailing follower compares its position with the log's end this often, to notice a stalled tail. */
  tailCheckEveryMs: 300,
} as const;
