// Accounts known to the matcher: a dense index for the typed-array order store, the client order
// ids of each account's open orders and a bounded memory of recently finished ones, so a retried
// order is rejected instead of placed twice.
import { ClientIdTable, clientIdHash, NOT_FOUND } from './client-id-table.js';
import type { MatcherLimits } from './types.js';

export const NO_ACCOUNT = -1;

/** Value in the client id table for an order that finished and is only remembered. */
const FINISHED = -1;

/**
 * Accounts and the client order ids they may not reuse. An id enters the table when its order is
 * accepted, with the slot the order holds in its market's book for its whole life; it stays after
 * the order ends, until it is the oldest of more than recentClientOrderIdsPerAccount finished ids of
 * its account. The slot is therefore only a hint: callers check that the slot still holds this id
 * and account, which it does exactly while the order is open. Callers pass the id's hash
 * (clientIdHash) so it is computed once.
 */
export class AccountRegistry {
  readonly names: string[] = [];
  readonly clientIds = new ClientIdTable();
  private readonly finishedKeys: string[][] = [];
  private readonly finishedHashes: number[][] = [];
  private readonly ringNext: number[] = [];
  private readonly indexByName = new Map<string, number>();
  /** The two most recently found names and their indexes: accounts are never removed, so a hit never goes stale. */
  private recentName0: string | undefined = undefined;
  private recentIndex0 = NO_ACCOUNT;
  private recentName1: string | undefined = undefined;
  private recentIndex1 = NO_ACCOUNT;

  constructor(private readonly limits: MatcherLimits) {}

  get size(): number {
    return this.names.length;
  }

  find(name: string): number {
    if (name === this.recentName0) return this.recentIndex0;
    if (name === this.recentName1) return this.recentIndex1;
    const index = this.indexByName.get(name);
    if (index === undefined) return NO_ACCOUNT;
    this.remember(name, index);
    return index;
  }

  /** The account's index, registering it if new; NO_ACCOUNT when the registry is full. */
  findOrAdd(name: string): number {
    const known = this.indexByName.get(name);
    if (known !== undefined) return known;
    if (this.names.length >= this.limits.maxAccounts) return NO_ACCOUNT;
    const index = this.names.length;
    this.indexByName.set(name, index);
    this.names.push(name);
    this.finishedKeys.push([]);
    this.finishedHashes.push([]);
    this.ringNext.push(0);
    return index;
  }

  private remember(name: string, index: number): void {
    this.recentName1 = this.recentName0;
    this.recentIndex1 = this.recentIndex0;
    this.recentName0 = name;
    this.recentIndex0 = index;
  }

  isDuplicate(account: number, clientOrderId: string, hash: number): boolean {
    return this.clientIds.find(account, clientOrderId, hash) !== NOT_FOUND;
  }

  /** The slot recorded for this client id, or undefined; the caller checks the slot still holds it. */
  slotHint(account: number, clientOrderId: string): number | undefined {
    const index = this.clientIds.find(account, clientOrderId, clientIdHash(account, clientOrderId));
    if (index === NOT_FOUND) return undefined;
    const slot = this.clientIds.valueAt(index);
    return slot === FINISHED ? undefined : slot;
  }

  /** An order with this client id was accepted into `slot`. */
  open(account: number, clientOrderId: string, hash: number, slot: number): void {
    this.clientIds.put(account, clientOrderId, hash, slot);
  }

  /** The order ended: its id joins the finished ids, and the oldest beyond the bound is forgotten. */
  finish(account: number, clientOrderId: string, hash: number): void {
    const keys = this.finishedKeys[account]!;
    const hashes = this.finishedHashes[account]!;
    const capacity = this.limits.recentClientOrderIdsPerAccount;
    if (keys.length < capacity) {
      keys.push(clientOrderId);
      hashes.push(hash);
      return;
    }
    const next = this.ringNext[account]!;
    this.clientIds.remove(account, keys[next]!, hashes[next]!);
    keys[next] = clientOrderId;
    hashes[next] = hash;
    this.ringNext[account] = next + 1 === capacity ? 0 : next + 1;
  }

  /** Snapshot restore: a finished id, oldest first, with no order behind it. */
  rememberFinished(account: number, clientOrderId: string, hash: number): void {
    this.clientIds.put(account, clientOrderId, hash, FINISHED);
    this.finish(account, clientOrderId, hash);
  }

  /** Finished client ids still remembered, oldest first. */
  recentlyFinished(account: number): string[] {
    const ring = this.finishedKeys[account]!;
    const next = this.ringNext[account]!;
    return [...ring.slice(next), ...ring.slice(0, next)];
  }
}
