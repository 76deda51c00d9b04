// Shared helpers for the matching tests: a small market, a matcher that stamps commands itself and
// checks invariants after each one, and a compact one-line rendering of events so that expected
// event streams can be written out by hand and read at a glance.
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { Matcher } from '../../src/matching/matcher.js';
import {
  advanceTime,
  amendOrder,
  cancelAll as cancelAllOrders,
  cancelOrder,
  runAuction,
  placeLimit,
  placeMarket,
  placeMidpoint,
  placePrimaryPeg,
  setReference,
  type OrderOptions,
} from '../../src/matching/commands.js';
import type { Command, MarketSpec, MarketSpecInput, MatchEvent, MatcherLimits, Side, Stamp } from '../../src/matching/types.js';

/** Order options besides account, side and size; the client order id defaults to "c<seq>". */
export type Extra = Partial<Omit<OrderOptions, 'account' | 'side' | 'sizeLots'>>;

export const MARKET = 'DOT/USDC';

/** Tick 0.01 USDC, lot 0.1 DOT: one tick on one lot is 0.001 USDC = 1000 quote atoms. */
export function market(overrides: Partial<MarketSpecInput> = {}): MarketSpec {
  return buildMarketSpec({
    id: MARKET,
    base: 'DOT',
    quote: 'USDC',
    baseDecimals: 10,
    quoteDecimals: 6,
    tickSize: '0.01',
    lotSize: '0.1',
    referenceStalenessMs: 1000,
    ...overrides,
  });
}

/** One compact line per event. Prices print in ticks; half ticks as ".5". */
export function line(event: MatchEvent): string {
  switch (event.type) {
    case 'accepted': return `accepted #${event.orderId} ${event.side} ${event.sizeLots}`;
    case 'rejected': return `rejected ${event.name}`;
    case 'fill': {
      const price = event.priceHalfTicks % 2 === 0 ? String(event.priceHalfTicks / 2) : `${(event.priceHalfTicks - 1) / 2}.5`;
      return `fill #${event.makerOrderId}<-#${event.takerOrderId} ${event.sizeLots}@${price}`;
    }
    case 'amended': return `amended #${event.orderId} ${event.sizeLots}@${event.priceTicks ?? 'mid'} ${event.priorityKept ? 'kept' : 'lost'} ${event.cause}`;
    case 'cancelled': return `cancelled #${event.orderId} ${event.reason} ${event.cancelledLots} left ${event.remainingLots}`;
    case 'expired': return `expired #${event.orderId} ${event.expiredLots}`;
    case 'done': return `done #${event.orderId} ${event.reason} ${event.remainingLots}`;
    case 'auctionRun': return `auction ${event.clearingPriceTicks ?? 'none'} ${event.volumeLots}`;
  }
}

/**
 * A matcher that stamps commands with increasing seq (so a placed order's id is the seq shown by
 * `nextSeq`) and checks invariants after every command.
 */
export class Harness {
  readonly matcher: Matcher;
  seq = 0;
  timeMs = 0;
  readonly all: MatchEvent[] = [];

  constructor(markets: MarketSpec[] = [market()], limits?: Partial<MatcherLimits>) {
    this.matcher = new Matcher({ markets, limits });
  }

  /** The next stamp; time advances only when asked. */
  stamp(advanceMs = 0): Stamp {
    this.timeMs += advanceMs;
    return { seq: ++this.seq, timeMs: this.timeMs };
  }

  run(command: Command): MatchEvent[] {
    const events = this.matcher.execute(command);
    this.matcher.checkInvariants();
    this.all.push(...events);
    return events;
  }

  /** Runs and renders. */
  lines(command: Command): string[] {
    return this.run(command).map(line);
  }

  private options(account: string, side: Side, sizeLots: number, stamp: Stamp, extra: Extra): OrderOptions {
    return { market: MARKET, clientOrderId: `c${stamp.seq}`, ...extra, account, side, sizeLots };
  }

  limit(account: string, side: Side, sizeLots: number, priceTicks: number, extra: Extra = {}): string[] {
    const stamp = this.stamp();
    return this.lines(placeLimit(stamp, { ...this.options(account, side, sizeLots, stamp, extra), priceTicks }));
  }

  market(account: string, side: Side, sizeLots: number, protectionPriceTicks: number, extra: Extra = {}): string[] {
    const stamp = this.stamp();
    return this.lines(placeMarket(stamp, { ...this.options(account, side, sizeLots, stamp, extra), protectionPriceTicks }));
  }

  midpoint(account: string, side: Side, sizeLots: number, extra: Extra & { capTicks?: number } = {}): string[] {
    const stamp = this.stamp();
    const { capTicks, ...rest } = extra;
    return this.lines(placeMidpoint(stamp, { ...this.options(account, side, sizeLots, stamp, rest), ...(capTicks === undefined ? {} : { capTicks }) }));
  }

  peg(account: string, side: Side, sizeLots: number, offsetTicks: number, extra: Extra & { capTicks?: number } = {}): string[] {
    const stamp = this.stamp();
    const { capTicks, ...rest } = extra;
    return this.lines(placePrimaryPeg(stamp, { ...this.options(account, side, sizeLots, stamp, rest), offsetTicks, ...(capTicks === undefined ? {} : { capTicks }) }));
  }

