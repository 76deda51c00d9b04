// The one place where order and time enter the enclave: each accepted command gets the next
// sequence number and a logical time, is appended to the journal, and is acknowledged only
// once durable. Everything downstream (the matcher, reports, settlement) is a function of this
// stamped stream, so replaying the journal reproduces it exactly.
//
// Stamping is synchronous, so the caller may apply a command while its batch is still being
// made durable (journaling in parallel with matching); only the acknowledgement waits.
// Pipelining comes from the journal's group commit: while one batch is fsynced, the next fills.
// The hot path stamps without a promise per command (`stamp`) and learns of durability through
// one watcher; `accept` gives each command its own promise, for callers that want one.
//
// A stamped record in the journal: version u8 (1) | logicalTimeNs u64 | command bytes.
import { CodedError } from '../errors/index.js';
import type { Journal, JournalAnchor, JournalStats, JournalWatcher } from './journal/journal.js';
import { JOURNAL_LIMITS } from './journal/limits.js';
import type { LoadedSnapshot, RejectedSnapshot, SavedSnapshot, Snapshot, SnapshotStore } from './journal/snapshot-store.js';

/** Wall-clock reading in nanoseconds since the Unix epoch; the sequencer makes it monotonic. */
export type Clock = () => bigint;

export interface StampedCommand {
  readonly sequence: number;
  /** Never smaller than the logical time of any earlier command, across restarts too. */
  readonly logicalTimeNs: bigint;
  readonly command: Uint8Array;
}

export interface AcceptedCommand {
  /** Available at once, to apply in sequence order. */
  readonly stamped: StampedCommand;
  /** Resolves once the command is durable: only then may its acknowledgement leave. */
  readonly durable: Promise<StampedCommand>;
}

export interface SnapshotRequest {
  /** The last sequence the state includes (already accepted). */
  readonly sequence: number;
  readonly stateHash: Uint8Array;
  readonly state: Uint8Array;
}

export interface RecoverOptions {
  readonly snapshots: SnapshotStore;
  /** Opens the journal, checking it against the snapshot's anchor (e.g. FileJournal.open). */
  readonly openJournal: (anchor: JournalAnchor | undefined) => Promise<Journal>;
  readonly clock: Clock;
  /** After each snapshot, prune journal records older than the oldest retained snapshot. */
  readonly pruneJournal?: boolean;
}

export interface Recovery {
  /** Accepts commands once `replay()` has been read to its end. */
  readonly sequencer: Sequencer;
  /** The state to start from, if a snapshot verified. */
  readonly snapshot: Snapshot | undefined;
  /** Newer snapshot files that did not verify, for the operator's log. */
  readonly rejectedSnapshots: readonly RejectedSnapshot[];
  /** The commands after the snapshot (or all), in order, each verified again as read. */
  replay(): AsyncGenerator<StampedCommand, void, undefined>;
}

const RECORD_VERSION = 1;
const RECORD_HEADER_BYTES = 9;
const TIME_NS_MAX = (1n << 64n) - 1n;

/** Largest command the sequencer accepts: the journal's record limit minus the stamp. */
export const COMMAND_BYTES_MAX = JOURNAL_LIMITS.recordBytesMax - RECORD_HEADER_BYTES;

/** The record bytes; small records land in node's buffer pool (the journal copies them as it seals). */
export function encodeStampedRecord(logicalTimeNs: bigint, command: Uint8Array): Uint8Array {
  const pooled = Buffer.allocUnsafe(RECORD_HEADER_BYTES + command.length);
  const record = new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.length);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  view.setUint8(0, RECORD_VERSION);
  view.setBigUint64(1, logicalTimeNs);
  record.set(command, RECORD_HEADER_BYTES);
  return record;
}

/** Decodes a journal record as a stamped command; throws SEQUENCER_RECORD_MALFORMED on anything else. */
export function decodeStampedRecord(sequence: number, record: Uint8Array): StampedCommand {
  if (record.length < RECORD_HEADER_BYTES) throw new CodedError('SEQUENCER_RECORD_MALFORMED', `record ${sequence} has ${record.length} bytes`);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const version = view.getUint8(0);
  if (version !== RECORD_VERSION) throw new CodedError('SEQUENCER_RECORD_MALFORMED', `record ${sequence} has version ${version}`);
  return { sequence, logicalTimeNs: view.getBigUint64(1), command: record.subarray(RECORD_HEADER_BYTES) };
}

export class Sequencer {
  readonly #journal: Journal;
  readonly #clock: Clock;
  readonly #snapshots: SnapshotStore;
  readonly #pruneJournal: boolean;
  #lastTimeNs: bigint;
  #replayed = false;
  #snapshotQueue: Promise<unknown> = Promise.resolve();

  private constructor(journal: Journal, snapshots: SnapshotStore, clock: Clock, pruneJournal: boolean, lastTimeNs: bigint) {
    this.#journal = journal;
    this.#snapshots = snapshots;
    this.#clock = clock;
    this.#pruneJournal = pruneJournal;
    this.#lastTimeNs = lastTimeNs;
  }

