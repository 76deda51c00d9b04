// Command factories fill the documented defaults and carry the stamp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  advanceTime,
  amendOrder,
  cancelAll,
  cancelOrder,
  placeLimit,
  placeMarket,
  placeMidpoint,
  placePrimaryPeg,
  runAuction,
  setReference,
} from '../../src/matching/commands.js';

const stamp = { seq: 7, timeMs: 70 };
const order = { account: 'a', clientOrderId: 'c', market: 'M', side: 'buy' as const, sizeLots: 3 };

test('orders default to GTC (market: IOC), no post-only, no minimum, cancelNewest', () => {
  assert.equal(placeLimit(stamp, { ...order, priceTicks: 5 }), {
    type: 'place', seq: 7, timeMs: 70, account: 'a', clientOrderId: 'c', market: 'M', side: 'buy', sizeLots: 3,
    timeInForce: 'GTC', expireAtMs: undefined, postOnly: false, minQtyLots: 0, selfTradePrevention: 'cancelNewest',
    orderType: 'limit', priceTicks: 5,
  });
  const market = placeMarket(stamp, { ...order, protectionPriceTicks: 9 });
  assert.equal([market.orderType, market.timeInForce, market.orderType === 'market' && market.protectionPriceTicks], ['market', 'IOC', 9]);
  const midpoint = placeMidpoint(stamp, { ...order, capTicks: 4, timeInForce: 'GTT', expireAtMs: 99 });
  assert.equal([midpoint.orderType, midpoint.orderType === 'midpoint' && midpoint.capTicks, midpoint.expireAtMs], ['midpoint', 4, 99]);
  const peg = placePrimaryPeg(stamp, { ...order, offsetTicks: -2, selfTradePrevention: 'decrement', minQtyLots: 1 });
  assert.equal([peg.orderType === 'primaryPeg' && peg.offsetTicks, peg.orderType === 'primaryPeg' && peg.capTicks, peg.selfTradePrevention, peg.minQtyLots], [-2, undefined, 'decrement', 1]);
});

test('other commands carry their fields', () => {
  assert.equal(cancelOrder(stamp, 'a', 'M', { orderId: 3 }), { type: 'cancel', seq: 7, timeMs: 70, account: 'a', market: 'M', order: { orderId: 3 } });
  assert.equal(amendOrder(stamp, 'a', 'M', { clientOrderId: 'c' }, { newSizeLots: 2 }), { type: 'amend', seq: 7, timeMs: 70, account: 'a', market: 'M', order: { clientOrderId: 'c' }, newSizeLots: 2, newPriceTicks: undefined });
  assert.equal(cancelAll(stamp, 'a'), { type: 'cancelAll', seq: 7, timeMs: 70, account: 'a', market: undefined });
  assert.equal(setReference(stamp, 'M', 1, 2), { type: 'setReference', seq: 7, timeMs: 70, market: 'M', bidTicks: 1, askTicks: 2 });
  assert.equal(runAuction(stamp, 'M'), { type: 'auction', seq: 7, timeMs: 70, market: 'M' });
  assert.equal(advanceTime(stamp), { type: 'advanceTime', seq: 7, timeMs: 70 });
});

test.run();
