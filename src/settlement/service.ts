// The settlement pipeline, in order: fills and withdrawals enter the open window (sync, checked
// against escrow) → at window end the window is netted, built into a signed batch and sealed to
// the store before anything is sent → each message goes through its lifecycle against the chain
// connector, every step persisted first → outcomes are matched by topic. Deposits reported by the
// connector are persisted, then credited, once per reference. At start the service folds the
// store's records and reconciles every open message with the chain before it sends anything.
// Every submission carries a deadline (validUntil, an origin block) after which the chain never
// executes it; a message is resent, and finally given up (its payouts returned to the ledger and,
// through the 'retries-exhausted' event with abandoned: true, to the traders), only once the
// previous attempt is provably dead: deadline passed on a finalized block and topic absent.
// Time always comes from the caller (the enclave's sequencer), never from a clock read here.
import { CodedError, ERRORS, isCodedError, type ErrorName } from '../errors/index.js';
import type { AccountHex, ChainConnector, ChainId, DepositObserved, TopicOutcome } from '../xcmp/connector.js';
import { buildBatch, dispatchOf, fromHex, verifyBatch, type Batch, type BatchSigner, type Hex32 } from './batch.js';
import { resolveConfig, type ResolvedConfig, type SettlementConfig } from './config.js';
import { isAccountHex, type AssetRef, type Fill } from './fill.js';
import { SettlementState, outflowOf, type MessageState, type MessageStatus } from './lifecycle.js';
import { NettingWindow, type WithdrawalRequest } from './netting.js';
import type { FailureName, SettlementRecord, SettlementStore } from './records.js';

/** Messages driven per tick; the rest wait for the next tick. */
export const SETTLEMENT_MAX_MESSAGES_PER_TICK = 1_000;
export const SETTLEMENT_MAX_REFERENCE_CHARS = 128;
export const SETTLEMENT_MAX_EVENT_LISTENERS = 64;

export interface SettlementDeps {
  readonly config: SettlementConfig;
  readonly connector: ChainConnector;
  readonly store: SettlementStore;
  /** Signs batch digests with the enclave's Ed25519 identity key. */
  readonly sign: BatchSigner;
  /** The matching public key; every batch read back from the store must verify under it. */
  readonly publicKey: Uint8Array;
}

type Coded<N extends ErrorName> = { readonly error: N; readonly code: number; readonly reason: string };

/** Everything settlement reports; failures carry their error-table name and code. */
export type SettlementEvent =
  | { readonly type: 'batch-sealed'; readonly batchId: Hex32; readonly windowNumber: number; readonly messages: number; readonly payouts: number }
  | ({ readonly type: 'window-held'; readonly windowNumber: number } & Coded<'SETTLEMENT_FEE_UNFUNDED'>)
  | { readonly type: 'message-submitted'; readonly batchId: Hex32; readonly index: number; readonly attempt: number; readonly reference: string }
  | { readonly type: 'message-confirmed'; readonly batchId: Hex32; readonly index: number; readonly reference: string }
  | ({ readonly type: 'message-failed'; readonly batchId: Hex32; readonly index: number; readonly attempt: number } & Coded<FailureName>)
  | { readonly type: 'message-retried'; readonly batchId: Hex32; readonly index: number; readonly attempt: number }
  /**
   * Final for the message. abandoned: every attempt is provably dead and its payouts are back in
   * the ledger (SETTLEMENT_GIVEN_UP): the enclave credits them back to the traders. Not abandoned
   * (SETTLEMENT_RETRIES_EXHAUSTED): an attempt without a deadline may still execute; an operator re-arms it.
   */
  | ({ readonly type: 'retries-exhausted'; readonly batchId: Hex32; readonly index: number; readonly attempt: number; readonly abandoned: boolean } & Coded<'SETTLEMENT_RETRIES_EXHAUSTED' | 'SETTLEMENT_GIVEN_UP'>)
  | { readonly type: 'batch-confirmed'; readonly batchId: Hex32 }
  | { readonly type: 'deposit-credited'; readonly deposit: DepositObserved }
  | ({ readonly type: 'deposit-ignored'; readonly deposit: DepositObserved } & Coded<'SETTLEMENT_DEPOSIT_DUPLICATE' | 'SETTLEMENT_DEPOSIT_REJECTED'>)
  | { readonly type: 'connector-error'; readonly batchId: Hex32; readonly index: number; readonly reason: string };

