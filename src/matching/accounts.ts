// Accounts known to the matcher: a dense index for the typed-array order store, the client order
// ids of each account's open orders (client id → order id, in placement order) and a bounded
// memory of recently finished ones, so a retried order is rejected instead of placed twice.
import type { MatcherLimits } from './types.js';

export const NO_ACCOUNT = -1;

/**
 * Client order ids of one account's finished orders: a ring buffer remembers which is oldest and a
 * set answers membership. (Deleting the first entry of a Set in a loop is slow in V8: iteration
 * skips every deleted slot until the table is rebuilt.)
 */
export class RecentClientIds {
  private readonly ring: string[] = [];
  private next = 0;
  private readonly members = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(clientOrderId: string): boolean {
    return this.members.has(clientOrderId);
  }

  add(clientOrderId: string): void {
    if (this.members.has(clientOrderId)) return;
    if (this.ring.length < this.capacity) this.ring.push(clientOrderId);
    else {
      this.members.delete(this.ring[this.next]!);
      this.ring[this.next] = clientOrderId;
      this.next = (this.next + 1) % this.capacity;
    }
    this.members.add(clientOrderId);
  }

  /** Oldest first. */
  list(): string[] {
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}

export class AccountRegistry {
  readonly names: string[] = [];
  /** Per account: client order id → order id of its open orders, oldest first. */
  readonly live: Map<string, number>[] = [];
  /** Per account: client order ids of finished orders, at most recentClientOrderIdsPerAccount. */
  readonly recent: RecentClientIds[] = [];
  private readonly indexByName = new Map<string, number>();

  constructor(private readonly limits: MatcherLimits) {}

  get size(): number {
    return this.names.length;
  }

  find(name: string): number {
    return this.indexByName.get(name) ?? NO_ACCOUNT;
  }

  /** The account's index, registering it if new; NO_ACCOUNT when the registry is full. */
  findOrAdd(name: string): number {
    const known = this.indexByName.get(name);
    if (known !== undefined) return known;
    if (this.names.length >= this.limits.maxAccounts) return NO_ACCOUNT;
    const index = this.names.length;
    this.indexByName.set(name, index);
    this.names.push(name);
    this.live.push(new Map());
    this.recent.push(new RecentClientIds(this.limits.recentClientOrderIdsPerAccount));
    return index;
  }

  isDuplicate(account: number, clientOrderId: string): boolean {
    return this.live[account]!.has(clientOrderId) || this.recent[account]!.has(clientOrderId);
  }

  addLive(account: number, clientOrderId: string, orderId: number): void {
    this.live[account]!.set(clientOrderId, orderId);
  }

  /** Moves a finished order's client id from the open set to the recent memory, forgetting the oldest. */
  finish(account: number, clientOrderId: string): void {
    this.live[account]!.delete(clientOrderId);
    this.recent[account]!.add(clientOrderId);
  }

  /** Adds to the recent memory directly (snapshot restore keeps its order). */
  remember(account: number, clientOrderId: string): void {
    this.recent[account]!.add(clientOrderId);
  }
}
