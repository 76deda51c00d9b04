// The naive reference book on its own, against event streams worked out by hand from the rules in
// src/matching/types.ts, so that it is known right independently of the fast matcher it checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { amendOrder, cancelOrder, placeLimit, placeMidpoint, runAuction, setReference, advanceTime, type OrderOptions } from '../../src/matching/commands.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { ReferenceBook } from '../../src/matching/reference-book.js';
import type { Command, MarketSpec, MatchEvent, MatcherLimits } from '../../src/matching/types.js';

const CONTINUOUS = 'X/Y';
const AUCTION = 'X/Y-auction';

/** Tick 1, lot 1, 100 quote atoms per tick-lot; maker 10 bps, taker 25 bps. */
function spec(id: string, mode: 'continuous' | 'auction'): MarketSpec {
  return buildMarketSpec({ id, base: 'X', quote: 'Y', baseDecimals: 0, quoteDecimals: 2, tickSize: '1', lotSize: '1', makerFeeBps: 10, takerFeeBps: 25, mode, referenceStalenessMs: 50 });
}

/** Stamps commands with increasing seq (so an order's id is the seq it was placed with). */
class Session {
  readonly book: ReferenceBook;
  seq = 0;
  timeMs = 0;

  constructor(limits?: Partial<MatcherLimits>) {
    this.book = new ReferenceBook({ markets: [spec(CONTINUOUS, 'continuous'), spec(AUCTION, 'auction')], limits });
  }

  stamp(advanceMs = 0): { seq: number; timeMs: number } {
    this.timeMs += advanceMs;
    return { seq: ++this.seq, timeMs: this.timeMs };
  }

  run(command: Command): string[] {
    const lines = this.book.execute(command).map(line);
    this.book.checkInvariants();
    return lines;
  }

  limit(account: string, side: 'buy' | 'sell', sizeLots: number, priceTicks: number, extra: Partial<OrderOptions> = {}): string[] {
    const stamp = this.stamp();
    return this.run(placeLimit(stamp, { account, side, sizeLots, priceTicks, clientOrderId: `c${stamp.seq}`, market: CONTINUOUS, ...extra }));
  }
}

function line(event: MatchEvent): string {
  switch (event.type) {
    case 'accepted': return `accepted #${event.orderId}`;
    case 'rejected': return `rejected ${event.name}`;
    case 'fill': return `fill #${event.makerOrderId}<-#${event.takerOrderId} ${event.sizeLots}@${event.priceHalfTicks / 2} n=${event.notionalQuoteAtoms} fees=${event.makerFeeQuoteAtoms}/${event.takerFeeQuoteAtoms} left=${event.makerRemainingLots}/${event.takerRemainingLots}`;
    case 'amended': return `amended #${event.orderId} ${event.sizeLots}@${event.priceTicks ?? 'mid'} ${event.priorityKept ? 'kept' : 'lost'}`;
    case 'cancelled': return `cancelled #${event.orderId} ${event.reason} ${event.cancelledLots} left ${event.remainingLots}`;
    case 'expired': return `expired #${event.orderId} ${event.expiredLots}`;
    case 'done': return `done #${event.orderId} ${event.reason} ${event.remainingLots}`;
    case 'auctionRun': return `auction ${event.clearingPriceTicks ?? 'none'} ${event.volumeLots}`;
  }
}

test('price-time priority, maker price, and fees rounded up', () => {
  const s = new Session();
  s.limit('a', 'sell', 5, 101);
  s.limit('b', 'sell', 3, 100);
  s.limit('c', 'sell', 2, 100);
  assert.equal(s.limit('d', 'buy', 8, 101), [
    'accepted #4',
    // 3 × 100 × 100 atoms = 30 000; maker 10 bps = 30, taker 25 bps = 75.
    'fill #2<-#4 3@100 n=30000 fees=30/75 left=0/5',
    'done #2 filled 0',
    'fill #3<-#4 2@100 n=20000 fees=20/50 left=0/3',
    'done #3 filled 0',
    // 3 × 101 × 100 = 30 300; 30.3 and 75.75 round up to 31 and 76.
    'fill #1<-#4 3@101 n=30300 fees=31/76 left=2/0',
    'done #4 filled 0',
  ]);
  assert.is(s.book.openOrders('a')[0]!.remainingLots, 2);
});

