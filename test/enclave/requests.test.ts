// The paging fields of the list queries (cursor, limit), fuzzed with edge-biased values against a
// reference: a well-formed value is accepted as exactly what it says, anything else is a coded
// QUERY_* error (or REQUEST_INVALID for an unknown field), never a crash. A failing run prints its seed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EnclaveEngine } from '../../src/enclave/engine.js';
import { parseRequest, type PageSpec, type RequestContext } from '../../src/enclave/requests.js';
import { isCodedError } from '../../src/errors/index.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { QUERY_PAGE_LIMITS } from '../../src/protocol/trading-messages.js';
import { Prng } from '../support/prng.js';
import { TEST_MARKET } from '../support/enclave-trader.js';

const SEED = Number(process.env.REQUESTS_SEED ?? Date.now() % 1_000_000);
const engine = new EnclaveEngine({ markets: [buildMarketSpec(TEST_MARKET)], feeAccount: 'fees' });
const CONTEXT: RequestContext = { markets: engine.marketSpecs, edges: engine.decimalEdges, assets: new Map([['DOT', 10], ['USDC', 6]]) };
const LIST_TYPES = ['query.orders', 'query.trades', 'query.balances', 'query.transfers'] as const;

function expectedLimit(value: unknown): number | undefined {
  if (value === undefined) return QUERY_PAGE_LIMITS.maxItemsPerPage;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= QUERY_PAGE_LIMITS.maxItemsPerPage ? value : undefined;
}

/** The reference reading of a cursor: the key it names, null when malformed. */
function expectedCursor(type: (typeof LIST_TYPES)[number], value: unknown): number | string | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return null;
  if (type === 'query.balances') return value.length % 2 === 0 && value.length >= 2 && value.length <= 128 && [...value].every((c) => '0123456789abcdef'.includes(c)) ? value : null;
  if (value.length === 0 || value.length > 16 || [...value].some((c) => c < '0' || c > '9') || (value.length > 1 && value[0] === '0')) return null;
  return Number(value) <= Number.MAX_SAFE_INTEGER ? Number(value) : null;
}

function fuzzCursor(prng: Prng): unknown {
  const alphabet = ['0', '1', '9', 'a', 'f', 'A', 'g', '-', ' ', '.', 'é', '\u0000'];
  switch (prng.int(0, 9)) {
    case 0: return undefined;
    case 1: return String(prng.int(0, 1_000_000));
    case 2: return String(Number.MAX_SAFE_INTEGER + prng.int(-2, 2));
    case 3: return `0${prng.int(0, 99)}`;
    case 4: return 'ab'.repeat(prng.int(0, 70));
    case 5: return Array.from({ length: prng.int(0, 140) }, () => prng.pick(alphabet)).join('');
    case 6: return prng.pick([null, true, 0, 17, -1, 1.5, [], {}, '']);
    case 7: return '9'.repeat(prng.int(15, 18));
    default: return Array.from({ length: prng.int(1, 8) }, () => prng.pick(['0', '1', '5', '9', 'a', 'f'])).join('');
  }
}

function fuzzLimit(prng: Prng): unknown {
  switch (prng.int(0, 6)) {
    case 0: return undefined;
    case 1: return prng.int(1, QUERY_PAGE_LIMITS.maxItemsPerPage);
    case 2: return prng.pick([0, -1, QUERY_PAGE_LIMITS.maxItemsPerPage, QUERY_PAGE_LIMITS.maxItemsPerPage + 1, Number.MAX_SAFE_INTEGER, 2 ** 53]);
    case 3: return prng.pick([1.5, Number.NaN, Infinity, -0]);
    case 4: return prng.pick(['10', null, true, [], {}]);
    default: return prng.int(-5, QUERY_PAGE_LIMITS.maxItemsPerPage + 5);
  }
}

test('fuzz: cursor and limit of every list query are accepted exactly or refused with a coded error', () => {
  const prng = new Prng(SEED);
  const accepted = { pages: 0, refused: 0 };
  for (let round = 0; round < 5_000; round++) {
    const type = prng.pick(LIST_TYPES);
    const cursor = fuzzCursor(prng);
    const limit = fuzzLimit(prng);
    const extra = prng.chance(0.05) ? { offset: 3 } : {};
    const body: Record<string, unknown> = { ...extra };
    if (cursor !== undefined) body.cursor = cursor;
    if (limit !== undefined) body.limit = limit;
    const wantLimit = expectedLimit(limit);
    const wantCursor = expectedCursor(type, cursor);
    const label = `seed ${SEED} round ${round}: ${type} ${JSON.stringify(body)}`;
    let parsed;
    try {
      parsed = parseRequest(type, body, CONTEXT);
    } catch (error) {
      assert.ok(isCodedError(error), `${label}: threw a non-coded ${String(error)}`);
      const name = (error as { errorName: string }).errorName;
      assert.ok(name === 'REQUEST_INVALID' || name === 'QUERY_CURSOR_INVALID' || name === 'QUERY_LIMIT_INVALID', `${label}: ${name}`);
      assert.ok('offset' in extra || wantLimit === undefined || wantCursor === null, `${label}: a well-formed page was refused (${name})`);
      accepted.refused += 1;
      continue;
    }
    assert.ok(!('offset' in extra) && wantLimit !== undefined && wantCursor !== null, `${label}: a malformed page was accepted`);
    const page = (parsed as { page: PageSpec<number | string> }).page;
    assert.equal(page, { after: wantCursor, limit: wantLimit }, label);
    accepted.pages += 1;
  }
  assert.ok(accepted.pages > 500 && accepted.refused > 500, `seed ${SEED}: both paths exercised (${JSON.stringify(accepted)})`);
});

test('list queries keep their other fields: query.orders takes a market, the others only paging', () => {
  const orders = parseRequest('query.orders', { market: TEST_MARKET.id, cursor: '41', limit: 3 }, CONTEXT);
  assert.equal(orders, { type: 'query.orders', market: TEST_MARKET.id, page: { after: 41, limit: 3 } });
  assert.equal(parseRequest('query.trades', {}, CONTEXT), { type: 'query.trades', page: { after: undefined, limit: QUERY_PAGE_LIMITS.maxItemsPerPage } });
  assert.throws(() => parseRequest('query.trades', { market: TEST_MARKET.id }, CONTEXT), (error: unknown) => isCodedError(error, 'REQUEST_INVALID'));
  assert.throws(() => parseRequest('query.orders', { market: 'NOPE/X' }, CONTEXT), (error: unknown) => isCodedError(error, 'REQUEST_MARKET_UNKNOWN'));
});

test.run();
