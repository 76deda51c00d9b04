// Continuous price-time matching: one walk over the other side's resting orders in priority order
// (priced levels best first, the midpoint queue at the mid), used three ways — to execute, to check
// without side effects whether a fill-or-kill order would fill completely, and to check whether a
// post-only order would do anything at all. One walk for all three keeps them from disagreeing.
import type { Book } from './book.js';
import {
  KIND_MIDPOINT,
  NO_SLOT,
  SIDE_BUY,
  SIDE_SELL,
  STP_CANCEL_BOTH,
  STP_CANCEL_NEWEST,
  STP_CANCEL_OLDEST,
  TIF_FOK,
  TIF_IOC,
} from './order-store.js';

/** Why a walk ended. */
export const OUTCOME_EXHAUSTED = 0;
export const OUTCOME_FILLED = 1;
export const OUTCOME_SELF_TRADE = 2;
export const OUTCOME_BUDGET = 3;
export const OUTCOME_BELOW_MIN = 4;

export const WALK_EXECUTE = 0;
/** No side effects; ends with OUTCOME_FILLED exactly when executing would leave nothing. */
export const WALK_CHECK_COMPLETE = 1;
/** No side effects; stops at the first fill or self-trade action and sets `acted`. */
export const WALK_CHECK_ANY = 2;

export class ContinuousMatching {
  /** Whether the last walk filled or took a self-trade action. */
  acted = false;
  /** Whether the last lots the taker lost went to a fill (else to a self-trade decrement). */
  endedByFill = true;

  constructor(private readonly book: Book) {}

  /** True when a midpoint or peg order's cap admits execution at this mid (in half ticks). */
  capAdmits(slot: number, midHalfTicks: number): boolean {
    const terms = this.book.pegTerms.get(slot);
    const cap = terms === undefined ? undefined : terms.capTicks;
    if (cap === undefined) return true;
    return this.book.orders.side[slot] === SIDE_BUY ? midHalfTicks <= 2 * cap : midHalfTicks >= 2 * cap;
  }

