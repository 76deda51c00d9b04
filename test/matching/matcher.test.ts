// Hand-checked event streams for continuous matching: priority, order types, time in force,
// minimum quantity, self-trade prevention, cancel, amend, cancel-all, client order ids, limits,
// the price band and sequencing. Every command also runs checkInvariants() (see fixtures).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { advanceTime, cancelAll, cancelOrder, placeLimit, setReference } from '../../src/matching/commands.js';
import { Matcher } from '../../src/matching/matcher.js';
import type { Command, FillEvent } from '../../src/matching/types.js';
import { Harness, MARKET, market } from './fixtures.js';

test('price-time priority: better prices first, FIFO within a level, fills at the maker price', () => {
  const h = new Harness();
  assert.equal(h.limit('a', 'sell', 5, 101), ['accepted #1 sell 5']);
  assert.equal(h.limit('b', 'sell', 5, 100), ['accepted #2 sell 5']);
  assert.equal(h.limit('c', 'sell', 5, 100), ['accepted #3 sell 5']);
  assert.equal(h.limit('d', 'buy', 12, 102), [
    'accepted #4 buy 12',
    'fill #2<-#4 5@100',
    'done #2 filled 0',
    'fill #3<-#4 5@100',
    'done #3 filled 0',
    'fill #1<-#4 2@101',
    'done #4 filled 0',
  ]);
  assert.equal(h.matcher.openOrders('a').map((o) => o.remainingLots), [3]);
});

test('a limit order that does not cross rests and trades later as the maker', () => {
  const h = new Harness();
  h.limit('a', 'buy', 4, 99);
  assert.equal(h.limit('b', 'sell', 6, 99), ['accepted #2 sell 6', 'fill #1<-#2 4@99', 'done #1 filled 0']);
  assert.equal(h.matcher.openOrders('b')[0]?.remainingLots, 2);
  assert.equal(h.limit('c', 'buy', 1, 98), ['accepted #3 buy 1']);
});

test('fill events carry exact notional and ceil-rounded fees', () => {
  const h = new Harness([market({ makerFeeBps: 3, takerFeeBps: 7 })]);
  h.limit('maker', 'sell', 3, 101);
  const events = h.run(placeLimit(h.stamp(), { account: 'taker', clientOrderId: 't1', market: MARKET, side: 'buy', sizeLots: 3, priceTicks: 105 }));
  const fill = events.find((event): event is FillEvent => event.type === 'fill')!;
  // 101 ticks × 3 lots × 1000 atoms per tick-lot = 303 000; 303 000 × 3 / 10 000 = 90.9 → 91; × 7 → 212.1 → 213.
  assert.equal(fill, {
    type: 'fill', seq: 2, timeMs: 0, market: MARKET, tradeId: 1, auction: false,
    makerOrderId: 1, takerOrderId: 2, makerAccount: 'maker', takerAccount: 'taker',
    makerClientOrderId: 'c1', takerClientOrderId: 't1', takerSide: 'buy',
    priceHalfTicks: 202, sizeLots: 3, notionalQuoteAtoms: 303_000n,
    makerFeeQuoteAtoms: 91n, takerFeeQuoteAtoms: 213n, makerRemainingLots: 0, takerRemainingLots: 0,
  });
});

test('IOC trades what it can and cancels the rest; it never rests', () => {
  const h = new Harness();
  h.limit('a', 'sell', 2, 100);
  assert.equal(h.limit('b', 'buy', 5, 100, { timeInForce: 'IOC' }), [
    'accepted #2 buy 5', 'fill #1<-#2 2@100', 'done #1 filled 0', 'cancelled #2 unfilled 3 left 0', 'done #2 cancelled 3',
  ]);
  assert.equal(h.matcher.restingOrderCount(), 0);
});

