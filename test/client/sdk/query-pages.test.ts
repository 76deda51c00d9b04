// Following paged list queries: every page is handed over in order with the cursor it continued
// from, the next request carries the cursor unchanged, the walk ends at a null cursor, and a
// malformed or repeated cursor, a throwing page handler or an endless list end with coded errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDarkpoolError } from '../../../client/sdk/errors.js';
import { followPages, readNextCursor, SDK_QUERY_LIMITS, type ReceivedPage } from '../../../client/sdk/query-pages.js';
import type { RequestOptions } from '../../../client/sdk/resilient-session.js';
import type { JsonObject } from '../../../src/protocol/message-codec.js';
import { QUERY_PAGE_LIMITS } from '../../../src/protocol/trading-messages.js';

/** A scripted enclave: answers each request with the next result and records the bodies it got. */
function scripted(results: (body: Record<string, unknown>) => JsonObject) {
  const bodies: Record<string, unknown>[] = [];
  const request = async (_type: string, body: object, options: RequestOptions): Promise<JsonObject> => {
    bodies.push(body as Record<string, unknown>);
    const result = results(body as Record<string, unknown>);
    options.onResult?.(result);
    return result;
  };
  return { request, bodies };
}

test('followPages walks the cursors to the end, passing each back unchanged', async () => {
  const ids = Array.from({ length: 23 }, (_, index) => index + 1);
  const { request, bodies } = scripted((body) => {
    const after = body.cursor === undefined ? 0 : Number(body.cursor);
    const items = ids.filter((id) => id > after).slice(0, 5);
    const last = items[items.length - 1]!;
    return { orders: items, nextCursor: last === ids[ids.length - 1] ? null : String(last) };
  });
  const pages: ReceivedPage[] = [];
  await followPages(request, 'query.orders', { market: 'DOT/USDC' }, (page) => pages.push(page));
  assert.equal(pages.flatMap((page) => page.result.orders as number[]), ids);
  assert.equal(pages.map((page) => [page.cursor, page.nextCursor]), [[undefined, '5'], ['5', '10'], ['10', '15'], ['15', '20'], ['20', null]]);
  assert.equal(bodies[0], { market: 'DOT/USDC' }, 'the first page names no cursor');
  assert.equal(bodies[1], { market: 'DOT/USDC', cursor: '5' });
});

test('a malformed or repeated cursor, a throwing handler and an endless list are coded errors', async () => {
  for (const bad of [undefined, 5, '', 'G1', 'ab ', 'f'.repeat(QUERY_PAGE_LIMITS.maxCursorChars + 1), {}]) {
    const { request } = scripted(() => ({ orders: [], nextCursor: bad as never }));
    await followPages(request, 'query.orders', {}, () => undefined).then(
      () => assert.unreachable(`accepted ${String(bad)}`),
      (error: unknown) => assert.ok(isDarkpoolError(error, 'CLIENT_QUERY_CURSOR_INVALID'), `${String(bad)}: ${String(error)}`),
    );
  }
  assert.throws(() => readNextCursor({ nextCursor: '7' }, '7'), (error: unknown) => isDarkpoolError(error, 'CLIENT_QUERY_CURSOR_INVALID'), 'a cursor that does not move');
  assert.is(readNextCursor({ nextCursor: null }, '7'), null);
  assert.is(readNextCursor({ nextCursor: 'f'.repeat(QUERY_PAGE_LIMITS.maxCursorChars) }, undefined), 'f'.repeat(QUERY_PAGE_LIMITS.maxCursorChars));

  const endless = scripted((body) => ({ trades: [], nextCursor: String(Number(body.cursor ?? 0) + 1) }));
  await followPages(endless.request, 'query.trades', {}, () => undefined).then(
    () => assert.unreachable('an endless list ended'),
    (error: unknown) => assert.ok(isDarkpoolError(error, 'CLIENT_QUERY_PAGES_EXCEEDED'), String(error)),
  );
  assert.is(endless.bodies.length, SDK_QUERY_LIMITS.maxPages, 'no more requests than the page bound');

  const { request } = scripted(() => ({ balances: [], nextCursor: null }));
  await followPages(request, 'query.balances', {}, () => { throw new Error('handler failed'); }).then(
    () => assert.unreachable('a throwing handler was ignored'),
    (error: unknown) => assert.match(String(error), /handler failed/),
  );
});

test.run();
