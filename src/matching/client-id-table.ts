// Client order ids every account may not reuse, in one open-addressing hash table over typed
// arrays. Per-account JavaScript Maps cost several cache misses per lookup once they hold many
// entries; here a lookup compares 32-bit hashes and owners in typed arrays and touches the string
// only when both match, which for a fresh id almost never happens.

/** Hash word of an empty slot; real hashes are moved off it. */
const EMPTY = 0;
const INITIAL_CAPACITY = 1024;
/** The table doubles once entries pass half its capacity, which keeps probe runs and deletion shifts short. */
const MAX_LOAD_NUMERATOR = 1;
const MAX_LOAD_DENOMINATOR = 2;
/** Int32 words per slot: hash, owner, value. */
const STRIDE = 3;

export const NOT_FOUND = -1;

/** A 32-bit hash of (owner, id), never EMPTY; ids are short and bounded by maxClientOrderIdLength. */
export function clientIdHash(owner: number, clientOrderId: string): number {
  let hash = Math.imul(owner ^ 0x2545f491, 0x9e3779b1) ^ 0x811c9dc5;
  for (let i = 0; i < clientOrderId.length; i++) hash = Math.imul(hash ^ clientOrderId.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return hash === EMPTY ? 1 : hash;
}

/**
 * Linear probing with backward-shift deletion: removing an entry moves later entries of its run
 * back, so there are no deleted markers to accumulate and the table is rebuilt only to grow.
 */
export class ClientIdTable {
  private capacity = INITIAL_CAPACITY;
  private mask = INITIAL_CAPACITY - 1;
  /** Interleaved [hash, owner, value] triples, so that one probe reads one cache line. */
  private words = new Int32Array(INITIAL_CAPACITY * STRIDE);
  private keys: string[] = new Array<string>(INITIAL_CAPACITY).fill('');
  /** Entries in use. */
  size = 0;

  /** Index of the entry, NOT_FOUND when absent. The probe ends at an empty slot, and one always exists. */
  find(owner: number, clientOrderId: string, hash: number): number {
    const words = this.words;
    const mask = this.mask;
    let index = hash & mask;
    for (let probes = 0; probes < this.capacity; probes++) {
      const at = words[index * STRIDE]!;
      if (at === EMPTY) return NOT_FOUND;
      if (at === hash && words[index * STRIDE + 1] === owner && this.keys[index] === clientOrderId) return index;
      index = (index + 1) & mask;
    }
    return NOT_FOUND;
  }

  valueAt(index: number): number {
    return this.words[index * STRIDE + 2]!;
  }

  /** Sets the value of (owner, id), adding the entry when absent. */
  put(owner: number, clientOrderId: string, hash: number, value: number): void {
    const words = this.words;
    const mask = this.mask;
    let index = hash & mask;
    for (let probes = 0; probes < this.capacity; probes++) {
      const at = words[index * STRIDE]!;
      if (at === EMPTY) break;
      if (at === hash && words[index * STRIDE + 1] === owner && this.keys[index] === clientOrderId) {
        words[index * STRIDE + 2] = value;
        return;
      }
      index = (index + 1) & mask;
    }
    words[index * STRIDE] = hash;
    words[index * STRIDE + 1] = owner;
    words[index * STRIDE + 2] = value;
    this.keys[index] = clientOrderId;
    this.size++;
    if (this.size * MAX_LOAD_DENOMINATOR > this.capacity * MAX_LOAD_NUMERATOR) this.grow();
  }

  remove(owner: number, clientOrderId: string, hash: number): void {
    let hole = this.find(owner, clientOrderId, hash);
    if (hole === NOT_FOUND) return;
    const words = this.words;
    const mask = this.mask;
    let index = hole;
    for (let probes = 0; probes < this.capacity; probes++) {
      index = (index + 1) & mask;
      const at = words[index * STRIDE]!;
      if (at === EMPTY) break;
      const home = at & mask;
      // The entry at index may move into the hole unless its home lies cyclically in (hole, index].
      const stays = hole <= index ? hole < home && home <= index : hole < home || home <= index;
      if (stays) continue;
      words[hole * STRIDE] = at;
      words[hole * STRIDE + 1] = words[index * STRIDE + 1]!;
      words[hole * STRIDE + 2] = words[index * STRIDE + 2]!;
      this.keys[hole] = this.keys[index]!;
      hole = index;
    }
    words[hole * STRIDE] = EMPTY;
    this.keys[hole] = '';
    this.size--;
  }

  private grow(): void {
    const oldWords = this.words;
    const oldKeys = this.keys;
    const oldCapacity = this.capacity;
    const capacity = oldCapacity * 2;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.words = new Int32Array(capacity * STRIDE);
    this.keys = new Array<string>(capacity).fill('');
    for (let old = 0; old < oldCapacity; old++) {
      const hash = oldWords[old * STRIDE]!;
      if (hash === EMPTY) continue;
      let index = hash & this.mask;
      while (this.words[index * STRIDE] !== EMPTY) index = (index + 1) & this.mask;
      this.words[index * STRIDE] = hash;
      this.words[index * STRIDE + 1] = oldWords[old * STRIDE + 1]!;
      this.words[index * STRIDE + 2] = oldWords[old * STRIDE + 2]!;
      this.keys[index] = oldKeys[old]!;
    }
  }
}
