// The client's frame cipher on node:crypto, for load generators and tests that play many
// traders in one Node process: @noble's pure-JS AES-GCM costs about ten times as much per
// 1 KiB frame, so a benchmark driving the enclave with it measures its own clients. Keys stay
// raw bytes, as ClientSession expects, and are wiped when the session forgets them. The SDK
// and the browser keep @noble (client/channel/noble-frame-cipher.ts); test/vectors/channel.json
// proves both produce the same bytes.
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { asciiBytes } from '../../src/protocol/bytes.js';
import type { FrameCipher } from '../../src/protocol/channel-session.js';
import { AEAD_KEY_BYTES, AEAD_TAG_BYTES, LABELS } from '../../src/protocol/channel-wire.js';

const REKEY_INFO = asciiBytes(LABELS.rekey);
const EMPTY_SALT = new Uint8Array(0);
const CIPHER = 'aes-256-gcm';

export const nodeClientFrameCipher: FrameCipher<Uint8Array> = {
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
    return new Uint8Array(hkdfSync('sha256', key, EMPTY_SALT, REKEY_INFO, AEAD_KEY_BYTES));
  },
  allocateFrame(byteLength) {
    // A plain Uint8Array over node's pool (no zero-fill, no allocation of its own); not a Buffer, whose slice() would not copy.
    const pooled = Buffer.allocUnsafe(byteLength);
    return new Uint8Array(pooled.buffer, pooled.byteOffset, byteLength);
  },
  destroyKey(key) {
    key.fill(0);
  },
};
