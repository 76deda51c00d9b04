// An example market maker on the SDK: it quotes a two-sided ladder around a reference price
// with massQuote (one atomic replace per re-quote), re-quotes when the reference moves or
// when one of its quotes fills, and keeps the dead-man switch armed so that its quotes die
// with it if it crashes or loses its connection. stop() pulls the quotes and disarms.
//
// Run it: tsx client/examples/market-maker.ts --url http://127.0.0.1:8080 --key FILE \
//           --market DOT/USDC --reference 5.00 [--insecure-dev-attestation] [--levels 3] ...
// The script quotes around a seeded random walk that starts at --reference; a program
// embedding MarketMaker passes its own reference Observable (an index, another venue's mid).
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Observable, Subject, type Subscription } from 'rxjs';
import { buildPolicy, loadKey } from '../cli/options.js';
import { checkSize, ClientDecimal, DarkpoolClient, DarkpoolError, isDarkpoolError, roundToTick, type Market, type QuoteInput } from '../sdk/index.js';
import { nodeTransport } from '../sdk/node-transport.js';
import { parseAttestationBundle } from '../../src/protocol/attestation-bundle.js';

export interface MarketMakerConfig {
  readonly symbol: string;
  /** Levels on each side, 1 to 32 (a ladder holds at most 64 quotes). */
  readonly levels: number;
  /** Ticks between the reference and the first level on each side. */
  readonly spreadTicks: number;
  /** Ticks between neighbouring levels. */
  readonly stepTicks: number;
  /** Size of every level, a decimal string in whole lots. */
  readonly levelSize: string;
  /** Re-quote once the reference is this many ticks away from the one quoted. Default 1. */
  readonly requoteThresholdTicks?: number;
  /** Dead-man interval. Default 5000 ms. */
  readonly deadManMs?: number;
  /** Prefix of the quotes' client order ids. Default "mm". */
  readonly clientOrderIdPrefix?: string;
}

export type MarketMakerEvent =
  | { readonly kind: 'quoted'; readonly round: number; readonly reference: string; readonly quotes: readonly QuoteInput[]; readonly orderIds: readonly string[] }
  | { readonly kind: 'fill'; readonly orderId: string; readonly side: string; readonly price: string; readonly amount: string }
  | { readonly kind: 'error'; readonly error: DarkpoolError }
  | { readonly kind: 'stopped' };

export const MARKET_MAKER_LIMITS = {
  maxLevels: 32,
  maxTicks: 1_000_000,
  maxPrefixChars: 16,
} as const;

const DEFAULTS = { requoteThresholdTicks: 1, deadManMs: 5_000, clientOrderIdPrefix: 'mm' } as const;
const PREFIX = /^[A-Za-z0-9_.:-]{1,16}$/;

function invalid(detail: string): DarkpoolError {
  return new DarkpoolError('BOT_CONFIG_INVALID', detail);
}

function whole(value: unknown, min: number, max: number, title: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw invalid(`${title} must be a whole number from ${min} to ${max}`);
  return value;
}

/**
 * The ladder around a reference: bids below it, asks above it, each price on the tick grid
 * (bids rounded down, asks up, so an off-grid reference never narrows the spread). Client
 * order ids are `${prefix}-${session}-${round}-b${level}` so every round's ids are fresh.
 */
export function buildLadder(market: Market, reference: string, config: MarketMakerConfig, session: string, round: number): QuoteInput[] {
  const mid = new ClientDecimal(reference);
  const tick = new ClientDecimal(market.tickSize);
  const prefix = config.clientOrderIdPrefix ?? DEFAULTS.clientOrderIdPrefix;
  const quotes: QuoteInput[] = [];
  for (let level = 0; level < config.levels; level++) {
    const offset = tick.times(config.spreadTicks + level * config.stepTicks);
    const bid = roundToTick(market, mid.minus(offset), 'down');
    const ask = roundToTick(market, mid.plus(offset), 'up');
    if (bid.greaterThan(0)) quotes.push({ side: 'buy', price: bid.toFixed(), amount: config.levelSize, clientOrderId: `${prefix}-${session}-${round}-b${level}` });
    quotes.push({ side: 'sell', price: ask.toFixed(), amount: config.levelSize, clientOrderId: `${prefix}-${session}-${round}-a${level}` });
  }
  return quotes;
}

