// A shard's half of moving funds between shards, as deterministic engine state: the vouchers it
// issued (per account, the most recent ones, for a retried transferOut and for a client that
// crashed between debit and credit) and the voucher ids it redeemed (so a replayed voucher is
// credited once). The escrow debit and credit happen in the same engine command as the
// bookkeeping here, so the journal makes both durable together.
import { bytesToHex } from '@noble/hashes/utils';
import { CodedError } from '../../errors/index.js';
import type { EscrowLedger } from '../escrow.js';
import { checkPeerAttestation, type PeerTrust } from './peer-trust.js';
import { encodeVoucherPayload, parseVoucherPayload, verifyVoucherSignature, voucherId, voucherMessage, VOUCHER_VERSION, type SignedVoucher, type VoucherPayload } from './voucher.js';

export const SHARD_TRANSFER_LIMITS = {
  /** Vouchers remembered per account, newest kept; query.transfers returns them all. */
  issuedPerAccount: 16,
  /** Voucher ids remembered as redeemed; past it the shard refuses new credits rather than forget one. */
  redeemedVouchers: 1_000_000,
} as const;

/** What the engine needs to act as a shard: its id, its attested identity and a signer bound to it. */
export interface ShardEngineConfig {
  readonly shardId: string;
  readonly identityHex: string;
  /** Ed25519 signature by the identity key (deterministic, so replay signs identically). */
  sign(message: Uint8Array): Uint8Array;
  readonly trust: PeerTrust;
}

export interface TransferOutRequest {
  readonly asset: string;
  readonly atoms: bigint;
  readonly toShard: string;
  readonly toIdentityHex: string;
  readonly transferId: string;
}

export interface IssuedVoucher extends SignedVoucher {
  readonly voucherId: string;
}

export interface ShardTransfersSnapshot {
  readonly issued: [account: string, vouchers: IssuedVoucher[]][];
  readonly redeemed: string[];
  readonly issuedCount: number;
}

export class ShardTransfers {
  #issued = new Map<string, IssuedVoucher[]>();
  #redeemed = new Set<string>();
  #issuedCount = 0;

  constructor(private readonly config: ShardEngineConfig) {}

  /**
   * Debits the account and signs a voucher for the target shard. A transferId the account used
   * for a voucher still remembered returns that voucher again and debits nothing.
   */
  transferOut(account: string, request: TransferOutRequest, escrow: EscrowLedger): IssuedVoucher {
    const remembered = this.#issued.get(account) ?? [];
    for (const voucher of remembered) if (parseVoucherPayload(voucher.payload).transferId === request.transferId) return voucher;
    if (request.toShard === this.config.shardId || request.toIdentityHex === this.config.identityHex) throw new CodedError('SHARD_TRANSFER_INVALID', 'the target is this shard');
    escrow.withdraw(account, request.asset, request.atoms);
    this.#issuedCount += 1;
    const payload: VoucherPayload = {
      version: VOUCHER_VERSION, fromShard: this.config.shardId, fromIdentityHex: this.config.identityHex, toShard: request.toShard,
      toIdentityHex: request.toIdentityHex, account, asset: request.asset, amountAtoms: request.atoms.toString(), transferId: request.transferId,
      number: this.#issuedCount,
    };
    const text = encodeVoucherPayload(payload);
    const voucher: IssuedVoucher = { payload: text, signatureHex: bytesToHex(this.config.sign(voucherMessage(text))), voucherId: voucherId(text) };
    remembered.push(voucher);
    if (remembered.length > SHARD_TRANSFER_LIMITS.issuedPerAccount) remembered.shift();
    this.#issued.set(account, remembered);
    return voucher;
  }

  /**
   * Verifies a voucher from another shard and credits it once. Every check runs before the
   * credit; a voucher already redeemed is refused with SHARD_VOUCHER_REDEEMED.
   */
  transferIn(account: string, voucher: SignedVoucher, issuerBundle: string, escrow: EscrowLedger, assets: ReadonlySet<string>): { readonly voucherId: string; readonly payload: VoucherPayload } {
    const payload = parseVoucherPayload(voucher.payload);
    if (!assets.has(payload.asset)) throw new CodedError('REQUEST_ASSET_UNKNOWN', payload.asset);
    if (payload.toShard !== this.config.shardId || payload.toIdentityHex !== this.config.identityHex) throw new CodedError('SHARD_VOUCHER_WRONG_SHARD', `to ${payload.toShard}`);
    if (payload.account !== account) throw new CodedError('SHARD_VOUCHER_WRONG_ACCOUNT');
    const id = voucherId(voucher.payload);
    if (this.#redeemed.has(id)) throw new CodedError('SHARD_VOUCHER_REDEEMED', id);
    checkPeerAttestation(issuerBundle, payload.fromIdentityHex, this.config.trust);
    if (!verifyVoucherSignature(voucher, payload.fromIdentityHex)) throw new CodedError('SHARD_VOUCHER_SIGNATURE_INVALID');
    if (this.#redeemed.size >= SHARD_TRANSFER_LIMITS.redeemedVouchers) throw new CodedError('SHARD_TRANSFER_LIMIT', 'redeemed vouchers');
    escrow.deposit(account, payload.asset, BigInt(payload.amountAtoms));
    this.#redeemed.add(id);
    return { voucherId: id, payload };
  }

  /** The account's remembered vouchers, oldest first. */
  issuedTo(account: string): readonly IssuedVoucher[] {
    return this.#issued.get(account) ?? [];
  }

  snapshot(): ShardTransfersSnapshot {
    return {
      issued: [...this.#issued].sort(([a], [b]) => (a < b ? -1 : 1)).map(([account, vouchers]) => [account, vouchers.map((v) => ({ ...v }))]),
      redeemed: [...this.#redeemed].sort(),
      issuedCount: this.#issuedCount,
    };
  }

  static restore(config: ShardEngineConfig, snapshot: ShardTransfersSnapshot | undefined): ShardTransfers {
    const transfers = new ShardTransfers(config);
    if (snapshot === undefined) return transfers;
    transfers.#issued = new Map(snapshot.issued.map(([account, vouchers]) => [account, vouchers.map((v) => ({ ...v }))]));
    transfers.#redeemed = new Set(snapshot.redeemed);
    transfers.#issuedCount = snapshot.issuedCount;
    return transfers;
  }
}
