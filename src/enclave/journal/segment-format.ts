// The byte layout of a journal segment file, and the pure parsers that read it back. Kept
// apart from the crypto (./sealing.ts) and the file handling (./file-journal.ts) so the
// parsers can be fuzzed on their own: they never throw on any input, they classify it.
//
// Segment file = header, then frames back to back.
//   header (112 bytes): magic "DPJSEG01" | salt 16 | baseSequence u64 | prevMac 32 | keyCheck 16 | headerMac 32
//   frame: length u32 (bytes after this field) | sequence u64 | ciphertext | GCM tag 16 | chainMac 32
// All integers are big-endian.

export const SEGMENT_MAGIC = Buffer.from('DPJSEG01', 'latin1');
export const SALT_BYTES = 16;
export const MAC_BYTES = 32;
export const TAG_BYTES = 16;
export const KEY_CHECK_BYTES = 16;
export const SEQUENCE_BYTES = 8;
const LENGTH_BYTES = 4;

const HEADER_SALT_AT = SEGMENT_MAGIC.length;
const HEADER_BASE_AT = HEADER_SALT_AT + SALT_BYTES;
const HEADER_PREV_AT = HEADER_BASE_AT + SEQUENCE_BYTES;
const HEADER_CHECK_AT = HEADER_PREV_AT + MAC_BYTES;
/** The header bytes the header MAC covers. */
export const SEGMENT_HEADER_BODY_BYTES = HEADER_CHECK_AT + KEY_CHECK_BYTES;
export const SEGMENT_HEADER_BYTES = SEGMENT_HEADER_BODY_BYTES + MAC_BYTES;

/** Bytes a frame adds around its ciphertext (which is as long as the payload). */
export const FRAME_OVERHEAD_BYTES = LENGTH_BYTES + SEQUENCE_BYTES + TAG_BYTES + MAC_BYTES;
/** Offset of the ciphertext inside a frame. */
export const FRAME_CIPHERTEXT_AT = LENGTH_BYTES + SEQUENCE_BYTES;

const UINT32_RANGE = 0x1_0000_0000;

/** Writes a non-negative safe integer as u64 big-endian. */
export function writeUint64(target: Uint8Array, offset: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`assertion: u64 field out of range: ${value}`);
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setUint32(offset, Math.floor(value / UINT32_RANGE));
  view.setUint32(offset + 4, value % UINT32_RANGE);
}

/** Reads a u64 big-endian; values above Number.MAX_SAFE_INTEGER come back as -1. */
export function readUint64(source: Uint8Array, offset: number): number {
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  const value = view.getUint32(offset) * UINT32_RANGE + view.getUint32(offset + 4);
  return Number.isSafeInteger(value) ? value : -1;
}

export interface SegmentHeaderFields {
  readonly salt: Uint8Array;
  readonly baseSequence: number;
  readonly prevMac: Uint8Array;
  readonly keyCheck: Uint8Array;
}

/** The header body (everything the header MAC covers). */
export function encodeSegmentHeaderBody(fields: SegmentHeaderFields): Buffer {
  if (fields.salt.length !== SALT_BYTES || fields.prevMac.length !== MAC_BYTES || fields.keyCheck.length !== KEY_CHECK_BYTES) {
    throw new Error('assertion: segment header field lengths');
  }
  const body = Buffer.alloc(SEGMENT_HEADER_BODY_BYTES);
  SEGMENT_MAGIC.copy(body, 0);
  body.set(fields.salt, HEADER_SALT_AT);
  writeUint64(body, HEADER_BASE_AT, fields.baseSequence);
  body.set(fields.prevMac, HEADER_PREV_AT);
  body.set(fields.keyCheck, HEADER_CHECK_AT);
  return body;
}

export type HeaderParse =
  | { readonly ok: true; readonly fields: SegmentHeaderFields; readonly body: Uint8Array; readonly headerMac: Uint8Array }
  | { readonly ok: false; readonly reason: string };

