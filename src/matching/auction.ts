// Periodic batch auctions: every resting order of an auction market is matched at one uniform
// clearing price that maximises executed volume (as in Cboe's periodic auctions and Penumbra's
// batch swaps), so arrival time within an interval buys no price advantage.
import type { Book } from './book.js';
import {
  STP_CANCEL_BOTH,
  STP_CANCEL_NEWEST,
  STP_CANCEL_OLDEST,
} from './order-store.js';

/** The chosen price and the volume that crosses there before self-trade prevention. */
export interface ClearingPrice {
  readonly priceTicks: number;
  readonly crossingLots: number;
}

/**
 * The uniform price: among the resting price levels between the best ask and the best bid, the one
 * maximising min(demand, supply); ties go to the smallest imbalance |demand − supply|, then (with a
 * usable reference) the smallest distance to the mid, then the lower price. undefined when nothing crosses.
 */
export function clearingPrice(book: Book): ClearingPrice | undefined {
  const bids = book.bids;
  const asks = book.asks;
  const levels = book.levels;
  if (bids.count === 0 || asks.count === 0) return undefined;
  const bestBid = bids.prices[bids.count - 1]!;
  const bestAsk = asks.prices[asks.count - 1]!;
  if (bestBid < bestAsk) return undefined;
  const candidates: number[] = [];
  for (let i = bids.count - 1; i >= 0 && bids.prices[i]! >= bestAsk; i--) candidates.push(bids.prices[i]!);
  for (let i = asks.count - 1; i >= 0 && asks.prices[i]! <= bestBid; i--) candidates.push(asks.prices[i]!);
  candidates.sort((a, b) => a - b);
  const usable = book.referenceUsable();
  const mid = book.midHalfTicks();
  const demandAt = new Float64Array(candidates.length);
  let demand = 0;
  let bidIndex = bids.count - 1;
  for (let c = candidates.length - 1; c >= 0; c--) {
    const price = candidates[c]!;
    while (bidIndex >= 0 && bids.prices[bidIndex]! >= price) demand += levels.totalLots[bids.slots[bidIndex--]!]!;
    demandAt[c] = demand;
  }
  let supply = 0;
  let askIndex = asks.count - 1;
  let best: ClearingPrice | undefined;
  let bestImbalance = 0;
  let bestDistance = 0;
  for (let c = 0; c < candidates.length; c++) {
    const price = candidates[c]!;
    if (c > 0 && price === candidates[c - 1]) continue;
    while (askIndex >= 0 && asks.prices[askIndex]! <= price) supply += levels.totalLots[asks.slots[askIndex--]!]!;
    const bidLots = demandAt[c]!;
    const volume = Math.min(bidLots, supply);
    const imbalance = Math.abs(bidLots - supply);
    const distance = usable ? Math.abs(2 * price - mid) : 0;
    const better = best === undefined
      || volume > best.crossingLots
      || (volume === best.crossingLots && (imbalance < bestImbalance || (imbalance === bestImbalance && distance < bestDistance)));
    if (better) {
      best = { priceTicks: price, crossingLots: volume };
      bestImbalance = imbalance;
      bestDistance = distance;
    }
  }
  return best !== undefined && best.crossingLots > 0 ? best : undefined;
}

/** Runs one auction: pairs orders at the clearing price, cancels immediate-or-cancel remainders, reports. */
export function runAuction(book: Book): void {
  const context = book.context;
  const orders = book.orders;
  const levels = book.levels;
  const bids = book.bids;
  const asks = book.asks;
  const clearing = clearingPrice(book);
  let volumeLots = 0;
  if (clearing !== undefined) {
    const price = clearing.priceTicks;
    for (;;) {
      if (bids.count === 0 || asks.count === 0) break;
      if (bids.prices[bids.count - 1]! < price || asks.prices[asks.count - 1]! > price) break;
      if (context.fillsLeft === 0 || context.visitsLeft === 0) break;
      context.visitsLeft--;
      const bid = levels.head[bids.slots[bids.count - 1]!]!;
      const ask = levels.head[asks.slots[asks.count - 1]!]!;
      const bidIsOlder = orders.orderId[bid]! < orders.orderId[ask]!;
      const older = bidIsOlder ? bid : ask;
      const newer = bidIsOlder ? ask : bid;
      const lots = Math.min(orders.remainingLots[bid]!, orders.remainingLots[ask]!);
      if (orders.account[bid] === orders.account[ask]) {
        const mode = orders.selfTrade[newer];
        if (mode === STP_CANCEL_NEWEST) book.cancel(newer, 'selfTrade');
        else if (mode === STP_CANCEL_OLDEST) book.cancel(older, 'selfTrade');
        else if (mode === STP_CANCEL_BOTH) {
          book.cancel(older, 'selfTrade');
          book.cancel(newer, 'selfTrade');
        } else {
          book.cancelPart(older, 'selfTrade', lots);
          book.cancelPart(newer, 'selfTrade', lots);
        }
        continue;
      }
      context.fillsLeft--;
      volumeLots += lots;
      book.fill(older, newer, 2 * price, lots, true);
      for (const slot of [older, newer]) {
        if (orders.remainingLots[slot] === 0) {
          book.removeResting(slot);
          book.finish(slot, 'filled');
        }
      }
    }
  }
  const immediate = [...book.restingImmediate].sort((a, b) => a - b);
  for (const orderId of immediate) {
    const slot = book.index.get(orderId);
    if (slot !== undefined) book.cancel(slot, 'unfilled');
  }
  book.lastAuctionMs = context.timeMs;
  context.sink({
    type: 'auctionRun',
    seq: context.seq,
    timeMs: context.timeMs,
    market: book.id,
    clearingPriceTicks: clearing === undefined ? undefined : clearing.priceTicks,
    volumeLots,
  });
}
