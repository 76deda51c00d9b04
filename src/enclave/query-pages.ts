// Answers to the list queries (query.orders, query.trades, query.balances, query.transfers) one
// page at a time. An account's lists grow with its history (500 resting orders, 500 kept trades)
// while one answer must fit one frame (MAX_PAYLOAD_BYTES), so a page holds at most `limit` items
// and stops early when one more item would push the encoded answer past the frame: every item's
// encoded size is measured as it is added, against a budget that already counts the envelope
// with the longest request id and cursor. Items come in ascending key order and a cursor is the
// key of the page's last item, so the next page starts strictly after it (docs/protocol.md §5.2).
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { MAX_PAYLOAD_BYTES } from '../protocol/channel-wire.js';
import { MESSAGE_LIMITS } from '../protocol/message-codec.js';
import { QUERY_PAGE_LIMITS, type BalanceWire, type VoucherWire } from '../protocol/trading-messages.js';
import type { EnclaveEngine } from './engine.js';
import type { PageSpec, SessionRequest } from './requests.js';
import { parseVoucherPayload } from './shard/voucher.js';

export type ListQuery = Extract<SessionRequest, { readonly type: 'query.orders' | 'query.trades' | 'query.balances' | 'query.transfers' }>;
export type ListQueryType = ListQuery['type'];

/** The key of each list in its answer. */
export const LIST_KEYS: Readonly<Record<ListQueryType, string>> = {
  'query.orders': 'orders', 'query.trades': 'trades', 'query.balances': 'balances', 'query.transfers': 'vouchers',
};

export interface Page<Item> {
  readonly items: Item[];
  /** The last item's key, to pass back as cursor; null when the list ended on this page. */
  readonly nextCursor: string | null;
}

function utf8Length(text: string): number {
  return utf8ToBytes(text).length;
}

/**
 * Bytes the answer takes besides its items: `{"t":"result","id":…,"body":{"request":…,
 * "result":{"<list>":[],"nextCursor":…}}}` with the longest id and cursor the protocol allows.
 */
export function pageEnvelopeBytes(type: ListQueryType): number {
  return utf8Length(JSON.stringify({
    t: 'result', id: 'x'.repeat(MESSAGE_LIMITS.maxIdChars),
    body: { request: type, result: { [LIST_KEYS[type]]: [], nextCursor: 'x'.repeat(QUERY_PAGE_LIMITS.maxCursorChars) } },
  }));
}

/** Bytes the items of one page may take (commas between them included). */
export function pageBudgetBytes(type: ListQueryType): number {
  return MAX_PAYLOAD_BYTES - pageEnvelopeBytes(type);
}

/**
 * Takes items in order until `limit` are taken or the next would overflow `budgetBytes`. The
 * candidates are finite (an account's bounded lists); an item larger than a whole page is a bug.
 */
export function fillPage<Item>(candidates: Iterable<Item>, keyOf: (item: Item) => string, limit: number, budgetBytes: number): Page<Item> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > QUERY_PAGE_LIMITS.maxItemsPerPage) throw new Error(`assertion: page limit ${limit}`);
  const items: Item[] = [];
  let usedBytes = 0;
  for (const item of candidates) {
    const bytes = utf8Length(JSON.stringify(item)) + (items.length === 0 ? 0 : 1);
    if (items.length === limit || usedBytes + bytes > budgetBytes) {
      if (items.length === 0) throw new Error(`assertion: one item of ${bytes} bytes exceeds a page of ${budgetBytes}`);
      return { items, nextCursor: keyOf(items[items.length - 1]!) };
    }
    items.push(item);
    usedBytes += bytes;
  }
  return { items, nextCursor: null };
}

/** The hex of an asset symbol's UTF-8: the balances key, ordered as the bytes are. */
export function assetCursor(asset: string): string {
  return bytesToHex(utf8ToBytes(asset));
}

function* balancesAfter(engine: EnclaveEngine, account: string, page: PageSpec<string>): Generator<BalanceWire> {
  const keyed = engine.balances(account).map((balance) => ({ key: assetCursor(balance.asset), balance }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { key, balance } of keyed) if (page.after === undefined || key > page.after) yield balance;
}

type VoucherItem = VoucherWire & { readonly voucherId: string };

function voucherNumber(voucher: VoucherItem): number {
  return parseVoucherPayload(voucher.payload).number;
}

function* vouchersAfter(engine: EnclaveEngine, account: string, page: PageSpec<number>): Generator<VoucherItem> {
  for (const voucher of engine.transfersIssued(account)) {
    const item = { payload: voucher.payload, signatureHex: voucher.signatureHex, voucherId: voucher.voucherId };
    if (voucherNumber(item) > (page.after ?? 0)) yield item;
  }
}

/** One page of a list query as the answer's result body: `{ <list>: items, nextCursor }`. */
export function answerListQuery(engine: EnclaveEngine, account: string, request: ListQuery): Record<string, unknown> {
  const budgetBytes = pageBudgetBytes(request.type);
  const limit = request.page.limit;
  let page: Page<unknown>;
  switch (request.type) {
    case 'query.orders':
      page = fillPage(engine.openOrdersAfter(account, request.market, request.page.after ?? 0), (order) => String(order.orderId), limit, budgetBytes);
      break;
    case 'query.trades':
      page = fillPage(engine.tradesAfter(account, request.page.after ?? 0), (trade) => String(trade.tradeId), limit, budgetBytes);
      break;
    case 'query.balances':
      page = fillPage(balancesAfter(engine, account, request.page), (balance) => assetCursor(balance.asset), limit, budgetBytes);
      break;
    case 'query.transfers':
      page = fillPage(vouchersAfter(engine, account, request.page), (voucher) => String(voucherNumber(voucher)), limit, budgetBytes);
      break;
  }
  return { [LIST_KEYS[request.type]]: page.items, nextCursor: page.nextCursor };
}
