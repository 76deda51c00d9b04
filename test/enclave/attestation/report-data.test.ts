// The enclave's native-crypto key binding and the client's @noble one must agree byte for
// byte, or no honest enclave could ever be verified: common vectors and random keys.
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import { assertEnclavePublicKeys, reportDataForEnclaveKeys } from '../../../src/enclave/attestation/report-data.js';
import { enclaveKeysReportData } from '../../../src/protocol/attestation-bundle.js';

const RANDOM_KEY_PAIRS = 200;

test('the vector computed independently (Python hashlib) comes out of the native binding', () => {
  const keys = { ed25519PublicKey: Uint8Array.from({ length: 32 }, (_, i) => i + 1), x25519PublicKey: Uint8Array.from({ length: 32 }, (_, i) => i + 0x21) };
  assert.is(Buffer.from(reportDataForEnclaveKeys(keys)).toString('hex'), 'cf7261a400dd26ae095651b9f33c473eb5ca6dbfad748b2f01483b4140f8c51b002778c821fbfe8fec2a5bc4d1499b719fc36e7725ffa28178571f694920937c');
});

test('native (enclave) and @noble (client) bindings agree on random keys', () => {
  for (let i = 0; i < RANDOM_KEY_PAIRS; i++) {
    const keys = { ed25519PublicKey: new Uint8Array(randomBytes(32)), x25519PublicKey: new Uint8Array(randomBytes(32)) };
    const native = reportDataForEnclaveKeys(keys);
    assert.is(native.length, 64);
    assert.equal(native, enclaveKeysReportData(keys));
  }
});

test('keys of the wrong length are refused with ATTESTATION_ENCLAVE_KEY_INVALID', () => {
  const bad = [
    { ed25519PublicKey: new Uint8Array(31), x25519PublicKey: new Uint8Array(32) },
    { ed25519PublicKey: new Uint8Array(32), x25519PublicKey: new Uint8Array(33) },
    { ed25519PublicKey: new Uint8Array(0), x25519PublicKey: new Uint8Array(0) },
  ];
  for (const keys of bad) {
    try {
      reportDataForEnclaveKeys(keys);
      assert.unreachable('accepted a bad key');
    } catch (error) {
      assert.ok(isCodedError(error, 'ATTESTATION_ENCLAVE_KEY_INVALID'), String(error));
    }
  }
  assertEnclavePublicKeys({ ed25519PublicKey: new Uint8Array(32), x25519PublicKey: new Uint8Array(32) });
});

test.run();
