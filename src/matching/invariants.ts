// Structural invariants of a book, checked by tests after every command and by snapshot restore:
// sorted levels, linked lists consistent with level totals and counts, the id index and the expiry
// heap matching the resting orders, and — in continuous markets — no pair of resting orders on
// opposite sides that could still trade with each other.
import type { Book } from './book.js';
import type { ContinuousMatching } from './continuous.js';
import { KIND_MIDPOINT, KIND_PRIMARY_PEG, NO_SLOT, SIDE_BUY, SIDE_SELL, TIF_GTT, TIF_IOC } from './order-store.js';

function broken(book: Book, message: string): never {
  throw new Error(`invariant (${book.id}): ${message}`);
}

/** Walks one level's list and returns its slots, checking links, membership and the cached totals. */
function levelSlots(book: Book, level: number, side: number, midpoint: boolean, bound: number): number[] {
  const orders = book.orders;
  const levels = book.levels;
  const slots: number[] = [];
  let total = 0;
  let previous = NO_SLOT;
  for (let slot = levels.head[level]!; slot !== NO_SLOT; slot = orders.next[slot]!) {
    if (slots.length > bound) broken(book, 'a level list is longer than the book');
    if (orders.prev[slot] !== previous) broken(book, `order ${orders.orderId[slot]} has a wrong prev link`);
    if (orders.level[slot] !== level) broken(book, `order ${orders.orderId[slot]} points at another level`);
    if (orders.side[slot] !== side) broken(book, `order ${orders.orderId[slot]} rests on the wrong side`);
    if ((orders.kind[slot] === KIND_MIDPOINT) !== midpoint) broken(book, `order ${orders.orderId[slot]} is in the wrong structure for its kind`);
    if (!midpoint && orders.priceTicks[slot] !== levels.priceTicks[level]) broken(book, `order ${orders.orderId[slot]} price differs from its level`);
    const remaining = orders.remainingLots[slot]!;
    if (!(remaining > 0) || remaining < orders.minQtyLots[slot]!) broken(book, `order ${orders.orderId[slot]} rests with ${remaining} lots`);
    total += remaining;
    slots.push(slot);
    previous = slot;
  }
  if (levels.tail[level] !== previous) broken(book, 'a level tail is wrong');
  if (levels.totalLots[level] !== total) broken(book, `level total ${levels.totalLots[level]} differs from its orders' ${total}`);
  if (levels.orderCount[level] !== slots.length) broken(book, 'a level order count is wrong');
  return slots;
}

/** Whether two resting orders on opposite sides could trade now; `bidHalf`/`askHalf` are their effective prices. */
function tradeable(book: Book, matching: ContinuousMatching, bid: number, ask: number, usable: boolean, mid: number): boolean {
  const orders = book.orders;
  const bidMid = orders.kind[bid] === KIND_MIDPOINT;
  const askMid = orders.kind[ask] === KIND_MIDPOINT;
  if ((bidMid || askMid) && !usable) return false;
  if (bidMid && !matching.capAdmits(bid, mid)) return false;
  if (askMid && !matching.capAdmits(ask, mid)) return false;
  const bidHalf = bidMid ? mid : 2 * orders.priceTicks[bid]!;
  const askHalf = askMid ? mid : 2 * orders.priceTicks[ask]!;
  if (bidHalf < askHalf) return false;
  if (orders.account[bid] === orders.account[ask]) return true;
  const lots = Math.min(orders.remainingLots[bid]!, orders.remainingLots[ask]!);
  return lots >= orders.minQtyLots[bid]! && lots >= orders.minQtyLots[ask]!;
}

