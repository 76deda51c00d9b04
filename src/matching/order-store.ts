// Resting and in-flight orders of one book as a struct of typed arrays indexed by slot, with a
// free list. A million resting orders then cost a few dozen bytes each and placing an order
// allocates nothing on the JavaScript heap once capacity has grown.

export const NO_SLOT = -1;

/** Order kinds as stored; the order matches OrderType. */
export const KIND_LIMIT = 0;
export const KIND_MARKET = 1;
export const KIND_MIDPOINT = 2;
export const KIND_PRIMARY_PEG = 3;

export const SIDE_BUY = 0;
export const SIDE_SELL = 1;

export const TIF_GTC = 0;
export const TIF_IOC = 1;
export const TIF_FOK = 2;
export const TIF_GTT = 3;

export const STP_CANCEL_NEWEST = 0;
export const STP_CANCEL_OLDEST = 1;
export const STP_CANCEL_BOTH = 2;
export const STP_DECREMENT = 3;

const INITIAL_CAPACITY = 1024;

function grown<T extends Float64Array | Int32Array | Uint8Array>(old: T, capacity: number, make: (n: number) => T): T {
  const next = make(capacity);
  next.set(old);
  return next;
}

export class OrderStore {
  capacity = INITIAL_CAPACITY;
  /** Slots in use (resting or being matched). */
  used = 0;
  orderId = new Float64Array(INITIAL_CAPACITY);
  /** Neighbours in the level's FIFO list. */
  next = new Int32Array(INITIAL_CAPACITY);
  prev = new Int32Array(INITIAL_CAPACITY);
  /** Level slot the order is linked into, NO_SLOT while not resting. */
  level = new Int32Array(INITIAL_CAPACITY);
  remainingLots = new Float64Array(INITIAL_CAPACITY);
  minQtyLots = new Float64Array(INITIAL_CAPACITY);
  /** Resting price for priced orders, protection price for market orders, 0 for midpoint orders. */
  priceTicks = new Float64Array(INITIAL_CAPACITY);
  account = new Int32Array(INITIAL_CAPACITY);
  side = new Uint8Array(INITIAL_CAPACITY);
  kind = new Uint8Array(INITIAL_CAPACITY);
  timeInForce = new Uint8Array(INITIAL_CAPACITY);
  selfTrade = new Uint8Array(INITIAL_CAPACITY);
  postOnly = new Uint8Array(INITIAL_CAPACITY);
  /** Expiry of GTT orders, 0 for others. */
  expireAtMs = new Float64Array(INITIAL_CAPACITY);
  /** Position in the expiry heap, NO_SLOT when the order has no expiry scheduled. */
  heapPosition = new Int32Array(INITIAL_CAPACITY);
  clientOrderId: string[] = new Array<string>(INITIAL_CAPACITY).fill('');
  /** Free slots, used as a stack. */
  private free = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
  private highWater = 0;

  allocate(): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount]!;
    else {
      if (this.highWater === this.capacity) this.grow();
      slot = this.highWater++;
    }
    this.used++;
    this.next[slot] = NO_SLOT;
    this.prev[slot] = NO_SLOT;
    this.level[slot] = NO_SLOT;
    this.heapPosition[slot] = NO_SLOT;
    return slot;
  }

  release(slot: number): void {
    this.clientOrderId[slot] = '';
    this.level[slot] = NO_SLOT;
    this.free[this.freeCount++] = slot;
    this.used--;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.orderId = grown(this.orderId, capacity, (n) => new Float64Array(n));
    this.next = grown(this.next, capacity, (n) => new Int32Array(n));
    this.prev = grown(this.prev, capacity, (n) => new Int32Array(n));
    this.level = grown(this.level, capacity, (n) => new Int32Array(n));
    this.remainingLots = grown(this.remainingLots, capacity, (n) => new Float64Array(n));
    this.minQtyLots = grown(this.minQtyLots, capacity, (n) => new Float64Array(n));
    this.priceTicks = grown(this.priceTicks, capacity, (n) => new Float64Array(n));
    this.account = grown(this.account, capacity, (n) => new Int32Array(n));
    this.side = grown(this.side, capacity, (n) => new Uint8Array(n));
    this.kind = grown(this.kind, capacity, (n) => new Uint8Array(n));
    this.timeInForce = grown(this.timeInForce, capacity, (n) => new Uint8Array(n));
    this.selfTrade = grown(this.selfTrade, capacity, (n) => new Uint8Array(n));
    this.postOnly = grown(this.postOnly, capacity, (n) => new Uint8Array(n));
    this.expireAtMs = grown(this.expireAtMs, capacity, (n) => new Float64Array(n));
    this.heapPosition = grown(this.heapPosition, capacity, (n) => new Int32Array(n));
    this.free = grown(this.free, capacity, (n) => new Int32Array(n));
    const ids = new Array<string>(capacity).fill('');
    for (let i = 0; i < this.capacity; i++) ids[i] = this.clientOrderId[i]!;
    this.clientOrderId = ids;
    this.capacity = capacity;
  }
}
