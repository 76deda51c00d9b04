// Snapshots and state hashes. A snapshot is a plain JSON-serialisable object listing the state in a
// canonical order (accounts by first appearance, books in configuration order, orders in priority
// order), so it neither depends on memory layout nor on slot reuse; the state hash is sha256 over
// its canonical serialisation. Restoring a snapshot and replaying the rest of the journal must
// reproduce the hash of a straight run.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { CodedError, isCodedError } from '../errors/index.js';
import type { Book } from './book.js';
import { clientIdHash } from './client-id-table.js';
import { buildMarketSpec } from './market-spec.js';
import type { Matcher } from './matcher.js';
import { NO_SLOT } from './order-store.js';
import type { MarketLimits, MarketSpec, MatcherLimits, MatcherOptions, MatchingMode, OpenOrderView, ReferenceQuote } from './types.js';

export const SNAPSHOT_VERSION = 1;

/** A resting order as stored in a snapshot. */
export interface SnapshotOrder extends OpenOrderView {
  readonly account: string;
}

/** The edge form of a market spec, enough to rebuild it with buildMarketSpec. */
export interface SnapshotMarketSpec {
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minSizeLots: number;
  readonly priceBandBps: number | null;
  readonly mode: MatchingMode;
  readonly auctionIntervalMs: number;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  readonly referenceStalenessMs: number;
  readonly limits: MarketLimits;
}

export interface BookSnapshot {
  readonly spec: SnapshotMarketSpec;
  readonly reference: ReferenceQuote | null;
  readonly lastAuctionMs: number | null;
  /** Bids best price first (FIFO within a level), then asks, then the buy and sell midpoint queues. */
  readonly orders: readonly SnapshotOrder[];
}

export interface SnapshotAccount {
  readonly name: string;
  /** Recently finished client order ids, oldest first. */
  readonly recent: readonly string[];
}

export interface MatcherSnapshot {
  readonly version: number;
  readonly lastSeq: number;
  readonly lastTimeMs: number;
  readonly nextTradeId: number;
  readonly limits: MatcherLimits;
  readonly accounts: readonly SnapshotAccount[];
  readonly books: readonly BookSnapshot[];
}

function specSnapshot(spec: MarketSpec): SnapshotMarketSpec {
  return {
    id: spec.id,
    base: spec.base,
    quote: spec.quote,
    baseDecimals: spec.baseDecimals,
    quoteDecimals: spec.quoteDecimals,
    tickSize: spec.tickSize,
    lotSize: spec.lotSize,
    minSizeLots: spec.minSizeLots,
    priceBandBps: spec.priceBandBps ?? null,
    mode: spec.mode,
    auctionIntervalMs: spec.auctionIntervalMs,
    makerFeeBps: spec.makerFeeBps,
    takerFeeBps: spec.takerFeeBps,
    referenceStalenessMs: spec.referenceStalenessMs,
    limits: { ...spec.limits },
  };
}

function bookOrders(matcher: Matcher, book: Book): SnapshotOrder[] {
  const out: SnapshotOrder[] = [];
  const levels = book.levels;
  const orders = book.orders;
  const pushLevel = (level: number): void => {
    for (let slot = levels.head[level]!; slot !== NO_SLOT; slot = orders.next[slot]!) {
      out.push({ ...matcher.viewOf(book, slot), account: matcher.accounts.names[orders.account[slot]!]! });
    }
  };
  for (const side of [book.bids, book.asks]) {
    for (let i = side.count - 1; i >= 0; i--) pushLevel(side.slots[i]!);
  }
  pushLevel(book.midpointQueue[0]);
  pushLevel(book.midpointQueue[1]);
  return out;
}

export function snapshotMatcher(matcher: Matcher): MatcherSnapshot {
  const accounts = matcher.accounts;
  return {
    version: SNAPSHOT_VERSION,
    lastSeq: matcher.lastSeq,
    lastTimeMs: matcher.lastTimeMs,
    nextTradeId: matcher.context.nextTradeId,
    limits: { ...matcher.limits },
    accounts: accounts.names.map((name, index) => ({ name, recent: accounts.recentlyFinished(index) })),
    books: matcher.markets.map(({ book }) => ({
      spec: specSnapshot(book.spec),
      reference: book.reference === undefined ? null : { ...book.reference },
      lastAuctionMs: book.lastAuctionMs ?? null,
      orders: bookOrders(matcher, book),
    })),
  };
}

/** sha256 hex over the snapshot, serialised part by part so large books need no single huge string. */
export function stateHashOf(snapshot: MatcherSnapshot): string {
  const hash = sha256.create();
  const feed = (value: unknown): void => { hash.update(utf8ToBytes(JSON.stringify(value) + '\n')); };
  feed({ version: snapshot.version, lastSeq: snapshot.lastSeq, lastTimeMs: snapshot.lastTimeMs, nextTradeId: snapshot.nextTradeId, limits: snapshot.limits });
  for (const account of snapshot.accounts) feed(account);
  for (const book of snapshot.books) {
    feed({ spec: book.spec, reference: book.reference, lastAuctionMs: book.lastAuctionMs, orders: book.orders.length });
    for (const order of book.orders) feed(order);
  }
  return bytesToHex(hash.digest());
}