export function checkBookInvariants(book: Book, matching: ContinuousMatching): void {
  const orders = book.orders;
  const bound = book.restingCount;
  const all: number[][] = [[], []];
  for (const side of [SIDE_BUY, SIDE_SELL]) {
    const levels = book.sideLevels(side);
    if (levels.count > book.spec.limits.maxLevelsPerSide) broken(book, 'too many levels');
    for (let i = 0; i < levels.count; i++) {
      if (i > 0 && !levels.better(levels.prices[i]!, levels.prices[i - 1]!)) broken(book, 'levels are not strictly sorted');
      const level = levels.slots[i]!;
      if (book.levels.priceTicks[level] !== levels.prices[i]) broken(book, 'sorted price differs from its level');
      const slots = levelSlots(book, level, side, false, bound);
      if (slots.length === 0) broken(book, 'an empty level is listed');
      all[side]!.push(...slots);
    }
    all[side]!.push(...levelSlots(book, book.midpointQueue[side]!, side, true, bound));
  }
  const resting = [...all[0]!, ...all[1]!];
  if (resting.length !== book.restingCount) broken(book, `restingCount ${book.restingCount} but ${resting.length} orders linked`);
  if (book.index.size !== resting.length) broken(book, 'the id index size differs from the resting orders');
  if (book.restingCount > book.spec.limits.maxOrdersPerBook) broken(book, 'more resting orders than maxOrdersPerBook');
  let pegged = 0;
  let gtt = 0;
  let immediate = 0;
  const perAccount = new Map<number, number>();
  for (const slot of resting) {
    const orderId = orders.orderId[slot]!;
    if (book.index.get(orderId) !== slot) broken(book, `order ${orderId} is missing from the id index`);
    const kind = orders.kind[slot]!;
    if (kind === KIND_MIDPOINT || kind === KIND_PRIMARY_PEG) {
      pegged++;
      if (!book.pegTerms.has(slot)) broken(book, `pegged order ${orderId} has no terms`);
    }
    const timeInForce = orders.timeInForce[slot]!;
    if (timeInForce === TIF_GTT) {
      gtt++;
      const expireAtMs = book.expireAtMs.get(slot);
      if (expireAtMs === undefined || book.expiry.expireAtOf(slot) !== expireAtMs) broken(book, `GTT order ${orderId} is not scheduled at its expiry`);
      if (!(expireAtMs > book.context.timeMs)) broken(book, `GTT order ${orderId} rests past its expiry`);
    } else if (orders.heapPosition[slot] !== NO_SLOT) broken(book, `order ${orderId} is scheduled but not GTT`);
    if (timeInForce === TIF_IOC) {
      immediate++;
      if (book.spec.mode === 'continuous') broken(book, `IOC order ${orderId} rests in a continuous market`);
      if (!book.restingImmediate.has(orderId)) broken(book, `IOC order ${orderId} is not tracked`);
    }
    const account = orders.account[slot]!;
    perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
    if (book.accounts.slotHint(account, orders.clientOrderId[slot]!) !== slot) broken(book, `order ${orderId} is not among its account's open client ids`);
  }
  if (pegged !== book.peggedCount) broken(book, 'peggedCount differs from the resting pegged orders');
  if (gtt !== book.expiry.size) broken(book, 'the expiry heap size differs from the resting GTT orders');
  if (gtt !== book.expireAtMs.size) broken(book, 'expiry times are kept for orders that do not rest');
  if (pegged !== book.pegTerms.size) broken(book, 'peg terms are kept for orders that do not rest');
  if (immediate !== book.restingImmediate.size) broken(book, 'resting IOC tracking differs');
  for (let account = 0; account < book.accountOrders.length; account++) {
    const count = perAccount.get(account) ?? 0;
    if (count !== book.accountOrders[account]) broken(book, `account ${account} order count is wrong`);
    if (book.accountOrderIds(account).length !== count) broken(book, `account ${account} order list is wrong`);
  }
  if (book.spec.mode !== 'continuous') return;
  const usable = book.referenceUsable();
  const mid = book.midHalfTicks();
  const effective = (slot: number): number => (orders.kind[slot] === KIND_MIDPOINT ? (usable ? mid : NaN) : 2 * orders.priceTicks[slot]!);
  let lowestAsk = Infinity;
  for (const ask of all[SIDE_SELL]!) lowestAsk = Math.min(lowestAsk, effective(ask) || Infinity);
  let highestBid = -Infinity;
  for (const bid of all[SIDE_BUY]!) highestBid = Math.max(highestBid, effective(bid) || -Infinity);
  const crossingBids = all[SIDE_BUY]!.filter((bid) => effective(bid) >= lowestAsk);
  const crossingAsks = all[SIDE_SELL]!.filter((ask) => effective(ask) <= highestBid);
  for (const bid of crossingBids) {
    for (const ask of crossingAsks) {
      if (tradeable(book, matching, bid, ask, usable, mid)) {
        broken(book, `resting orders ${orders.orderId[bid]} and ${orders.orderId[ask]} could trade with each other`);
      }
    }
  }
}
