// Paged list answers: a page never exceeds one frame whatever the field lengths (worst-case
// items built from the wire limits, and a real engine with 64-character ids and an escaped
// market id); following the cursors lists every item once, also while orders are placed,
// cancelled and filled between pages; and through the real runtime a market maker with 500
// resting orders lists them without its session being closed, while the other answers whose
// size could grow (mass quote, cancel-all, resume) stay inside a frame at their maxima.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DevAttestationProvider } from '../../src/enclave/attestation/dev-provider.js';
import { ENGINE_LIMITS, EnclaveEngine, type EnclaveCommand, type EnclaveCommandBody } from '../../src/enclave/engine.js';
import { DEFAULT_ESCROW_LIMITS } from '../../src/enclave/escrow.js';
import { DevSealingKeySource } from '../../src/enclave/keys.js';
import { reportMessageText } from '../../src/enclave/report-envelope.js';
import { answerListQuery, assetCursor, fillPage, LIST_KEYS, pageBudgetBytes, type ListQuery, type ListQueryType } from '../../src/enclave/query-pages.js';
import { REQUEST_LIMITS, type OrderSpec } from '../../src/enclave/requests.js';
import { EnclaveRuntime } from '../../src/enclave/runtime.js';
import { ENCLAVE_CHANNEL_FAULTS } from '../../src/enclave/channel/index.js';
import { MAX_PAYLOAD_BYTES } from '../../src/protocol/channel-wire.js';
import { decodeMessage, encodeMessageText, MESSAGE_LIMITS } from '../../src/protocol/message-codec.js';
import { QUERY_PAGE_LIMITS, type OpenOrderWire, type ReportBody, type TradeWire } from '../../src/protocol/trading-messages.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { Prng } from '../support/prng.js';
import { TEST_MARKET, TestTrader, seedFrom } from '../support/enclave-trader.js';

const SEED = Number(process.env.QUERY_PAGES_SEED ?? 20261125);
const LONGEST_ID = 'r'.repeat(MESSAGE_LIMITS.maxIdChars);
/** Longer than any decimal the engine formats: 60 integer digits and 36 decimals, plus a sign's worth. */
const LONGEST_DECIMAL = `${'9'.repeat(60)}.${'9'.repeat(36)}`;
const ESCAPED_MARKET = `M${'\u0001'.repeat(63)}`;

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The answer message as the runtime would encode it, with the longest request id. */
function answerText(type: ListQueryType, result: Record<string, unknown>): string {
  return encodeMessageText({ t: 'result', id: LONGEST_ID, body: { request: type, result } }, ENCLAVE_CHANNEL_FAULTS);
}

function assertFits(type: ListQueryType, result: Record<string, unknown>, label: string): void {
  const text = answerText(type, result);
  assert.ok(utf8Bytes(text) <= MAX_PAYLOAD_BYTES, `${label}: ${utf8Bytes(text)} bytes exceed ${MAX_PAYLOAD_BYTES}`);
  assert.ok(decodeMessage(new TextEncoder().encode(text), ENCLAVE_CHANNEL_FAULTS).t === 'result', `${label}: decodes as a message`);
}

// ─────────────────────────── fillPage ───────────────────────────

test('fillPage: greedy by count and measured bytes, against a reference; an oversize item is a bug', () => {
  const prng = new Prng(SEED);
  for (let round = 0; round < 300; round++) {
    const items = Array.from({ length: prng.int(0, 80) }, (_, index) => ({ id: index + 1, pad: 'x'.repeat(prng.int(0, 200)) }));
    const limit = prng.int(1, QUERY_PAGE_LIMITS.maxItemsPerPage);
    const budget = prng.int(250, 4000);
    const page = fillPage(items, (item) => String(item.id), limit, budget);
    let used = 0;
    let expected = 0;
    for (const item of items) {
      const bytes = JSON.stringify(item).length + (expected === 0 ? 0 : 1);
      if (expected === limit || used + bytes > budget) break;
      used += bytes;
      expected += 1;
    }
    assert.is(page.items.length, expected, `seed ${SEED} round ${round}: page size`);
    assert.is(page.nextCursor, expected === items.length ? null : String(expected), `seed ${SEED} round ${round}: cursor is the last item's key`);
    assert.ok(JSON.stringify(page.items).length - 2 <= budget, `seed ${SEED} round ${round}: within budget`);
  }
  assert.throws(() => fillPage([{ pad: 'x'.repeat(500) }], () => '1', 10, 100), /assertion/);
  assert.throws(() => fillPage([], () => '1', QUERY_PAGE_LIMITS.maxItemsPerPage + 1, 100), /assertion/);
});

