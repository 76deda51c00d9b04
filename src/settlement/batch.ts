// Turns a closed window into a settlement batch: its payouts grouped per destination chain into
// XCM messages (each ≤ maxPayoutsPerMessage deposits), the fee account charged each message's
// fee budget, a deterministic id (hash of window number + contents), one topic per message
// derived from that id, and an Ed25519 signature by the enclave's identity key over the id and
// the exact message bytes. The same functions verify a batch read back from the store.
import { ed25519 } from '@noble/curves/ed25519';
import { createHash } from 'node:crypto';
import { CodedError } from '../errors/index.js';
import type { ChainId, DispatchKind, XcmDispatch } from '../xcmp/connector.js';
import { encodeSettlementXcm, type Payout } from '../xcmp/xcm-builder.js';
import { asset, type XcmVersion } from '../xcmp/xcm-model.js';
import type { ResolvedConfig } from './config.js';
import type { SettlementLedger } from './ledger.js';
import type { LedgerChange, NetPayout, WindowResult, WithdrawalRequest } from './netting.js';

export type Hex32 = `0x${string}`;

/** Signs a 32-byte digest with the enclave's Ed25519 identity key; the key never leaves the caller. */
export type BatchSigner = (digest: Uint8Array) => Uint8Array;

export const SETTLEMENT_MAX_MESSAGES_PER_BATCH = 10_000;
const ED25519_SIGNATURE_BYTES = 64;
const ID_DOMAIN = 'darkpool/settlement/batch-id/v1';
const TOPIC_DOMAIN = 'darkpool/settlement/topic/v1';
const SIGNATURE_DOMAIN = 'darkpool/settlement/batch-signature/v1';

export interface BatchMessage {
  readonly index: number;
  readonly origin: ChainId;
  readonly destination: ChainId;
  readonly kind: DispatchKind;
  readonly xcmVersion: XcmVersion;
  /** All on `destination`, sorted by asset then account. */
  readonly payouts: readonly NetPayout[];
  readonly feeAsset: string;
  readonly feeAtoms: bigint;
  readonly topic: Hex32;
  /** SCALE-encoded VersionedXcm ending in SetTopic(topic). */
  readonly message: Uint8Array;
}

export interface Batch {
  readonly id: Hex32;
  readonly windowNumber: number;
  readonly openedAtMs: number;
  readonly closedAtMs: number;
  readonly fillCount: number;
  readonly lastTradeId: string | null;
  readonly withdrawals: readonly WithdrawalRequest[];
  /** Internal balance changes, including the fee account paying each message's fee budget. */
  readonly ledgerChanges: readonly LedgerChange[];
  readonly messages: readonly BatchMessage[];
  readonly signature: Uint8Array;
}

/** Node's native SHA-256: batches hash tens of megabytes of contents per million fills. */
const sha256 = (...parts: readonly (Uint8Array | string)[]): Uint8Array => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
export const toHex = (bytes: Uint8Array): Hex32 => `0x${Buffer.from(bytes).toString('hex')}`;
export const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));

