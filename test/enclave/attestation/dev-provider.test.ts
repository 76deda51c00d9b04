// The development provider: it refuses production, its bundles say insecure and parse, its
// node-crypto signatures verify under @noble (what the client runs), and its root is the
// one derived from the seed.
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ed25519 } from '@noble/curves/ed25519';
import { hexToBytes } from '@noble/hashes/utils';
import { isCodedError } from '../../../src/errors/index.js';
import { DevAttestationProvider, type DevAttestationConfig } from '../../../src/enclave/attestation/dev-provider.js';
import { DEV_REPORT_LABEL, devReportMessage, enclaveKeysReportData, parseAttestationBundle } from '../../../src/protocol/attestation-bundle.js';

function enclaveKeys() {
  return { ed25519PublicKey: new Uint8Array(randomBytes(32)), x25519PublicKey: new Uint8Array(randomBytes(32)) };
}

function expectCoded(run: () => unknown, name: Parameters<typeof isCodedError>[1]): void {
  try {
    run();
  } catch (error) {
    assert.ok(isCodedError(error, name), String(error));
    return;
  }
  assert.unreachable(`expected ${name}`);
}

test('refuses to start in production configuration, or when production is not stated', () => {
  expectCoded(() => new DevAttestationProvider({ production: true }), 'ATTESTATION_DEV_PROVIDER_IN_PRODUCTION');
  expectCoded(() => new DevAttestationProvider({} as DevAttestationConfig), 'ATTESTATION_DEV_PROVIDER_IN_PRODUCTION');
  expectCoded(() => new DevAttestationProvider({ production: 'no' } as unknown as DevAttestationConfig), 'ATTESTATION_DEV_PROVIDER_IN_PRODUCTION');
  assert.is(new DevAttestationProvider({ production: false }).insecure, true);
});

test('refuses a dev root seed that is not 32 bytes', () => {
  expectCoded(() => new DevAttestationProvider({ production: false, devRootSeed: new Uint8Array(31) }), 'ATTESTATION_DEV_ROOT_KEY_INVALID');
});

test('the dev root public key is the Ed25519 key of the seed', () => {
  const seed = new Uint8Array(randomBytes(32));
  const provider = new DevAttestationProvider({ production: false, devRootSeed: seed });
  assert.equal(provider.devRootPublicKey, ed25519.getPublicKey(seed));
  assert.not.equal(new DevAttestationProvider({ production: false }).devRootPublicKey, new DevAttestationProvider({ production: false }).devRootPublicKey);
});

test('a dev bundle binds the keys, says insecure, parses, and its signature verifies under @noble', async () => {
  const provider = new DevAttestationProvider({ production: false });
  const keys = enclaveKeys();
  const bundle = await provider.attest(keys);
  assert.is(bundle.kind, 'dev');
  assert.is(bundle.insecure, true);
  assert.is(bundle.devReport.label, DEV_REPORT_LABEL);
  assert.equal(parseAttestationBundle(JSON.stringify(bundle)), bundle);
  assert.equal(hexToBytes(bundle.enclaveKeys.ed25519Hex), keys.ed25519PublicKey);
  assert.equal(hexToBytes(bundle.enclaveKeys.x25519Hex), keys.x25519PublicKey);
  const reportData = hexToBytes(bundle.devReport.reportDataHex);
  assert.equal(reportData, enclaveKeysReportData(keys));
  assert.equal(hexToBytes(bundle.devReport.rootPublicKeyHex), provider.devRootPublicKey);
  assert.ok(ed25519.verify(hexToBytes(bundle.devReport.signatureHex), devReportMessage(reportData), provider.devRootPublicKey));
  const other = enclaveKeys();
  assert.not.ok(ed25519.verify(hexToBytes(bundle.devReport.signatureHex), devReportMessage(enclaveKeysReportData(other)), provider.devRootPublicKey), 'the signature covers the keys');
});

test('attesting keys of the wrong length is a coded error', async () => {
  const provider = new DevAttestationProvider({ production: false });
  try {
    await provider.attest({ ed25519PublicKey: new Uint8Array(32), x25519PublicKey: new Uint8Array(16) });
    assert.unreachable('accepted a short key');
  } catch (error) {
    assert.ok(isCodedError(error, 'ATTESTATION_ENCLAVE_KEY_INVALID'), String(error));
  }
});

test.run();
