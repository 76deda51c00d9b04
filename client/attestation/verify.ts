// verifyAttestation: everything a client establishes before it trusts an enclave's keys, in
// one ordered run. For a dstack TDX bundle: the quote is genuine and its platform current
// (DCAP), it runs an allowed TD, its event log reproduces the RTMRs, the app measured at
// boot is the pinned one, and only then that its report data binds the offered keys. For a
// development bundle: opt-in, pinned root, signature, binding; and the verdict says insecure.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import type { Collateral } from '@phala/dcap-qvl';
import { CodedError } from '../../src/errors/index.js';
import {
  attestationBundleDigest,
  devReportMessage,
  enclaveKeysFromHex,
  enclaveKeysReportData,
  parseAttestationBundle,
  type AttestationBundle,
  type DevAttestationBundle,
  type DstackAttestationBundle,
} from '../../src/protocol/attestation-bundle.js';
import type { AttestationVerdictCache } from './cache.js';
import { checkTcbStatus, checkTdxModule, collateralWindow, verifyDcapQuote, type DcapVerification } from './dcap.js';
import { appEventsBeforeSystemReady, replayEventLog, type DstackAppEvents } from './event-log.js';
import { normalizePolicy, policyDigestHex, type AttestationPolicy, type DevPolicy, type NormalizedTdxPolicy } from './policy.js';
import { CheckRecorder, type AttestationVerdict } from './verdict.js';

export interface VerifyAttestationOptions {
  /** DCAP collateral for the quote's platform, fetched by the client itself (never taken from the server it verifies). */
  readonly collateral?: Collateral;
  /** The verification time; defaults to the clock. Tests pin it inside the collateral's window. */
  readonly nowSecs?: number;
  readonly cache?: AttestationVerdictCache;
}

/**
 * Verifies a bundle (JSON text or parsed value) under the policy. Resolves to a verdict for
 * every bundle, however malformed; rejects only for a malformed policy or options
 * (ATTESTATION_POLICY_INVALID).
 */
export async function verifyAttestation(bundle: unknown, policy: AttestationPolicy, options: VerifyAttestationOptions = {}): Promise<AttestationVerdict> {
  const normalized = normalizePolicy(policy);
  const nowSecs = options.nowSecs ?? Math.floor(Date.now() / 1000);
  if (!Number.isFinite(nowSecs) || nowSecs < 0) throw new CodedError('ATTESTATION_POLICY_INVALID', 'nowSecs must be a non-negative number.');
  const recorder = new CheckRecorder();
  let parsed: AttestationBundle | undefined;
  recorder.run('bundle', () => {
    parsed = parseAttestationBundle(bundle);
    return `well-formed ${parsed.kind} bundle`;
  });
  if (parsed === undefined) return rejected(recorder, nowSecs, { kind: null, enclaveKeys: null, bundleDigestHex: null });
  const bundleDigestHex = bytesToHex(attestationBundleDigest(parsed));
  const policyDigest = options.cache === undefined ? '' : policyDigestHex(normalized, options.collateral);
  const cached = options.cache?.lookup(parsed.enclaveKeys, bundleDigestHex, policyDigest, nowSecs);
  if (cached !== undefined) return cached;

  const verdict = parsed.kind === 'dev'
    ? verifyDev(parsed, normalized.dev, recorder, nowSecs, bundleDigestHex)
    : verifyDstack(parsed, normalized.tdx, options.collateral, recorder, nowSecs, bundleDigestHex);
  if (verdict.ok && options.cache !== undefined) {
    const validFromSecs = parsed.kind === 'dev' || options.collateral === undefined ? 0 : collateralWindow(options.collateral).notBeforeSecs;
    options.cache.store(bundleDigestHex, policyDigest, verdict, validFromSecs);
  }
  return verdict;
}

