// The verdict cache: a hit only for the same keys, bundle, policy and collateral inside the
// validity window and the maximum age; rejections are never cached; the size is bounded.
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bytesToHex } from '@noble/hashes/utils';
import { isCodedError } from '../../../src/errors/index.js';
import { DevAttestationProvider } from '../../../src/enclave/attestation/dev-provider.js';
import { enclaveKeysToHex } from '../../../src/protocol/attestation-bundle.js';
import { AttestationVerdictCache } from '../../../client/attestation/cache.js';
import { verifyAttestation } from '../../../client/attestation/verify.js';
import type { AcceptedAttestation } from '../../../client/attestation/verdict.js';
import type { AttestationPolicy } from '../../../client/attestation/policy.js';
import { collateral, DSTACK_VERIFIED_AT_SECS, dstackFixtureBundle, dstackFixturePolicy } from './fixtures.js';

const NOW_SECS = 1_800_000_000;

function randomKeys() {
  return { ed25519PublicKey: new Uint8Array(randomBytes(32)), x25519PublicKey: new Uint8Array(randomBytes(32)) };
}

async function devFixture() {
  const provider = new DevAttestationProvider({ production: false });
  const bundle = await provider.attest(randomKeys());
  const policy: AttestationPolicy = { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: bytesToHex(provider.devRootPublicKey) } };
  return { provider, bundle, policy };
}

function syntheticVerdict(validUntilSecs: number | null, verifiedAtSecs: number): AcceptedAttestation {
  return {
    ok: true, failure: null, kind: 'dstack-tdx', insecure: false, enclaveKeys: enclaveKeysToHex(randomKeys()), bundleDigestHex: 'ab'.repeat(32),
    checks: [], tcb: null, measurements: null, app: null, verifiedAtSecs, validUntilSecs, fromCache: false,
  };
}

test('a repeated verification of the same bundle under the same policy is served from the cache', async () => {
  const { bundle, policy } = await devFixture();
  const cache = new AttestationVerdictCache();
  const cold = await verifyAttestation(bundle, policy, { cache, nowSecs: NOW_SECS });
  assert.is(cold.ok, true);
  assert.is(cold.fromCache, false);
  assert.is(cache.size, 1);
  const warm = await verifyAttestation(JSON.stringify(bundle), policy, { cache, nowSecs: NOW_SECS + 10 });
  assert.is(warm.fromCache, true);
  assert.equal({ ...warm, fromCache: false }, cold);
});

test('a different bundle for the same keys, or another policy, misses the cache', async () => {
  const { provider, bundle, policy } = await devFixture();
  const cache = new AttestationVerdictCache();
  await verifyAttestation(bundle, policy, { cache, nowSecs: NOW_SECS });
  const tampered = { ...bundle, devReport: { ...bundle.devReport, signatureHex: bundle.devReport.signatureHex.replace(/^../, '00') } };
  const again = await verifyAttestation(tampered, policy, { cache, nowSecs: NOW_SECS });
  assert.is(again.ok, false, 'a changed bundle is verified afresh, and fails');
  assert.is(again.fromCache, false);
  const stricter: AttestationPolicy = { dev: { allowInsecureDevAttestation: false, rootPublicKeyHex: bytesToHex(provider.devRootPublicKey) } };
  const refused = await verifyAttestation(bundle, stricter, { cache, nowSecs: NOW_SECS });
  assert.is(refused.ok, false, 'withdrawing the opt-in takes effect despite the cache');
  assert.is(refused.failure?.name, 'ATTESTATION_DEV_NOT_ALLOWED');
});

test('rejections are never cached', async () => {
  const cache = new AttestationVerdictCache();
  const verdict = await verifyAttestation(dstackFixtureBundle(enclaveKeysToHex(randomKeys())), { tdx: dstackFixturePolicy() }, { cache, collateral: collateral('tdx_quote_outdated_collateral'), nowSecs: DSTACK_VERIFIED_AT_SECS });
  assert.is(verdict.ok, false);
  assert.is(cache.size, 0);
});

test('an entry holds from validFrom until the earlier of validUntil and the maximum age', () => {
  const cache = new AttestationVerdictCache({ maxAgeSecs: 100 });
  const collateralBound = syntheticVerdict(NOW_SECS + 50, NOW_SECS);
  cache.store('b1', 'p1', collateralBound, NOW_SECS - 10);
  assert.ok(cache.lookup(collateralBound.enclaveKeys, 'b1', 'p1', NOW_SECS + 49));
  assert.is(cache.lookup(collateralBound.enclaveKeys, 'b1', 'p2', NOW_SECS + 49), undefined);
  assert.is(cache.lookup(collateralBound.enclaveKeys, 'b2', 'p1', NOW_SECS + 49), undefined);
  assert.is(cache.lookup(collateralBound.enclaveKeys, 'b1', 'p1', NOW_SECS - 11), undefined, 'before the collateral window');
  cache.store('b1', 'p1', collateralBound, NOW_SECS - 10);
  assert.is(cache.lookup(collateralBound.enclaveKeys, 'b1', 'p1', NOW_SECS + 50), undefined, 'at the collateral nextUpdate');
  const ageBound = syntheticVerdict(null, NOW_SECS);
  cache.store('b1', 'p1', ageBound, 0);
  assert.ok(cache.lookup(ageBound.enclaveKeys, 'b1', 'p1', NOW_SECS + 99));
  assert.is(cache.lookup(ageBound.enclaveKeys, 'b1', 'p1', NOW_SECS + 100), undefined, 'at the maximum age');
});

test('the cache keeps at most maxEntries, dropping the least recently used; forget and clear work', () => {
  const cache = new AttestationVerdictCache({ maxEntries: 3 });
  const verdicts = Array.from({ length: 4 }, () => syntheticVerdict(null, NOW_SECS));
  for (const verdict of verdicts.slice(0, 3)) cache.store('b', 'p', verdict, 0);
  assert.ok(cache.lookup(verdicts[0]!.enclaveKeys, 'b', 'p', NOW_SECS));
  cache.store('b', 'p', verdicts[3]!, 0);
  assert.is(cache.size, 3);
  assert.ok(cache.lookup(verdicts[0]!.enclaveKeys, 'b', 'p', NOW_SECS), 'recently used survives');
  assert.is(cache.lookup(verdicts[1]!.enclaveKeys, 'b', 'p', NOW_SECS), undefined, 'least recently used dropped');
  cache.forget(verdicts[0]!.enclaveKeys);
  assert.is(cache.lookup(verdicts[0]!.enclaveKeys, 'b', 'p', NOW_SECS), undefined);
  cache.clear();
  assert.is(cache.size, 0);
});

test('a cache configured out of bounds is a coded error', () => {
  for (const config of [{ maxEntries: 0 }, { maxEntries: 1.5 }, { maxAgeSecs: 0 }, { maxAgeSecs: Number.NaN }]) {
    try {
      new AttestationVerdictCache(config);
      assert.unreachable(`accepted ${JSON.stringify(config)}`);
    } catch (error) {
      assert.ok(isCodedError(error, 'ATTESTATION_POLICY_INVALID'), String(error));
    }
  }
});

test.run();
