// Strict base64 for the REST bodies: the standard alphabet with padding, in its one canonical
// spelling, so a frame has exactly one encoding and a sloppy or hostile string is refused
// instead of being decoded into something else.
import { CodedError, type ErrorName } from '../errors/index.js';

const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of a canonical base64 string of at most maxBytes; otherwise the given coded error. */
export function decodeBase64(text: string, maxBytes: number, errorName: ErrorName, what: string): Uint8Array {
  if (text.length % 4 !== 0 || text.length > Math.ceil(maxBytes / 3) * 4 || !ALPHABET.test(text)) {
    throw new CodedError(errorName, `${what} is not canonical base64 of at most ${maxBytes} bytes`);
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > maxBytes || bytes.toString('base64') !== text) throw new CodedError(errorName, `${what} is not canonical base64 of at most ${maxBytes} bytes`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
