// The immer store: reports move orders through their life (accepted, fills, amends, cancels,
// done) with amounts kept exact, trades are kept once, every state is a new frozen object;
// reconciliation makes it agree with the server, also one page of open orders at a time. Live: a client whose network fails while
// more reports are produced than the enclave remembers ends, after reconnecting, with
// exactly the server's open orders, balances and trades.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DarkpoolStore, STORE_LIMITS } from '../../../client/sdk/store.js';
import type { Balances, ExecutionReport, Order, Trade } from '../../../client/sdk/types.js';
import { eventually, startVenue, venueClient, type Venue } from '../../support/client-venue.js';

const SYMBOL = 'DOT/USDC';
let seq = 0;
const report = (fields: Omit<ExecutionReport, 'seq' | 'timestamp'>): ExecutionReport => ({ seq: ++seq, timestamp: 1000 + seq, ...fields });
const trade = (id: string, order: string, amount: string): Trade => ({
  id, order, clientOrderId: 'c1', symbol: SYMBOL, side: 'buy', takerOrMaker: 'maker', price: '5', amount, cost: String(5 * Number(amount)), fee: { cost: '0', currency: 'USDC' }, timestamp: 1,
  settlement: 'pending', settlementWindow: undefined,
});
const balances = (free: string): Balances => ({ assets: { USDC: { free, used: '0', total: free, settling: '0' } }, free: { USDC: free }, used: { USDC: '0' }, total: { USDC: free }, settling: { USDC: '0' }, timestamp: 1 });

test('an order placed here: accepted with its price, partly filled, amended, cancelled', () => {
  const store = new DarkpoolStore();
  store.notePlacement('c1', { symbol: SYMBOL, type: 'limit', side: 'buy', price: '5', amount: '3', timeInForce: 'GTC' });
  const before = store.state;
  const accepted = store.applyReport(report({ kind: 'accepted', symbol: SYMBOL, orderId: '7', clientOrderId: 'c1', side: 'buy', remaining: '3' }))!;
  assert.equal([accepted.price, accepted.type, accepted.amount, accepted.filled, accepted.status], ['5', 'limit', '3', '0', 'open']);
  assert.is.not(store.state, before, 'a new state object');
  assert.equal(before.openOrders, {}, 'the old state is untouched');
  assert.ok(Object.isFrozen(store.state.openOrders['7']), 'states are frozen');
  assert.equal(store.state.placements, {});
  const fill = report({ kind: 'fill', symbol: SYMBOL, orderId: '7', clientOrderId: 'c1', side: 'buy', remaining: '1.9', trade: trade('1', '7', '1.1') });
  const filled = store.applyReport(fill)!;
  assert.equal([filled.filled, filled.remaining, filled.amount], ['1.1', '1.9', '3']);
  store.applyReport({ ...fill, seq: ++seq });
  assert.is(store.state.trades.length, 1, 'the same trade is kept once');
  const amended = store.applyReport(report({ kind: 'amended', symbol: SYMBOL, orderId: '7', clientOrderId: 'c1', remaining: '0.9', reason: 'user' }))!;
  assert.equal([amended.remaining, amended.amount], ['0.9', '2']);
  store.notePrice('7', '4.99');
  assert.is(store.state.openOrders['7']!.price, '4.99');
  store.applyReport(report({ kind: 'cancelled', symbol: SYMBOL, orderId: '7', clientOrderId: 'c1', remaining: '0', reason: 'user' }));
  const done = store.applyReport(report({ kind: 'done', symbol: SYMBOL, orderId: '7', clientOrderId: 'c1', remaining: '0.9', reason: 'cancelled' }))!;
  assert.equal([done.status, done.remaining, done.amount, done.reason], ['canceled', '0.9', '2', 'user']);
  assert.equal(store.state.openOrders, {});
  assert.is(store.state.closedOrders.at(-1)!.id, '7');
  assert.is(store.state.lastSeq, seq);
  assert.ok(store.state.balancesStale);
  store.setBalances(balances('10'));
  assert.not.ok(store.state.balancesStale);
  assert.is(store.state.balances.USDC!.free, '10');
});

