// Settlement state as the fold of its persisted records: the internal ledger, every batch, and
// each message's lifecycle (pending → submitted → confirmed | failed → retried → pending ... →
// abandoned once every attempt is provably dead, which returns its payouts to the ledger).
// The live service and recovery after a restart both go through `apply`, so a restart rebuilds
// exactly the state that was persisted. Transitions that cannot happen are refused.
import { CodedError } from '../errors/index.js';
import type { AccountHex, ChainId } from '../xcmp/connector.js';
import type { Batch, BatchMessage, Hex32 } from './batch.js';
import { SettlementLedger } from './ledger.js';
import type { FailureName, SettlementRecord } from './records.js';

/** Deposit references and withdrawal ids remembered for idempotency; beyond it the service refuses new ones. */
export const SETTLEMENT_MAX_REMEMBERED_IDS = 10_000_000;

export type MessageStatus = 'pending' | 'submitted' | 'confirmed' | 'failed' | 'abandoned';

export interface MessageState {
  readonly batchId: Hex32;
  readonly message: BatchMessage;
  status: MessageStatus;
  /** 1 for the first submission, +1 per retry. */
  attempt: number;
  /** Attempts allowed before an operator must re-arm; grows by maxAttempts per re-arm. */
  attemptsAllowed: number;
  reference: string | null;
  submittedAtMs: number | null;
  /** Deadline (origin block) of the latest attempt; null before the first submission. */
  validUntil: number | null;
  /** Some attempt went out without a deadline (records from before deadlines): never provably dead. */
  undated: boolean;
  failedAtMs: number | null;
  lastError: FailureName | null;
  lastReason: string | null;
  /** Failure references already accounted for, so a stale 'failed' outcome is not taken for the current attempt's. */
  readonly seenFailures: Set<string>;
}

export const messageKey = (batchId: Hex32, index: number): string => `${batchId}:${index}`;

const invalid = (detail: string): CodedError => new CodedError('SETTLEMENT_RECORD_INVALID', detail);

export class SettlementState {
  readonly ledger = new SettlementLedger();
  readonly batches = new Map<Hex32, Batch>();
  readonly messages = new Map<string, MessageState>();
  readonly depositReferences = new Set<string>();
  readonly withdrawalIds = new Set<string>();
  nextWindowNumber = 0;
  lastTradeId: string | null = null;
  private readonly maxAttempts: number;
  private readonly feeAccount: AccountHex;

  constructor(maxAttempts: number, feeAccount: AccountHex) {
    this.maxAttempts = maxAttempts;
    this.feeAccount = feeAccount;
  }

  static depositKey(chain: ChainId, reference: string): string {
    return `${chain}|${reference}`;
  }

  message(batchId: Hex32, index: number): MessageState {
    const state = this.messages.get(messageKey(batchId, index));
    if (state === undefined) throw new CodedError('SETTLEMENT_UNKNOWN_MESSAGE', messageKey(batchId, index));
    return state;
  }

  private recorded(batchId: Hex32, index: number): MessageState {
    const state = this.messages.get(messageKey(batchId, index));
    if (state === undefined) throw invalid(`a record names unknown message ${messageKey(batchId, index)}`);
    return state;
  }

  /** Messages still open (neither confirmed nor abandoned), oldest batch first. */
  unconfirmed(): MessageState[] {
    return [...this.messages.values()].filter((m) => m.status !== 'confirmed' && m.status !== 'abandoned');
  }

  /** Given-up messages, oldest batch first. */
  abandoned(): MessageState[] {
    return [...this.messages.values()].filter((m) => m.status === 'abandoned');
  }

