// Reads one segment file back and verifies it as it goes: the header's MAC and key check,
// that it continues the chain where the previous segment ended, and for every frame its
// sequence and chain MAC. Used at open (to verify everything and find a torn tail) and by
// every later read, because the host can change the files at any time.
import { open } from 'node:fs/promises';
import { CodedError } from '../../errors/index.js';
import { JOURNAL_LIMITS } from './limits.js';
import { chainMacOf, deriveUnitKey, headerMacOf, macEquals, type JournalKeys } from './sealing.js';
import { FRAME_OVERHEAD_BYTES, MAC_BYTES, SEGMENT_HEADER_BYTES, allZero, frameBytesFor, parseFrame, parseSegmentHeader } from './segment-format.js';

export interface SegmentExpectation {
  /** The chain value the header must carry; undefined accepts any (first segment after pruning, checked through the snapshot's anchor). */
  readonly prevMac: Uint8Array | undefined;
  /** The first sequence the segment must hold; undefined accepts any (first segment after pruning). */
  readonly baseSequence: number | undefined;
  /** Stop after this sequence; records beyond it are not read. */
  readonly lastSequence?: number;
  /** Whether bytes after the last verified record may be a torn write (the newest segment, at open). */
  readonly tailMayBeTorn: boolean;
  readonly recordBytesMax: number;
}

/** A verified frame. Its byte views are valid only until the generator is resumed. */
export interface ScannedFrame {
  readonly sequence: number;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
  readonly prevMac: Uint8Array;
  readonly chainMac: Uint8Array;
  readonly segmentKey: Uint8Array;
}

/** What a scan learned, filled in as it goes. */
export interface SegmentScan {
  fileBytes: number;
  /** False when the whole file is a torn header (a crash while the segment was created). */
  headerValid: boolean;
  baseSequence: number;
  headerPrevMac: Uint8Array;
  /** baseSequence - 1 while no record has been read. */
  lastSequence: number;
  endChainMac: Uint8Array;
  /** Bytes up to the end of the last verified frame. */
  validBytes: number;
  /** Bytes after validBytes judged to be a torn write. */
  tornBytes: number;
}

export function emptyScan(): SegmentScan {
  return { fileBytes: 0, headerValid: false, baseSequence: 0, headerPrevMac: new Uint8Array(MAC_BYTES), lastSequence: 0, endChainMac: new Uint8Array(MAC_BYTES), validBytes: 0, tornBytes: 0 };
}