export interface MessageView {
  readonly batchId: Hex32;
  readonly index: number;
  readonly destination: ChainId;
  readonly topic: Hex32;
  readonly status: MessageStatus;
  readonly attempt: number;
  readonly exhausted: boolean;
  readonly lastError: FailureName | null;
}

/** One (chain, asset): escrow on chain must equal internal balances + outflows not yet executed. */
export interface ConservationLine {
  readonly chain: ChainId;
  readonly asset: string;
  readonly escrowOnChain: bigint;
  readonly internal: bigint;
  /** Payouts + fee budgets of unconfirmed messages. */
  readonly pendingOutflow: bigint;
  /** The part of pendingOutflow whose message already executed (confirmation not yet recorded). */
  readonly executedUnconfirmed: bigint;
  readonly balanced: boolean;
}

export type DepositOutcome = 'credited' | 'duplicate' | 'rejected';

/** Submit errors after which the extrinsic may still have gone out: the message stays 'submitted' until reconciled. */
const SUBMIT_IN_DOUBT: ReadonlySet<ErrorName> = new Set<ErrorName>(['XCMP_NODE_UNREACHABLE']);
/** Submit errors that report the message ran and failed (an 'execute' runs inside its extrinsic): nothing moved. */
const SUBMIT_EXECUTION_FAILED: ReadonlySet<ErrorName> = new Set<ErrorName>(['XCMP_EXECUTION_INCOMPLETE', 'XCMP_DESTINATION_REJECTED']);

function coded<N extends ErrorName>(error: N, reason: string): Coded<N> {
  return { error, code: ERRORS[error].code, reason };
}

export class SettlementService {
  private readonly resolved: ResolvedConfig;
  private readonly connector: ChainConnector;
  private readonly store: SettlementStore;
  private readonly sign: BatchSigner;
  private readonly state: SettlementState;
  private readonly listeners = new Set<(event: SettlementEvent) => void>();
  private readonly exhaustedReported = new Set<string>();
  private window: NettingWindow;
  private queue: Promise<unknown> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private fatal: unknown = undefined;

  private constructor(deps: SettlementDeps, resolved: ResolvedConfig, state: SettlementState, nowMs: number) {
    this.resolved = resolved;
    this.connector = deps.connector;
    this.store = deps.store;
    this.sign = deps.sign;
    this.state = state;
    this.window = new NettingWindow(state.nextWindowNumber, nowMs, resolved, state.ledger);
  }

  /**
   * Loads and verifies every persisted record, rebuilds state, and reconciles each unconfirmed
   * message with the chain (findTopic) before returning; nothing is sent until the first tick.
   */
  static async open(deps: SettlementDeps, nowMs: number, onEvent?: (event: SettlementEvent) => void): Promise<SettlementService> {
    const resolved = resolveConfig(deps.config);
    const state = new SettlementState(resolved.config.maxAttempts, resolved.config.feeAccount);
    for (const record of await deps.store.load()) {
      if (record.type === 'batch') verifyBatch(resolved, record.batch, deps.publicKey);
      try { state.apply(record); } catch (error) {
        if (isCodedError(error)) throw error;
        throw new CodedError('SETTLEMENT_RECORD_INVALID', error instanceof Error ? error.message : String(error));
      }
    }
    const service = new SettlementService(deps, resolved, state, nowMs);
    if (onEvent) service.onEvent(onEvent);
    await service.serial(() => service.reconcileAll(nowMs));
    service.unsubscribe = deps.connector.onDeposit((deposit) => {
      void service.creditDeposit(deposit).catch((error: unknown) => { service.fatal ??= error; });
    });
    return service;
  }