  /** Applies one record; throws SETTLEMENT_RECORD_INVALID for an impossible transition. */
  apply(record: SettlementRecord): void {
    switch (record.type) {
      case 'batch': return this.applyBatch(record.batch);
      case 'deposit': {
        const key = SettlementState.depositKey(record.deposit.chain, record.deposit.reference);
        if (this.depositReferences.has(key)) throw invalid(`deposit ${key} credited twice`);
        if (record.deposit.amount < 1n) throw invalid(`deposit ${key} is not positive`);
        this.remember(this.depositReferences, key);
        this.ledger.apply(record.deposit.chain, record.deposit.asset, record.deposit.from, record.deposit.amount);
        return;
      }
      case 'submitted': {
        const state = this.recorded(record.batchId, record.index);
        if (state.status !== 'pending' || state.attempt !== record.attempt) throw invalid(`submitted from ${state.status}/${state.attempt}`);
        state.status = 'submitted';
        state.submittedAtMs = record.atMs;
        state.validUntil = record.validUntil ?? null;
        if (record.validUntil === undefined) state.undated = true;
        return;
      }
      case 'confirmed': {
        const state = this.recorded(record.batchId, record.index);
        if (state.status === 'confirmed') throw invalid('confirmed twice');
        if (state.status === 'abandoned') throw invalid('confirmed after it was given up');
        state.status = 'confirmed';
        state.reference = record.reference;
        return;
      }
      case 'failed': {
        const state = this.recorded(record.batchId, record.index);
        if ((state.status !== 'pending' && state.status !== 'submitted') || state.attempt !== record.attempt) throw invalid(`failed from ${state.status}/${state.attempt}`);
        state.status = 'failed';
        state.failedAtMs = record.atMs;
        state.lastError = record.error;
        state.lastReason = record.reason;
        if (record.reference !== null) state.seenFailures.add(record.reference);
        return;
      }
      case 'retried': {
        const state = this.recorded(record.batchId, record.index);
        if (state.status !== 'failed' || record.attempt !== state.attempt + 1 || record.attempt > state.attemptsAllowed) throw invalid(`retried from ${state.status}/${state.attempt}`);
        state.status = 'pending';
        state.attempt = record.attempt;
        state.submittedAtMs = null;
        return;
      }
      case 'rearmed': {
        const state = this.recorded(record.batchId, record.index);
        if (state.status !== 'failed' || state.attempt < state.attemptsAllowed) throw invalid('re-armed while attempts remain');
        state.attemptsAllowed += this.maxAttempts;
        return;
      }
      case 'abandoned': {
        const state = this.recorded(record.batchId, record.index);
        if (state.status !== 'failed' || state.attempt !== record.attempt || state.attempt < state.attemptsAllowed) throw invalid(`abandoned from ${state.status}/${state.attempt}`);
        if (state.undated || state.validUntil === null || record.finalizedHeight <= state.validUntil) throw invalid('abandoned before its last deadline passed');
        state.status = 'abandoned';
        const { message } = state;
        for (const payout of message.payouts) this.ledger.apply(message.destination, payout.asset, payout.account, payout.amount);
        this.ledger.apply(message.destination, message.feeAsset, this.feeAccount, message.feeAtoms);
        return;
      }
    }
  }

  private remember(set: Set<string>, key: string): void {
    if (set.size >= SETTLEMENT_MAX_REMEMBERED_IDS) throw new CodedError('SETTLEMENT_LIMIT_EXCEEDED', `more than ${SETTLEMENT_MAX_REMEMBERED_IDS} remembered ids`);
    set.add(key);
  }

  private applyBatch(batch: Batch): void {
    if (batch.windowNumber !== this.nextWindowNumber) throw invalid(`batch of window ${batch.windowNumber}, expected ${this.nextWindowNumber}`);
    if (this.batches.has(batch.id)) throw invalid(`batch ${batch.id} twice`);
    const overdraft = this.ledger.firstOverdraft(batch.ledgerChanges);
    if (overdraft !== undefined) throw invalid(`batch ${batch.id} overdraws ${overdraft.account}`);
    this.ledger.applyAll(batch.ledgerChanges);
    for (const withdrawal of batch.withdrawals) this.remember(this.withdrawalIds, withdrawal.requestId);
    for (const message of batch.messages) {
      this.messages.set(messageKey(batch.id, message.index), {
        batchId: batch.id, message, status: 'pending', attempt: 1, attemptsAllowed: this.maxAttempts,
        reference: null, submittedAtMs: null, validUntil: null, undated: false, failedAtMs: null, lastError: null, lastReason: null, seenFailures: new Set(),
      });
    }
    this.batches.set(batch.id, batch);
    this.nextWindowNumber++;
    if (batch.lastTradeId !== null) this.lastTradeId = batch.lastTradeId;
  }

  /** Escrow that has left or is about to leave per (chain, asset): payouts plus fee budgets of open messages. */
  pendingOutflow(chain: ChainId, asset: string, only?: (state: MessageState) => boolean): bigint {
    let sum = 0n;
    for (const state of this.messages.values()) {
      if (state.status === 'confirmed' || state.status === 'abandoned' || state.message.destination !== chain || (only !== undefined && !only(state))) continue;
      sum += outflowOf(state.message, asset);
    }
    return sum;
  }
}

/** What one message takes out of the pool's escrow of one asset. */
export function outflowOf(message: BatchMessage, asset: string): bigint {
  let sum = message.feeAsset === asset ? message.feeAtoms : 0n;
  for (const payout of message.payouts) if (payout.asset === asset) sum += payout.amount;
  return sum;
}
