// The fast matcher against the naive reference book: seeded random command sequences, edge-biased
// so that crossing, minimum quantity, self-trade prevention, pegs, expiry, auctions and every
// limit are hit, must produce identical event streams and identical state hashes, and the fast
// book's invariants must hold after every command. A failure prints its seed and the shortest
// command prefix (then a greedily shrunk list) that reproduces it.
// INVARIANT: fast and reference books agree event for event; lots are conserved (every accepted lot
// is filled, cancelled, expired or still resting); replay and snapshot/restore are deterministic.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { Matcher } from '../../src/matching/matcher.js';
import { ReferenceBook } from '../../src/matching/reference-book.js';
import type {
  Command,
  MarketSpec,
  MarketSpecInput,
  MatchEvent,
  MatcherLimits,
  MatcherOptions,
  OrderPricing,
  OrderType,
  SelfTradePrevention,
  Side,
  TimeInForce,
} from '../../src/matching/types.js';

const BASE_SEED = Number(process.env.PROPERTY_SEED ?? 0x5eed_2025);
const SEQUENCES = Number(process.env.PROPERTY_SEQUENCES ?? 10_000);
const DETERMINISM_EVERY = 10;
const HASH_EVERY = 8;

/** mulberry32: a small seeded generator, identical on every machine. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

class Dice {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean { return this.next() < p; }
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]!; }
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) { roll -= weight; if (roll < 0) return value; }
    return entries[entries.length - 1]![0];
  }
}

// ───────────────────────────── markets ─────────────────────────────

const CONTINUOUS = 'C/Q';
const AUCTION = 'A/Q';
const MAX_PRICE = 30;
const MAX_SIZE = 40;

interface World {
  readonly options: MatcherOptions;
  readonly continuous: MarketSpec;
  readonly auction: MarketSpec;
}

/** Small limits so that every capacity reject and every budget is reachable in a short sequence. */
function world(dice: Dice): World {
  const tight = dice.chance(0.5);
  const limits = {
    maxOrdersPerBook: tight ? dice.int(3, 8) : 40,
    maxOrdersPerAccount: tight ? dice.int(2, 5) : 40,
    maxLevelsPerSide: tight ? dice.int(2, 4) : 30,
    maxPeggedOrders: tight ? dice.int(1, 3) : 20,
    maxGttOrders: tight ? dice.int(1, 3) : 20,
    maxFillsPerCommand: tight ? dice.int(1, 3) : 50,
    maxMakersVisitedPerCommand: tight ? dice.int(1, 4) : 50,
    maxPriceTicks: MAX_PRICE,
    maxSizeLots: MAX_SIZE,
  };
  const common: Omit<MarketSpecInput, 'id' | 'mode'> = {
    base: 'B',
    quote: 'Q',
    baseDecimals: 3,
    quoteDecimals: 4,
    tickSize: '0.5',
    lotSize: '0.01',
    minSizeLots: dice.pick([1, 1, 1, 2]),
    priceBandBps: dice.chance(0.3) ? dice.pick([500, 2000, 4000]) : undefined,
    makerFeeBps: dice.pick([0, 1, 7, 1000]),
    takerFeeBps: dice.pick([0, 3, 25, 999]),
    referenceStalenessMs: dice.pick([3, 20, 1000, 1000]),
    limits,
  };
  const continuous = buildMarketSpec({ ...common, id: CONTINUOUS, mode: 'continuous' });
  const auction = buildMarketSpec({ ...common, id: AUCTION, mode: 'auction', auctionIntervalMs: dice.pick([0, 3, 10]) });
  const matcherLimits: Partial<MatcherLimits> = {
    maxAccounts: dice.pick([3, 4, 5]),
    maxClientOrderIdLength: 4,
    maxAccountLength: 8,
    recentClientOrderIdsPerAccount: dice.pick([1, 3, 50]),
  };
  return { options: { markets: [continuous, auction], limits: matcherLimits }, continuous, auction };
}

// ───────────────────────────── commands ─────────────────────────────

interface Placed { readonly orderId: number; readonly account: string; readonly clientOrderId: string; readonly market: string }

/** Builds one sequence; remembers what it placed so that cancels and amends mostly hit real orders. */
class Script {
  seq = 0;
  timeMs = 0;
  readonly placed: Placed[] = [];

