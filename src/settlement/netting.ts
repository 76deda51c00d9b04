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
import { SETTLEMENT_MAX_ATOMS, SETTLEMENT_MAX_TRADE_ID_CHARS, checkFillFields, isAccountHex, type AssetRef, type Fill } from './fill.js';
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

/**
 * A running net. Most fills move amounts far below 2^52, so the net is kept as bigint + an exact
 * float part (|fast| <= 2^52, every addend <= 2^52, hence every partial sum is an exact integer)
 * and flushed into the bigint when it would grow past that: no bigint is allocated per fill.
 */
interface Position {
  big: bigint;
  fast: number;
  withdrawn: bigint;
}

const FAST_LIMIT = 2 ** 52;
const FAST_LIMIT_BIG = BigInt(FAST_LIMIT);

function add(position: Position, amount: bigint): void {
  if (amount <= FAST_LIMIT_BIG) {
    const next = position.fast + Number(amount);
    if (next <= FAST_LIMIT) { position.fast = next; return; }
    position.big += BigInt(next);
    position.fast = 0;
    return;
  }
  position.big += amount;
}

function subtract(position: Position, amount: bigint): void {
  if (amount <= FAST_LIMIT_BIG) {
    const next = position.fast - Number(amount);
    if (next >= -FAST_LIMIT) { position.fast = next; return; }
    position.big += BigInt(next);
    position.fast = 0;
    return;
  }
  position.big -= amount;
}

const netOf = (position: Position): bigint => (position.fast === 0 ? position.big : position.big + BigInt(position.fast));

interface Slot {
  readonly chain: ChainId;
  readonly asset: string;
  /** Column of this slot in every account's row. */
  readonly index: number;
  /** Accounts with a position in this slot, in order of first use. */
  readonly accounts: AccountHex[];
  readonly balances: Map<AccountHex, bigint>;
}

/** One account's positions, indexed by slot: one map lookup per account per fill instead of one per leg. */
type Row = (Position | undefined)[];

