// A shard believes a peer's identity only from an attestation it can check itself: a dev bundle
// under its own dev root that binds exactly that key. Another root, another key, a broken
// signature or a TEE bundle (not yet checkable in-enclave) are SHARD_VOUCHER_ISSUER_UNTRUSTED.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import { checkPeerAttestation, peerTrustOf } from '../../../src/enclave/shard/peer-trust.js';
import { testShard } from './fixtures.js';

function refused(action: () => void, name: 'SHARD_VOUCHER_ISSUER_UNTRUSTED' | 'SHARD_VOUCHER_MALFORMED'): void {
  try {
    action();
  } catch (error) {
    assert.ok(isCodedError(error, name), String(error));
    return;
  }
  assert.unreachable('accepted');
}

test('a peer under the same dev root is trusted for exactly its own key', async () => {
  const a = await testShard('a', 1);
  const b = await testShard('b', 3);
  checkPeerAttestation(a.bundleJson, a.config.identityHex, b.config.trust);
  refused(() => checkPeerAttestation(a.bundleJson, b.config.identityHex, b.config.trust), 'SHARD_VOUCHER_ISSUER_UNTRUSTED');
});

test('another dev root, a forged report, garbage or a TEE-only trust are refused', async () => {
  const b = await testShard('b', 3);
  const outsider = await testShard('x', 5, 0x77);
  refused(() => checkPeerAttestation(outsider.bundleJson, outsider.config.identityHex, b.config.trust), 'SHARD_VOUCHER_ISSUER_UNTRUSTED');
  const a = await testShard('a', 1);
  const forged = JSON.parse(a.bundleJson) as { devReport: { signatureHex: string } };
  forged.devReport.signatureHex = `${forged.devReport.signatureHex.slice(0, -2)}${forged.devReport.signatureHex.endsWith('00') ? '01' : '00'}`;
  refused(() => checkPeerAttestation(JSON.stringify(forged), a.config.identityHex, b.config.trust), 'SHARD_VOUCHER_ISSUER_UNTRUSTED');
  refused(() => checkPeerAttestation('{"not":"a bundle"}', a.config.identityHex, b.config.trust), 'SHARD_VOUCHER_ISSUER_UNTRUSTED');
  refused(() => checkPeerAttestation(7, a.config.identityHex, b.config.trust), 'SHARD_VOUCHER_MALFORMED');
  refused(() => checkPeerAttestation(a.bundleJson, a.config.identityHex, { kind: 'none' }), 'SHARD_VOUCHER_ISSUER_UNTRUSTED');
});

test('the trust is read from the enclave\'s own bundle', async () => {
  const a = await testShard('a', 1);
  assert.equal(peerTrustOf(a.bundle), { kind: 'devRoot', devRootHex: a.bundle.kind === 'dev' ? a.bundle.devReport.rootPublicKeyHex : '' });
});

test.run();
