// Market specs: decimal sizes become exact integer atoms; specs that are not whole atoms, not
// exact at half a tick, malformed or out of range are refused with their own codes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError, type ErrorName } from '../../src/errors/index.js';
import { buildMarketLimits, buildMarketSpec, buildMatcherLimits, DEFAULT_MARKET_LIMITS } from '../../src/matching/market-spec.js';
import type { MarketSpecInput } from '../../src/matching/types.js';

const BASE: MarketSpecInput = { id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6, tickSize: '0.0010', lotSize: '0.1' };

function refused(input: unknown, name: ErrorName): void {
  try {
    buildMarketSpec(input as MarketSpecInput);
    assert.unreachable(name);
  } catch (error) {
    assert.ok(isCodedError(error, name), `${name}: ${String(error)}`);
  }
}

test('derives atoms per lot and per tick-lot exactly, and canonical decimals', () => {
  const spec = buildMarketSpec(BASE);
  assert.is(spec.baseAtomsPerLot, 1_000_000_000n);
  assert.is(spec.quoteAtomsPerTickLot, 100n);
  assert.is(spec.tickSize, '0.001');
  assert.equal([spec.mode, spec.minSizeLots, spec.makerFeeBps, spec.priceBandBps], ['continuous', 1, 0, undefined]);
  assert.equal(spec.limits, DEFAULT_MARKET_LIMITS);
  const big = buildMarketSpec({ ...BASE, baseDecimals: 18, quoteDecimals: 18, tickSize: '0.000000000001', lotSize: '1000000' });
  assert.is(big.quoteAtomsPerTickLot, 10n ** 12n);
});

test('refuses sizes that are not whole atoms or not exact at half a tick', () => {
  refused({ ...BASE, baseDecimals: 0 }, 'MARKET_SPEC_NOT_INTEGRAL');
  refused({ ...BASE, quoteDecimals: 2, tickSize: '0.01' }, 'MARKET_SPEC_NOT_INTEGRAL');
  refused({ ...BASE, quoteDecimals: 5, tickSize: '0.0001', lotSize: '0.1' }, 'MARKET_SPEC_HALF_TICK_INEXACT');
});

test('refuses malformed decimals and fields', () => {
  for (const tickSize of ['1e-3', '-0.01', '0', '0.0', '.5', '1.', ' 1', 'NaN', 'Infinity', '0x10', '1'.repeat(70), `0.${'0'.repeat(36)}1`]) {
    refused({ ...BASE, tickSize }, 'MARKET_SPEC_DECIMAL_INVALID');
  }
  refused({ ...BASE, tickSize: 0.01 }, 'MARKET_SPEC_DECIMAL_INVALID');
  refused(null, 'MARKET_SPEC_INVALID');
  refused({ ...BASE, id: '' }, 'MARKET_SPEC_INVALID');
  refused({ ...BASE, baseDecimals: 1.5 }, 'MARKET_SPEC_INVALID');
  refused({ ...BASE, makerFeeBps: 1001 }, 'MARKET_SPEC_INVALID');
  refused({ ...BASE, priceBandBps: 0 }, 'MARKET_SPEC_INVALID');
  refused({ ...BASE, mode: 'batch' }, 'MARKET_SPEC_INVALID');
  refused({ ...BASE, minSizeLots: 0 }, 'MARKET_SPEC_INVALID');
  refused({ ...BASE, limits: { maxPriceTicks: 2 ** 31 } }, 'MARKET_LIMIT_INVALID');
  refused({ ...BASE, limits: { maxOrdersPerBook: 0 } }, 'MARKET_LIMIT_INVALID');
});

test('limits default, and their product bound keeps sums exact', () => {
  assert.is(buildMarketLimits({ maxFillsPerCommand: 5 }).maxFillsPerCommand, 5);
  assert.throws(() => buildMarketLimits({ maxOrdersPerBook: 16_000_000, maxSizeLots: 2 ** 31 - 1 }), /MARKET_LIMIT_INVALID/);
  assert.is(buildMatcherLimits(undefined).recentClientOrderIdsPerAccount, 256);
  assert.throws(() => buildMatcherLimits({ maxAccounts: -1 }), /MARKET_LIMIT_INVALID/);
});

test.run();