test('FOK fills completely or is cancelled whole without touching the book', () => {
  const h = new Harness();
  h.limit('a', 'sell', 2, 100);
  h.limit('a', 'sell', 2, 101);
  assert.equal(h.limit('b', 'buy', 5, 101, { timeInForce: 'FOK' }), ['accepted #3 buy 5', 'cancelled #3 unfilled 5 left 0', 'done #3 cancelled 5']);
  assert.equal(h.matcher.restingOrderCount(), 2);
  assert.equal(h.limit('b', 'buy', 3, 101, { timeInForce: 'FOK' }), [
    'accepted #4 buy 3', 'fill #1<-#4 2@100', 'done #1 filled 0', 'fill #2<-#4 1@101', 'done #4 filled 0',
  ]);
});

test('market orders trade up to the protection price and cancel the remainder', () => {
  const h = new Harness();
  h.limit('a', 'sell', 2, 100);
  h.limit('a', 'sell', 2, 103);
  assert.equal(h.market('b', 'buy', 5, 102), ['accepted #3 buy 5', 'fill #1<-#3 2@100', 'done #1 filled 0', 'cancelled #3 unfilled 3 left 0', 'done #3 cancelled 3']);
  assert.equal(h.market('b', 'buy', 1, 102, { timeInForce: 'GTC' }), ['rejected TIME_IN_FORCE_INVALID']);
  assert.equal(h.market('b', 'buy', 5, 103, { timeInForce: 'FOK' }), ['accepted #5 buy 5', 'cancelled #5 unfilled 5 left 0', 'done #5 cancelled 5']);
});

test('post-only rests when it would not trade and is rejected when it would', () => {
  const h = new Harness();
  h.limit('a', 'sell', 2, 100);
  assert.equal(h.limit('b', 'buy', 1, 100, { postOnly: true }), ['rejected POST_ONLY_WOULD_TRADE']);
  assert.equal(h.limit('b', 'buy', 1, 99, { postOnly: true }), ['accepted #3 buy 1']);
  assert.equal(h.limit('b', 'buy', 1, 99, { postOnly: true, timeInForce: 'IOC' }), ['rejected POST_ONLY_NOT_ALLOWED']);
  assert.equal(h.market('b', 'buy', 1, 99, { postOnly: true }), ['rejected POST_ONLY_NOT_ALLOWED']);
  // A post-only order that would only meet its own account's order also counts as acting.
  assert.equal(h.limit('a', 'buy', 1, 100, { postOnly: true }), ['rejected POST_ONLY_WOULD_TRADE']);
});

test('GTT orders expire at their logical time, before the command that reaches it', () => {
  const h = new Harness();
  h.limit('a', 'sell', 2, 100, { timeInForce: 'GTT', expireAtMs: 50 });
  h.limit('a', 'sell', 2, 101, { timeInForce: 'GTT', expireAtMs: 30 });
  assert.equal(h.lines(advanceTime(h.stamp(29))), []);
  assert.equal(h.lines(advanceTime(h.stamp(1))), ['expired #2 2', 'done #2 expired 2']);
  // The buy at time 50 sees no ask: #1 expired first.
  h.timeMs = 50;
  assert.equal(h.limit('b', 'buy', 2, 100), ['expired #1 2', 'done #1 expired 2', 'accepted #5 buy 2']);
  assert.equal(h.limit('b', 'buy', 2, 100, { timeInForce: 'GTT', expireAtMs: 50 }), ['rejected EXPIRY_INVALID']);
  assert.equal(h.limit('b', 'buy', 2, 100, { expireAtMs: 90 }), ['rejected EXPIRY_INVALID']);
});

test('expiry ties across markets go by order id', () => {
  const other = market({ id: 'KSM/USDC', base: 'KSM' });
  const h = new Harness([market(), other]);
  h.run(placeLimit(h.stamp(), { account: 'a', clientOrderId: 'k', market: 'KSM/USDC', side: 'buy', sizeLots: 1, priceTicks: 5, timeInForce: 'GTT', expireAtMs: 10 }));
  h.limit('a', 'buy', 1, 5, { timeInForce: 'GTT', expireAtMs: 10 });
  h.limit('a', 'buy', 1, 6, { timeInForce: 'GTT', expireAtMs: 9 });
  assert.equal(h.lines(advanceTime(h.stamp(10))), [
    'expired #3 1', 'done #3 expired 1', 'expired #1 1', 'done #1 expired 1', 'expired #2 1', 'done #2 expired 1',
  ]);
});

