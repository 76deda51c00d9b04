// The netting core: fills and withdrawal requests accumulate in a window; at its end each
// (chain, asset, account) nets to one number, so the chain sees one transfer per account per asset
// per window and never a trade. Pure and synchronous: time arrives as arguments.
//
// Model. Traders' funds sit in the pool's escrow account on each chain (deposits). A trade moves
// balances inside the enclave. At window end an account's positive net receipt of an asset is
// paid out to its own on-chain account; a negative net is already in escrow and stays there,
// debited from the account's internal balance. Fees accrue to the fee account, which is never
// paid out automatically (it funds chain fees; the operator withdraws it). A withdrawal debits the
// internal balance at once and is paid in the same window's net transfer.
// Invariant per position: internal + min(delta, 0) - withdrawn >= 0, checked on every entry, so a
// window can always close without an account going negative.
import { CodedError } from '../errors/index.js';
import type { AccountHex, ChainId } from '../xcmp/connector.js';
import type { ResolvedConfig } from './config.js';
import { SETTLEMENT_MAX_ATOMS, SETTLEMENT_MAX_TRADE_ID_CHARS, checkFill, isAccountHex, type AssetRef, type Fill } from './fill.js';
import { slotKey, type SettlementLedger } from './ledger.js';

export const SETTLEMENT_MAX_WITHDRAWALS_PER_WINDOW = 10_000;

export interface WithdrawalRequest {
  /** Unique per request; a repeated id is refused, so a retried request never pays twice. */
  readonly requestId: string;
  readonly account: AccountHex;
  readonly chain: ChainId;
  readonly asset: string;
  readonly amount: bigint;
}

/** One net transfer out of escrow to an account. */
export interface NetPayout {
  readonly chain: ChainId;
  readonly asset: string;
  readonly account: AccountHex;
  readonly amount: bigint;
}

/** One change to an internal balance (never zero). */
export interface LedgerChange {
  readonly chain: ChainId;
  readonly asset: string;
  readonly account: AccountHex;
  readonly delta: bigint;
}

export interface WindowResult {
  readonly windowNumber: number;
  readonly openedAtMs: number;
  readonly closedAtMs: number;
  readonly fillCount: number;
  readonly lastTradeId: string | null;
  readonly withdrawals: readonly WithdrawalRequest[];
  /** Sorted by chain, asset, account. */
  readonly payouts: readonly NetPayout[];
  /** Sorted by chain, asset, account. */
  readonly ledgerChanges: readonly LedgerChange[];
}

interface Position {
  delta: bigint;
  withdrawn: bigint;
}

interface Slot {
  readonly chain: ChainId;
  readonly asset: string;
  readonly positions: Map<AccountHex, Position>;
  readonly balances: Map<AccountHex, bigint>;
}

