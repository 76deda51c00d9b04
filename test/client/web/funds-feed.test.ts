// The funds feed and the settlement status of fills: only settlement, deposit and withdrawal
// reports enter the feed, newest first, each seq once, bounded; a fill shows "awaiting
// settlement window" until a settlement report about one of its market's assets arrives at
// or after it, and then shows that report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Market } from '../../../client/sdk/markets.js';
import type { ExecutionReport, Trade } from '../../../client/sdk/types.js';
import { AWAITING_SETTLEMENT, FUNDS_FEED_LIMITS, fundsEventOf, settlementStatusOf, withEvent, type FundsEvent } from '../../../client/web/funds-feed.js';

const MARKET: Market = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.1',
  minSizeLots: 1, makerFeeBps: 2, takerFeeBps: 5, mode: 'continuous',
};
const TRADE: Trade = {
  id: '7', order: '3', clientOrderId: 'c1', symbol: 'DOT/USDC', side: 'buy', takerOrMaker: 'taker', price: '5', amount: '1.5', cost: '7.5',
  fee: { cost: '0.00375', currency: 'USDC' }, timestamp: 1_000,
};

function report(seq: number, kind: ExecutionReport['kind'], timestamp: number, asset = 'USDC', status = 'credited', batchId?: string): ExecutionReport {
  return { seq, kind, timestamp, asset, amount: '25', status, ...(batchId === undefined ? {} : { batchId }) };
}

test('only funds reports become events, with what they carry', () => {
  assert.is(fundsEventOf({ seq: 1, kind: 'fill', timestamp: 5, trade: TRADE }), undefined);
  assert.is(fundsEventOf({ seq: 2, kind: 'accepted', timestamp: 5, orderId: '3' }), undefined);
  assert.equal(fundsEventOf(report(3, 'withdrawal', 9, 'DOT', 'refunded', 'w-1')), { seq: 3, kind: 'withdrawal', timestamp: 9, asset: 'DOT', amount: '25', status: 'refunded', batchId: 'w-1' });
  assert.equal(fundsEventOf({ seq: 4, kind: 'settlement', timestamp: 9 }), { seq: 4, kind: 'settlement', timestamp: 9, asset: '—', amount: '—', status: '—', batchId: undefined });
});

test('the feed is newest first, each seq once, at most maxEvents', () => {
  let feed: FundsEvent[] = [];
  for (const seq of [3, 1, 2, 3, 2]) feed = withEvent(feed, fundsEventOf(report(seq, 'deposit', seq))!);
  assert.equal(feed.map((event) => event.seq), [3, 2, 1]);
  for (let seq = 10; seq < 10 + FUNDS_FEED_LIMITS.maxEvents + 5; seq++) feed = withEvent(feed, fundsEventOf(report(seq, 'deposit', seq))!);
  assert.is(feed.length, FUNDS_FEED_LIMITS.maxEvents);
  assert.is(feed[0]!.seq, 10 + FUNDS_FEED_LIMITS.maxEvents + 4);
});

test('a fill awaits its settlement window until a settlement report about its assets arrives after it', () => {
  assert.is(settlementStatusOf(TRADE, MARKET, []), AWAITING_SETTLEMENT);
  const deposit = withEvent([], fundsEventOf(report(5, 'deposit', 2_000))!);
  assert.is(settlementStatusOf(TRADE, MARKET, deposit), AWAITING_SETTLEMENT, 'a deposit is not a settlement');
  const before = withEvent([], fundsEventOf(report(6, 'settlement', 999, 'USDC', 'refunded', 'b-1'))!);
  assert.is(settlementStatusOf(TRADE, MARKET, before), AWAITING_SETTLEMENT, 'a settlement before the fill is not the fill\'s');
  const otherAsset = withEvent([], fundsEventOf(report(7, 'settlement', 2_000, 'KSM', 'refunded', 'b-2'))!);
  assert.is(settlementStatusOf(TRADE, MARKET, otherAsset), AWAITING_SETTLEMENT, 'another asset is not the fill\'s');
  const after = withEvent(otherAsset, fundsEventOf(report(8, 'settlement', 2_000, 'DOT', 'refunded', 'b-3'))!);
  assert.is(settlementStatusOf(TRADE, MARKET, after), 'refunded: 25 DOT (batch b-3)');
  assert.is(settlementStatusOf(TRADE, undefined, after), AWAITING_SETTLEMENT, 'an unknown market names no assets');
});

test.run();