  constructor(private readonly dice: Dice) {}

  private stamp(): { seq: number; timeMs: number } {
    const dice = this.dice;
    if (dice.chance(0.01) && this.seq > 0) return { seq: this.seq - dice.int(0, 1), timeMs: this.timeMs };
    if (dice.chance(0.01) && this.timeMs > 0) return { seq: ++this.seq, timeMs: this.timeMs - 1 };
    this.seq += dice.chance(0.05) ? 2 : 1;
    this.timeMs += dice.weighted([[0, 4], [1, 4], [2, 2], [7, 1], [25, 1]]);
    return { seq: this.seq, timeMs: this.timeMs };
  }

  private account(): string {
    return this.dice.weighted([['alice', 5], ['bob', 5], ['carol', 2], ['dave', 0.5], ['erin', 0.5], ['', 0.1], ['toolongname', 0.1]]);
  }

  private clientOrderId(): string {
    return this.dice.weighted([[`o${this.dice.int(0, 29)}`, 30], [`${this.dice.int(10, 99)}`, 5], ['', 0.2], ['x12345', 0.2]]);
  }

  private price(): number {
    return this.dice.weighted([[this.dice.int(13, 17), 20], [this.dice.int(1, MAX_PRICE), 3], [1, 0.5], [MAX_PRICE, 0.5], [0, 0.2], [MAX_PRICE + 1, 0.2], [12.5, 0.1]]);
  }

  private size(): number {
    return this.dice.weighted([[this.dice.int(1, 6), 20], [this.dice.int(1, 15), 5], [1, 2], [MAX_SIZE, 0.3], [0, 0.2], [MAX_SIZE + 1, 0.2], [-3, 0.1], [2.5, 0.1]]);
  }

  private market(auctionShare: number): string {
    return this.dice.weighted([[CONTINUOUS, 1 - auctionShare], [AUCTION, auctionShare], ['NOPE', 0.01]]);
  }

  private pricing(orderType: OrderType): OrderPricing {
    const dice = this.dice;
    const cap = (): number | undefined => (dice.chance(0.5) ? undefined : this.price());
    switch (orderType) {
      case 'limit': return { orderType, priceTicks: this.price() };
      case 'market': return { orderType, protectionPriceTicks: this.price() };
      case 'midpoint': return { orderType, capTicks: cap() };
      case 'primaryPeg': return { orderType, offsetTicks: dice.weighted([[dice.int(-2, 2), 20], [MAX_PRICE + 1, 0.2], [0.5, 0.2]]), capTicks: cap() };
    }
  }

  place(): Command {
    const dice = this.dice;
    const stamp = this.stamp();
    const market = this.market(0.3);
    const auction = market === AUCTION;
    const orderType = dice.weighted<OrderType>(auction
      ? [['limit', 12], ['market', 4], ['midpoint', 0.3], ['primaryPeg', 0.3]]
      : [['limit', 10], ['market', 2], ['midpoint', 3], ['primaryPeg', 3]]);
    const sizeLots = this.size();
    const timeInForce = dice.weighted<TimeInForce>(orderType === 'market'
      ? [['IOC', 10], ['FOK', auction ? 0.3 : 5], ['GTC', 0.3]]
      : [['GTC', 12], ['IOC', 3], ['FOK', auction ? 0.3 : 2], ['GTT', 4]]);
    const expireAtMs = timeInForce === 'GTT'
      ? dice.weighted([[stamp.timeMs + dice.int(1, 30), 20], [stamp.timeMs, 0.3]])
      : dice.chance(0.005) ? stamp.timeMs + 5 : undefined;
    const postOnly = orderType === 'limit' && !auction ? dice.chance(0.12) : dice.chance(0.01);
    const minQtyLots = auction
      ? (dice.chance(0.02) ? 1 : 0)
      : dice.weighted([[0, 12], [dice.int(1, 3), 6], [Math.max(0, sizeLots), 1], [sizeLots + 1, 0.2], [-1, 0.05]]);
    const selfTradePrevention = dice.weighted<SelfTradePrevention>([['cancelNewest', 1], ['cancelOldest', 1], ['cancelBoth', 1], ['decrement', 1.5]]);
    const side = dice.weighted<Side>([['buy', 1], ['sell', 1], ['hold' as Side, 0.01]]);
    const account = this.account();
    const clientOrderId = this.clientOrderId();
    this.placed.push({ orderId: stamp.seq, account, clientOrderId, market });
    return {
      type: 'place', ...stamp, account, clientOrderId, market, side, sizeLots, timeInForce, expireAtMs, postOnly, minQtyLots, selfTradePrevention,
      ...this.pricing(orderType),
    } as Command;
  }

