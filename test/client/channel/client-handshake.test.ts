// The trader's handshake against the real node enclave and against forged ServerHellos:
// each defect gets its own 61xx code, a forged reply does not spoil the genuine one, and a
// seeded fuzz of 5,000 malformed ServerHellos yields only coded errors.
import { randomBytes } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClientHandshake, type ClientHandshakeInput } from '../../../client/channel/index.js';
import { createServerHandshake, loadEnclaveChannelKeys } from '../../../src/enclave/channel/index.js';
import { bytesEqual } from '../../../src/protocol/bytes.js';
import { encodeServerHello } from '../../../src/protocol/hello.js';
import { encodeClientTranscript, encodeServerTranscript } from '../../../src/protocol/transcript.js';
import { expectCodedRejection, fuzzSeed, mutate, runFuzz } from '../../protocol/fuzz-support.js';

const identitySecretKey = new Uint8Array(randomBytes(32));
const keyAgreementSecretKey = new Uint8Array(randomBytes(32));
const keys = loadEnclaveChannelKeys({ identitySecretKey, keyAgreementSecretKey });
const attestationHash = new Uint8Array(randomBytes(32));
const rejectionName = (action: () => unknown): string => expectCodedRejection(action, 6100, 6199).errorName;

function input(overrides: Partial<ClientHandshakeInput> = {}): ClientHandshakeInput {
  return {
    enclaveKeyAgreementPublicKey: keys.keyAgreementPublicKey, enclaveIdentityPublicKey: keys.identityPublicKey, attestationHash,
    traderIdentitySecretKey: new Uint8Array(randomBytes(32)), ...overrides,
  };
}

function exchange(framesPerEpoch?: number) {
  const client = createClientHandshake(input());
  const { serverHello, session } = createServerHandshake(keys, attestationHash, framesPerEpoch === undefined ? {} : { framesPerEpoch }).acceptClientHello(client.clientHello);
  return { client, serverHello, server: session };
}

const withByte = (bytes: Uint8Array, offset: number, value: number): Uint8Array => { const copy = bytes.slice(); copy[offset] = value; return copy; };

test('a genuine ServerHello from the node enclave establishes the session', () => {
  const { client, serverHello, server } = exchange();
  const session = client.finish(serverHello);
  assert.ok(bytesEqual(session.enclaveIdentityPublicKey, keys.identityPublicKey));
  assert.ok(bytesEqual(server.traderIdentityPublicKey, client.traderIdentityPublicKey));
  assert.is(new TextDecoder().decode(server.open(session.seal(new TextEncoder().encode('hello')))), 'hello');
});

test('any change to a signed field is HELLO_BAD_SIGNATURE', () => {
  const { client, serverHello } = exchange();
  for (const offset of [2, 33, 34, 49, 50, 81, 85, 86, 149]) {
    assert.is(rejectionName(() => client.finish(withByte(serverHello, offset, serverHello[offset]! ^ 0x04))), 'CLIENT_CHANNEL_HELLO_BAD_SIGNATURE', `offset ${offset}`);
  }
});

test('a rekey interval out of range is HELLO_BAD_PARAMETER', () => {
  const { client, serverHello } = exchange();
  const withInterval = (value: number): Uint8Array => { const copy = serverHello.slice(); Buffer.from(copy.buffer).writeUInt32BE(value, 82); return copy; };
  for (const value of [0, 2 ** 24 + 1, 2 ** 32 - 1]) {
    const error = expectCodedRejection(() => client.finish(withInterval(value)), 6100, 6199);
    assert.is(error.errorName, 'CLIENT_CHANNEL_HELLO_BAD_PARAMETER');
    assert.is(error.code, 6150);
  }
});

test('structural defects: version, kind, length', () => {
  const { client, serverHello } = exchange();
  assert.is(rejectionName(() => client.finish(withByte(serverHello, 0, 2))), 'CLIENT_CHANNEL_UNSUPPORTED_VERSION');
  assert.is(rejectionName(() => client.finish(withByte(serverHello, 1, 3))), 'CLIENT_CHANNEL_UNEXPECTED_KIND');
  assert.is(rejectionName(() => client.finish(serverHello.subarray(0, 149))), 'CLIENT_CHANNEL_HELLO_BAD_LENGTH');
  assert.is(rejectionName(() => client.finish(new Uint8Array(0))), 'CLIENT_CHANNEL_HELLO_BAD_LENGTH');
});