export class MarketMaker {
  readonly #client: DarkpoolClient;
  readonly #reference$: Observable<string>;
  readonly #config: MarketMakerConfig;
  readonly #market: Market;
  readonly #events = new Subject<MarketMakerEvent>();
  readonly #session = Date.now().toString(36);
  readonly #subscriptions: Subscription[] = [];
  #reference: string | undefined;
  #quotedReference: string | undefined;
  #quotes: readonly QuoteInput[] = [];
  #ownOrders = new Set<string>();
  #round = 0;
  #requoteWanted = false;
  #requoting: Promise<void> | undefined;
  #running = false;

  constructor(client: DarkpoolClient, reference$: Observable<string>, config: MarketMakerConfig) {
    this.#client = client;
    this.#reference$ = reference$;
    this.#market = client.market(config.symbol);
    whole(config.levels, 1, MARKET_MAKER_LIMITS.maxLevels, 'levels');
    whole(config.spreadTicks, 1, MARKET_MAKER_LIMITS.maxTicks, 'spreadTicks');
    whole(config.stepTicks, 1, MARKET_MAKER_LIMITS.maxTicks, 'stepTicks');
    whole(config.requoteThresholdTicks ?? DEFAULTS.requoteThresholdTicks, 1, MARKET_MAKER_LIMITS.maxTicks, 'requoteThresholdTicks');
    whole(config.deadManMs ?? DEFAULTS.deadManMs, 100, 3_600_000, 'deadManMs');
    if (!PREFIX.test(config.clientOrderIdPrefix ?? DEFAULTS.clientOrderIdPrefix)) throw invalid('clientOrderIdPrefix must be 1 to 16 of A-Z a-z 0-9 _ . : -');
    try {
      checkSize(this.#market, config.levelSize, 'levelSize');
    } catch (error) {
      throw invalid(error instanceof Error ? error.message : String(error));
    }
    this.#config = config;
  }

  /** What the bot does, as it does it. */
  get events$(): Observable<MarketMakerEvent> {
    return this.#events.asObservable();
  }

  /** The ladder last quoted. */
  get quotes(): readonly QuoteInput[] {
    return this.#quotes;
  }

  get round(): number {
    return this.#round;
  }

  /** Arms the dead-man switch, then quotes on every reference that moved far enough and on every fill. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#client.cancelAllOrdersAfter(this.#config.deadManMs ?? DEFAULTS.deadManMs);
    this.#subscriptions.push(this.#client.watchMyTrades(this.#config.symbol).subscribe((trade) => {
      // A trade comes again on each settlement step; only its fill (still pending) moves the quotes.
      if (trade.settlement !== 'pending' || !this.#ownOrders.has(trade.order)) return;
      this.#events.next({ kind: 'fill', orderId: trade.order, side: trade.side, price: trade.price, amount: trade.amount });
      this.#wantRequote();
    }));
    this.#subscriptions.push(this.#client.connectionState$.subscribe((state) => {
      if (state === 'closed') this.#halt();
    }));
    this.#subscriptions.push(this.#reference$.subscribe({
      next: (reference) => this.#onReference(reference),
      error: (error: unknown) => this.#events.next({ kind: 'error', error: isDarkpoolError(error) ? error : new DarkpoolError('BOT_REFERENCE_INVALID', String(error)) }),
    }));
  }

  /** Stops quoting, waits for a re-quote in flight, cancels the bot's orders in its market and disarms the dead-man switch. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const subscription of this.#subscriptions.splice(0)) subscription.unsubscribe();
    this.#requoteWanted = false;
    await this.#requoting;
    await this.#client.cancelAllOrders(this.#config.symbol);
    await this.#client.cancelAllOrdersAfter(0);
    this.#quotes = [];
    this.#events.next({ kind: 'stopped' });
    this.#events.complete();
  }

  /** The client is gone (closed or gave up reconnecting): stop reacting; the dead-man switch pulls the quotes. */
  #halt(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const subscription of this.#subscriptions.splice(0)) subscription.unsubscribe();
    this.#events.next({ kind: 'stopped' });
    this.#events.complete();
  }

