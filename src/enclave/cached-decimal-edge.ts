// The market's decimal edge with a memory: traders send the same few prices and sizes again
// and again, and reports print the same few sizes, fees and prices, while each conversion
// through decimal.js costs microseconds and a burst of garbage on the enclave's hot path.
// Conversions are pure, so remembering them changes nothing but the time; only successful
// conversions are kept (a refused input is re-checked, and refused, every time), and each
// table is bounded: when full it starts over, so hostile variety costs only the lookups.
import { DecimalEdge } from '../matching/decimal-edge.js';

export const DECIMAL_MEMO_LIMITS = {
  /** Entries per table (one table per conversion, per market). */
  entriesPerTable: 4_096,
} as const;

class BoundedMemo<Key, Value> {
  readonly #entries = new Map<Key, Value>();

  get size(): number {
    return this.#entries.size;
  }

  get(key: Key, compute: () => Value): Value {
    const known = this.#entries.get(key);
    if (known !== undefined) return known;
    const value = compute();
    if (this.#entries.size >= DECIMAL_MEMO_LIMITS.entriesPerTable) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }
}

export class CachedDecimalEdge extends DecimalEdge {
  readonly #priceTicks = new BoundedMemo<string, number>();
  readonly #sizeLots = new BoundedMemo<string, number>();
  readonly #priceText = new BoundedMemo<number, string>();
  readonly #halfTickPriceText = new BoundedMemo<number, string>();
  readonly #sizeText = new BoundedMemo<number, string>();
  readonly #quoteAtomsText = new BoundedMemo<bigint, string>();

  /** Entries held across the tables (for tests of the bound). */
  get memoEntries(): number {
    return this.#priceTicks.size + this.#sizeLots.size + this.#priceText.size + this.#halfTickPriceText.size + this.#sizeText.size + this.#quoteAtomsText.size;
  }

  override priceTicks(input: unknown, title = 'price'): number {
    return typeof input === 'string' ? this.#priceTicks.get(input, () => super.priceTicks(input, title)) : super.priceTicks(input, title);
  }

  override sizeLots(input: unknown, title = 'size'): number {
    return typeof input === 'string' ? this.#sizeLots.get(input, () => super.sizeLots(input, title)) : super.sizeLots(input, title);
  }

  override formatPriceTicks(priceTicks: number): string {
    return this.#priceText.get(priceTicks, () => super.formatPriceTicks(priceTicks));
  }

  override formatPriceHalfTicks(priceHalfTicks: number): string {
    return this.#halfTickPriceText.get(priceHalfTicks, () => super.formatPriceHalfTicks(priceHalfTicks));
  }

  override formatSizeLots(sizeLots: number): string {
    return this.#sizeText.get(sizeLots, () => super.formatSizeLots(sizeLots));
  }

  override formatQuoteAtoms(atoms: bigint): string {
    return this.#quoteAtomsText.get(atoms, () => super.formatQuoteAtoms(atoms));
  }
}