test('midpoint orders trade at the half-tick mid, and not while the reference is stale', () => {
  const s = new Session();
  s.run(setReference(s.stamp(), CONTINUOUS, 100, 101));
  const stamp = s.stamp();
  assert.equal(s.run(placeMidpoint(stamp, { account: 'a', clientOrderId: 'm', market: CONTINUOUS, side: 'sell', sizeLots: 4 })), ['accepted #2']);
  assert.equal(s.limit('b', 'buy', 2, 101), [
    'accepted #3',
    'fill #2<-#3 2@100.5 n=20100 fees=21/51 left=2/0',
    'done #3 filled 0',
  ]);
  assert.equal(s.book.reference(CONTINUOUS), { bidTicks: 100, askTicks: 101, timeMs: 0 });
  s.timeMs += 51;
  assert.equal(s.limit('b', 'buy', 2, 101, { timeInForce: 'IOC' }), ['accepted #4', 'cancelled #4 unfilled 2 left 0', 'done #4 cancelled 2']);
  assert.is(s.book.restingOrderCount(CONTINUOUS), 1, 'the midpoint remainder still rests');
  assert.is(s.book.restingOrderCount(), 1);
});

test('minimum quantity: a taker skips makers too small for it; a maker left too small is cancelled', () => {
  const s = new Session();
  s.limit('a', 'sell', 3, 100);
  assert.equal(s.limit('b', 'buy', 5, 100, { minQtyLots: 4 }), ['accepted #2'], 'rests crossed: 3 lots cannot satisfy a 4-lot minimum');
  assert.equal(s.limit('c', 'sell', 10, 99, { minQtyLots: 4 }), [
    'accepted #3',
    'fill #2<-#3 5@100 n=50000 fees=50/125 left=0/5',
    'done #2 filled 0',
  ]);
  assert.is(s.book.openOrders('c')[0]!.remainingLots, 5, 'the remainder still meets its minimum and rests');
  const s2 = new Session();
  s2.limit('a', 'sell', 10, 100, { minQtyLots: 4 });
  assert.equal(s2.limit('b', 'buy', 7, 100), [
    'accepted #2',
    'fill #1<-#2 7@100 n=70000 fees=70/175 left=3/0',
    'cancelled #1 belowMinQty 3 left 0',
    'done #1 cancelled 3',
    'done #2 filled 0',
  ]);
});

test('self-trade prevention: decrement and cancel oldest', () => {
  const s = new Session();
  s.limit('a', 'sell', 5, 100);
  assert.equal(s.limit('a', 'buy', 3, 100, { selfTradePrevention: 'decrement' }), [
    'accepted #2',
    'cancelled #1 selfTrade 3 left 2',
    'cancelled #2 selfTrade 3 left 0',
    'done #2 cancelled 0',
  ]);
  const t = new Session();
  t.limit('a', 'sell', 5, 100);
  t.limit('b', 'sell', 2, 100);
  assert.equal(t.limit('a', 'buy', 4, 100, { selfTradePrevention: 'cancelOldest' }), [
    'accepted #3',
    'cancelled #1 selfTrade 5 left 0',
    'done #1 cancelled 5',
    'fill #2<-#3 2@100 n=20000 fees=20/50 left=0/2',
    'done #2 filled 0',
  ]);
  assert.is(t.book.openOrders('a')[0]!.orderId, 3, 'the GTC remainder rests');
});

test('fill-or-kill that cannot fill completely is cancelled whole', () => {
  const s = new Session();
  s.limit('a', 'sell', 3, 100);
  assert.equal(s.limit('b', 'buy', 4, 100, { timeInForce: 'FOK' }), ['accepted #2', 'cancelled #2 unfilled 4 left 0', 'done #2 cancelled 4']);
  assert.is(s.book.openOrders('a')[0]!.remainingLots, 3);
});

test('amend: size down keeps priority, size up loses it', () => {
  const s = new Session();
  s.limit('a', 'sell', 5, 100);
  s.limit('b', 'sell', 5, 100);
  assert.equal(s.run(amendOrder(s.stamp(), 'a', CONTINUOUS, { orderId: 1 }, { newSizeLots: 4 })), ['amended #1 4@100 kept']);
  assert.equal(s.run(amendOrder(s.stamp(), 'b', CONTINUOUS, { orderId: 2 }, { newSizeLots: 6 })), ['amended #2 6@100 lost']);
  assert.equal(s.run(amendOrder(s.stamp(), 'a', CONTINUOUS, { orderId: 1 }, { newSizeLots: 5 })), ['amended #1 5@100 lost']);
  assert.equal(s.limit('c', 'buy', 1, 100).slice(0, 2), ['accepted #6', 'fill #2<-#6 1@100 n=10000 fees=10/25 left=5/0'], '#2 re-entered before #1 did');
  assert.equal(s.run(cancelOrder(s.stamp(), 'b', CONTINUOUS, { orderId: 1 })), ['rejected ORDER_NOT_FOUND'], 'someone else\'s order');
});

