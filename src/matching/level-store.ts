// Price levels of one book: each level is a FIFO doubly linked list of order slots with a cached
// total, and each side keeps its levels in a sorted array whose last entry is the best price, so
// the best level is O(1), a new best level is an O(1) push, and lookups are binary searches.
import { NO_SLOT } from './order-store.js';

const INITIAL_LEVELS = 256;

export class LevelStore {
  capacity = INITIAL_LEVELS;
  priceTicks = new Float64Array(INITIAL_LEVELS);
  head = new Int32Array(INITIAL_LEVELS);
  tail = new Int32Array(INITIAL_LEVELS);
  totalLots = new Float64Array(INITIAL_LEVELS);
  orderCount = new Int32Array(INITIAL_LEVELS);
  private free = new Int32Array(INITIAL_LEVELS);
  private freeCount = 0;
  private highWater = 0;

  allocate(priceTicks: number): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount]!;
    else {
      if (this.highWater === this.capacity) this.grow();
      slot = this.highWater++;
    }
    this.priceTicks[slot] = priceTicks;
    this.head[slot] = NO_SLOT;
    this.tail[slot] = NO_SLOT;
    this.totalLots[slot] = 0;
    this.orderCount[slot] = 0;
    return slot;
  }

  release(slot: number): void {
    this.free[this.freeCount++] = slot;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const f64 = (old: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => { const n = new Float64Array(capacity); n.set(old); return n; };
    const i32 = (old: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => { const n = new Int32Array(capacity); n.set(old); return n; };
    this.priceTicks = f64(this.priceTicks);
    this.head = i32(this.head);
    this.tail = i32(this.tail);
    this.totalLots = f64(this.totalLots);
    this.orderCount = i32(this.orderCount);
    this.free = i32(this.free);
    this.capacity = capacity;
  }
}

/**
 * The sorted levels of one side. Bids are kept ascending and asks descending, so that on both
 * sides the best price is the last entry and worse prices have lower indexes.
 */
export class SideLevels {
  count = 0;
  prices = new Float64Array(INITIAL_LEVELS);
  slots = new Int32Array(INITIAL_LEVELS);

  /** +1 for bids (higher is better), −1 for asks. */
  constructor(readonly direction: 1 | -1) {}

  /** True when price a is strictly better than price b on this side. */
  better(a: number, b: number): boolean {
    return this.direction === 1 ? a > b : a < b;
  }

  /** Index of the level at this price, or −(insertion point) − 1 when absent. */
  search(priceTicks: number): number {
    const prices = this.prices;
    let low = 0;
    let high = this.count - 1;
    if (this.direction === 1) {
      while (low <= high) {
        const mid = (low + high) >>> 1;
        const value = prices[mid]!;
        if (value < priceTicks) low = mid + 1;
        else if (value > priceTicks) high = mid - 1;
        else return mid;
      }
    } else {
      while (low <= high) {
        const mid = (low + high) >>> 1;
        const value = prices[mid]!;
        if (value > priceTicks) low = mid + 1;
        else if (value < priceTicks) high = mid - 1;
        else return mid;
      }
    }
    return -low - 1;
  }

  insertAt(index: number, priceTicks: number, levelSlot: number): void {
    if (this.count === this.prices.length) this.grow();
    if (index < this.count) {
      this.prices.copyWithin(index + 1, index, this.count);
      this.slots.copyWithin(index + 1, index, this.count);
    }
    this.prices[index] = priceTicks;
    this.slots[index] = levelSlot;
    this.count++;
  }

  removeAt(index: number): void {
    if (index < this.count - 1) {
      this.prices.copyWithin(index, index + 1, this.count);
      this.slots.copyWithin(index, index + 1, this.count);
    }
    this.count--;
  }

  private grow(): void {
    const capacity = this.prices.length * 2;
    const prices = new Float64Array(capacity);
    prices.set(this.prices);
    const slots = new Int32Array(capacity);
    slots.set(this.slots);
    this.prices = prices;
    this.slots = slots;
  }
}
