// Hand-checked event streams for orders priced from the reference: midpoint orders (half-tick
// mids, staleness, crossed references, caps, priority against priced levels, the sweep after
// setReference) and primary pegs (pricing, caps, re-pricing, bounds).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { placeMidpoint } from '../../src/matching/commands.js';
import { primaryPegPriceTicks } from '../../src/matching/pegs.js';
import type { FillEvent } from '../../src/matching/types.js';
import { Harness, MARKET, market } from './fixtures.js';

test('midpoint orders trade with each other at the mid, exactly, even at half a tick', () => {
  const h = new Harness([market({ makerFeeBps: 1, takerFeeBps: 1 })]);
  h.reference(100, 101);
  assert.equal(h.midpoint('a', 'sell', 4), ['accepted #2 sell 4']);
  const events = h.run(placeMidpoint(h.stamp(), { account: 'b', clientOrderId: 'b', market: MARKET, side: 'buy', sizeLots: 3 }));
  const fill = events.find((event): event is FillEvent => event.type === 'fill')!;
  // Mid 100.5 ticks = 201 half ticks; 201 × 3 lots × 500 atoms per half-tick-lot = 301 500; fee ceil(30.15) = 31.
  assert.equal([fill.makerOrderId, fill.takerOrderId, fill.priceHalfTicks, fill.sizeLots, fill.notionalQuoteAtoms, fill.makerFeeQuoteAtoms, fill.takerFeeQuoteAtoms], [2, 3, 201, 3, 301_500n, 31n, 31n]);
  assert.equal(h.matcher.openOrders('a').map((o) => [o.remainingLots, o.priceTicks]), [[1, undefined]]);
});

test('midpoint orders refuse to trade on a stale reference and trade when a fresh one arrives', () => {
  const h = new Harness();
  h.reference(100, 102);
  h.timeMs = 1001;
  assert.equal(h.midpoint('a', 'sell', 2), ['accepted #2 sell 2']);
  assert.equal(h.midpoint('b', 'buy', 2), ['accepted #3 buy 2']);
  assert.equal(h.midpoint('c', 'buy', 1, { timeInForce: 'IOC' }), ['accepted #4 buy 1', 'cancelled #4 unfilled 1 left 0', 'done #4 cancelled 1']);
  assert.equal(h.reference(100, 102), ['fill #3<-#2 2@101', 'done #3 filled 0', 'done #2 filled 0']);
});

test('midpoint orders refuse to trade while the reference is crossed', () => {
  const h = new Harness();
  h.reference(102, 100);
  h.midpoint('a', 'sell', 2);
  assert.equal(h.midpoint('b', 'buy', 2), ['accepted #3 buy 2']);
  assert.equal(h.matcher.restingOrderCount(), 2);
  assert.equal(h.reference(100, 100), ['fill #3<-#2 2@100', 'done #3 filled 0', 'done #2 filled 0'], 'a locked reference is usable; the oldest sweeps');
});

test('a midpoint cap excludes mids beyond it until the reference moves', () => {
  const h = new Harness();
  h.reference(100, 102);
  h.midpoint('a', 'sell', 2);
  assert.equal(h.midpoint('b', 'buy', 2, { capTicks: 100 }), ['accepted #3 buy 2']);
  assert.equal(h.reference(99, 101), ['fill #3<-#2 2@100', 'done #3 filled 0', 'done #2 filled 0']);
  assert.equal(h.midpoint('c', 'buy', 1, { capTicks: 0 }), ['rejected PRICE_INVALID']);
});

test('a limit taker meets the midpoint queue at the mid, between better and worse levels', () => {
  const h = new Harness();
  h.reference(100, 104);
  h.limit('a', 'sell', 2, 103);
  h.limit('a', 'sell', 2, 101);
  h.midpoint('b', 'sell', 2);
  assert.equal(h.limit('c', 'buy', 6, 104), [
    'accepted #5 buy 6',
    'fill #3<-#5 2@101', 'done #3 filled 0',
    'fill #4<-#5 2@102', 'done #4 filled 0',
    'fill #2<-#5 2@103', 'done #2 filled 0',
    'done #5 filled 0',
  ]);
});

