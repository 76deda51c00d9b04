// The enclave's handshake against the real noble client and against hand-crafted hostile
// ClientHellos: each defect gets its own code, a rejected hello changes nothing, and a
// seeded fuzz of 20,000 malformed hellos yields only coded errors.
import { randomBytes } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes';
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClientHandshake } from '../../../client/channel/index.js';
import { createServerHandshake, ENCLAVE_CHANNEL_FAULTS, type EnclaveChannelKeys } from '../../../src/enclave/channel/index.js';
import { bytesEqual, concatBytes } from '../../../src/protocol/bytes.js';
import { LABELS } from '../../../src/protocol/channel-wire.js';
import { decodeServerHello, encodeClientHello, encodeClientHelloCleartext } from '../../../src/protocol/hello.js';
import { encodeClientTranscript } from '../../../src/protocol/transcript.js';
import { freshEnclaveKeys } from '../../protocol/channel-pair.js';
import { expectCodedRejection, fuzzSeed, mutate, runFuzz } from '../../protocol/fuzz-support.js';

const keys = freshEnclaveKeys();
const attestationHash = new Uint8Array(randomBytes(32));
const rejectionName = (action: () => unknown): string => expectCodedRejection(action, 2100, 2199).errorName;

function clientFor(enclave: EnclaveChannelKeys, overrides: { attestationHash?: Uint8Array; traderIdentitySecretKey?: Uint8Array } = {}) {
  return createClientHandshake({
    enclaveKeyAgreementPublicKey: enclave.keyAgreementPublicKey, enclaveIdentityPublicKey: enclave.identityPublicKey,
    attestationHash: overrides.attestationHash ?? attestationHash, traderIdentitySecretKey: overrides.traderIdentitySecretKey ?? new Uint8Array(randomBytes(32)),
  });
}

interface CraftOptions {
  readonly traderIdentityPublicKey: Uint8Array;
  readonly signingSecretKey: Uint8Array;
  readonly clientEphemeralPublicKey?: Uint8Array;
  readonly transcriptEnclaveIdentityPublicKey?: Uint8Array;
}

/** A ClientHello built by hand with noble, to say things the real client never would. */
function craftClientHello(options: CraftOptions): Uint8Array {
  const ephemeralSecret = randomBytes(32);
  const clientEphemeralPublicKey = options.clientEphemeralPublicKey ?? x25519.getPublicKey(ephemeralSecret);
  const clientNonce = new Uint8Array(randomBytes(32));
  const cleartext = encodeClientHelloCleartext({ version: 1, attestationHash, clientEphemeralPublicKey, clientNonce });
  const transcript = encodeClientTranscript({
    version: 1, enclaveKeyAgreementPublicKey: keys.keyAgreementPublicKey,
    enclaveIdentityPublicKey: options.transcriptEnclaveIdentityPublicKey ?? keys.identityPublicKey, attestationHash,
    clientEphemeralPublicKey, clientNonce, traderIdentityPublicKey: options.traderIdentityPublicKey,
  });
  const signature = ed25519.sign(transcript, options.signingSecretKey);
  const dhStatic = options.clientEphemeralPublicKey === undefined ? x25519.getSharedSecret(ephemeralSecret, keys.keyAgreementPublicKey) : new Uint8Array(32);
  const helloKey = hkdf(sha256, dhStatic, sha256(cleartext), new TextEncoder().encode(LABELS.helloKey), 32);
  return encodeClientHello(cleartext, gcm(helloKey, new Uint8Array(12), cleartext).encrypt(concatBytes(options.traderIdentityPublicKey, signature)));
}

