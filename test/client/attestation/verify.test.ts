// verifyAttestation end to end on real evidence: the recorded dstack CVM quote with its
// collateral at a time inside the window, each policy pin and each tamper failing at its
// own check with its own code, development reports with and without opt-in, and a seeded
// fuzzer over whole bundles and quotes that must always end in a coded verdict.
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { isCodedError, type ErrorName } from '../../../src/errors/index.js';
import { DevAttestationProvider } from '../../../src/enclave/attestation/dev-provider.js';
import { enclaveKeysToHex, serializeAttestationBundle, type AttestationBundle, type DevAttestationBundle, type DstackAttestationBundle } from '../../../src/protocol/attestation-bundle.js';
import { verifyAttestation, type VerifyAttestationOptions } from '../../../client/attestation/verify.js';
import { requireAccepted, type AttestationCheckName, type AttestationVerdict } from '../../../client/attestation/verdict.js';
import type { AttestationPolicy, TdxPolicy } from '../../../client/attestation/policy.js';
import {
  collateral,
  collateralWindowSecs,
  DSTACK_VERIFIED_AT_SECS,
  dstackFixtureBundle,
  dstackFixturePolicy,
  dstackQuoteReport,
  fixtureBytes,
  fuzzSeed,
  insideWindowSecs,
  seededRandom,
} from './fixtures.js';

const DSTACK_CHECKS: readonly AttestationCheckName[] = ['bundle', 'kind-allowed', 'dcap-quote', 'tee-type', 'tdx-module', 'tcb-status', 'mrtd', 'boot-rtmrs', 'event-log', 'compose-hash', 'app-id', 'key-provider', 'report-data'];
const DEV_CHECKS: readonly AttestationCheckName[] = ['bundle', 'kind-allowed', 'dev-root', 'dev-signature', 'report-data'];
const QUOTE_FUZZ_ITERATIONS = 120;
const BUNDLE_FUZZ_ITERATIONS = 400;

function randomKeys() {
  return { ed25519PublicKey: new Uint8Array(randomBytes(32)), x25519PublicKey: new Uint8Array(randomBytes(32)) };
}

const OFFERED_KEYS = enclaveKeysToHex(randomKeys());

function dstackOptions(): VerifyAttestationOptions {
  return { collateral: collateral('tdx_quote_outdated_collateral'), nowSecs: DSTACK_VERIFIED_AT_SECS };
}

function tdxPolicy(overrides: Partial<TdxPolicy> = {}): AttestationPolicy {
  return { tdx: { ...dstackFixturePolicy(), ...overrides } };
}

/** Asserts the run stopped at `failedAt` with `code`: every earlier check passed (or was skipped), every later one did not run. */
function assertStoppedAt(verdict: AttestationVerdict, order: readonly AttestationCheckName[], failedAt: AttestationCheckName, code: ErrorName): void {
  assert.is(verdict.ok, false);
  assert.is(verdict.failure?.name, code, verdict.failure?.message);
  assert.equal(verdict.checks.map((check) => check.name), order);
  const at = order.indexOf(failedAt);
  verdict.checks.forEach((check, index) => {
    if (index < at) assert.ok(check.outcome === 'passed' || check.outcome === 'skipped', `${check.name} before the failure: ${check.outcome} ${check.detail}`);
    else if (index === at) assert.is(check.outcome, 'failed', check.name);
    else assert.is(check.outcome, 'not-run', check.name);
  });
}

function flipQuoteBit(bundle: DstackAttestationBundle, byteOffset: number, bit: number): DstackAttestationBundle {
  const quote = hexToBytes(bundle.quoteHex);
  quote[byteOffset]! ^= 1 << bit;
  return { ...bundle, quoteHex: bytesToHex(quote) };
}

test('the fixture time lies inside the dstack collateral window', () => {
  const { fromSecs, untilSecs } = collateralWindowSecs(collateral('tdx_quote_outdated_collateral'));
  assert.ok(fromSecs < DSTACK_VERIFIED_AT_SECS && DSTACK_VERIFIED_AT_SECS < untilSecs);
});