  #onReference(reference: string): void {
    let price;
    try {
      price = new ClientDecimal(reference);
      if (!/^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(reference) || price.lessThanOrEqualTo(0)) throw new Error('not positive');
    } catch {
      this.#events.next({ kind: 'error', error: new DarkpoolError('BOT_REFERENCE_INVALID', JSON.stringify(String(reference).slice(0, 40))) });
      return;
    }
    this.#reference = reference;
    const threshold = new ClientDecimal(this.#market.tickSize).times(this.#config.requoteThresholdTicks ?? DEFAULTS.requoteThresholdTicks);
    if (this.#quotedReference === undefined || price.minus(this.#quotedReference).abs().greaterThanOrEqualTo(threshold)) this.#wantRequote();
  }

  /** Coalesces triggers: at most one massQuote in flight, and one more after it if anything changed meanwhile. */
  #wantRequote(): void {
    if (!this.#running || this.#reference === undefined) return;
    this.#requoteWanted = true;
    if (this.#requoting === undefined) this.#requoting = this.#requoteLoop().finally(() => { this.#requoting = undefined; });
  }

  async #requoteLoop(): Promise<void> {
    for (let burst = 0; this.#requoteWanted && this.#running && burst < 1_000; burst++) {
      this.#requoteWanted = false;
      const reference = this.#reference!;
      this.#round += 1;
      const quotes = buildLadder(this.#market, reference, this.#config, this.#session, this.#round);
      try {
        const result = await this.#client.massQuote(this.#config.symbol, quotes);
        this.#quotes = quotes;
        this.#quotedReference = reference;
        this.#ownOrders = new Set(result.orderIds);
        this.#events.next({ kind: 'quoted', round: this.#round, reference, quotes, orderIds: result.orderIds });
      } catch (error) {
        this.#events.next({ kind: 'error', error: isDarkpoolError(error) ? error : new DarkpoolError('CLIENT_INTERNAL', String(error)) });
      }
    }
  }
}

/** A seeded random walk of reference prices on the tick grid, for running the example on its own. */
export function randomWalkReference(market: Market, start: string, intervalMs: number, maxStepTicks: number, seed: number): Observable<string> {
  return new Observable<string>((subscriber) => {
    let state = seed >>> 0;
    let price = new ClientDecimal(start);
    const tick = new ClientDecimal(market.tickSize);
    subscriber.next(price.toFixed());
    const timer = setInterval(() => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      const next = price.plus(tick.times((state % (2 * maxStepTicks + 1)) - maxStepTicks));
      if (next.greaterThan(0)) price = next;
      subscriber.next(price.toFixed());
    }, intervalMs);
    return () => clearInterval(timer);
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv], strict: true, options: {
      url: { type: 'string' }, key: { type: 'string' }, market: { type: 'string' }, reference: { type: 'string' },
      levels: { type: 'string' }, 'spread-ticks': { type: 'string' }, 'step-ticks': { type: 'string' }, size: { type: 'string' },
      'dead-man-ms': { type: 'string' }, 'insecure-dev-attestation': { type: 'boolean' }, 'dev-root': { type: 'string' }, policy: { type: 'string' },
    },
  });
  const url = values.url ?? process.env.DARKPOOL_URL ?? 'http://127.0.0.1:8080';
  const policy = await buildPolicy(values, async () => {
    const response = await fetch(new URL('/v1/attestation', url));
    const bundle = parseAttestationBundle(await response.json());
    return bundle.kind === 'dev' ? bundle.devReport.rootPublicKeyHex : undefined;
  });
  const client = new DarkpoolClient({ url, secretKey: loadKey(values.key ?? process.env.DARKPOOL_KEY), policy, transport: nodeTransport });
  await client.connect();
  const symbol = values.market ?? [...client.markets.keys()][0]!;
  const market = client.market(symbol);
  const reference$ = randomWalkReference(market, values.reference ?? '1', 1_000, 2, 1);
  const bot = new MarketMaker(client, reference$, {
    symbol, levels: Number(values.levels ?? 3), spreadTicks: Number(values['spread-ticks'] ?? 2), stepTicks: Number(values['step-ticks'] ?? 2),
    levelSize: values.size ?? market.lotSize, deadManMs: Number(values['dead-man-ms'] ?? 5_000),
  });
  bot.events$.subscribe((event) => {
    if (event.kind === 'quoted') console.log(`round ${event.round} around ${event.reference}: ${event.quotes.map((q) => `${q.side} ${q.amount}@${q.price}`).join(', ')}`);
    else if (event.kind === 'fill') console.log(`fill ${event.side} ${event.amount} @ ${event.price} (order ${event.orderId})`);
    else if (event.kind === 'error') console.error(`error ${event.error.message}`);
  });
  await bot.start();
  await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  await bot.stop();
  await client.close();
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
    console.error(`error ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
