// Gateway configuration: limits default, refuse anything out of bounds with a coded error,
// and the public market projection agrees with the matcher's own defaults.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { DEFAULT_GATEWAY_LIMITS, publicMarketSpecs, resolveGatewayLimits, type GatewayMarket } from '../../src/gateway/config.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/channel-wire.js';
import { TEST_MARKET } from '../support/enclave-trader.js';

function refused(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch (error) {
    return isCodedError(error, 'GATEWAY_CONFIG_INVALID');
  }
}

test('defaults are complete and within their own bounds', () => {
  assert.equal(resolveGatewayLimits(undefined), DEFAULT_GATEWAY_LIMITS);
  assert.is(DEFAULT_GATEWAY_LIMITS.maxFrameBytes, MAX_FRAME_BYTES);
  assert.is(DEFAULT_GATEWAY_LIMITS.maxMissedPongs, 2);
  assert.is(resolveGatewayLimits({ maxSessions: 3 }).maxSessions, 3);
});

test('out-of-range, fractional, non-numeric and unknown limits are refused with GATEWAY_CONFIG_INVALID', () => {
  assert.ok(refused(() => resolveGatewayLimits({ maxSessions: 0 })));
  assert.ok(refused(() => resolveGatewayLimits({ maxFrameBytes: MAX_FRAME_BYTES + 1 })), 'the frame limit cannot exceed the protocol');
  assert.ok(refused(() => resolveGatewayLimits({ maxFrameBytes: 1_000 })), 'nor refuse every frame');
  assert.ok(refused(() => resolveGatewayLimits({ framesPerSecond: 1.5 })));
  assert.ok(refused(() => resolveGatewayLimits({ burstFrames: Number.NaN })));
  assert.ok(refused(() => resolveGatewayLimits({ heartbeatIntervalMs: '5' as unknown as number })));
  assert.ok(refused(() => resolveGatewayLimits({ maxQueuedOutboundBytes: 10 })), 'a queue must hold at least one frame');
  assert.ok(refused(() => resolveGatewayLimits({ surprise: 1 } as unknown as Record<string, number>)));
});

test('markets: the public fields of each spec, with the matcher\'s defaults where omitted', () => {
  const minimal: GatewayMarket = { id: 'KSM/USDC', base: 'KSM', quote: 'USDC', baseDecimals: 12, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.01' };
  for (const input of [TEST_MARKET, minimal, { ...minimal, id: 'A/B', mode: 'auction' as const, minSizeLots: 5 }]) {
    const built = buildMarketSpec(input);
    const [spec] = publicMarketSpecs([input]);
    assert.equal(spec, {
      id: built.id, base: built.base, quote: built.quote, baseDecimals: built.baseDecimals, quoteDecimals: built.quoteDecimals,
      tickSize: input.tickSize, lotSize: input.lotSize, minSizeLots: built.minSizeLots, makerFeeBps: built.makerFeeBps,
      takerFeeBps: built.takerFeeBps, mode: built.mode,
    });
  }
  assert.not.ok('referenceStalenessMs' in publicMarketSpecs([TEST_MARKET])[0]!, 'only public fields are served');
});

test('malformed or repeated markets are refused before any client sees them', () => {
  const good: GatewayMarket = { id: 'X/Y', base: 'X', quote: 'Y', baseDecimals: 1, quoteDecimals: 1, tickSize: '1', lotSize: '1' };
  assert.ok(refused(() => publicMarketSpecs([good, good])));
  assert.ok(refused(() => publicMarketSpecs([{ ...good, tickSize: '1e-3' }])));
  assert.ok(refused(() => publicMarketSpecs([{ ...good, id: '<script>' }])));
  assert.ok(refused(() => publicMarketSpecs([{ ...good, baseDecimals: -1 }])));
  assert.ok(refused(() => publicMarketSpecs([{ ...good, mode: 'batch' as 'auction' }])));
  assert.ok(refused(() => publicMarketSpecs('markets' as unknown as GatewayMarket[])));
});

test.run();