  cancel(account: string, orderId: number): string[] {
    return this.lines(cancelOrder(this.stamp(), account, MARKET, { orderId }));
  }

  amend(account: string, orderId: number, change: { newSizeLots?: number; newPriceTicks?: number }): string[] {
    return this.lines(amendOrder(this.stamp(), account, MARKET, { orderId }, change));
  }

  reference(bidTicks: number, askTicks: number, advanceMs = 0): string[] {
    return this.lines(setReference(this.stamp(advanceMs), MARKET, bidTicks, askTicks));
  }
}

/** mulberry32: a tiny seeded PRNG, so every random run is reproducible from its seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const AUCTION_MARKET = 'KSM/USDC';

/** A continuous and an auction market, small limits so that limits are reached in random runs. */
export function mixedMarkets(): MarketSpec[] {
  return [
    market({ makerFeeBps: 2, takerFeeBps: 5, priceBandBps: 2000, limits: { maxOrdersPerBook: 60, maxOrdersPerAccount: 20, maxLevelsPerSide: 12, maxFillsPerCommand: 8, maxMakersVisitedPerCommand: 12, maxPeggedOrders: 10, maxGttOrders: 10 } }),
    market({ id: AUCTION_MARKET, base: 'KSM', mode: 'auction', auctionIntervalMs: 50, makerFeeBps: 1 }),
  ];
}

/** Random commands of every kind over mixedMarkets(), stamped in order, reproducible from the seed. */
export function randomCommands(seed: number, count: number): Command[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
  const accounts = ['a', 'b', 'c', 'd'];
  const commands: Command[] = [];
  const placed: { orderId: number; clientOrderId: string; account: string; market: string }[] = [];
  let timeMs = 0;
  for (let seq = 1; seq <= count; seq++) {
    if (random() < 0.3) timeMs += int(0, 400);
    const stamp = { seq, timeMs };
    const marketId = random() < 0.75 ? MARKET : AUCTION_MARKET;
    const roll = random();
    const side: Side = random() < 0.5 ? 'buy' : 'sell';
    const timeInForce = pick(['GTC', 'GTC', 'GTC', 'IOC', 'FOK', 'GTT'] as const);
    const reused = placed.length > 0 && random() < 0.05 ? pick(placed) : undefined;
    const account = reused?.account ?? pick(accounts);
    const clientOrderId = reused?.clientOrderId ?? `k${seq}`;
    const common: OrderOptions = {
      account, clientOrderId, market: marketId, side, sizeLots: int(1, 8), timeInForce,
      ...(timeInForce === 'GTT' ? { expireAtMs: timeMs + int(1, 600) } : {}),
      postOnly: random() < 0.1, minQtyLots: random() < 0.15 ? int(1, 4) : 0,
      selfTradePrevention: pick(['cancelNewest', 'cancelOldest', 'cancelBoth', 'decrement'] as const),
    };
    const recent = (): (typeof placed)[number] | undefined => (placed.length === 0 ? undefined : placed[Math.max(0, placed.length - 1 - int(0, 30))]);
    const target = recent();
    const targetAccount = target !== undefined && random() < 0.9 ? target.account : pick(accounts);
    const targetMarket = target !== undefined && random() < 0.9 ? target.market : marketId;
    const ref = (): { orderId: number } | { clientOrderId: string } => (target === undefined ? { orderId: 1 } : random() < 0.5 ? { orderId: target.orderId } : { clientOrderId: target.clientOrderId });
    const record = (): void => { placed.push({ orderId: seq, clientOrderId, account, market: marketId }); };
    if (roll < 0.4) { commands.push(placeLimit(stamp, { ...common, priceTicks: int(92, 108) })); record(); }
    else if (roll < 0.45) { const { expireAtMs: _unused, ...rest } = common; commands.push(placeMarket(stamp, { ...rest, timeInForce: random() < 0.7 ? 'IOC' : 'FOK', protectionPriceTicks: int(85, 115) })); record(); }
    else if (roll < 0.5) { commands.push(placeMidpoint(stamp, { ...common, ...(random() < 0.3 ? { capTicks: int(95, 105) } : {}) })); record(); }
    else if (roll < 0.55) { commands.push(placePrimaryPeg(stamp, { ...common, offsetTicks: int(-3, 3), ...(random() < 0.3 ? { capTicks: int(95, 105) } : {}) })); record(); }
    else if (roll < 0.67) commands.push(cancelOrder(stamp, targetAccount, targetMarket, ref()));
    else if (roll < 0.77) commands.push(amendOrder(stamp, targetAccount, targetMarket, ref(), random() < 0.5 ? { newSizeLots: int(1, 8) } : { newPriceTicks: int(88, 112), ...(random() < 0.3 ? { newSizeLots: int(1, 8) } : {}) }));
    else if (roll < 0.79) commands.push(cancelAllOrders(stamp, account, random() < 0.5 ? marketId : undefined));
    else if (roll < 0.88) { const bid = int(94, 104); commands.push(setReference(stamp, marketId, bid, bid + int(-1, 4))); }
    else if (roll < 0.93) commands.push(runAuction(stamp, random() < 0.9 ? AUCTION_MARKET : MARKET));
    else commands.push(advanceTime(stamp));
  }
  return commands;
}
