// The layout of one replicated-journal batch (one stream message) and its verification on
// read. A batch is the writer's unit header followed by sealed frames, exactly the bytes of a
// journal segment (./segment-format.ts): the header carries the salt of the writer's unit key,
// the sequence the unit starts at and the chain value before it; frames continue the one HMAC
// chain across batches and writers. Every writer session starts a new unit with a fresh salt,
// so a sequence is sealed at most once under any key even when a new writer takes over.
//
// Batch ids are `<epoch>.<writer>.<firstSequence>`: the epoch grows by one with each writer
// session, the writer tag is random per session (so two writers that opened at once never
// share an id and get each other's deduplicated acknowledgement), and the first sequence
// makes retries of one batch carry one id.
import { randomBytes } from 'node:crypto';
import { CodedError } from '../../errors/index.js';
import { REPLICATED_LIMITS } from './limits.js';
import { chainMacOf, deriveUnitKey, headerMacOf, macEquals, openFrameCiphertext, type JournalKeys } from './sealing.js';
import { SEGMENT_HEADER_BYTES, parseFrame, parseSegmentHeader } from './segment-format.js';

const BATCH_ID = /^([1-9][0-9]{0,14})\.([0-9a-f]{16})\.([1-9][0-9]{0,15})$/;
const WRITER_TAG_BYTES = 8;

export interface BatchIdParts {
  readonly epoch: number;
  readonly writer: string;
  readonly firstSequence: number;
}

export function formatBatchId(parts: BatchIdParts): string {
  return `${parts.epoch}.${parts.writer}.${parts.firstSequence}`;
}

/** Parses a batch id; undefined when it is not one this journal writes. */
export function parseBatchId(batchId: string): BatchIdParts | undefined {
  if (typeof batchId !== 'string' || batchId.length > REPLICATED_LIMITS.batchIdCharsMax) return undefined;
  const match = BATCH_ID.exec(batchId);
  if (match === null) return undefined;
  const epoch = Number(match[1]);
  const firstSequence = Number(match[3]);
  if (!Number.isSafeInteger(epoch) || !Number.isSafeInteger(firstSequence)) return undefined;
  return { epoch, writer: match[2]!, firstSequence };
}

export function freshWriterTag(): string {
  return randomBytes(WRITER_TAG_BYTES).toString('hex');
}

/** A verified frame of a batch; byte views point into the batch. */
export interface BatchFrame {
  readonly sequence: number;
  readonly prevMac: Uint8Array;
  readonly chainMac: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

export interface VerifiedBatch {
  /** The unit key's salt, to derive (and cache) the key when records are decrypted. */
  readonly salt: Uint8Array;
  readonly frames: readonly BatchFrame[];
  readonly lastSequence: number;
  readonly endChainMac: Uint8Array;
}

function malformed(where: string, reason: string): CodedError {
  return new CodedError('CLUSTER_LOG_MALFORMED', `${where}: ${reason}`);
}

/**
 * Verifies one stored batch: its id, its unit header (key check and MAC), that it continues
 * the chain at `expectedSequence` after `prevMac`, and every frame's sequence and chain MAC.
 * Throws a CodedError naming the batch on any fault; decrypts nothing.
 */
export function verifyBatch(
  keys: JournalKeys,
  batch: { readonly streamSequence: number; readonly batchId: string; readonly bytes: Uint8Array },
  expectedSequence: number,
  prevMac: Uint8Array,
  recordBytesMax: number,
): VerifiedBatch {
  const where = `stream message ${batch.streamSequence} (${String(batch.batchId).slice(0, REPLICATED_LIMITS.batchIdCharsMax)})`;
  const id = parseBatchId(batch.batchId);
  if (id === undefined) throw malformed(where, 'the batch id is not <epoch>.<writer>.<firstSequence>');
  if (id.firstSequence !== expectedSequence) throw new CodedError('JOURNAL_SEQUENCE_BROKEN', `${where}: starts at sequence ${id.firstSequence}, expected ${expectedSequence}`);
  const header = parseSegmentHeader(batch.bytes);
  if (!header.ok) throw malformed(where, header.reason);
  if (!macEquals(header.fields.keyCheck, keys.keyCheck)) throw new CodedError('JOURNAL_WRONG_KEY', where);
  if (!macEquals(headerMacOf(keys, header.body), header.headerMac)) throw new CodedError('JOURNAL_TAMPERED', `${where}: the unit header fails authentication`);
  if (header.fields.baseSequence > expectedSequence) throw new CodedError('JOURNAL_SEQUENCE_BROKEN', `${where}: its unit starts at ${header.fields.baseSequence}, after ${expectedSequence}`);
  if (header.fields.baseSequence === expectedSequence && !macEquals(header.fields.prevMac, prevMac)) {
    throw new CodedError('JOURNAL_TAMPERED', `${where}: its unit does not continue the chain`);
  }
  const frames: BatchFrame[] = [];
  let sequence = expectedSequence;
  let chain: Uint8Array = prevMac;
  let offset = SEGMENT_HEADER_BYTES;
  const end = batch.bytes.length;
  while (offset < end) {
    const frame = parseFrame(batch.bytes, offset, end, recordBytesMax);
    if (frame.status !== 'complete') throw malformed(where, frame.status === 'malformed' ? frame.reason : 'the last frame is cut short');
    if (frame.sequence !== sequence) throw new CodedError('JOURNAL_SEQUENCE_BROKEN', `${where}: frame holds sequence ${frame.sequence}, expected ${sequence}`);
    const stored = batch.bytes.subarray(frame.macAt, frame.end);
    if (!macEquals(chainMacOf(keys.macKey, chain, batch.bytes.subarray(offset, frame.macAt)), stored)) {
      throw new CodedError('JOURNAL_TAMPERED', `${where}: record ${sequence} breaks the chain`);
    }
    frames.push({ sequence, prevMac: chain, chainMac: stored, ciphertext: batch.bytes.subarray(frame.ciphertextAt, frame.tagAt), tag: batch.bytes.subarray(frame.tagAt, frame.macAt) });
    chain = stored;
    sequence += 1;
    offset = frame.end;
  }
  if (frames.length === 0) throw malformed(where, 'the batch holds no record');
  return { salt: header.fields.salt, frames, lastSequence: sequence - 1, endChainMac: chain };
}

/** Derives unit keys once per salt while a batch run is read. */
export class UnitKeyCache {
  #salt: Buffer | undefined;
  #key: Buffer | undefined;

  keyFor(keys: JournalKeys, salt: Uint8Array): Buffer {
    if (this.#salt === undefined || this.#key === undefined || !this.#salt.equals(salt)) {
      this.#key?.fill(0);
      this.#salt = Buffer.from(salt);
      this.#key = deriveUnitKey(keys.recordRootKey, salt, 'segment');
    }
    return this.#key;
  }

  clear(): void {
    this.#key?.fill(0);
    this.#key = undefined;
    this.#salt = undefined;
  }
}

/** Decrypts a verified frame; a failure means the ciphertext was altered after its chain MAC was made. */
export function openBatchFrame(key: Uint8Array, frame: BatchFrame, where: string): Buffer {
  const payload = openFrameCiphertext(key, frame.sequence, frame.prevMac, frame.ciphertext, frame.tag);
  if (payload === undefined) throw new CodedError('JOURNAL_TAMPERED', `${where}: record ${frame.sequence} fails authentication`);
  return payload;
}