test('a taker with a minimum quantity skips resting orders too small to fill it', () => {
  const h = new Harness();
  h.limit('a', 'sell', 2, 100);
  h.limit('a', 'sell', 6, 101);
  assert.equal(h.limit('b', 'buy', 8, 101, { minQtyLots: 5 }), ['accepted #3 buy 8', 'fill #2<-#3 6@101', 'done #2 filled 0', 'cancelled #3 belowMinQty 2 left 0', 'done #3 cancelled 2']);
  assert.equal(h.matcher.openOrders('a').map((o) => o.orderId), [1]);
});

test('a resting minimum quantity holds while resting, and the remainder below it is cancelled', () => {
  const h = new Harness();
  h.limit('a', 'buy', 10, 100, { minQtyLots: 4 });
  assert.equal(h.limit('b', 'sell', 3, 100), ['accepted #2 sell 3']);
  assert.equal(h.limit('c', 'sell', 7, 99), [
    'accepted #3 sell 7', 'fill #1<-#3 7@100', 'cancelled #1 belowMinQty 3 left 0', 'done #1 cancelled 3', 'done #3 filled 0',
  ]);
  assert.equal(h.matcher.openOrders('b').map((o) => o.remainingLots), [3]);
  assert.equal(h.limit('a', 'buy', 5, 100, { minQtyLots: 6 }), ['rejected MIN_QTY_EXCEEDS_SIZE']);
});

test('self-trade prevention: cancelNewest cancels the incoming order and keeps the resting one', () => {
  const h = new Harness();
  h.limit('a', 'sell', 2, 100);
  h.limit('b', 'sell', 2, 101);
  assert.equal(h.limit('a', 'buy', 5, 101), ['accepted #3 buy 5', 'cancelled #3 selfTrade 5 left 0', 'done #3 cancelled 5']);
  assert.equal(h.matcher.restingOrderCount(), 2);
});

test('self-trade prevention: cancelOldest cancels the resting order and keeps matching', () => {
  const h = new Harness();
  h.limit('a', 'sell', 2, 100);
  h.limit('b', 'sell', 2, 101);
  assert.equal(h.limit('a', 'buy', 5, 101, { selfTradePrevention: 'cancelOldest' }), [
    'accepted #3 buy 5', 'cancelled #1 selfTrade 2 left 0', 'done #1 cancelled 2', 'fill #2<-#3 2@101', 'done #2 filled 0',
  ]);
  assert.equal(h.matcher.openOrders('a').map((o) => o.remainingLots), [3]);
});

test('self-trade prevention: cancelBoth cancels both orders', () => {
  const h = new Harness();
  h.limit('a', 'sell', 2, 100);
  assert.equal(h.limit('a', 'buy', 5, 101, { selfTradePrevention: 'cancelBoth' }), [
    'accepted #2 buy 5', 'cancelled #1 selfTrade 2 left 0', 'done #1 cancelled 2', 'cancelled #2 selfTrade 5 left 0', 'done #2 cancelled 5',
  ]);
  assert.equal(h.matcher.restingOrderCount(), 0);
});

test('self-trade prevention: decrement shrinks both by the overlap without a fill', () => {
  const h = new Harness();
  h.limit('a', 'sell', 2, 100);
  h.limit('b', 'sell', 4, 100);
  assert.equal(h.limit('a', 'buy', 5, 100, { selfTradePrevention: 'decrement' }), [
    'accepted #3 buy 5',
    'cancelled #1 selfTrade 2 left 0', 'done #1 cancelled 0',
    'cancelled #3 selfTrade 2 left 3',
    'fill #2<-#3 3@100', 'done #3 filled 0',
  ]);
  h.limit('a', 'sell', 5, 100);
  assert.equal(h.limit('a', 'buy', 3, 100, { selfTradePrevention: 'decrement' }), [
    'accepted #5 buy 3', 'fill #2<-#5 1@100', 'done #2 filled 0', 'cancelled #4 selfTrade 2 left 3', 'cancelled #5 selfTrade 2 left 0', 'done #5 cancelled 0',
  ]);
});

