// Enclave answers become SDK types: atoms to decimals by asset, trade cost computed exactly,
// order ids as strings; a seeded fuzzer mutates report bodies field by field and every
// outcome is a converted report or CLIENT_BAD_ANSWER, never a crash.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readBalances, readDepositAddress, readOpenOrders, readReport, readTrades } from '../../../client/sdk/answers.js';
import { isDarkpoolError } from '../../../client/sdk/errors.js';
import type { JsonObject } from '../../../src/protocol/message-codec.js';
import type { ReportBody, TradeWire } from '../../../src/protocol/trading-messages.js';
import { Prng } from '../../support/prng.js';

const DECIMALS = new Map([['DOT', 10], ['USDC', 6]]);
const TRADE: TradeWire = {
  tradeId: 9, market: 'DOT/USDC', orderId: 4, clientOrderId: 'c1', side: 'buy', liquidity: 'taker', price: '5.005', size: '1.5',
  fee: '0.003753', feeAsset: 'USDC', timeMs: 1_700_000_000_000,
};
const FILL: ReportBody = { seq: 3, kind: 'fill', timeMs: 1_700_000_000_000, market: 'DOT/USDC', orderId: 4, clientOrderId: 'c1', side: 'buy', remaining: '0.5', trade: TRADE };

test('a fill report carries a CCXT trade with an exact cost', () => {
  const report = readReport(FILL as unknown as JsonObject, DECIMALS);
  assert.is(report.orderId, '4');
  assert.is(report.remaining, '0.5');
  assert.equal(report.trade, {
    id: '9', order: '4', clientOrderId: 'c1', symbol: 'DOT/USDC', side: 'buy', takerOrMaker: 'taker', price: '5.005', amount: '1.5',
    cost: '7.5075', fee: { cost: '0.003753', currency: 'USDC' }, timestamp: 1_700_000_000_000, settlement: 'pending', settlementWindow: undefined,
  });
  assert.equal(readTrades({ trades: [TRADE as unknown as JsonObject] })[0], report.trade);
  const settled = readTrades({ trades: [{ ...TRADE, settlement: 'confirmed', settlementWindow: 3 } as unknown as JsonObject] })[0]!;
  assert.equal([settled.settlement, settled.settlementWindow], ['confirmed', 3], 'a queried trade carries its settlement status');
  assert.throws(() => readTrades({ trades: [{ ...TRADE, settlement: 'settled' } as unknown as JsonObject] }), (error: unknown) => isDarkpoolError(error, 'CLIENT_BAD_ANSWER'));
});

test('settlement reports: window, trade range, status and payouts in decimals of their asset', () => {
  const netted = readReport({ seq: 8, kind: 'settlement', timeMs: 9, status: 'netted', window: 2, firstTradeId: 5, lastTradeId: 9, tradeCount: 3, payouts: [{ asset: 'DOT', amount: '15000000000' }] }, DECIMALS);
  assert.equal([netted.status, netted.window, netted.firstTradeId, netted.lastTradeId, netted.tradeCount, netted.payouts], ['netted', 2, '5', '9', 3, [{ asset: 'DOT', amount: '1.5' }]]);
  const confirmed = readReport({ seq: 9, kind: 'settlement', timeMs: 9, status: 'confirmed', window: 2, firstTradeId: 5, lastTradeId: 9, tradeCount: 3, batchId: '0xab' }, DECIMALS);
  assert.equal([confirmed.status, confirmed.batchId, confirmed.payouts], ['confirmed', '0xab', undefined]);
  assert.throws(() => readReport({ seq: 10, kind: 'settlement', timeMs: 9, status: 'lost', window: 2, firstTradeId: 5, lastTradeId: 9, tradeCount: 3 }, DECIMALS), (error: unknown) => isDarkpoolError(error, 'CLIENT_BAD_ANSWER'));
});

