// Follows a paged list query (query.orders, query.trades, query.balances, query.transfers) from
// its first page to its last. The enclave sends each page as one answer that fits one frame and
// names the cursor of the next (docs/protocol.md §5.2); the SDK passes it back unchanged. Each
// page is handed to the caller as the answer is routed, at its place among the execution
// reports, so a store can apply it exactly there. The number of pages is bounded.
import type { JsonObject } from '../../src/protocol/message-codec.js';
import { QUERY_PAGE_LIMITS, type RequestType } from '../../src/protocol/trading-messages.js';
import { DarkpoolError } from './errors.js';
import type { RequestOptions } from './resilient-session.js';

export const SDK_QUERY_LIMITS = {
  /**
   * Pages one list call follows before giving up with CLIENT_QUERY_PAGES_EXCEEDED. The enclave
   * holds at most 10,000 open orders per market and account and a page at least a few dozen
   * items, so this is far above any real list.
   */
  maxPages: 1_024,
} as const;

export type ListRequestType = Extract<RequestType, 'query.orders' | 'query.trades' | 'query.balances' | 'query.transfers'>;

const CURSOR = new RegExp(`^[0-9a-f]{1,${QUERY_PAGE_LIMITS.maxCursorChars}}$`);

/** One page as the caller sees it: the answer, the cursor it continued from and the one it names (null at the end). */
export interface ReceivedPage {
  readonly result: JsonObject;
  readonly cursor: string | undefined;
  readonly nextCursor: string | null;
}

/** The nextCursor of a page answer, checked: null, or a well-formed cursor other than the one just sent. */
export function readNextCursor(result: JsonObject, sent: string | undefined): string | null {
  const next = result.nextCursor;
  if (next === null) return null;
  if (typeof next !== 'string' || !CURSOR.test(next) || next === sent) {
    throw new DarkpoolError('CLIENT_QUERY_CURSOR_INVALID', `nextCursor ${JSON.stringify(next)?.slice(0, 140)}`, { origin: 'enclave' });
  }
  return next;
}

type Requester = (type: ListRequestType, body: object, options: RequestOptions) => Promise<JsonObject>;

/**
 * Requests every page of a list query in turn, calling onPage inside each answer's routing. A
 * throw from onPage rejects the call. Resolves once the last page (nextCursor null) is handled.
 */
export async function followPages(request: Requester, type: ListRequestType, body: object, onPage: (page: ReceivedPage) => void): Promise<void> {
  let cursor: string | undefined;
  for (let pages = 0; pages < SDK_QUERY_LIMITS.maxPages; pages++) {
    const answer: { next: string | null } = { next: null };
    const sent = cursor;
    await request(type, sent === undefined ? body : { ...body, cursor: sent }, {
      onResult: (result) => {
        answer.next = readNextCursor(result, sent);
        onPage({ result, cursor: sent, nextCursor: answer.next });
      },
    });
    if (answer.next === null) return;
    cursor = answer.next;
  }
  throw new DarkpoolError('CLIENT_QUERY_PAGES_EXCEEDED', `${type}: more than ${SDK_QUERY_LIMITS.maxPages} pages`, { origin: 'enclave' });
}