test('fills to the end close the order; a self-trade decrement shrinks it; unknown orders are flagged', () => {
  const store = new DarkpoolStore();
  store.notePlacement('a', { symbol: SYMBOL, type: 'limit', side: 'sell', price: '5', amount: '2', timeInForce: 'GTC' });
  store.applyReport(report({ kind: 'accepted', symbol: SYMBOL, orderId: '1', clientOrderId: 'a', side: 'sell', remaining: '2' }));
  store.applyReport(report({ kind: 'cancelled', symbol: SYMBOL, orderId: '1', clientOrderId: 'a', remaining: '1.5', reason: 'selfTrade' }));
  assert.equal([store.state.openOrders['1']!.remaining, store.state.openOrders['1']!.amount], ['1.5', '1.5']);
  store.applyReport(report({ kind: 'fill', symbol: SYMBOL, orderId: '1', clientOrderId: 'a', side: 'sell', remaining: '0', trade: trade('2', '1', '1.5') }));
  const done = store.applyReport(report({ kind: 'done', symbol: SYMBOL, orderId: '1', clientOrderId: 'a', remaining: '0', reason: 'filled' }))!;
  assert.equal([done.status, done.filled, done.remaining], ['closed', '1.5', '0']);
  assert.not.ok(store.state.ordersIncomplete);
  const stranger = store.applyReport(report({ kind: 'accepted', symbol: SYMBOL, orderId: '9', clientOrderId: 'elsewhere', side: 'buy', remaining: '1' }))!;
  assert.is(stranger.price, undefined);
  assert.ok(store.state.ordersIncomplete, 'an order placed by another session has no known price');
});

test('settlement reports move exactly the trades in their range; a reconcile brings the server\'s status', () => {
  const store = new DarkpoolStore();
  for (const id of ['3', '5', '9']) store.applyReport(report({ kind: 'fill', symbol: SYMBOL, orderId: '1', trade: trade(id, '1', '1') }));
  const netted = report({ kind: 'settlement', status: 'netted', window: 2, firstTradeId: '3', lastTradeId: '5', tradeCount: 2 });
  assert.equal(store.tradesSettledBy(netted).map((t) => t.id), ['3', '5']);
  store.applyReport(netted);
  assert.equal(store.state.trades.map((t) => [t.id, t.settlement, t.settlementWindow]), [['3', 'netted', 2], ['5', 'netted', 2], ['9', 'pending', undefined]]);
  store.applyReport(report({ kind: 'settlement', status: 'confirmed', window: 2, firstTradeId: '3', lastTradeId: '5', tradeCount: 2, batchId: '0xab' }));
  assert.equal(store.state.trades.map((t) => t.settlement), ['confirmed', 'confirmed', 'pending']);
  assert.equal(store.tradesSettledBy(report({ kind: 'deposit', asset: 'USDC', amount: '1', status: 'credited' })), [], 'other reports cover no trades');
  store.reconcile({ trades: [{ ...trade('9', '1', '1'), settlement: 'submitted', settlementWindow: 3 }] }, 5);
  assert.equal(store.state.trades.map((t) => [t.id, t.settlement]), [['3', 'confirmed'], ['5', 'confirmed'], ['9', 'submitted']], 'the fetched status replaces the local one');
  assert.is(store.state.trades.length, 3, 'and the trade is still kept once');
});

