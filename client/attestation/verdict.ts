// The result of verifying an attestation bundle: every check in the order it ran and its
// outcome, so a page can show the trader exactly what was established, plus the one coded
// failure that decided a rejection. Kept apart from the checks so the UI can import it alone.
import type { TcbStatus } from '@phala/dcap-qvl';
import { CodedError, isCodedError, type ErrorName } from '../../src/errors/index.js';
import type { AttestationKind, EnclaveKeysHex } from '../../src/protocol/attestation-bundle.js';
import type { TdMeasurements } from './dcap.js';
import type { DstackAppEvents } from './event-log.js';

export type AttestationCheckName =
  | 'bundle'
  | 'kind-allowed'
  | 'dcap-quote'
  | 'tee-type'
  | 'tdx-module'
  | 'tcb-status'
  | 'mrtd'
  | 'boot-rtmrs'
  | 'event-log'
  | 'compose-hash'
  | 'app-id'
  | 'key-provider'
  | 'dev-root'
  | 'dev-signature'
  | 'report-data';

/** passed / failed; skipped: the policy does not ask for it; not-run: an earlier check failed. */
export type AttestationCheckOutcome = 'passed' | 'failed' | 'skipped' | 'not-run';

export interface AttestationCheck {
  readonly name: AttestationCheckName;
  readonly outcome: AttestationCheckOutcome;
  readonly detail: string;
}

export interface AttestationFailure {
  readonly code: number;
  readonly name: ErrorName;
  /** The full coded message, e.g. "ATTESTATION_MRTD_NOT_ALLOWED (6210): <table message> <detail>". */
  readonly message: string;
  /** What was found, without the table message; undefined when there is nothing to add. */
  readonly detail: string | undefined;
}

interface VerdictFields {
  /** Null only when the bundle could not be parsed. */
  readonly kind: AttestationKind | null;
  /** True for development reports: no TEE stands behind the keys. */
  readonly insecure: boolean;
  readonly enclaveKeys: EnclaveKeysHex | null;
  /** sha256 of the canonical bundle, hex: the attestation hash the handshake transcript includes. */
  readonly bundleDigestHex: string | null;
  readonly checks: readonly AttestationCheck[];
  readonly tcb: { readonly status: TcbStatus; readonly advisoryIds: readonly string[] } | null;
  readonly measurements: TdMeasurements | null;
  readonly app: DstackAppEvents | null;
  readonly verifiedAtSecs: number;
  /** When the verdict stops holding: the collateral's earliest nextUpdate; null for dev reports. */
  readonly validUntilSecs: number | null;
  readonly fromCache: boolean;
}

export interface AcceptedAttestation extends VerdictFields {
  readonly ok: true;
  readonly kind: AttestationKind;
  readonly enclaveKeys: EnclaveKeysHex;
  readonly bundleDigestHex: string;
  readonly failure: null;
}

export interface RejectedAttestation extends VerdictFields {
  readonly ok: false;
  readonly failure: AttestationFailure;
}

export type AttestationVerdict = AcceptedAttestation | RejectedAttestation;

/** Returns the verdict when accepted; otherwise throws its coded failure (for callers that must not proceed). */
export function requireAccepted(verdict: AttestationVerdict): AcceptedAttestation {
  if (verdict.ok) return verdict;
  throw new CodedError(verdict.failure.name, verdict.failure.detail);
}

/**
 * Runs checks in order and records each. The first coded failure stops the run; the checks
 * after it are recorded as not-run. Anything thrown that is not a CodedError is a bug and
 * propagates.
 */
export class CheckRecorder {
  readonly checks: AttestationCheck[] = [];
  failure: CodedError | null = null;

  run(name: AttestationCheckName, step: () => string): void {
    if (this.failure !== null) {
      this.checks.push({ name, outcome: 'not-run', detail: 'not run: an earlier check failed' });
      return;
    }
    try {
      this.checks.push({ name, outcome: 'passed', detail: step() });
    } catch (error) {
      if (!isCodedError(error)) throw error;
      this.failure = error;
      this.checks.push({ name, outcome: 'failed', detail: error.message });
    }
  }

  skip(name: AttestationCheckName, reason: string): void {
    this.checks.push({ name, outcome: this.failure === null ? 'skipped' : 'not-run', detail: this.failure === null ? reason : 'not run: an earlier check failed' });
  }

  failureSummary(): AttestationFailure | null {
    return this.failure === null ? null : { code: this.failure.code, name: this.failure.errorName, message: this.failure.message, detail: this.failure.detail };
  }
}