const REQUEST_ID = /^[\x21-\x7e]+$/;
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class NettingWindow {
  readonly windowNumber: number;
  readonly openedAtMs: number;
  private readonly slots = new Map<string, Slot>();
  /** Fills of one market share their AssetRef objects, so most lookups hit this identity cache. */
  private readonly slotByRef = new WeakMap<AssetRef, Slot>();
  private readonly withdrawals: WithdrawalRequest[] = [];
  private readonly withdrawalIds = new Set<string>();
  private readonly resolved: ResolvedConfig;
  private readonly ledger: SettlementLedger;
  private fills = 0;
  private lastTradeId: string | null = null;

  constructor(windowNumber: number, openedAtMs: number, resolved: ResolvedConfig, ledger: SettlementLedger) {
    this.windowNumber = windowNumber;
    this.openedAtMs = openedAtMs;
    this.resolved = resolved;
    this.ledger = ledger;
  }

  get fillCount(): number {
    return this.fills;
  }

  get isEmpty(): boolean {
    return this.fills === 0 && this.withdrawals.length === 0;
  }

  /** Due once it holds windowMaxFills fills, or windowMs after it opened with anything in it. */
  isDue(nowMs: number): boolean {
    if (this.fills >= this.resolved.config.windowMaxFills) return true;
    return !this.isEmpty && nowMs - this.openedAtMs >= this.resolved.config.windowMs;
  }

  private slot(ref: AssetRef): Slot {
    const cached = this.slotByRef.get(ref);
    if (cached !== undefined && cached.chain === ref.chain && cached.asset === ref.asset) return cached;
    const key = slotKey(ref.chain, ref.asset);
    let slot = this.slots.get(key);
    if (slot === undefined) {
      const chain = this.resolved.chains.get(ref.chain);
      if (chain === undefined || !Object.hasOwn(chain.config.assets, ref.asset)) throw new CodedError('SETTLEMENT_UNKNOWN_ASSET', `${ref.asset} on ${String(ref.chain)}`);
      slot = { chain: ref.chain, asset: ref.asset, positions: new Map(), balances: this.ledger.slot(ref.chain, ref.asset) };
      this.slots.set(key, slot);
    }
    this.slotByRef.set(ref, slot);
    return slot;
  }

  private position(slot: Slot, account: AccountHex): Position {
    let position = slot.positions.get(account);
    if (position === undefined) {
      position = { delta: 0n, withdrawn: 0n };
      slot.positions.set(account, position);
    }
    return position;
  }

  /** What the account may still spend of this asset: its escrow after everything already in the window. */
  available(ref: AssetRef, account: AccountHex): bigint {
    const slot = this.slot(ref);
    const position = slot.positions.get(account);
    const delta = position?.delta ?? 0n;
    return (slot.balances.get(account) ?? 0n) + (delta < 0n ? delta : 0n) - (position?.withdrawn ?? 0n);
  }

  private checkSpend(slot: Slot, account: AccountHex, atoms: bigint): void {
    const position = slot.positions.get(account);
    const after = (position?.delta ?? 0n) - atoms;
    const spendable = (slot.balances.get(account) ?? 0n) + (after < 0n ? after : 0n) - (position?.withdrawn ?? 0n);
    if (spendable < 0n) throw new CodedError('SETTLEMENT_ESCROW_INSUFFICIENT', `${account} lacks ${-spendable} ${slot.asset} on ${slot.chain}`);
  }

  private checkTrader(account: AccountHex): void {
    if (account === this.resolved.config.feeAccount) throw new CodedError('SETTLEMENT_INVALID_FILL', 'the fee account does not trade');
  }

  /** Applies a fill to the window, or throws a CodedError and applies nothing. */
  addFill(fill: Fill): void {
    if (this.fills >= this.resolved.config.windowMaxFills) throw new CodedError('SETTLEMENT_WINDOW_FULL', `${this.fills} fills`);
    checkFill(fill);
    this.checkTrader(fill.buyer);
    this.checkTrader(fill.seller);
    const base = this.slot(fill.base);
    const quote = this.slot(fill.quote);
    const buyerPays = fill.quoteAtoms + fill.buyerFeeAtoms;
    this.checkSpend(quote, fill.buyer, buyerPays);
    this.checkSpend(base, fill.seller, fill.baseAtoms);
    this.position(base, fill.buyer).delta += fill.baseAtoms;
    this.position(base, fill.seller).delta -= fill.baseAtoms;
    this.position(quote, fill.buyer).delta -= buyerPays;
    this.position(quote, fill.seller).delta += fill.quoteAtoms - fill.sellerFeeAtoms;
    const fees = fill.buyerFeeAtoms + fill.sellerFeeAtoms;
    if (fees > 0n) this.position(quote, this.resolved.config.feeAccount).delta += fees;
    this.fills++;
    this.lastTradeId = fill.tradeId;
  }

  /** Debits the account now; the amount leaves in this window's net transfer. `known` holds ids already used. */
  addWithdrawal(request: WithdrawalRequest, known: ReadonlySet<string>): void {
    if (typeof request.requestId !== 'string' || request.requestId.length > SETTLEMENT_MAX_TRADE_ID_CHARS || !REQUEST_ID.test(request.requestId)) {
      throw new CodedError('SETTLEMENT_INVALID_WITHDRAWAL', 'requestId');
    }
    if (!isAccountHex(request.account)) throw new CodedError('SETTLEMENT_INVALID_WITHDRAWAL', 'account must be lower-case 0x-prefixed 32-byte hex');
    if (typeof request.amount !== 'bigint' || request.amount < 1n || request.amount > SETTLEMENT_MAX_ATOMS) throw new CodedError('SETTLEMENT_INVALID_WITHDRAWAL', 'amount');
    if (known.has(request.requestId) || this.withdrawalIds.has(request.requestId)) throw new CodedError('SETTLEMENT_DUPLICATE_WITHDRAWAL', request.requestId);
    if (this.withdrawals.length >= SETTLEMENT_MAX_WITHDRAWALS_PER_WINDOW) throw new CodedError('SETTLEMENT_WINDOW_FULL', `${this.withdrawals.length} withdrawals`);
    const slot = this.slot(request);
    if (this.available(request, request.account) < request.amount) throw new CodedError('SETTLEMENT_ESCROW_INSUFFICIENT', `${request.account} cannot withdraw ${request.amount} ${request.asset}`);
    this.position(slot, request.account).withdrawn += request.amount;
    this.withdrawals.push({ ...request });
    this.withdrawalIds.add(request.requestId);
  }

  /** Nets the window; does not touch the ledger (the caller applies ledgerChanges once the batch is built). */
  close(closedAtMs: number): WindowResult {
    const payouts: NetPayout[] = [];
    const ledgerChanges: LedgerChange[] = [];
    const feeAccount = this.resolved.config.feeAccount;
    const slots = [...this.slots.values()].sort((a, b) => compareText(a.chain, b.chain) || compareText(a.asset, b.asset));
    for (const slot of slots) {
      const accounts = [...slot.positions.keys()].sort(compareText);
      for (const account of accounts) {
        const { delta, withdrawn } = slot.positions.get(account)!;
        const paid = (account === feeAccount || delta < 0n ? 0n : delta) + withdrawn;
        const change = (account === feeAccount || delta < 0n ? delta : 0n) - withdrawn;
        if (paid > 0n) payouts.push({ chain: slot.chain, asset: slot.asset, account, amount: paid });
        if (change !== 0n) ledgerChanges.push({ chain: slot.chain, asset: slot.asset, account, delta: change });
      }
    }
    return {
      windowNumber: this.windowNumber,
      openedAtMs: this.openedAtMs,
      closedAtMs,
      fillCount: this.fills,
      lastTradeId: this.lastTradeId,
      withdrawals: [...this.withdrawals],
      payouts,
      ledgerChanges,
    };
  }
}