/** Classifies the first SEGMENT_HEADER_BYTES of a segment; never throws. */
export function parseSegmentHeader(bytes: Uint8Array): HeaderParse {
  if (bytes.length < SEGMENT_HEADER_BYTES) return { ok: false, reason: `header needs ${SEGMENT_HEADER_BYTES} bytes, got ${bytes.length}` };
  if (!SEGMENT_MAGIC.equals(bytes.subarray(0, SEGMENT_MAGIC.length))) return { ok: false, reason: 'not a journal segment (bad magic)' };
  const baseSequence = readUint64(bytes, HEADER_BASE_AT);
  if (baseSequence < 1) return { ok: false, reason: 'base sequence out of range' };
  return {
    ok: true,
    fields: {
      salt: bytes.subarray(HEADER_SALT_AT, HEADER_SALT_AT + SALT_BYTES),
      baseSequence,
      prevMac: bytes.subarray(HEADER_PREV_AT, HEADER_PREV_AT + MAC_BYTES),
      keyCheck: bytes.subarray(HEADER_CHECK_AT, HEADER_CHECK_AT + KEY_CHECK_BYTES),
    },
    body: bytes.subarray(0, SEGMENT_HEADER_BODY_BYTES),
    headerMac: bytes.subarray(SEGMENT_HEADER_BODY_BYTES, SEGMENT_HEADER_BYTES),
  };
}

/** Frame size for a payload of `payloadBytes`. */
export function frameBytesFor(payloadBytes: number): number {
  return FRAME_OVERHEAD_BYTES + payloadBytes;
}

/** Writes the length and sequence fields of a frame; the sealer fills the rest. */
export function writeFramePrefix(target: Uint8Array, offset: number, sequence: number, payloadBytes: number): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setUint32(offset, frameBytesFor(payloadBytes) - LENGTH_BYTES);
  writeUint64(target, offset + LENGTH_BYTES, sequence);
}

export type FrameParse =
  | {
      readonly status: 'complete';
      /** As stored (-1 when beyond the safe integer range); the reader checks it is the one expected. */
      readonly sequence: number;
      /** Offsets into the buffer given to parseFrame. */
      readonly ciphertextAt: number;
      readonly tagAt: number;
      readonly macAt: number;
      readonly end: number;
    }
  /** The bytes end before a frame of valid length does: a torn tail, or a chunk boundary while reading. */
  | { readonly status: 'incomplete'; readonly needBytes: number }
  | { readonly status: 'malformed'; readonly reason: string };

/** Classifies the frame starting at `offset` within `bytes[0, end)`; never throws. */
export function parseFrame(bytes: Uint8Array, offset: number, end: number, recordBytesMax: number): FrameParse {
  const available = end - offset;
  if (available < LENGTH_BYTES) return { status: 'incomplete', needBytes: LENGTH_BYTES };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bodyBytes = view.getUint32(offset);
  const frameBytes = LENGTH_BYTES + bodyBytes;
  if (frameBytes < FRAME_OVERHEAD_BYTES) return { status: 'malformed', reason: `frame length ${frameBytes} below the minimum ${FRAME_OVERHEAD_BYTES}` };
  if (frameBytes > frameBytesFor(recordBytesMax)) return { status: 'malformed', reason: `frame length ${frameBytes} above the maximum` };
  if (frameBytes > available) return { status: 'incomplete', needBytes: frameBytes };
  const sequence = readUint64(bytes, offset + LENGTH_BYTES);
  const frameEnd = offset + frameBytes;
  return {
    status: 'complete',
    sequence,
    ciphertextAt: offset + FRAME_CIPHERTEXT_AT,
    tagAt: frameEnd - MAC_BYTES - TAG_BYTES,
    macAt: frameEnd - MAC_BYTES,
    end: frameEnd,
  };
}

/** True when every byte in the range is zero (what an unwritten tail looks like after power loss). */
export function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let index = from; index < to; index++) if (bytes[index] !== 0) return false;
  return true;
}