test('a genuine hello from the noble client opens a session both ways', () => {
  const traderIdentitySecretKey = new Uint8Array(randomBytes(32));
  const client = clientFor(keys, { traderIdentitySecretKey });
  const { serverHello, session } = createServerHandshake(keys, attestationHash, { framesPerEpoch: 7 }).acceptClientHello(client.clientHello);
  assert.is(serverHello.length, 150);
  assert.is(decodeServerHello(serverHello, ENCLAVE_CHANNEL_FAULTS).framesPerEpoch, 7);
  assert.ok(bytesEqual(session.traderIdentityPublicKey, ed25519.getPublicKey(traderIdentitySecretKey)));
  const clientSession = client.finish(serverHello);
  assert.ok(bytesEqual(clientSession.sessionId, session.sessionId));
  assert.is(new TextDecoder().decode(session.open(clientSession.seal(new TextEncoder().encode('buy')))), 'buy');
  assert.is(new TextDecoder().decode(clientSession.open(session.seal(new TextEncoder().encode('ack')))), 'ack');
});

test('the host sees no trader identity in the ClientHello', () => {
  const traderIdentitySecretKey = new Uint8Array(randomBytes(32));
  const hello = clientFor(keys, { traderIdentitySecretKey }).clientHello;
  const identity = Buffer.from(ed25519.getPublicKey(traderIdentitySecretKey));
  assert.is(Buffer.from(hello).indexOf(identity), -1);
});

test('a rejected hello leaves the handshake usable; a second success is HANDSHAKE_ALREADY_USED', () => {
  const handshake = createServerHandshake(keys, attestationHash);
  assert.is(rejectionName(() => handshake.acceptClientHello(new Uint8Array(210))), 'CHANNEL_UNSUPPORTED_VERSION');
  const hello = clientFor(keys).clientHello;
  handshake.acceptClientHello(hello);
  assert.is(rejectionName(() => handshake.acceptClientHello(hello)), 'CHANNEL_HANDSHAKE_ALREADY_USED');
});

test('a hello for another attestation bundle is HELLO_ATTESTATION_MISMATCH', () => {
  const hello = clientFor(keys, { attestationHash: new Uint8Array(randomBytes(32)) }).clientHello;
  const error = expectCodedRejection(() => createServerHandshake(keys, attestationHash).acceptClientHello(hello), 2100, 2199);
  assert.is(error.errorName, 'CHANNEL_HELLO_ATTESTATION_MISMATCH');
  assert.is(error.code, 2150);
});

test('a hello sealed to another key-agreement key, or tampered with, is HELLO_AUTH_FAILED', () => {
  const other = freshEnclaveKeys();
  const misdirected = createClientHandshake({
    enclaveKeyAgreementPublicKey: other.keyAgreementPublicKey, enclaveIdentityPublicKey: keys.identityPublicKey, attestationHash,
    traderIdentitySecretKey: new Uint8Array(randomBytes(32)),
  }).clientHello;
  assert.is(rejectionName(() => createServerHandshake(keys, attestationHash).acceptClientHello(misdirected)), 'CHANNEL_HELLO_AUTH_FAILED');
  const genuine = clientFor(keys).clientHello;
  for (const offset of [34, 70, 100, 150, 209]) {
    const tampered = genuine.slice();
    tampered[offset] = tampered[offset]! ^ 0x01;
    assert.is(rejectionName(() => createServerHandshake(keys, attestationHash).acceptClientHello(tampered)), 'CHANNEL_HELLO_AUTH_FAILED', `offset ${offset}`);
  }
});

test('a signature that does not verify is HELLO_BAD_SIGNATURE', () => {
  const trader = randomBytes(32);
  const someoneElse = randomBytes(32);
  const forged = craftClientHello({ traderIdentityPublicKey: ed25519.getPublicKey(trader), signingSecretKey: someoneElse });
  assert.is(rejectionName(() => createServerHandshake(keys, attestationHash).acceptClientHello(forged)), 'CHANNEL_HELLO_BAD_SIGNATURE');
  const wrongEnclave = craftClientHello({ traderIdentityPublicKey: ed25519.getPublicKey(trader), signingSecretKey: trader, transcriptEnclaveIdentityPublicKey: freshEnclaveKeys().identityPublicKey });
  assert.is(rejectionName(() => createServerHandshake(keys, attestationHash).acceptClientHello(wrongEnclave)), 'CHANNEL_HELLO_BAD_SIGNATURE');
  const honest = craftClientHello({ traderIdentityPublicKey: ed25519.getPublicKey(trader), signingSecretKey: trader });
  assert.ok(createServerHandshake(keys, attestationHash).acceptClientHello(honest).session, 'the crafting itself is sound');
});

