// The remembering decimal edge answers exactly as the plain one — the same integers, the same
// text, the same coded refusals — for seeded edge-biased inputs asked repeatedly; refusals are
// never remembered; and no table grows past its bound however varied the input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CachedDecimalEdge, DECIMAL_MEMO_LIMITS } from '../../src/enclave/cached-decimal-edge.js';
import { isCodedError } from '../../src/errors/index.js';
import { DecimalEdge } from '../../src/matching/decimal-edge.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { TEST_MARKET } from '../support/enclave-trader.js';
import { Prng } from '../support/prng.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0xdec);
const MARKET = buildMarketSpec(TEST_MARKET);

function outcome(action: () => unknown): string {
  try {
    return `ok ${String(action())}`;
  } catch (error) {
    if (!isCodedError(error)) throw error;
    return `refused ${error.errorName}`;
  }
}

function decimalText(prng: Prng): unknown {
  switch (prng.int(0, 9)) {
    case 0: return prng.pick(['', '0', '-1', '1e3', ' 1', '+1', 'NaN', '0.001', '1.', '.5', '00.1', null, 5]);
    case 1: return `${prng.int(0, 10 ** 6)}.${prng.int(0, 999)}`;
    case 2: return '9'.repeat(prng.int(1, 90));
    default: return `${prng.int(0, 50)}.${String(prng.int(0, 99)).padStart(2, '0')}`;
  }
}

test(`answers as the plain edge does, asked twice, refusals included (seed ${SEED})`, () => {
  const prng = new Prng(SEED);
  const plain = new DecimalEdge(MARKET);
  const cached = new CachedDecimalEdge(MARKET);
  let refused = 0;
  for (let i = 0; i < 5_000; i++) {
    const input = decimalText(prng);
    const units = prng.int(0, 2_000_000);
    const atoms = BigInt(prng.int(0, 2 ** 40)) * BigInt(prng.pick([1, -1]));
    for (let ask = 0; ask < 2; ask++) {
      const price = outcome(() => cached.priceTicks(input));
      assert.is(price, outcome(() => plain.priceTicks(input)), `seed ${SEED} price ${JSON.stringify(input)}`);
      assert.is(outcome(() => cached.sizeLots(input)), outcome(() => plain.sizeLots(input)), `seed ${SEED} size ${JSON.stringify(input)}`);
      assert.is(cached.formatPriceTicks(units), plain.formatPriceTicks(units));
      assert.is(cached.formatPriceHalfTicks(units), plain.formatPriceHalfTicks(units));
      assert.is(cached.formatSizeLots(units), plain.formatSizeLots(units));
      assert.is(cached.formatQuoteAtoms(atoms), plain.formatQuoteAtoms(atoms));
      if (price.startsWith('refused')) refused += 1;
    }
  }
  assert.ok(refused > 500, `${refused} refusals exercised`);
  assert.is(outcome(() => cached.formatSizeLots(-1)), outcome(() => plain.formatSizeLots(-1)), 'a refused format is not remembered either');
});

test('every table stays within its bound', () => {
  const cached = new CachedDecimalEdge(MARKET);
  for (let i = 1; i <= 3 * DECIMAL_MEMO_LIMITS.entriesPerTable; i++) {
    cached.priceTicks(`${i}.00`);
    cached.formatSizeLots(i);
    assert.ok(cached.memoEntries <= 6 * DECIMAL_MEMO_LIMITS.entriesPerTable);
  }
  assert.ok(cached.memoEntries <= 2 * DECIMAL_MEMO_LIMITS.entriesPerTable);
  assert.is(cached.priceTicks('7.00'), 700, 'still exact after starting over');
});

test.run();
