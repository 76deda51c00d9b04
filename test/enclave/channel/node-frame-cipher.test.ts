// node's AES-256-GCM and rekey HKDF against @noble's: the same bytes out, each opening the
// other's frames, and a refusal (not an exception) for anything tampered.
import { createSecretKey, randomBytes } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes';
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importTrafficKey, nodeFrameCipher } from '../../../src/enclave/channel/node-frame-cipher.js';
import { bytesEqual, isAllZero } from '../../../src/protocol/bytes.js';
import { LABELS } from '../../../src/protocol/channel-wire.js';
import { seededRandom } from '../../protocol/fuzz-support.js';

test('seal agrees with noble byte for byte, and each opens the other', () => {
  const random = seededRandom(31);
  for (let i = 0; i < 200; i++) {
    const key = random.bytes(32);
    const nonce = random.bytes(12);
    const associatedData = random.bytes(31);
    const padded = random.bytes(random.pick([1024, 4096, 16384]));
    const out = new Uint8Array(padded.length + 16);
    nodeFrameCipher.seal(createSecretKey(key), nonce, associatedData, padded, out);
    const noble = gcm(key, nonce, associatedData).encrypt(padded);
    assert.ok(bytesEqual(out, noble));
    assert.ok(bytesEqual(nodeFrameCipher.open(createSecretKey(key), nonce, associatedData, noble)!, padded));
  }
});

test('tampered ciphertext, tag, nonce or associated data open to undefined', () => {
  const key = createSecretKey(randomBytes(32));
  const nonce = new Uint8Array(12);
  const associatedData = new Uint8Array(31);
  const padded = new Uint8Array(1024).fill(3);
  const body = new Uint8Array(1040);
  nodeFrameCipher.seal(key, nonce, associatedData, padded, body);
  const flip = (bytes: Uint8Array, at: number): Uint8Array => { const copy = bytes.slice(); copy[at] = copy[at]! ^ 1; return copy; };
  assert.is(nodeFrameCipher.open(key, nonce, associatedData, flip(body, 0)), undefined);
  assert.is(nodeFrameCipher.open(key, nonce, associatedData, flip(body, 1039)), undefined);
  assert.is(nodeFrameCipher.open(key, flip(nonce, 11), associatedData, body), undefined);
  assert.is(nodeFrameCipher.open(key, nonce, flip(associatedData, 30), body), undefined);
  assert.is(nodeFrameCipher.open(createSecretKey(randomBytes(32)), nonce, associatedData, body), undefined);
});

test('rekey is HKDF-SHA256(key, empty salt, rekey label) as noble computes it', () => {
  const raw = randomBytes(32);
  const next = nodeFrameCipher.nextKey(createSecretKey(raw));
  const expected = hkdf(sha256, raw, new Uint8Array(0), new TextEncoder().encode(LABELS.rekey), 32);
  assert.ok(bytesEqual(next.export(), expected));
});

test('importTrafficKey wipes the raw bytes it was given', () => {
  const raw = new Uint8Array(randomBytes(32));
  const copy = raw.slice();
  const key = importTrafficKey(raw);
  assert.ok(isAllZero(raw));
  assert.ok(bytesEqual(key.export(), copy));
});

test.run();
