// The noble client reproduces test/vectors/channel.json byte for byte: its ClientHello from
// the pinned ephemeral key and nonce, the session from the vector ServerHello, every client
// frame sealed and every server frame opened, across two rekeys; packed frames (§5.1) sealed
// with sealMessages from their message lists and opened with openMessages.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClientHandshake } from '../../../client/channel/index.js';
import { CHANNEL_VECTORS_URL, type ChannelVectors } from '../../../scripts/gen-channel-vectors.js';

const vectors = JSON.parse(readFileSync(CHANNEL_VECTORS_URL, 'utf8')) as ChannelVectors;
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');

test('noble client reproduces the vectors', () => {
  const { inputs, derived } = vectors;
  const pinned = [inputs.clientEphemeralSecretKey, inputs.clientNonce].map(bytes);
  const handshake = createClientHandshake({
    enclaveKeyAgreementPublicKey: bytes(derived.enclaveKeyAgreementPublicKey), enclaveIdentityPublicKey: bytes(derived.enclaveIdentityPublicKey),
    attestationHash: bytes(inputs.attestationHash), traderIdentitySecretKey: bytes(inputs.traderIdentitySecretKey),
    randomBytes: (length) => { const next = pinned.shift()!; assert.is(next.length, length); return next; },
  });
  assert.is(hex(handshake.traderIdentityPublicKey), derived.traderIdentityPublicKey);
  assert.is(hex(handshake.clientHello), vectors.clientHello);
  const session = handshake.finish(bytes(vectors.serverHello));
  assert.is(hex(session.sessionId), inputs.sessionId);
  for (const frame of vectors.clientToServerFrames) {
    const sealed = frame.messages === undefined ? [session.seal(bytes(frame.payload))] : session.sealMessages(frame.messages);
    assert.equal(sealed.map(hex), [frame.frame], `client frame ${frame.epoch}/${frame.counter}`);
  }
  for (const frame of vectors.serverToClientFrames) {
    if (frame.messages === undefined) assert.is(hex(session.open(bytes(frame.frame))), frame.payload, `server frame ${frame.epoch}/${frame.counter}`);
    else assert.equal(session.openMessages(bytes(frame.frame)), frame.messages, `packed server frame ${frame.epoch}/${frame.counter}`);
  }
});

test.run();
