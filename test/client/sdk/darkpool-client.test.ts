// DarkpoolClient end to end against the real enclave worker behind a websocket relay on
// 127.0.0.1: attestation verdicts and refusals, two traders crossing (both see their fill,
// balances move by price and fees), cancel / edit / cancel-all / the dead-man switch, and
// rejects arriving as DarkpoolErrors with the enclave's codes; each fill's settlement status
// through to confirmed on the embedded chain (live, and after a reconnect); the deposit address
// the enclave names, and a deposit there credited to the right trader; a market maker's 501
// orders and 300 trades listed page by page, into the store on connect and after a reconnect.
import { Decimal } from 'decimal.js';
import { filter, firstValueFrom, take, timeout, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DarkpoolClient, DarkpoolError, isDarkpoolError, type Order } from '../../../client/sdk/index.js';
import { nodeTransport } from '../../../client/sdk/node-transport.js';
import { ERRORS, type ErrorName } from '../../../src/errors/index.js';
import { Prng } from '../../support/prng.js';
import { seedFrom } from '../../support/enclave-trader.js';
import { eventually, startVenue, venueClient, VENUE_MARKET, type Venue } from '../../support/client-venue.js';

const SYMBOL = VENUE_MARKET.id;
let venue: Venue;
const open: DarkpoolClient[] = [];

async function client(seed: number, options: Parameters<typeof venueClient>[2] = {}): Promise<DarkpoolClient> {
  const created = await venueClient(venue, seed, options);
  open.push(created);
  return created;
}

async function rejects(run: () => Promise<unknown>, name: ErrorName, origin: DarkpoolError['origin']): Promise<DarkpoolError> {
  try {
    await run();
  } catch (error) {
    assert.ok(isDarkpoolError(error, name), `expected ${name}, got ${String(error)}`);
    assert.is(error.code, ERRORS[name].code);
    assert.is(error.origin, origin, `${name} from the ${origin}`);
    return error;
  }
  assert.unreachable(`expected ${name}`);
  throw new Error('unreachable');
}

test.before(async () => {
  venue = await startVenue();
});

