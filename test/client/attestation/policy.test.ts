// Policy validation: every misconfiguration is a coded error naming the field, hex pins are
// normalised, and the digest separates policies and collateral that could change a verdict.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import { DEFAULT_ALLOWED_TCB_STATUSES, normalizePolicy, policyDigestHex, POLICY_LIMITS, type AttestationPolicy, type TdxPolicy } from '../../../client/attestation/policy.js';
import { collateral, dstackFixturePolicy } from './fixtures.js';

function tdx(overrides: Partial<TdxPolicy>): AttestationPolicy {
  return { tdx: { ...dstackFixturePolicy(), ...overrides } };
}

function expectInvalid(policy: AttestationPolicy, field: string): void {
  try {
    normalizePolicy(policy);
  } catch (error) {
    assert.ok(isCodedError(error, 'ATTESTATION_POLICY_INVALID'), String(error));
    assert.ok(error.message.includes(field), `${error.message} names ${field}`);
    return;
  }
  assert.unreachable(`accepted a policy with a bad ${field}`);
}

test('defaults: UpToDate only, no boot RTMR pin, no dev section', () => {
  const normalized = normalizePolicy({ tdx: dstackFixturePolicy() });
  assert.equal(normalized.tdx?.allowedTcbStatuses, ['UpToDate']);
  assert.equal(DEFAULT_ALLOWED_TCB_STATUSES, ['UpToDate']);
  assert.is(normalized.tdx?.allowedBootRtmrs, null);
  assert.is(normalized.dev, null);
  assert.equal(normalizePolicy({}), { tdx: null, dev: null });
});

test('hex pins are lowercased', () => {
  const pins = dstackFixturePolicy();
  const normalized = normalizePolicy(tdx({ composeHashHex: pins.composeHashHex.toUpperCase(), appIdHex: pins.appIdHex.toUpperCase(), keyProvider: { name: 'local-sgx', idHex: pins.keyProvider.idHex.toUpperCase() } }));
  assert.is(normalized.tdx?.composeHashHex, pins.composeHashHex);
  assert.is(normalized.tdx?.appIdHex, pins.appIdHex);
  assert.is(normalized.tdx?.keyProvider.idHex, pins.keyProvider.idHex);
});

test('every misconfiguration is ATTESTATION_POLICY_INVALID naming the field', () => {
  expectInvalid(tdx({ allowedMrtdHex: [] }), 'allowedMrtdHex');
  expectInvalid(tdx({ allowedMrtdHex: ['ab'.repeat(47)] }), 'allowedMrtdHex[0]');
  expectInvalid(tdx({ allowedMrtdHex: Array.from({ length: POLICY_LIMITS.maxAllowlistEntries + 1 }, () => 'ab'.repeat(48)) }), 'allowedMrtdHex');
  expectInvalid(tdx({ allowedTcbStatuses: ['Revoked'] }), 'allowedTcbStatuses');
  expectInvalid(tdx({ allowedTcbStatuses: ['Unknown'] }), 'allowedTcbStatuses');
  expectInvalid(tdx({ allowedTcbStatuses: [] }), 'allowedTcbStatuses');
  expectInvalid(tdx({ composeHashHex: '0x' + 'ab'.repeat(31) }), 'composeHashHex');
  expectInvalid(tdx({ appIdHex: 'ab'.repeat(32) }), 'appIdHex');
  expectInvalid(tdx({ keyProvider: { name: '', idHex: 'ab' } }), 'keyProvider.name');
  expectInvalid(tdx({ keyProvider: { name: 'kms', idHex: 'xyz' } }), 'keyProvider.idHex');
  expectInvalid(tdx({ allowedBootRtmrs: [{ rtmr0Hex: 'ab'.repeat(48), rtmr1Hex: 'ab'.repeat(48), rtmr2Hex: 'ab' }] }), 'allowedBootRtmrs[0].rtmr2Hex');
  expectInvalid({ dev: { allowInsecureDevAttestation: 'yes' as unknown as boolean, rootPublicKeyHex: 'ab'.repeat(32) } }, 'allowInsecureDevAttestation');
  expectInvalid({ dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: 'ab'.repeat(31) } }, 'rootPublicKeyHex');
  expectInvalid(null as unknown as AttestationPolicy, 'policy');
});

test('the digest changes with any pin and with the collateral, and not with hex case', () => {
  const base = policyDigestHex(normalizePolicy(tdx({})), collateral('tdx_quote_outdated_collateral'));
  assert.is(policyDigestHex(normalizePolicy(tdx({ composeHashHex: dstackFixturePolicy().composeHashHex.toUpperCase() })), collateral('tdx_quote_outdated_collateral')), base);
  assert.is.not(policyDigestHex(normalizePolicy(tdx({ appIdHex: 'ab'.repeat(20) })), collateral('tdx_quote_outdated_collateral')), base);
  assert.is.not(policyDigestHex(normalizePolicy(tdx({ allowedTcbStatuses: ['UpToDate', 'SWHardeningNeeded'] })), collateral('tdx_quote_outdated_collateral')), base);
  assert.is.not(policyDigestHex(normalizePolicy(tdx({})), collateral('tdx_quote_collateral')), base);
  assert.is.not(policyDigestHex(normalizePolicy(tdx({})), undefined), base);
});

test.run();
