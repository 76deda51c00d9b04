// Pads every plaintext to one of a few fixed sizes (docs/protocol.md §4.1) so that the host,
// which sees only frame lengths, cannot tell a cancel from an order.
import { readU32, writeU32 } from './bytes.js';
import { channelError, type ChannelFaultTable } from './channel-faults.js';
import { MAX_PAYLOAD_BYTES, PADDING_BUCKETS_BYTES, PAYLOAD_LENGTH_PREFIX_BYTES } from './channel-wire.js';

/** The smallest bucket that holds a payload of this length, or undefined when none does. */
export function bucketForPayload(payloadLength: number): number | undefined {
  for (const bucket of PADDING_BUCKETS_BYTES) if (payloadLength + PAYLOAD_LENGTH_PREFIX_BYTES <= bucket) return bucket;
  return undefined;
}

export function isPaddingBucket(length: number): boolean {
  return PADDING_BUCKETS_BYTES.includes(length);
}

/** The bucket for a payload, or PAYLOAD_TOO_LARGE. */
export function requireBucket(payloadLength: number, faults: ChannelFaultTable): number {
  const bucket = bucketForPayload(payloadLength);
  if (bucket === undefined) throw channelError(faults, 'PAYLOAD_TOO_LARGE', `${payloadLength} bytes, at most ${MAX_PAYLOAD_BYTES}`);
  return bucket;
}

/** Writes u32(length) || payload into a zero-filled, bucket-sized target; the rest stays zero padding. */
export function writePaddedPayload(target: Uint8Array, payload: Uint8Array): void {
  writeU32(target, 0, payload.length);
  target.set(payload, PAYLOAD_LENGTH_PREFIX_BYTES);
}

/** u32(length) || payload || zeros, sized to the smallest bucket that fits. */
export function padPayload(payload: Uint8Array, faults: ChannelFaultTable): Uint8Array {
  const padded = new Uint8Array(requireBucket(payload.length, faults));
  writePaddedPayload(padded, payload);
  return padded;
}

/**
 * The payload of a padded plaintext, as a view into it, after checking the prefix and that
 * every padding byte is zero.
 */
export function unpadPayload(padded: Uint8Array, faults: ChannelFaultTable): Uint8Array {
  if (!isPaddingBucket(padded.length)) throw channelError(faults, 'FRAME_BAD_PADDING', `padded length ${padded.length} is not a bucket`);
  const length = readU32(padded, 0);
  const end = PAYLOAD_LENGTH_PREFIX_BYTES + length;
  if (end > padded.length) throw channelError(faults, 'FRAME_BAD_PADDING', `length prefix ${length} exceeds the bucket`);
  if (!isZeroFrom(padded, end)) throw channelError(faults, 'FRAME_BAD_PADDING', 'non-zero padding byte');
  return new Uint8Array(padded.buffer, padded.byteOffset + PAYLOAD_LENGTH_PREFIX_BYTES, length);
}

/** Whether bytes[start..] are all zero; reads aligned 32-bit words where it can, since this runs on every frame. */
function isZeroFrom(bytes: Uint8Array, start: number): boolean {
  let accumulated = 0;
  let index = start;
  while (index < bytes.length && ((bytes.byteOffset + index) & 3) !== 0) accumulated |= bytes[index++]!;
  const words = (bytes.length - index) >>> 2;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + index, words);
    for (let word = 0; word < words; word++) accumulated |= view[word]!;
    index += words * 4;
  }
  while (index < bytes.length) accumulated |= bytes[index++]!;
  return accumulated === 0;
}