// ─────────────────────────── worst case from the wire limits ───────────────────────────

function worstOrder(index: number): OpenOrderWire {
  return {
    market: ESCAPED_MARKET, orderId: Number.MAX_SAFE_INTEGER - index, clientOrderId: `c${'-'.repeat(62)}${index % 10}`,
    side: 'sell', type: 'midpoint', price: LONGEST_DECIMAL, remaining: LONGEST_DECIMAL, timeInForce: 'GTC',
  };
}

function worstTrade(index: number): TradeWire {
  return {
    tradeId: Number.MAX_SAFE_INTEGER - index, market: ESCAPED_MARKET, orderId: Number.MAX_SAFE_INTEGER, clientOrderId: 'c'.repeat(64),
    side: 'sell', liquidity: 'maker', price: LONGEST_DECIMAL, size: LONGEST_DECIMAL, fee: LONGEST_DECIMAL, feeAsset: '\u0001'.repeat(16),
    timeMs: Number.MAX_SAFE_INTEGER, settlement: 'submitted', settlementWindow: Number.MAX_SAFE_INTEGER,
  };
}

const WORST_ITEMS: Record<ListQueryType, (index: number) => unknown> = {
  'query.orders': worstOrder,
  'query.trades': worstTrade,
  // 2^127 is the ledger's bound on one balance; symbols are at most 16 characters.
  'query.balances': (index) => ({ asset: `${'\u0001'.repeat(15)}${String.fromCharCode(65 + (index % 26))}`, available: (2n ** 128n).toString(), reserved: (2n ** 128n).toString(), settling: (2n ** 128n).toString() }),
  // A voucher payload is at most 1024 characters; quotes escape to two bytes each.
  'query.transfers': (index) => ({ payload: '"'.repeat(1024), signatureHex: 'f'.repeat(128), voucherId: `${'0'.repeat(63)}${index % 10}` }),
};

test('worst case: a page of maximal items of every list fits one frame, and pages stay full', () => {
  for (const type of Object.keys(WORST_ITEMS) as ListQueryType[]) {
    const items = Array.from({ length: QUERY_PAGE_LIMITS.maxItemsPerPage * 2 }, (_, index) => WORST_ITEMS[type](index));
    const itemBytes = utf8Bytes(JSON.stringify(items[0]));
    let rest = items;
    let pages = 0;
    while (rest.length > 0) {
      const page = fillPage(rest, () => 'f'.repeat(QUERY_PAGE_LIMITS.maxCursorChars), QUERY_PAGE_LIMITS.maxItemsPerPage, pageBudgetBytes(type));
      assert.ok(page.items.length > 0, `${type}: every page holds an item`);
      assertFits(type, { [LIST_KEYS[type]]: page.items, nextCursor: page.nextCursor }, `${type} page ${pages}`);
      if (page.nextCursor !== null) {
        const used = utf8Bytes(answerText(type, { [LIST_KEYS[type]]: page.items, nextCursor: page.nextCursor }));
        assert.ok(used > MAX_PAYLOAD_BYTES - itemBytes - 1 - QUERY_PAGE_LIMITS.maxCursorChars, `${type}: a page that stops early is nearly full (${used} bytes)`);
      }
      rest = rest.slice(page.items.length);
      pages += 1;
    }
    assert.ok(pages > 1, `${type}: ${items.length} maximal items need several pages`);
  }
});

// ─────────────────────────── a real engine ───────────────────────────

const WIDE_MARKET = buildMarketSpec({
  id: ESCAPED_MARKET, base: 'B'.repeat(16), quote: 'Q'.repeat(16), baseDecimals: 18, quoteDecimals: 18,
  tickSize: '0.000000001', lotSize: '0.000000002', makerFeeBps: 10, takerFeeBps: 10, referenceStalenessMs: 60_000,
});