test('a forged reply leaves the handshake usable; after success or close it is HANDSHAKE_ALREADY_USED', () => {
  const { client, serverHello } = exchange();
  rejectionName(() => client.finish(withByte(serverHello, 100, serverHello[100]! ^ 1)));
  assert.ok(client.finish(serverHello));
  assert.is(rejectionName(() => client.finish(serverHello)), 'CLIENT_CHANNEL_HANDSHAKE_ALREADY_USED');
  const abandoned = exchange();
  abandoned.client.close();
  assert.is(rejectionName(() => abandoned.client.finish(abandoned.serverHello)), 'CLIENT_CHANNEL_HANDSHAKE_ALREADY_USED');
});

test('a correctly signed ServerHello with a low-order ephemeral key is HELLO_BAD_PUBLIC_KEY', () => {
  const pinned = [new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(32))];
  const [ephemeralSecret, clientNonce] = pinned.map((b) => b.slice()) as [Uint8Array, Uint8Array];
  const traderIdentitySecretKey = new Uint8Array(randomBytes(32));
  const client = createClientHandshake(input({ traderIdentitySecretKey, randomBytes: () => pinned.shift()! }));
  const clientTranscript = encodeClientTranscript({
    version: 1, enclaveKeyAgreementPublicKey: keys.keyAgreementPublicKey, enclaveIdentityPublicKey: keys.identityPublicKey, attestationHash,
    clientEphemeralPublicKey: x25519.getPublicKey(ephemeralSecret), clientNonce, traderIdentityPublicKey: ed25519.getPublicKey(traderIdentitySecretKey),
  });
  const fields = { serverEphemeralPublicKey: new Uint8Array(32), sessionId: new Uint8Array(16), serverNonce: new Uint8Array(32), framesPerEpoch: 8 };
  const serverTranscript = encodeServerTranscript({ clientTranscript, clientSignature: ed25519.sign(clientTranscript, traderIdentitySecretKey), ...fields });
  const forged = encodeServerHello({ version: 1, ...fields, serverSignature: ed25519.sign(serverTranscript, identitySecretKey) });
  const error = expectCodedRejection(() => client.finish(forged), 6100, 6199);
  assert.is(error.errorName, 'CLIENT_CHANNEL_HELLO_BAD_PUBLIC_KEY');
});

test('malformed or weak inputs are HANDSHAKE_BAD_INPUT', () => {
  const identityPoint = Uint8Array.of(1, ...new Uint8Array(31));
  for (const overrides of [
    { attestationHash: new Uint8Array(31) },
    { enclaveIdentityPublicKey: new Uint8Array(33) },
    { enclaveKeyAgreementPublicKey: new Uint8Array(16) },
    { traderIdentitySecretKey: new Uint8Array(64) },
    { enclaveIdentityPublicKey: identityPoint },
    { enclaveKeyAgreementPublicKey: new Uint8Array(32) },
  ] as Partial<ClientHandshakeInput>[]) {
    assert.is(rejectionName(() => createClientHandshake(input(overrides))), 'CLIENT_CHANNEL_HANDSHAKE_BAD_INPUT', JSON.stringify(Object.keys(overrides)));
  }
});

test('fuzz: 5,000 malformed ServerHellos are each a coded error, and change nothing', () => {
  const seed = fuzzSeed(0xc11e47);
  const { client, serverHello } = exchange();
  const seen = new Set<string>();
  runFuzz('client ServerHello', seed, 5_000, (random) => {
    const fuzzed = mutate(serverHello, random, [0, 1, 2, 33, 34, 49, 50, 81, 82, 85, 86, 149]);
    return { input: fuzzed, check: () => { seen.add(expectCodedRejection(() => client.finish(fuzzed), 6100, 6199).errorName); } };
  });
  assert.ok(seen.size >= 5, `reached ${[...seen].join(', ')}`);
  assert.ok(client.finish(serverHello), 'the genuine reply still completes the handshake');
});

test.run();
