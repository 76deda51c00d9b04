// checkInvariants notices broken structure and tradeable orders left crossed at rest, and stays
// quiet on a book that blocked a cross only by minimum quantity.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness } from './fixtures.js';

function populated(): Harness {
  const h = new Harness();
  h.limit('a', 'buy', 5, 99);
  h.limit('b', 'buy', 5, 98);
  h.limit('c', 'sell', 5, 101);
  return h;
}

test('a healthy book passes, including a cross blocked by minimum quantity', () => {
  const h = populated();
  h.limit('d', 'buy', 8, 101, { minQtyLots: 6 });
  h.matcher.checkInvariants();
  assert.is(h.matcher.restingOrderCount(), 4);
});

test('a wrong level total is caught', () => {
  const h = populated();
  const { book } = h.matcher.entry('DOT/USDC')!;
  book.levels.totalLots[book.bids.slots[0]!] = 1;
  assert.throws(() => h.matcher.checkInvariants(), /level total/);
});

test('an order missing from the id index is caught', () => {
  const h = populated();
  const { book } = h.matcher.entry('DOT/USDC')!;
  book.index.delete(1);
  assert.throws(() => h.matcher.checkInvariants(), /index/);
});

test('a tradeable pair left crossed at rest is caught', () => {
  const h = populated();
  const { book } = h.matcher.entry('DOT/USDC')!;
  const slot = book.index.get(3)!;
  book.removeResting(slot);
  book.orders.priceTicks[slot] = 99;
  book.rest(slot);
  assert.throws(() => h.matcher.checkInvariants(), /could trade/);
});

test('a broken link is caught', () => {
  const h = populated();
  h.limit('e', 'buy', 1, 99);
  const { book } = h.matcher.entry('DOT/USDC')!;
  book.orders.prev[book.index.get(4)!] = -1;
  assert.throws(() => h.matcher.checkInvariants(), /prev link/);
});

test.run();