/** Verifies the segment at `path` and yields its frames in order; throws a CodedError naming the place of any fault. */
export async function* scanSegment(
  path: string,
  name: string,
  keys: JournalKeys,
  expectation: SegmentExpectation,
  scan: SegmentScan,
): AsyncGenerator<ScannedFrame, void, undefined> {
  const handle = await open(path, 'r');
  let segmentKey: Buffer | undefined;
  try {
    const fileBytes = (await handle.stat()).size;
    scan.fileBytes = fileBytes;
    const buffer = Buffer.allocUnsafe(JOURNAL_LIMITS.readChunkBytes);
    let position = 0;
    let filled = 0;
    let cursor = 0;
    const refill = async (): Promise<void> => {
      buffer.copyWithin(0, cursor, filled);
      position += cursor;
      filled -= cursor;
      cursor = 0;
      const wanted = Math.min(buffer.length - filled, fileBytes - position - filled);
      if (wanted > 0) {
        const { bytesRead } = await handle.read(buffer, filled, wanted, position + filled);
        filled += bytesRead;
      }
    };

    await refill();
    if (filled < SEGMENT_HEADER_BYTES || allZero(buffer, 0, filled)) {
      if (expectation.tailMayBeTorn && (fileBytes < SEGMENT_HEADER_BYTES || (fileBytes <= filled && allZero(buffer, 0, filled)))) {
        scan.tornBytes = fileBytes;
        return;
      }
      throw new CodedError('JOURNAL_TAMPERED', `${name}: truncated or blank segment header (${fileBytes} bytes)`);
    }
    const header = parseSegmentHeader(buffer.subarray(0, SEGMENT_HEADER_BYTES));
    if (!header.ok) throw new CodedError('JOURNAL_TAMPERED', `${name}: ${header.reason}`);
    if (!macEquals(header.fields.keyCheck, keys.keyCheck)) throw new CodedError('JOURNAL_WRONG_KEY', `${name}: key check differs`);
    if (!macEquals(header.headerMac, headerMacOf(keys, header.body))) throw new CodedError('JOURNAL_TAMPERED', `${name}: segment header fails its MAC`);
    if (expectation.baseSequence !== undefined && header.fields.baseSequence !== expectation.baseSequence) {
      throw new CodedError('JOURNAL_SEQUENCE_BROKEN', `${name}: segment starts at sequence ${header.fields.baseSequence}, expected ${expectation.baseSequence} (a segment is missing or out of order)`);
    }
    if (expectation.prevMac !== undefined && !macEquals(header.fields.prevMac, expectation.prevMac)) {
      throw new CodedError('JOURNAL_TAMPERED', `${name}: segment does not continue the chain of the one before it (spliced or replaced)`);
    }
    segmentKey = deriveUnitKey(keys.recordRootKey, header.fields.salt, 'segment');
    scan.headerValid = true;
    scan.baseSequence = header.fields.baseSequence;
    scan.headerPrevMac = Buffer.from(header.fields.prevMac);
    scan.lastSequence = scan.baseSequence - 1;
    scan.endChainMac = Buffer.from(header.headerMac);
    scan.validBytes = SEGMENT_HEADER_BYTES;
    cursor = SEGMENT_HEADER_BYTES;

    const maxFrameBytes = frameBytesFor(expectation.recordBytesMax);
    const iterationsMax = Math.ceil(fileBytes / FRAME_OVERHEAD_BYTES) + Math.ceil(fileBytes / (buffer.length - maxFrameBytes)) + 2;
    for (let iteration = 0; iteration < iterationsMax; iteration++) {
      if (expectation.lastSequence !== undefined && scan.lastSequence >= expectation.lastSequence) return;
      const frameAt = position + cursor;
      if (frameAt === fileBytes) return;
      const parsed = parseFrame(buffer, cursor, filled, expectation.recordBytesMax);
      if (parsed.status === 'complete') {
        const expected = scan.lastSequence + 1;
        if (parsed.sequence !== expected) {
          throw new CodedError('JOURNAL_SEQUENCE_BROKEN', `${name} offset ${frameAt}: record has sequence ${parsed.sequence}, expected ${expected} (records reordered, dropped or spliced)`);
        }
        const prevMac = scan.endChainMac;
        const storedMac = buffer.subarray(parsed.macAt, parsed.end);
        if (!macEquals(storedMac, chainMacOf(keys.macKey, prevMac, buffer.subarray(cursor, parsed.macAt)))) {
          throw new CodedError('JOURNAL_TAMPERED', `${name} offset ${frameAt}: record ${parsed.sequence} fails its chain MAC`);
        }
        const chainMac = Buffer.from(storedMac);
        scan.lastSequence = parsed.sequence;
        scan.endChainMac = chainMac;
        scan.validBytes = frameAt + (parsed.end - cursor);
        const frame: ScannedFrame = {
          sequence: parsed.sequence,
          ciphertext: buffer.subarray(parsed.ciphertextAt, parsed.tagAt),
          tag: buffer.subarray(parsed.tagAt, parsed.macAt),
          prevMac,
          chainMac,
          segmentKey,
        };
        cursor = parsed.end;
        yield frame;
        continue;
      }
      if (position + filled < fileBytes && (parsed.status === 'incomplete' || fileBytes - frameAt <= buffer.length)) {
        await refill();
        continue;
      }
      // A crash leaves a prefix of frames we wrote: the torn part starts with a valid length
      // that runs past the end of the file, or is blank where the data never reached the disk.
      // Anything else after the last verified record is foreign bytes.
      const wholeTailLoaded = position + filled === fileBytes;
      if (expectation.tailMayBeTorn && wholeTailLoaded && (parsed.status === 'incomplete' || allZero(buffer, cursor, filled))) {
        scan.tornBytes = fileBytes - frameAt;
        return;
      }
      const reason = parsed.status === 'malformed' ? parsed.reason : 'record cut short';
      throw new CodedError('JOURNAL_TAMPERED', `${name} offset ${frameAt}: ${reason} after record ${scan.lastSequence}`);
    }
    throw new Error(`assertion: segment scan of ${name} exceeded its iteration bound`);
  } finally {
    segmentKey?.fill(0);
    await handle.close();
  }
}