function u32be(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** Canonical text of the batch contents; every field is constrained to printable, space-free text. */
function canonicalContents(batch: Omit<Batch, 'id' | 'signature' | 'messages'> & { readonly messages: readonly Omit<BatchMessage, 'topic' | 'message'>[] }): string {
  const lines = [ID_DOMAIN, `window ${batch.windowNumber}`, `fills ${batch.fillCount} ${batch.lastTradeId ?? '-'}`];
  for (const w of batch.withdrawals) lines.push(`w ${w.requestId} ${w.chain} ${w.asset} ${w.account} ${w.amount}`);
  for (const c of batch.ledgerChanges) lines.push(`l ${c.chain} ${c.asset} ${c.account} ${c.delta}`);
  for (const m of batch.messages) {
    lines.push(`m ${m.index} ${m.kind} ${m.origin} ${m.destination} v${m.xcmVersion} ${m.feeAsset} ${m.feeAtoms}`);
    for (const p of m.payouts) lines.push(`p ${p.asset} ${p.account} ${p.amount}`);
  }
  return lines.join('\n');
}

export function messageTopic(batchId: Hex32, index: number): Hex32 {
  return toHex(sha256(TOPIC_DOMAIN, fromHex(batchId), u32be(index)));
}

/** What the enclave key signs: the id and the hash of every message's exact bytes. */
export function batchDigest(batch: Pick<Batch, 'id' | 'messages'>): Uint8Array {
  return sha256(SIGNATURE_DOMAIN, fromHex(batch.id), ...batch.messages.map((m) => sha256(m.message)));
}

function encodeMessage(resolved: ResolvedConfig, plan: Omit<BatchMessage, 'message'>): Uint8Array {
  const chain = resolved.chains.get(plan.destination)!.config;
  const payouts: Payout[] = plan.payouts.map((p) => ({ beneficiary: p.account, asset: chain.assets[p.asset]!, amount: p.amount }));
  const weightLimit = chain.weightLimit;
  return encodeSettlementXcm({
    version: plan.xcmVersion,
    payouts,
    fee: asset(chain.assets[plan.feeAsset]!, plan.feeAtoms),
    surplusTo: resolved.config.feeAccount,
    topic: fromHex(plan.topic),
    ...(weightLimit === undefined ? {} : { weightLimit }),
  });
}

function planMessages(resolved: ResolvedConfig, payouts: readonly NetPayout[]): Omit<BatchMessage, 'topic' | 'message'>[] {
  const byChain = new Map<ChainId, NetPayout[]>();
  for (const payout of payouts) {
    const list = byChain.get(payout.chain);
    if (list === undefined) byChain.set(payout.chain, [payout]); else list.push(payout);
  }
  const messages: Omit<BatchMessage, 'topic' | 'message'>[] = [];
  const perMessage = resolved.config.maxPayoutsPerMessage;
  for (const chainId of [...byChain.keys()].sort()) {
    const chain = resolved.chains.get(chainId)!;
    const list = byChain.get(chainId)!;
    for (let start = 0; start < list.length; start += perMessage) {
      if (messages.length >= SETTLEMENT_MAX_MESSAGES_PER_BATCH) throw new CodedError('SETTLEMENT_LIMIT_EXCEEDED', `more than ${SETTLEMENT_MAX_MESSAGES_PER_BATCH} messages in one batch`);
      messages.push({
        index: messages.length,
        origin: chain.origin,
        destination: chainId,
        kind: chain.kind,
        xcmVersion: chain.config.xcmVersion,
        payouts: list.slice(start, start + perMessage),
        feeAsset: chain.config.feeAsset,
        feeAtoms: chain.config.feeBudgetPerMessage,
      });
    }
  }
  return messages;
}

const compareChange = (a: LedgerChange, b: LedgerChange): number =>
  a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : a.account < b.account ? -1 : a.account > b.account ? 1 : 0;

/** Adds the fee account's fee-budget debits to the window's (sorted) changes, merged per (chain, asset) and kept sorted. */
function withFeeCharges(resolved: ResolvedConfig, changes: readonly LedgerChange[], messages: readonly Omit<BatchMessage, 'topic' | 'message'>[]): LedgerChange[] {
  const feeAccount = resolved.config.feeAccount;
  const charges = new Map<string, LedgerChange>();
  for (const message of messages) {
    const key = `${message.destination} ${message.feeAsset}`;
    const previous = charges.get(key)?.delta ?? 0n;
    charges.set(key, { chain: message.destination, asset: message.feeAsset, account: feeAccount, delta: previous - message.feeAtoms });
  }
  const out: LedgerChange[] = [];
  for (const change of changes) {
    const key = `${change.chain} ${change.asset}`;
    const charge = change.account === feeAccount ? charges.get(key) : undefined;
    if (charge === undefined) { out.push(change); continue; }
    charges.delete(key);
    if (change.delta + charge.delta !== 0n) out.push({ ...change, delta: change.delta + charge.delta });
  }
  for (const charge of charges.values()) {
    let low = 0;
    let high = out.length;
    while (low < high) { const mid = (low + high) >>> 1; if (compareChange(out[mid]!, charge) < 0) low = mid + 1; else high = mid; }
    out.splice(low, 0, charge);
  }
  return out;
}

/**
 * Builds and signs the batch of a closed window. Throws SETTLEMENT_FEE_UNFUNDED (and builds
 * nothing) when the fee account cannot pay the fee budgets; the caller then keeps the window open.
 */
export function buildBatch(resolved: ResolvedConfig, ledger: SettlementLedger, result: WindowResult, sign: BatchSigner): Batch {
  const plans = planMessages(resolved, result.payouts);
  const ledgerChanges = withFeeCharges(resolved, result.ledgerChanges, plans);
  for (const change of ledgerChanges) {
    if (change.account === resolved.config.feeAccount && ledger.balance(change.chain, change.asset, change.account) + change.delta < 0n) {
      throw new CodedError('SETTLEMENT_FEE_UNFUNDED', `the fee account needs ${-change.delta} ${change.asset} on ${change.chain}, holds ${ledger.balance(change.chain, change.asset, change.account)}`);
    }
  }
  const contents = {
    windowNumber: result.windowNumber,
    openedAtMs: result.openedAtMs,
    closedAtMs: result.closedAtMs,
    fillCount: result.fillCount,
    lastTradeId: result.lastTradeId,
    withdrawals: result.withdrawals,
    ledgerChanges,
    messages: plans,
  };
  const id = toHex(sha256(canonicalContents(contents)));
  const messages = plans.map((plan) => {
    const topic = messageTopic(id, plan.index);
    return { ...plan, topic, message: encodeMessage(resolved, { ...plan, topic }) };
  });
  const signature = sign(batchDigest({ id, messages }));
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_BYTES) throw new Error('the batch signer must return a 64-byte Ed25519 signature');
  return { ...contents, id, messages, signature: Uint8Array.from(signature) };
}