  /** Mostly a real order of the right owner, sometimes someone else's or one that never existed. */
  private target(): { account: string; market: string; order: { orderId: number } | { clientOrderId: string } } {
    const dice = this.dice;
    const known = this.placed.length > 0 && dice.chance(0.9) ? dice.pick(this.placed.slice(-6)) : undefined;
    const account = known !== undefined && dice.chance(0.9) ? known.account : this.account();
    const market = known !== undefined && dice.chance(0.95) ? known.market : this.market(0.3);
    const order = dice.weighted<{ orderId: number } | { clientOrderId: string }>([
      [{ orderId: known?.orderId ?? dice.int(1, this.seq + 1) }, 5],
      [{ clientOrderId: known?.clientOrderId ?? this.clientOrderId() }, 4],
      [{ orderId: 0 }, 0.05],
    ]);
    return { account, market, order };
  }

  cancel(): Command {
    return { type: 'cancel', ...this.stamp(), ...this.target() };
  }

  amend(): Command {
    const dice = this.dice;
    const stamp = this.stamp();
    const target = this.target();
    const newSizeLots = dice.weighted([[undefined, 3], [dice.int(1, 8), 6], [0, 0.2], [MAX_SIZE + 1, 0.1]]);
    const newPriceTicks = dice.weighted([[undefined, 5], [this.price(), 4]]);
    return { type: 'amend', ...stamp, ...target, newSizeLots, newPriceTicks };
  }

  cancelAll(): Command {
    const market = this.dice.weighted([[undefined, 1], [CONTINUOUS, 1], [AUCTION, 1], ['NOPE', 0.05]]);
    return { type: 'cancelAll', ...this.stamp(), account: this.account(), market };
  }

  setReference(): Command {
    const dice = this.dice;
    const bidTicks = dice.weighted([[dice.int(12, 17), 20], [dice.int(1, MAX_PRICE), 2], [0, 0.2], [MAX_PRICE + 1, 0.2]]);
    const askTicks = bidTicks + dice.weighted([[dice.int(0, 3), 20], [-1, 2], [1, 5]]);
    return { type: 'setReference', ...this.stamp(), market: this.market(0.25), bidTicks, askTicks };
  }

  auction(): Command {
    return { type: 'auction', ...this.stamp(), market: this.dice.weighted([[AUCTION, 20], [CONTINUOUS, 1], ['NOPE', 0.2]]) };
  }

  advanceTime(): Command {
    const stamp = this.stamp();
    return { type: 'advanceTime', seq: stamp.seq, timeMs: stamp.timeMs + this.dice.int(0, 6) };
  }

  malformed(): Command {
    const stamp = this.stamp();
    return this.dice.pick([
      { type: 'explode', ...stamp },
      { type: 'advanceTime', seq: 0, timeMs: stamp.timeMs },
      { type: 'advanceTime', seq: stamp.seq, timeMs: -1 },
      { type: 'advanceTime', seq: stamp.seq + 0.5, timeMs: stamp.timeMs },
    ]) as unknown as Command;
  }

  command(): Command {
    this.timeMs = Math.max(this.timeMs, 0);
    const kind = this.dice.weighted([
      ['place', 55], ['cancel', 8], ['amend', 10], ['cancelAll', 2], ['setReference', 12], ['auction', 6], ['advanceTime', 5], ['malformed', 0.5],
    ] as const);
    const command = this[kind]();
    if (command.type === 'advanceTime' && typeof command.timeMs === 'number' && command.timeMs > this.timeMs) this.timeMs = command.timeMs;
    return command;
  }
}

function sequence(seed: number): { world: World; commands: Command[] } {
  const dice = new Dice(prng(seed));
  const built = world(dice);
  const script = new Script(dice);
  const length = dice.int(20, 60);
  const commands: Command[] = [];
  for (let i = 0; i < length; i++) commands.push(script.command());
  return { world: built, commands };
}