class Driver {
  seq = 0;
  timeMs = 1_000;
  readonly engine: EnclaveEngine;
  constructor(markets = [WIDE_MARKET]) {
    this.engine = new EnclaveEngine({ markets, feeAccount: 'fees' });
  }
  run(body: EnclaveCommandBody) {
    this.seq += 1;
    this.timeMs += 1;
    return this.engine.apply({ ...body, seq: this.seq, timeMs: this.timeMs } as EnclaveCommand);
  }
  place(account: string, side: 'buy' | 'sell', priceTicks: number, sizeLots: number, clientOrderId: string) {
    const order = {
      market: WIDE_MARKET.id, clientOrderId, side, orderType: 'limit', priceTicks, sizeLots, timeInForce: 'GTC', expireAtMs: undefined,
      postOnly: false, minQtyLots: 0, selfTradePrevention: 'cancelNewest',
    } as OrderSpec;
    return this.run({ kind: 'trade', account, requestId: `r${this.seq}`, request: { type: 'order.place', order } });
  }
  cancel(account: string, orderId: number) {
    return this.run({ kind: 'trade', account, requestId: `r${this.seq}`, request: { type: 'order.cancel', market: WIDE_MARKET.id, order: { orderId } } });
  }
  fund(account: string) {
    for (const asset of [WIDE_MARKET.base, WIDE_MARKET.quote]) this.run({ kind: 'deposit', account, asset, atoms: 2n ** 126n, reference: `d-${account}-${asset}` });
  }
}

function page(driver: Driver, account: string, request: ListQuery): { items: { orderId?: number; tradeId?: number }[]; nextCursor: string | null } {
  const result = answerListQuery(driver.engine, account, request);
  assertFits(request.type, result, request.type);
  return { items: result[LIST_KEYS[request.type]] as { orderId?: number; tradeId?: number }[], nextCursor: result.nextCursor as string | null };
}

function clientId(index: number): string {
  return `${String(index).padStart(6, '0')}${'z'.repeat(58)}`;
}

test('engine: 500 resting orders with 64-character ids and near-maximal prices list exactly once, in pages that fit', () => {
  const driver = new Driver();
  driver.fund('maker');
  const placed: number[] = [];
  for (let index = 0; index < 500; index++) {
    const output = driver.place('maker', index % 2 === 0 ? 'sell' : 'buy', index % 2 === 0 ? 999_000_000 + index : 1 + index, 999_999_999, clientId(index));
    assert.ok(output.outcome?.ok, JSON.stringify(output.outcome));
    placed.push((output.outcome as { result: Record<string, unknown> }).result.orderId as number);
  }
  const seen: number[] = [];
  let cursor: number | undefined;
  let pages = 0;
  for (; pages < 100; pages++) {
    const { items, nextCursor } = page(driver, 'maker', { type: 'query.orders', market: undefined, page: { after: cursor, limit: QUERY_PAGE_LIMITS.maxItemsPerPage } });
    seen.push(...items.map((item) => item.orderId!));
    if (nextCursor === null) break;
    assert.is(Number(nextCursor), items[items.length - 1]!.orderId, 'the cursor is the last order id');
    cursor = Number(nextCursor);
  }
  assert.ok(pages > 5, `the wide orders take several pages (${pages + 1})`);
  assert.equal(seen, [...placed].sort((a, b) => a - b), 'every order once, ascending');
  const limited = page(driver, 'maker', { type: 'query.orders', market: WIDE_MARKET.id, page: { after: placed[10], limit: 7 } });
  assert.equal(limited.items.map((item) => item.orderId), placed.slice(11, 18), 'limit and cursor select the next seven');
  assert.is(limited.nextCursor, String(placed[17]));
  assert.equal(page(driver, 'nobody', { type: 'query.orders', market: undefined, page: { after: undefined, limit: 10 } }), { items: [], nextCursor: null });
});

