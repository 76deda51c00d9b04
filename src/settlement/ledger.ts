// The enclave's internal view of escrow: what each account owns of each asset held in the pool's
// account on each chain. Deposits credit it, closed windows apply their net changes to it, and
// the conservation check compares its totals with the chain. Pure and synchronous.
import { CodedError } from '../errors/index.js';
import type { AccountHex, ChainId } from '../xcmp/connector.js';

/** Distinct (chain, asset, account) balances kept; beyond it new accounts are refused. */
export const SETTLEMENT_MAX_LEDGER_ENTRIES = 5_000_000;

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

  total(chain: ChainId, asset: string): bigint {
    let sum = 0n;
    for (const amount of this.slots.get(slotKey(chain, asset))?.values() ?? []) sum += amount;
    return sum;
  }
}
