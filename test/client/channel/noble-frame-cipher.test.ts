// @noble's frame cipher against node's: identical frames, identical rekeys, refusal of
// tampered input, and keys wiped when destroyed.
import { createSecretKey, randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nobleFrameCipher } from '../../../client/channel/noble-frame-cipher.js';
import { nodeFrameCipher } from '../../../src/enclave/channel/node-frame-cipher.js';
import { bytesEqual, isAllZero } from '../../../src/protocol/bytes.js';
import { seededRandom } from '../../protocol/fuzz-support.js';

test('noble and node seal identically and open each other', () => {
  const random = seededRandom(41);
  for (let i = 0; i < 100; i++) {
    const key = random.bytes(32);
    const nonce = random.bytes(12);
    const associatedData = random.bytes(31);
    const padded = random.bytes(random.pick([1024, 4096]));
    const fromNoble = new Uint8Array(padded.length + 16);
    const fromNode = new Uint8Array(padded.length + 16);
    nobleFrameCipher.seal(key, nonce, associatedData, padded, fromNoble);
    nodeFrameCipher.seal(createSecretKey(key), nonce, associatedData, padded, fromNode);
    assert.ok(bytesEqual(fromNoble, fromNode));
    assert.ok(bytesEqual(nobleFrameCipher.open(key, nonce, associatedData, fromNode)!, padded));
  }
});

test('tampering opens to undefined, not an exception', () => {
  const key = new Uint8Array(randomBytes(32));
  const body = new Uint8Array(1040);
  nobleFrameCipher.seal(key, new Uint8Array(12), new Uint8Array(31), new Uint8Array(1024), body);
  body[5] = body[5]! ^ 1;
  assert.is(nobleFrameCipher.open(key, new Uint8Array(12), new Uint8Array(31), body), undefined);
});

test('rekey matches node; destroyKey wipes', () => {
  const raw = new Uint8Array(randomBytes(32));
  assert.ok(bytesEqual(nobleFrameCipher.nextKey(raw), nodeFrameCipher.nextKey(createSecretKey(raw)).export()));
  nobleFrameCipher.destroyKey(raw);
  assert.ok(isAllZero(raw));
});

test.run();
