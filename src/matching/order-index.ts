// orderId → slot for the resting orders of one book: an open-addressing table over one Int32Array
// of [low 32 bits, high bits, slot] triples. Cancels look orders up by id on the hot path; a JS Map
// would cost a heap entry per order and more cache misses per lookup.

const EMPTY = 0;
const INITIAL_CAPACITY = 1024;
const STRIDE = 3;
const TWO_TO_32 = 2 ** 32;

/** Order ids are seqs: safe integers ≥ 1, so the low and high words are never both zero. */
function home(low: number, high: number, mask: number): number {
  let hash = Math.imul(low ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1);
  hash ^= hash >>> 16;
  return hash & mask;
}

/** The bits of an order id above the low 32; ids below 2^31 (all but the longest-running books) skip the division. */
function highWord(orderId: number): number {
  return orderId < 0x80000000 ? 0 : Math.floor(orderId / TWO_TO_32);
}

export class OrderIndex {
  size = 0;
  private capacity = INITIAL_CAPACITY;
  private mask = INITIAL_CAPACITY - 1;
  private words = new Int32Array(INITIAL_CAPACITY * STRIDE);

  /** Position of the entry, or −1. The probe ends at an empty slot; the load stays at most one half. */
  private position(orderId: number): number {
    const low = orderId | 0;
    const high = highWord(orderId);
    const words = this.words;
    let index = home(low, high, this.mask);
    for (let probes = 0; probes < this.capacity; probes++) {
      const at = index * STRIDE;
      const storedLow = words[at]!;
      const storedHigh = words[at + 1]!;
      if (storedLow === low && storedHigh === high) return index;
      if (storedLow === EMPTY && storedHigh === EMPTY) return -1;
      index = (index + 1) & this.mask;
    }
    return -1;
  }

  get(orderId: number): number | undefined {
    const index = this.position(orderId);
    return index < 0 ? undefined : this.words[index * STRIDE + 2]!;
  }

  has(orderId: number): boolean {
    return this.position(orderId) >= 0;
  }

  set(orderId: number, slot: number): void {
    const found = this.position(orderId);
    if (found >= 0) {
      this.words[found * STRIDE + 2] = slot;
      return;
    }
    this.place(orderId | 0, highWord(orderId), slot);
    this.size++;
    if (this.size * 2 > this.capacity) this.grow();
  }

  delete(orderId: number): void {
    let hole = this.position(orderId);
    if (hole < 0) return;
    const words = this.words;
    const mask = this.mask;
    let index = hole;
    for (let probes = 0; probes < this.capacity; probes++) {
      index = (index + 1) & mask;
      const at = index * STRIDE;
      const low = words[at]!;
      const high = words[at + 1]!;
      if (low === EMPTY && high === EMPTY) break;
      const start = home(low, high, mask);
      // The entry may move back into the hole unless its home lies cyclically in (hole, index].
      const stays = hole <= index ? hole < start && start <= index : hole < start || start <= index;
      if (stays) continue;
      words[hole * STRIDE] = low;
      words[hole * STRIDE + 1] = high;
      words[hole * STRIDE + 2] = words[at + 2]!;
      hole = index;
    }
    words[hole * STRIDE] = EMPTY;
    words[hole * STRIDE + 1] = EMPTY;
    this.size--;
  }

  private place(low: number, high: number, slot: number): void {
    const words = this.words;
    let index = home(low, high, this.mask);
    while (words[index * STRIDE] !== EMPTY || words[index * STRIDE + 1] !== EMPTY) index = (index + 1) & this.mask;
    words[index * STRIDE] = low;
    words[index * STRIDE + 1] = high;
    words[index * STRIDE + 2] = slot;
  }

  private grow(): void {
    const old = this.words;
    const oldCapacity = this.capacity;
    this.capacity = oldCapacity * 2;
    this.mask = this.capacity - 1;
    this.words = new Int32Array(this.capacity * STRIDE);
    for (let index = 0; index < oldCapacity; index++) {
      const low = old[index * STRIDE]!;
      const high = old[index * STRIDE + 1]!;
      if (low !== EMPTY || high !== EMPTY) this.place(low, high, old[index * STRIDE + 2]!);
    }
  }
}
