// The enclave reproduces test/vectors/channel.json byte for byte: its public keys, the
// ServerHello for the vector's ClientHello, every client frame opened, every server frame
// sealed, across two rekeys; packed frames (§5.1) opened with openMessages and sealed with
// sealMessages from their message lists.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHANNEL_VECTORS_URL, type ChannelVectors } from '../../../scripts/gen-channel-vectors.js';
import { createServerHandshake, loadEnclaveChannelKeys } from '../../../src/enclave/channel/index.js';

const vectors = JSON.parse(readFileSync(CHANNEL_VECTORS_URL, 'utf8')) as ChannelVectors;
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');

test('node enclave reproduces the vectors', () => {
  const { inputs, derived } = vectors;
  const keys = loadEnclaveChannelKeys({ identitySecretKey: bytes(inputs.enclaveIdentitySecretKey), keyAgreementSecretKey: bytes(inputs.enclaveKeyAgreementSecretKey) });
  assert.is(hex(keys.identityPublicKey), derived.enclaveIdentityPublicKey);
  assert.is(hex(keys.keyAgreementPublicKey), derived.enclaveKeyAgreementPublicKey);
  const pinned = [inputs.serverEphemeralSecretKey, inputs.sessionId, inputs.serverNonce].map(bytes);
  const randomBytes = (length: number): Uint8Array => {
    const next = pinned.shift()!;
    assert.is(next.length, length, 'randomness is requested in the documented order');
    return next;
  };
  const { serverHello, session } = createServerHandshake(keys, bytes(inputs.attestationHash), { framesPerEpoch: inputs.framesPerEpoch, randomBytes }).acceptClientHello(bytes(vectors.clientHello));
  assert.is(hex(serverHello), vectors.serverHello);
  assert.is(hex(session.traderIdentityPublicKey), derived.traderIdentityPublicKey);
  assert.is(hex(session.sessionId), inputs.sessionId);
  for (const frame of vectors.clientToServerFrames) {
    if (frame.messages === undefined) assert.is(hex(session.open(bytes(frame.frame))), frame.payload, `client frame ${frame.epoch}/${frame.counter}`);
    else assert.equal(session.openMessages(bytes(frame.frame)), frame.messages, `packed client frame ${frame.epoch}/${frame.counter}`);
  }
  for (const frame of vectors.serverToClientFrames) {
    const sealed = frame.messages === undefined ? [session.seal(bytes(frame.payload))] : session.sealMessages(frame.messages);
    assert.equal(sealed.map(hex), [frame.frame], `server frame ${frame.epoch}/${frame.counter}`);
  }
});

test.run();