test('engine: cursors under concurrent places, cancels and fills neither skip nor repeat a still-existing order or a kept trade', () => {
  const prng = new Prng(SEED + 1);
  for (let round = 0; round < 12; round++) {
    const driver = new Driver();
    driver.fund('maker');
    driver.fund('taker');
    let next = 0;
    for (let index = 0; index < 150; index++) driver.place('maker', prng.chance(0.5) ? 'sell' : 'buy', prng.chance(0.5) ? 2_000 + prng.int(0, 50) : 1_000 - prng.int(0, 50), prng.int(1, 20), clientId(next++));
    const before = new Set(driver.engine.openOrders('maker', undefined).map((order) => order.orderId));
    const tradesBefore = new Set(driver.engine.trades('maker').map((trade) => trade.tradeId));
    const seenOrders: number[] = [];
    const seenTrades: number[] = [];
    let orderCursor: number | undefined;
    let tradeCursor: number | undefined;
    let ordersDone = false;
    let tradesDone = false;
    for (let step = 0; step < 1_000 && !(ordersDone && tradesDone); step++) {
      if (!ordersDone) {
        const got = page(driver, 'maker', { type: 'query.orders', market: undefined, page: { after: orderCursor, limit: prng.int(1, 12) } });
        seenOrders.push(...got.items.map((item) => item.orderId!));
        ordersDone = got.nextCursor === null;
        orderCursor = got.nextCursor === null ? undefined : Number(got.nextCursor);
      }
      if (!tradesDone) {
        const got = page(driver, 'maker', { type: 'query.trades', page: { after: tradeCursor, limit: prng.int(1, 12) } });
        seenTrades.push(...got.items.map((item) => item.tradeId!));
        tradesDone = got.nextCursor === null;
        tradeCursor = got.nextCursor === null ? undefined : Number(got.nextCursor);
      }
      // Between pages: the maker cancels and places, and a taker fills some of its orders.
      for (let change = prng.int(0, 4); change > 0; change--) {
        const open = driver.engine.openOrders('maker', undefined);
        const roll = prng.int(0, 2);
        if (roll === 0 && open.length > 0) driver.cancel('maker', prng.pick(open).orderId);
        else if (roll === 1) driver.place('maker', prng.chance(0.5) ? 'sell' : 'buy', prng.chance(0.5) ? 2_000 + prng.int(0, 50) : 1_000 - prng.int(0, 50), prng.int(1, 20), clientId(next++));
        else driver.place('taker', prng.chance(0.5) ? 'buy' : 'sell', prng.chance(0.5) ? 2_100 : 900, prng.int(1, 30), clientId(next++));
      }
    }
    assert.ok(ordersDone && tradesDone, `seed ${SEED + 1} round ${round}: both lists ended`);
    assert.is(new Set(seenOrders).size, seenOrders.length, `seed ${SEED + 1} round ${round}: no order twice`);
    assert.is(new Set(seenTrades).size, seenTrades.length, `seed ${SEED + 1} round ${round}: no trade twice`);
    const stillOpen = driver.engine.openOrders('maker', undefined).map((order) => order.orderId).filter((id) => before.has(id));
    for (const id of stillOpen) assert.ok(seenOrders.includes(id), `seed ${SEED + 1} round ${round}: order ${id} open throughout was listed`);
    const kept = driver.engine.trades('maker').map((trade) => trade.tradeId);
    for (const id of kept) if (tradesBefore.has(id)) assert.ok(seenTrades.includes(id), `seed ${SEED + 1} round ${round}: trade ${id} was listed`);
    assert.ok(kept.length > 0, 'the taker filled some of the maker\'s orders');
  }
});