test('real dstack quote: DCAP UpToDate, event log replays, pins hold; the keys are not bound, so it is rejected at report-data', async () => {
  const verdict = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), tdxPolicy(), dstackOptions());
  assertStoppedAt(verdict, DSTACK_CHECKS, 'report-data', 'ATTESTATION_REPORT_DATA_MISMATCH');
  assert.is(verdict.kind, 'dstack-tdx');
  assert.is(verdict.insecure, false);
  assert.equal(verdict.tcb, { status: 'UpToDate', advisoryIds: [] });
  assert.is(verdict.measurements?.mrtdHex, dstackFixturePolicy().allowedMrtdHex[0]);
  assert.is(verdict.app?.composeHashHex, dstackFixturePolicy().composeHashHex);
  assert.is(verdict.checks.find((check) => check.name === 'boot-rtmrs')?.outcome, 'skipped');
  assert.match(verdict.checks.find((check) => check.name === 'event-log')!.detail, /28 events/);
  assert.is(verdict.validUntilSecs, collateralWindowSecs(collateral('tdx_quote_outdated_collateral')).untilSecs);
  assert.equal(verdict.enclaveKeys, OFFERED_KEYS);
  try {
    requireAccepted(verdict);
    assert.unreachable('requireAccepted let a rejection through');
  } catch (error) {
    assert.ok(isCodedError(error, 'ATTESTATION_REPORT_DATA_MISMATCH'), String(error));
  }
});

test('the binding check names what the quote carries: the recorded 0x1234… report data', async () => {
  const verdict = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), tdxPolicy(), dstackOptions());
  assert.match(verdict.failure?.message ?? '', new RegExp(`report data ${dstackQuoteReport().report_data.slice(0, 16)}`));
});

test('the boot RTMRs pass when pinned to the quote and fail when pinned to something else', async () => {
  const first = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), tdxPolicy(), dstackOptions());
  const m = first.measurements!;
  const pinned = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), tdxPolicy({ allowedBootRtmrs: [{ rtmr0Hex: m.rtmr0Hex, rtmr1Hex: m.rtmr1Hex, rtmr2Hex: m.rtmr2Hex }] }), dstackOptions());
  assert.is(pinned.checks.find((check) => check.name === 'boot-rtmrs')?.outcome, 'passed');
  assertStoppedAt(pinned, DSTACK_CHECKS, 'report-data', 'ATTESTATION_REPORT_DATA_MISMATCH');
  const wrong = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), tdxPolicy({ allowedBootRtmrs: [{ rtmr0Hex: m.rtmr0Hex, rtmr1Hex: m.rtmr1Hex, rtmr2Hex: '00'.repeat(48) }] }), dstackOptions());
  assertStoppedAt(wrong, DSTACK_CHECKS, 'boot-rtmrs', 'ATTESTATION_BOOT_RTMR_NOT_ALLOWED');
});

test('each policy pin, when wrong, fails at its own check', async () => {
  const cases: [Partial<TdxPolicy>, AttestationCheckName, ErrorName][] = [
    [{ composeHashHex: 'ab'.repeat(32) }, 'compose-hash', 'ATTESTATION_COMPOSE_HASH_MISMATCH'],
    [{ appIdHex: 'ab'.repeat(20) }, 'app-id', 'ATTESTATION_APP_ID_MISMATCH'],
    [{ keyProvider: { name: 'kms', idHex: dstackFixturePolicy().keyProvider.idHex } }, 'key-provider', 'ATTESTATION_KEY_PROVIDER_MISMATCH'],
    [{ keyProvider: { name: 'local-sgx', idHex: 'ab'.repeat(32) } }, 'key-provider', 'ATTESTATION_KEY_PROVIDER_MISMATCH'],
    [{ allowedMrtdHex: ['ab'.repeat(48)] }, 'mrtd', 'ATTESTATION_MRTD_NOT_ALLOWED'],
  ];
  for (const [overrides, check, code] of cases) {
    const verdict = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), tdxPolicy(overrides), dstackOptions());
    assertStoppedAt(verdict, DSTACK_CHECKS, check, code);
  }
  const uppercasePins = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), tdxPolicy({ composeHashHex: dstackFixturePolicy().composeHashHex.toUpperCase() }), dstackOptions());
  assertStoppedAt(uppercasePins, DSTACK_CHECKS, 'report-data', 'ATTESTATION_REPORT_DATA_MISMATCH');
});

