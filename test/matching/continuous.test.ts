// The continuous walk in its three modes: the checks leave the book untouched and agree with what
// execution then does; budgets are written back only when executing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  OUTCOME_BUDGET,
  OUTCOME_EXHAUSTED,
  OUTCOME_FILLED,
  OUTCOME_SELF_TRADE,
  WALK_CHECK_ANY,
  WALK_CHECK_COMPLETE,
  WALK_EXECUTE,
} from '../../src/matching/continuous.js';
import { KIND_LIMIT, SIDE_BUY, STP_CANCEL_NEWEST, TIF_GTC } from '../../src/matching/order-store.js';
import { Harness, market } from './fixtures.js';

function withBook(): { h: Harness; taker: (account: string, lots: number, priceTicks: number) => number } {
  const h = new Harness([market({ limits: { maxFillsPerCommand: 3 } })]);
  h.limit('m1', 'sell', 2, 100);
  h.limit('m2', 'sell', 2, 101);
  h.limit('self', 'sell', 2, 102);
  const entry = h.matcher.entry('DOT/USDC')!;
  const taker = (account: string, lots: number, priceTicks: number): number => {
    const orders = entry.book.orders;
    const slot = orders.allocate();
    orders.orderId[slot] = 99;
    orders.account[slot] = h.matcher.accounts.findOrAdd(account);
    orders.clientOrderId[slot] = 't';
    orders.side[slot] = SIDE_BUY;
    orders.kind[slot] = KIND_LIMIT;
    orders.timeInForce[slot] = TIF_GTC;
    orders.selfTrade[slot] = STP_CANCEL_NEWEST;
    orders.remainingLots[slot] = lots;
    orders.priceTicks[slot] = priceTicks;
    entry.book.context.fillsLeft = 3;
    entry.book.context.visitsLeft = 10;
    return slot;
  };
  return { h, taker };
}

test('checks have no side effects and predict the outcome', () => {
  const { h, taker } = withBook();
  const { matching, book } = h.matcher.entry('DOT/USDC')!;
  h.matcher.accounts.findOrAdd('t');
  const before = h.matcher.stateHash();
  assert.is(matching.walk(taker('t', 3, 101), WALK_CHECK_COMPLETE), OUTCOME_FILLED);
  assert.is(matching.walk(taker('t', 5, 101), WALK_CHECK_COMPLETE), OUTCOME_EXHAUSTED);
  assert.is(matching.walk(taker('self', 5, 102), WALK_CHECK_COMPLETE), OUTCOME_SELF_TRADE);
  assert.is(matching.walk(taker('t', 4, 99), WALK_CHECK_ANY), OUTCOME_EXHAUSTED);
  assert.not.ok(matching.acted);
  matching.walk(taker('t', 4, 100), WALK_CHECK_ANY);
  assert.ok(matching.acted);
  assert.is(h.matcher.stateHash(), before);
  assert.is(book.context.fillsLeft, 3);
});

test('execution spends the fill budget and stops when it runs out', () => {
  const { h, taker } = withBook();
  h.limit('m3', 'sell', 1, 101);
  const { matching, book } = h.matcher.entry('DOT/USDC')!;
  const slot = taker('t', 10, 105);
  assert.is(matching.walk(slot, WALK_EXECUTE), OUTCOME_BUDGET);
  assert.is(book.context.fillsLeft, 0);
  assert.is(book.orders.remainingLots[slot], 5);
  assert.is(book.restingCount, 1, 'only the own-account order at 102 remains, unvisited');
});

test.run();
