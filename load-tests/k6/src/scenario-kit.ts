// What the k6 scenario scripts share: the trader each VU plays, the order it sends, the
// per-VU executor shape and the thresholds, all from environment variables with named
// bounds. Each VU holds one long session for the whole run (k6's per-vu-iterations with one
// iteration), so latencies are measured on warm sessions, not handshakes.
import { CodedError } from '../../../src/errors/index.js';
import type { WireSide, WireTimeInForce } from '../../../src/protocol/trading-messages.js';
import { durationMs, integer, milliseconds, text, traderSeedsHex, type Env } from './config.js';
import { DecimalGrid } from './decimal-grid.js';
import type { OrderSpec } from './order-tracker.js';
import { discoverVenue, type VenueData } from './venue.js';

export const KIT_LIMITS = {
  maxSessions: 100_000,
  maxRatePerSecond: 1_000_000,
  /** The gateway's default token bucket refills 200 frames/s per session; stay under it. */
  defaultMaxSessionRatePerSecond: 190,
  /** Timer tick of the open-loop senders, and the most orders one VU sends per tick. */
  tickMs: 10,
  maxOrdersPerTick: 400,
  /** Extra time k6 allows an iteration beyond the run and the drain, before it interrupts it. */
  iterationGraceMs: 30_000,
} as const;

/** The account (seed) a VU trades as and the side it takes: even seeds buy, odd seeds sell. */
export interface Trader {
  readonly seedHex: string;
  readonly side: WireSide;
  readonly seedIndex: number;
}

export function traderFor(vu: number, seedsHex: readonly string[]): Trader {
  const seedIndex = (vu - 1) % seedsHex.length;
  return { seedHex: seedsHex[seedIndex]!, side: seedIndex % 2 === 0 ? 'buy' : 'sell', seedIndex };
}

export interface CommonSettings {
  readonly seedsHex: readonly string[];
  readonly sessions: number;
  readonly runMs: number;
  readonly ackTimeoutMs: number;
  readonly cancelAtEnd: boolean;
}

/** TRADER_SEEDS, SESSIONS, DURATION, ACK_TIMEOUT, CANCEL_AT_END. */
export function commonSettings(env: Env, defaults: { readonly sessions: number; readonly duration: string; readonly minSeeds: number }): CommonSettings {
  const cancelAtEnd = text(env, 'CANCEL_AT_END', '1');
  if (cancelAtEnd !== '0' && cancelAtEnd !== '1') throw new CodedError('K6_CONFIG_INVALID', 'CANCEL_AT_END must be 0 or 1');
  return {
    seedsHex: traderSeedsHex(env, 'TRADER_SEEDS', defaults.minSeeds),
    sessions: integer(env, 'SESSIONS', defaults.sessions, 1, KIT_LIMITS.maxSessions),
    runMs: durationMs(env, 'DURATION', defaults.duration, 100),
    ackTimeoutMs: durationMs(env, 'ACK_TIMEOUT', '5s', 10),
    cancelAtEnd: cancelAtEnd === '1',
  };
}

/** RATE orders/s spread over the sessions; refuses a per-session rate the gateway would cut off. */
export function perSessionRate(env: Env, sessions: number, fallbackRate: number): number {
  const rate = integer(env, 'RATE', fallbackRate, 1, KIT_LIMITS.maxRatePerSecond);
  const maxSessionRate = integer(env, 'MAX_SESSION_RATE', KIT_LIMITS.defaultMaxSessionRatePerSecond, 1, KIT_LIMITS.maxRatePerSecond);
  const each = rate / sessions;
  if (each > maxSessionRate) throw new CodedError('K6_CONFIG_INVALID', `RATE ${rate} over ${sessions} sessions is ${each.toFixed(1)}/s per session, above MAX_SESSION_RATE ${maxSessionRate}; add SESSIONS`);
  return each;
}

/**
 * The order a VU sends: PRICE (default 7, on the tick grid) moved `offsetTicks` away from
 * the other side (buyers lower, sellers higher), SIZE (default the market minimum).
 */
export function orderSpec(env: Env, venue: VenueData, side: WireSide, timeInForce: WireTimeInForce, offsetTicks = 0n): OrderSpec {
  const ticks = new DecimalGrid(venue.market.tickSize, 'tick size');
  const lots = new DecimalGrid(venue.market.lotSize, 'lot size');
  const priceTicks = ticks.steps(text(env, 'PRICE', '7'), 'PRICE') + (side === 'buy' ? -offsetTicks : offsetTicks);
  const sizeLots = lots.steps(text(env, 'SIZE', lots.format(BigInt(venue.market.minSizeLots))), 'SIZE');
  if (sizeLots < BigInt(venue.market.minSizeLots)) throw new CodedError('K6_CONFIG_INVALID', `SIZE is below the market minimum of ${venue.market.minSizeLots} lots`);
  return { side, price: ticks.format(priceTicks), size: lots.format(sizeLots), timeInForce };
}

/** One long iteration per VU, k6's per-vu-iterations executor. */
export function perVuScenario(settings: CommonSettings, vus: number, exec?: string): Record<string, unknown> {
  const maxDurationS = Math.ceil((settings.runMs + settings.ackTimeoutMs + KIT_LIMITS.iterationGraceMs) / 1_000);
  return { executor: 'per-vu-iterations', vus, iterations: 1, maxDuration: `${maxDurationS}s`, ...(exec === undefined ? {} : { exec }) };
}

/** Thresholds every script shares: no protocol or session errors, nothing lost or rejected, something acknowledged. */
export function correctnessThresholds(): Record<string, string[]> {
  return {
    protocol_errors: ['count==0'],
    session_errors: ['count==0'],
    answers_lost: ['count==0'],
    requests_rejected: ['count==0'],
    request_errors: ['rate==0'],
    sessions_opened: ['count>0'],
  };
}

/** ACK_P99_MS (default 2) and FILL_P99_MS (default 10) as latency thresholds. */
export function latencyThresholds(env: Env): Record<string, string[]> {
  return {
    order_ack_latency: [`p(99)<${milliseconds(env, 'ACK_P99_MS', 2)}`],
    'order_fill_latency{liquidity:taker}': [`p(99)<${milliseconds(env, 'FILL_P99_MS', 10)}`],
    orders_acked: ['count>0'],
  };
}

/** A VU's id prefix: unique per VU and per run, so client order ids never repeat across runs. */
export function idPrefix(vu: number): string {
  return `k6${vu.toString(36)}${Date.now().toString(36)}-`;
}

/** k6's setup() of every scenario: discover the venue and check its attestation once. */
export function setupVenue(env: Env): VenueData {
  const venue = discoverVenue(env);
  console.log(`attestation: ${venue.attestationChecks.join('; ')}`);
  return venue;
}
