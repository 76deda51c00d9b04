// The page's order ticket: limit and midpoint, buy and sell, GTC / IOC / FOK, min quantity,
// post-only only for resting limits, a cap only for midpoint orders. Every ticket the form
// accepts is one the SDK's own checks accept for the market (buildPlaceRequest), carrying
// exactly what was entered. Fuzzed forms give a ticket or a coded client error, nothing else.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Market } from '../../../client/sdk/markets.js';
import { buildPlaceRequest } from '../../../client/sdk/order-requests.js';
import { ticketFromInputs, type OrderInputs } from '../../../client/web/order-form.js';
import { isCodedError } from '../../../src/errors/index.js';
import { fuzzPrng, fuzzText } from './fuzz-text.js';

const MARKET: Market = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.1',
  minSizeLots: 1, makerFeeBps: 2, takerFeeBps: 5, mode: 'continuous',
};
const LIMIT: OrderInputs = { symbol: 'DOT/USDC', side: 'buy', type: 'limit', amount: '1.5', price: '5.10', cap: '', timeInForce: 'IOC', minQty: '0.5', postOnly: false };

test('a limit IOC buy with a minimum quantity', () => {
  const ticket = ticketFromInputs(LIMIT);
  assert.equal(ticket, { symbol: 'DOT/USDC', type: 'limit', side: 'buy', amount: '1.5', price: '5.10', params: { timeInForce: 'IOC', minQty: '0.5' } });
  const { body } = buildPlaceRequest(MARKET, ticket.type, ticket.side, ticket.amount, ticket.price, ticket.params);
  assert.equal([body.type, body.side, body.price, body.size, body.timeInForce, body.minQty], ['limit', 'buy', '5.1', '1.5', 'IOC', '0.5']);
});

test('a midpoint sell ignores the price field and carries its cap', () => {
  const ticket = ticketFromInputs({ ...LIMIT, side: 'sell', type: 'midpoint', price: '99', cap: ' 4.90 ', timeInForce: 'GTC', minQty: '' });
  assert.equal(ticket, { symbol: 'DOT/USDC', type: 'midpoint', side: 'sell', amount: '1.5', price: undefined, params: { timeInForce: 'GTC', cap: '4.90' } });
  const { body } = buildPlaceRequest(MARKET, ticket.type, ticket.side, ticket.amount, ticket.price, ticket.params);
  assert.equal([body.type, body.price, body.cap], ['midpoint', undefined, '4.9']);
  assert.is(ticketFromInputs({ ...LIMIT, type: 'midpoint', cap: '', timeInForce: 'GTC' }).params.cap, undefined);
});

test('post-only rests a limit GTC only', () => {
  assert.equal(ticketFromInputs({ ...LIMIT, timeInForce: 'GTC', minQty: '', postOnly: true }).params, { timeInForce: 'GTC', postOnly: true });
  for (const inputs of [{ ...LIMIT, postOnly: true }, { ...LIMIT, type: 'midpoint', timeInForce: 'GTC', postOnly: true }]) {
    assert.throws(() => ticketFromInputs(inputs), (error: unknown) => isCodedError(error, 'CLIENT_ORDER_INVALID') && /post-only/.test(error.message));
  }
});

test('missing and unknown fields are CLIENT_ORDER_INVALID naming the field', () => {
  const cases: [Partial<OrderInputs>, RegExp][] = [
    [{ side: 'hold' }, /side must be one of buy, sell/],
    [{ type: 'peg' }, /order type must be one of limit, midpoint/],
    [{ timeInForce: 'GTT' }, /time in force must be one of GTC, IOC, FOK/],
    [{ amount: '  ' }, /amount is required/],
    [{ price: '' }, /limit price is required/],
    [{ symbol: '' }, /market is required/],
    [{ minQty: '1'.repeat(81) }, /min quantity is longer than 80/],
  ];
  for (const [change, pattern] of cases) {
    assert.throws(() => ticketFromInputs({ ...LIMIT, ...change }), (error: unknown) => isCodedError(error, 'CLIENT_ORDER_INVALID') && pattern.test(error.message), String(pattern));
  }
});

test('fuzz: a form gives a ticket the SDK checks further, or a coded client error', () => {
  const prng = fuzzPrng('order-form', 0x0dde);
  let accepted = 0;
  for (let i = 0; i < 3_000; i++) {
    const inputs: OrderInputs = {
      symbol: prng.chance(0.8) ? 'DOT/USDC' : fuzzText(prng),
      side: prng.pick(['buy', 'sell', 'Buy', '']),
      type: prng.pick(['limit', 'midpoint', 'market']),
      amount: prng.chance(0.5) ? prng.pick(['1', '0.5', '1.5', '10']) : fuzzText(prng),
      price: prng.chance(0.5) ? prng.pick(['5', '5.10', '4.99']) : fuzzText(prng),
      cap: prng.chance(0.5) ? '' : fuzzText(prng),
      timeInForce: prng.pick(['GTC', 'IOC', 'FOK', 'GTT']),
      minQty: prng.chance(0.5) ? '' : fuzzText(prng),
      postOnly: prng.chance(0.2),
    };
    try {
      const ticket = ticketFromInputs(inputs);
      try {
        buildPlaceRequest(MARKET, ticket.type, ticket.side, ticket.amount, ticket.price, ticket.params);
        accepted += 1;
      } catch (error) {
        assert.ok(isCodedError(error) && error.code >= 6000 && error.code < 7000, `seed ${prng.seed}: the SDK threw ${String(error)} for ${JSON.stringify(inputs)}`);
      }
    } catch (error) {
      assert.ok(isCodedError(error, 'CLIENT_ORDER_INVALID'), `seed ${prng.seed}: ${JSON.stringify(inputs)} threw ${String(error)}`);
    }
  }
  assert.ok(accepted > 50, `${accepted} fuzzed forms made complete orders`);
});

test.run();
