// The load driver's seeded order flow: a realistic mix that stays bounded however long it
// runs. Passive limits rest away from the touch (buys 4.00–4.49, sells 5.51–6.00) and are
// later cancelled by their owner, so each session keeps between PASSIVE_MIN and PASSIVE_MAX
// resting; crossing limits at 5.00 alternate sell and buy between consecutive sessions, so
// every second one takes the one before and at most one rests at 5.00. Funds stay bounded
// too: each crossing pair moves one unit at one price between two funded accounts.
export interface OrderCommand {
  /** Index of the session that sends it. */
  readonly session: number;
  readonly kind: CommandKind;
  readonly t: 'order.place' | 'order.cancel';
  readonly body: object;
  /** Crossing places: their client order id, to time their first fill. */
  readonly crossingClientOrderId: string | undefined;
}

export type CommandKind = 'passivePlace' | 'crossingPlace' | 'cancel';

export const FLOW_MIX = {
  /** Share of crossing places; then passive places; the rest are cancels. */
  crossingShare: 0.2,
  passiveShare: 0.4,
  passiveMin: 4,
  passiveMax: 256,
  crossingPriceTicks: 500,
  buyTicksLow: 400,
  buyTicksHigh: 449,
  sellTicksLow: 551,
  sellTicksHigh: 600,
  /** One unit: ten lots of 0.1. */
  size: '1',
} as const;

/** A small seeded PRNG (mulberry32): same seed, same flow. */
export class FlowRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

/** Ticks of 0.01 as the canonical decimal the enclave insists on ("5", "4.1", "4.05"). */
export function ticksToPrice(ticks: number): string {
  const whole = Math.floor(ticks / 100);
  const cents = ticks % 100;
  if (cents === 0) return String(whole);
  return `${whole}.${String(cents).padStart(2, '0').replace(/0$/, '')}`;
}

export class OrderFlow {
  readonly #random: FlowRandom;
  readonly #market: string;
  readonly #sessions: number;
  readonly #runTag: string;
  /** Per session: client order ids of its resting passive orders, oldest first. */
  readonly #passive: string[][];
  #crossingCount = 0;
  #roundRobin = 0;
  #orderNumber = 0;

  /** runTag keeps client order ids unique across runs against one engine. */
  constructor(seed: number, market: string, sessions: number, runTag: string) {
    if (sessions < 2) throw new Error('assertion: the crossing flow needs two sessions (no self-trades)');
    this.#random = new FlowRandom(seed);
    this.#market = market;
    this.#sessions = sessions;
    this.#runTag = runTag;
    this.#passive = Array.from({ length: sessions }, () => []);
  }

  /** Resting passive orders the flow believes each session has (bounded by passiveMax). */
  restingPassive(session: number): number {
    return this.#passive[session]!.length;
  }

  next(): OrderCommand {
    const roll = this.#random.next();
    if (roll < FLOW_MIX.crossingShare) {
      const count = this.#crossingCount++;
      const session = count % this.#sessions;
      const body = this.#limit(count % 2 === 0 ? 'sell' : 'buy', FLOW_MIX.crossingPriceTicks);
      return { session, kind: 'crossingPlace', t: 'order.place', body, crossingClientOrderId: body.clientOrderId };
    }
    const session = this.#roundRobin++ % this.#sessions;
    const passive = this.#passive[session]!;
    const wantsPlace = roll < FLOW_MIX.crossingShare + FLOW_MIX.passiveShare;
    if ((wantsPlace || passive.length <= FLOW_MIX.passiveMin) && passive.length < FLOW_MIX.passiveMax) {
      const buy = this.#random.next() < 0.5;
      const ticks = buy ? this.#random.int(FLOW_MIX.buyTicksLow, FLOW_MIX.buyTicksHigh) : this.#random.int(FLOW_MIX.sellTicksLow, FLOW_MIX.sellTicksHigh);
      const body = this.#limit(buy ? 'buy' : 'sell', ticks);
      passive.push(body.clientOrderId);
      return { session, kind: 'passivePlace', t: 'order.place', body, crossingClientOrderId: undefined };
    }
    const clientOrderId = passive.shift()!;
    return { session, kind: 'cancel', t: 'order.cancel', body: { market: this.#market, clientOrderId }, crossingClientOrderId: undefined };
  }

  #limit(side: 'buy' | 'sell', priceTicks: number): { market: string; clientOrderId: string; side: string; type: string; price: string; size: string; timeInForce: string } {
    this.#orderNumber += 1;
    return {
      market: this.#market, clientOrderId: `${this.#runTag}-${this.#orderNumber}`, side, type: 'limit',
      price: ticksToPrice(priceTicks), size: FLOW_MIX.size, timeInForce: 'GTC',
    };
  }
}
