// The node:crypto client cipher the load generators use is a faithful stand-in for @noble's:
// a client handshake given it reproduces test/vectors/channel.json byte for byte (ClientHello,
// every client frame sealed, every server frame opened, across two rekeys), it seals exactly
// what @noble seals, refuses tampering without throwing, and wipes keys it destroys.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClientHandshake } from '../../client/channel/index.js';
import { nobleFrameCipher } from '../../client/channel/noble-frame-cipher.js';
import { CHANNEL_VECTORS_URL, type ChannelVectors } from '../../scripts/gen-channel-vectors.js';
import { bytesEqual, isAllZero } from '../../src/protocol/bytes.js';
import { seededRandom } from '../protocol/fuzz-support.js';
import { nodeClientFrameCipher } from './node-client-frame-cipher.js';

const vectors = JSON.parse(readFileSync(CHANNEL_VECTORS_URL, 'utf8')) as ChannelVectors;
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');

test('a client session on the node cipher reproduces the channel vectors', () => {
  const { inputs, derived } = vectors;
  const pinned = [inputs.clientEphemeralSecretKey, inputs.clientNonce].map(bytes);
  const handshake = createClientHandshake({
    enclaveKeyAgreementPublicKey: bytes(derived.enclaveKeyAgreementPublicKey), enclaveIdentityPublicKey: bytes(derived.enclaveIdentityPublicKey),
    attestationHash: bytes(inputs.attestationHash), traderIdentitySecretKey: bytes(inputs.traderIdentitySecretKey),
    randomBytes: (length) => { const next = pinned.shift()!; assert.is(next.length, length); return next; },
    frameCipher: nodeClientFrameCipher,
  });
  assert.is(hex(handshake.clientHello), vectors.clientHello);
  const session = handshake.finish(bytes(vectors.serverHello));
  assert.equal([...new Set(vectors.clientToServerFrames.map((frame) => frame.epoch))], [0, 1, 2], 'the frames cross two rekeys');
  for (const frame of vectors.clientToServerFrames) assert.is(hex(session.seal(bytes(frame.payload))), frame.frame, `client frame ${frame.epoch}/${frame.counter}`);
  for (const frame of vectors.serverToClientFrames) assert.is(hex(session.open(bytes(frame.frame))), frame.payload, `server frame ${frame.epoch}/${frame.counter}`);
});

test('the rekey chain is the vectors\' key schedule', () => {
  for (const keys of [vectors.derived.clientToServerKeys, vectors.derived.serverToClientKeys]) {
    for (let epoch = 1; epoch < keys.length; epoch++) assert.is(hex(nodeClientFrameCipher.nextKey(bytes(keys[epoch - 1]!))), keys[epoch]);
  }
});

test('node and @noble seal identically and open each other (seeded)', () => {
  const random = seededRandom(97);
  for (let i = 0; i < 100; i++) {
    const key = random.bytes(32);
    const nonce = random.bytes(12);
    const associatedData = random.bytes(31);
    const padded = random.bytes(random.pick([1024, 4096]));
    const fromNode = new Uint8Array(padded.length + 16);
    const fromNoble = new Uint8Array(padded.length + 16);
    nodeClientFrameCipher.seal(key, nonce, associatedData, padded, fromNode);
    nobleFrameCipher.seal(key, nonce, associatedData, padded, fromNoble);
    assert.ok(bytesEqual(fromNode, fromNoble), `frame ${i}`);
    assert.ok(bytesEqual(nodeClientFrameCipher.open(key, nonce, associatedData, fromNoble)!, padded), `open ${i}`);
  }
});

test('a tampered body or associated data opens to undefined; destroyKey wipes', () => {
  const random = seededRandom(98);
  const key = random.bytes(32);
  const nonce = random.bytes(12);
  const associatedData = random.bytes(31);
  const body = new Uint8Array(1040);
  nodeClientFrameCipher.seal(key, nonce, associatedData, random.bytes(1024), body);
  const flipped = body.slice();
  flipped[7] = flipped[7]! ^ 1;
  assert.is(nodeClientFrameCipher.open(key, nonce, associatedData, flipped), undefined);
  const otherData = associatedData.slice();
  otherData[0] = otherData[0]! ^ 1;
  assert.is(nodeClientFrameCipher.open(key, nonce, otherData, body), undefined);
  nodeClientFrameCipher.destroyKey(key);
  assert.ok(isAllZero(key));
});

test.run();
