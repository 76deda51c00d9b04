// The journal on a replicated log (NATS JetStream in production, see docs/cluster.md): the
// same sealed, chained frames as the file journal, group-committed into one stream message
// per batch. A batch is durable once the log acknowledged it (a quorum of replicas holds it),
// and only then are its commands acknowledged to traders.
//
// Fencing: every append names where the writer believes the log ends (the previous batch's
// stream sequence and id). A writer whose view is stale — because a newer writer appended
// since — is refused with CLUSTER_JOURNAL_FENCED at its first batch; the committer then fails
// every pending append and accepts nothing more, so the old writer stops at once. Its batches
// already in the committer never reach the log, because each is chained to the one before it.
//
// A standby enclave opens the same log as a follower (`follow`): it writes nothing, pulls each
// batch as it is appended (`pull`), verifying the chain exactly as start-up does, and applies
// the records. On failover it becomes the writer (`promote`) at the batch it last applied, with
// the next epoch; its first publish then fences the old writer.
//
// This module does no network I/O: it seals and verifies bytes and calls a ReplicatedLog.
import { CodedError } from '../../errors/index.js';
import { AnchorRing } from './anchor-ring.js';
import { checkedFramedBytes } from './append-check.js';
import { GroupCommitter, type CommitBatch, type GroupCommitStats } from './group-commit.js';
import type { AdmittedRange, AppendReceipt, Journal, JournalAnchor, JournalRecord, JournalWatcher } from './journal.js';
import { JOURNAL_LIMITS, REPLICATED_LIMITS } from './limits.js';
import { UnitKeyCache, formatBatchId, freshWriterTag, openBatchFrame, parseBatchId, verifyBatch } from './replicated-batch.js';
import type { LogPosition, ReplicatedLog, StoredBatch } from './replicated-log.js';
import {
  GENESIS_CHAIN_MAC,
  deriveJournalKeys,
  deriveUnitKey,
  freshSalt,
  headerMacOf,
  macEquals,
  sealFrameInto,
  zeroKeys,
  type JournalKeys,
} from './sealing.js';
import { MAC_BYTES, SEGMENT_HEADER_BYTES, encodeSegmentHeaderBody, frameBytesFor } from './segment-format.js';

export interface ReplicatedJournalOptions {
  readonly log: ReplicatedLog;
  /** The 32-byte key the enclave derived for sealing the journal. */
  readonly sealingKey: Uint8Array;
  /** The chain point recorded in the snapshot recovery starts from, if any. */
  readonly anchor?: JournalAnchor;
}

/** What opening found in the log. */
export interface ReplicatedOpenReport {
  readonly batches: number;
  readonly lastSequence: number;
  /** This writer's epoch: one more than the last batch's. */
  readonly epoch: number;
  readonly writer: string;
}

/** One stored batch, so reads can start near a sequence instead of at the log's beginning. */
interface IndexedBatch {
  readonly streamSequence: number;
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly prevMac: Uint8Array;
}

/** The unit this writer seals under: fixed for the writer's session. */
interface WriterUnit {
  readonly header: Buffer;
  readonly key: Buffer;
  /** The chain value before the unit's first record. */
  readonly prevMac: Buffer;
}

function configError(detail: string): CodedError {
  return new CodedError('JOURNAL_CONFIG_INVALID', detail);
}