test('at a level priced exactly at the mid, the priced orders go first', () => {
  const h = new Harness();
  h.reference(100, 104);
  h.midpoint('b', 'sell', 2);
  h.limit('a', 'sell', 2, 102);
  assert.equal(h.limit('c', 'buy', 3, 102), ['accepted #4 buy 3', 'fill #3<-#4 2@102', 'done #3 filled 0', 'fill #2<-#4 1@102', 'done #4 filled 0']);
});

test('a midpoint taker pays the mid even against a better-priced resting order', () => {
  const h = new Harness();
  h.reference(100, 104);
  h.limit('a', 'sell', 2, 101);
  assert.equal(h.midpoint('b', 'buy', 2), ['accepted #3 buy 2', 'fill #2<-#3 2@102', 'done #2 filled 0', 'done #3 filled 0']);
  h.limit('a', 'sell', 2, 103);
  assert.equal(h.midpoint('b', 'buy', 2), ['accepted #5 buy 2'], 'a sell above the mid does not trade at the mid');
});

test('a primary peg prices from the same-side quote, bounded by its cap', () => {
  const h = new Harness();
  assert.equal(h.peg('a', 'buy', 2, 1), ['rejected REFERENCE_UNAVAILABLE']);
  h.reference(100, 110);
  assert.equal(h.peg('a', 'buy', 2, 1), ['accepted #3 buy 2']);
  assert.equal(h.peg('a', 'sell', 2, 2), ['accepted #4 sell 2']);
  assert.equal(h.peg('a', 'buy', 2, 5, { capTicks: 103 }), ['accepted #5 buy 2']);
  assert.equal(h.matcher.openOrders('a').map((o) => [o.priceTicks, o.offsetTicks, o.capTicks]), [[101, 1, undefined], [108, 2, undefined], [103, 5, 103]]);
  assert.equal(h.peg('a', 'sell', 2, 200), ['rejected PRICE_INVALID'], 'ask − offset below one tick');
  assert.equal(h.peg('a', 'sell', 2, 1, { postOnly: true }), ['rejected POST_ONLY_NOT_ALLOWED']);
  h.timeMs += 1001;
  assert.equal(h.peg('a', 'buy', 2, 1), ['rejected REFERENCE_UNAVAILABLE'], 'stale');
});

test('primary pegs re-price on setReference, lose priority and may trade', () => {
  const h = new Harness();
  h.reference(100, 110);
  h.peg('a', 'buy', 2, 0);
  h.limit('b', 'buy', 2, 100);
  h.limit('c', 'sell', 1, 102);
  assert.equal(h.reference(102, 110), ['amended #2 2@102 lost peg', 'fill #4<-#2 1@102', 'done #4 filled 0']);
  assert.equal(h.reference(102, 111), [], 'an unchanged peg price emits nothing');
  assert.equal(h.reference(100, 111), ['amended #2 1@100 lost peg']);
  assert.equal(h.limit('d', 'sell', 1, 100), ['accepted #8 sell 1', 'fill #3<-#8 1@100', 'done #8 filled 0'], 'the re-priced peg queues behind #3');
});

test('a re-priced peg outside the price range is cancelled', () => {
  const h = new Harness();
  h.reference(100, 110);
  h.peg('a', 'buy', 2, -50);
  assert.equal(h.matcher.openOrders('a')[0]?.priceTicks, 50);
  assert.equal(h.reference(40, 110), ['cancelled #2 referenceUnavailable 2 left 0', 'done #2 cancelled 2']);
});

test('a crossed reference leaves pegs where they are', () => {
  const h = new Harness();
  h.reference(100, 110);
  h.peg('a', 'buy', 2, 0);
  assert.equal(h.reference(120, 110), []);
  assert.equal(h.matcher.openOrders('a')[0]?.priceTicks, 100);
});

test('primaryPegPriceTicks follows the same-side quote and the cap', () => {
  const h = new Harness();
  h.reference(100, 110);
  const book = h.matcher.entry(MARKET)!.book;
  assert.is(primaryPegPriceTicks(book, 0, { offsetTicks: 3, capTicks: undefined }), 103);
  assert.is(primaryPegPriceTicks(book, 0, { offsetTicks: 3, capTicks: 102 }), 102);
  assert.is(primaryPegPriceTicks(book, 1, { offsetTicks: 3, capTicks: undefined }), 107);
  assert.is(primaryPegPriceTicks(book, 1, { offsetTicks: 3, capTicks: 108 }), 108);
});

test.run();
