// The funds feed and the settlement status of fills: only settlement, deposit and withdrawal
// reports enter the feed, newest first, each seq once, bounded; a settlement report reads as its
// step, window, trade range and payouts; a fill shows its own settlement status.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExecutionReport, Trade } from '../../../client/sdk/types.js';
import { FUNDS_FEED_LIMITS, SETTLEMENT_TEXT, fundsEventOf, settlementTextOf, withEvent, type FundsEvent } from '../../../client/web/funds-feed.js';

const TRADE: Trade = {
  id: '7', order: '3', clientOrderId: 'c1', symbol: 'DOT/USDC', side: 'buy', takerOrMaker: 'taker', price: '5', amount: '1.5', cost: '7.5',
  fee: { cost: '0.00375', currency: 'USDC' }, timestamp: 1_000, settlement: 'pending', settlementWindow: undefined,
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

test('a settlement report shows its step, window, trade range and payouts; each fill shows its own status', () => {
  const netted = fundsEventOf({ seq: 9, kind: 'settlement', timestamp: 3, status: 'netted', window: 4, firstTradeId: '7', lastTradeId: '12', tradeCount: 3, payouts: [{ asset: 'DOT', amount: '1.5' }, { asset: 'USDC', amount: '2' }] })!;
  assert.equal([netted.asset, netted.amount, netted.status, netted.batchId], ['DOT / USDC', '1.5 / 2', 'netted · window 4 · trades 7–12', undefined]);
  const confirmed = fundsEventOf({ seq: 10, kind: 'settlement', timestamp: 4, status: 'confirmed', window: 4, firstTradeId: '7', lastTradeId: '7', tradeCount: 1, batchId: '0xab' })!;
  assert.equal([confirmed.asset, confirmed.status, confirmed.batchId], ['—', 'confirmed · window 4 · trade 7', '0xab']);
  assert.is(settlementTextOf(TRADE), SETTLEMENT_TEXT.pending);
  assert.is(settlementTextOf({ ...TRADE, settlement: 'confirmed', settlementWindow: 4 }), `${SETTLEMENT_TEXT.confirmed} (window 4)`);
  assert.is(new Set(Object.values(SETTLEMENT_TEXT)).size, 5, 'every status reads differently');
});

test.run();
