// What the k6 scripts check of an attestation bundle in pure JavaScript: a development bundle
// only under the pinned root with a valid signature, report data that binds the offered keys,
// an optional enclave-key pin; a TDX bundle (whose quote k6 cannot verify) only with the
// enclave key pinned and the quote's report data binding the keys.
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkAttestation } from '../../../../load-tests/k6/src/attestation-check.js';
import { DevAttestationProvider } from '../../../../src/enclave/attestation/dev-provider.js';
import { isCodedError, type ErrorName } from '../../../../src/errors/index.js';
import { attestationBundleDigest, serializeAttestationBundle, type DevAttestationBundle } from '../../../../src/protocol/attestation-bundle.js';
import { dstackFixtureBundle } from '../../../client/attestation/fixtures.js';
import { seedFrom } from '../../../support/enclave-trader.js';
import { Prng } from '../../../support/prng.js';

const rootSeed = seedFrom(new Prng(11));
const rootHex = bytesToHex(ed25519.getPublicKey(rootSeed));
const otherRootHex = bytesToHex(ed25519.getPublicKey(seedFrom(new Prng(12))));
const keys = { ed25519PublicKey: ed25519.getPublicKey(seedFrom(new Prng(13))), x25519PublicKey: x25519.getPublicKey(seedFrom(new Prng(14))) };
const enclaveKeyHex = bytesToHex(keys.ed25519PublicKey);

async function devBundle(): Promise<DevAttestationBundle> {
  return new DevAttestationProvider({ production: false, devRootSeed: rootSeed }).attest(keys);
}

function refusedWith(run: () => unknown, name: ErrorName, detail?: RegExp): void {
  try {
    run();
  } catch (error) {
    assert.ok(isCodedError(error, name), `expected ${name}, got ${String(error)}`);
    if (detail !== undefined) assert.match((error as Error).message, detail);
    return;
  }
  assert.unreachable(`expected ${name}`);
}

test('a dev bundle under the pinned root is accepted, named by its digest, and says insecure', async () => {
  const bundle = await devBundle();
  const checked = checkAttestation(serializeAttestationBundle(bundle), { devRootHex: rootHex });
  assert.is(checked.kind, 'dev');
  assert.ok(checked.insecure);
  assert.equal(checked.enclaveKeys, bundle.enclaveKeys);
  assert.is(checked.attestationHashHex, bytesToHex(attestationBundleDigest(bundle)));
  assert.ok(checked.checks.some((line) => line.includes('signature')) && checked.checks.some((line) => line.includes('report data')));
  const pinned = checkAttestation(serializeAttestationBundle(bundle), { devRootHex: rootHex, enclaveIdentityHex: enclaveKeyHex });
  assert.ok(pinned.checks.some((line) => line.includes('ENCLAVE_KEY')));
});

test('a dev bundle is refused without a root pin, under another root, with a bad signature or with swapped keys', async () => {
  const bundle = await devBundle();
  const text = serializeAttestationBundle(bundle);
  refusedWith(() => checkAttestation(text, {}), 'K6_ATTESTATION_REFUSED', /DEV_ROOT/);
  refusedWith(() => checkAttestation(text, { devRootHex: otherRootHex }), 'K6_ATTESTATION_REFUSED', /signed by/);
  const flipped = bundle.devReport.signatureHex.replace(/^./, (digit) => (digit === '0' ? '1' : '0'));
  refusedWith(() => checkAttestation(serializeAttestationBundle({ ...bundle, devReport: { ...bundle.devReport, signatureHex: flipped } }), { devRootHex: rootHex }), 'K6_ATTESTATION_REFUSED', /signature/);
  const swapped = { ...bundle, enclaveKeys: { ...bundle.enclaveKeys, x25519Hex: bytesToHex(x25519.getPublicKey(seedFrom(new Prng(15)))) } };
  refusedWith(() => checkAttestation(serializeAttestationBundle(swapped), { devRootHex: rootHex }), 'K6_ATTESTATION_REFUSED', /does not bind/);
  refusedWith(() => checkAttestation(text, { devRootHex: rootHex, enclaveIdentityHex: otherRootHex }), 'K6_ATTESTATION_REFUSED', /ENCLAVE_KEY/);
  refusedWith(() => checkAttestation('{"version":1', { devRootHex: rootHex }), 'ATTESTATION_BUNDLE_MALFORMED');
});

test('a TDX bundle needs the enclave key pinned, and its quote must bind the offered keys', () => {
  const bundle = dstackFixtureBundle({ ed25519Hex: enclaveKeyHex, x25519Hex: bytesToHex(keys.x25519PublicKey) });
  const text = serializeAttestationBundle(bundle);
  refusedWith(() => checkAttestation(text, { devRootHex: rootHex }), 'K6_ATTESTATION_REFUSED', /ENCLAVE_KEY/);
  // The recorded quote's report data belongs to its own deployment, not to these keys.
  refusedWith(() => checkAttestation(text, { enclaveIdentityHex: enclaveKeyHex }), 'K6_ATTESTATION_REFUSED', /does not bind/);
});

test.run();
