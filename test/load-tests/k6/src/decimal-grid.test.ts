// Generated prices and sizes sit on the market grid in the enclave's canonical spelling:
// checked against decimal.js (the SDK's decimals) on seeded random grids and values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClientDecimal } from '../../../../client/sdk/decimals.js';
import { DecimalGrid } from '../../../../load-tests/k6/src/decimal-grid.js';
import { isCodedError } from '../../../../src/errors/index.js';
import { Prng } from '../../../support/prng.js';

const SEED = Number(process.env.FUZZ_SEED ?? 4501);
const STEPS = ['0.01', '0.1', '1', '0.5', '0.25', '10', '0.000001', '2.5'];

test('steps and format agree with decimal.js on random multiples of random steps', () => {
  const prng = new Prng(SEED);
  for (let index = 0; index < 5_000; index++) {
    const step = STEPS[prng.int(0, STEPS.length - 1)]!;
    const count = BigInt(prng.int(1, 1_000_000));
    const grid = new DecimalGrid(step, 'step');
    const formatted = grid.format(count);
    const expected = new ClientDecimal(step).times(count.toString()).toFixed();
    assert.is(formatted, expected, `seed ${SEED}: ${count} × ${step}`);
    assert.is(grid.steps(formatted, 'value'), count, `seed ${SEED}: ${formatted} / ${step}`);
    assert.is(grid.steps(`${formatted}${formatted.includes('.') ? '' : '.'}000`, 'value'), count, 'trailing zeros parse to the same count');
  }
});

test('off-grid, malformed and non-positive values are K6_CONFIG_INVALID', () => {
  const grid = new DecimalGrid('0.01', 'tick size');
  for (const bad of ['7.001', '-1', '1e3', '.5', '7.', 'abc', '']) {
    assert.throws(() => grid.steps(bad, 'PRICE'), (error: unknown) => isCodedError(error, 'K6_CONFIG_INVALID'), bad);
  }
  assert.throws(() => grid.format(0n), (error: unknown) => isCodedError(error, 'K6_CONFIG_INVALID'));
  assert.throws(() => new DecimalGrid('0', 'lot size'), (error: unknown) => isCodedError(error, 'K6_CONFIG_INVALID'));
});

test.run();
