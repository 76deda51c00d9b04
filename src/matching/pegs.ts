// Orders priced from the external reference: primary pegs follow the same-side quote, midpoint
// orders trade only at the mid. When the reference moves, pegs are re-priced and resting midpoint
// orders get their chance to trade, oldest first, so nothing tradeable stays crossed at rest.
import type { Book, PegTerms } from './book.js';
import { WALK_EXECUTE, type ContinuousMatching } from './continuous.js';
import { KIND_MIDPOINT, KIND_PRIMARY_PEG, NO_SLOT, SIDE_BUY } from './order-store.js';

/**
 * The peg's price in ticks from the reference: buy = bid + offset, sell = ask − offset, bounded
 * by the cap (a buy never above it, a sell never below it). May fall outside 1..maxPriceTicks;
 * callers check.
 */
export function primaryPegPriceTicks(book: Book, side: number, terms: PegTerms): number {
  const reference = book.reference;
  if (reference === undefined) return 0;
  const cap = terms.capTicks;
  if (side === SIDE_BUY) {
    const price = reference.bidTicks + terms.offsetTicks;
    return cap !== undefined && price > cap ? cap : price;
  }
  const price = reference.askTicks - terms.offsetTicks;
  return cap !== undefined && price < cap ? cap : price;
}

function restingOfKind(book: Book, kind: number): number[] {
  const ids: number[] = [];
  for (const slot of book.pegTerms.keys()) {
    if (book.orders.kind[slot] === kind && book.orders.level[slot] !== NO_SLOT) ids.push(book.orders.orderId[slot]!);
  }
  return ids.sort((a, b) => a - b);
}

/** After setReference in a continuous market: re-price pegs, then sweep midpoint orders. */
export function onReferenceMoved(book: Book, matching: ContinuousMatching): void {
  if (book.peggedCount === 0 || !book.referenceUsable()) return;
  const orders = book.orders;
  const maxPriceTicks = book.spec.limits.maxPriceTicks;
  for (const orderId of restingOfKind(book, KIND_PRIMARY_PEG)) {
    const slot = book.index.get(orderId);
    if (slot === undefined) continue;
    const price = primaryPegPriceTicks(book, orders.side[slot]!, book.pegTerms.get(slot)!);
    if (price === orders.priceTicks[slot]) continue;
    if (price < 1 || price > maxPriceTicks) {
      book.cancel(slot, 'referenceUnavailable');
      continue;
    }
    book.removeResting(slot);
    orders.priceTicks[slot] = price;
    book.emitAmended(slot, 'peg', false);
    matching.settle(slot, matching.walk(slot, WALK_EXECUTE), false);
  }
  for (const orderId of restingOfKind(book, KIND_MIDPOINT)) {
    const slot = book.index.get(orderId);
    if (slot === undefined) continue;
    matching.settle(slot, matching.walk(slot, WALK_EXECUTE), true);
  }
}
