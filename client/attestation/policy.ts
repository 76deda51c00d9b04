// What a client is willing to trust: the TCB statuses it accepts, the TD measurements and
// dstack app identity it pins, and whether it opts in to insecure development reports.
// Validated once, normalised to lowercase hex, and digested so a cached verdict is reused
// only under the very policy and collateral it was reached with.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import type { Collateral, TcbStatus } from '@phala/dcap-qvl';
import { CodedError } from '../../src/errors/index.js';

/** TCB statuses a policy may allow. Revoked and Unknown are never acceptable, so they cannot be listed. */
export const ALLOWABLE_TCB_STATUSES: readonly TcbStatus[] = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
];
export const DEFAULT_ALLOWED_TCB_STATUSES: readonly TcbStatus[] = ['UpToDate'];

/** Bounds on what a policy may list, so a misconfiguration cannot make verification unbounded. */
export const POLICY_LIMITS = { maxAllowlistEntries: 64, maxKeyProviderIdChars: 1024 } as const;

const MEASUREMENT_BYTES = 48;
const COMPOSE_HASH_BYTES = 32;
const APP_ID_BYTES = 20;
const ED25519_PUBLIC_KEY_BYTES = 32;

/** RTMR0-2 together: firmware configuration, kernel and command line, i.e. the OS image and VM shape. */
export interface BootRtmrs {
  readonly rtmr0Hex: string;
  readonly rtmr1Hex: string;
  readonly rtmr2Hex: string;
}

/** The dstack key provider that holds the app's keys, as measured in the key-provider event. */
export interface KeyProviderPin {
  readonly name: string;
  readonly idHex: string;
}

export interface TdxPolicy {
  /** Defaults to UpToDate only. */
  readonly allowedTcbStatuses?: readonly TcbStatus[];
  /** MRTD values (the TD's initial memory: the virtual firmware) that may run the enclave. */
  readonly allowedMrtdHex: readonly string[];
  /** When present, (RTMR0, RTMR1, RTMR2) must equal one entry. */
  readonly allowedBootRtmrs?: readonly BootRtmrs[];
  /** sha256 of the exact app-compose.json of the enclave's deployment. */
  readonly composeHashHex: string;
  readonly appIdHex: string;
  readonly keyProvider: KeyProviderPin;
}

export interface DevPolicy {
  /** Must be literally true to accept a development report; the verdict then says insecure. */
  readonly allowInsecureDevAttestation: boolean;
  /** The dev root public key (32 bytes hex) the development enclave prints at start. */
  readonly rootPublicKeyHex: string;
}

/** A section per kind of evidence the client accepts; a kind without a section is refused. */
export interface AttestationPolicy {
  readonly tdx?: TdxPolicy;
  readonly dev?: DevPolicy;
}

export interface NormalizedTdxPolicy {
  readonly allowedTcbStatuses: readonly TcbStatus[];
  readonly allowedMrtdHex: readonly string[];
  readonly allowedBootRtmrs: readonly BootRtmrs[] | null;
  readonly composeHashHex: string;
  readonly appIdHex: string;
  readonly keyProvider: KeyProviderPin;
}

export interface NormalizedPolicy {
  readonly tdx: NormalizedTdxPolicy | null;
  readonly dev: DevPolicy | null;
}

/** Validates a policy and lowercases its hex; throws ATTESTATION_POLICY_INVALID naming the field. */
export function normalizePolicy(policy: AttestationPolicy): NormalizedPolicy {
  if (typeof policy !== 'object' || policy === null) invalid('policy', 'must be an object');
  return {
    tdx: policy.tdx === undefined ? null : normalizeTdx(policy.tdx),
    dev: policy.dev === undefined ? null : normalizeDev(policy.dev),
  };
}