test('auction: volume-maximising price, imbalance then the lower price break ties; the mid breaks them first when usable', () => {
  const build = (withReference: boolean): Session => {
    const s = new Session();
    if (withReference) s.run(setReference(s.stamp(), AUCTION, 102, 104));
    const place = (account: string, side: 'buy' | 'sell', sizeLots: number, priceTicks: number): void => {
      const stamp = s.stamp();
      s.run(placeLimit(stamp, { account, side, sizeLots, priceTicks, clientOrderId: `c${stamp.seq}`, market: AUCTION }));
    };
    place('a', 'buy', 5, 102);
    place('b', 'buy', 3, 100);
    place('c', 'sell', 4, 99);
    place('d', 'sell', 4, 101);
    return s;
  };
  // Demand/supply: 99 → 8/4, 100 → 8/4, 101 → 5/8, 102 → 5/8. Volume 5 at 101 and 102, imbalance 3 at both.
  const plain = build(false);
  assert.equal(plain.run(runAuction(plain.stamp(), AUCTION)), [
    'fill #1<-#3 4@101 n=40400 fees=41/41 left=1/0',
    'done #3 filled 0',
    'fill #1<-#4 1@101 n=10100 fees=11/11 left=0/3',
    'done #1 filled 0',
    'auction 101 5',
  ]);
  const referenced = build(true);
  assert.equal(referenced.run(runAuction(referenced.stamp(), AUCTION)).at(-1), 'auction 102 5', 'mid 103 is closer to 102');
});

test('GTT orders expire in (expireAtMs, orderId) order before the command applies', () => {
  const s = new Session();
  s.limit('a', 'sell', 1, 110, { timeInForce: 'GTT', expireAtMs: 20 });
  s.limit('b', 'sell', 1, 111, { timeInForce: 'GTT', expireAtMs: 10 });
  s.limit('c', 'sell', 1, 112, { timeInForce: 'GTT', expireAtMs: 20 });
  assert.equal(s.run(advanceTime(s.stamp(20))), ['expired #2 1', 'done #2 expired 1', 'expired #1 1', 'done #1 expired 1', 'expired #3 1', 'done #3 expired 1']);
});

test('client order ids: a duplicate is rejected while open and while remembered, then forgotten', () => {
  const s = new Session({ recentClientOrderIdsPerAccount: 1 });
  const place = (clientOrderId: string): string[] => s.run(placeLimit(s.stamp(), { account: 'a', clientOrderId, market: CONTINUOUS, side: 'buy', sizeLots: 1, priceTicks: 90 }));
  assert.equal(place('x'), ['accepted #1']);
  assert.equal(place('x'), ['rejected CLIENT_ORDER_ID_DUPLICATE']);
  s.run(cancelOrder(s.stamp(), 'a', CONTINUOUS, { clientOrderId: 'x' }));
  assert.equal(place('x'), ['rejected CLIENT_ORDER_ID_DUPLICATE']);
  place('y');
  s.run(cancelOrder(s.stamp(), 'a', CONTINUOUS, { clientOrderId: 'y' }));
  assert.equal(place('x'), [`accepted #${s.seq}`], 'only the last finished id is remembered');
});

test('snapshot and restore keep priority and the state hash', () => {
  const s = new Session();
  s.limit('a', 'sell', 5, 100);
  s.limit('b', 'sell', 5, 100);
  s.run(amendOrder(s.stamp(), 'a', CONTINUOUS, { orderId: 1 }, { newSizeLots: 6 }));
  const restored = ReferenceBook.restore(JSON.parse(JSON.stringify(s.book.snapshot())));
  assert.is(restored.stateHash(), s.book.stateHash());
  const command = placeLimit(s.stamp(), { account: 'c', clientOrderId: 'z', market: CONTINUOUS, side: 'buy', sizeLots: 1, priceTicks: 100 });
  assert.equal(restored.execute(command), s.book.execute(command));
  assert.is(restored.stateHash(), s.book.stateHash());
});

test.run();