export class ReplicatedJournal implements Journal {
  readonly openReport: ReplicatedOpenReport;
  readonly #log: ReplicatedLog;
  readonly #keys: JournalKeys;
  readonly #committer: GroupCommitter<WriterUnit>;
  readonly #ring: AnchorRing;
  readonly #index: IndexedBatch[];
  #unit: WriterUnit | undefined;
  #epoch: number;
  #writer: string;
  /** The epoch of the last batch in the log as far as this journal read or wrote it. */
  #lastEpoch: number;
  /** The chain value after the last record known durable (read or published). */
  #chainTail: Buffer;
  #tail: LogPosition;
  #sealPrevMac: Uint8Array;
  /** The chain value after the last batch the log acknowledged. */
  #publishedChainMac: Buffer;
  #nextSequence: number;
  #durableSequence: number;
  #watcher: JournalWatcher | undefined;
  #closing: Promise<void> | undefined;
  /** A follower on a log with `tail`: batches received and not yet pulled, and how to stop receiving. */
  #tailQueue: StoredBatch[] = [];
  #tailStop: (() => void) | undefined;
  #tailCheckedAtMs = 0;
  /** The log's last stream sequence at the previous check, and the batches the tail had received then. */
  #tailCheckedEnd = 0;
  #tailCheckedReceived = 0;
  #tailReceived = 0;