  /**
   * Loads the latest valid snapshot, opens the journal against it, and returns a sequencer
   * that continues after the last durable record, plus the records to replay onto the snapshot.
   */
  static async recover(options: RecoverOptions): Promise<Recovery> {
    const loaded: LoadedSnapshot = await options.snapshots.loadLatest();
    const snapshot = loaded.snapshot;
    const journal = await options.openJournal(snapshot === undefined ? undefined : { sequence: snapshot.sequence, chainMac: snapshot.chainMac });
    let lastTimeNs = 0n;
    const replayFrom = snapshot === undefined ? journal.firstSequence : snapshot.sequence + 1;
    if (replayFrom > journal.durableSequence && journal.durableSequence >= journal.firstSequence) {
      for await (const record of journal.readFrom(journal.durableSequence)) lastTimeNs = decodeStampedRecord(record.sequence, record.payload).logicalTimeNs;
    }
    const sequencer = new Sequencer(journal, options.snapshots, options.clock, options.pruneJournal ?? false, lastTimeNs);
    return {
      sequencer,
      snapshot,
      rejectedSnapshots: loaded.rejected,
      replay: () => sequencer.#replay(replayFrom),
    };
  }

  /** The sequence the next accepted command will get. */
  get nextSequence(): number {
    return this.#journal.nextSequence;
  }

  /** The highest sequence known durable. */
  get durableSequence(): number {
    return this.#journal.durableSequence;
  }

  get journalStats(): JournalStats {
    return this.#journal.stats;
  }

  /**
   * Stamps a command and hands it to the journal. Throws a CodedError (and consumes no
   * sequence number) when the command is too large or the journal refuses it.
   */
  accept(command: Uint8Array): AcceptedCommand {
    const stamped = this.stamp(command);
    return { stamped, durable: this.#journal.sync().then(() => stamped) };
  }

  /**
   * accept() without a promise: the command is durable once the watcher reports a durable
   * sequence at or past `stamped.sequence`.
   */
  stamp(command: Uint8Array): StampedCommand {
    if (!this.#replayed) throw new Error('assertion: read recovery.replay() to its end before accepting commands');
    if (!(command instanceof Uint8Array)) throw new Error('assertion: a command is a Uint8Array');
    if (command.length > COMMAND_BYTES_MAX) throw new CodedError('SEQUENCER_COMMAND_TOO_LARGE', `${command.length} bytes, limit ${COMMAND_BYTES_MAX}`);
    const now = this.#clock();
    if (typeof now !== 'bigint' || now < 0n || now > TIME_NS_MAX) throw new Error(`assertion: the clock returned ${String(now)}`);
    const logicalTimeNs = now > this.#lastTimeNs ? now : this.#lastTimeNs;
    const sequence = this.#journal.nextSequence;
    const admitted = this.#journal.admit([encodeStampedRecord(logicalTimeNs, command)]);
    if (admitted.firstSequence !== sequence || this.#journal.nextSequence !== sequence + 1) throw new Error('assertion: the journal assigned the stamped sequence');
    this.#lastTimeNs = logicalTimeNs;
    return { sequence, logicalTimeNs, command };
  }

  /**
   * A hot standby applied a command another writer stamped (read from the replicated log): its
   * logical time becomes the floor for this sequencer's stamps after a takeover.
   */
  observeFollowed(stamped: StampedCommand): void {
    if (!this.#replayed) throw new Error('assertion: read recovery.replay() to its end before following');
    if (stamped.logicalTimeNs > this.#lastTimeNs) this.#lastTimeNs = stamped.logicalTimeNs;
  }

  /** Sets the one watcher of durability and journal failure (see Journal.watch). */
  watch(watcher: JournalWatcher | undefined): void {
    this.#journal.watch(watcher);
  }

  /** accept(), resolving once durable. */
  submit(command: Uint8Array): Promise<StampedCommand> {
    return this.accept(command).durable;
  }

  /**
   * Saves a snapshot of the state after `sequence` once that sequence is durable, bound to the
   * journal's chain value there; then, if configured, prunes the journal up to the oldest
   * snapshot kept. Snapshot saves run one at a time, in call order.
   */
  saveSnapshot(request: SnapshotRequest): Promise<SavedSnapshot> {
    if (!Number.isSafeInteger(request.sequence) || request.sequence < 1 || request.sequence >= this.#journal.nextSequence) {
      throw new Error(`assertion: snapshot sequence ${request.sequence} is not an accepted command`);
    }
    const saved = this.#snapshotQueue.then(async () => {
      const anchor = await this.#journal.anchorAt(request.sequence);
      const result = await this.#snapshots.save({ sequence: request.sequence, chainMac: anchor.chainMac, stateHash: request.stateHash, state: request.state });
      if (this.#pruneJournal) await this.#journal.pruneThrough(result.retainedSequences[0]!);
      return result;
    });
    this.#snapshotQueue = saved.catch(() => undefined);
    return saved;
  }

  /** Waits for every accepted command to be durable and for pending snapshots, then closes the journal. */
  async close(): Promise<void> {
    await this.#snapshotQueue;
    await this.#journal.close();
  }

  async *#replay(fromSequence: number): AsyncGenerator<StampedCommand, void, undefined> {
    if (this.#replayed) throw new Error('assertion: replay() runs once');
    let expected = fromSequence;
    for await (const record of this.#journal.readFrom(fromSequence)) {
      if (record.sequence !== expected) throw new Error(`assertion: journal yielded ${record.sequence}, expected ${expected}`);
      const stamped = decodeStampedRecord(record.sequence, record.payload);
      if (stamped.logicalTimeNs > this.#lastTimeNs) this.#lastTimeNs = stamped.logicalTimeNs;
      expected += 1;
      yield stamped;
    }
    if (expected !== this.#journal.durableSequence + 1) throw new Error(`assertion: replay ended at ${expected - 1}, journal at ${this.#journal.durableSequence}`);
    this.#replayed = true;
  }
}