test('connect verifies the attestation: a dev enclave is accepted only with the opt-in, and says so', async () => {
  const trader = await client(1);
  const verdict = trader.attestation!;
  assert.ok(verdict.ok);
  assert.is(verdict.kind, 'dev');
  assert.is(verdict.insecure, true);
  assert.ok(verdict.checks.some((check) => check.name === 'dev-signature' && check.outcome === 'passed'));
  assert.is(trader.connectionState, 'open');
  assert.equal(trader.market(SYMBOL).tickSize, VENUE_MARKET.tickSize);
  assert.is(trader.lastSeq, 0, 'a fresh account starts at seq 0');
  const options = { url: venue.url, secretKey: seedFrom(new Prng(2)), transport: nodeTransport };
  await rejects(() => new DarkpoolClient({ ...options, policy: {} }).connect(), 'ATTESTATION_DEV_NOT_ALLOWED', 'client');
  await rejects(() => new DarkpoolClient({ ...options, policy: { dev: { allowInsecureDevAttestation: false, rootPublicKeyHex: venue.devRootHex } } }).connect(), 'ATTESTATION_DEV_NOT_ALLOWED', 'client');
  await rejects(() => new DarkpoolClient({ ...options, policy: { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: '11'.repeat(32) } } }).connect(), 'ATTESTATION_DEV_ROOT_MISMATCH', 'client');
  await rejects(() => new DarkpoolClient({ ...options, policy: venue.policy, url: 'http://127.0.0.1:1' }).connect(), 'CLIENT_HTTP_FAILED', 'gateway');
  assert.throws(() => new DarkpoolClient({ ...options, policy: venue.policy, secretKey: 'abc' }), (error: unknown) => isDarkpoolError(error, 'CLIENT_KEY_INVALID'));
  assert.throws(() => new DarkpoolClient({ ...options, policy: venue.policy, url: 'ftp://x' }), (error: unknown) => isDarkpoolError(error, 'CLIENT_OPTIONS_INVALID'));
  await rejects(() => trader.fetchMyTrades().then(() => new DarkpoolClient({ ...options, policy: venue.policy }).fetchBalance()), 'CLIENT_NOT_CONNECTED', 'client');
  const answering = (status: number, body: string) => async () => ({ ok: status < 300, status, text: async () => body });
  await rejects(() => new DarkpoolClient({ ...options, policy: venue.policy, fetch: answering(200, 'not json') }).connect(), 'CLIENT_HTTP_BAD_RESPONSE', 'gateway');
  await rejects(() => new DarkpoolClient({ ...options, policy: venue.policy, fetch: answering(200, '[{"id":"X"}]') }).connect(), 'CLIENT_HTTP_BAD_RESPONSE', 'gateway');
  await rejects(() => new DarkpoolClient({ ...options, policy: venue.policy, fetch: answering(503, '') }).connect(), 'CLIENT_HTTP_FAILED', 'gateway');
  await rejects(() => new DarkpoolClient({ ...options, policy: venue.policy, fetch: answering(200, '['.padEnd(2_000_000, ' ')) }).connect(), 'CLIENT_HTTP_BAD_RESPONSE', 'gateway');
  const markets = await (await fetch(`${venue.url}/v1/markets`)).text();
  const forged = async (url: string) => ({ ok: true, status: 200, text: async () => (url.endsWith('/v1/markets') ? markets : venue.host.bundle.replace(/"signatureHex":"(.)/, (_match, first: string) => `"signatureHex":"${first === '0' ? '1' : '0'}`)) });
  await rejects(() => new DarkpoolClient({ ...options, policy: venue.policy, fetch: forged }).connect(), 'ATTESTATION_DEV_SIGNATURE_INVALID', 'client');
});

test('a resting order and a crossing one: both sides see their fill, balances move by price and fees', async () => {
  const maker = await client(11);
  const taker = await client(12);
  await venue.fund(maker.accountId, { DOT: '100', USDC: '1000' });
  await venue.fund(taker.accountId, { DOT: '100', USDC: '1000' });
  const makerTrades = firstValueFrom(maker.watchMyTrades(SYMBOL).pipe(take(1), timeout(5_000)));
  const takerTrades = firstValueFrom(taker.watchMyTrades().pipe(take(1), timeout(5_000)));
  const makerOrders = firstValueFrom(maker.watchOrders(SYMBOL).pipe(take(2), toArray(), timeout(5_000)));

  const resting = await maker.createOrder(SYMBOL, 'limit', 'sell', '2.0', '5.00', { clientOrderId: 'maker-1' });
  assert.equal([resting.status, resting.price, resting.amount, resting.clientOrderId], ['open', '5', '2', 'maker-1']);
  const crossing = await taker.createOrder(SYMBOL, 'limit', 'buy', '1.5', '5.10');
  const makerFill = await makerTrades;
  const takerFill = await takerTrades;
  assert.equal([makerFill.side, makerFill.takerOrMaker, makerFill.price, makerFill.amount, makerFill.order], ['sell', 'maker', '5', '1.5', resting.id]);
  assert.equal([takerFill.side, takerFill.takerOrMaker, takerFill.price, takerFill.amount, takerFill.order], ['buy', 'taker', '5', '1.5', crossing.id]);
  assert.is(makerFill.id, takerFill.id, 'one trade, seen from both sides');
  const notional = new Decimal('5').times('1.5');
  assert.is(takerFill.cost, notional.toFixed());
  assert.is(takerFill.fee.cost, notional.times(VENUE_MARKET.takerFeeBps).div(10_000).toFixed());
  const orderUpdates = await makerOrders;
  assert.equal(orderUpdates.map((order: Order) => [order.id, order.status, order.filled, order.remaining]), [[resting.id, 'open', '0', '2'], [resting.id, 'open', '1.5', '0.5']]);

  const makerBalance = await maker.fetchBalance();
  const takerBalance = await taker.fetchBalance();
  assert.equal(makerBalance.assets.DOT, { free: '98', used: '0.5', total: '98.5', settling: '0' });
  assert.is(makerBalance.assets.USDC!.settling, notional.minus(notional.times(VENUE_MARKET.makerFeeBps).div(10_000)).toFixed());
  assert.is(takerBalance.assets.DOT!.settling, '1.5');
  assert.is(takerBalance.assets.USDC!.free, new Decimal('1000').minus(notional).minus(takerFill.fee.cost).toFixed());
  assert.is(takerBalance.assets.USDC!.used, '0', 'nothing stays reserved once the buy is filled');
  await eventually(() => maker.store.state.balances.DOT?.used === '0.5' && !maker.store.state.balancesStale, 'the store refreshed the maker balances');
  assert.equal(maker.store.openOrders(SYMBOL).map((order) => [order.id, order.filled, order.remaining]), [[resting.id, '1.5', '0.5']]);
  assert.ok((await taker.fetchMyTrades(SYMBOL)).some((trade) => trade.id === takerFill.id));
});

test('edit, cancel and cancel-all change the book as asked', async () => {
  const trader = await client(21);
  await venue.fund(trader.accountId, { USDC: '1000' });
  const order = await trader.createOrder(SYMBOL, 'limit', 'buy', '1', '4.00');
  await trader.editOrder(order.id, SYMBOL, { price: '4.10', amount: '2' });
  await eventually(() => trader.store.state.openOrders[order.id]?.remaining === '2', 'the amended report arrived');
  const [fetched] = await trader.fetchOpenOrders(SYMBOL);
  assert.equal([fetched!.id, fetched!.price, fetched!.remaining], [order.id, '4.1', '2']);
  const cancelled = firstValueFrom(trader.watchOrders().pipe(take(2), toArray(), timeout(5_000)));
  assert.equal(await trader.cancelOrder(order.id, SYMBOL), { id: order.id });
  assert.equal((await cancelled).map((update) => [update.id, update.status, update.reason]), [[order.id, 'open', 'user'], [order.id, 'canceled', 'user']]);
  assert.is(trader.store.state.openOrders[order.id], undefined);
  await rejects(() => trader.cancelOrder(order.id, SYMBOL), 'ORDER_NOT_FOUND', 'enclave');
  for (const price of ['3.00', '3.10', '3.20']) await trader.createOrder(SYMBOL, 'limit', 'buy', '1', price);
  await trader.createOrder(SYMBOL, 'limit', 'buy', '1', '3.30', { clientOrderId: 'by-client-id' });
  await trader.cancelOrder('', SYMBOL, { clientOrderId: 'by-client-id' });
  assert.equal(await trader.cancelAllOrders(SYMBOL), { cancelled: 3 });
  assert.equal(await trader.fetchOpenOrders(), []);
  assert.equal(await trader.cancelAllOrders(), { cancelled: 0 });
});

test('the dead-man switch: heartbeats keep orders alive; silence cancels them; 0 disarms', async () => {
  const trader = await client(31);
  const observer = await client(31);
  await venue.fund(trader.accountId, { USDC: '1000' });
  await trader.createOrder(SYMBOL, 'limit', 'buy', '1', '2.00');
  assert.equal(await trader.cancelAllOrdersAfter(800), { afterMs: 800 });
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.is((await observer.fetchOpenOrders()).length, 1, 'heartbeats every 266 ms kept the order for over two intervals');
  const closedAt = Date.now();
  await trader.close();
  await eventually(async () => (await observer.fetchOpenOrders()).length === 0, 'the dead-man cancelled after the heartbeats stopped', 5_000);
  assert.ok(Date.now() - closedAt >= 500, 'not before the interval ran out');
  await observer.createOrder(SYMBOL, 'limit', 'buy', '1', '2.00');
  await observer.cancelAllOrdersAfter(300);
  assert.equal(await observer.cancelAllOrdersAfter(0), { afterMs: 0 });
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.is((await observer.fetchOpenOrders()).length, 1, 'disarmed: the order stays');
  await rejects(() => observer.cancelAllOrdersAfter(50), 'CLIENT_DEAD_MAN_INVALID', 'client');
});

test('rejects carry the enclave codes; client checks fail before anything is sent', async () => {
  const broke = await client(41);
  await rejects(() => broke.createOrder(SYMBOL, 'limit', 'buy', '1', '5'), 'ESCROW_INSUFFICIENT_FUNDS', 'enclave');
  await rejects(() => broke.withdraw('USDC', '1'), 'ESCROW_INSUFFICIENT_FUNDS', 'enclave');
  await rejects(() => broke.request('order.place', { market: SYMBOL, clientOrderId: 'raw1', side: 'buy', type: 'limit', size: '1', price: '5.001' }), 'DECIMAL_TOO_MANY_DECIMALS', 'enclave');
  await rejects(() => broke.request('order.place', { market: SYMBOL, clientOrderId: 'raw2', side: 'buy', type: 'limit', size: '1.05', price: '5' }), 'DECIMAL_TOO_MANY_DECIMALS', 'enclave');
  await rejects(() => broke.request('order.place', { market: SYMBOL, clientOrderId: 'raw3', side: 'buy', type: 'limit', size: '1', price: '1e1' }), 'DECIMAL_EXPONENT', 'enclave');
  await rejects(() => broke.request('order.place', { market: 'NOPE/USDC', clientOrderId: 'raw4', side: 'buy', type: 'limit', size: '1', price: '5' }), 'REQUEST_MARKET_UNKNOWN', 'enclave');
  await rejects(() => broke.createOrder(SYMBOL, 'limit', 'buy', '1', '5.001'), 'CLIENT_PRICE_OFF_TICK', 'client');
  await rejects(() => broke.createOrder(SYMBOL, 'limit', 'buy', '1.05', '5'), 'CLIENT_SIZE_OFF_LOT', 'client');
  await rejects(() => broke.createOrder('NOPE/USDC', 'limit', 'buy', '1', '5'), 'CLIENT_MARKET_UNKNOWN', 'client');
  await rejects(() => broke.withdraw('BTC', '1'), 'CLIENT_ASSET_UNKNOWN', 'client');
  const funded = await client(42);
  await venue.fund(funded.accountId, { DOT: '10', USDC: '100' });
  await funded.createOrder(SYMBOL, 'limit', 'sell', '1', '7.00', { clientOrderId: 'dup' });
  await rejects(() => funded.createOrder(SYMBOL, 'limit', 'sell', '1', '7.00', { clientOrderId: 'dup' }), 'CLIENT_ORDER_ID_DUPLICATE', 'enclave');
  await rejects(() => funded.createOrder(SYMBOL, 'limit', 'buy', '1', '7.00', { postOnly: true }), 'POST_ONLY_WOULD_TRADE', 'enclave');
  await rejects(() => funded.createOrder(SYMBOL, 'peg', 'sell', '1', undefined, { offsetTicks: 1 }), 'REFERENCE_UNAVAILABLE', 'enclave');
  await rejects(() => funded.createOrder(SYMBOL, 'midpoint', 'buy', '1'), 'ESCROW_CAP_REQUIRED', 'enclave');
  await rejects(() => funded.editOrder('999', SYMBOL, { amount: '2' }), 'ORDER_NOT_FOUND', 'enclave');
  assert.equal(funded.store.state.placements, {}, 'refused placements are forgotten');
});

test('withdraw debits the balance and reports it in decimals', async () => {
  const trader = await client(51);
  await venue.fundOnChain(trader.accountId, { USDC: '100' });
  const credited = Date.now();
  while ((await trader.fetchBalance()).assets.USDC?.free !== '100' && Date.now() - credited < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
  const reports = firstValueFrom(trader.watchReports().pipe(filter((report) => report.kind === 'withdrawal'), take(1), timeout(5_000)));
  const withdrawal = await trader.withdraw('USDC', '12.500000');
  assert.equal([withdrawal.asset, withdrawal.amount], ['USDC', '12.5']);
  assert.match(withdrawal.id, /^w\d+$/);
  const report = await reports;
  assert.equal([report.kind, report.asset, report.amount, report.status, report.batchId], ['withdrawal', 'USDC', '12.5', 'debited', withdrawal.id]);
  assert.is((await trader.fetchBalance()).assets.USDC!.free, '87.5');
});

test('each fill carries its settlement status: pending, then live through netted and submitted to confirmed on the chain, also after a reconnect', async () => {
  const settling = await startVenue({ settlementWindowMs: 300 });
  const maker = await venueClient(settling, 61);
  const route = await settling.addRoute();
  const taker = await venueClient(settling, 62, {}, route);
  try {
    await settling.fundOnChain(maker.accountId, { DOT: '10' });
    await settling.fundOnChain(taker.accountId, { USDC: '100' });
    await eventually(async () => (await maker.fetchBalance()).assets.DOT?.free === '10' && (await taker.fetchBalance()).assets.USDC?.free === '100', 'chain deposits credited', 10_000);
    const makerSeen: string[] = [];
    maker.watchMyTrades(SYMBOL).subscribe((trade) => makerSeen.push(trade.settlement));
    const confirmed = firstValueFrom(maker.watchMyTrades(SYMBOL).pipe(filter((trade) => trade.settlement === 'confirmed'), take(1), timeout(15_000)));
    await maker.createOrder(SYMBOL, 'limit', 'sell', '1', '5.00');
    // The taker's network fails right after its order: it learns the settlement steps only after reconnecting.
    await taker.createOrder(SYMBOL, 'limit', 'buy', '1', '5.00', { timeInForce: 'IOC' });
    const [takerFill] = taker.store.state.trades;
    route.refuseConnections(true);
    route.dropConnections();
    const makerTrade = await confirmed;
    assert.equal(makerSeen, ['pending', 'netted', 'submitted', 'confirmed'], 'the maker watched its fill move through every step, live');
    assert.is(makerTrade.settlementWindow !== undefined && makerTrade.settlementWindow > 0, true);
    const [fetched] = await maker.fetchMyTrades(SYMBOL);
    assert.equal([fetched!.id, fetched!.settlement, fetched!.settlementWindow], [makerTrade.id, 'confirmed', makerTrade.settlementWindow]);
    assert.equal(maker.store.state.trades.map((trade) => trade.settlement), ['confirmed']);
    assert.is(await settling.host.embeddedChainBalance(taker.accountId, 'DOT'), 10_000_000_000n, 'the buyer holds its DOT on the chain');

    assert.is(takerFill?.id, makerTrade.id, 'one trade id on both sides');
    assert.is(takerFill?.settlement, 'pending', 'the taker saw its fill before the outage');
    route.refuseConnections(false);
    await eventually(() => taker.store.state.trades[0]?.settlement === 'confirmed', 'the taker\'s store catches up after the reconnect', 15_000);
    assert.equal((await taker.fetchMyTrades()).map((trade) => [trade.id, trade.settlement]), [[makerTrade.id, 'confirmed']]);
  } finally {
    await maker.close();
    await taker.close();
    await settling.close();
  }
});

test('depositAddress: the enclave names the pool and the convention; a transfer there from the trader is credited to that trader only', async () => {
  const depositor = await client(71);
  const bystander = await client(72);
  const address = await depositor.depositAddress('USDC');
  assert.is(address.chain, 'para:1000');
  assert.is(address.poolAccount.hex, await venue.host.settlementAccount(), 'the pool the enclave settles from');
  assert.match(address.poolAccount.ss58, /^5[1-9A-HJ-NP-Za-km-z]{47}$/);
  assert.equal([address.sendFrom.hex, address.convention, address.memo, address.ss58Prefix], [`0x${depositor.accountId}`, 'sender', null, 42]);
  assert.equal(address.assetLocation, { parents: 0, interior: [{ kind: 'PalletInstance', index: 50 }, { kind: 'GeneralIndex', index: '1337' }] });
  assert.is((await depositor.depositAddress('DOT')).assetLocation.parents, 1, 'DOT is the relay chain\'s asset');
  await rejects(() => depositor.depositAddress('XYZ'), 'CLIENT_ASSET_UNKNOWN', 'client');
  await rejects(() => depositor.request('query.depositAddress', { asset: 'XYZ' }), 'REQUEST_ASSET_UNKNOWN', 'enclave');
  const credited = firstValueFrom(depositor.watchReports().pipe(filter((report) => report.kind === 'deposit'), take(1), timeout(10_000)));
  await venue.transferOnChain(depositor.accountId, 'USDC', '4.25', address.poolAccount.hex);
  const report = await credited;
  assert.equal([report.asset, report.amount, report.status], ['USDC', '4.25', 'credited']);
  assert.is((await depositor.fetchBalance()).assets.USDC!.free, '4.25');
  assert.is((await bystander.fetchBalance()).assets.USDC, undefined, 'nobody else was credited');
});

test('a market maker with 501 resting orders and 300 trades lists them all, page by page, also into a fresh store and after a reconnect', async () => {
  // A venue of its own: an empty book, so every fill is between these two traders.
  const own = await startVenue();
  const clients: DarkpoolClient[] = [];
  const ownClient = async (seed: number): Promise<DarkpoolClient> => {
    const created = await venueClient(own, seed);
    clients.push(created);
    return created;
  };
  try {
    const maker = await ownClient(91);
    const taker = await ownClient(92);
    await own.fund(maker.accountId, { DOT: '1000', USDC: '10' });
    await own.fund(taker.accountId, { USDC: '10000' });
    const longId = (index: number): string => `mm-${String(index).padStart(4, '0')}-${'x'.repeat(55)}`;
    const deep = await maker.createOrder(SYMBOL, 'limit', 'sell', '31.0', '10.00', { clientOrderId: longId(9999) });
    // Batches of 40 frames a quarter second apart stay inside the gateway's 200 frames per second.
    const paced = async (batches: number, send: (index: number) => Promise<unknown>): Promise<void> => {
      for (let batch = 0; batch < batches; batch++) {
        await Promise.all(Array.from({ length: 40 }, (_, offset) => send(batch * 40 + offset)));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    await paced(500 / 40 + 0.5, (index) => index >= 500 ? Promise.resolve()
      : maker.createOrder(SYMBOL, 'limit', 'sell', '1.0', new Decimal('20').plus(new Decimal(index).times('0.01')).toFixed(2), { clientOrderId: longId(index) }));
    await paced(300 / 40 + 0.5, (index) => index >= 300 ? Promise.resolve() : taker.createOrder(SYMBOL, 'limit', 'buy', '0.1', '10.00'));
    await eventually(() => maker.store.state.trades.length === 300, 'the maker saw its 300 fills', 30_000);

    const orders = await maker.fetchOpenOrders(SYMBOL);
    assert.is(orders.length, 501);
    assert.is(new Set(orders.map((order) => order.id)).size, 501, 'each order once');
    assert.ok(orders.some((order) => order.id === deep.id && order.remaining === '1'), 'the deep order rests with what the fills left');
    assert.is((await maker.fetchOpenOrders()).length, 501, 'all markets too');
    const trades = await maker.fetchMyTrades();
    assert.is(trades.length, 300);
    assert.is(new Set(trades.map((trade) => trade.id)).size, 300, 'each trade once');
    assert.ok(trades.every((trade) => trade.order === deep.id && trade.amount === '0.1'));
    const newest = await maker.fetchMyTrades(SYMBOL, undefined, 10);
    assert.equal(newest.map((trade) => trade.id), trades.slice(-10).map((trade) => trade.id), 'limit without since: the newest');
    const since = trades[100]!.timestamp;
    const fromSince = await maker.fetchMyTrades(SYMBOL, since, 5);
    assert.ok(fromSince.length === 5 && fromSince.every((trade) => trade.timestamp >= since), 'since and limit: the first five from then');
    assert.equal(fromSince, trades.filter((trade) => trade.timestamp >= since).slice(0, 5));
    await rejects(() => maker.fetchMyTrades(SYMBOL, -1), 'CLIENT_OPTIONS_INVALID', 'client');

    // A fresh client of the same account fills its empty store from every page when it connects.
    const fresh = await ownClient(91);
    assert.is(fresh.store.openOrders(SYMBOL).length, 501);
    assert.is(fresh.store.state.trades.length, 300);

    // A reconnect reconciles the store through the pages; an order cancelled meanwhile leaves it.
    const faults: DarkpoolError[] = [];
    const watching = maker.watchFaults().subscribe((fault) => faults.push(fault));
    const reconciledAtMs = maker.store.state.reconciledAtMs;
    await fresh.cancelOrder(orders[250]!.id, SYMBOL);
    own.dropConnections();
    await eventually(() => maker.store.state.reconciledAtMs !== reconciledAtMs && maker.connectionState === 'open', 'the maker reconnected and reconciled', 30_000);
    await eventually(() => maker.store.openOrders(SYMBOL).length === 500, 'the cancelled order left the store', 30_000);
    assert.ok(!maker.store.openOrders(SYMBOL).some((order) => order.id === orders[250]!.id));
    watching.unsubscribe();
    assert.equal(faults.filter((fault) => fault.errorName !== 'CLIENT_CONNECTION_LOST' && fault.errorName !== 'CLIENT_SOCKET_CLOSED').map((fault) => fault.errorName), [], 'no fault but the drop itself');
    await maker.cancelAllOrders();
    assert.equal(await maker.fetchOpenOrders(), []);
  } finally {
    for (const created of clients) await created.close();
    await own.close();
  }
});

test.after(async () => {
  for (const trader of open) await trader.close();
  await venue.close();
});

test.run();