const REQUEST_ID = /^[\x21-\x7e]+$/;
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class NettingWindow {
  readonly windowNumber: number;
  readonly openedAtMs: number;
  private readonly slots = new Map<string, Slot>();
  /** Fills of one market share their AssetRef objects, so most lookups hit this identity cache. */
  private readonly slotByRef = new WeakMap<AssetRef, Slot>();
  private readonly rows = new Map<AccountHex, Row>();
  private feeRow: Row | undefined;
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
      slot = { chain: ref.chain, asset: ref.asset, index: this.slots.size, accounts: [], balances: this.ledger.slot(ref.chain, ref.asset) };
      this.slots.set(key, slot);
    }
    this.slotByRef.set(ref, slot);
    return slot;
  }

  /** The account's row, created (after checking the account's format) on its first use in this window. */
  private row(account: AccountHex, error: 'SETTLEMENT_INVALID_FILL' | 'SETTLEMENT_INVALID_WITHDRAWAL'): Row {
    let row = this.rows.get(account);
    if (row === undefined) {
      if (!isAccountHex(account)) throw new CodedError(error, 'accounts must be lower-case 0x-prefixed 32-byte hex');
      row = [];
      this.rows.set(account, row);
    }
    return row;
  }

  private position(slot: Slot, account: AccountHex, row: Row): Position {
    let position = row[slot.index];
    if (position === undefined) {
      position = { big: 0n, fast: 0, withdrawn: 0n };
      row[slot.index] = position;
      slot.accounts.push(account);
    }
    return position;
  }

  /** What the account may still spend of this asset: its escrow after everything already in the window. */
  available(ref: AssetRef, account: AccountHex): bigint {
    const slot = this.slot(ref);
    const position = this.rows.get(account)?.[slot.index];
    const delta = position === undefined ? 0n : netOf(position);
    return (slot.balances.get(account) ?? 0n) + (delta < 0n ? delta : 0n) - (position?.withdrawn ?? 0n);
  }

  /** Throws unless `account` can pay `atoms` more from this position: internal + min(delta - atoms, 0) - withdrawn >= 0. */
  private checkSpend(slot: Slot, account: AccountHex, position: Position, atoms: bigint): void {
    if (position.big === 0n && position.withdrawn === 0n && atoms <= FAST_LIMIT_BIG) {
      const afterFast = position.fast - Number(atoms);
      // Exact: afterFast is an integer of magnitude <= 2^53, and bigint-number comparison is exact.
      if (afterFast >= 0 || (slot.balances.get(account) ?? 0n) >= -afterFast) return;
    }
    const after = netOf(position) - atoms;
    if (after >= 0n && position.withdrawn === 0n) return;
    const spendable = (slot.balances.get(account) ?? 0n) + (after < 0n ? after : 0n) - position.withdrawn;
    if (spendable < 0n) throw new CodedError('SETTLEMENT_ESCROW_INSUFFICIENT', `${account} lacks ${-spendable} ${slot.asset} on ${slot.chain}`);
  }

  private checkTrader(account: AccountHex): void {
    if (account === this.resolved.config.feeAccount) throw new CodedError('SETTLEMENT_INVALID_FILL', 'the fee account does not trade');
  }

  /** Applies a fill to the window, or throws a CodedError and applies nothing. */
  addFill(fill: Fill): void {
    if (this.fills >= this.resolved.config.windowMaxFills) throw new CodedError('SETTLEMENT_WINDOW_FULL', `${this.fills} fills`);
    checkFillFields(fill);
    this.checkTrader(fill.buyer);
    this.checkTrader(fill.seller);
    const buyer = this.row(fill.buyer, 'SETTLEMENT_INVALID_FILL');
    const seller = this.row(fill.seller, 'SETTLEMENT_INVALID_FILL');
    const base = this.slot(fill.base);
    const quote = this.slot(fill.quote);
    const buyerPays = fill.quoteAtoms + fill.buyerFeeAtoms;
    const buyerQuote = this.position(quote, fill.buyer, buyer);
    const sellerBase = this.position(base, fill.seller, seller);
    this.checkSpend(quote, fill.buyer, buyerQuote, buyerPays);
    this.checkSpend(base, fill.seller, sellerBase, fill.baseAtoms);
    subtract(buyerQuote, buyerPays);
    subtract(sellerBase, fill.baseAtoms);
    add(this.position(base, fill.buyer, buyer), fill.baseAtoms);
    const sellerQuote = this.position(quote, fill.seller, seller);
    add(sellerQuote, fill.quoteAtoms);
    subtract(sellerQuote, fill.sellerFeeAtoms);
    if (fill.buyerFeeAtoms > 0n || fill.sellerFeeAtoms > 0n) {
      const feeAccount = this.resolved.config.feeAccount;
      this.feeRow ??= this.row(feeAccount, 'SETTLEMENT_INVALID_FILL');
      const fees = this.position(quote, feeAccount, this.feeRow);
      add(fees, fill.buyerFeeAtoms);
      add(fees, fill.sellerFeeAtoms);
    }
    this.fills++;
    this.lastTradeId = fill.tradeId;
  }

  /** Debits the account now; the amount leaves in this window's net transfer. `known` holds ids already used. */
  addWithdrawal(request: WithdrawalRequest, known: ReadonlySet<string>): void {
    if (typeof request.requestId !== 'string' || request.requestId.length > SETTLEMENT_MAX_TRADE_ID_CHARS || !REQUEST_ID.test(request.requestId)) {
      throw new CodedError('SETTLEMENT_INVALID_WITHDRAWAL', 'requestId');
    }
    if (typeof request.amount !== 'bigint' || request.amount < 1n || request.amount > SETTLEMENT_MAX_ATOMS) throw new CodedError('SETTLEMENT_INVALID_WITHDRAWAL', 'amount');
    if (known.has(request.requestId) || this.withdrawalIds.has(request.requestId)) throw new CodedError('SETTLEMENT_DUPLICATE_WITHDRAWAL', request.requestId);
    if (this.withdrawals.length >= SETTLEMENT_MAX_WITHDRAWALS_PER_WINDOW) throw new CodedError('SETTLEMENT_WINDOW_FULL', `${this.withdrawals.length} withdrawals`);
    const row = this.row(request.account, 'SETTLEMENT_INVALID_WITHDRAWAL');
    const slot = this.slot(request);
    if (this.available(request, request.account) < request.amount) throw new CodedError('SETTLEMENT_ESCROW_INSUFFICIENT', `${request.account} cannot withdraw ${request.amount} ${request.asset}`);
    this.position(slot, request.account, row).withdrawn += request.amount;
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
      // Default sort orders strings by UTF-16 code units, the same order as `<`.
      const accounts = [...slot.accounts].sort();
      for (const account of accounts) {
        const position = this.rows.get(account)![slot.index]!;
        const delta = netOf(position);
        const withdrawn = position.withdrawn;
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
