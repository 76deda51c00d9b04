// Turns the page's attestation settings into the SDK's policy. A development enclave is
// accepted only when the trader ticks the explicit opt-in AND pins the dev root key the
// enclave printed at start (the page never trusts the root a bundle names for itself). A TDX
// enclave needs the trader's pins (MRTD, compose hash, app id, key provider) and DCAP
// collateral the trader fetched; both are pasted as JSON.
import type { Collateral } from '@phala/dcap-qvl';
import { normalizePolicy, type AttestationPolicy, type TdxPolicy } from '../attestation/policy.js';
import { CodedError } from '../../src/errors/index.js';

export const POLICY_FORM_LIMITS = {
  maxTdxPolicyChars: 64_000,
  /** Intel collateral is tens of kilobytes; a megabyte bounds a paste. */
  maxCollateralChars: 1_000_000,
} as const;

export interface PolicyInputs {
  readonly allowInsecureDev: boolean;
  readonly devRootHex: string;
  /** JSON of a TdxPolicy, or empty. */
  readonly tdxPolicyJson: string;
  /** JSON of dcap-qvl collateral, or empty. */
  readonly collateralJson: string;
}

export interface PagePolicy {
  readonly policy: AttestationPolicy;
  readonly collateral: Collateral | undefined;
}

/** Builds and validates the policy; ATTESTATION_POLICY_INVALID or ATTESTATION_COLLATERAL_INVALID naming what to fix. */
export function policyFromInputs(inputs: PolicyInputs): PagePolicy {
  const devRootHex = inputs.devRootHex.trim().replace(/^0x/, '');
  if (inputs.allowInsecureDev && devRootHex === '') {
    throw new CodedError('ATTESTATION_POLICY_INVALID', 'dev.rootPublicKeyHex: pin the dev root public key the development enclave printed at start.');
  }
  const tdx = inputs.tdxPolicyJson.trim() === '' ? undefined : parseJson<TdxPolicy>(inputs.tdxPolicyJson, POLICY_FORM_LIMITS.maxTdxPolicyChars, 'ATTESTATION_POLICY_INVALID', 'TDX policy');
  const collateral = inputs.collateralJson.trim() === '' ? undefined : parseJson<Collateral>(inputs.collateralJson, POLICY_FORM_LIMITS.maxCollateralChars, 'ATTESTATION_COLLATERAL_INVALID', 'DCAP collateral');
  if (tdx === undefined && !inputs.allowInsecureDev) {
    throw new CodedError('ATTESTATION_POLICY_INVALID', 'paste the TDX policy of the enclave you expect, or opt in to an insecure development enclave.');
  }
  const policy: AttestationPolicy = {
    ...(tdx === undefined ? {} : { tdx }),
    ...(inputs.allowInsecureDev ? { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: devRootHex } } : {}),
  };
  normalizePolicy(policy);
  return { policy, collateral };
}

function parseJson<T>(text: string, maxChars: number, error: 'ATTESTATION_POLICY_INVALID' | 'ATTESTATION_COLLATERAL_INVALID', title: string): T {
  if (text.length > maxChars) throw new CodedError(error, `${title}: more than ${maxChars} characters.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CodedError(error, `${title}: not JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CodedError(error, `${title}: must be a JSON object.`);
  return value as T;
}
