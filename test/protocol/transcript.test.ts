// Transcripts are label-opened sequences of length-prefixed fields: injective, so no two
// different handshakes can produce the same signed bytes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bytesEqual, readU32 } from '../../src/protocol/bytes.js';
import { LABELS } from '../../src/protocol/channel-wire.js';
import { encodeClientTranscript, encodeServerTranscript, lengthPrefixed, type ClientTranscriptFields } from '../../src/protocol/transcript.js';
import { seededRandom } from './fuzz-support.js';

function splitFields(bytes: Uint8Array): Uint8Array[] {
  const fields: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const length = readU32(bytes, offset);
    fields.push(bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return fields;
}

const random = seededRandom(3);
const clientFields: ClientTranscriptFields = {
  version: 1,
  enclaveKeyAgreementPublicKey: random.bytes(32),
  enclaveIdentityPublicKey: random.bytes(32),
  attestationHash: random.bytes(32),
  clientEphemeralPublicKey: random.bytes(32),
  clientNonce: random.bytes(32),
  traderIdentityPublicKey: random.bytes(32),
};

test('lengthPrefixed is u32 length then bytes, per field', () => {
  assert.equal([...lengthPrefixed(Uint8Array.of(7), new Uint8Array(0))], [0, 0, 0, 1, 7, 0, 0, 0, 0]);
});

test('the client transcript holds its label and fields in the documented order', () => {
  const fields = splitFields(encodeClientTranscript(clientFields));
  assert.is(new TextDecoder().decode(fields[0]), LABELS.clientTranscript);
  assert.equal([...fields[1]!], [1]);
  const expected = [clientFields.enclaveKeyAgreementPublicKey, clientFields.enclaveIdentityPublicKey, clientFields.attestationHash,
    clientFields.clientEphemeralPublicKey, clientFields.clientNonce, clientFields.traderIdentityPublicKey];
  expected.forEach((field, i) => assert.ok(bytesEqual(fields[i + 2]!, field), `field ${i + 2}`));
  assert.is(fields.length, 8);
});

test('the server transcript nests the client transcript and ends with the rekey interval', () => {
  const clientTranscript = encodeClientTranscript(clientFields);
  const serverTranscript = encodeServerTranscript({
    clientTranscript, clientSignature: random.bytes(64), serverEphemeralPublicKey: random.bytes(32), sessionId: random.bytes(16),
    serverNonce: random.bytes(32), framesPerEpoch: 0x01020304,
  });
  const fields = splitFields(serverTranscript);
  assert.is(new TextDecoder().decode(fields[0]), LABELS.serverTranscript);
  assert.ok(bytesEqual(fields[1]!, clientTranscript));
  assert.equal([...fields[6]!], [1, 2, 3, 4]);
  assert.is(fields.length, 7);
});

test('changing any field, or moving a byte across a field boundary, changes the transcript', () => {
  const base = encodeClientTranscript(clientFields);
  for (const name of ['enclaveKeyAgreementPublicKey', 'enclaveIdentityPublicKey', 'attestationHash', 'clientEphemeralPublicKey', 'clientNonce', 'traderIdentityPublicKey'] as const) {
    const changed = clientFields[name].slice();
    changed[0] = changed[0]! ^ 1;
    assert.not.ok(bytesEqual(encodeClientTranscript({ ...clientFields, [name]: changed }), base), name);
  }
  assert.not.ok(bytesEqual(encodeClientTranscript({ ...clientFields, version: 2 }), base));
  const a = lengthPrefixed(Uint8Array.of(1, 2), Uint8Array.of(3));
  const b = lengthPrefixed(Uint8Array.of(1), Uint8Array.of(2, 3));
  assert.not.ok(bytesEqual(a, b));
});

test.run();
