// The committed vectors are what the generator derives, and @noble's primitives agree with
// every value node's primitives produced for them: keys, exchanges, HKDF outputs, signatures
// and sealed frames; the packed payloads (§5.1) decode to the messages they list. (Each
// side's own reproduction is tested beside that side.)
import { readFileSync } from 'node:fs';
import { gcm } from '@noble/ciphers/aes';
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChannelVectors, CHANNEL_VECTORS_URL, type ChannelVectors } from '../../scripts/gen-channel-vectors.js';
import { concatBytes } from '../../src/protocol/bytes.js';
import { LABELS } from '../../src/protocol/channel-wire.js';
import { decodeMessages } from '../../src/protocol/message-codec.js';
import { ENCLAVE_CHANNEL_FAULTS } from '../../src/enclave/channel/faults.js';

const vectors = JSON.parse(readFileSync(CHANNEL_VECTORS_URL, 'utf8')) as ChannelVectors;
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');
const label = (text: string): Uint8Array => new TextEncoder().encode(text);

test('test/vectors/channel.json is exactly what scripts/gen-channel-vectors.ts derives', () => {
  assert.equal(vectors, JSON.parse(JSON.stringify(buildChannelVectors())), 'run npx tsx scripts/gen-channel-vectors.ts');
});

test('the vectors cross two rekeys in each direction and use two buckets', () => {
  for (const frames of [vectors.clientToServerFrames, vectors.serverToClientFrames]) {
    assert.equal([...new Set(frames.map((f) => f.epoch))], [0, 1, 2]);
    assert.equal([...new Set(frames.map((f) => f.frame.length / 2))].sort(), [1071, 4143]);
  }
  assert.is(vectors.inputs.framesPerEpoch, 3);
});

test('noble derives the same public keys and exchanges', () => {
  const { inputs, derived } = vectors;
  assert.is(hex(ed25519.getPublicKey(bytes(inputs.enclaveIdentitySecretKey))), derived.enclaveIdentityPublicKey);
  assert.is(hex(ed25519.getPublicKey(bytes(inputs.traderIdentitySecretKey))), derived.traderIdentityPublicKey);
  assert.is(hex(x25519.getPublicKey(bytes(inputs.enclaveKeyAgreementSecretKey))), derived.enclaveKeyAgreementPublicKey);
  assert.is(hex(x25519.getPublicKey(bytes(inputs.clientEphemeralSecretKey))), derived.clientEphemeralPublicKey);
  assert.is(hex(x25519.getPublicKey(bytes(inputs.serverEphemeralSecretKey))), derived.serverEphemeralPublicKey);
  assert.is(hex(x25519.getSharedSecret(bytes(inputs.enclaveKeyAgreementSecretKey), bytes(derived.clientEphemeralPublicKey))), derived.dhStatic);
  assert.is(hex(x25519.getSharedSecret(bytes(inputs.serverEphemeralSecretKey), bytes(derived.clientEphemeralPublicKey))), derived.dhEphemeral);
});

test('noble derives the same hello key, traffic keys and rekeyed keys', () => {
  const { derived } = vectors;
  const cleartext = bytes(vectors.clientHello).subarray(0, 98);
  assert.is(hex(hkdf(sha256, bytes(derived.dhStatic), sha256(cleartext), label(LABELS.helloKey), 32)), derived.helloKey);
  assert.is(hex(sha256(bytes(derived.serverTranscript))), derived.transcriptHash);
  const okm = hkdf(sha256, concatBytes(bytes(derived.dhStatic), bytes(derived.dhEphemeral)), bytes(derived.transcriptHash), label(LABELS.trafficKeys), 64);
  assert.is(hex(okm.subarray(0, 32)), derived.clientToServerKeys[0]);
  assert.is(hex(okm.subarray(32)), derived.serverToClientKeys[0]);
  for (const keys of [derived.clientToServerKeys, derived.serverToClientKeys]) {
    for (let epoch = 1; epoch < keys.length; epoch++) {
      assert.is(hex(hkdf(sha256, bytes(keys[epoch - 1]!), new Uint8Array(0), label(LABELS.rekey), 32)), keys[epoch]);
    }
  }
});

test('noble produces the same signatures and verifies them strictly', () => {
  const { inputs, derived } = vectors;
  assert.is(hex(ed25519.sign(bytes(derived.clientTranscript), bytes(inputs.traderIdentitySecretKey))), derived.clientSignature);
  assert.is(hex(ed25519.sign(bytes(derived.serverTranscript), bytes(inputs.enclaveIdentitySecretKey))), derived.serverSignature);
  assert.ok(ed25519.verify(bytes(derived.serverSignature), bytes(derived.serverTranscript), bytes(derived.enclaveIdentityPublicKey), { zip215: false }));
});

test('noble opens every vector frame with the listed epoch key', () => {
  const check = (frames: ChannelVectors['clientToServerFrames'], keys: readonly string[], direction: number) => {
    for (const frame of frames) {
      const wire = bytes(frame.frame);
      const nonce = concatBytes(Uint8Array.of(direction, 0, 0, 0), wire.subarray(19, 27));
      const padded = gcm(bytes(keys[frame.epoch]!), nonce, wire.subarray(0, 31)).decrypt(wire.subarray(31));
      const length = Buffer.from(padded).readUInt32BE(0);
      assert.is(hex(padded.subarray(4, 4 + length)), frame.payload);
    }
  };
  check(vectors.clientToServerFrames, vectors.derived.clientToServerKeys, 1);
  check(vectors.serverToClientFrames, vectors.derived.serverToClientKeys, 2);
});

test('each direction has packed frames in two buckets, and each decodes to the messages it lists', () => {
  for (const frames of [vectors.clientToServerFrames, vectors.serverToClientFrames]) {
    const packedFrames = frames.filter((frame) => frame.messages !== undefined);
    assert.equal(packedFrames.map((frame) => frame.frame.length / 2), [1071, 4143]);
    for (const frame of packedFrames) {
      assert.ok(frame.messages!.length >= 2);
      assert.equal(decodeMessages(bytes(frame.payload), ENCLAVE_CHANNEL_FAULTS), frame.messages);
    }
  }
});

test.run();