function normalizeTdx(tdx: TdxPolicy): NormalizedTdxPolicy {
  const statuses = tdx.allowedTcbStatuses ?? DEFAULT_ALLOWED_TCB_STATUSES;
  boundedList(statuses, 'tdx.allowedTcbStatuses');
  for (const status of statuses) if (!ALLOWABLE_TCB_STATUSES.includes(status)) invalid('tdx.allowedTcbStatuses', `cannot allow ${JSON.stringify(status)}`);
  boundedList(tdx.allowedMrtdHex, 'tdx.allowedMrtdHex');
  let allowedBootRtmrs: BootRtmrs[] | null = null;
  if (tdx.allowedBootRtmrs !== undefined) {
    boundedList(tdx.allowedBootRtmrs, 'tdx.allowedBootRtmrs');
    allowedBootRtmrs = tdx.allowedBootRtmrs.map((entry, index) => ({
      rtmr0Hex: hexPin(entry.rtmr0Hex, `tdx.allowedBootRtmrs[${index}].rtmr0Hex`, MEASUREMENT_BYTES),
      rtmr1Hex: hexPin(entry.rtmr1Hex, `tdx.allowedBootRtmrs[${index}].rtmr1Hex`, MEASUREMENT_BYTES),
      rtmr2Hex: hexPin(entry.rtmr2Hex, `tdx.allowedBootRtmrs[${index}].rtmr2Hex`, MEASUREMENT_BYTES),
    }));
  }
  const keyProvider = tdx.keyProvider;
  if (typeof keyProvider !== 'object' || keyProvider === null) invalid('tdx.keyProvider', 'must be { name, idHex }');
  if (typeof keyProvider.name !== 'string' || keyProvider.name.length === 0) invalid('tdx.keyProvider.name', 'must be a non-empty string');
  if (typeof keyProvider.idHex !== 'string' || keyProvider.idHex.length > POLICY_LIMITS.maxKeyProviderIdChars) invalid('tdx.keyProvider.idHex', 'must be a hex string');
  return {
    allowedTcbStatuses: [...statuses],
    allowedMrtdHex: tdx.allowedMrtdHex.map((mrtd, index) => hexPin(mrtd, `tdx.allowedMrtdHex[${index}]`, MEASUREMENT_BYTES)),
    allowedBootRtmrs,
    composeHashHex: hexPin(tdx.composeHashHex, 'tdx.composeHashHex', COMPOSE_HASH_BYTES),
    appIdHex: hexPin(tdx.appIdHex, 'tdx.appIdHex', APP_ID_BYTES),
    keyProvider: { name: keyProvider.name, idHex: hexPin(keyProvider.idHex, 'tdx.keyProvider.idHex') },
  };
}

function normalizeDev(dev: DevPolicy): DevPolicy {
  if (typeof dev.allowInsecureDevAttestation !== 'boolean') invalid('dev.allowInsecureDevAttestation', 'must be a boolean');
  return { allowInsecureDevAttestation: dev.allowInsecureDevAttestation, rootPublicKeyHex: hexPin(dev.rootPublicKeyHex, 'dev.rootPublicKeyHex', ED25519_PUBLIC_KEY_BYTES) };
}

/**
 * sha256 over the normalised policy and the collateral, hex. Equal digests mean a verdict
 * reached under one would be reached under the other.
 */
export function policyDigestHex(policy: NormalizedPolicy, collateral: Collateral | undefined): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify([policy, collateral ?? null]))));
}

function boundedList(value: unknown, path: string): void {
  if (!Array.isArray(value) || value.length === 0) invalid(path, 'must be a non-empty array');
  if ((value as unknown[]).length > POLICY_LIMITS.maxAllowlistEntries) invalid(path, `has more than ${POLICY_LIMITS.maxAllowlistEntries} entries`);
}

function hexPin(value: unknown, path: string, bytes?: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(value)) invalid(path, 'must be hex without 0x');
  if (bytes !== undefined && value.length !== bytes * 2) invalid(path, `must be ${bytes} bytes`);
  return value.toLowerCase();
}

function invalid(path: string, reason: string): never {
  throw new CodedError('ATTESTATION_POLICY_INVALID', `${path} ${reason}.`);
}
