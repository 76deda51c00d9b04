// The client-side order checks: each refusal has its client code, each accepted call builds the
// exact wire body, and (property) every body the client accepts is also accepted by the
// enclave's own request parser for the same market — the client is never looser than the
// enclave's syntax, so a client-checked order fails only for reasons the client cannot know.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDarkpoolError } from '../../../client/sdk/errors.js';
import type { Market } from '../../../client/sdk/markets.js';
import { buildAmendBody, buildPlaceRequest, buildQuoteLevels, checkDeadManMs, checkOrderId, newClientOrderId, orderRef } from '../../../client/sdk/order-requests.js';
import type { CreateOrderParams } from '../../../client/sdk/types.js';
import { parseRequest, type RequestContext } from '../../../src/enclave/requests.js';
import type { ErrorName } from '../../../src/errors/index.js';
import { DecimalEdge } from '../../../src/matching/decimal-edge.js';
import { buildMarketSpec } from '../../../src/matching/market-spec.js';
import { Prng } from '../../support/prng.js';

const MARKET: Market = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.1',
  minSizeLots: 1, makerFeeBps: 2, takerFeeBps: 5, mode: 'continuous',
};
const SPEC = buildMarketSpec({ ...MARKET });
const CONTEXT: RequestContext = { markets: new Map([[SPEC.id, SPEC]]), edges: new Map([[SPEC.id, new DecimalEdge(SPEC)]]), assets: new Map([['DOT', 10], ['USDC', 6]]) };

function failsWith(run: () => unknown, name: ErrorName, context: string): void {
  try {
    run();
  } catch (error) {
    assert.ok(isDarkpoolError(error, name), `${context}: expected ${name}, got ${String(error)}`);
    return;
  }
  assert.unreachable(`${context}: expected ${name}`);
}

test('a limit order builds the canonical wire body and the placement the store needs', () => {
  const { body, placement } = buildPlaceRequest(MARKET, 'limit', 'buy', '1.50', '5.10', { clientOrderId: 'abc', postOnly: true, minQty: '0.5' });
  assert.equal(JSON.parse(JSON.stringify(body)), {
    market: 'DOT/USDC', clientOrderId: 'abc', side: 'buy', type: 'limit', size: '1.5', price: '5.1', timeInForce: 'GTC', postOnly: true, minQty: '0.5',
  });
  assert.equal(placement, { symbol: 'DOT/USDC', type: 'limit', side: 'buy', price: '5.1', amount: '1.5', timeInForce: 'GTC' });
  assert.match(newClientOrderId(), /^c[0-9a-f]{16}$/);
  assert.is.not(newClientOrderId(), newClientOrderId());
});

test('types take their own pricing fields and time in force defaults follow the type', () => {
  assert.is(buildPlaceRequest(MARKET, 'market', 'sell', '1', undefined, { protectionPrice: '4.5' }).body.timeInForce, 'IOC');
  assert.is(buildPlaceRequest(MARKET, 'limit', 'sell', '1', '5', { expireAtMs: 10 }).body.timeInForce, 'GTT');
  assert.is(buildPlaceRequest(MARKET, 'midpoint', 'buy', '1', undefined, { cap: '6' }).body.cap, '6');
  assert.is(buildPlaceRequest(MARKET, 'peg', 'buy', '1', undefined, { offsetTicks: -3 }).body.offsetTicks, -3);
  const cases: [string, () => unknown, ErrorName][] = [
    ['limit without price', () => buildPlaceRequest(MARKET, 'limit', 'buy', '1', undefined, {}), 'CLIENT_ORDER_INVALID'],
    ['market without protection', () => buildPlaceRequest(MARKET, 'market', 'buy', '1', undefined, {}), 'CLIENT_ORDER_INVALID'],
    ['market with a price', () => buildPlaceRequest(MARKET, 'market', 'buy', '1', '5', { protectionPrice: '5' }), 'CLIENT_ORDER_INVALID'],
    ['market GTC', () => buildPlaceRequest(MARKET, 'market', 'buy', '1', undefined, { protectionPrice: '5', timeInForce: 'GTC' }), 'CLIENT_ORDER_INVALID'],
    ['cap on a limit', () => buildPlaceRequest(MARKET, 'limit', 'buy', '1', '5', { cap: '6' }), 'CLIENT_ORDER_INVALID'],
    ['offset on a midpoint', () => buildPlaceRequest(MARKET, 'midpoint', 'buy', '1', undefined, { offsetTicks: 1 }), 'CLIENT_ORDER_INVALID'],
    ['post-only IOC', () => buildPlaceRequest(MARKET, 'limit', 'buy', '1', '5', { postOnly: true, timeInForce: 'IOC' }), 'CLIENT_ORDER_INVALID'],
    ['GTT without expiry', () => buildPlaceRequest(MARKET, 'limit', 'buy', '1', '5', { timeInForce: 'GTT' }), 'CLIENT_ORDER_INVALID'],
    ['minQty above size', () => buildPlaceRequest(MARKET, 'limit', 'buy', '1', '5', { minQty: '1.1' }), 'CLIENT_ORDER_INVALID'],
    ['unknown param', () => buildPlaceRequest(MARKET, 'limit', 'buy', '1', '5', { leverage: 10 } as CreateOrderParams), 'CLIENT_ORDER_INVALID'],
    ['unknown type', () => buildPlaceRequest(MARKET, 'stop', 'buy', '1', '5', {}), 'CLIENT_ORDER_INVALID'],
    ['unknown side', () => buildPlaceRequest(MARKET, 'limit', 'long', '1', '5', {}), 'CLIENT_ORDER_INVALID'],
    ['off tick', () => buildPlaceRequest(MARKET, 'limit', 'buy', '1', '5.001', {}), 'CLIENT_PRICE_OFF_TICK'],
    ['off lot', () => buildPlaceRequest(MARKET, 'limit', 'buy', '1.05', '5', {}), 'CLIENT_SIZE_OFF_LOT'],
    ['float size', () => buildPlaceRequest(MARKET, 'limit', 'buy', 1.5, '5', {}), 'CLIENT_DECIMAL_INVALID'],
    ['bad client order id', () => buildPlaceRequest(MARKET, 'limit', 'buy', '1', '5', { clientOrderId: 'has space' }), 'CLIENT_ORDER_ID_INVALID'],
  ];
  for (const [label, run, name] of cases) failsWith(run, name, label);
});

