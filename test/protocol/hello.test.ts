// Hello layouts: exact offsets, round trips, the order of structural checks, and a seeded
// fuzz of both decoders against a reference model of which inputs are well-formed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENCLAVE_CHANNEL_FAULTS } from '../../src/enclave/channel/faults.js';
import { bytesEqual } from '../../src/protocol/bytes.js';
import { CLIENT_HELLO_BYTES, decodeClientHello, decodeServerHello, encodeClientHello, encodeClientHelloCleartext, encodeServerHello, SERVER_HELLO_BYTES } from '../../src/protocol/hello.js';
import { expectCodedRejection, fuzzSeed, runFuzz, seededRandom, type Random } from './fuzz-support.js';

const FAULTS = ENCLAVE_CHANNEL_FAULTS;

function sampleClientHello(random: Random): Uint8Array {
  const cleartext = encodeClientHelloCleartext({ version: 1, attestationHash: random.bytes(32), clientEphemeralPublicKey: random.bytes(32), clientNonce: random.bytes(32) });
  return encodeClientHello(cleartext, random.bytes(112));
}

function sampleServerHello(random: Random): Uint8Array {
  return encodeServerHello({
    version: 1, serverEphemeralPublicKey: random.bytes(32), sessionId: random.bytes(16), serverNonce: random.bytes(32),
    framesPerEpoch: random.u32(), serverSignature: random.bytes(64),
  });
}

test('ClientHello: 210 bytes at the documented offsets, decoded back', () => {
  const random = seededRandom(1);
  const fields = { version: 1, attestationHash: random.bytes(32), clientEphemeralPublicKey: random.bytes(32), clientNonce: random.bytes(32) };
  const sealedIdentity = random.bytes(112);
  const bytes = encodeClientHello(encodeClientHelloCleartext(fields), sealedIdentity);
  assert.is(bytes.length, CLIENT_HELLO_BYTES);
  assert.is(CLIENT_HELLO_BYTES, 210);
  assert.equal([bytes[0], bytes[1]], [1, 1]);
  assert.ok(bytesEqual(bytes.subarray(2, 34), fields.attestationHash));
  assert.ok(bytesEqual(bytes.subarray(34, 66), fields.clientEphemeralPublicKey));
  assert.ok(bytesEqual(bytes.subarray(66, 98), fields.clientNonce));
  const decoded = decodeClientHello(bytes, FAULTS);
  assert.ok(bytesEqual(decoded.sealedIdentity, sealedIdentity));
  assert.ok(bytesEqual(decoded.cleartext, bytes.subarray(0, 98)));
  assert.ok(bytesEqual(decoded.clientNonce, fields.clientNonce));
});

test('ServerHello: 150 bytes at the documented offsets, decoded back', () => {
  const random = seededRandom(2);
  const fields = { version: 1, serverEphemeralPublicKey: random.bytes(32), sessionId: random.bytes(16), serverNonce: random.bytes(32), framesPerEpoch: 0xfffffffe, serverSignature: random.bytes(64) };
  const bytes = encodeServerHello(fields);
  assert.is(bytes.length, SERVER_HELLO_BYTES);
  assert.is(SERVER_HELLO_BYTES, 150);
  assert.equal([bytes[0], bytes[1]], [1, 2]);
  assert.ok(bytesEqual(bytes.subarray(34, 50), fields.sessionId));
  assert.equal([...bytes.subarray(82, 86)], [0xff, 0xff, 0xff, 0xfe]);
  const decoded = decodeServerHello(bytes, FAULTS);
  assert.is(decoded.framesPerEpoch, 0xfffffffe);
  assert.ok(bytesEqual(decoded.serverSignature, fields.serverSignature));
});

test('decoded fields are copies, not views of the caller\'s buffer', () => {
  const bytes = Buffer.from(sampleServerHello(seededRandom(3)));
  const decoded = decodeServerHello(bytes, FAULTS);
  const before = decoded.sessionId.slice();
  bytes.fill(0);
  assert.ok(bytesEqual(decoded.sessionId, before));
});

test('version is checked before length, so a longer future hello names the version', () => {
  const longer = new Uint8Array(400);
  longer[0] = 2;
  longer[1] = 1;
  assert.is(expectCodedRejection(() => decodeClientHello(longer, FAULTS), 2100, 2199).errorName, 'CHANNEL_UNSUPPORTED_VERSION');
  assert.is(expectCodedRejection(() => decodeClientHello(new Uint8Array(0), FAULTS), 2100, 2199).errorName, 'CHANNEL_HELLO_BAD_LENGTH');
  const wrongKind = sampleServerHello(seededRandom(4));
  assert.is(expectCodedRejection(() => decodeClientHello(wrongKind, FAULTS), 2100, 2199).errorName, 'CHANNEL_UNEXPECTED_KIND');
});

/** The reference: which error (if any) a structural decoder must report. */
function expectedFault(bytes: Uint8Array, kind: number, length: number): string | undefined {
  if (bytes.length < 2) return 'CHANNEL_HELLO_BAD_LENGTH';
  if (bytes[0] !== 1) return 'CHANNEL_UNSUPPORTED_VERSION';
  if (bytes[1] !== kind) return 'CHANNEL_UNEXPECTED_KIND';
  if (bytes.length !== length) return 'CHANNEL_HELLO_BAD_LENGTH';
  return undefined;
}

test('fuzz: both hello decoders agree with the reference on 20,000 mutated inputs', () => {
  const seed = fuzzSeed(0x4e110);
  let rejected = 0;
  const count = runFuzz('hello decoders', seed, 20_000, (random) => {
    const client = random.below(2) === 0;
    const input = (client ? sampleClientHello : sampleServerHello)(random);
    const mutated = (random.below(4) === 0 ? random.bytes(random.below(260)) : mutateHello(input, random));
    return {
      input: mutated,
      check: () => {
        const expected = client ? expectedFault(mutated, 1, CLIENT_HELLO_BYTES) : expectedFault(mutated, 2, SERVER_HELLO_BYTES);
        const decode = (): unknown => (client ? decodeClientHello(mutated, FAULTS) : decodeServerHello(mutated, FAULTS));
        if (expected === undefined) { decode(); return; }
        const error = expectCodedRejection(decode, 2100, 2199);
        assert.is(error.errorName, expected);
        rejected += 1;
      },
    };
  });
  assert.is(count, 20_000);
  assert.ok(rejected > 8_000, `most cases are malformed (${rejected})`);
});

function mutateHello(input: Uint8Array, random: Random): Uint8Array {
  const bytes = input.slice();
  switch (random.below(4)) {
    case 0: bytes[random.below(2)] = random.pick([0, 1, 2, 3, 0xff]); return bytes;
    case 1: return bytes.subarray(0, random.below(bytes.length + 1)).slice();
    case 2: { const out = new Uint8Array(bytes.length + 1 + random.below(8)); out.set(bytes); return out; }
    default: bytes[random.below(bytes.length)] ^= 1 << random.below(8); return bytes;
  }
}

test.run();