test('reconcile: the server snapshot wins, local knowledge is kept, other symbols are left alone', () => {
  const store = new DarkpoolStore();
  store.notePlacement('a', { symbol: SYMBOL, type: 'limit', side: 'buy', price: '5', amount: '2', timeInForce: 'GTC' });
  store.applyReport(report({ kind: 'accepted', symbol: SYMBOL, orderId: '1', clientOrderId: 'a', side: 'buy', remaining: '2' }));
  store.applyReport(report({ kind: 'fill', symbol: SYMBOL, orderId: '1', clientOrderId: 'a', side: 'buy', remaining: '1', trade: trade('3', '1', '1') }));
  store.applyReport(report({ kind: 'accepted', symbol: SYMBOL, orderId: '2', clientOrderId: 'b', side: 'buy', remaining: '1' }));
  store.applyReport(report({ kind: 'accepted', symbol: 'KSM/USDC', orderId: '5', clientOrderId: 'k', side: 'buy', remaining: '1' }));
  const fetched: Order = { id: '1', clientOrderId: 'a', symbol: SYMBOL, type: 'limit', side: 'buy', price: '5', amount: undefined, filled: undefined, remaining: '0.5', status: 'open', timeInForce: 'GTC', reason: undefined, lastUpdateTimestamp: 2 };
  const extra: Order = { ...fetched, id: '3', clientOrderId: 'c', remaining: '4', price: '4.5' };
  store.reconcile({ openOrders: [fetched, extra], symbol: SYMBOL, balances: balances('7'), trades: [trade('3', '1', '1'), trade('4', '1', '0.5')] }, 99);
  const state = store.state;
  assert.equal(Object.keys(state.openOrders).sort(), ['1', '3', '5']);
  assert.equal([state.openOrders['1']!.filled, state.openOrders['1']!.amount, state.openOrders['1']!.remaining], ['1', '1.5', '0.5']);
  assert.is(state.openOrders['3']!.price, '4.5');
  assert.is(state.closedOrders.at(-1)!.id, '2');
  assert.is(state.closedOrders.at(-1)!.reason, 'reconciled');
  assert.is(state.balances.USDC!.free, '7');
  assert.equal(state.trades.map((t) => t.id), ['3', '4']);
  assert.is(state.reconciledAtMs, 99);
});

test('reconcile of one page: only the order ids the page speaks for are closed or replaced', () => {
  const store = new DarkpoolStore();
  for (const id of ['2', '4', '6', '8', '10']) store.applyReport(report({ kind: 'accepted', symbol: SYMBOL, orderId: id, clientOrderId: `c${id}`, side: 'sell', remaining: '1' }));
  const open = (id: string, remaining: string): Order => ({
    id, clientOrderId: `c${id}`, symbol: SYMBOL, type: 'limit', side: 'sell', price: '5', amount: undefined, filled: undefined, remaining, status: 'open', timeInForce: 'GTC', reason: undefined, lastUpdateTimestamp: 2,
  });
  // Page one covers ids up to 6: order 4 is gone on the server, 6 changed; 8 and 10 are for later pages.
  store.reconcile({ openOrders: [open('2', '1'), open('6', '0.5')], orderIdRange: { afterId: 0, throughId: 6 } }, 10);
  assert.equal(Object.keys(store.state.openOrders).sort((a, b) => Number(a) - Number(b)), ['2', '6', '8', '10']);
  assert.is(store.state.openOrders['6']!.remaining, '0.5');
  assert.equal(store.state.closedOrders.map((order) => [order.id, order.reason]), [['4', 'reconciled']]);
  // The last page (to the end): 8 is gone, 12 is new.
  store.reconcile({ openOrders: [open('10', '1'), open('12', '2')], orderIdRange: { afterId: 6, throughId: undefined } }, 11);
  assert.equal(Object.keys(store.state.openOrders).sort((a, b) => Number(a) - Number(b)), ['2', '6', '10', '12']);
  assert.equal(store.state.closedOrders.map((order) => order.id), ['4', '8']);
  assert.not.ok(store.state.ordersIncomplete, 'every fetched order carried its type and side');
});