  private constructor(log: ReplicatedLog, keys: JournalKeys, ring: AnchorRing, index: IndexedBatch[], tail: LogPosition, chainTail: Uint8Array, nextSequence: number, lastEpoch: number, following: boolean) {
    this.#log = log;
    this.#keys = keys;
    this.#ring = ring;
    this.#index = index;
    this.#tail = tail;
    this.#lastEpoch = lastEpoch;
    this.#epoch = lastEpoch + 1;
    this.#writer = freshWriterTag();
    this.#nextSequence = nextSequence;
    this.#durableSequence = nextSequence - 1;
    this.#chainTail = Buffer.from(chainTail);
    this.#unit = following ? undefined : this.#newUnit();
    this.#sealPrevMac = Buffer.from(chainTail);
    this.#publishedChainMac = Buffer.from(chainTail);
    this.#committer = new GroupCommitter((batch) => this.#publish(batch), {
      batchBytesMax: REPLICATED_LIMITS.batchBytesMax - SEGMENT_HEADER_BYTES,
      pendingBytesMax: REPLICATED_LIMITS.pendingBytesMax,
    }, {
      durable: () => this.#watcher?.durable(this.#durableSequence),
      failed: (error) => this.#watcher?.failed(error),
    });
    this.openReport = { batches: index.length, lastSequence: nextSequence - 1, epoch: this.#epoch, writer: this.#writer };
  }

  /** A writer unit starting after the last durable record, under a fresh salt. */
  #newUnit(): WriterUnit {
    const salt = freshSalt();
    const body = encodeSegmentHeaderBody({ salt, baseSequence: this.#nextSequence, prevMac: this.#chainTail, keyCheck: this.#keys.keyCheck });
    return { header: Buffer.concat([body, headerMacOf(this.#keys, body)]), key: deriveUnitKey(this.#keys.recordRootKey, salt, 'segment'), prevMac: Buffer.from(this.#chainTail) };
  }

  /** Reads and verifies the whole log (ordered replay), then becomes its writer with the next epoch. */
  static open(options: ReplicatedJournalOptions): Promise<ReplicatedJournal> {
    return ReplicatedJournal.#openAs(options, false);
  }

  /**
   * Reads and verifies the whole log like `open`, but as a follower: it writes nothing until
   * `promote()`; `pull()` reads what the writer appends after.
   */
  static follow(options: ReplicatedJournalOptions): Promise<ReplicatedJournal> {
    return ReplicatedJournal.#openAs(options, true);
  }

  static async #openAs(options: ReplicatedJournalOptions, following: boolean): Promise<ReplicatedJournal> {
    const anchor = options.anchor;
    if (anchor !== undefined && (!Number.isSafeInteger(anchor.sequence) || anchor.sequence < 1 || !(anchor.chainMac instanceof Uint8Array) || anchor.chainMac.length !== MAC_BYTES)) {
      throw configError('anchor must be a positive sequence and a 32-byte chain value');
    }
    const keys = deriveJournalKeys(options.sealingKey);
    try {
      return await ReplicatedJournal.#recover(options.log, keys, anchor, following);
    } catch (error) {
      zeroKeys(keys);
      throw error;
    }
  }

  static async #recover(log: ReplicatedLog, keys: JournalKeys, anchor: JournalAnchor | undefined, following: boolean): Promise<ReplicatedJournal> {
    const extent = await log.extent();
    const ring = new AnchorRing();
    const index: IndexedBatch[] = [];
    let nextSequence = 1;
    let chainTail: Uint8Array = GENESIS_CHAIN_MAC;
    let anchorChecked = anchor === undefined;
    let lastEpoch = 0;
    let expectedStream = extent.firstStreamSequence;
    for await (const batch of log.read(extent.firstStreamSequence, extent.last.streamSequence)) {
      if (batch.streamSequence !== expectedStream) throw new CodedError('JOURNAL_SEQUENCE_BROKEN', `the log yielded stream message ${batch.streamSequence}, expected ${expectedStream}`);
      expectedStream += 1;
      const id = parseBatchId(batch.batchId);
      if (id === undefined) throw new CodedError('CLUSTER_LOG_MALFORMED', `stream message ${batch.streamSequence}: malformed batch id`);
      if (index.length === 0 && id.firstSequence !== 1) {
        // The stream's oldest messages were removed: the snapshot must end exactly where it now starts.
        if (anchor === undefined || anchor.sequence !== id.firstSequence - 1) {
          throw new CodedError('JOURNAL_PRUNED', `the log starts at sequence ${id.firstSequence} and ${anchor === undefined ? 'no snapshot was given' : `the snapshot ends at ${anchor.sequence}`}`);
        }
        nextSequence = id.firstSequence;
        chainTail = anchor.chainMac;
      }
      if (id.epoch < lastEpoch) throw new CodedError('JOURNAL_SEQUENCE_BROKEN', `stream message ${batch.streamSequence}: epoch ${id.epoch} after epoch ${lastEpoch}`);
      lastEpoch = id.epoch;
      if (anchor !== undefined && anchor.sequence === nextSequence - 1) {
        if (!macEquals(chainTail, anchor.chainMac)) throw new CodedError('JOURNAL_ANCHOR_MISMATCH', `chain value at sequence ${anchor.sequence} differs from the snapshot's`);
        anchorChecked = true;
      }
      const verified = verifyBatch(keys, batch, nextSequence, chainTail, JOURNAL_LIMITS.recordBytesMax);
      if (index.length >= REPLICATED_LIMITS.indexedBatchesMax) throw new CodedError('JOURNAL_TOO_MANY_SEGMENTS', `the log holds more than ${REPLICATED_LIMITS.indexedBatchesMax} batches; take a snapshot and trim the stream`);
      index.push({ streamSequence: batch.streamSequence, firstSequence: nextSequence, lastSequence: verified.lastSequence, prevMac: Buffer.from(chainTail) });
      for (const frame of verified.frames) {
        ring.remember(frame.sequence, frame.chainMac);
        if (anchor !== undefined && anchor.sequence === frame.sequence) {
          if (!macEquals(frame.chainMac, anchor.chainMac)) throw new CodedError('JOURNAL_ANCHOR_MISMATCH', `chain value at sequence ${anchor.sequence} differs from the snapshot's`);
          anchorChecked = true;
        }
      }
      nextSequence = verified.lastSequence + 1;
      chainTail = Buffer.from(verified.endChainMac);
    }
    if (expectedStream !== extent.last.streamSequence + 1) {
      throw new CodedError('CLUSTER_LOG_UNAVAILABLE', `the log ended at stream message ${expectedStream - 1}, its extent said ${extent.last.streamSequence}`);
    }
    if (!anchorChecked) throw new CodedError('JOURNAL_BEHIND_SNAPSHOT', `the log ends at sequence ${nextSequence - 1}, the snapshot is at ${anchor!.sequence}`);
    return new ReplicatedJournal(log, keys, ring, index, extent.last, chainTail, nextSequence, lastEpoch, following);
  }

  get nextSequence(): number {
    return this.#nextSequence;
  }

  get durableSequence(): number {
    return this.#durableSequence;
  }

  get firstSequence(): number {
    return this.#index[0]?.firstSequence ?? this.#nextSequence;
  }

  /** Batches the stream acknowledged so far. */
  get stats(): GroupCommitStats {
    return this.#committer.stats;
  }

  /** True while this journal follows another writer (opened with `follow`, not yet promoted). */
  get following(): boolean {
    return this.#unit === undefined;
  }

  /**
   * Follower only: the records appended to the log since the last pull (at most
   * `REPLICATED_LIMITS.pullBatchesMax` batches per call), verified as at start-up and
   * decrypted, in sequence order. They are durable: the log acknowledged them to their writer.
   */
  async *pull(): AsyncGenerator<JournalRecord, void, undefined> {
    if (this.#closing) throw new CodedError('JOURNAL_CLOSED');
    if (!this.following) throw new Error('assertion: pull() is for a follower');
    if (this.#tailStop !== undefined) {
      yield* this.#pullTailed();
      return;
    }
    const extent = await this.#log.extent();
    const from = this.#tail.streamSequence + 1;
    const through = Math.min(extent.last.streamSequence, this.#tail.streamSequence + REPLICATED_LIMITS.pullBatchesMax);
    if (through < from) {
      this.#startTailing();
      return;
    }
    yield* this.#apply(this.#log.read(from, through), from);
    if (through === extent.last.streamSequence) this.#startTailing();
  }

  /**
   * Batches the tail delivered. A gap or a stalled tail (ordered consumers on nats-server 2.9
   * sometimes go silent) starts a new tail where this follower stands; a tail that failed or
   * overflowed leaves the follower to polling reads until it is caught up again.
   */
  async *#pullTailed(): AsyncGenerator<JournalRecord, void, undefined> {
    const ready: StoredBatch[] = [];
    let next = this.#tail.streamSequence + 1;
    for (const batch of this.#tailQueue.splice(0, REPLICATED_LIMITS.pullBatchesMax)) {
      if (batch.streamSequence < next) continue;
      if (batch.streamSequence !== next) {
        this.#restartTailing();
        break;
      }
      ready.push(batch);
      next += 1;
    }
    if (ready.length > 0) yield* this.#apply(ready, ready[0]!.streamSequence);
    if (this.#tailStop !== undefined && performance.now() - this.#tailCheckedAtMs > REPLICATED_LIMITS.tailCheckEveryMs) {
      // Nothing received for a whole check period while the log held more: the tail stalled.
      if (this.#tailReceived === this.#tailCheckedReceived && this.#tail.streamSequence < this.#tailCheckedEnd) {
        this.#restartTailing();
        return;
      }
      this.#tailCheckedAtMs = performance.now();
      this.#tailCheckedReceived = this.#tailReceived;
      this.#tailCheckedEnd = (await this.#log.extent()).last.streamSequence;
    }
  }

  #startTailing(): void {
    const log = this.#log;
    if (log.tail === undefined || this.#tailStop !== undefined || this.#closing || !this.following) return;
    const iterator = log.tail(this.#tail.streamSequence + 1)[Symbol.asyncIterator]();
    let stopped = false;
    this.#tailQueue = [];
    this.#tailCheckedAtMs = performance.now();
    this.#tailCheckedEnd = this.#tail.streamSequence;
    this.#tailStop = () => {
      stopped = true;
      void iterator.return?.()?.catch(() => undefined);
    };
    const queue = this.#tailQueue;
    void (async () => {
      try {
        while (!stopped) {
          const next = await iterator.next();
          if (next.done === true || stopped) break;
          queue.push(next.value);
          this.#tailReceived += 1;
          // A follower that does not keep up reads by polling instead of queueing without bound.
          if (queue.length > REPLICATED_LIMITS.pullBatchesMax * 4) break;
        }
      } catch {
        // A failed tail only means polling reads from here; they report their own errors.
      }
      if (!stopped && this.#tailQueue === queue) this.#stopTailing();
    })();
  }

  #restartTailing(): void {
    this.#stopTailing();
    this.#startTailing();
  }

  #stopTailing(): void {
    this.#tailStop?.();
    this.#tailStop = undefined;
    this.#tailQueue = [];
  }

  /** Verifies, opens and applies stored batches to the follower's view, yielding their records. */
  async *#apply(batches: AsyncIterable<StoredBatch> | Iterable<StoredBatch>, from: number): AsyncGenerator<JournalRecord, void, undefined> {
    const units = new UnitKeyCache();
    let expectedStream = from;
    try {
      for await (const batch of batches) {
        if (batch.streamSequence !== expectedStream) throw new CodedError('JOURNAL_SEQUENCE_BROKEN', `the log yielded stream message ${batch.streamSequence}, expected ${expectedStream}`);
        expectedStream += 1;
        const id = parseBatchId(batch.batchId);
        if (id === undefined) throw new CodedError('CLUSTER_LOG_MALFORMED', `stream message ${batch.streamSequence}: malformed batch id`);
        if (id.epoch < this.#lastEpoch) throw new CodedError('JOURNAL_SEQUENCE_BROKEN', `stream message ${batch.streamSequence}: epoch ${id.epoch} after epoch ${this.#lastEpoch}`);
        const verified = verifyBatch(this.#keys, batch, this.#nextSequence, this.#chainTail, JOURNAL_LIMITS.recordBytesMax);
        if (this.#index.length >= REPLICATED_LIMITS.indexedBatchesMax) throw new CodedError('JOURNAL_TOO_MANY_SEGMENTS', `the log holds more than ${REPLICATED_LIMITS.indexedBatchesMax} batches; take a snapshot and trim the stream`);
        const key = units.keyFor(this.#keys, verified.salt);
        const where = `stream message ${batch.streamSequence}`;
        const records = verified.frames.map((frame) => ({ sequence: frame.sequence, payload: openBatchFrame(key, frame, where), chainMac: Buffer.from(frame.chainMac) }));
        // The follower's view moves only once the whole batch verified and opened.
        this.#index.push({ streamSequence: batch.streamSequence, firstSequence: this.#nextSequence, lastSequence: verified.lastSequence, prevMac: Buffer.from(this.#chainTail) });
        for (const record of records) this.#ring.remember(record.sequence, record.chainMac);
        this.#lastEpoch = id.epoch;
        this.#epoch = id.epoch + 1;
        this.#tail = { streamSequence: batch.streamSequence, batchId: batch.batchId };
        this.#chainTail = Buffer.from(verified.endChainMac);
        this.#sealPrevMac = Buffer.from(verified.endChainMac);
        this.#publishedChainMac = Buffer.from(verified.endChainMac);
        this.#nextSequence = verified.lastSequence + 1;
        this.#durableSequence = verified.lastSequence;
        for (const record of records) yield record;
      }
    } finally {
      units.clear();
    }
  }

  /**
   * Follower only: becomes the log's writer after the last batch pulled, with the next epoch.
   * Refuses (STANDBY_BEHIND) while the log holds batches not yet pulled, so the caller pulls
   * and applies them first. Should another writer still append after this check, this writer's
   * first publish is fenced (CLUSTER_JOURNAL_FENCED), never the other way round.
   */
  async promote(): Promise<void> {
    if (this.#closing) throw new CodedError('JOURNAL_CLOSED');
    if (!this.following) throw new Error('assertion: promote() is for a follower');
    // From here the follower catches up by reading up to the end the log reports.
    this.#stopTailing();
    const extent = await this.#log.extent();
    if (extent.last.streamSequence !== this.#tail.streamSequence || extent.last.batchId !== this.#tail.batchId) {
      throw new CodedError('STANDBY_BEHIND', `the log ends at stream message ${extent.last.streamSequence}, this follower at ${this.#tail.streamSequence}`);
    }
    this.#writer = freshWriterTag();
    this.#epoch = this.#lastEpoch + 1;
    this.#unit = this.#newUnit();
  }

  /** This writer's epoch (one more than the last writer's in the log). */
  get epoch(): number {
    return this.#epoch;
  }

  /** Where this writer believes the log ends. */
  get tail(): LogPosition {
    return this.#tail;
  }

  append(records: readonly Uint8Array[]): Promise<AppendReceipt> {
    const { firstSequence, lastSequence } = this.admit(records);
    const chainMac = Buffer.from(this.#sealPrevMac);
    return this.#committer.whenDurable().then(() => ({ firstSequence, lastSequence, chainMac }));
  }

  admit(records: readonly Uint8Array[]): AdmittedRange {
    this.#assertWritable();
    const admittedBytes = checkedFramedBytes(records);
    if (!this.#committer.hasRoomFor(admittedBytes)) {
      throw new CodedError('JOURNAL_OVERLOADED', `${this.#committer.pendingBytes} bytes pending, limit ${REPLICATED_LIMITS.pendingBytesMax}`);
    }
    const firstSequence = this.#nextSequence;
    for (const record of records) this.#seal(record);
    return { firstSequence, lastSequence: this.#nextSequence - 1 };
  }

  watch(watcher: JournalWatcher | undefined): void {
    this.#watcher = watcher;
  }

  sync(): Promise<void> {
    return this.#committer.whenDurable();
  }

  async *readFrom(sequence: number): AsyncGenerator<JournalRecord, void, undefined> {
    if (this.#closing) throw new CodedError('JOURNAL_CLOSED');
    if (!Number.isSafeInteger(sequence) || sequence < 1) throw new Error(`assertion: readFrom(${sequence})`);
    if (sequence < this.firstSequence) throw new CodedError('JOURNAL_PRUNED', `sequence ${sequence} requested, the journal starts at ${this.firstSequence}`);
    const until = this.#durableSequence;
    if (sequence > until) return;
    const start = this.#batchHolding(sequence);
    const last = this.#batchHolding(until);
    let expected = start.firstSequence;
    let chain = start.prevMac;
    let streamSequence = start.streamSequence;
    const units = new UnitKeyCache();
    try {
      for await (const batch of this.#log.read(start.streamSequence, last.streamSequence)) {
        if (batch.streamSequence !== streamSequence) throw new CodedError('JOURNAL_SEQUENCE_BROKEN', `the log yielded stream message ${batch.streamSequence}, expected ${streamSequence}`);
        streamSequence += 1;
        const verified = verifyBatch(this.#keys, batch, expected, chain, JOURNAL_LIMITS.recordBytesMax);
        const key = units.keyFor(this.#keys, verified.salt);
        for (const frame of verified.frames) {
          if (frame.sequence > until) return;
          if (frame.sequence < sequence) continue;
          yield { sequence: frame.sequence, payload: openBatchFrame(key, frame, `stream message ${batch.streamSequence}`), chainMac: Buffer.from(frame.chainMac) };
        }
        expected = verified.lastSequence + 1;
        chain = Buffer.from(verified.endChainMac);
      }
      if (expected <= until) throw new CodedError('JOURNAL_TAMPERED', `the log ends after record ${expected - 1}, record ${until} was acknowledged`);
    } finally {
      units.clear();
    }
  }

  async anchorAt(sequence: number): Promise<JournalAnchor> {
    if (!Number.isSafeInteger(sequence) || sequence < 1 || sequence >= this.#nextSequence) throw new Error(`assertion: anchorAt(${sequence}) outside 1..${this.#nextSequence - 1}`);
    if (sequence > this.#durableSequence) await this.sync();
    const remembered = this.#ring.lookup(sequence);
    if (remembered !== undefined) return { sequence, chainMac: remembered };
    for await (const record of this.readFrom(sequence)) return { sequence, chainMac: record.chainMac };
    throw new Error(`assertion: durable record ${sequence} not found`);
  }

  /** The stream keeps every batch (its retention is the operator's); nothing is removed here. */
  pruneThrough(sequence: number): Promise<number> {
    if (this.#closing) return Promise.reject(new CodedError('JOURNAL_CLOSED'));
    if (!Number.isSafeInteger(sequence)) throw new Error(`assertion: pruneThrough(${sequence})`);
    return Promise.resolve(0);
  }

  close(): Promise<void> {
    this.#stopTailing();
    this.#closing ??= (async () => {
      try {
        await this.#committer.whenDurable();
      } catch {
        // Each pending append already rejected with the failure; closing still zeroes the keys.
      }
      zeroKeys(this.#keys);
      this.#unit?.key.fill(0);
      this.#ring.clear();
    })();
    return this.#closing;
  }

  #assertWritable(): void {
    if (this.#closing) throw new CodedError('JOURNAL_CLOSED');
    if (this.#unit === undefined) throw new CodedError('STANDBY_NOT_LEADER', 'this journal follows another writer');
    const failure = this.#committer.failure;
    if (failure) throw failure instanceof CodedError ? failure : new CodedError('CLUSTER_REPLICATION_FAILED', failure.message);
  }

  /** The indexed batch holding a durable sequence (binary search; the index is in sequence order). */
  #batchHolding(sequence: number): IndexedBatch {
    let low = 0;
    let high = this.#index.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.#index[middle]!.firstSequence <= sequence) low = middle;
      else high = middle - 1;
    }
    const batch = this.#index[low];
    if (batch === undefined || batch.firstSequence > sequence || batch.lastSequence < sequence) throw new Error(`assertion: no batch holds durable sequence ${sequence}`);
    return batch;
  }

  #seal(payload: Uint8Array): void {
    const frameLength = frameBytesFor(payload.length);
    const sequence = this.#nextSequence;
    const unit = this.#unit;
    if (unit === undefined) throw new Error('assertion: a follower seals nothing');
    const space = this.#committer.reserve(frameLength, unit);
    sealFrameInto(space.buffer, space.offset, unit.key, this.#keys.macKey, sequence, this.#sealPrevMac, payload);
    const frameEnd = space.offset + frameLength;
    this.#sealPrevMac = this.#ring.remember(sequence, space.buffer.subarray(frameEnd - MAC_BYTES, frameEnd));
    this.#committer.commit(frameLength, sequence);
    this.#nextSequence = sequence + 1;
  }

  /** The group-commit sink: one stream message per batch, chained to the previous one. */
  async #publish(batch: CommitBatch<WriterUnit>): Promise<void> {
    if (batch.firstSequence < 1) throw new Error('assertion: a replicated batch holds records');
    if (this.#index.length >= REPLICATED_LIMITS.indexedBatchesMax) throw new CodedError('JOURNAL_TOO_MANY_SEGMENTS', `more than ${REPLICATED_LIMITS.indexedBatchesMax} batches; take a snapshot and trim the stream`);
    if (batch.firstSequence !== this.#durableSequence + 1) throw new Error('assertion: batches are published in order');
    const prevMac = this.#publishedChainMac;
    const batchId = formatBatchId({ epoch: this.#epoch, writer: this.#writer, firstSequence: batch.firstSequence });
    const message = Buffer.concat([batch.tag.header, batch.bytes]);
    const after = this.#tail;
    const streamSequence = await this.#log.append(batchId, message, after);
    if (streamSequence !== after.streamSequence + 1) {
      throw new CodedError('CLUSTER_JOURNAL_FENCED', `batch ${batchId} landed at stream message ${streamSequence}, expected ${after.streamSequence + 1}`);
    }
    this.#tail = { streamSequence, batchId };
    this.#index.push({ streamSequence, firstSequence: batch.firstSequence, lastSequence: batch.lastSequence, prevMac });
    // A batch ends with its last frame, whose last bytes are the chain value after it.
    this.#publishedChainMac = Buffer.from(batch.bytes.subarray(batch.bytes.length - MAC_BYTES));
    this.#chainTail = this.#publishedChainMac;
    this.#lastEpoch = this.#epoch;
    this.#durableSequence = batch.lastSequence;
  }

}