function verifyDstack(
  bundle: DstackAttestationBundle,
  policy: NormalizedTdxPolicy | null,
  collateral: Collateral | undefined,
  recorder: CheckRecorder,
  nowSecs: number,
  bundleDigestHex: string,
): AttestationVerdict {
  let dcap: DcapVerification | undefined;
  let app: DstackAppEvents | undefined;
  let validUntilSecs: number | null = null;
  const tdx = (): NormalizedTdxPolicy => policy!;
  const td = () => dcap!.td!;

  recorder.run('kind-allowed', () => {
    if (policy === null) throw new CodedError('ATTESTATION_KIND_NOT_ALLOWED', 'the policy has no tdx section.');
    return 'the policy accepts dstack TDX attestations';
  });
  recorder.run('dcap-quote', () => {
    if (collateral === undefined) throw new CodedError('ATTESTATION_COLLATERAL_INVALID', 'no collateral was supplied; the client must fetch it itself.');
    validUntilSecs = collateralWindow(collateral).notAfterSecs;
    dcap = verifyDcapQuote(hexToBytes(bundle.quoteHex), collateral, nowSecs);
    return `quote signature, PCK chain to Intel's root, TCB info and QE identity valid at ${isoSecs(nowSecs)}`;
  });
  recorder.run('tee-type', () => {
    if (dcap!.teeType !== 'tdx') throw new CodedError('ATTESTATION_QUOTE_NOT_TDX', `the quote is ${dcap!.teeType}.`);
    return 'Intel TDX quote';
  });
  recorder.run('tdx-module', () => {
    checkTdxModule(dcap!.tdxModule!, collateral!);
    return `TDX module signed as the TCB info requires (MRSEAM ${dcap!.tdxModule!.mrSeamHex.slice(0, 16)}…)`;
  });
  recorder.run('tcb-status', () => {
    checkTcbStatus(dcap!.status, tdx().allowedTcbStatuses);
    const advisories = dcap!.advisoryIds.length === 0 ? 'no advisories' : `advisories ${dcap!.advisoryIds.join(', ')}`;
    return `${dcap!.status} (${advisories})`;
  });
  recorder.run('mrtd', () => {
    if (!tdx().allowedMrtdHex.includes(td().mrtdHex)) throw new CodedError('ATTESTATION_MRTD_NOT_ALLOWED', `MRTD ${td().mrtdHex}.`);
    return `MRTD ${td().mrtdHex} is on the allowlist`;
  });
  if (policy?.allowedBootRtmrs === null) recorder.skip('boot-rtmrs', 'the policy does not pin RTMR0-2');
  else {
    recorder.run('boot-rtmrs', () => {
      const m = td();
      const allowed = tdx().allowedBootRtmrs!.some((entry) => entry.rtmr0Hex === m.rtmr0Hex && entry.rtmr1Hex === m.rtmr1Hex && entry.rtmr2Hex === m.rtmr2Hex);
      if (!allowed) throw new CodedError('ATTESTATION_BOOT_RTMR_NOT_ALLOWED', `RTMR0 ${m.rtmr0Hex.slice(0, 16)}…, RTMR1 ${m.rtmr1Hex.slice(0, 16)}…, RTMR2 ${m.rtmr2Hex.slice(0, 16)}…`);
      return 'RTMR0-2 match an allowed OS image and VM shape';
    });
  }
  recorder.run('event-log', () => {
    const replayed = replayEventLog(bundle.eventLog);
    const quoted = [td().rtmr0Hex, td().rtmr1Hex, td().rtmr2Hex, td().rtmr3Hex];
    for (let index = 0; index < quoted.length; index++) {
      if (replayed[index] !== quoted[index]) throw new CodedError('ATTESTATION_EVENT_LOG_MISMATCH', `RTMR${index} replays to ${replayed[index]!.slice(0, 16)}…, the quote has ${quoted[index]!.slice(0, 16)}…`);
    }
    app = appEventsBeforeSystemReady(bundle.eventLog);
    return `${bundle.eventLog.length} events replay to RTMR0-3 of the quote`;
  });
  recorder.run('compose-hash', () => {
    if (app!.composeHashHex !== tdx().composeHashHex) throw new CodedError('ATTESTATION_COMPOSE_HASH_MISMATCH', `measured ${app!.composeHashHex}.`);
    return `compose hash ${app!.composeHashHex}`;
  });
  recorder.run('app-id', () => {
    if (app!.appIdHex !== tdx().appIdHex) throw new CodedError('ATTESTATION_APP_ID_MISMATCH', `measured ${app!.appIdHex}.`);
    return `app id ${app!.appIdHex}`;
  });
  recorder.run('key-provider', () => {
    const measured = app!.keyProvider;
    const pinned = tdx().keyProvider;
    if (measured === null || measured.name !== pinned.name || measured.idHex !== pinned.idHex) {
      throw new CodedError('ATTESTATION_KEY_PROVIDER_MISMATCH', measured === null ? 'the key-provider event is not {name, id} JSON.' : `measured ${measured.name} ${measured.idHex.slice(0, 16)}…`);
    }
    return `key provider ${measured.name} ${measured.idHex.slice(0, 16)}…`;
  });
  recorder.run('report-data', () => reportDataCheck(bundle, dcap!.reportData));

  const fields = {
    kind: bundle.kind,
    insecure: false,
    enclaveKeys: bundle.enclaveKeys,
    bundleDigestHex,
    checks: recorder.checks,
    tcb: dcap === undefined ? null : { status: dcap.status, advisoryIds: dcap.advisoryIds },
    measurements: dcap?.td ?? null,
    app: app ?? null,
    verifiedAtSecs: nowSecs,
    validUntilSecs,
    fromCache: false,
  } as const;
  const failure = recorder.failureSummary();
  return failure === null ? { ...fields, ok: true, failure: null } : { ...fields, ok: false, failure };
}

