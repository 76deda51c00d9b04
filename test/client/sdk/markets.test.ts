// The markets parser takes the gateway's list as it is specified and refuses anything else
// with CLIENT_HTTP_BAD_RESPONSE; a seeded fuzzer mutates a good list field by field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDarkpoolError } from '../../../client/sdk/errors.js';
import { assetDecimals, parseMarkets } from '../../../client/sdk/markets.js';
import { Prng } from '../../support/prng.js';

const GOOD = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.1',
  minSizeLots: 1, makerFeeBps: 2, takerFeeBps: 5, mode: 'continuous',
};

function refused(value: unknown, context: string): void {
  try {
    parseMarkets(value);
  } catch (error) {
    assert.ok(isDarkpoolError(error, 'CLIENT_HTTP_BAD_RESPONSE'), `${context}: ${String(error)}`);
    return;
  }
  assert.unreachable(`${context}: accepted`);
}

test('a well-formed list parses to the same specs', () => {
  const markets = parseMarkets([GOOD, { ...GOOD, id: 'KSM/USDC', base: 'KSM', baseDecimals: 12, mode: 'auction' }]);
  assert.equal(markets[0], GOOD);
  assert.is(markets[1]!.mode, 'auction');
  assert.equal([...assetDecimals(markets)], [['DOT', 10], ['USDC', 6], ['KSM', 12]]);
});

test('malformed lists are refused', () => {
  refused({}, 'not an array');
  refused([GOOD, GOOD], 'duplicate id');
  refused([null], 'null entry');
  refused(Array.from({ length: 1025 }, (_, i) => ({ ...GOOD, id: `M${i}` })), 'too many');
  assert.throws(() => assetDecimals(parseMarkets([GOOD, { ...GOOD, id: 'X', quoteDecimals: 8 }])), (error: unknown) => isDarkpoolError(error, 'CLIENT_HTTP_BAD_RESPONSE'), 'one asset, two precisions');
});

test('fuzz: one mutated field is either still valid or refused with the bad-response code', () => {
  const fields = Object.keys(GOOD) as (keyof typeof GOOD)[];
  const values: unknown[] = [undefined, null, '', 'x', '0', '0.0', '-1', '1e3', 0, -1, 1.5, 37, 10_001, 2 ** 53, true, [], {}, 'a'.repeat(65), 'continuous', 'auction', '0.5'];
  for (let seed = 1; seed <= 2000; seed++) {
    const prng = new Prng(seed);
    const field = prng.pick(fields);
    const value = prng.pick(values);
    const market = { ...GOOD, [field]: value };
    try {
      const [parsed] = parseMarkets([market]);
      assert.is(parsed![field], value, `seed ${seed}: ${field}=${JSON.stringify(value)} accepted must be kept as is`);
    } catch (error) {
      assert.ok(isDarkpoolError(error, 'CLIENT_HTTP_BAD_RESPONSE'), `seed ${seed}: ${field}=${JSON.stringify(value)} threw ${String(error)}`);
    }
  }
});

test.run();