test('amends, references, ladders and the dead-man interval are checked', () => {
  assert.equal(JSON.parse(JSON.stringify(buildAmendBody(MARKET, '7', { price: '5.20' }))), { market: 'DOT/USDC', orderId: 7, price: '5.2' });
  assert.equal(orderRef(MARKET, '', 'mine'), { market: 'DOT/USDC', clientOrderId: 'mine' });
  failsWith(() => buildAmendBody(MARKET, '7', {}), 'CLIENT_ORDER_INVALID', 'empty amend');
  failsWith(() => orderRef(MARKET, '7', 'mine'), 'CLIENT_ORDER_ID_INVALID', 'both refs');
  for (const id of ['0', '-1', '1.5', 'x', '99999999999999999']) failsWith(() => checkOrderId(id), 'CLIENT_ORDER_ID_INVALID', `id ${id}`);
  assert.is(checkOrderId('42'), 42);
  const ladder = buildQuoteLevels(MARKET, [{ side: 'buy', price: '4.90', amount: '1' }, { side: 'sell', price: '5.10', amount: '1', clientOrderId: 'q1' }]);
  assert.is(ladder.levels[0]!.price, '4.9');
  assert.is(ladder.levels[1]!.clientOrderId, 'q1');
  assert.equal(ladder.placements.map((p) => p.side), ['buy', 'sell']);
  failsWith(() => buildQuoteLevels(MARKET, []), 'CLIENT_MASS_QUOTE_INVALID', 'no levels');
  failsWith(() => buildQuoteLevels(MARKET, Array.from({ length: 65 }, () => ({ side: 'buy' as const, price: '1', amount: '1' }))), 'CLIENT_MASS_QUOTE_INVALID', '65 levels');
  failsWith(() => buildQuoteLevels(MARKET, [{ side: 'buy', price: '1', amount: '1', clientOrderId: 'a' }, { side: 'sell', price: '2', amount: '1', clientOrderId: 'a' }]), 'CLIENT_MASS_QUOTE_INVALID', 'repeated ids');
  assert.is(checkDeadManMs(0), 0);
  assert.is(checkDeadManMs(100), 100);
  for (const ms of [1, 99, 3_600_001, 1.5, -1, Number.NaN]) failsWith(() => checkDeadManMs(ms), 'CLIENT_DEAD_MAN_INVALID', `ms ${ms}`);
});

test('property: whatever the client accepts, the enclave parser accepts too, with the same numbers', () => {
  const prices = ['5', '5.01', '5.001', '0.01', '0', '1e2', '12345.67', '5.10', '-1'];
  const sizes = ['1', '0.1', '0.05', '2.50', '0', '1000000', '3.3'];
  let accepted = 0;
  for (let seed = 1; seed <= 10_000; seed++) {
    const prng = new Prng(seed);
    const type = prng.pick(['limit', 'market', 'midpoint', 'peg', 'stop']);
    const params: Record<string, unknown> = {};
    if (prng.chance(0.3)) params.timeInForce = prng.pick(['GTC', 'IOC', 'FOK', 'GTT', 'DAY']);
    if (prng.chance(0.2)) params.postOnly = prng.pick([true, false]);
    if (prng.chance(0.2)) params.minQty = prng.pick(sizes);
    if (prng.chance(0.3)) params.protectionPrice = prng.pick(prices);
    if (prng.chance(0.3)) params.cap = prng.pick(prices);
    if (prng.chance(0.2)) params.offsetTicks = prng.pick([0, 3, -2, 2_000_000]);
    if (prng.chance(0.2)) params.expireAtMs = prng.pick([1, 5_000, 0]);
    if (prng.chance(0.2)) params.selfTradePrevention = prng.pick(['cancelNewest', 'decrement', 'nope']);
    const price = prng.chance(0.7) ? prng.pick(prices) : undefined;
    let body;
    try {
      body = buildPlaceRequest(MARKET, type, prng.pick(['buy', 'sell']), prng.pick(sizes), price, params as CreateOrderParams).body;
    } catch (error) {
      assert.ok(isDarkpoolError(error) && error.code >= 6320 && error.code < 6340, `seed ${seed}: ${String(error)}`);
      continue;
    }
    accepted += 1;
    const wire = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    let parsed;
    try {
      parsed = parseRequest('order.place', wire, CONTEXT);
    } catch (error) {
      assert.unreachable(`seed ${seed}: the client accepted ${JSON.stringify(wire)} but the enclave refused: ${String(error)}`);
    }
    assert.is(parsed!.type, 'order.place');
    if (parsed!.type === 'order.place') assert.is(CONTEXT.edges.get(SPEC.id)!.formatSizeLots(parsed!.order.sizeLots), wire.size, `seed ${seed}: size`);
  }
  assert.ok(accepted > 300, `enough accepted cases (${accepted})`);
});

test.run();
