// Intel DCAP verification of a quote against collateral the client brought itself, through
// @phala/dcap-qvl (offline: signature, PCK chain to Intel's root, TCB info and QE identity,
// TCB level), with the library's failure messages mapped to coded verdicts. This is the one
// module of the verifier tied to Node; a browser build would swap it for @phala/dcap-qvl-web.
import { verify, type Collateral, type TcbStatus } from '@phala/dcap-qvl';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { CodedError, type ErrorName } from '../../src/errors/index.js';

/** The measurement registers of a TD report, lowercase hex. */
export interface TdMeasurements {
  readonly mrtdHex: string;
  readonly rtmr0Hex: string;
  readonly rtmr1Hex: string;
  readonly rtmr2Hex: string;
  readonly rtmr3Hex: string;
}

/** The TDX module that produced a TD report: its measurement, signer and attributes, lowercase hex. */
export interface TdxModuleIdentity {
  readonly mrSeamHex: string;
  readonly mrSignerSeamHex: string;
  readonly seamAttributesHex: string;
}

export interface DcapVerification {
  readonly status: TcbStatus;
  readonly advisoryIds: readonly string[];
  readonly teeType: 'sgx' | 'tdx';
  /** The TD measurements; null for an SGX quote. */
  readonly td: TdMeasurements | null;
  /** The TDX module identity; null for an SGX quote. */
  readonly tdxModule: TdxModuleIdentity | null;
  readonly reportData: Uint8Array;
}

/** The interval in which collateral is usable: after every issueDate, before every nextUpdate. */
export interface CollateralWindow {
  readonly notBeforeSecs: number;
  readonly notAfterSecs: number;
}

const COLLATERAL_STRING_FIELDS = ['pck_crl_issuer_chain', 'tcb_info_issuer_chain', 'tcb_info', 'qe_identity_issuer_chain', 'qe_identity'] as const;
const COLLATERAL_BINARY_FIELDS = ['root_ca_crl', 'pck_crl', 'tcb_info_signature', 'qe_identity_signature'] as const;

/** Throws ATTESTATION_COLLATERAL_INVALID unless the collateral has every field dcap-qvl reads, and returns its window. */
export function collateralWindow(collateral: Collateral): CollateralWindow {
  if (typeof collateral !== 'object' || collateral === null) collateralInvalid('collateral must be an object');
  for (const field of COLLATERAL_STRING_FIELDS) if (typeof collateral[field] !== 'string') collateralInvalid(`${field} must be a string`);
  for (const field of COLLATERAL_BINARY_FIELDS) {
    const value: unknown = collateral[field];
    if (typeof value !== 'string' && !Array.isArray(value)) collateralInvalid(`${field} must be hex or a byte array`);
  }
  const tcbInfo = datesOf(collateral.tcb_info, 'tcb_info');
  const qeIdentity = datesOf(collateral.qe_identity, 'qe_identity');
  return { notBeforeSecs: Math.max(tcbInfo.issueSecs, qeIdentity.issueSecs), notAfterSecs: Math.min(tcbInfo.nextUpdateSecs, qeIdentity.nextUpdateSecs) };
}

function datesOf(json: string, field: string): { issueSecs: number; nextUpdateSecs: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return collateralInvalid(`${field} is not JSON`);
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const issueSecs = typeof record.issueDate === 'string' ? Date.parse(record.issueDate) / 1000 : Number.NaN;
  const nextUpdateSecs = typeof record.nextUpdate === 'string' ? Date.parse(record.nextUpdate) / 1000 : Number.NaN;
  if (!Number.isFinite(issueSecs) || !Number.isFinite(nextUpdateSecs)) collateralInvalid(`${field} lacks issueDate/nextUpdate`);
  return { issueSecs, nextUpdateSecs };
}

/**
 * Verifies a quote with dcap-qvl at nowSecs. Returns the TCB status as the collateral rates
 * it (status policy is checkTcbStatus's job) or throws a coded error: COLLATERAL_INVALID,
 * COLLATERAL_EXPIRED, TCB_LEVEL_UNKNOWN, TCB_STATUS_REJECTED (revoked) or QUOTE_INVALID.
 */
