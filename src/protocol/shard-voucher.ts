// The one definition of what a cross-shard transfer voucher's signature covers and how its id is
// derived, shared by the enclave (which signs and redeems vouchers, src/enclave/shard/voucher.ts)
// and the client (which names them in its results): both must agree byte for byte.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils';

/** Domain separation from the identity key's other signatures (settlement, handshake, shard statement). */
export const VOUCHER_SIGNING_TAG = 'darkpool-shard-voucher-v1:';

/** The exact bytes the issuing shard's identity key signs: tag || canonical payload text. */
export function voucherMessage(payloadText: string): Uint8Array {
  return concatBytes(utf8ToBytes(VOUCHER_SIGNING_TAG), utf8ToBytes(payloadText));
}

/** sha256 of the signed message, hex: unique per voucher because the payload carries the issuer and its count. */
export function voucherId(payloadText: string): string {
  return bytesToHex(sha256(voucherMessage(payloadText)));
}
