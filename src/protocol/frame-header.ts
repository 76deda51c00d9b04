// The 31-byte frame header the host can read (docs/protocol.md §2.3) and the AEAD nonce
// derived from it. The gateway may decode headers to route and to enforce size limits; the
// header carries no account, message type or content.
import { readU32, writeU32 } from './bytes.js';
import { channelError, type ChannelFaultTable } from './channel-faults.js';
import {
  AEAD_NONCE_BYTES, AEAD_TAG_BYTES, DIRECTION, FRAME_HEADER_BYTES, MESSAGE_KIND, SESSION_ID_BYTES, SUPPORTED_VERSIONS,
  type Direction,
} from './channel-wire.js';
import { isPaddingBucket } from './padding.js';

const SESSION_ID_OFFSET = 2;
const DIRECTION_OFFSET = SESSION_ID_OFFSET + SESSION_ID_BYTES;
const EPOCH_OFFSET = DIRECTION_OFFSET + 1;
const COUNTER_OFFSET = EPOCH_OFFSET + 4;
const BODY_LENGTH_OFFSET = COUNTER_OFFSET + 4;

export interface FrameHeader {
  readonly version: number;
  /** A view into the frame's bytes. */
  readonly sessionId: Uint8Array;
  readonly direction: Direction;
  readonly epoch: number;
  readonly counter: number;
  /** Ciphertext plus tag: a padding bucket + 16. */
  readonly bodyLength: number;
}

/** Writes the header into the first 31 bytes of target. */
export function encodeFrameHeader(target: Uint8Array, header: FrameHeader): void {
  target[0] = header.version;
  target[1] = MESSAGE_KIND.frame;
  target.set(header.sessionId, SESSION_ID_OFFSET);
  target[DIRECTION_OFFSET] = header.direction;
  writeU32(target, EPOCH_OFFSET, header.epoch);
  writeU32(target, COUNTER_OFFSET, header.counter);
  writeU32(target, BODY_LENGTH_OFFSET, header.bodyLength);
}

/** Decodes and checks the header alone; bytes past the header are not examined. */
export function decodeFrameHeader(bytes: Uint8Array, faults: ChannelFaultTable): FrameHeader {
  if (bytes.length < FRAME_HEADER_BYTES) throw channelError(faults, 'FRAME_TRUNCATED', `${bytes.length} bytes, shorter than the ${FRAME_HEADER_BYTES}-byte header`);
  const version = bytes[0]!;
  if (!SUPPORTED_VERSIONS.includes(version)) throw channelError(faults, 'UNSUPPORTED_VERSION', `version ${version}`);
  if (bytes[1] !== MESSAGE_KIND.frame) throw channelError(faults, 'UNEXPECTED_KIND', `kind ${bytes[1]}, expected ${MESSAGE_KIND.frame}`);
  const direction = bytes[DIRECTION_OFFSET]!;
  if (direction !== DIRECTION.clientToServer && direction !== DIRECTION.serverToClient) {
    throw channelError(faults, 'FRAME_BAD_HEADER', `direction byte ${direction}`);
  }
  const bodyLength = readU32(bytes, BODY_LENGTH_OFFSET);
  if (!isPaddingBucket(bodyLength - AEAD_TAG_BYTES)) throw channelError(faults, 'FRAME_BAD_LENGTH', `body length ${bodyLength}`);
  return {
    version,
    sessionId: bytes.subarray(SESSION_ID_OFFSET, SESSION_ID_OFFSET + SESSION_ID_BYTES),
    direction,
    epoch: readU32(bytes, EPOCH_OFFSET),
    counter: readU32(bytes, COUNTER_OFFSET),
    bodyLength,
  };
}

export function frameByteLength(header: FrameHeader): number {
  return FRAME_HEADER_BYTES + header.bodyLength;
}

/** direction || 0x000000 || epoch || counter: unique per key, and distinct across directions and epochs. */
export function frameNonce(direction: Direction, epoch: number, counter: number): Uint8Array {
  const nonce = new Uint8Array(AEAD_NONCE_BYTES);
  nonce[0] = direction;
  writeU32(nonce, 4, epoch);
  writeU32(nonce, 8, counter);
  return nonce;
}
