// AES-256-GCM frames and the rekey HKDF on @noble, so the client runs unchanged in a
// browser. Keys are plain byte arrays here, and are wiped when the session forgets them.
import { gcm } from '@noble/ciphers/aes';
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { asciiBytes } from '../../src/protocol/bytes.js';
import type { FrameCipher } from '../../src/protocol/channel-session.js';
import { AEAD_KEY_BYTES, LABELS } from '../../src/protocol/channel-wire.js';

const REKEY_INFO = asciiBytes(LABELS.rekey);
const EMPTY_SALT = new Uint8Array(0);

export const nobleFrameCipher: FrameCipher<Uint8Array> = {
  seal(key, nonce, associatedData, padded, out) {
    out.set(gcm(key, nonce, associatedData).encrypt(padded));
  },
  open(key, nonce, associatedData, body) {
    try {
      return gcm(key, nonce, associatedData).decrypt(body);
    } catch {
      return undefined;
    }
  },
  nextKey(key) {
    return hkdf(sha256, key, EMPTY_SALT, REKEY_INFO, AEAD_KEY_BYTES);
  },
  destroyKey(key) {
    key.fill(0);
  },
};
