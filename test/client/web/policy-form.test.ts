// The page's attestation settings: a development enclave only with the opt-in ticked AND a
// pinned root; a TDX policy and collateral only as well-formed JSON objects; neither section
// is refused; every refusal is a coded error naming what to fix. The policy built from the
// form is the one the verifier applies: a real dev bundle signed by one root is accepted
// under that root and refused under another or without the opt-in. Fuzzed inputs give a
// policy or a coded error, nothing else.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyAttestation } from '../../../client/attestation/verify.js';
import { POLICY_FORM_LIMITS, policyFromInputs, type PolicyInputs } from '../../../client/web/policy-form.js';
import { isCodedError, type ErrorName } from '../../../src/errors/index.js';
import { DEV_REPORT_LABEL, devReportMessage, enclaveKeysFromHex, enclaveKeysReportData } from '../../../src/protocol/attestation-bundle.js';
import { collateral, dstackFixturePolicy } from '../attestation/fixtures.js';
import { fuzzPrng, fuzzText } from './fuzz-text.js';

const ROOT_SEED = new Uint8Array(32).fill(7);
const ROOT_HEX = bytesToHex(ed25519.getPublicKey(ROOT_SEED));
const EMPTY: PolicyInputs = { allowInsecureDev: false, devRootHex: '', tdxPolicyJson: '', collateralJson: '' };

function refuses(inputs: PolicyInputs, name: ErrorName, pattern: RegExp): void {
  assert.throws(() => policyFromInputs(inputs), (error: unknown) => isCodedError(error, name) && pattern.test(error.message), `${name} ${pattern}`);
}

/** A development bundle signed by the root seed, as the dev enclave publishes it. */
function devBundle(): string {
  const enclaveKeys = { ed25519Hex: bytesToHex(ed25519.getPublicKey(new Uint8Array(32).fill(1))), x25519Hex: '09'.repeat(32) };
  const reportData = enclaveKeysReportData(enclaveKeysFromHex(enclaveKeys));
  return JSON.stringify({
    version: 1, kind: 'dev', insecure: true, enclaveKeys,
    devReport: { label: DEV_REPORT_LABEL, rootPublicKeyHex: ROOT_HEX, reportDataHex: bytesToHex(reportData), signatureHex: bytesToHex(ed25519.sign(devReportMessage(reportData), ROOT_SEED)) },
  });
}

test('dev opt-in with a pinned root builds a dev policy the verifier applies', async () => {
  const { policy, collateral: none } = policyFromInputs({ ...EMPTY, allowInsecureDev: true, devRootHex: ` 0x${ROOT_HEX.toUpperCase()} ` });
  assert.equal(policy, { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: ROOT_HEX.toUpperCase() } });
  assert.is(none, undefined);
  const verdict = await verifyAttestation(devBundle(), policy);
  assert.ok(verdict.ok && verdict.insecure, 'the pinned root accepts its own dev bundle, marked insecure');
  const other = policyFromInputs({ ...EMPTY, allowInsecureDev: true, devRootHex: 'ab'.repeat(32) });
  const refused = await verifyAttestation(devBundle(), other.policy);
  assert.ok(!refused.ok && refused.failure.name === 'ATTESTATION_DEV_ROOT_MISMATCH');
});

test('without the opt-in a dev bundle is refused even with a root typed in', async () => {
  const tdxOnly = policyFromInputs({ ...EMPTY, devRootHex: ROOT_HEX, tdxPolicyJson: JSON.stringify(dstackFixturePolicy()) });
  assert.is(tdxOnly.policy.dev, undefined);
  const verdict = await verifyAttestation(devBundle(), tdxOnly.policy);
  assert.ok(!verdict.ok && verdict.failure.name === 'ATTESTATION_DEV_NOT_ALLOWED');
});

test('TDX policy and collateral are parsed from JSON', () => {
  const pins = dstackFixturePolicy();
  const recorded = collateral('tdx_quote_outdated_collateral');
  const built = policyFromInputs({ ...EMPTY, tdxPolicyJson: JSON.stringify(pins), collateralJson: JSON.stringify(recorded) });
  assert.equal(built.policy, { tdx: pins });
  assert.equal(built.collateral, recorded);
});

test('coded refusals name what to fix', () => {
  refuses(EMPTY, 'ATTESTATION_POLICY_INVALID', /paste the TDX policy.*or opt in/);
  refuses({ ...EMPTY, allowInsecureDev: true }, 'ATTESTATION_POLICY_INVALID', /pin the dev root/);
  refuses({ ...EMPTY, allowInsecureDev: true, devRootHex: 'abc' }, 'ATTESTATION_POLICY_INVALID', /dev\.rootPublicKeyHex/);
  refuses({ ...EMPTY, tdxPolicyJson: '{' }, 'ATTESTATION_POLICY_INVALID', /TDX policy: not JSON/);
  refuses({ ...EMPTY, tdxPolicyJson: '[1]' }, 'ATTESTATION_POLICY_INVALID', /TDX policy: must be a JSON object/);
  refuses({ ...EMPTY, tdxPolicyJson: '{"allowedMrtdHex":[]}' }, 'ATTESTATION_POLICY_INVALID', /tdx\.allowedMrtdHex/);
  refuses({ ...EMPTY, tdxPolicyJson: ' '.repeat(POLICY_FORM_LIMITS.maxTdxPolicyChars) + '{}' }, 'ATTESTATION_POLICY_INVALID', /more than/);
  refuses({ ...EMPTY, allowInsecureDev: true, devRootHex: ROOT_HEX, collateralJson: 'nope' }, 'ATTESTATION_COLLATERAL_INVALID', /DCAP collateral: not JSON/);
  refuses({ ...EMPTY, allowInsecureDev: true, devRootHex: ROOT_HEX, collateralJson: 'null' }, 'ATTESTATION_COLLATERAL_INVALID', /must be a JSON object/);
});

test('fuzz: any form gives a policy or an ATTESTATION_* coded error', () => {
  const prng = fuzzPrng('policy-form', 0x9011);
  for (let i = 0; i < 2_000; i++) {
    const inputs: PolicyInputs = {
      allowInsecureDev: prng.chance(0.5),
      devRootHex: prng.chance(0.3) ? ROOT_HEX : fuzzText(prng),
      tdxPolicyJson: prng.chance(0.2) ? JSON.stringify(dstackFixturePolicy()) : prng.chance(0.5) ? '' : fuzzText(prng),
      collateralJson: prng.chance(0.6) ? '' : fuzzText(prng),
    };
    try {
      const built = policyFromInputs(inputs);
      assert.ok(built.policy.dev !== undefined || built.policy.tdx !== undefined);
      assert.ok(built.policy.dev === undefined || inputs.allowInsecureDev, 'a dev section only with the opt-in');
    } catch (error) {
      assert.ok(isCodedError(error) && error.errorName.startsWith('ATTESTATION_'), `seed ${prng.seed}: ${JSON.stringify(inputs)} threw ${String(error)}`);
    }
  }
});

test.run();
