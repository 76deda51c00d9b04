// INVARIANT: a sealed frame opens only under its own segment key, at its own sequence and
// after its own predecessor; keys are separated by purpose and by salt; the construction is
// plain AES-256-GCM and HMAC-SHA256 (an independent implementation, @noble, agrees).
import { gcm } from '@noble/ciphers/aes';
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  GENESIS_CHAIN_MAC,
  chainMacOf,
  deriveJournalKeys,
  deriveSnapshotKeys,
  deriveUnitKey,
  freshSalt,
  headerMacOf,
  macEquals,
  openFrameCiphertext,
  openSnapshotBody,
  sealFrameInto,
  sealSnapshotBody,
  zeroKeys,
} from '../../../src/enclave/journal/sealing.js';
import { FRAME_CIPHERTEXT_AT, MAC_BYTES, TAG_BYTES, frameBytesFor } from '../../../src/enclave/journal/segment-format.js';
import { codedFailure, testKey } from './helpers.js';

const keys = deriveJournalKeys(testKey(1));
const salt = Buffer.alloc(16, 5);
const segmentKey = deriveUnitKey(keys.recordRootKey, salt, 'segment');

function sealed(sequence: number, prevMac: Uint8Array, payload: Uint8Array): { frame: Buffer; ciphertext: Buffer; tag: Buffer; chainMac: Buffer } {
  const frame = Buffer.alloc(frameBytesFor(payload.length));
  sealFrameInto(frame, 0, segmentKey, keys.macKey, sequence, prevMac, payload);
  const tagAt = FRAME_CIPHERTEXT_AT + payload.length;
  return {
    frame,
    ciphertext: frame.subarray(FRAME_CIPHERTEXT_AT, tagAt),
    tag: frame.subarray(tagAt, tagAt + TAG_BYTES),
    chainMac: frame.subarray(tagAt + TAG_BYTES),
  };
}

test('a sealed frame opens with its key, sequence and predecessor, and with nothing else', () => {
  const payload = Buffer.from('place order 42');
  const { ciphertext, tag } = sealed(9, GENESIS_CHAIN_MAC, payload);
  assert.not.equal(Buffer.from(ciphertext), payload, 'ciphertext is not the plaintext');
  assert.equal(openFrameCiphertext(segmentKey, 9, GENESIS_CHAIN_MAC, ciphertext, tag), payload);
  assert.is(openFrameCiphertext(segmentKey, 10, GENESIS_CHAIN_MAC, ciphertext, tag), undefined, 'other sequence');
  assert.is(openFrameCiphertext(segmentKey, 9, new Uint8Array(32).fill(1), ciphertext, tag), undefined, 'other predecessor');
  const otherKey = deriveUnitKey(keys.recordRootKey, Buffer.alloc(16, 6), 'segment');
  assert.is(openFrameCiphertext(otherKey, 9, GENESIS_CHAIN_MAC, ciphertext, tag), undefined, 'other segment key');
  const flipped = Buffer.from(ciphertext);
  flipped[0]! ^= 1;
  assert.is(openFrameCiphertext(segmentKey, 9, GENESIS_CHAIN_MAC, flipped, tag), undefined, 'altered ciphertext');
});

test('the chain MAC covers the previous value and the whole sealed frame', () => {
  const { frame, chainMac } = sealed(1, GENESIS_CHAIN_MAC, Buffer.from('abc'));
  const body = frame.subarray(0, frame.length - MAC_BYTES);
  assert.ok(macEquals(chainMac, chainMacOf(keys.macKey, GENESIS_CHAIN_MAC, body)));
  assert.not.ok(macEquals(chainMac, chainMacOf(keys.macKey, new Uint8Array(32).fill(1), body)));
  const altered = Buffer.from(body);
  altered[altered.length - 1]! ^= 1;
  assert.not.ok(macEquals(chainMac, chainMacOf(keys.macKey, GENESIS_CHAIN_MAC, altered)));
  const next = sealed(2, chainMac, Buffer.from('def'));
  assert.not.ok(macEquals(next.chainMac, chainMac));
});

test('@noble agrees: the frame is AES-256-GCM with nonce 0^4||seq and AAD seq||prevMac, the chain is HMAC-SHA256', () => {
  const payload = Buffer.from('cross-implementation vector');
  const prevMac = new Uint8Array(32).map((_, index) => index);
  const sequence = 0x0102_0304_05;
  const { frame, ciphertext, tag, chainMac } = sealed(sequence, prevMac, payload);
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32BE(0x01, 4);
  nonce.writeUInt32BE(0x0203_0405, 8);
  const aad = Buffer.concat([nonce.subarray(4), prevMac]);
  const nobleSealed = gcm(segmentKey, nonce, aad).encrypt(payload);
  assert.equal(Buffer.from(nobleSealed), Buffer.concat([ciphertext, tag]));
  const nobleChain = hmac(sha256, keys.macKey, Buffer.concat([Buffer.from([2]), prevMac, frame.subarray(0, frame.length - MAC_BYTES)]));
  assert.equal(Buffer.from(nobleChain), Buffer.from(chainMac));
});

test('keys are deterministic per sealing key, separated by purpose and by salt', () => {
  const again = deriveJournalKeys(testKey(1));
  assert.equal(again.macKey, keys.macKey);
  assert.equal(again.keyCheck, keys.keyCheck);
  const other = deriveJournalKeys(testKey(2));
  assert.not.equal(other.keyCheck, keys.keyCheck);
  const snapshot = deriveSnapshotKeys(testKey(1));
  assert.not.equal(snapshot.rootKey, keys.recordRootKey);
  assert.not.equal(keys.macKey, keys.recordRootKey);
  assert.not.equal(deriveUnitKey(keys.recordRootKey, salt, 'snapshot'), segmentKey);
  assert.not.equal(freshSalt(), freshSalt());
  assert.is(headerMacOf(keys, Buffer.from('x')).length, 32);
  const doomed = deriveJournalKeys(testKey(3));
  zeroKeys(doomed);
  assert.ok(doomed.macKey.every((byte) => byte === 0) && doomed.recordRootKey.every((byte) => byte === 0));
});

test('a sealing key that is not 32 bytes is refused with a coded error', async () => {
  await codedFailure(() => deriveJournalKeys(new Uint8Array(16)), 'SEALING_KEY_INVALID');
  await codedFailure(() => deriveSnapshotKeys(new Uint8Array(33)), 'SEALING_KEY_INVALID');
});

test('snapshot bodies seal and open under their own key and associated data', () => {
  const unitKey = deriveUnitKey(deriveSnapshotKeys(testKey(1)).rootKey, salt, 'snapshot');
  const associated = Buffer.from('header');
  const body = Buffer.from('state bytes');
  const { ciphertext, tag } = sealSnapshotBody(unitKey, 5, associated, body);
  assert.equal(openSnapshotBody(unitKey, 5, associated, ciphertext, tag), body);
  assert.is(openSnapshotBody(unitKey, 6, associated, ciphertext, tag), undefined);
  assert.is(openSnapshotBody(unitKey, 5, Buffer.from('Header'), ciphertext, tag), undefined);
});

test.run();
