// The k6 scripts' environment variables: every number inside its named range, durations in
// k6's spelling, seeds as 64 hex characters; anything else stops the run with K6_CONFIG_INVALID.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { baseUrl, durationMs, integer, milliseconds, optionalKeyHex, traderSeedsHex } from '../../../../load-tests/k6/src/config.js';
import { isCodedError } from '../../../../src/errors/index.js';

const invalid = (error: unknown): boolean => isCodedError(error, 'K6_CONFIG_INVALID');
const SEED_A = 'ab'.repeat(32);
const SEED_B = `0x${'CD'.repeat(32)}`;

test('values in range are read, absent ones take the default', () => {
  assert.is(integer({ RATE: '250' }, 'RATE', 1, 1, 1000), 250);
  assert.is(integer({}, 'RATE', 7, 1, 1000), 7);
  assert.is(durationMs({ DURATION: '1500ms' }, 'DURATION', '30s'), 1_500);
  assert.is(durationMs({}, 'DURATION', '2m'), 120_000);
  assert.is(milliseconds({ ACK_P99_MS: '0.5' }, 'ACK_P99_MS', 2), 0.5);
  assert.equal(traderSeedsHex({ TRADER_SEEDS: ` ${SEED_A} ,${SEED_B}` }, 'TRADER_SEEDS', 2), [SEED_A, 'cd'.repeat(32)]);
  assert.is(optionalKeyHex({}, 'DEV_ROOT'), undefined);
  assert.is(baseUrl({ BASE_URL: 'http://127.0.0.1:9000/' }), 'http://127.0.0.1:9000');
  assert.is(baseUrl({}), 'http://127.0.0.1:8080');
});

test('out-of-range or malformed values are refused', () => {
  assert.throws(() => integer({ RATE: '0' }, 'RATE', 1, 1, 1000), invalid);
  assert.throws(() => integer({ RATE: '1.5' }, 'RATE', 1, 1, 1000), invalid);
  assert.throws(() => integer({ RATE: '1001' }, 'RATE', 1, 1, 1000), invalid);
  assert.throws(() => durationMs({ DURATION: '30' }, 'DURATION', '1s'), invalid);
  assert.throws(() => durationMs({ DURATION: '25h' }, 'DURATION', '1s'), invalid);
  assert.throws(() => milliseconds({ ACK_P99_MS: '-1' }, 'ACK_P99_MS', 2), invalid);
  assert.throws(() => traderSeedsHex({}, 'TRADER_SEEDS', 1), invalid);
  assert.throws(() => traderSeedsHex({ TRADER_SEEDS: SEED_A }, 'TRADER_SEEDS', 2), invalid);
  assert.throws(() => traderSeedsHex({ TRADER_SEEDS: `${SEED_A},xyz` }, 'TRADER_SEEDS', 1), invalid);
  assert.throws(() => optionalKeyHex({ DEV_ROOT: 'ab' }, 'DEV_ROOT'), invalid);
  assert.throws(() => baseUrl({ BASE_URL: 'ftp://host' }), invalid);
  assert.throws(() => baseUrl({ BASE_URL: 'http://host/path' }), invalid);
});

test.run();
