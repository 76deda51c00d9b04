// The embedded default journal: sealed, chained records in segment files under a data
// directory, made durable by group commit (one write and one fdatasync per batch). Opening
// verifies the whole chain, cuts off a torn tail left by a crash, and refuses to start on
// any sign of tampering, naming the file, offset and record.
//
// Every open starts a new segment with a fresh salt (and so a fresh key), because a record
// torn by the crash may now be written again with other content under the same sequence.
// Segments rotate at a size bound; a segment file is created lazily with its first batch.
//
// Limits of what the chain can show: the host can always cut records off the end of the log
// (that looks like a crash before they were written). Recovery detects this only against a
// snapshot (JOURNAL_BEHIND_SNAPSHOT); a replicated log or a trusted counter closes the gap.
// Likewise the bytes of a torn tail are not authenticated, so a host that rewrites the length
// of one of the last records can make it and what follows (less than one largest frame) look
// torn: again no more than cutting the end. One writer per directory is assumed; a second
// writer's segments break the chain and stop the next start-up rather than mixing silently.
import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CodedError } from '../../errors/index.js';
import { NODE_STORAGE, fsyncDirectory, writeFully, type JournalStorage } from './durable-fs.js';
import { GroupCommitter, type CommitBatch, type GroupCommitStats } from './group-commit.js';
import type { AdmittedRange, AppendReceipt, Journal, JournalAnchor, JournalRecord, JournalWatcher } from './journal.js';
import { AnchorRing } from './anchor-ring.js';
import { checkedFramedBytes } from './append-check.js';
import { JOURNAL_LIMITS } from './limits.js';
import {
  GENESIS_CHAIN_MAC,
  deriveJournalKeys,
  deriveUnitKey,
  freshSalt,
  headerMacOf,
  macEquals,
  openFrameCiphertext,
  sealFrameInto,
  zeroKeys,
  type JournalKeys,
} from './sealing.js';
import { emptyScan, scanSegment } from './segment-reader.js';
import { MAC_BYTES, SEGMENT_HEADER_BYTES, encodeSegmentHeaderBody, frameBytesFor } from './segment-format.js';

export interface FileJournalOptions {
  /** Directory holding this journal's segment files; created if missing. */
  readonly directory: string;
  /** The 32-byte key the enclave derived for sealing; only keys derived from it are kept. */
  readonly sealingKey: Uint8Array;
  /** The chain point recorded in the snapshot recovery starts from, if any. */
  readonly anchor?: JournalAnchor;
  /** Rotation threshold in bytes (JOURNAL_LIMITS.segmentBytesMin..segmentBytesMax). */
  readonly segmentBytesMax?: number;
  /** Write and fdatasync of segment files; tests substitute counting or failing versions. */
  readonly storage?: JournalStorage;
}

/** What opening found and repaired. */
export interface JournalOpenReport {
  /** Segment files kept. */
  readonly segments: number;
  readonly firstSequence: number;
  /** Last durable record (0 when the journal is empty). */
  readonly lastSequence: number;
  /** A torn write cut off the end of the newest segment. */
  readonly tornTail: { readonly segment: string; readonly bytes: number } | undefined;
  /** A newest segment that held no complete record (a crash while creating it) and was deleted. */
  readonly removedSegment: string | undefined;
}

interface StoredSegment {
  readonly name: string;
  readonly path: string;
  readonly baseSequence: number;
  /** The chain value its header must carry. */
  readonly prevMac: Uint8Array;
  lastSequence: number;
}

interface SealingSegment {
  readonly index: number;
  readonly name: string;
  readonly path: string;
  readonly baseSequence: number;
  readonly prevMac: Uint8Array;
  readonly header: Buffer;
  readonly headerMac: Buffer;
  readonly key: Buffer;
  bytes: number;
  records: number;
  headerQueued: boolean;
}

interface WritingFile {
  readonly segment: SealingSegment;
  readonly handle: FileHandle;
  position: number;
}

const SEGMENT_NAME = /^segment-(\d{12})\.journal$/;

function segmentName(index: number): string {
  return `segment-${String(index).padStart(12, '0')}.journal`;
}

function configError(detail: string): CodedError {
  return new CodedError('JOURNAL_CONFIG_INVALID', detail);
}

function validateAnchor(anchor: JournalAnchor | undefined): void {
  if (anchor === undefined) return;
  if (!Number.isSafeInteger(anchor.sequence) || anchor.sequence < 1) throw configError('anchor sequence must be a positive integer');
  if (!(anchor.chainMac instanceof Uint8Array) || anchor.chainMac.length !== MAC_BYTES) throw configError('anchor chain value must be 32 bytes');
}

