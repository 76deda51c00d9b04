// The enclave's internal view of escrow: what each account owns of each asset held in the pool's
// account on each chain. Deposits credit it, closed windows apply their net changes to it, and
// the conservation check compares its totals with the chain. Pure and synchronous.
import { CodedError } from '../errors/index.js';
import type { AccountHex, ChainId } from '../xcmp/connector.js';

/** Distinct (chain, asset, account) balances kept; beyond it new accounts are refused. */
export const SETTLEMENT_MAX_LEDGER_ENTRIES = 5_000_000;

export interface LedgerEntryChange {
  readonly chain: ChainId;
  readonly asset: string;
  readonly account: AccountHex;
  readonly delta: bigint;
}

export const slotKey = (chain: ChainId, asset: string): string => `${chain}/${asset}`;

export class SettlementLedger {
  private readonly slots = new Map<string, Map<AccountHex, bigint>>();
  private entries = 0;

  /** The balances of one (chain, asset), created on first use; the hot path keeps the reference. */
  slot(chain: ChainId, asset: string): Map<AccountHex, bigint> {
    const key = slotKey(chain, asset);
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = new Map();
      this.slots.set(key, slot);
    }
    return slot;
  }

  balance(chain: ChainId, asset: string, account: AccountHex): bigint {
    return this.slots.get(slotKey(chain, asset))?.get(account) ?? 0n;
  }

  /** Applies a change that the caller has already checked; a negative result is a bug. */
  apply(chain: ChainId, asset: string, account: AccountHex, delta: bigint): void {
    const slot = this.slot(chain, asset);
    const before = slot.get(account);
    const after = (before ?? 0n) + delta;
    if (after < 0n) throw new Error(`ledger invariant: ${account} would hold ${after} ${asset} on ${chain}`);
    if (before === undefined) {
      if (this.entries >= SETTLEMENT_MAX_LEDGER_ENTRIES) throw new CodedError('SETTLEMENT_LIMIT_EXCEEDED', `more than ${SETTLEMENT_MAX_LEDGER_ENTRIES} ledger entries`);
      this.entries++;
    }
    slot.set(account, after);
  }

  /** The first change that would take a balance below zero, if any (changes sorted by chain and asset go fastest). */
  firstOverdraft<C extends LedgerEntryChange>(changes: readonly C[]): C | undefined {
    let slot: Map<AccountHex, bigint> | undefined;
    let last: LedgerEntryChange | undefined;
    for (const change of changes) {
      if (last === undefined || last.chain !== change.chain || last.asset !== change.asset) slot = this.slots.get(slotKey(change.chain, change.asset));
      last = change;
      if ((slot?.get(change.account) ?? 0n) + change.delta < 0n) return change;
    }
    return undefined;
  }

  /** Applies a list of changes already checked with firstOverdraft. */
  applyAll(changes: readonly LedgerEntryChange[]): void {
    let slot: Map<AccountHex, bigint> | undefined;
    let last: LedgerEntryChange | undefined;
    for (const change of changes) {
      if (slot === undefined || last === undefined || last.chain !== change.chain || last.asset !== change.asset) slot = this.slot(change.chain, change.asset);
      last = change;
      const before = slot.get(change.account);
      const after = (before ?? 0n) + change.delta;
      if (after < 0n) throw new Error(`ledger invariant: ${change.account} would hold ${after} ${change.asset} on ${change.chain}`);
      if (before === undefined) {
        if (this.entries >= SETTLEMENT_MAX_LEDGER_ENTRIES) throw new CodedError('SETTLEMENT_LIMIT_EXCEEDED', `more than ${SETTLEMENT_MAX_LEDGER_ENTRIES} ledger entries`);
        this.entries++;
      }
      slot.set(change.account, after);
    }
  }

  total(chain: ChainId, asset: string): bigint {
    let sum = 0n;
    for (const amount of this.slots.get(slotKey(chain, asset))?.values() ?? []) sum += amount;
    return sum;
  }
}
