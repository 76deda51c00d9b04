// The public market shape's defaults must be the matcher's: the gateway publishes them for
// fields an operator leaves out, and the enclave's matcher applies its own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { MARKET_DEFAULTS, publicMarketSpec, type MarketConfig } from '../../src/protocol/market-spec.js';

const MINIMAL: MarketConfig = { id: 'KSM/USDC', base: 'KSM', quote: 'USDC', baseDecimals: 12, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.001' };

test('the published defaults are the ones the matcher applies', () => {
  const built = buildMarketSpec(MINIMAL);
  const published = publicMarketSpec(MINIMAL);
  for (const field of ['minSizeLots', 'makerFeeBps', 'takerFeeBps', 'mode'] as const) {
    assert.is(published[field], MARKET_DEFAULTS[field], field);
    assert.is(built[field], published[field], `matcher ${field}`);
  }
});

test('given fields are published as configured, the private ones left out', () => {
  const configured: MarketConfig = { ...MINIMAL, minSizeLots: 5, makerFeeBps: 2, takerFeeBps: 7, mode: 'auction', referenceStalenessMs: 1_000 };
  const published = publicMarketSpec(configured);
  assert.equal(published, { ...MINIMAL, minSizeLots: 5, makerFeeBps: 2, takerFeeBps: 7, mode: 'auction' });
  assert.equal(buildMarketSpec(configured).mode, 'auction');
});

test.run();