test('a wrong compose hash is also caught when a second MRTD is allowed', async () => {
  const verdict = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), tdxPolicy({ allowedMrtdHex: ['ab'.repeat(48), dstackFixturePolicy().allowedMrtdHex[0]!], composeHashHex: '00'.repeat(32) }), dstackOptions());
  assertStoppedAt(verdict, DSTACK_CHECKS, 'compose-hash', 'ATTESTATION_COMPOSE_HASH_MISMATCH');
});

test('tampering with the quote report data breaks the DCAP signature', async () => {
  for (const bit of [0, 3, 7]) {
    const verdict = await verifyAttestation(flipQuoteBit(dstackFixtureBundle(OFFERED_KEYS), 48 + 520 + 5, bit), tdxPolicy(), dstackOptions());
    assertStoppedAt(verdict, DSTACK_CHECKS, 'dcap-quote', 'ATTESTATION_QUOTE_INVALID');
    assert.match(verdict.failure!.message, /ISV enclave report signature is invalid/);
  }
});

test('a forged compose-hash event no longer replays to RTMR3', async () => {
  const bundle = dstackFixtureBundle(OFFERED_KEYS);
  const eventLog = bundle.eventLog.map((event) => (event.event === 'compose-hash' ? { ...event, digest: '', event_payload: dstackFixturePolicy().composeHashHex.replace(/^../, '00') } : event));
  const verdict = await verifyAttestation({ ...bundle, eventLog }, tdxPolicy({ composeHashHex: dstackFixturePolicy().composeHashHex.replace(/^../, '00') }), dstackOptions());
  assertStoppedAt(verdict, DSTACK_CHECKS, 'event-log', 'ATTESTATION_EVENT_LOG_MISMATCH');
  assert.match(verdict.failure!.message, /RTMR3/);
});

test('at the real current time the collateral has expired', async () => {
  const verdict = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), tdxPolicy(), { collateral: collateral('tdx_quote_outdated_collateral') });
  assertStoppedAt(verdict, DSTACK_CHECKS, 'dcap-quote', 'ATTESTATION_COLLATERAL_EXPIRED');
  assert.match(verdict.failure!.message, /TCBInfo expired/);
  assert.ok(verdict.verifiedAtSecs > collateralWindowSecs(collateral('tdx_quote_outdated_collateral')).untilSecs);
});

test('the outdated sample quote in a bundle matches no TCB level', async () => {
  const bundle: DstackAttestationBundle = { ...dstackFixtureBundle(OFFERED_KEYS), quoteHex: bytesToHex(fixtureBytes('dcap-qvl/tdx_quote_outdated')) };
  const value = collateral('tdx_quote_outdated_collateral');
  const verdict = await verifyAttestation(bundle, tdxPolicy(), { collateral: value, nowSecs: insideWindowSecs(value) });
  assertStoppedAt(verdict, DSTACK_CHECKS, 'dcap-quote', 'ATTESTATION_TCB_LEVEL_UNKNOWN');
});

test('an SGX quote in a dstack bundle passes DCAP but is not TDX', async () => {
  const bundle: DstackAttestationBundle = { ...dstackFixtureBundle(OFFERED_KEYS), quoteHex: bytesToHex(fixtureBytes('dcap-qvl/sgx_quote')) };
  const value = collateral('sgx_quote_collateral');
  const verdict = await verifyAttestation(bundle, tdxPolicy({ allowedTcbStatuses: ['UpToDate', 'ConfigurationAndSWHardeningNeeded'] }), { collateral: value, nowSecs: insideWindowSecs(value) });
  assertStoppedAt(verdict, DSTACK_CHECKS, 'tee-type', 'ATTESTATION_QUOTE_NOT_TDX');
  assert.is(verdict.tcb?.status, 'ConfigurationAndSWHardeningNeeded');
});

test('the TDX sample quote (UpToDate) in a bundle stops at the MRTD allowlist of another deployment', async () => {
  const bundle: DstackAttestationBundle = { ...dstackFixtureBundle(OFFERED_KEYS), quoteHex: bytesToHex(fixtureBytes('dcap-qvl/tdx_quote')) };
  const value = collateral('tdx_quote_collateral');
  const verdict = await verifyAttestation(bundle, tdxPolicy(), { collateral: value, nowSecs: insideWindowSecs(value) });
  assertStoppedAt(verdict, DSTACK_CHECKS, 'mrtd', 'ATTESTATION_MRTD_NOT_ALLOWED');
  assert.is(verdict.tcb?.status, 'UpToDate');
});