// ───────────────────────────── comparing ─────────────────────────────

/** Canonical text of an event: sorted keys, bigints as decimal text, the free-form reject detail left out. */
function canonical(event: MatchEvent): string {
  const record = event as unknown as Record<string, unknown>;
  return Object.keys(record).filter((key) => key !== 'detail').sort()
    .map((key) => `${key}=${typeof record[key] === 'bigint' ? `${String(record[key])}n` : JSON.stringify(record[key])}`).join(' ');
}

function run(engine: { apply(command: Command, sink: (event: MatchEvent) => void): void }, command: Command): string[] {
  const events: string[] = [];
  engine.apply(command, (event) => { events.push(canonical(event)); });
  return events;
}

/**
 * Lots of every live order as implied by the events alone: accepted size, less fills, cancels and
 * expiries, reset by amends. Every event's own remainder must agree, an order must be at zero when
 * it is done, and the live orders must be exactly the resting ones with the same lots.
 */
class LotLedger {
  private readonly remaining = new Map<number, number>();

  /** Applies one event; returns a problem, or undefined. */
  apply(event: MatchEvent): string | undefined {
    const lots = this.remaining;
    const take = (orderId: number, amount: number, reported: number, what: string): string | undefined => {
      const left = (lots.get(orderId) ?? Number.NaN) - amount;
      lots.set(orderId, left);
      return left === reported ? undefined : `${what}: order ${orderId} should have ${left} lots left, the event says ${reported}`;
    };
    switch (event.type) {
      case 'accepted':
        if (lots.has(event.orderId)) return `order ${event.orderId} accepted twice`;
        lots.set(event.orderId, event.sizeLots);
        return undefined;
      case 'fill':
        return take(event.makerOrderId, event.sizeLots, event.makerRemainingLots, 'fill (maker)') ?? take(event.takerOrderId, event.sizeLots, event.takerRemainingLots, 'fill (taker)');
      case 'cancelled':
        return take(event.orderId, event.cancelledLots, event.remainingLots, 'cancelled');
      case 'expired':
        return take(event.orderId, event.expiredLots, 0, 'expired');
      case 'amended':
        if (!lots.has(event.orderId)) return `amended unknown order ${event.orderId}`;
        lots.set(event.orderId, event.sizeLots);
        return undefined;
      case 'done': {
        const left = lots.get(event.orderId);
        lots.delete(event.orderId);
        return left === 0 ? undefined : `order ${event.orderId} done with ${String(left)} lots unaccounted for`;
      }
      default:
        return undefined;
    }
  }

  /** The live orders and their lots must be exactly the resting ones. */
  compare(fast: Matcher): string | undefined {
    const resting = new Map<number, number>();
    for (const book of fast.snapshot().books) for (const order of book.orders) resting.set(order.orderId, order.remainingLots);
    if (resting.size !== this.remaining.size) return `${this.remaining.size} orders live by the events, ${resting.size} resting`;
    for (const [orderId, lots] of this.remaining) {
      if (resting.get(orderId) !== lots) return `order ${orderId}: ${lots} lots by the events, ${String(resting.get(orderId))} resting`;
    }
    return undefined;
  }
}

