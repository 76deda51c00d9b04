// Stateless command checks: stamps, order references, and place fields in the documented order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { placeLimit } from '../../src/matching/commands.js';
import { buildMatcherLimits } from '../../src/matching/market-spec.js';
import type { PlaceCommand } from '../../src/matching/types.js';
import {
  accountRejection,
  isOrderIdRef,
  orderRefRejection,
  placeShapeRejection,
  priceRejection,
  sizeRejection,
  stampRejection,
} from '../../src/matching/validate.js';
import { market } from './fixtures.js';

const spec = market({ limits: { maxPriceTicks: 1000, maxSizeLots: 50 } });
const limits = buildMatcherLimits(undefined);

test('stamps: known type, seq ≥ 1 and timeMs ≥ 0 as safe integers', () => {
  assert.is(stampRejection({ type: 'advanceTime', seq: 1, timeMs: 0 }), undefined);
  for (const bad of [undefined, 'x', { type: 'nope', seq: 1, timeMs: 0 }, { type: 'cancel', seq: 0, timeMs: 0 }, { type: 'cancel', seq: 2 ** 53, timeMs: 0 }, { type: 'cancel', seq: 1, timeMs: -1 }, { type: 'cancel', seq: 1, timeMs: '5' }]) {
    assert.is(stampRejection(bad)?.name, 'COMMAND_MALFORMED', JSON.stringify(bad));
  }
});

test('order references name exactly one of orderId and clientOrderId', () => {
  assert.is(orderRefRejection({ orderId: 4 }), undefined);
  assert.is(orderRefRejection({ clientOrderId: 'x' }), undefined);
  for (const bad of [null, {}, { orderId: 1, clientOrderId: 'x' }, { orderId: 0 }, { clientOrderId: 5 }]) {
    assert.is(orderRefRejection(bad)?.name, 'COMMAND_MALFORMED', JSON.stringify(bad));
  }
  assert.ok(isOrderIdRef({ orderId: 1 }));
  assert.not.ok(isOrderIdRef({ clientOrderId: 'x' }));
});

test('prices, sizes and accounts', () => {
  assert.is(priceRejection(1000, spec, 'p'), undefined);
  assert.is(priceRejection(1001, spec, 'p')?.name, 'PRICE_TOO_LARGE');
  assert.is(priceRejection(0.5, spec, 'p')?.name, 'PRICE_INVALID');
  assert.is(priceRejection(1e400, spec, 'p')?.name, 'PRICE_INVALID');
  assert.is(sizeRejection(51, spec, 's')?.name, 'SIZE_TOO_LARGE');
  assert.is(sizeRejection('5', spec, 's')?.name, 'SIZE_INVALID');
  assert.is(accountRejection('a'.repeat(129), limits)?.name, 'ACCOUNT_INVALID');
  assert.is(accountRejection('a', limits), undefined);
});

test('the first failing place check wins, in the documented order', () => {
  const good = placeLimit({ seq: 1, timeMs: 10 }, { account: 'a', clientOrderId: 'c', market: spec.id, side: 'buy', sizeLots: 5, priceTicks: 10 });
  const check = (change: Record<string, unknown>): string | undefined => placeShapeRejection({ ...good, ...change } as PlaceCommand, spec, limits)?.name;
  assert.is(check({}), undefined);
  assert.is(check({ account: 7, side: 'up' }), 'ACCOUNT_INVALID');
  assert.is(check({ side: 'up', sizeLots: -1 }), 'SIDE_INVALID');
  assert.is(check({ sizeLots: -1, priceTicks: -1 }), 'SIZE_INVALID');
  assert.is(check({ priceTicks: -1, timeInForce: 'X' }), 'PRICE_INVALID');
  assert.is(check({ timeInForce: 'GTT', expireAtMs: 10 }), 'EXPIRY_INVALID');
  assert.is(check({ timeInForce: 'GTT', expireAtMs: 11 }), undefined);
  assert.is(check({ orderType: 'primaryPeg', offsetTicks: 1001 }), 'PEG_OFFSET_INVALID');
  assert.is(check({ orderType: 'primaryPeg', offsetTicks: -3, capTicks: 2000 }), 'PRICE_TOO_LARGE');
  assert.is(check({ minQtyLots: 6 }), 'MIN_QTY_EXCEEDS_SIZE');
  assert.is(check({ postOnly: true, timeInForce: 'IOC' }), 'POST_ONLY_NOT_ALLOWED');
  const auction = market({ mode: 'auction' });
  assert.is(placeShapeRejection({ ...good, minQtyLots: 1 }, auction, limits)?.name, 'ORDER_TYPE_NOT_IN_AUCTION');
});

test.run();