test('cancel by order id or client order id; only the owner may cancel', () => {
  const h = new Harness();
  h.limit('a', 'buy', 2, 100, { clientOrderId: 'mine' });
  assert.equal(h.cancel('b', 1), ['rejected ORDER_NOT_FOUND']);
  assert.equal(h.lines(cancelOrder(h.stamp(), 'a', MARKET, { clientOrderId: 'other' })), ['rejected ORDER_NOT_FOUND']);
  assert.equal(h.lines(cancelOrder(h.stamp(), 'a', MARKET, { clientOrderId: 'mine' })), ['cancelled #1 user 2 left 0', 'done #1 cancelled 2']);
  assert.equal(h.cancel('a', 1), ['rejected ORDER_NOT_FOUND']);
  assert.equal(h.lines(cancelOrder(h.stamp(), 'a', 'NOPE', { orderId: 1 })), ['rejected MARKET_UNKNOWN']);
});

test('amend: size down keeps priority, size up loses it', () => {
  const h = new Harness();
  h.limit('a', 'sell', 5, 100);
  h.limit('b', 'sell', 5, 100);
  assert.equal(h.amend('a', 1, { newSizeLots: 3 }), ['amended #1 3@100 kept user']);
  assert.equal(h.limit('c', 'buy', 1, 100), ['accepted #4 buy 1', 'fill #1<-#4 1@100', 'done #4 filled 0']);
  assert.equal(h.amend('a', 1, { newSizeLots: 6 }), ['amended #1 6@100 lost user']);
  assert.equal(h.limit('c', 'buy', 1, 100), ['accepted #6 buy 1', 'fill #2<-#6 1@100', 'done #6 filled 0']);
});

test('amend: a price change loses priority and may trade at once', () => {
  const h = new Harness();
  h.limit('a', 'buy', 5, 98);
  h.limit('b', 'sell', 2, 100);
  assert.equal(h.amend('a', 1, { newPriceTicks: 100 }), ['amended #1 5@100 lost user', 'fill #2<-#1 2@100', 'done #2 filled 0']);
  assert.equal(h.matcher.openOrders('a')[0]?.remainingLots, 3);
  assert.equal(h.amend('a', 1, { newPriceTicks: 100, newSizeLots: 3 }), ['rejected AMEND_INVALID']);
  assert.equal(h.amend('a', 1, { newSizeLots: 0 }), ['rejected SIZE_INVALID']);
  assert.equal(h.amend('b', 1, { newSizeLots: 1 }), ['rejected ORDER_NOT_FOUND']);
});

test('amend respects minimum quantity, post-only and order type', () => {
  const h = new Harness();
  h.limit('a', 'buy', 5, 98, { minQtyLots: 3 });
  assert.equal(h.amend('a', 1, { newSizeLots: 2 }), ['rejected AMEND_BELOW_MIN_QTY']);
  h.limit('b', 'sell', 1, 100);
  h.limit('a', 'buy', 2, 97, { postOnly: true });
  assert.equal(h.amend('a', 4, { newPriceTicks: 100 }), ['rejected POST_ONLY_WOULD_TRADE']);
  assert.equal(h.matcher.openOrders('a').find((o) => o.orderId === 4)?.priceTicks, 97);
  assert.equal(h.amend('a', 4, { newPriceTicks: 99 }), ['amended #4 2@99 lost user']);
  h.reference(99, 101);
  h.midpoint('a', 'buy', 2);
  assert.equal(h.amend('a', 8, { newPriceTicks: 100 }), ['rejected AMEND_PRICE_NOT_APPLICABLE']);
  assert.equal(h.amend('a', 8, { newSizeLots: 3 }), ['amended #8 3@mid lost user']);
});