test('engine: 64 assets at the ledger bound list in pages that fit; 500 kept trades page out whole', () => {
  const markets = Array.from({ length: 32 }, (_, index) => buildMarketSpec({
    id: `M${index}`, base: `B${String(index).padStart(15, '0')}`, quote: `Q${String(index).padStart(15, '0')}`, baseDecimals: 36, quoteDecimals: 36,
    tickSize: '1', lotSize: '1', referenceStalenessMs: 60_000,
  }));
  const driver = new Driver(markets);
  for (const market of markets) for (const asset of [market.base, market.quote]) driver.run({ kind: 'deposit', account: 'whale', asset, atoms: 2n ** 127n - 1n, reference: `d-${asset}` });
  const assets: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 64; pages++) {
    const result = answerListQuery(driver.engine, 'whale', { type: 'query.balances', page: { after: cursor, limit: QUERY_PAGE_LIMITS.maxItemsPerPage } });
    assertFits('query.balances', result, 'balances');
    assets.push(...(result.balances as { asset: string }[]).map((balance) => balance.asset));
    if (result.nextCursor === null) break;
    cursor = result.nextCursor as string;
    assert.is(cursor, assetCursor(assets[assets.length - 1]!));
  }
  assert.equal(assets, markets.flatMap((market) => [market.base, market.quote]).sort(), 'all 64 assets once, in byte order');

  const trading = new Driver();
  trading.fund('maker');
  trading.fund('taker');
  for (let index = 0; index < ENGINE_LIMITS.tradesPerAccount + 20; index++) {
    trading.place('maker', 'sell', 999_999_000, 999_999_999, clientId(index));
    trading.place('taker', 'buy', 999_999_000, 999_999_999, clientId(index));
  }
  const trades: number[] = [];
  let tradeCursor: number | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const { items, nextCursor } = page(trading, 'maker', { type: 'query.trades', page: { after: tradeCursor, limit: QUERY_PAGE_LIMITS.maxItemsPerPage } });
    trades.push(...items.map((item) => item.tradeId!));
    if (nextCursor === null) break;
    tradeCursor = Number(nextCursor);
  }
  assert.equal(trades, trading.engine.trades('maker').map((trade) => trade.tradeId), 'every kept trade once, oldest first');
  assert.is(trades.length, ENGINE_LIMITS.tradesPerAccount);
});

test('worst case: the largest report, a netted settlement with a payout in each of 64 assets, fits a frame', () => {
  const report: ReportBody = {
    seq: Number.MAX_SAFE_INTEGER, kind: 'settlement', timeMs: Number.MAX_SAFE_INTEGER, status: 'netted', window: Number.MAX_SAFE_INTEGER,
    firstTradeId: Number.MAX_SAFE_INTEGER, lastTradeId: Number.MAX_SAFE_INTEGER, tradeCount: Number.MAX_SAFE_INTEGER,
    payouts: Array.from({ length: DEFAULT_ESCROW_LIMITS.maxAssetsPerAccount }, (_, index) => ({ asset: `${'\u0001'.repeat(15)}${index % 10}`, amount: DEFAULT_ESCROW_LIMITS.maxAtoms.toString() })),
  };
  const text = reportMessageText(report.seq, JSON.stringify(report));
  assert.ok(utf8Bytes(text) <= MAX_PAYLOAD_BYTES, `${utf8Bytes(text)} bytes`);
});

// ─────────────────────────── the real runtime ───────────────────────────

