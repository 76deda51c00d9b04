// Hand-checked periodic batch auctions: the volume-maximising uniform price and its tie-breaks,
// pairing in price-time priority, fees, immediate-or-cancel remainders, self-trade prevention,
// the interval and the order types an auction market accepts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clearingPrice } from '../../src/matching/auction.js';
import { runAuction } from '../../src/matching/commands.js';
import type { FillEvent } from '../../src/matching/types.js';
import { Harness, MARKET, market } from './fixtures.js';

function auctionHarness(): Harness {
  return new Harness([market({ mode: 'auction', auctionIntervalMs: 100, makerFeeBps: 2, takerFeeBps: 50 })]);
}

function sixOrders(h: Harness): void {
  h.limit('a', 'buy', 5, 102);
  h.limit('b', 'buy', 5, 100);
  h.limit('c', 'buy', 5, 98);
  h.limit('d', 'sell', 4, 97);
  h.limit('e', 'sell', 6, 99);
  h.limit('f', 'sell', 5, 101);
}

test('orders rest without trading until the auction, which clears at one price maximising volume', () => {
  const h = auctionHarness();
  sixOrders(h);
  assert.is(h.matcher.restingOrderCount(), 6);
  // Volume by price: 97→4, 98→4, 99→10, 100→10, 101→5, 102→5; 99 and 100 tie with no imbalance; lower wins.
  const events = h.run(runAuction(h.stamp(), MARKET));
  assert.equal(events.map((event) => {
    if (event.type === 'fill') return `fill #${event.makerOrderId}<-#${event.takerOrderId} ${event.sizeLots}@${event.priceHalfTicks / 2}`;
    if (event.type === 'done') return `done #${event.orderId}`;
    return event.type === 'auctionRun' ? `auction ${event.clearingPriceTicks} ${event.volumeLots}` : event.type;
  }), ['fill #1<-#4 4@99', 'done #4', 'fill #1<-#5 1@99', 'done #1', 'fill #2<-#5 5@99', 'done #2', 'done #5', 'auction 99 10']);
  const fill = events[0] as FillEvent;
  // 198 half ticks × 4 lots × 500 atoms = 396 000; 2 bps = 79.2 → 80 for both sides (no aggressor).
  assert.equal([fill.auction, fill.notionalQuoteAtoms, fill.makerFeeQuoteAtoms, fill.takerFeeQuoteAtoms], [true, 396_000n, 80n, 80n]);
  assert.equal(h.matcher.openOrders('c').length + h.matcher.openOrders('f').length, 2);
});

test('a usable reference breaks a volume and imbalance tie toward the mid', () => {
  const h = auctionHarness();
  sixOrders(h);
  h.reference(100, 101);
  const run = h.lines(runAuction(h.stamp(), MARKET));
  assert.equal(run[run.length - 1], 'auction 100 10');
});

test('among equal volumes the smaller imbalance wins, even at a higher price', () => {
  const h = auctionHarness();
  h.limit('a', 'buy', 4, 101);
  h.limit('b', 'buy', 2, 100);
  h.limit('c', 'sell', 4, 100);
  // 100: demand 6, supply 4 (imbalance 2); 101: demand 4, supply 4 (imbalance 0).
  assert.equal(clearingPrice(h.matcher.entry(MARKET)!.book), { priceTicks: 101, crossingLots: 4 });
  assert.equal(h.lines(runAuction(h.stamp(), MARKET)), ['fill #1<-#3 4@101', 'done #1 filled 0', 'done #3 filled 0', 'auction 101 4']);
});

test('nothing crosses: no fills, the auction still counts for the interval', () => {
  const h = auctionHarness();
  h.limit('a', 'buy', 4, 99);
  h.limit('b', 'sell', 4, 100);
  assert.is(clearingPrice(h.matcher.entry(MARKET)!.book), undefined);
  assert.equal(h.lines(runAuction(h.stamp(), MARKET)), ['auction none 0']);
  assert.equal(h.lines(runAuction(h.stamp(99), MARKET)), ['rejected AUCTION_TOO_EARLY']);
  assert.equal(h.lines(runAuction(h.stamp(1), MARKET)), ['auction none 0']);
});

test('IOC and market orders join the next auction and their remainders are cancelled after it', () => {
  const h = auctionHarness();
  h.limit('a', 'sell', 3, 100);
  h.market('b', 'buy', 5, 101);
  h.limit('c', 'buy', 2, 99, { timeInForce: 'IOC' });
  h.limit('d', 'buy', 2, 98);
  assert.equal(h.lines(runAuction(h.stamp(), MARKET)), [
    'fill #1<-#2 3@100', 'done #1 filled 0',
    'cancelled #2 unfilled 2 left 0', 'done #2 cancelled 2',
    'cancelled #3 unfilled 2 left 0', 'done #3 cancelled 2',
    'auction 100 3',
  ]);
  assert.equal(h.matcher.openOrders('d').length, 1);
});

test('self-trade prevention in an auction follows the newer order', () => {
  const h = auctionHarness();
  h.limit('a', 'sell', 3, 100);
  h.limit('b', 'sell', 3, 100);
  h.limit('a', 'buy', 4, 101, { selfTradePrevention: 'cancelOldest' });
  assert.equal(h.lines(runAuction(h.stamp(), MARKET)), [
    'cancelled #1 selfTrade 3 left 0', 'done #1 cancelled 3',
    'fill #2<-#3 3@100', 'done #2 filled 0',
    'auction 100 3',
  ]);
});

test('auction markets accept only plain limit and market orders', () => {
  const h = auctionHarness();
  h.reference(99, 101);
  assert.equal(h.midpoint('a', 'buy', 1), ['rejected ORDER_TYPE_NOT_IN_AUCTION']);
  assert.equal(h.peg('a', 'buy', 1, 0), ['rejected ORDER_TYPE_NOT_IN_AUCTION']);
  assert.equal(h.limit('a', 'buy', 2, 100, { minQtyLots: 1 }), ['rejected ORDER_TYPE_NOT_IN_AUCTION']);
  assert.equal(h.limit('a', 'buy', 2, 100, { postOnly: true }), ['rejected ORDER_TYPE_NOT_IN_AUCTION']);
  assert.equal(h.limit('a', 'buy', 2, 100, { timeInForce: 'FOK' }), ['rejected ORDER_TYPE_NOT_IN_AUCTION']);
  assert.equal(h.limit('a', 'buy', 2, 100), ['accepted #7 buy 2']);
});

test('continuous markets reject auction commands; amends in auction markets never trade', () => {
  const continuous = new Harness();
  assert.equal(continuous.lines(runAuction(continuous.stamp(), MARKET)), ['rejected AUCTION_NOT_AUCTION_MARKET']);
  const h = auctionHarness();
  h.limit('a', 'buy', 2, 99);
  h.limit('b', 'sell', 2, 100);
  assert.equal(h.amend('a', 1, { newPriceTicks: 101 }), ['amended #1 2@101 lost user']);
  assert.is(h.matcher.restingOrderCount(), 2);
});

test.run();
