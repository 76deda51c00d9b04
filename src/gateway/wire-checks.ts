// The only checks the untrusted gateway makes on channel bytes: sizes. A hello must be a
// ClientHello's length; a frame must fit the frame limit and be exactly as long as its public
// header declares. Everything past the header is ciphertext the gateway never reads.
import { CodedError } from '../errors/index.js';
import { singleCodeFaultTable } from '../protocol/channel-faults.js';
import { AEAD_TAG_BYTES, FRAME_HEADER_BYTES, PADDING_BUCKETS_BYTES } from '../protocol/channel-wire.js';
import { decodeFrameHeader, frameByteLength } from '../protocol/frame-header.js';
import { CLIENT_HELLO_BYTES, SERVER_HELLO_BYTES } from '../protocol/hello.js';

const FRAME_FAULTS = singleCodeFaultTable('GATEWAY_BAD_FRAME');

export function checkClientHello(bytes: Uint8Array): void {
  if (bytes.length !== CLIENT_HELLO_BYTES) throw new CodedError('GATEWAY_BAD_HELLO', `${bytes.length} bytes, expected ${CLIENT_HELLO_BYTES}`);
}

export function checkClientFrame(bytes: Uint8Array, maxFrameBytes: number): void {
  if (bytes.length > maxFrameBytes) throw new CodedError('GATEWAY_FRAME_TOO_LARGE', `${bytes.length} bytes, limit ${maxFrameBytes}`);
  const declared = frameByteLength(decodeFrameHeader(bytes, FRAME_FAULTS));
  if (declared !== bytes.length) throw new CodedError('GATEWAY_BAD_FRAME', `${bytes.length} bytes, header declares ${declared}`);
}

/**
 * The public size class of a message, the only label byte counters carry: the two hellos,
 * the three padded frame sizes, or "other" for anything refused.
 */
export type SizeClass = 'client_hello' | 'server_hello' | 'frame_1024' | 'frame_4096' | 'frame_16384' | 'other';

export const SIZE_CLASSES: readonly SizeClass[] = ['client_hello', 'server_hello', 'frame_1024', 'frame_4096', 'frame_16384', 'other'];

const FRAME_CLASS_BY_LENGTH = new Map<number, SizeClass>(
  PADDING_BUCKETS_BYTES.map((bucket) => [FRAME_HEADER_BYTES + bucket + AEAD_TAG_BYTES, `frame_${bucket}` as SizeClass]),
);

for (const label of FRAME_CLASS_BY_LENGTH.values()) {
  if (!SIZE_CLASSES.includes(label)) throw new Error(`assertion: padding bucket class ${label} is not a known size class`);
}

export function sizeClass(byteLength: number): SizeClass {
  if (byteLength === CLIENT_HELLO_BYTES) return 'client_hello';
  if (byteLength === SERVER_HELLO_BYTES) return 'server_hello';
  return FRAME_CLASS_BY_LENGTH.get(byteLength) ?? 'other';
}