function verifyDev(bundle: DevAttestationBundle, policy: DevPolicy | null, recorder: CheckRecorder, nowSecs: number, bundleDigestHex: string): AttestationVerdict {
  const report = bundle.devReport;
  recorder.run('kind-allowed', () => {
    if (policy === null || policy.allowInsecureDevAttestation !== true) throw new CodedError('ATTESTATION_DEV_NOT_ALLOWED', 'the policy does not set dev.allowInsecureDevAttestation.');
    return 'INSECURE: the policy opts in to development attestations';
  });
  recorder.run('dev-root', () => {
    if (report.rootPublicKeyHex !== policy!.rootPublicKeyHex) throw new CodedError('ATTESTATION_DEV_ROOT_MISMATCH', `signed by ${report.rootPublicKeyHex}.`);
    return `signed by the pinned dev root ${report.rootPublicKeyHex}`;
  });
  recorder.run('dev-signature', () => {
    if (!ed25519VerifySafe(hexToBytes(report.signatureHex), devReportMessage(hexToBytes(report.reportDataHex)), hexToBytes(policy!.rootPublicKeyHex))) {
      throw new CodedError('ATTESTATION_DEV_SIGNATURE_INVALID');
    }
    return 'Ed25519 signature over the report data is valid';
  });
  recorder.run('report-data', () => reportDataCheck(bundle, hexToBytes(report.reportDataHex)));
  const fields = {
    kind: bundle.kind,
    insecure: true,
    enclaveKeys: bundle.enclaveKeys,
    bundleDigestHex,
    checks: recorder.checks,
    tcb: null,
    measurements: null,
    app: null,
    verifiedAtSecs: nowSecs,
    validUntilSecs: null,
    fromCache: false,
  } as const;
  const failure = recorder.failureSummary();
  return failure === null ? { ...fields, ok: true, failure: null } : { ...fields, ok: false, failure };
}

function reportDataCheck(bundle: AttestationBundle, reportData: Uint8Array): string {
  const expected = bytesToHex(enclaveKeysReportData(enclaveKeysFromHex(bundle.enclaveKeys)));
  const actual = bytesToHex(reportData);
  if (actual !== expected) throw new CodedError('ATTESTATION_REPORT_DATA_MISMATCH', `report data ${actual.slice(0, 16)}…, the keys need ${expected.slice(0, 16)}…`);
  return `report data is sha512 of the tag and the bundle's Ed25519 and X25519 keys`;
}

/** noble throws on some malformed encodings; for a verifier that is simply an invalid signature. */
function ed25519VerifySafe(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

function rejected(
  recorder: CheckRecorder,
  nowSecs: number,
  fields: { kind: null; enclaveKeys: null; bundleDigestHex: null },
): AttestationVerdict {
  const failure = recorder.failureSummary();
  if (failure === null) throw new Error('assertion: a rejected verdict needs a failure');
  return { ...fields, ok: false, failure, insecure: false, checks: recorder.checks, tcb: null, measurements: null, app: null, verifiedAtSecs: nowSecs, validUntilSecs: null, fromCache: false };
}

function isoSecs(secs: number): string {
  return new Date(secs * 1000).toISOString();
}