test('runtime: 500 resting orders page out over one session; mass quote, cancel-all and resume answers at their maxima stay in a frame', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'query-pages-'));
  const closed = new Map<number, number>();
  const traders: TestTrader[] = [];
  const runtime = await EnclaveRuntime.boot({
    dataDir, markets: [TEST_MARKET], feeAccount: 'fees', tickMs: 0, settlementWindowMs: 0,
    sealingKeySource: new DevSealingKeySource({ directory: dataDir, production: false }),
    attestation: new DevAttestationProvider({ production: false }),
  }, {
    sendFrame: (id, frame) => traders[id]!.onFrame(frame),
    closeConnection: (id, code) => closed.set(id, code),
    fatal: (error) => { throw error; },
  });
  try {
    const prng = new Prng(SEED + 2);
    for (let id = 0; id < 2; id++) {
      runtime.openConnection(id);
      traders.push(new TestTrader(seedFrom(prng), (frame) => runtime.receiveFrame(id, frame)));
      await traders[id]!.connect(runtime.bundleJson);
    }
    const [maker, taker] = traders as [TestTrader, TestTrader];
    for (const trader of traders) {
      await runtime.creditDeposit(trader.account, 'USDC', 10n ** 15n, `usdc-${trader.account.slice(0, 8)}`);
      await runtime.creditDeposit(trader.account, 'DOT', 10n ** 18n, `dot-${trader.account.slice(0, 8)}`);
    }
    const ids: number[] = [];
    for (let index = 0; index < 500; index++) {
      const answer = await maker.ask('order.place', { market: TEST_MARKET.id, clientOrderId: clientId(index), side: 'sell', type: 'limit', price: `${100 + index}.99`, size: '1000.1' });
      assert.is(answer.t, 'result', JSON.stringify(answer.body));
      ids.push((answer.body.result as { orderId: number }).orderId);
    }
    const listed: number[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const answer = await maker.ask('query.orders', cursor === undefined ? {} : { cursor });
      assert.is(answer.t, 'result', JSON.stringify(answer.body).slice(0, 300));
      const result = answer.body.result as { orders: { orderId: number }[]; nextCursor: string | null };
      listed.push(...result.orders.map((order) => order.orderId));
      if (result.nextCursor === null) break;
      cursor = result.nextCursor;
    }
    assert.equal(listed, ids, 'all 500 orders, each once');
    assert.is(closed.size, 0, 'no session was closed (before paging: CHANNEL_PAYLOAD_TOO_LARGE)');

    const bad = await maker.ask('query.orders', { cursor: 'x' });
    assert.is(bad.body.name, 'QUERY_CURSOR_INVALID');
    const tooMany = await maker.ask('query.trades', { limit: QUERY_PAGE_LIMITS.maxItemsPerPage + 1 });
    assert.is(tooMany.body.name, 'QUERY_LIMIT_INVALID');

    // Mass quote at its maximum: 64 levels, 64-character ids; the answer lists 64 order ids.
    const quotes = Array.from({ length: REQUEST_LIMITS.maxQuotesPerMassQuote }, (_, index) => ({ side: 'buy', price: `${1 + index}.01`, size: '1000.1', clientOrderId: `q${clientId(index).slice(1)}` }));
    const quoted = await maker.ask('order.massQuote', { market: TEST_MARKET.id, quotes });
    assert.is(quoted.t, 'result', JSON.stringify(quoted.body).slice(0, 300));
    assert.is((quoted.body.result as { orderIds: number[] }).orderIds.length, REQUEST_LIMITS.maxQuotesPerMassQuote);
    assert.ok(utf8Bytes(answerText('query.orders', quoted.body.result as Record<string, unknown>)) < MAX_PAYLOAD_BYTES);

    // 300 fills for the maker, listed in pages of at most 100.
    for (let index = 0; index < 300; index++) {
      const answer = await taker.ask('order.place', { market: TEST_MARKET.id, clientOrderId: clientId(index), side: 'buy', type: 'limit', price: '600.00', size: '0.1' });
      assert.is(answer.t, 'result');
    }
    const trades: number[] = [];
    let tradeCursor: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const answer = await maker.ask('query.trades', tradeCursor === undefined ? { limit: 100 } : { cursor: tradeCursor, limit: 100 });
      const result = answer.body.result as { trades: { tradeId: number }[]; nextCursor: string | null };
      assert.ok(result.trades.length <= 100);
      trades.push(...result.trades.map((trade) => trade.tradeId));
      if (result.nextCursor === null) break;
      tradeCursor = result.nextCursor;
    }
    assert.is(trades.length, 300);
    assert.is(new Set(trades).size, 300);
    // Cancel-all of every resting order answers with a count, not a list.
    const cancelled = await maker.ask('order.cancelAll', {});
    assert.ok((cancelled.body.result as { cancelled: number }).cancelled >= 500 + REQUEST_LIMITS.maxQuotesPerMassQuote - 300);
    const empty = await maker.ask('query.orders', {});
    assert.equal(empty.body.result, { orders: [], nextCursor: null });
    // Resume from the start: the 1024 kept reports (fills with 64-character ids among them) replay over the open session.
    const before = maker.received.length;
    const resumed = await maker.ask('session.resume', { afterSeq: 0 });
    assert.is((resumed.body.result as { replayed: number }).replayed, ENGINE_LIMITS.reportsPerAccount);
    assert.ok(maker.received.length - before > ENGINE_LIMITS.reportsPerAccount, 'every replayed report arrived');
    assert.is(closed.size, 0, 'still no session closed');
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