export class FileJournal implements Journal {
  readonly openReport: JournalOpenReport;
  readonly #directory: string;
  readonly #keys: JournalKeys;
  readonly #storage: JournalStorage;
  readonly #segmentBytesMax: number;
  readonly #committer: GroupCommitter<SealingSegment>;
  readonly #stored: StoredSegment[];
  readonly #ring: AnchorRing;
  #sealing: SealingSegment;
  #sealPrevMac: Uint8Array;
  #writing: WritingFile | undefined;
  #nextSequence: number;
  #durableSequence: number;
  #watcher: JournalWatcher | undefined;
  #closing: Promise<void> | undefined;

  private constructor(
    directory: string,
    keys: JournalKeys,
    storage: JournalStorage,
    segmentBytesMax: number,
    stored: StoredSegment[],
    next: { readonly index: number; readonly sequence: number; readonly chainMac: Uint8Array },
    ring: AnchorRing,
    report: JournalOpenReport,
  ) {
    this.#ring = ring;
    this.#directory = directory;
    this.#keys = keys;
    this.#storage = storage;
    this.#segmentBytesMax = segmentBytesMax;
    this.#stored = stored;
    this.#nextSequence = next.sequence;
    this.#durableSequence = next.sequence - 1;
    this.#sealing = this.#planSegment(next.index, next.sequence, next.chainMac);
    this.#sealPrevMac = this.#sealing.headerMac;
    this.#committer = new GroupCommitter((batch) => this.#writeBatch(batch), {
      batchBytesMax: JOURNAL_LIMITS.batchBytesMax,
      pendingBytesMax: JOURNAL_LIMITS.pendingBytesMax,
    }, {
      durable: () => this.#watcher?.durable(this.#durableSequence),
      failed: (error) => this.#watcher?.failed(error),
    });
    this.openReport = report;
  }

  /** Opens (or creates) the journal in `options.directory`, verifying and repairing it first. */
  static async open(options: FileJournalOptions): Promise<FileJournal> {
    if (typeof options.directory !== 'string' || options.directory.length === 0) throw configError('directory must be a non-empty path');
    const segmentBytesMax = options.segmentBytesMax ?? JOURNAL_LIMITS.segmentBytesDefault;
    if (!Number.isSafeInteger(segmentBytesMax) || segmentBytesMax < JOURNAL_LIMITS.segmentBytesMin || segmentBytesMax > JOURNAL_LIMITS.segmentBytesMax) {
      throw configError(`segmentBytesMax must be an integer in [${JOURNAL_LIMITS.segmentBytesMin}, ${JOURNAL_LIMITS.segmentBytesMax}]`);
    }
    validateAnchor(options.anchor);
    const keys = deriveJournalKeys(options.sealingKey);
    try {
      const created = await mkdir(options.directory, { recursive: true });
      if (created !== undefined) await fsyncDirectory(dirname(created));
      return await FileJournal.#recover(options, keys, segmentBytesMax);
    } catch (error) {
      zeroKeys(keys);
      throw error;
    }
  }

  static async #recover(options: FileJournalOptions, keys: JournalKeys, segmentBytesMax: number): Promise<FileJournal> {
    const directory = options.directory;
    const anchor = options.anchor;
    const names = (await readdir(directory)).filter((name) => SEGMENT_NAME.test(name)).sort();
    if (names.length > JOURNAL_LIMITS.segmentsMax) throw new CodedError('JOURNAL_TOO_MANY_SEGMENTS', `${names.length} segment files in ${directory}`);
    const stored: StoredSegment[] = [];
    const ring = new AnchorRing();
    let nextSequence = 1;
    let chainTail: Uint8Array = GENESIS_CHAIN_MAC;
    let anchorChecked = false;
    let tornTail: JournalOpenReport['tornTail'];
    let removedSegment: string | undefined;
    const checkAnchor = (sequence: number, chainMac: Uint8Array, where: string): void => {
      if (anchor === undefined || anchor.sequence !== sequence) return;
      if (!macEquals(chainMac, anchor.chainMac)) throw new CodedError('JOURNAL_ANCHOR_MISMATCH', `${where}: chain value at sequence ${sequence} differs from the snapshot's`);
      anchorChecked = true;
    };

    for (const [position, name] of names.entries()) {
      const path = join(directory, name);
      const first = position === 0;
      const last = position === names.length - 1;
      const scan = emptyScan();
      const expectation = {
        prevMac: first ? undefined : chainTail,
        baseSequence: first ? undefined : nextSequence,
        tailMayBeTorn: last,
        recordBytesMax: JOURNAL_LIMITS.recordBytesMax,
      };
      for await (const frame of scanSegment(path, name, keys, expectation, scan)) {
        checkAnchor(frame.sequence, frame.chainMac, `${name} record ${frame.sequence}`);
        ring.remember(frame.sequence, frame.chainMac);
      }
      if (!scan.headerValid) {
        await unlink(path);
        await fsyncDirectory(directory);
        removedSegment = name;
        continue;
      }
      if (first) {
        if (scan.baseSequence === 1) {
          if (!macEquals(scan.headerPrevMac, GENESIS_CHAIN_MAC)) throw new CodedError('JOURNAL_TAMPERED', `${name}: the first segment does not start the chain`);
        } else if (anchor === undefined || anchor.sequence < scan.baseSequence - 1) {
          throw new CodedError('JOURNAL_PRUNED', `${name}: the journal starts at sequence ${scan.baseSequence} and ${anchor === undefined ? 'no snapshot was given' : `the snapshot ends at ${anchor.sequence}`}`);
        }
      }
      checkAnchor(scan.baseSequence - 1, scan.headerPrevMac, `${name} header`);
      if (scan.tornBytes > 0) {
        const handle = await open(path, 'r+');
        try {
          await handle.truncate(scan.validBytes);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        tornTail = { segment: name, bytes: scan.tornBytes };
      }
      chainTail = scan.lastSequence >= scan.baseSequence ? scan.endChainMac : scan.headerPrevMac;
      nextSequence = scan.lastSequence + 1;
      if (last && scan.lastSequence < scan.baseSequence) {
        await unlink(path);
        await fsyncDirectory(directory);
        removedSegment = name;
        continue;
      }
      stored.push({ name, path, baseSequence: scan.baseSequence, prevMac: scan.headerPrevMac, lastSequence: scan.lastSequence });
    }
    if (anchor !== undefined && !anchorChecked) {
      throw new CodedError('JOURNAL_BEHIND_SNAPSHOT', `the journal ends at sequence ${nextSequence - 1}, the snapshot is at ${anchor.sequence}`);
    }
    const lastIndex = names.length === 0 ? 0 : Number(SEGMENT_NAME.exec(names.at(-1)!)![1]);
    const report: JournalOpenReport = {
      segments: stored.length,
      firstSequence: stored[0]?.baseSequence ?? nextSequence,
      lastSequence: nextSequence - 1,
      tornTail,
      removedSegment,
    };
    const next = { index: lastIndex + 1, sequence: nextSequence, chainMac: chainTail };
    return new FileJournal(directory, keys, options.storage ?? NODE_STORAGE, segmentBytesMax, stored, next, ring, report);
  }

  get nextSequence(): number {
    return this.#nextSequence;
  }

  get durableSequence(): number {
    return this.#durableSequence;
  }

  get firstSequence(): number {
    return this.#stored[0]?.baseSequence ?? this.#sealing.baseSequence;
  }

  /** Batches written so far, to show how appends were grouped. */
  get stats(): GroupCommitStats {
    return this.#committer.stats;
  }

  append(records: readonly Uint8Array[]): Promise<AppendReceipt> {
    const { firstSequence, lastSequence } = this.admit(records);
    const chainMac = Buffer.from(this.#sealPrevMac);
    return this.#committer.whenDurable().then(() => ({ firstSequence, lastSequence, chainMac }));
  }

  admit(records: readonly Uint8Array[]): AdmittedRange {
    this.#assertWritable();
    const admittedBytes = SEGMENT_HEADER_BYTES + checkedFramedBytes(records);
    if (!this.#committer.hasRoomFor(admittedBytes)) {
      throw new CodedError('JOURNAL_OVERLOADED', `${this.#committer.pendingBytes} bytes pending, limit ${JOURNAL_LIMITS.pendingBytesMax}`);
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
    const segments = this.#stored.map((segment) => ({ ...segment }));
    for (const segment of segments) {
      if (segment.baseSequence > until) return;
      const lastSequence = Math.min(segment.lastSequence, until);
      if (lastSequence < sequence) continue;
      const scan = emptyScan();
      const expectation = { prevMac: segment.prevMac, baseSequence: segment.baseSequence, lastSequence, tailMayBeTorn: false, recordBytesMax: JOURNAL_LIMITS.recordBytesMax };
      for await (const frame of scanSegment(segment.path, segment.name, this.#keys, expectation, scan)) {
        if (frame.sequence < sequence) continue;
        const payload = openFrameCiphertext(frame.segmentKey, frame.sequence, frame.prevMac, frame.ciphertext, frame.tag);
        if (payload === undefined) throw new CodedError('JOURNAL_TAMPERED', `${segment.name}: record ${frame.sequence} fails authentication`);
        yield { sequence: frame.sequence, payload, chainMac: frame.chainMac };
      }
      if (scan.lastSequence < lastSequence) {
        throw new CodedError('JOURNAL_TAMPERED', `${segment.name}: ends after record ${scan.lastSequence}, record ${lastSequence} was durable`);
      }
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

  async pruneThrough(sequence: number): Promise<number> {
    if (this.#closing) throw new CodedError('JOURNAL_CLOSED');
    let removable = 0;
    for (let index = 0; index < this.#stored.length - 1; index++) {
      const segment = this.#stored[index]!;
      if (segment.lastSequence > sequence || segment.lastSequence >= this.#durableSequence) break;
      removable = index + 1;
    }
    const removed = this.#stored.splice(0, removable);
    for (const segment of removed) await unlink(segment.path);
    if (removed.length > 0) await fsyncDirectory(this.#directory);
    return removed.length;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#committer.whenDurable();
      } catch {
        // Each pending append already rejected with the failure; closing still releases everything.
      }
      await this.#writing?.handle.close();
      this.#writing = undefined;
      zeroKeys(this.#keys);
      this.#sealing.key.fill(0);
      this.#ring.clear();
    })();
    return this.#closing;
  }

  #assertWritable(): void {
    if (this.#closing) throw new CodedError('JOURNAL_CLOSED');
    const failure = this.#committer.failure;
    if (failure) throw failure instanceof CodedError ? failure : new CodedError('JOURNAL_IO_FAILED', failure.message);
  }

  #planSegment(index: number, baseSequence: number, prevMac: Uint8Array): SealingSegment {
    const salt = freshSalt();
    const body = encodeSegmentHeaderBody({ salt, baseSequence, prevMac, keyCheck: this.#keys.keyCheck });
    const headerMac = headerMacOf(this.#keys, body);
    const name = segmentName(index);
    return {
      index,
      name,
      path: join(this.#directory, name),
      baseSequence,
      prevMac: Buffer.from(prevMac),
      header: Buffer.concat([body, headerMac]),
      headerMac,
      key: deriveUnitKey(this.#keys.recordRootKey, salt, 'segment'),
      bytes: SEGMENT_HEADER_BYTES,
      records: 0,
      headerQueued: false,
    };
  }

  #seal(payload: Uint8Array): void {
    const frameLength = frameBytesFor(payload.length);
    if (this.#sealing.records > 0 && this.#sealing.bytes + frameLength > this.#segmentBytesMax) {
      this.#sealing.key.fill(0);
      this.#sealing = this.#planSegment(this.#sealing.index + 1, this.#nextSequence, this.#sealPrevMac);
      this.#sealPrevMac = this.#sealing.headerMac;
    }
    const segment = this.#sealing;
    if (!segment.headerQueued) {
      const space = this.#committer.reserve(SEGMENT_HEADER_BYTES, segment);
      segment.header.copy(space.buffer, space.offset);
      this.#committer.commit(SEGMENT_HEADER_BYTES);
      segment.headerQueued = true;
    }
    const sequence = this.#nextSequence;
    const space = this.#committer.reserve(frameLength, segment);
    sealFrameInto(space.buffer, space.offset, segment.key, this.#keys.macKey, sequence, this.#sealPrevMac, payload);
    const frameEnd = space.offset + frameLength;
    this.#sealPrevMac = this.#ring.remember(sequence, space.buffer.subarray(frameEnd - MAC_BYTES, frameEnd));
    this.#committer.commit(frameLength, sequence);
    segment.bytes += frameLength;
    segment.records += 1;
    this.#nextSequence = sequence + 1;
  }

  /** The group-commit sink: one write and one fdatasync per batch (plus a directory fsync when the batch starts a segment). */
  async #writeBatch(batch: CommitBatch<SealingSegment>): Promise<void> {
    const segment = batch.tag;
    try {
      let created: WritingFile | undefined;
      if (this.#writing?.segment !== segment) {
        created = { segment, handle: await open(segment.path, 'wx'), position: 0 };
      }
      const file = created ?? this.#writing!;
      await writeFully(this.#storage, file.handle, batch.bytes, file.position);
      file.position += batch.bytes.length;
      await this.#storage.datasync(file.handle);
      if (created !== undefined) {
        await fsyncDirectory(this.#directory);
        const previous = this.#writing;
        this.#writing = created;
        await previous?.handle.close();
        this.#stored.push({ name: segment.name, path: segment.path, baseSequence: segment.baseSequence, prevMac: segment.prevMac, lastSequence: segment.baseSequence - 1 });
      }
      if (batch.lastSequence > 0) {
        this.#stored.at(-1)!.lastSequence = batch.lastSequence;
        this.#durableSequence = batch.lastSequence;
      }
    } catch (error) {
      throw error instanceof CodedError ? error : new CodedError('JOURNAL_IO_FAILED', `${segment.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