test('without client collateral, or without a tdx policy, a dstack bundle is refused', async () => {
  const noCollateral = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), tdxPolicy(), { nowSecs: DSTACK_VERIFIED_AT_SECS });
  assertStoppedAt(noCollateral, DSTACK_CHECKS, 'dcap-quote', 'ATTESTATION_COLLATERAL_INVALID');
  const devOnly = await verifyAttestation(dstackFixtureBundle(OFFERED_KEYS), { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: 'ab'.repeat(32) } }, dstackOptions());
  assertStoppedAt(devOnly, DSTACK_CHECKS, 'kind-allowed', 'ATTESTATION_KIND_NOT_ALLOWED');
});

async function devSetup(): Promise<{ provider: DevAttestationProvider; bundle: DevAttestationBundle; rootHex: string }> {
  const provider = new DevAttestationProvider({ production: false });
  const bundle = await provider.attest(randomKeys());
  return { provider, bundle, rootHex: bytesToHex(provider.devRootPublicKey) };
}

test('a dev report without opt-in is rejected', async () => {
  const { bundle, rootHex } = await devSetup();
  assertStoppedAt(await verifyAttestation(bundle, { tdx: dstackFixturePolicy() }), DEV_CHECKS, 'kind-allowed', 'ATTESTATION_DEV_NOT_ALLOWED');
  assertStoppedAt(await verifyAttestation(bundle, { dev: { allowInsecureDevAttestation: false, rootPublicKeyHex: rootHex } }), DEV_CHECKS, 'kind-allowed', 'ATTESTATION_DEV_NOT_ALLOWED');
});

test('a dev report with opt-in and the pinned root is accepted and says insecure', async () => {
  const { bundle, rootHex } = await devSetup();
  const verdict = await verifyAttestation(serializeAttestationBundle(bundle), { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: rootHex } });
  assert.is(verdict.ok, true, verdict.failure?.message);
  assert.is(verdict.insecure, true);
  assert.is(verdict.kind, 'dev');
  assert.equal(verdict.checks.map((check) => [check.name, check.outcome]), DEV_CHECKS.map((name) => [name, 'passed']));
  assert.match(verdict.checks[1]!.detail, /INSECURE/);
  assert.equal(verdict.enclaveKeys, bundle.enclaveKeys);
  assert.is(verdict.tcb, null);
  assert.is(requireAccepted(verdict), verdict);
});

test('a dev report with opt-in but another root is rejected', async () => {
  const { bundle } = await devSetup();
  const other = bytesToHex(new DevAttestationProvider({ production: false }).devRootPublicKey);
  assertStoppedAt(await verifyAttestation(bundle, { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: other } }), DEV_CHECKS, 'dev-root', 'ATTESTATION_DEV_ROOT_MISMATCH');
});

test('a tampered dev report is rejected: signature, report data, keys, or a re-signed report from another root', async () => {
  const { bundle, rootHex } = await devSetup();
  const policy: AttestationPolicy = { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: rootHex } };
  const signature = hexToBytes(bundle.devReport.signatureHex);
  signature[10]! ^= 0x01;
  assertStoppedAt(await verifyAttestation({ ...bundle, devReport: { ...bundle.devReport, signatureHex: bytesToHex(signature) } }, policy), DEV_CHECKS, 'dev-signature', 'ATTESTATION_DEV_SIGNATURE_INVALID');
  const reportData = hexToBytes(bundle.devReport.reportDataHex);
  reportData[0]! ^= 0x80;
  assertStoppedAt(await verifyAttestation({ ...bundle, devReport: { ...bundle.devReport, reportDataHex: bytesToHex(reportData) } }, policy), DEV_CHECKS, 'dev-signature', 'ATTESTATION_DEV_SIGNATURE_INVALID');
  const swappedKeys = { ...bundle, enclaveKeys: OFFERED_KEYS };
  assertStoppedAt(await verifyAttestation(swappedKeys, policy), DEV_CHECKS, 'report-data', 'ATTESTATION_REPORT_DATA_MISMATCH');
  const impostor = await new DevAttestationProvider({ production: false }).attest(randomKeys());
  assertStoppedAt(await verifyAttestation({ ...impostor, devReport: { ...impostor.devReport, rootPublicKeyHex: rootHex } }, policy), DEV_CHECKS, 'dev-signature', 'ATTESTATION_DEV_SIGNATURE_INVALID');
});