test('a deposit address is read field by field; a malformed one is CLIENT_BAD_ANSWER', () => {
  const wire = {
    chain: 'para:1000', asset: 'USDC', assetLocation: { parents: 0, interior: [{ kind: 'PalletInstance', index: 50 }, { kind: 'GeneralIndex', index: '1337' }] },
    poolAccountHex: `0x${'ab'.repeat(32)}`, poolAccountSs58: '5FxcZraZACr4L78jWkcYe3FHdiwiAUzrKLVtsSwkvFobBKqq', ss58Prefix: 42,
    senderAccountHex: `0x${'cd'.repeat(32)}`, senderAccountSs58: '5GeCJJpcgGoTWbQ1sNWFSFjAkMpkTLrPeLqdV5CTNWRQyk3S', creditedAccount: 'cd'.repeat(32), convention: 'sender', memo: null,
  };
  const address = readDepositAddress(wire as unknown as JsonObject);
  assert.equal([address.poolAccount.hex, address.sendFrom.hex, address.creditedAccount, address.assetLocation.interior[1]], [wire.poolAccountHex, wire.senderAccountHex, wire.creditedAccount, { kind: 'GeneralIndex', index: '1337' }]);
  for (const broken of [
    { ...wire, poolAccountHex: '0x12' }, { ...wire, memo: 'pay-me' }, { ...wire, convention: 'memo' }, { ...wire, poolAccountSs58: '0OIl' },
    { ...wire, assetLocation: { parents: 0, interior: [{ kind: 'Teleport', index: 1 }] } }, { ...wire, assetLocation: { parents: 0, interior: Array(9).fill({ kind: 'Parachain', id: 1 }) } },
  ]) {
    assert.throws(() => readDepositAddress(broken as unknown as JsonObject), (error: unknown) => isDarkpoolError(error, 'CLIENT_BAD_ANSWER'), JSON.stringify(broken).slice(0, 120));
  }
});

test('deposit and withdrawal amounts are atoms on the wire and decimals of the asset here', () => {
  const deposit = readReport({ seq: 1, kind: 'deposit', timeMs: 5, asset: 'USDC', amount: '1234500000', status: 'credited' }, DECIMALS);
  assert.is(deposit.amount, '1234.5');
  const withdrawal = readReport({ seq: 2, kind: 'withdrawal', timeMs: 6, asset: 'DOT', amount: '5', status: 'debited', batchId: 'w1' }, DECIMALS);
  assert.is(withdrawal.amount, '0.0000000005');
  assert.is(withdrawal.batchId, 'w1');
});

test('balances: free, used, total and settling as decimals', () => {
  const balances = readBalances({ balances: [{ asset: 'DOT', available: '980000000000', reserved: '10000000000', settling: '0' }, { asset: 'USDC', available: '0', reserved: '5002500', settling: '4999000' }] }, DECIMALS, 7);
  assert.equal(balances.assets.DOT, { free: '98', used: '1', total: '99', settling: '0' });
  assert.equal(balances.assets.USDC, { free: '0', used: '5.0025', total: '5.0025', settling: '4.999' });
  assert.is(balances.free.DOT, '98');
  assert.is(balances.timestamp, 7);
  assert.throws(() => readBalances({ balances: [{ asset: 'DOT', available: '1.5', reserved: '0', settling: '0' }] }, DECIMALS, 0), (error: unknown) => isDarkpoolError(error, 'CLIENT_BAD_ANSWER'));
});

test('open orders: id as a string, null price for unpriced orders', () => {
  const [limit, midpoint] = readOpenOrders({ orders: [
    { market: 'DOT/USDC', orderId: 3, clientOrderId: 'a', side: 'sell', type: 'limit', price: '5', remaining: '2', timeInForce: 'GTC' },
    { market: 'DOT/USDC', orderId: 4, clientOrderId: 'b', side: 'buy', type: 'midpoint', price: null, remaining: '1', timeInForce: 'GTC' },
  ] }, 11);
  assert.is(limit!.id, '3');
  assert.is(limit!.price, '5');
  assert.is(midpoint!.price, undefined);
  assert.is(midpoint!.status, 'open');
  assert.is(midpoint!.lastUpdateTimestamp, 11);
});

test('fuzz: mutated reports convert or fail with CLIENT_BAD_ANSWER', () => {
  const values: unknown[] = [undefined, null, '', 'x', '-1', '1.5', '01', 0, -1, 1.5, 2 ** 53, true, [], {}, 'fill', 'deposit', 'USDC', 'buy'];
  const fields = ['seq', 'kind', 'timeMs', 'market', 'orderId', 'clientOrderId', 'side', 'remaining', 'trade', 'reason', 'code', 'asset', 'amount', 'batchId', 'status'];
  const tradeFields = Object.keys(TRADE);
  for (let seed = 1; seed <= 3000; seed++) {
    const prng = new Prng(seed);
    const body = JSON.parse(JSON.stringify(FILL)) as Record<string, unknown>;
    const mutations = prng.int(1, 3);
    for (let i = 0; i < mutations; i++) {
      if (prng.chance(0.4) && typeof body.trade === 'object' && body.trade !== null) (body.trade as Record<string, unknown>)[prng.pick(tradeFields)] = prng.pick(values);
      else body[prng.pick(fields)] = prng.pick(values);
    }
    try {
      const report = readReport(body as JsonObject, DECIMALS);
      assert.ok(Number.isSafeInteger(report.seq) && report.seq >= 1, `seed ${seed}: seq`);
    } catch (error) {
      assert.ok(isDarkpoolError(error, 'CLIENT_BAD_ANSWER'), `seed ${seed}: ${JSON.stringify(body)} threw ${String(error)}`);
    }
  }
});

test.run();