export function verifyDcapQuote(quote: Uint8Array, collateral: Collateral, nowSecs: number): DcapVerification {
  collateralWindow(collateral);
  let verified: ReturnType<typeof verify>;
  try {
    verified = verify(quote, collateral, nowSecs);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CodedError(classifyDcapFailure(message), `dcap-qvl: ${message}`);
  }
  const td = verified.report.asTd10() ?? verified.report.asTd15()?.base ?? null;
  const sgx = verified.report.asSgx();
  const reportData = td?.reportData ?? sgx?.reportData;
  if (reportData === undefined) throw new CodedError('ATTESTATION_QUOTE_INVALID', 'the verified quote carries no report body');
  return {
    status: verified.status,
    advisoryIds: [...verified.advisory_ids],
    teeType: td === null ? 'sgx' : 'tdx',
    td: td === null ? null : {
      mrtdHex: bytesToHex(td.mrTd),
      rtmr0Hex: bytesToHex(td.rtMr0),
      rtmr1Hex: bytesToHex(td.rtMr1),
      rtmr2Hex: bytesToHex(td.rtMr2),
      rtmr3Hex: bytesToHex(td.rtMr3),
    },
    tdxModule: td === null ? null : { mrSeamHex: bytesToHex(td.mrSeam), mrSignerSeamHex: bytesToHex(td.mrSignerSeam), seamAttributesHex: bytesToHex(td.seamAttributes) },
    reportData: new Uint8Array(reportData),
  };
}

/**
 * dcap-qvl 0.3.9 does not compare the TDX module's signer with the TCB info, so this does:
 * MRSIGNERSEAM must equal tdxModule.mrsigner and the SEAM attributes must match under the
 * mask. Call it only after verifyDcapQuote accepted the same collateral (its signature is
 * what makes tdxModule trustworthy). Throws ATTESTATION_TDX_MODULE_NOT_TRUSTED.
 */
export function checkTdxModule(module: TdxModuleIdentity, collateral: Collateral): void {
  let expected: { mrsigner?: unknown; attributes?: unknown; attributesMask?: unknown } | undefined;
  try {
    expected = (JSON.parse(collateral.tcb_info) as { tdxModule?: typeof expected }).tdxModule;
  } catch {
    collateralInvalid('tcb_info is not JSON');
  }
  if (typeof expected !== 'object' || expected === null || typeof expected.mrsigner !== 'string' || typeof expected.attributes !== 'string' || typeof expected.attributesMask !== 'string') {
    throw new CodedError('ATTESTATION_TDX_MODULE_NOT_TRUSTED', 'the TCB info names no tdxModule to compare with.');
  }
  if (module.mrSignerSeamHex !== expected.mrsigner.toLowerCase()) {
    throw new CodedError('ATTESTATION_TDX_MODULE_NOT_TRUSTED', `MRSIGNERSEAM ${module.mrSignerSeamHex.slice(0, 16)}…, the TCB info requires ${expected.mrsigner.slice(0, 16).toLowerCase()}…`);
  }
  const attributes = hexToBytes(module.seamAttributesHex);
  const required = hexToBytes(expected.attributes.toLowerCase());
  const mask = hexToBytes(expected.attributesMask.toLowerCase());
  if (required.length !== attributes.length || mask.length !== attributes.length) throw new CodedError('ATTESTATION_TDX_MODULE_NOT_TRUSTED', 'the TCB info tdxModule attributes have the wrong length.');
  for (let index = 0; index < attributes.length; index++) {
    if ((attributes[index]! & mask[index]!) !== (required[index]! & mask[index]!)) throw new CodedError('ATTESTATION_TDX_MODULE_NOT_TRUSTED', `SEAM attributes ${module.seamAttributesHex} differ under the mask.`);
  }
}

/** Throws ATTESTATION_TCB_STATUS_REJECTED unless the status is allowed. */
export function checkTcbStatus(status: TcbStatus, allowed: readonly TcbStatus[]): void {
  if (!allowed.includes(status)) throw new CodedError('ATTESTATION_TCB_STATUS_REJECTED', `status ${status}; the policy allows ${allowed.join(', ')}.`);
}

/** dcap-qvl signals every failure with a plain Error; its message decides which verdict applies. */
const DCAP_FAILURE_CLASSES: readonly (readonly [RegExp, ErrorName])[] = [
  [/expired|not yet valid|issue date is in the future/i, 'ATTESTATION_COLLATERAL_EXPIRED'],
  [/No matching TCB level|below minimum required|No TCB levels/i, 'ATTESTATION_TCB_LEVEL_UNKNOWN'],
  [/TCB status is invalid/i, 'ATTESTATION_TCB_STATUS_REJECTED'],
  [/decode TcbInfo|decode QeIdentity|invalid for tcb_info|invalid for qe_identity|Fmspc mismatch|TCB info in the collateral|too short for (TCB Info|QE Identity)|QE Identity id\/version/i, 'ATTESTATION_COLLATERAL_INVALID'],
];

export function classifyDcapFailure(message: string): ErrorName {
  for (const [pattern, name] of DCAP_FAILURE_CLASSES) if (pattern.test(message)) return name;
  return 'ATTESTATION_QUOTE_INVALID';
}

function collateralInvalid(reason: string): never {
  throw new CodedError('ATTESTATION_COLLATERAL_INVALID', `${reason}.`);
}