  /**
   * Matches the taker in `slot` against the other side. The taker may be new (not resting) or a
   * resting midpoint order being swept, which stays in its queue. Budgets come from the command
   * context and are written back only when executing.
   */
  walk(taker: number, mode: number): number {
    const book = this.book;
    const orders = book.orders;
    const levels = book.levels;
    const context = book.context;
    const buy = orders.side[taker] === SIDE_BUY;
    const makerLevels = buy ? book.asks : book.bids;
    const takerIsMidpoint = orders.kind[taker] === KIND_MIDPOINT;
    const usable = book.referenceUsable();
    const mid = usable ? book.midHalfTicks() : 0;
    this.acted = false;
    this.endedByFill = true;
    let limitHalf: number;
    if (takerIsMidpoint) {
      if (!usable || !this.capAdmits(taker, mid)) return OUTCOME_EXHAUSTED;
      limitHalf = mid;
    } else limitHalf = 2 * orders.priceTicks[taker]!;
    const midpointLevel = book.midpointQueue[buy ? SIDE_SELL : SIDE_BUY]!;
    let midpointPending = usable && levels.orderCount[midpointLevel]! > 0 && (buy ? mid <= limitHalf : mid >= limitHalf);
    const execute = mode === WALK_EXECUTE;
    const takerMin = orders.minQtyLots[taker]!;
    const takerAccount = orders.account[taker]!;
    const selfTrade = orders.selfTrade[taker]!;
    let remaining = orders.remainingLots[taker]!;
    let fillsLeft = context.fillsLeft;
    let visitsLeft = context.visitsLeft;
    let levelIndex = makerLevels.count - 1;
    let outcome = OUTCOME_EXHAUSTED;
    outer: for (;;) {
      const hasLevel = levelIndex >= 0;
      const levelHalf = hasLevel ? 2 * makerLevels.prices[levelIndex]! : 0;
      const levelAcceptable = hasLevel && (buy ? levelHalf <= limitHalf : levelHalf >= limitHalf);
      let level: number;
      let atMid: boolean;
      if (midpointPending && (!levelAcceptable || (buy ? mid < levelHalf : mid > levelHalf))) {
        level = midpointLevel;
        atMid = true;
        midpointPending = false;
      } else if (levelAcceptable) {
        level = makerLevels.slots[levelIndex]!;
        levelIndex--;
        atMid = false;
      } else break;
      const priceHalf = atMid || takerIsMidpoint ? mid : levelHalf;
      let maker = levels.head[level]!;
      while (maker !== NO_SLOT) {
        const nextMaker = orders.next[maker]!;
        if (fillsLeft === 0 || visitsLeft === 0) { outcome = OUTCOME_BUDGET; break outer; }
        visitsLeft--;
        if (atMid && !this.capAdmits(maker, mid)) { maker = nextMaker; continue; }
        const makerRemaining = orders.remainingLots[maker]!;
        const lots = remaining < makerRemaining ? remaining : makerRemaining;
        if (orders.account[maker] === takerAccount) {
          this.acted = true;
          if (mode === WALK_CHECK_ANY || selfTrade === STP_CANCEL_NEWEST) { outcome = OUTCOME_SELF_TRADE; break outer; }
          if (selfTrade === STP_CANCEL_OLDEST || selfTrade === STP_CANCEL_BOTH) {
            if (execute) book.cancel(maker, 'selfTrade');
            if (selfTrade === STP_CANCEL_BOTH) { outcome = OUTCOME_SELF_TRADE; break outer; }
            maker = nextMaker;
            continue;
          }
          remaining -= lots;
          this.endedByFill = false;
          if (execute) {
            book.cancelPart(maker, 'selfTrade', lots);
            if (lots < makerRemaining && makerRemaining - lots < orders.minQtyLots[maker]!) book.cancel(maker, 'belowMinQty');
            book.reduce(taker, lots);
            book.emitCancelled(taker, 'selfTrade', lots, remaining);
          }
        } else {
          if (lots < takerMin || lots < orders.minQtyLots[maker]!) { maker = nextMaker; continue; }
          this.acted = true;
          if (mode === WALK_CHECK_ANY) break outer;
          fillsLeft--;
          remaining -= lots;
          this.endedByFill = true;
          if (execute) {
            book.fill(maker, taker, priceHalf, lots, false);
            const makerLeft = makerRemaining - lots;
            if (makerLeft === 0) {
              book.removeResting(maker);
              book.finish(maker, 'filled');
            } else if (makerLeft < orders.minQtyLots[maker]!) book.cancel(maker, 'belowMinQty');
          }
        }
        if (remaining === 0) { outcome = OUTCOME_FILLED; break outer; }
        if (remaining < takerMin) { outcome = OUTCOME_BELOW_MIN; break outer; }
        maker = nextMaker;
      }
    }
    if (execute) {
      context.fillsLeft = fillsLeft;
      context.visitsLeft = visitsLeft;
    }
    return outcome;
  }

  /**
   * Decides the taker's fate after an executed walk. A new taker rests (GTC/GTT) or is cancelled
   * (IOC/FOK/market); a swept resting order simply stays when nothing stopped it.
   */
  settle(taker: number, outcome: number, wasResting: boolean): void {
    const book = this.book;
    const orders = book.orders;
    if (orders.remainingLots[taker] === 0) {
      if (wasResting) book.removeResting(taker);
      book.finish(taker, this.endedByFill ? 'filled' : 'cancelled');
      return;
    }
    if (outcome === OUTCOME_SELF_TRADE) book.cancel(taker, 'selfTrade');
    else if (outcome === OUTCOME_BUDGET) book.cancel(taker, 'fillLimit');
    else if (outcome === OUTCOME_BELOW_MIN) book.cancel(taker, 'belowMinQty');
    else if (wasResting) return;
    else {
      const timeInForce = orders.timeInForce[taker];
      if (timeInForce === TIF_IOC || timeInForce === TIF_FOK) book.cancel(taker, 'unfilled');
      else if (!book.rest(taker)) book.cancel(taker, 'levelLimit');
    }
  }

  /** Matches a new or re-entering order and settles it. Fill-or-kill checks completeness first. */
  take(taker: number): void {
    if (this.book.orders.timeInForce[taker] === TIF_FOK && this.walk(taker, WALK_CHECK_COMPLETE) !== OUTCOME_FILLED) {
      this.book.cancel(taker, 'unfilled');
      return;
    }
    this.settle(taker, this.walk(taker, WALK_EXECUTE), false);
  }

  /** Whether a post-only order in `slot` would fill or trigger self-trade prevention now. */
  wouldAct(slot: number): boolean {
    this.walk(slot, WALK_CHECK_ANY);
    return this.acted;
  }
}