test('a small-order identity or a low-order ephemeral key is HELLO_BAD_PUBLIC_KEY', () => {
  const identityPoint = new Uint8Array(32);
  identityPoint[0] = 1;
  const weak = craftClientHello({ traderIdentityPublicKey: identityPoint, signingSecretKey: randomBytes(32) });
  assert.is(rejectionName(() => createServerHandshake(keys, attestationHash).acceptClientHello(weak)), 'CHANNEL_HELLO_BAD_PUBLIC_KEY');
  for (const lowOrder of [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))]) {
    const hello = craftClientHello({ traderIdentityPublicKey: ed25519.getPublicKey(randomBytes(32)), signingSecretKey: randomBytes(32), clientEphemeralPublicKey: lowOrder });
    const error = expectCodedRejection(() => createServerHandshake(keys, attestationHash).acceptClientHello(hello), 2100, 2199);
    assert.is(error.errorName, 'CHANNEL_HELLO_BAD_PUBLIC_KEY');
    assert.is(error.code, 2105);
  }
});

test('bad handshake inputs are HANDSHAKE_BAD_INPUT', () => {
  for (const make of [
    () => createServerHandshake(keys, new Uint8Array(31)),
    () => createServerHandshake(keys, attestationHash, { framesPerEpoch: 0 }),
    () => createServerHandshake(keys, attestationHash, { framesPerEpoch: 2 ** 24 + 1 }),
    () => createServerHandshake(keys, attestationHash, { framesPerEpoch: 1.5 }),
  ]) assert.is(rejectionName(make), 'CHANNEL_HANDSHAKE_BAD_INPUT');
});

test('pinned randomness makes the ServerHello reproducible; the default never repeats', () => {
  const hello = clientFor(keys).clientHello;
  const pinned = () => { let n = 0; return (length: number) => new Uint8Array(length).fill(++n); };
  const a = createServerHandshake(keys, attestationHash, { randomBytes: pinned() }).acceptClientHello(hello).serverHello;
  const b = createServerHandshake(keys, attestationHash, { randomBytes: pinned() }).acceptClientHello(hello).serverHello;
  assert.ok(bytesEqual(a, b));
  const c = createServerHandshake(keys, attestationHash).acceptClientHello(hello).serverHello;
  const d = createServerHandshake(keys, attestationHash).acceptClientHello(hello).serverHello;
  assert.not.ok(bytesEqual(c.subarray(2, 82), d.subarray(2, 82)), 'fresh ephemeral key, session id and nonce');
});

test('fuzz: 20,000 malformed ClientHellos are each a coded error, and change nothing', () => {
  const seed = fuzzSeed(0x5e4e1);
  const genuine = clientFor(keys).clientHello;
  const handshake = createServerHandshake(keys, attestationHash);
  const seen = new Set<string>();
  runFuzz('server ClientHello', seed, 20_000, (random) => {
    const input = mutate(genuine, random, [0, 1, 2, 33, 34, 65, 66, 97, 98, 130, 193, 209]);
    return { input, check: () => { seen.add(expectCodedRejection(() => handshake.acceptClientHello(input), 2100, 2199).errorName); } };
  });
  assert.ok(seen.size >= 5, `reached ${[...seen].join(', ')}`);
  assert.ok(handshake.acceptClientHello(genuine).session, 'the genuine hello still succeeds');
});

test.run();