  onEvent(listener: (event: SettlementEvent) => void): () => void {
    if (this.listeners.size >= SETTLEMENT_MAX_EVENT_LISTENERS) throw new CodedError('SETTLEMENT_LIMIT_EXCEEDED', 'too many event listeners');
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  private emit(event: SettlementEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private alive(): void {
    if (this.fatal !== undefined) throw new CodedError('SETTLEMENT_INTERNAL', `stopped after a store or connector failure: ${String(this.fatal)}`);
  }

  /** Runs tasks one at a time, in call order; a failed store append stops the service. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => { this.alive(); return task(); });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async persist(record: SettlementRecord): Promise<void> {
    try { await this.store.append(record); } catch (error) { this.fatal ??= error; throw error; }
    this.state.apply(record);
  }

  /** Adds a fill to the open window; throws a CodedError (and applies nothing) when it cannot settle. */
  addFill(fill: Fill): void {
    this.alive();
    this.window.addFill(fill);
  }

  /** Debits the account now and pays it out with this window's batch; idempotent by requestId. */
  requestWithdrawal(request: WithdrawalRequest): void {
    this.alive();
    this.window.addWithdrawal(request, this.state.withdrawalIds);
  }

  /** Escrow the account may still commit: internal balance after everything in the open window. */
  available(ref: AssetRef, account: AccountHex): bigint {
    return this.window.available(ref, account);
  }

  /** Where the enclave's journal replay must resume feeding fills after a restart. */
  resumePoint(): { readonly nextWindowNumber: number; readonly lastTradeId: string | null } {
    return { nextWindowNumber: this.state.nextWindowNumber, lastTradeId: this.state.lastTradeId };
  }

  /** Credits a final deposit into the pool's escrow once per (chain, reference). */
  creditDeposit(deposit: DepositObserved): Promise<DepositOutcome> {
    return this.serial(async () => {
      const chain = this.resolved.chains.get(deposit.chain);
      const reject = (reason: string): DepositOutcome => {
        this.emit({ type: 'deposit-ignored', deposit, ...coded('SETTLEMENT_DEPOSIT_REJECTED', reason) });
        return 'rejected';
      };
      if (chain === undefined || !Object.hasOwn(chain.config.assets, deposit.asset)) return reject(`${deposit.asset} on ${deposit.chain} is not configured`);
      if (!isAccountHex(deposit.from) || typeof deposit.amount !== 'bigint' || deposit.amount < 1n) return reject('malformed sender or amount');
      if (typeof deposit.reference !== 'string' || deposit.reference.length === 0 || deposit.reference.length > SETTLEMENT_MAX_REFERENCE_CHARS) return reject('malformed reference');
      if (this.state.depositReferences.has(SettlementState.depositKey(deposit.chain, deposit.reference))) {
        this.emit({ type: 'deposit-ignored', deposit, ...coded('SETTLEMENT_DEPOSIT_DUPLICATE', deposit.reference) });
        return 'duplicate';
      }
      const copy: DepositObserved = { chain: deposit.chain, asset: deposit.asset, from: deposit.from, amount: deposit.amount, reference: deposit.reference };
      await this.persist({ type: 'deposit', deposit: copy });
      this.emit({ type: 'deposit-credited', deposit: copy });
      return 'credited';
    });
  }

  /** Closes the window now if it holds anything. Throws SETTLEMENT_FEE_UNFUNDED and keeps the window when fees cannot be paid. */
  closeWindow(nowMs: number): Promise<Batch | null> {
    return this.serial(() => this.closeLocked(nowMs));
  }

  private async closeLocked(nowMs: number): Promise<Batch | null> {
    if (this.window.isEmpty) return null;
    const batch = buildBatch(this.resolved, this.state.ledger, this.window.close(nowMs), this.sign);
    // Applied before the append so that fills arriving meanwhile see the new balances; if the
    // append fails the service stops (fatal) and the journal replay rebuilds this same batch.
    this.state.apply({ type: 'batch', batch });
    this.window = new NettingWindow(this.state.nextWindowNumber, nowMs, this.resolved, this.state.ledger);
    try { await this.store.append({ type: 'batch', batch }); } catch (error) { this.fatal ??= error; throw error; }
    this.emit({ type: 'batch-sealed', batchId: batch.id, windowNumber: batch.windowNumber, messages: batch.messages.length, payouts: batch.messages.reduce((n, m) => n + m.payouts.length, 0) });
    return batch;
  }

  /** Closes a due window, then moves every open message one step along its lifecycle. */
  tick(nowMs: number): Promise<void> {
    return this.serial(async () => {
      if (this.window.isDue(nowMs)) {
        try { await this.closeLocked(nowMs); } catch (error) {
          if (!isCodedError(error, 'SETTLEMENT_FEE_UNFUNDED')) throw error;
          this.emit({ type: 'window-held', windowNumber: this.window.windowNumber, ...coded('SETTLEMENT_FEE_UNFUNDED', error.detail ?? '') });
        }
      }
      await this.drive(nowMs);
    });
  }

  /** Gives an exhausted message maxAttempts more attempts; a given-up message is final (SETTLEMENT_GIVEN_UP). */
  rearm(batchId: Hex32, index: number, nowMs: number): Promise<void> {
    return this.serial(async () => {
      if (this.state.message(batchId, index).status === 'abandoned') throw new CodedError('SETTLEMENT_GIVEN_UP', `${batchId}:${index}`);
      await this.persist({ type: 'rearmed', batchId, index, atMs: nowMs });
      this.exhaustedReported.delete(`${batchId}:${index}`);
    });
  }

  private async outcome(state: MessageState): Promise<TopicOutcome | undefined> {
    try {
      return await this.connector.findTopic(state.message.destination, fromHex(state.message.topic));
    } catch (error) {
      this.emit({ type: 'connector-error', batchId: state.batchId, index: state.message.index, reason: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }

  /** The origin's finalized height, or undefined (reported) when the connector cannot tell now. */
  private async finalized(state: MessageState): Promise<number | undefined> {
    try {
      const height = await this.connector.finalizedHeight(state.message.origin);
      if (!Number.isSafeInteger(height) || height < 0) throw new Error(`finalized height ${String(height)} is not a block number`);
      return height;
    } catch (error) {
      this.emit({ type: 'connector-error', batchId: state.batchId, index: state.message.index, reason: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }

  /**
   * The latest attempt can never execute: it had a deadline, a finalized block is past it, and the
   * topic is neither executed nor on its way. Attempts before it were dead before it went out.
   */
  private provablyDead(state: MessageState, finalizedHeight: number, outcome: TopicOutcome): boolean {
    if (state.undated || state.validUntil === null || finalizedHeight <= state.validUntil) return false;
    return outcome.status === 'failed' || (outcome.status === 'unknown' && outcome.inFlight !== true);
  }

  private async confirm(state: MessageState, reference: string, nowMs: number): Promise<void> {
    await this.persist({ type: 'confirmed', batchId: state.batchId, index: state.message.index, reference, atMs: nowMs });
    this.emit({ type: 'message-confirmed', batchId: state.batchId, index: state.message.index, reference });
    const batch = this.state.batches.get(state.batchId)!;
    if (batch.messages.every((m) => this.state.message(batch.id, m.index).status === 'confirmed')) this.emit({ type: 'batch-confirmed', batchId: batch.id });
  }

  private async fail(state: MessageState, error: FailureName, reason: string, reference: string | null, nowMs: number): Promise<void> {
    const attempt = state.attempt;
    await this.persist({ type: 'failed', batchId: state.batchId, index: state.message.index, attempt, error, reason, reference, atMs: nowMs });
    this.emit({ type: 'message-failed', batchId: state.batchId, index: state.message.index, attempt, ...coded(error, reason) });
  }

  /** A 'failed' outcome counts only if it is not one already recorded for an earlier attempt. */
  private freshFailure(state: MessageState, outcome: TopicOutcome): outcome is Extract<TopicOutcome, { status: 'failed' }> {
    return outcome.status === 'failed' && !state.seenFailures.has(outcome.reference);
  }

  private async submit(state: MessageState, finalizedHeight: number, nowMs: number): Promise<void> {
    const index = state.message.index;
    const validUntil = finalizedHeight + this.resolved.lifetimeBlocks;
    await this.persist({ type: 'submitted', batchId: state.batchId, index, attempt: state.attempt, atMs: nowMs, validUntil });
    try {
      const receipt = await this.connector.submit({ ...dispatchOf(state.message), validUntil });
      if (receipt.validUntil !== undefined && receipt.validUntil > validUntil) throw new Error(`assertion: ${this.connector.name} extended the deadline ${validUntil} to ${receipt.validUntil}`);
      state.reference = receipt.reference;
      this.emit({ type: 'message-submitted', batchId: state.batchId, index, attempt: state.attempt, reference: receipt.reference });
    } catch (error) {
      // A coded refusal means nothing was dispatched. An uncoded error or a lost node may hide a
      // dispatch that went out, so the message stays 'submitted' and is reconciled after the timeout.
      if (!isCodedError(error) || SUBMIT_IN_DOUBT.has(error.errorName)) {
        this.emit({ type: 'connector-error', batchId: state.batchId, index, reason: error instanceof Error ? error.message : String(error) });
        return;
      }
      const failure = SUBMIT_EXECUTION_FAILED.has(error.errorName) ? 'SETTLEMENT_EXECUTION_FAILED' : 'SETTLEMENT_DELIVERY_REFUSED';
      await this.fail(state, failure, error.message, null, nowMs);
    }
  }

  private async step(state: MessageState, nowMs: number): Promise<void> {
    const { batchId } = state;
    const index = state.message.index;
    const exhausted = state.status === 'failed' && state.attempt >= state.attemptsAllowed;
    if (exhausted && state.undated) return this.reportExhausted(state);
    if (state.status === 'failed' && !exhausted && nowMs - (state.failedAtMs ?? nowMs) < this.resolved.config.retryDelayMs) return;
    // Height first: a topic absent after a finalized block past the deadline is absent for good.
    const height = await this.finalized(state);
    if (height === undefined) return;
    const outcome = await this.outcome(state);
    if (outcome === undefined) return;
    if (outcome.status === 'executed') return this.confirm(state, outcome.reference, nowMs);
    switch (state.status) {
      case 'submitted': {
        if (this.freshFailure(state, outcome)) return this.fail(state, 'SETTLEMENT_EXECUTION_FAILED', outcome.reason, outcome.reference, nowMs);
        if (this.provablyDead(state, height, outcome)) return this.fail(state, 'SETTLEMENT_CONFIRM_TIMEOUT', `deadline ${state.validUntil} passed (finalized ${height}), topic absent`, null, nowMs);
        const waitedMs = nowMs - (state.submittedAtMs ?? nowMs);
        if (waitedMs >= this.resolved.config.confirmTimeoutMs) return this.fail(state, 'SETTLEMENT_CONFIRM_TIMEOUT', `no outcome after ${waitedMs} ms`, null, nowMs);
        return;
      }
      case 'failed':
        // Reconciled: not executed. A fresh failure seen now belongs to the failed attempt.
        if (this.freshFailure(state, outcome)) state.seenFailures.add(outcome.reference);
        // An attempt with a deadline may still execute until it passes: neither resend nor give up before.
        if (!state.undated && !this.provablyDead(state, height, outcome)) return;
        if (exhausted) return this.abandon(state, height, nowMs);
        await this.persist({ type: 'retried', batchId, index, attempt: state.attempt + 1, atMs: nowMs });
        this.emit({ type: 'message-retried', batchId, index, attempt: state.attempt });
        return this.submit(state, height, nowMs);
      case 'pending':
        if (this.freshFailure(state, outcome)) state.seenFailures.add(outcome.reference);
        return this.submit(state, height, nowMs);
      case 'confirmed':
      case 'abandoned':
        return;
    }
  }

  /** Every attempt is provably dead: the message is given up and its payouts return to the ledger. */
  private async abandon(state: MessageState, finalizedHeight: number, nowMs: number): Promise<void> {
    const { batchId, attempt } = state;
    const index = state.message.index;
    await this.persist({ type: 'abandoned', batchId, index, attempt, finalizedHeight, atMs: nowMs });
    this.emit({ type: 'retries-exhausted', batchId, index, attempt, abandoned: true, ...coded('SETTLEMENT_GIVEN_UP', state.lastReason ?? '') });
  }

  /** An exhausted message an undated attempt may still execute: reported once, kept until re-armed. */
  private reportExhausted(state: MessageState): void {
    const key = `${state.batchId}:${state.message.index}`;
    if (this.exhaustedReported.has(key)) return;
    this.exhaustedReported.add(key);
    this.emit({ type: 'retries-exhausted', batchId: state.batchId, index: state.message.index, attempt: state.attempt, abandoned: false, ...coded('SETTLEMENT_RETRIES_EXHAUSTED', state.lastReason ?? '') });
  }

  private async drive(nowMs: number): Promise<void> {
    const open = this.state.unconfirmed().slice(0, SETTLEMENT_MAX_MESSAGES_PER_TICK);
    for (const state of open) await this.step(state, nowMs);
  }

  /** Start-up reconciliation: learn what executed or failed while we were down; send nothing. */
  private async reconcileAll(nowMs: number): Promise<void> {
    for (const state of this.state.unconfirmed()) {
      if (state.status === 'pending' || state.status === 'failed') {
        const outcome = await this.outcome(state);
        if (outcome?.status === 'executed') await this.confirm(state, outcome.reference, nowMs);
        continue;
      }
      const outcome = await this.outcome(state);
      if (outcome?.status === 'executed') await this.confirm(state, outcome.reference, nowMs);
      else if (outcome !== undefined && this.freshFailure(state, outcome)) await this.fail(state, 'SETTLEMENT_EXECUTION_FAILED', outcome.reason, outcome.reference, nowMs);
    }
  }

  /** Compares, per configured (chain, asset), the pool's escrow on chain with the internal books. */
  conservation(): Promise<ConservationLine[]> {
    return this.serial(async () => {
      const executed = new Set<string>();
      for (const state of this.state.unconfirmed()) {
        const outcome = await this.outcome(state);
        if (outcome?.status === 'executed') executed.add(`${state.batchId}:${state.message.index}`);
      }
      const lines: ConservationLine[] = [];
      for (const [chain, resolved] of this.resolved.chains) {
        for (const asset of Object.keys(resolved.config.assets).sort()) {
          const escrowOnChain = await this.connector.balanceOf(chain, asset, resolved.escrow);
          const internal = this.state.ledger.total(chain, asset);
          const pendingOutflow = this.state.pendingOutflow(chain, asset);
          let executedUnconfirmed = 0n;
          for (const state of this.state.unconfirmed()) {
            if (state.message.destination === chain && executed.has(`${state.batchId}:${state.message.index}`)) executedUnconfirmed += outflowOf(state.message, asset);
          }
          lines.push({ chain, asset, escrowOnChain, internal, pendingOutflow, executedUnconfirmed, balanced: escrowOnChain === internal + pendingOutflow - executedUnconfirmed });
        }
      }
      return lines;
    });
  }

  messages(): MessageView[] {
    return [...this.state.messages.values()].map((state) => ({
      batchId: state.batchId,
      index: state.message.index,
      destination: state.message.destination,
      topic: state.message.topic,
      status: state.status,
      attempt: state.attempt,
      exhausted: state.status === 'abandoned' || (state.status === 'failed' && state.attempt >= state.attemptsAllowed),
      lastError: state.lastError,
    }));
  }

  /** Given-up messages (their payouts are back in the ledger), for crediting them back after a restart. */
  abandonedMessages(): readonly { readonly batchId: Hex32; readonly index: number }[] {
    return this.state.abandoned().map((state) => ({ batchId: state.batchId, index: state.message.index }));
  }

  batch(id: Hex32): Batch | undefined {
    return this.state.batches.get(id);
  }

  /** Internal balance (closed windows and deposits only). */
  balance(chain: ChainId, asset: string, account: AccountHex): bigint {
    return this.state.ledger.balance(chain, asset, account);
  }

  /** Stops listening for deposits and waits for queued work. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.queue;
  }
}