test('cancelAll cancels the account orders oldest first, optionally in one market', () => {
  const other = market({ id: 'KSM/USDC', base: 'KSM' });
  const h = new Harness([market(), other]);
  h.limit('a', 'buy', 1, 90);
  h.run(placeLimit(h.stamp(), { account: 'a', clientOrderId: 'k', market: 'KSM/USDC', side: 'buy', sizeLots: 1, priceTicks: 5 }));
  h.limit('a', 'sell', 1, 110);
  h.limit('b', 'sell', 1, 111);
  assert.equal(h.lines(cancelAll(h.stamp(), 'a', MARKET)), ['cancelled #1 cancelAll 1 left 0', 'done #1 cancelled 1', 'cancelled #3 cancelAll 1 left 0', 'done #3 cancelled 1']);
  assert.equal(h.lines(cancelAll(h.stamp(), 'a')), ['cancelled #2 cancelAll 1 left 0', 'done #2 cancelled 1']);
  assert.equal(h.lines(cancelAll(h.stamp(), 'a')), []);
  assert.equal(h.lines(cancelAll(h.stamp(), 'nobody')), []);
  assert.equal(h.lines(cancelAll(h.stamp(), 'a', 'NOPE')), ['rejected MARKET_UNKNOWN']);
  assert.equal(h.matcher.openOrders('b').length, 1);
});

test('client order ids are unique per account among open and recently finished orders', () => {
  const h = new Harness([market()], { recentClientOrderIdsPerAccount: 2 });
  h.limit('a', 'buy', 1, 90, { clientOrderId: 'x' });
  assert.equal(h.limit('a', 'buy', 1, 91, { clientOrderId: 'x' }), ['rejected CLIENT_ORDER_ID_DUPLICATE']);
  assert.equal(h.limit('b', 'buy', 1, 91, { clientOrderId: 'x' }), ['accepted #3 buy 1']);
  h.cancel('a', 1);
  assert.equal(h.limit('a', 'buy', 1, 91, { clientOrderId: 'x' }), ['rejected CLIENT_ORDER_ID_DUPLICATE'], 'a finished id is remembered');
  h.limit('a', 'buy', 1, 90, { clientOrderId: 'y', timeInForce: 'IOC' });
  h.limit('a', 'buy', 1, 90, { clientOrderId: 'z', timeInForce: 'IOC' });
  assert.equal(h.limit('a', 'buy', 1, 91, { clientOrderId: 'x' }), ['accepted #8 buy 1'], 'the oldest finished id is forgotten beyond the bound');
  assert.equal(h.limit('a', 'buy', 1, 91, { clientOrderId: 'y' }), ['rejected CLIENT_ORDER_ID_DUPLICATE']);
});

test('limits: orders per book, per account, levels per side, pegged and GTT orders', () => {
  const h = new Harness([market({ limits: { maxOrdersPerBook: 3, maxOrdersPerAccount: 2, maxLevelsPerSide: 2, maxPeggedOrders: 1, maxGttOrders: 1 } })]);
  h.limit('a', 'buy', 1, 90);
  h.limit('a', 'buy', 1, 91);
  assert.equal(h.limit('a', 'buy', 1, 91), ['rejected ACCOUNT_ORDER_LIMIT']);
  assert.equal(h.limit('b', 'buy', 1, 92), ['rejected LEVELS_FULL']);
  assert.equal(h.limit('b', 'buy', 1, 91), ['accepted #5 buy 1']);
  assert.equal(h.limit('c', 'sell', 1, 95), ['rejected BOOK_FULL']);
  assert.equal(h.limit('c', 'sell', 1, 91, { timeInForce: 'IOC' }), ['accepted #7 sell 1', 'fill #2<-#7 1@91', 'done #2 filled 0', 'done #7 filled 0'], 'orders that cannot rest skip capacity checks');
  h.cancel('b', 5);
  h.reference(90, 96);
  assert.equal(h.midpoint('c', 'buy', 1), ['accepted #10 buy 1']);
  assert.equal(h.peg('d', 'buy', 1, 0), ['rejected PEGGED_ORDERS_FULL']);
  assert.equal(h.limit('d', 'sell', 1, 99, { timeInForce: 'GTT', expireAtMs: 10 }), ['accepted #12 sell 1']);
  assert.equal(h.limit('e', 'sell', 1, 99), ['rejected BOOK_FULL']);
  h.cancel('c', 10);
  assert.equal(h.limit('e', 'sell', 1, 99, { timeInForce: 'GTT', expireAtMs: 10 }), ['rejected GTT_ORDERS_FULL']);
});