/** Replays a command list on fresh books; the first problem, or undefined when they agree throughout. */
function firstFailure(options: MatcherOptions, commands: readonly Command[], hashEvery: number): { index: number; message: string } | undefined {
  const fast = new Matcher(options);
  const reference = new ReferenceBook(options);
  const ledger = new LotLedger();
  for (let index = 0; index < commands.length; index++) {
    const command = commands[index]!;
    const fastEvents: string[] = [];
    let unaccounted: string | undefined;
    let referenceEvents: string[];
    try {
      fast.apply(command, (event) => {
        fastEvents.push(canonical(event));
        unaccounted ??= ledger.apply(event);
      });
    } catch (error) {
      return { index, message: `fast matcher threw: ${String(error)}` };
    }
    if (unaccounted !== undefined) return { index, message: `lots not conserved: ${unaccounted}` };
    try {
      referenceEvents = run(reference, command);
    } catch (error) {
      return { index, message: `reference threw: ${String(error)}` };
    }
    if (fastEvents.join('\n') !== referenceEvents.join('\n')) {
      return { index, message: `events differ\n  fast:\n    ${fastEvents.join('\n    ')}\n  reference:\n    ${referenceEvents.join('\n    ')}` };
    }
    try {
      fast.checkInvariants();
    } catch (error) {
      return { index, message: `fast invariant: ${String(error)}` };
    }
    try {
      reference.checkInvariants();
    } catch (error) {
      return { index, message: `reference invariant: ${String(error)}` };
    }
    if (index === commands.length - 1 || index % hashEvery === 0) {
      const drift = ledger.compare(fast);
      if (drift !== undefined) return { index, message: `lots not conserved: ${drift}` };
      if (fast.stateHash() !== reference.stateHash()) {
        return { index, message: `state differs\n  fast:      ${JSON.stringify(fast.snapshot().books.map((b) => b.orders))}\n  reference: ${JSON.stringify(reference.snapshot().books.map((b) => b.orders))}` };
      }
    }
  }
  return undefined;
}

/** Drops commands one at a time while the failure persists (bounded), for a short reproducer. */
function shrink(options: MatcherOptions, commands: readonly Command[]): Command[] {
  let current = [...commands];
  const maxAttempts = 400;
  let attempts = 0;
  for (let at = current.length - 2; at >= 0 && attempts < maxAttempts; at--) {
    attempts++;
    const candidate = [...current.slice(0, at), ...current.slice(at + 1)];
    const failure = firstFailure(options, candidate, 1);
    if (failure !== undefined && failure.index === candidate.length - 1) current = candidate;
  }
  return current;
}

function show(commands: readonly Command[]): string {
  return commands.map((command) => `    ${JSON.stringify(command)}`).join('\n');
}

test(`fast matcher and reference book agree on ${SEQUENCES} seeded sequences (base seed ${BASE_SEED})`, () => {
  const seen = new Map<string, number>();
  let commandsRun = 0;
  for (let i = 0; i < SEQUENCES; i++) {
    const seed = (BASE_SEED + i) >>> 0;
    const { world: built, commands } = sequence(seed);
    const failure = firstFailure(built.options, commands, HASH_EVERY);
    if (failure !== undefined) {
      const prefix = commands.slice(0, failure.index + 1);
      const shrunk = shrink(built.options, prefix);
      const again = firstFailure(built.options, shrunk, 1)!;
      assert.unreachable([
        `seed ${seed} (PROPERTY_SEED=${seed} PROPERTY_SEQUENCES=1): command ${failure.index}: ${failure.message}`,
        `  shortest failing prefix (${prefix.length} commands):`, show(prefix),
        `  shrunk reproducer (${shrunk.length} commands): ${again.message}`, show(shrunk),
        `  markets: ${JSON.stringify(built.options, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value))}`,
      ].join('\n'));
    }
    commandsRun += commands.length;
    const fast = new Matcher(built.options);
    for (const command of commands) fast.apply(command, (event) => {
      const key = event.type === 'rejected' ? `rejected ${event.name}` : event.type === 'cancelled' ? `cancelled ${event.reason}` : event.type === 'done' ? `done ${event.reason}` : event.type;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    });
  }
  assert.ok(commandsRun >= SEQUENCES * 20);
  if (SEQUENCES >= 1000) {
    for (const outcome of [
      'accepted', 'fill', 'amended', 'expired', 'auctionRun', 'done filled', 'done cancelled', 'done expired',
      'cancelled user', 'cancelled cancelAll', 'cancelled selfTrade', 'cancelled unfilled', 'cancelled fillLimit', 'cancelled belowMinQty', 'cancelled referenceUnavailable', 'cancelled levelLimit',
      'rejected POST_ONLY_WOULD_TRADE', 'rejected BOOK_FULL', 'rejected ACCOUNT_ORDER_LIMIT', 'rejected LEVELS_FULL', 'rejected PEGGED_ORDERS_FULL', 'rejected GTT_ORDERS_FULL',
      'rejected CLIENT_ORDER_ID_DUPLICATE', 'rejected ACCOUNTS_FULL', 'rejected PRICE_OUTSIDE_BAND', 'rejected REFERENCE_UNAVAILABLE', 'rejected AUCTION_TOO_EARLY',
      'rejected ORDER_NOT_FOUND', 'rejected AMEND_INVALID', 'rejected AMEND_BELOW_MIN_QTY', 'rejected AMEND_PRICE_NOT_APPLICABLE', 'rejected ORDER_TYPE_NOT_IN_AUCTION',
      'rejected SEQUENCE_NOT_INCREASING', 'rejected TIME_WENT_BACKWARDS', 'rejected COMMAND_MALFORMED', 'rejected REFERENCE_INVALID', 'rejected MARKET_UNKNOWN',
    ]) assert.ok((seen.get(outcome) ?? 0) > 0, `the generator never produced ${outcome}`);
  }
});

