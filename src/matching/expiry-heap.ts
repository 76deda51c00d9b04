// Resting GTT orders ordered by (expireAtMs, orderId): an indexed binary min-heap, so the next
// expiry is O(1) to check on every command and a cancelled GTT order leaves in O(log n) rather
// than lingering as a stale entry.
import { NO_SLOT, type OrderStore } from './order-store.js';

const INITIAL_CAPACITY = 64;

export class ExpiryHeap {
  size = 0;
  private slots = new Int32Array(INITIAL_CAPACITY);
  private expireAtMs = new Float64Array(INITIAL_CAPACITY);

  constructor(private readonly orders: OrderStore) {}

  /** Slot of the earliest expiry, NO_SLOT when empty. */
  peekSlot(): number {
    return this.size === 0 ? NO_SLOT : this.slots[0]!;
  }

  peekExpireAtMs(): number {
    return this.size === 0 ? Infinity : this.expireAtMs[0]!;
  }

  expireAtOf(slot: number): number {
    const position = this.orders.heapPosition[slot]!;
    return position === NO_SLOT ? NaN : this.expireAtMs[position]!;
  }

  push(slot: number, expireAtMs: number): void {
    if (this.size === this.slots.length) this.grow();
    const position = this.size++;
    this.slots[position] = slot;
    this.expireAtMs[position] = expireAtMs;
    this.orders.heapPosition[slot] = position;
    this.siftUp(position);
  }

  remove(slot: number): void {
    const position = this.orders.heapPosition[slot]!;
    if (position === NO_SLOT) return;
    this.orders.heapPosition[slot] = NO_SLOT;
    const last = --this.size;
    if (position === last) return;
    this.move(last, position);
    this.siftDown(position);
    this.siftUp(position);
  }

  /** Heap order: earlier expiry first, then lower order id (earlier placement). */
  private less(a: number, b: number): boolean {
    const ea = this.expireAtMs[a]!;
    const eb = this.expireAtMs[b]!;
    if (ea !== eb) return ea < eb;
    return this.orders.orderId[this.slots[a]!]! < this.orders.orderId[this.slots[b]!]!;
  }

  private move(from: number, to: number): void {
    const slot = this.slots[from]!;
    this.slots[to] = slot;
    this.expireAtMs[to] = this.expireAtMs[from]!;
    this.orders.heapPosition[slot] = to;
  }

  private swap(a: number, b: number): void {
    const slotA = this.slots[a]!;
    const expireA = this.expireAtMs[a]!;
    this.move(b, a);
    this.slots[b] = slotA;
    this.expireAtMs[b] = expireA;
    this.orders.heapPosition[slotA] = b;
  }

  private siftUp(start: number): void {
    let position = start;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (!this.less(position, parent)) return;
      this.swap(position, parent);
      position = parent;
    }
  }

  private siftDown(start: number): void {
    let position = start;
    for (;;) {
      const left = position * 2 + 1;
      if (left >= this.size) return;
      const right = left + 1;
      const child = right < this.size && this.less(right, left) ? right : left;
      if (!this.less(child, position)) return;
      this.swap(position, child);
      position = child;
    }
  }

  private grow(): void {
    const capacity = this.slots.length * 2;
    const slots = new Int32Array(capacity);
    slots.set(this.slots);
    const expire = new Float64Array(capacity);
    expire.set(this.expireAtMs);
    this.slots = slots;
    this.expireAtMs = expire;
  }
}