test('limits: fills per command and makers visited end the taker with fillLimit', () => {
  const h = new Harness([market({ limits: { maxFillsPerCommand: 2, maxMakersVisitedPerCommand: 3 } })]);
  for (let i = 0; i < 4; i++) h.limit('a', 'sell', 1, 100);
  assert.equal(h.limit('b', 'buy', 4, 100), [
    'accepted #5 buy 4', 'fill #1<-#5 1@100', 'done #1 filled 0', 'fill #2<-#5 1@100', 'done #2 filled 0', 'cancelled #5 fillLimit 2 left 0', 'done #5 cancelled 2',
  ]);
  h.limit('c', 'sell', 1, 100);
  h.limit('c', 'sell', 1, 100);
  assert.equal(h.limit('d', 'buy', 3, 100, { minQtyLots: 2 }), ['accepted #8 buy 3', 'cancelled #8 fillLimit 3 left 0', 'done #8 cancelled 3'], 'three visits, all too small, and a fourth maker left');
  assert.equal(h.limit('d', 'buy', 3, 99, { minQtyLots: 2 }), ['accepted #9 buy 3'], 'no acceptable maker: no limit reached');
});

test('price band rejects orders too far from a usable reference mid', () => {
  const h = new Harness([market({ priceBandBps: 500 })]);
  assert.equal(h.limit('a', 'buy', 1, 200), ['accepted #1 buy 1'], 'no reference: no band');
  h.reference(99, 101);
  // Mid 100: 5% band is 95..105.
  assert.equal(h.limit('a', 'buy', 1, 95), ['accepted #3 buy 1']);
  assert.equal(h.limit('a', 'buy', 1, 94), ['rejected PRICE_OUTSIDE_BAND']);
  assert.equal(h.limit('a', 'sell', 1, 106), ['rejected PRICE_OUTSIDE_BAND']);
  assert.equal(h.market('a', 'sell', 1, 94), ['rejected PRICE_OUTSIDE_BAND']);
  assert.equal(h.amend('a', 3, { newPriceTicks: 90 }), ['rejected PRICE_OUTSIDE_BAND']);
  h.timeMs += 2000;
  assert.equal(h.limit('a', 'buy', 1, 80), ['accepted #8 buy 1'], 'a stale reference sets no band');
});

test('sequencing: malformed stamps, repeated seq and time going backwards change nothing', () => {
  const h = new Harness();
  h.limit('a', 'buy', 1, 90);
  const before = h.matcher.stateHash();
  const base = { type: 'place', account: 'a', clientOrderId: 'q', market: MARKET, side: 'buy', orderType: 'limit', priceTicks: 90, sizeLots: 1, timeInForce: 'GTC', expireAtMs: undefined, postOnly: false, minQtyLots: 0, selfTradePrevention: 'cancelNewest' };
  assert.equal(h.lines({ ...base, seq: 1, timeMs: 0 } as Command), ['rejected SEQUENCE_NOT_INCREASING']);
  h.timeMs = 5;
  h.limit('a', 'buy', 1, 89);
  assert.equal(h.lines({ ...base, seq: 10, timeMs: 4 } as Command), ['rejected TIME_WENT_BACKWARDS']);
  assert.equal(h.lines({ ...base, seq: 1.5, timeMs: 4 } as Command), ['rejected COMMAND_MALFORMED']);
  assert.equal(h.lines({ ...base, type: 'explode', seq: 11, timeMs: 9 } as unknown as Command), ['rejected COMMAND_MALFORMED']);
  assert.equal(h.lines(null as unknown as Command), ['rejected COMMAND_MALFORMED']);
  assert.not.equal(h.matcher.stateHash(), before);
  assert.is(h.matcher.lastSeq, 2);
});

