// The book's primitive moves keep level totals, counts, the id index, the expiry heap and the
// account's client ids in step, and emit the events they promise.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AccountRegistry } from '../../src/matching/accounts.js';
import { Book } from '../../src/matching/book.js';
import { clientIdHash } from '../../src/matching/client-id-table.js';
import { CommandContext } from '../../src/matching/command-context.js';
import { buildMatcherLimits } from '../../src/matching/market-spec.js';
import { KIND_LIMIT, KIND_MIDPOINT, SIDE_BUY, SIDE_SELL, TIF_GTC, TIF_GTT } from '../../src/matching/order-store.js';
import type { MatchEvent } from '../../src/matching/types.js';
import { line, market } from './fixtures.js';

function setup(maxLevelsPerSide = 10): { book: Book; events: MatchEvent[]; add: (orderId: number, side: number, priceTicks: number, lots: number, kind?: number, timeInForce?: number) => number } {
  const accounts = new AccountRegistry(buildMatcherLimits(undefined));
  const context = new CommandContext();
  const events: MatchEvent[] = [];
  context.sink = (event) => { events.push(event); };
  const book = new Book(market({ makerFeeBps: 10, takerFeeBps: 20, limits: { maxLevelsPerSide } }), accounts, context);
  const account = accounts.findOrAdd('a');
  const add = (orderId: number, side: number, priceTicks: number, lots: number, kind = KIND_LIMIT, timeInForce = TIF_GTC): number => {
    const orders = book.orders;
    const slot = orders.allocate();
    orders.orderId[slot] = orderId;
    orders.account[slot] = account;
    orders.clientOrderId[slot] = `c${orderId}`;
    orders.clientIdHash[slot] = clientIdHash(account, `c${orderId}`);
    orders.side[slot] = side;
    orders.kind[slot] = kind;
    orders.timeInForce[slot] = timeInForce;
    orders.priceTicks[slot] = priceTicks;
    orders.remainingLots[slot] = lots;
    if (timeInForce === TIF_GTT) book.expireAtMs.set(slot, 100);
    if (kind === KIND_MIDPOINT) book.pegTerms.set(slot, { offsetTicks: 0, capTicks: undefined });
    accounts.open(account, `c${orderId}`, orders.clientIdHash[slot]!, slot);
    assert.ok(book.rest(slot));
    return slot;
  };
  return { book, events, add };
}

test('resting orders build sorted levels with exact totals; removal empties and drops levels', () => {
  const { book, add } = setup();
  const first = add(1, SIDE_BUY, 100, 3);
  add(2, SIDE_BUY, 100, 4);
  add(3, SIDE_BUY, 101, 5);
  add(4, SIDE_SELL, 103, 1);
  assert.equal(Array.from(book.bids.prices.subarray(0, book.bids.count)), [100, 101]);
  const level = book.bids.slots[0]!;
  assert.equal([book.levels.totalLots[level], book.levels.orderCount[level]], [7, 2]);
  assert.equal([book.restingCount, book.index.size, book.accountOrderCount(0)], [4, 4, 4]);
  assert.is(book.accounts.slotHint(0, 'c1'), first);
  assert.equal(book.accountOrderIds(0).sort(), [1, 2, 3, 4]);
  book.reduce(first, 2);
  assert.is(book.levels.totalLots[level], 5);
  book.removeResting(first);
  assert.equal([book.levels.totalLots[level], book.levels.orderCount[level], book.restingCount], [4, 1, 3]);
  book.removeResting(book.index.get(2)!);
  assert.equal(Array.from(book.bids.prices.subarray(0, book.bids.count)), [101]);
});

test('a full side refuses a new level but not an existing one', () => {
  const { book, add } = setup(2);
  add(1, SIDE_SELL, 100, 1);
  add(2, SIDE_SELL, 101, 1);
  assert.not.ok(book.hasLevelRoom(SIDE_SELL, 102));
  assert.ok(book.hasLevelRoom(SIDE_SELL, 101));
  assert.ok(book.hasLevelRoom(SIDE_BUY, 99));
  const slot = book.orders.allocate();
  book.orders.side[slot] = SIDE_SELL;
  book.orders.kind[slot] = KIND_LIMIT;
  book.orders.priceTicks[slot] = 102;
  assert.not.ok(book.rest(slot));
  assert.is(book.restingCount, 2);
});

test('cancel, partial cancel, expiry and fills emit their events and keep the book in step', () => {
  const { book, events, add } = setup();
  const maker = add(1, SIDE_SELL, 100, 5);
  const gtt = add(2, SIDE_SELL, 101, 2, KIND_LIMIT, TIF_GTT);
  add(3, SIDE_BUY, 0, 4, KIND_MIDPOINT);
  assert.is(book.expiry.size, 1);
  assert.is(book.peggedCount, 1);
  const taker = book.orders.allocate();
  book.orders.orderId[taker] = 9;
  book.orders.clientOrderId[taker] = 't';
  book.orders.side[taker] = SIDE_BUY;
  book.orders.remainingLots[taker] = 2;
  book.fill(maker, taker, 200, 2, false);
  book.cancelPart(maker, 'selfTrade', 1);
  book.expire(gtt);
  book.cancel(book.index.get(3)!, 'user');
  book.cancel(maker, 'cancelAll');
  assert.equal(events.map(line), [
    'fill #1<-#9 2@100',
    'cancelled #1 selfTrade 1 left 2',
    'expired #2 2', 'done #2 expired 2',
    'cancelled #3 user 4 left 0', 'done #3 cancelled 4',
    'cancelled #1 cancelAll 2 left 0', 'done #1 cancelled 2',
  ]);
  const fill = events[0]!;
  assert.equal(fill.type === 'fill' && [fill.notionalQuoteAtoms, fill.makerFeeQuoteAtoms, fill.takerFeeQuoteAtoms, fill.makerRemainingLots, fill.takerRemainingLots], [200_000n, 200n, 400n, 3, 0]);
  assert.equal([book.restingCount, book.index.size, book.expiry.size, book.peggedCount, book.asks.count], [0, 0, 0, 0, 0]);
  assert.ok(book.accounts.isDuplicate(0, 'c1', clientIdHash(0, 'c1')), 'finished ids are remembered');
});

test('the reference is usable only when set, not crossed and fresh', () => {
  const { book } = setup();
  assert.not.ok(book.referenceUsable());
  book.reference = { bidTicks: 10, askTicks: 11, timeMs: 0 };
  assert.ok(book.referenceUsable());
  assert.is(book.midHalfTicks(), 21);
  book.context.timeMs = 1001;
  assert.not.ok(book.referenceUsable());
  book.reference = { bidTicks: 12, askTicks: 11, timeMs: 1001 };
  assert.not.ok(book.referenceUsable());
});

test.run();
