// The gateway's configuration: every limit it enforces, with defaults and bounds, and the
// public market list. Limits are validated once at start-up so a typo cannot leave the
// gateway unbounded; markets are the same edge specs the enclave starts with, of which only
// the public fields are served.
import { CodedError } from '../errors/index.js';
import { MAX_FRAME_BYTES, PADDING_BUCKETS_BYTES, FRAME_HEADER_BYTES, AEAD_TAG_BYTES } from '../protocol/channel-wire.js';
import { publicMarketSpec, type MarketConfig, type PublicMarketSpec } from '../protocol/market-spec.js';

export interface GatewayLimits {
  /** Sessions held at once: websockets (from connect) plus REST sessions (until collected or expired). */
  readonly maxSessions: number;
  /** Token-bucket refill rate: frames per second per session (the hello counts as one). */
  readonly framesPerSecond: number;
  /** Token-bucket capacity: frames a session may send in a burst. */
  readonly burstFrames: number;
  /** Largest client frame accepted; at most the protocol's MAX_FRAME_BYTES. */
  readonly maxFrameBytes: number;
  /** Bytes queued towards one peer (websocket send buffer or undelivered REST output) before it is dropped. */
  readonly maxQueuedOutboundBytes: number;
  /** Largest REST request body. */
  readonly maxRestBodyBytes: number;
  /** Frames one REST call may carry. */
  readonly maxFramesPerRestCall: number;
  /** A REST session unused for this long is closed and its token forgotten. */
  readonly restSessionIdleMs: number;
  /** A websocket must send its ClientHello within this; a REST hello waits this long for the ServerHello. */
  readonly helloTimeoutMs: number;
  /** Websocket ping period. */
  readonly heartbeatIntervalMs: number;
  /** Pings in a row a peer may leave unanswered; at the next tick it is dropped. */
  readonly maxMissedPongs: number;
  /** After a coded close, a peer that does not finish the close handshake is cut off after this. */
  readonly closeGraceMs: number;
  /** Time allowed to receive a whole HTTP request (slow-loris guard). */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxSessions: 1_024,
  framesPerSecond: 200,
  burstFrames: 400,
  maxFrameBytes: MAX_FRAME_BYTES,
  maxQueuedOutboundBytes: 1_048_576,
  maxRestBodyBytes: 1_048_576,
  maxFramesPerRestCall: 32,
  restSessionIdleMs: 60_000,
  helloTimeoutMs: 10_000,
  heartbeatIntervalMs: 15_000,
  maxMissedPongs: 2,
  closeGraceMs: 2_000,
  requestTimeoutMs: 15_000,
};

/** The smallest frame the protocol defines; a lower maxFrameBytes would refuse every frame. */
const MIN_FRAME_BYTES = FRAME_HEADER_BYTES + PADDING_BUCKETS_BYTES[0]! + AEAD_TAG_BYTES;
const HOUR_MS = 3_600_000;

/** Inclusive bounds per limit: wide enough for any deployment, narrow enough to stay safe. */
const BOUNDS: Readonly<Record<keyof GatewayLimits, readonly [number, number]>> = {
  maxSessions: [1, 1_000_000],
  framesPerSecond: [1, 1_000_000],
  burstFrames: [1, 1_000_000],
  maxFrameBytes: [MIN_FRAME_BYTES, MAX_FRAME_BYTES],
  maxQueuedOutboundBytes: [MAX_FRAME_BYTES, 1 << 30],
  maxRestBodyBytes: [1_024, 64 << 20],
  maxFramesPerRestCall: [1, 1_024],
  restSessionIdleMs: [1_000, 24 * HOUR_MS],
  helloTimeoutMs: [10, HOUR_MS],
  heartbeatIntervalMs: [10, HOUR_MS],
  maxMissedPongs: [1, 100],
  closeGraceMs: [1, 60_000],
  requestTimeoutMs: [100, HOUR_MS],
};

/** Fills limits from the defaults and checks each against its bounds (GATEWAY_CONFIG_INVALID). */
export function resolveGatewayLimits(input: Partial<GatewayLimits> | undefined): GatewayLimits {
  const merged: Record<string, unknown> = { ...DEFAULT_GATEWAY_LIMITS, ...(input ?? {}) };
  for (const key of Object.keys(merged)) {
    const bounds = BOUNDS[key as keyof GatewayLimits];
    if (bounds === undefined) throw new CodedError('GATEWAY_CONFIG_INVALID', `unknown limit ${JSON.stringify(key.slice(0, 64))}`);
    const value = merged[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < bounds[0] || value > bounds[1]) {
      throw new CodedError('GATEWAY_CONFIG_INVALID', `${key} must be an integer in [${bounds[0]}, ${bounds[1]}], got ${String(value)}`);
    }
  }
  return merged as unknown as GatewayLimits;
}

/** One market as configured (the enclave validates it fully; the gateway publishes its public fields). */
export type GatewayMarket = MarketConfig;

export const MAX_MARKETS = 1_024;
const DECIMAL = /^(0|[1-9][0-9]{0,59})(\.[0-9]{1,36})?$/;
const SYMBOL = /^[A-Za-z0-9/_.-]{1,64}$/;

/**
 * Projects the configured markets onto their public fields. The enclave validates the specs
 * fully when it starts; this checks only what the gateway serves, so a malformed entry never
 * reaches a client (GATEWAY_CONFIG_INVALID).
 */
export function publicMarketSpecs(markets: readonly GatewayMarket[]): readonly PublicMarketSpec[] {
  if (!Array.isArray(markets) || markets.length > MAX_MARKETS) throw new CodedError('GATEWAY_CONFIG_INVALID', `markets must be an array of at most ${MAX_MARKETS}`);
  const seen = new Set<string>();
  return markets.map((market, index) => {
    const where = `markets[${index}]`;
    for (const field of ['id', 'base', 'quote'] as const) {
      if (typeof market[field] !== 'string' || !SYMBOL.test(market[field])) throw new CodedError('GATEWAY_CONFIG_INVALID', `${where}.${field} must be 1-64 characters of [A-Za-z0-9/_.-]`);
    }
    for (const field of ['tickSize', 'lotSize'] as const) {
      if (typeof market[field] !== 'string' || !DECIMAL.test(market[field])) throw new CodedError('GATEWAY_CONFIG_INVALID', `${where}.${field} must be a plain decimal string`);
    }
    if (seen.has(market.id)) throw new CodedError('GATEWAY_CONFIG_INVALID', `${where}.id repeats ${market.id}`);
    seen.add(market.id);
    const spec = publicMarketSpec(market);
    for (const field of ['baseDecimals', 'quoteDecimals', 'minSizeLots', 'makerFeeBps', 'takerFeeBps'] as const) {
      const value = spec[field];
      if (!Number.isSafeInteger(value) || value < 0) throw new CodedError('GATEWAY_CONFIG_INVALID', `${where}.${field} must be a non-negative integer`);
    }
    if (spec.mode !== 'continuous' && spec.mode !== 'auction') throw new CodedError('GATEWAY_CONFIG_INVALID', `${where}.mode must be continuous or auction`);
    return Object.freeze(spec);
  });
}