test('place validation rejects each bad field with its own code', () => {
  const h = new Harness([market({ minSizeLots: 2, limits: { maxSizeLots: 1000, maxPriceTicks: 10_000 } })]);
  const good = { account: 'a', clientOrderId: 'c', market: MARKET, side: 'buy' as const, sizeLots: 5, priceTicks: 100 };
  const cases: [Record<string, unknown>, string][] = [
    [{ market: 'NOPE' }, 'MARKET_UNKNOWN'],
    [{ account: '' }, 'ACCOUNT_INVALID'],
    [{ clientOrderId: 'x'.repeat(65) }, 'CLIENT_ORDER_ID_INVALID'],
    [{ side: 'up' }, 'SIDE_INVALID'],
    [{ orderType: 'stop' }, 'ORDER_TYPE_INVALID'],
    [{ sizeLots: 0 }, 'SIZE_INVALID'],
    [{ sizeLots: 2.5 }, 'SIZE_INVALID'],
    [{ sizeLots: 1001 }, 'SIZE_TOO_LARGE'],
    [{ sizeLots: 1 }, 'SIZE_BELOW_MINIMUM'],
    [{ priceTicks: -1 }, 'PRICE_INVALID'],
    [{ priceTicks: Number.NaN }, 'PRICE_INVALID'],
    [{ priceTicks: 10_001 }, 'PRICE_TOO_LARGE'],
    [{ timeInForce: 'DAY' }, 'TIME_IN_FORCE_INVALID'],
    [{ timeInForce: 'GTT' }, 'EXPIRY_INVALID'],
    [{ postOnly: 'yes' }, 'COMMAND_MALFORMED'],
    [{ minQtyLots: -1 }, 'MIN_QTY_INVALID'],
    [{ selfTradePrevention: 'ignore' }, 'SELF_TRADE_PREVENTION_INVALID'],
  ];
  for (const [change, name] of cases) {
    const command = { ...placeLimit(h.stamp(), good), ...change } as Command;
    assert.equal(h.lines(command), [`rejected ${name}`], name);
  }
  const rejected = h.run({ ...placeLimit(h.stamp(), good), sizeLots: 0 } as Command)[0]!;
  assert.equal(rejected.type === 'rejected' && [rejected.code, rejected.command, rejected.account, rejected.clientOrderId], [3026, 'place', 'a', 'c']);
  assert.equal(h.matcher.restingOrderCount(), 0);
});

test('openOrders shows an owner only their own open orders', () => {
  const h = new Harness();
  h.limit('a', 'buy', 2, 90, { clientOrderId: 'x', minQtyLots: 1, timeInForce: 'GTT', expireAtMs: 99 });
  h.limit('b', 'sell', 2, 95);
  assert.equal(h.matcher.openOrders('a'), [{
    market: MARKET, orderId: 1, clientOrderId: 'x', side: 'buy', orderType: 'limit', priceTicks: 90, remainingLots: 2,
    minQtyLots: 1, timeInForce: 'GTT', expireAtMs: 99, postOnly: false, selfTradePrevention: 'cancelNewest',
    offsetTicks: undefined, capTicks: undefined,
  }]);
  assert.equal(h.matcher.openOrders('nobody'), []);
  assert.equal(h.matcher.openOrders('a', 'KSM/USDC'), []);
});

test('a matcher refuses two markets with one id', () => {
  assert.throws(() => new Matcher({ markets: [market(), market()] }), /MARKET_DUPLICATE/);
});

test('setReference validates its quote and accepts a crossed one', () => {
  const h = new Harness();
  assert.equal(h.lines(setReference(h.stamp(), MARKET, 0, 10)), ['rejected REFERENCE_INVALID']);
  assert.equal(h.lines(setReference(h.stamp(), MARKET, 12, 10)), []);
  assert.equal(h.matcher.reference(MARKET), { bidTicks: 12, askTicks: 10, timeMs: 0 });
});

test.run();
