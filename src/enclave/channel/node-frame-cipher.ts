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

export const nodeFrameCipher: FrameCipher<KeyObject> = {
  seal(key, nonce, associatedData, padded, out) {
    const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: AEAD_TAG_BYTES });
    cipher.setAAD(associatedData);
    out.set(cipher.update(padded), 0);
    cipher.final();
    out.set(cipher.getAuthTag(), padded.length);
  },
  open(key, nonce, associatedData, body) {
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
  },
  nextKey(key) {
    return importTrafficKey(new Uint8Array(hkdfSync('sha256', key, EMPTY_SALT, REKEY_INFO, AEAD_KEY_BYTES)));
  },
  allocateFrame(byteLength) {
    // A plain Uint8Array over node's pool (no zero-fill, no allocation of its own); not a Buffer, whose slice() would not copy.
    const pooled = Buffer.allocUnsafe(byteLength);
    return new Uint8Array(pooled.buffer, pooled.byteOffset, byteLength);
  },
  destroyKey() {
    // A KeyObject cannot be wiped from JavaScript; dropping the reference is all node allows.
  },
};
