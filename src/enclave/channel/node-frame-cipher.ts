// AES-256-GCM frames and the rekey HKDF on node's native crypto: the enclave's hot path.
// Keys stay inside KeyObjects so no raw traffic key lingers in the JavaScript heap; node
// offers no explicit wipe of a KeyObject, whose memory is released when it is collected.
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { asciiBytes } from '../../protocol/bytes.js';
import type { FrameCipher } from '../../protocol/channel-session.js';
import { AEAD_KEY_BYTES, AEAD_TAG_BYTES, LABELS } from '../../protocol/channel-wire.js';

const REKEY_INFO = asciiBytes(LABELS.rekey);
const EMPTY_SALT = new Uint8Array(0);
const CIPHER = 'aes-256-gcm';

/** Wraps raw key bytes in a KeyObject and wipes the bytes. */
export function importTrafficKey(raw: Uint8Array): KeyObject {
  const key = createSecretKey(raw);
  raw.fill(0);
  return key;
}

/** AES-256-GCM seal of a padded plaintext into `out` (ciphertext then tag), under a KeyObject or raw key. */
export function sealAesGcm(key: KeyObject | Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, padded: Uint8Array, out: Uint8Array): void {
  const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: AEAD_TAG_BYTES });
  cipher.setAAD(associatedData);
  out.set(cipher.update(padded), 0);
  cipher.final();
  out.set(cipher.getAuthTag(), padded.length);
}

/** AES-256-GCM open; undefined (and nothing left readable) when the frame does not authenticate. */
export function openAesGcm(key: KeyObject | Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, body: Uint8Array): Uint8Array | undefined {
  const ciphertextLength = body.length - AEAD_TAG_BYTES;
  const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: AEAD_TAG_BYTES });
  decipher.setAAD(associatedData);
  decipher.setAuthTag(body.subarray(ciphertextLength));
  const plaintext = decipher.update(body.subarray(0, ciphertextLength));
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    return undefined;
  }
  return plaintext;
}

/** The rekey step: HKDF-SHA256 of the current traffic key, as raw bytes. */
export function nextTrafficKeyBytes(key: KeyObject | Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', key, EMPTY_SALT, REKEY_INFO, AEAD_KEY_BYTES));
}

/** A plain Uint8Array over node's pool (no zero-fill, no allocation of its own); not a Buffer, whose slice() would not copy. */
export function allocatePooledFrame(byteLength: number): Uint8Array {
  const pooled = Buffer.allocUnsafe(byteLength);
  return new Uint8Array(pooled.buffer, pooled.byteOffset, byteLength);
}

export const nodeFrameCipher: FrameCipher<KeyObject> = {
  seal: sealAesGcm,
  open: openAesGcm,
  nextKey: (key) => importTrafficKey(nextTrafficKeyBytes(key)),
  allocateFrame: allocatePooledFrame,
  destroyKey() {
    // A KeyObject cannot be wiped from JavaScript; dropping the reference is all node allows.
  },
};
