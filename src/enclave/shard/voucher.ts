// The transfer voucher: shard A's signed promise that it debited an account so that shard B may
// credit it. A debits (journaled) and signs with its attested identity key; B checks the
// signature under A's attestation, that the voucher names B's own shard id and identity key,
// and credits once per voucher id. The payload is canonical JSON, so its bytes are the signed
// message and its hash is the voucher id. Pure: used inside the deterministic engine.
import { ed25519 } from '@noble/curves/ed25519';
import { hexToBytes } from '@noble/hashes/utils';
import { CodedError } from '../../errors/index.js';
import { SHARD_ID } from '../../protocol/shard-statement.js';
import { voucherMessage } from '../../protocol/shard-voucher.js';

export { VOUCHER_SIGNING_TAG, voucherId, voucherMessage } from '../../protocol/shard-voucher.js';

export const VOUCHER_VERSION = 1;

export const VOUCHER_LIMITS = {
  maxPayloadChars: 1_024,
  maxIssuerBundleChars: 8_192,
  maxAmountDigits: 78,
} as const;

const HEX_KEY = /^[0-9a-f]{64}$/;
const HEX_SIGNATURE = /^[0-9a-f]{128}$/;
const ASSET = /^[A-Za-z0-9]{1,16}$/;
const TRANSFER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const AMOUNT_ATOMS = /^[1-9][0-9]{0,77}$/;

export interface VoucherPayload {
  readonly version: typeof VOUCHER_VERSION;
  readonly fromShard: string;
  readonly fromIdentityHex: string;
  readonly toShard: string;
  readonly toIdentityHex: string;
  readonly account: string;
  readonly asset: string;
  /** Positive integer atoms as a decimal string. */
  readonly amountAtoms: string;
  /** The trader's id for the transfer: a retried transferOut with the same id gets the same voucher. */
  readonly transferId: string;
  /** The issuing shard's count of vouchers: no two of its vouchers share a payload. */
  readonly number: number;
}

/** A voucher as it travels: the canonical payload text and the issuer's signature over it. */
export interface SignedVoucher {
  readonly payload: string;
  readonly signatureHex: string;
}

function malformed(detail: string): CodedError {
  return new CodedError('SHARD_VOUCHER_MALFORMED', detail);
}

/** The canonical text: fixed key order, so the same voucher always has the same bytes. */
export function encodeVoucherPayload(payload: VoucherPayload): string {
  return JSON.stringify({
    version: payload.version, fromShard: payload.fromShard, fromIdentityHex: payload.fromIdentityHex, toShard: payload.toShard,
    toIdentityHex: payload.toIdentityHex, account: payload.account, asset: payload.asset, amountAtoms: payload.amountAtoms,
    transferId: payload.transferId, number: payload.number,
  });
}

/** Parses a payload text and insists it is canonical (re-encoding gives the same text). */
export function parseVoucherPayload(text: unknown): VoucherPayload {
  if (typeof text !== 'string' || text.length > VOUCHER_LIMITS.maxPayloadChars) throw malformed('payload must be a string of at most 1024 characters');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('payload is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('payload is not an object');
  const f = value as Record<string, unknown>;
  const checks: [unknown, RegExp, string][] = [
    [f.fromShard, SHARD_ID, 'fromShard'], [f.toShard, SHARD_ID, 'toShard'], [f.fromIdentityHex, HEX_KEY, 'fromIdentityHex'],
    [f.toIdentityHex, HEX_KEY, 'toIdentityHex'], [f.account, HEX_KEY, 'account'], [f.asset, ASSET, 'asset'],
    [f.amountAtoms, AMOUNT_ATOMS, 'amountAtoms'], [f.transferId, TRANSFER_ID, 'transferId'],
  ];
  for (const [field, pattern, name] of checks) if (typeof field !== 'string' || !pattern.test(field)) throw malformed(name);
  if (f.version !== VOUCHER_VERSION) throw malformed('version');
  if (typeof f.number !== 'number' || !Number.isSafeInteger(f.number) || f.number < 1) throw malformed('number');
  const payload = value as VoucherPayload;
  if (encodeVoucherPayload(payload) !== text) throw malformed('payload is not canonical');
  return payload;
}

/** Checks the wire shape of a signed voucher (sizes, hex) without trusting anything in it. */
export function parseSignedVoucher(value: unknown): SignedVoucher {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('voucher must be an object');
  const { payload, signatureHex } = value as Record<string, unknown>;
  if (typeof payload !== 'string' || payload.length > VOUCHER_LIMITS.maxPayloadChars) throw malformed('payload');
  if (typeof signatureHex !== 'string' || !HEX_SIGNATURE.test(signatureHex)) throw malformed('signatureHex');
  return { payload, signatureHex };
}

export function verifyVoucherSignature(voucher: SignedVoucher, issuerIdentityHex: string): boolean {
  try {
    return ed25519.verify(hexToBytes(voucher.signatureHex), voucherMessage(voucher.payload), hexToBytes(issuerIdentityHex));
  } catch {
    return false;
  }
}