test('the store is bounded', () => {
  const store = new DarkpoolStore();
  for (let i = 1; i <= STORE_LIMITS.maxClosedOrders + 5; i++) {
    store.applyReport(report({ kind: 'accepted', symbol: SYMBOL, orderId: String(i), clientOrderId: `x${i}`, side: 'buy', remaining: '1' }));
    store.applyReport(report({ kind: 'done', symbol: SYMBOL, orderId: String(i), clientOrderId: `x${i}`, remaining: '1', reason: 'cancelled' }));
  }
  assert.is(store.state.closedOrders.length, STORE_LIMITS.maxClosedOrders);
  assert.is(store.state.closedOrders[0]!.id, '6');
  for (let i = 0; i < STORE_LIMITS.maxPendingPlacements + 10; i++) store.notePlacement(`p${i}`, { symbol: SYMBOL, type: 'limit', side: 'buy', price: '1', amount: '1', timeInForce: 'GTC' });
  assert.is(Object.keys(store.state.placements).length, STORE_LIMITS.maxPendingPlacements);
});

let venue: Venue;

test('live: after an outage longer than the enclave remembers, the store equals the server', async () => {
  venue = await startVenue();
  const second = await venue.addRoute();
  const watcher = await venueClient(venue, 71, { storeRefreshMs: 0 });
  const sameAccount = await venueClient(venue, 71, {}, second);
  const taker = await venueClient(venue, 72, {}, second);
  await venue.fund(watcher.accountId, { DOT: '100', USDC: '1000' });
  await venue.fund(taker.accountId, { DOT: '100', USDC: '1000' });
  const first = await watcher.createOrder(SYMBOL, 'limit', 'sell', '2', '5.00');
  const second2 = await watcher.createOrder(SYMBOL, 'limit', 'sell', '1', '5.50');
  await eventually(() => watcher.store.state.openOrders[second2.id], 'the watcher saw its orders accepted');
  const gaps: number[] = [];
  watcher.watchGaps().subscribe((range) => gaps.push(range.toSeq - range.fromSeq + 1));

  venue.refuseConnections(true);
  venue.dropConnections();
  await eventually(() => watcher.connectionState === 'reconnecting', 'the watcher lost its stream');
  await sameAccount.cancelOrder(second2.id, SYMBOL);
  const third = await sameAccount.createOrder(SYMBOL, 'limit', 'sell', '3', '6.00');
  await taker.createOrder(SYMBOL, 'limit', 'buy', '1.5', '5.00');
  // More reports than the enclave keeps per account (1024): tiny deposits through the chain path.
  await Promise.all(Array.from({ length: 1_100 }, (_, i) => venue.host.deposit(watcher.accountId, 'USDC', 1n, `flood-${i}`)));
  venue.refuseConnections(false);

  await eventually(() => watcher.connectionState === 'open' && watcher.store.state.reconciledAtMs !== undefined && gaps.length > 0, 'reconnected and reconciled', 20_000);
  await eventually(async () => {
    const serverOrders = await sameAccount.fetchOpenOrders(SYMBOL);
    const local = watcher.store.openOrders(SYMBOL);
    return JSON.stringify(local.map((o) => [o.id, o.remaining, o.price])) === JSON.stringify(serverOrders.map((o) => [o.id, o.remaining, o.price]));
  }, 'open orders agree', 10_000);
  const local = watcher.store.state;
  assert.equal(Object.keys(local.openOrders).sort(), [first.id, third.id].sort());
  assert.is(local.openOrders[first.id]!.remaining, '0.5', 'the fill during the outage is reflected');
  assert.is(local.openOrders[third.id]!.price, '6', 'an order placed by another session is completed by the fetch');
  const serverBalances = await sameAccount.fetchBalance();
  assert.equal(local.balances, serverBalances.assets);
  assert.is(serverBalances.assets.USDC!.free, '1000.0011', '1100 atoms of USDC deposited during the outage');
  assert.ok(local.trades.some((t) => t.order === first.id && t.amount === '1.5'), 'the outage fill is in the trades');
  assert.ok(gaps.reduce((a, b) => a + b, 0) > 0, 'a gap was reported');
  for (const client of [watcher, sameAccount, taker]) await client.close();
});

test.after(async () => {
  await venue?.close();
});

test.run();