function fail(detail: string): never {
  throw new CodedError('SNAPSHOT_INVALID', detail);
}

function isSafe(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Rebuilds a matcher from a snapshot, checking it as untrusted input. */
export function restoreMatcher(snapshot: MatcherSnapshot, make: (options: MatcherOptions) => Matcher): Matcher {
  try {
    if (typeof snapshot !== 'object' || snapshot === null || snapshot.version !== SNAPSHOT_VERSION) fail('unknown version');
    if (!isSafe(snapshot.lastSeq) || !isSafe(snapshot.lastTimeMs) || !isSafe(snapshot.nextTradeId)) fail('bad counters');
    if (!Array.isArray(snapshot.accounts) || !Array.isArray(snapshot.books)) fail('accounts and books must be arrays');
    const markets = snapshot.books.map((book) => buildMarketSpec({ ...book.spec, priceBandBps: book.spec.priceBandBps ?? undefined }));
    const matcher = make({ markets, limits: snapshot.limits });
    matcher.lastSeq = snapshot.lastSeq;
    matcher.lastTimeMs = snapshot.lastTimeMs;
    matcher.context.seq = snapshot.lastSeq;
    matcher.context.timeMs = snapshot.lastTimeMs;
    matcher.context.nextTradeId = snapshot.nextTradeId;
    const accounts = matcher.accounts;
    for (const account of snapshot.accounts) {
      if (typeof account.name !== 'string' || accounts.find(account.name) !== -1) fail('bad or repeated account');
      const index = accounts.findOrAdd(account.name);
      if (index === -1) fail('too many accounts');
      for (const clientOrderId of account.recent) {
        if (typeof clientOrderId !== 'string') fail('bad recent client order id');
        const hash = clientIdHash(index, clientOrderId);
        if (accounts.isDuplicate(index, clientOrderId, hash)) fail('repeated recent client order id');
        accounts.rememberFinished(index, clientOrderId, hash);
      }
    }
    for (const book of snapshot.books) {
      const entry = matcher.entry(book.spec.id)!;
      const reference = book.reference;
      if (reference !== null) {
        if (!isSafe(reference.bidTicks) || !isSafe(reference.askTicks) || !isSafe(reference.timeMs)) fail('bad reference');
        entry.book.reference = { bidTicks: reference.bidTicks, askTicks: reference.askTicks, timeMs: reference.timeMs };
      }
      if (book.lastAuctionMs !== null && !isSafe(book.lastAuctionMs)) fail('bad lastAuctionMs');
      entry.book.lastAuctionMs = book.lastAuctionMs ?? undefined;
      for (const order of book.orders) {
        if (!isSafe(order.orderId) || order.orderId < 1 || order.orderId > snapshot.lastSeq) fail('bad order id');
        if (!isSafe(order.remainingLots) || order.remainingLots < 1 || !isSafe(order.minQtyLots) || order.minQtyLots < 0) fail(`bad size of order ${order.orderId}`);
        const limits = entry.book.spec.limits;
        if (order.remainingLots > limits.maxSizeLots || order.minQtyLots > order.remainingLots) fail(`bad size of order ${order.orderId}`);
        if (order.priceTicks !== undefined && (!isSafe(order.priceTicks) || order.priceTicks < 1 || order.priceTicks > limits.maxPriceTicks)) fail(`bad price of order ${order.orderId}`);
        if (typeof order.clientOrderId !== 'string' || typeof order.postOnly !== 'boolean') fail(`bad fields of order ${order.orderId}`);
        if (order.capTicks !== undefined && (!isSafe(order.capTicks) || order.capTicks < 1 || order.capTicks > limits.maxPriceTicks)) fail(`bad cap of order ${order.orderId}`);
        if (order.offsetTicks !== undefined && (!isSafe(order.offsetTicks) || Math.abs(order.offsetTicks) > limits.maxPriceTicks)) fail(`bad offset of order ${order.orderId}`);
        const account = accounts.find(order.account);
        if (account === -1) fail(`order ${order.orderId} names an unknown account`);
        if (accounts.isDuplicate(account, order.clientOrderId, clientIdHash(account, order.clientOrderId))) fail(`client order id ${order.clientOrderId} repeated`);
        matcher.restoreOrder(book.spec.id, account, order);
      }
    }
    matcher.checkInvariants();
    return matcher;
  } catch (error) {
    if (isCodedError(error, 'SNAPSHOT_INVALID')) throw error;
    throw new CodedError('SNAPSHOT_INVALID', error instanceof Error ? error.message : String(error));
  }
}
