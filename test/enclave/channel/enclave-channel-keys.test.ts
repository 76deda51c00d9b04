// Loading the enclave's channel keys: the derived public keys are the ones noble derives,
// and malformed secrets are coded errors.
import { randomBytes } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadEnclaveChannelKeys } from '../../../src/enclave/channel/enclave-channel-keys.js';
import { bytesEqual } from '../../../src/protocol/bytes.js';
import { expectCodedRejection } from '../../protocol/fuzz-support.js';

test('public keys are derived from the secrets, as noble derives them', () => {
  for (let i = 0; i < 20; i++) {
    const identitySecretKey = randomBytes(32);
    const keyAgreementSecretKey = randomBytes(32);
    const keys = loadEnclaveChannelKeys({ identitySecretKey, keyAgreementSecretKey });
    assert.ok(bytesEqual(keys.identityPublicKey, ed25519.getPublicKey(identitySecretKey)));
    assert.ok(bytesEqual(keys.keyAgreementPublicKey, x25519.getPublicKey(keyAgreementSecretKey)));
    assert.ok(Object.isFrozen(keys));
  }
});

test('secrets of the wrong length are HANDSHAKE_BAD_INPUT', () => {
  for (const raw of [{ identitySecretKey: randomBytes(31), keyAgreementSecretKey: randomBytes(32) }, { identitySecretKey: randomBytes(32), keyAgreementSecretKey: randomBytes(64) }]) {
    assert.is(expectCodedRejection(() => loadEnclaveChannelKeys(raw), 2100, 2199).errorName, 'CHANNEL_HANDSHAKE_BAD_INPUT');
  }
});

test.run();