test('a malformed bundle is a verdict at the bundle check, not a crash', async () => {
  const verdict = await verifyAttestation('{"version":1,"kind":"dev"', { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: 'ab'.repeat(32) } });
  assert.is(verdict.ok, false);
  assert.is(verdict.failure?.name, 'ATTESTATION_BUNDLE_MALFORMED');
  assert.equal(verdict.checks.map((check) => [check.name, check.outcome]), [['bundle', 'failed']]);
  assert.is(verdict.kind, null);
});

test('a malformed policy or time is thrown as ATTESTATION_POLICY_INVALID', async () => {
  const bundle = dstackFixtureBundle(OFFERED_KEYS);
  for (const [policy, options] of [
    [tdxPolicy({ allowedMrtdHex: [] }), dstackOptions()],
    [tdxPolicy({ allowedTcbStatuses: ['Revoked'] }), dstackOptions()],
    [tdxPolicy(), { ...dstackOptions(), nowSecs: Number.NaN }],
  ] as [AttestationPolicy, VerifyAttestationOptions][]) {
    try {
      await verifyAttestation(bundle, policy, options);
      assert.unreachable('accepted a malformed policy');
    } catch (error) {
      assert.ok(isCodedError(error, 'ATTESTATION_POLICY_INVALID'), String(error));
    }
  }
});

test('fuzz: random bit flips anywhere in the real quote never crash and are never accepted', async () => {
  const seed = fuzzSeed('verify quote bit flips', 0x00c0_ffee);
  const random = seededRandom(seed);
  const bundle = dstackFixtureBundle(OFFERED_KEYS);
  const length = bundle.quoteHex.length / 2;
  const seen = new Set<string>();
  for (let iteration = 0; iteration < QUOTE_FUZZ_ITERATIONS; iteration++) {
    const offset = random() < 0.5 ? Math.floor(random() * 640) : Math.floor(random() * length);
    const verdict = await verifyAttestation(flipQuoteBit(bundle, offset, Math.floor(random() * 8)), tdxPolicy(), dstackOptions());
    assert.is(verdict.ok, false, `seed ${seed} iteration ${iteration}: accepted a flipped quote`);
    assert.ok(verdict.failure!.code >= 6200 && verdict.failure!.code < 6300, `seed ${seed} iteration ${iteration}: ${verdict.failure!.message}`);
    seen.add(verdict.failure!.name);
  }
  assert.ok(seen.has('ATTESTATION_QUOTE_INVALID'), `seed ${seed}: ${[...seen].join(', ')}`);
});

test('fuzz: mutated bundles always end in a coded verdict', async () => {
  const seed = fuzzSeed('verify bundle mutations', 0x0b0d_1e55);
  const random = seededRandom(seed);
  const { bundle: dev, rootHex } = await devSetup();
  const sources: AttestationBundle[] = [dev, dstackFixtureBundle(OFFERED_KEYS)];
  const policy: AttestationPolicy = { tdx: dstackFixturePolicy(), dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: rootHex } };
  let accepted = 0;
  for (let iteration = 0; iteration < BUNDLE_FUZZ_ITERATIONS; iteration++) {
    const text = serializeAttestationBundle(sources[iteration % sources.length]!);
    const at = Math.floor(random() * text.length);
    const mutated = text.slice(0, at) + '0123456789abcdef"{}[],:x'[Math.floor(random() * 25)] + text.slice(at + 1);
    const verdict = await verifyAttestation(mutated, policy, dstackOptions());
    if (verdict.ok) {
      accepted++;
      assert.is(verdict.kind, 'dev', `seed ${seed} iteration ${iteration}: only an unchanged dev bundle can pass`);
    } else {
      assert.ok(verdict.failure.code >= 6200 && verdict.failure.code < 6300, `seed ${seed} iteration ${iteration}: ${verdict.failure.message}`);
    }
  }
  assert.ok(accepted < BUNDLE_FUZZ_ITERATIONS / 4, `seed ${seed}: ${accepted} mutated bundles accepted`);
});

test.run();