test('replaying the same commands gives the same events and state hash; snapshot/restore mid-way continues identically', () => {
  for (let i = 0; i < SEQUENCES; i += DETERMINISM_EVERY) {
    const seed = (BASE_SEED + i) >>> 0;
    const { world: built, commands } = sequence(seed);
    const first = new Matcher(built.options);
    const second = new Matcher(built.options);
    const cut = Math.floor(commands.length / 2);
    let restored: Matcher | undefined;
    let restoredReference: ReferenceBook | undefined;
    for (let index = 0; index < commands.length; index++) {
      const command = commands[index]!;
      if (index === cut) {
        const snapshot = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<Matcher['snapshot']>;
        restored = Matcher.restore(snapshot);
        restoredReference = ReferenceBook.restore(snapshot);
        assert.is(restored.stateHash(), first.stateHash(), `seed ${seed}: restore changes the hash`);
        assert.is(restoredReference.stateHash(), first.stateHash(), `seed ${seed}: the reference restores a different state`);
      }
      const expected = run(first, command);
      assert.equal(run(second, command), expected, `seed ${seed}: replay differs at command ${index}`);
      if (restored !== undefined) {
        assert.equal(run(restored, command), expected, `seed ${seed}: restored matcher differs at command ${index}`);
        assert.equal(run(restoredReference!, command), expected, `seed ${seed}: restored reference differs at command ${index}`);
      }
    }
    assert.is(second.stateHash(), first.stateHash(), `seed ${seed}: replay ends in another state`);
    assert.is(restored!.stateHash(), first.stateHash(), `seed ${seed}: snapshot/restore ends in another state`);
    assert.is(restoredReference!.stateHash(), first.stateHash(), `seed ${seed}: restored reference ends in another state`);
  }
});

test('regression: a command rejected for its stamp does not move the clock (found by this suite, seed 1592598895)', () => {
  const { world: built } = sequence(BASE_SEED);
  const commands = [
    { type: 'place', seq: 5, timeMs: 35, account: 'alice', clientOrderId: 'o6', market: CONTINUOUS, side: 'sell', sizeLots: 5, timeInForce: 'GTT', expireAtMs: 36, postOnly: false, minQtyLots: 0, selfTradePrevention: 'decrement', orderType: 'limit', priceTicks: 16 },
    { type: 'advanceTime', seq: 6.5, timeMs: 36 },
    { type: 'advanceTime', seq: 4, timeMs: 40 },
  ] as Command[];
  assert.is(firstFailure(built.options, commands, 1), undefined);
  const fast = new Matcher(built.options);
  for (const command of commands) fast.apply(command, () => {});
  fast.checkInvariants();
  assert.is(fast.openOrders('alice').length, 1, 'the GTT order is still open: no accepted command reached its expiry');
});

test('the comparison notices a difference (a sequence with one command changed is caught)', () => {
  const { world: built, commands } = sequence(BASE_SEED);
  const index = commands.findIndex((command) => command.type === 'place' && command.market === CONTINUOUS);
  assert.ok(index >= 0);
  const fast = new Matcher(built.options);
  const reference = new ReferenceBook(built.options);
  for (let i = 0; i < index; i++) { run(fast, commands[i]!); run(reference, commands[i]!); }
  const original = commands[index] as Extract<Command, { type: 'place' }>;
  const altered = { ...original, clientOrderId: `${original.clientOrderId}z`.slice(-4) } as Command;
  assert.is.not(run(fast, original).join('\n'), run(reference, altered).join('\n'));
});

test.run();
