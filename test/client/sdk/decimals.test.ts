// The client's decimal checks agree with an integer reference (scaled BigInt arithmetic) on
// seeded random and edge values, refuse every malformed string with a client code, and send
// the canonical form the enclave requires. A failing case prints its seed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkAssetAmount, checkPrice, checkSize, ClientDecimal, formatAtoms, roundToTick } from '../../../client/sdk/decimals.js';
import { isDarkpoolError } from '../../../client/sdk/errors.js';
import type { Market } from '../../../client/sdk/markets.js';
import type { ErrorName } from '../../../src/errors/index.js';
import { Prng } from '../../support/prng.js';

const MARKET: Market = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.1',
  minSizeLots: 3, makerFeeBps: 2, takerFeeBps: 5, mode: 'continuous',
};

function failsWith(run: () => unknown, name: ErrorName, context: string): void {
  try {
    run();
  } catch (error) {
    assert.ok(isDarkpoolError(error, name), `${context}: expected ${name}, got ${String(error)}`);
    return;
  }
  assert.unreachable(`${context}: expected ${name}, nothing thrown`);
}

/** Reference: a plain decimal as (units, scale) where value = units / 10^scale. */
function reference(text: string): { units: bigint; scale: number } | undefined {
  const match = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/.exec(text);
  if (match === null) return undefined;
  const fraction = match[2] ?? '';
  return { units: BigInt(match[1]! + fraction), scale: fraction.length };
}

/** Is value a whole multiple of step (both plain decimals)? Cross-multiplied in integers. */
function multipleOf(value: { units: bigint; scale: number }, step: { units: bigint; scale: number }): boolean {
  const scale = Math.max(value.scale, step.scale);
  const v = value.units * 10n ** BigInt(scale - value.scale);
  const s = step.units * 10n ** BigInt(scale - step.scale);
  return v % s === 0n;
}

function canonical(text: string): string {
  if (!text.includes('.')) return text;
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed;
}

function randomDecimal(prng: Prng): string {
  const whole = prng.pick(['0', '1', '5', '10', '99', String(prng.int(1, 1_000_000)), '123456789012345678901234567890']);
  const digits = prng.int(0, 5);
  let fraction = '';
  for (let i = 0; i < digits; i++) fraction += String(prng.pick([0, 0, 0, 1, 5, 9, prng.int(0, 9)]));
  return fraction.length === 0 ? whole : `${whole}.${fraction}`;
}

test('prices and sizes: random values agree with the integer reference', () => {
  const tick = reference(MARKET.tickSize)!;
  const lot = reference(MARKET.lotSize)!;
  for (let seed = 1; seed <= 3000; seed++) {
    const prng = new Prng(seed);
    const text = randomDecimal(prng);
    const value = reference(text)!;
    const context = `seed ${seed} value ${text}`;
    if (value.units === 0n) {
      failsWith(() => checkPrice(MARKET, text), 'CLIENT_DECIMAL_INVALID', context);
      continue;
    }
    if (multipleOf(value, tick)) assert.is(checkPrice(MARKET, text), canonical(text), context);
    else failsWith(() => checkPrice(MARKET, text), 'CLIENT_PRICE_OFF_TICK', context);
    const lots = multipleOf(value, lot);
    const belowMinimum = value.units * 10n ** BigInt(Math.max(0, 1 - value.scale)) < BigInt(MARKET.minSizeLots) * 10n ** BigInt(Math.max(0, value.scale - 1));
    if (!lots) failsWith(() => checkSize(MARKET, text), 'CLIENT_SIZE_OFF_LOT', context);
    else if (belowMinimum) failsWith(() => checkSize(MARKET, text), 'CLIENT_SIZE_BELOW_MINIMUM', context);
    else assert.is(checkSize(MARKET, text), canonical(text), context);
  }
});

test('malformed decimal strings are refused with CLIENT_DECIMAL_INVALID', () => {
  const bad: unknown[] = ['', ' 1', '1 ', '+1', '-1', '1e3', '1E-2', '.5', '5.', '01', '00.1', 'NaN', 'Infinity', '0x10', '1,5', '1..2', '١', '0', '0.000', 5, 5.5, null, undefined, {}, '9'.repeat(81)];
  for (const value of bad) failsWith(() => checkPrice(MARKET, value), 'CLIENT_DECIMAL_INVALID', `value ${JSON.stringify(value)}`);
});

test('fuzz: random strings either pass as canonical grid values or fail with a client code', () => {
  const alphabet = ['0', '1', '5', '9', '.', '-', '+', 'e', ' ', 'x'];
  for (let seed = 1; seed <= 3000; seed++) {
    const prng = new Prng(seed * 7919);
    let text = '';
    const length = prng.int(0, 12);
    for (let i = 0; i < length; i++) text += prng.pick(alphabet);
    try {
      const out = checkPrice(MARKET, text);
      const value = reference(text);
      assert.ok(value !== undefined && value.units > 0n && multipleOf(value, reference(MARKET.tickSize)!), `seed ${seed}: ${JSON.stringify(text)} passed`);
      assert.is(out, canonical(text), `seed ${seed}`);
    } catch (error) {
      assert.ok(isDarkpoolError(error), `seed ${seed}: ${JSON.stringify(text)} threw ${String(error)}`);
      assert.ok(error.code >= 6320 && error.code <= 6339, `seed ${seed}: a client check code`);
    }
  }
});

test('asset amounts: at most the asset decimals, canonical out', () => {
  assert.is(checkAssetAmount('1.500000', 6), '1.5');
  assert.is(checkAssetAmount('0.000001', 6), '0.000001');
  failsWith(() => checkAssetAmount('0.0000001', 6), 'CLIENT_AMOUNT_TOO_PRECISE', '7 decimals');
  failsWith(() => checkAssetAmount('-1', 6), 'CLIENT_DECIMAL_INVALID', 'negative');
});

test('atoms format back to decimals exactly; malformed atoms are a bad answer', () => {
  for (let seed = 1; seed <= 500; seed++) {
    const prng = new Prng(seed);
    const decimals = prng.int(0, 18);
    const atoms = BigInt(prng.int(0, 2 ** 30)) * BigInt(prng.int(1, 2 ** 30));
    const text = formatAtoms(atoms.toString(), decimals);
    const value = reference(text)!;
    assert.is(value.units * 10n ** BigInt(decimals - value.scale), atoms, `seed ${seed}: ${atoms} at ${decimals} → ${text}`);
  }
  for (const bad of ['1.5', '', '01', 'abc', '1'.repeat(200), 7]) failsWith(() => formatAtoms(bad, 6), 'CLIENT_BAD_ANSWER', `atoms ${String(bad)}`);
});

test('rounding to the tick grid goes the asked way', () => {
  assert.is(roundToTick(MARKET, new ClientDecimal('5.0049'), 'down').toFixed(), '5');
  assert.is(roundToTick(MARKET, new ClientDecimal('5.0049'), 'up').toFixed(), '5.01');
  assert.is(roundToTick(MARKET, new ClientDecimal('5.01'), 'up').toFixed(), '5.01');
});

test.run();