/**
 * Checks a batch read back from storage: the id matches its contents, every topic and message
 * byte string is what the config builds, and the signature verifies under the enclave key.
 */
export function verifyBatch(resolved: ResolvedConfig, batch: Batch, publicKey: Uint8Array | undefined): void {
  const plans = batch.messages.map(({ topic: _topic, message: _message, ...plan }) => plan);
  const id = toHex(sha256(canonicalContents({ ...batch, messages: plans })));
  if (id !== batch.id) throw new CodedError('SETTLEMENT_RECORD_INVALID', `batch ${batch.id} does not hash to its id`);
  batch.messages.forEach((message, index) => {
    if (message.index !== index || message.topic !== messageTopic(id, index)) throw new CodedError('SETTLEMENT_RECORD_INVALID', `batch ${id} message ${index} has a foreign topic`);
    if (!resolved.chains.has(message.destination)) throw new CodedError('SETTLEMENT_RECORD_INVALID', `batch ${id} pays on unconfigured ${message.destination}`);
    if (toHex(encodeMessage(resolved, message)) !== toHex(message.message)) throw new CodedError('SETTLEMENT_RECORD_INVALID', `batch ${id} message ${index} bytes differ from its plan`);
  });
  if (publicKey !== undefined && !ed25519.verify(batch.signature, batchDigest(batch), publicKey)) throw new CodedError('SETTLEMENT_SIGNATURE_INVALID', batch.id);
}

/** The connector-ready form of one message. */
export function dispatchOf(message: BatchMessage): XcmDispatch {
  return { origin: message.origin, destination: message.destination, kind: message.kind, message: message.message, topic: fromHex(message.topic) };
}
