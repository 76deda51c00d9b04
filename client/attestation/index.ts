// The client's attestation API in one import: verify a bundle under a policy, cache verdicts
// per enclave key, and the lower-level checks for tools that show them one by one.
export { verifyAttestation, type VerifyAttestationOptions } from './verify.js';
export { AttestationVerdictCache, DEFAULT_VERDICT_CACHE_ENTRIES, DEFAULT_VERDICT_CACHE_MAX_AGE_SECS, type VerdictCacheConfig } from './cache.js';
export {
  requireAccepted,
  type AcceptedAttestation,
  type AttestationCheck,
  type AttestationCheckName,
  type AttestationCheckOutcome,
  type AttestationFailure,
  type AttestationVerdict,
  type RejectedAttestation,
} from './verdict.js';
export {
  ALLOWABLE_TCB_STATUSES,
  DEFAULT_ALLOWED_TCB_STATUSES,
  normalizePolicy,
  type AttestationPolicy,
  type BootRtmrs,
  type DevPolicy,
  type KeyProviderPin,
  type TdxPolicy,
} from './policy.js';
export { checkTcbStatus, checkTdxModule, collateralWindow, verifyDcapQuote, type CollateralWindow, type DcapVerification, type TdMeasurements, type TdxModuleIdentity } from './dcap.js';
export { appEventsBeforeSystemReady, replayEventLog, runtimeEventDigest, type DstackAppEvents } from './event-log.js';
