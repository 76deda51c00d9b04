// Decimal strings at the edge: hand-checked conversions, one test per coded reject, and a seeded,
// edge-biased fuzz of 120,000 inputs checked against an independent BigInt oracle. A failing fuzz
// run prints its seed and the input that broke it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError, type ErrorName } from '../../src/errors/index.js';
import { DecimalEdge, formatAtoms, MAX_DECIMAL_STRING_CHARS } from '../../src/matching/decimal-edge.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import type { MarketSpec } from '../../src/matching/types.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_125);
const FUZZ_INPUTS = 120_000;
const ROUND_TRIPS = 30_000;

const MARKETS: readonly MarketSpec[] = [
  buildMarketSpec({ id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.001' }),
  buildMarketSpec({ id: 'Q/R', base: 'Q', quote: 'R', baseDecimals: 0, quoteDecimals: 3, tickSize: '0.25', lotSize: '5', limits: { maxPriceTicks: 1000, maxSizeLots: 777 } }),
  buildMarketSpec({ id: 'ONE/ONE', base: 'A', quote: 'B', baseDecimals: 0, quoteDecimals: 1, tickSize: '1', lotSize: '1' }),
  buildMarketSpec({ id: 'FINE/FINE', base: 'F', quote: 'G', baseDecimals: 12, quoteDecimals: 36, tickSize: '0.000000000000000001', lotSize: '0.000000000001', limits: { maxPriceTicks: 2 ** 31 - 1, maxSizeLots: 2 ** 31 - 1 } }),
  buildMarketSpec({ id: 'FIFTY/X', base: 'H', quote: 'I', baseDecimals: 1, quoteDecimals: 1, tickSize: '50', lotSize: '0.3' }),
];

function expectCode(run: () => unknown, name: ErrorName): void {
  try {
    run();
  } catch (error) {
    assert.ok(isCodedError(error, name), `expected ${name}, got ${String(error)}`);
    return;
  }
  assert.unreachable(`expected ${name}`);
}

const dot = new DecimalEdge(MARKETS[0]!);
const quarter = new DecimalEdge(MARKETS[1]!);
const fine = new DecimalEdge(MARKETS[3]!);

test('hand-checked conversions', () => {
  assert.is(dot.priceTicks('123.45'), 12_345);
  assert.is(dot.priceTicks('0.01'), 1);
  assert.is(dot.priceTicks('7'), 700);
  assert.is(dot.priceTicks('7.5'), 750);
  assert.is(dot.sizeLots('2.5'), 2500);
  assert.is(quarter.priceTicks('1.75'), 7);
  assert.is(quarter.sizeLots('15'), 3);
  assert.is(quarter.offsetTicks('-0.5'), -2);
  assert.is(quarter.offsetTicks('0'), 0);
  assert.is(fine.priceTicks('0.000000000000000003'), 3);
  assert.is(fine.priceTicks('0.000000002147483647'), 2_147_483_647);
});

test('hand-checked formatting', () => {
  assert.is(dot.formatPriceTicks(12_345), '123.45');
  assert.is(dot.formatPriceTicks(12_300), '123');
  assert.is(dot.formatPriceTicks(0), '0');
  assert.is(dot.formatPriceHalfTicks(24_691), '123.455');
  assert.is(dot.formatPriceHalfTicks(2), '0.01');
  assert.is(quarter.formatPriceHalfTicks(3), '0.375');
  assert.is(quarter.formatOffsetTicks(-3), '-0.75');
  assert.is(dot.formatSizeLots(2500), '2.5');
  assert.is(dot.formatQuoteAtoms(1_234_567n), '1.234567');
  assert.is(dot.formatBaseAtoms(-10_000_000_001n), '-1.0000000001');
  assert.is(dot.formatQuoteAtoms(0n), '0');
  assert.is(formatAtoms(10n ** 60n + 1n, 36), '1000000000000000000000000.000000000000000000000000000000000001');
  assert.is(fine.formatPriceTicks(2 ** 31 - 1), '0.000000002147483647');
});

test('each kind of bad input has its own code', () => {
  expectCode(() => dot.priceTicks(1.5), 'DECIMAL_NOT_STRING');
  expectCode(() => dot.priceTicks(null), 'DECIMAL_NOT_STRING');
  expectCode(() => dot.priceTicks(10n), 'DECIMAL_NOT_STRING');
  expectCode(() => dot.priceTicks(Number.NaN), 'DECIMAL_NOT_STRING');
  expectCode(() => dot.priceTicks('1'.repeat(MAX_DECIMAL_STRING_CHARS + 1)), 'DECIMAL_TOO_LONG');
  expectCode(() => dot.priceTicks(' 1.5'), 'DECIMAL_WHITESPACE');
  expectCode(() => dot.priceTicks('1.5\n'), 'DECIMAL_WHITESPACE');
  expectCode(() => dot.priceTicks('1\u00a05'), 'DECIMAL_WHITESPACE');
  expectCode(() => dot.priceTicks('+1.5'), 'DECIMAL_PLUS_SIGN');
  expectCode(() => dot.priceTicks('NaN'), 'DECIMAL_NOT_FINITE');
  expectCode(() => dot.priceTicks('-Infinity'), 'DECIMAL_NOT_FINITE');
  expectCode(() => dot.priceTicks('inf'), 'DECIMAL_NOT_FINITE');
  expectCode(() => dot.priceTicks('1e2'), 'DECIMAL_EXPONENT');
  expectCode(() => dot.priceTicks('1.5E-2'), 'DECIMAL_EXPONENT');
  expectCode(() => dot.priceTicks('01.5'), 'DECIMAL_MALFORMED');
  expectCode(() => dot.priceTicks('.5'), 'DECIMAL_MALFORMED');
  expectCode(() => dot.priceTicks('5.'), 'DECIMAL_MALFORMED');
  expectCode(() => dot.priceTicks(''), 'DECIMAL_MALFORMED');
  expectCode(() => dot.priceTicks('0x10'), 'DECIMAL_MALFORMED');
  expectCode(() => dot.priceTicks('1,5'), 'DECIMAL_MALFORMED');
  expectCode(() => dot.priceTicks('١'), 'DECIMAL_MALFORMED');
  expectCode(() => dot.priceTicks('-1.5'), 'DECIMAL_NEGATIVE');
  expectCode(() => dot.priceTicks('-0'), 'DECIMAL_NEGATIVE');
  expectCode(() => dot.priceTicks('0'), 'DECIMAL_ZERO');
  expectCode(() => dot.sizeLots('0.000'), 'DECIMAL_ZERO');
  expectCode(() => dot.priceTicks('1.001'), 'DECIMAL_TOO_MANY_DECIMALS');
  expectCode(() => dot.priceTicks('1.500'), 'DECIMAL_TOO_MANY_DECIMALS');
  expectCode(() => quarter.priceTicks('1.3'), 'DECIMAL_NOT_TICK_MULTIPLE');
  expectCode(() => quarter.sizeLots('7'), 'DECIMAL_NOT_LOT_MULTIPLE');
  expectCode(() => quarter.priceTicks('250.25'), 'DECIMAL_PRICE_TOO_LARGE');
  expectCode(() => quarter.sizeLots('3890'), 'DECIMAL_SIZE_TOO_LARGE');
  expectCode(() => dot.sizeLots('99999999999999999999999999999999'), 'DECIMAL_SIZE_TOO_LARGE');
  expectCode(() => quarter.offsetTicks('-250.25'), 'DECIMAL_OFFSET_TOO_LARGE');
  expectCode(() => quarter.offsetTicks('-0'), 'DECIMAL_MALFORMED');
  expectCode(() => dot.formatPriceTicks(1.5), 'DECIMAL_FORMAT_INVALID');
  expectCode(() => dot.formatSizeLots(-1), 'DECIMAL_FORMAT_INVALID');
  expectCode(() => formatAtoms(10n ** 130n, 6), 'DECIMAL_FORMAT_INVALID');
  expectCode(() => formatAtoms(5 as unknown as bigint, 6), 'DECIMAL_FORMAT_INVALID');
});

test('the limits are inclusive', () => {
  assert.is(quarter.priceTicks('250'), 1000);
  assert.is(quarter.sizeLots('3885'), 777);
  assert.is(quarter.offsetTicks('-250'), -1000);
  assert.is(fine.sizeLots('0.002147483647'), 2 ** 31 - 1);
  expectCode(() => fine.sizeLots('0.002147483648'), 'DECIMAL_SIZE_TOO_LARGE');
});

// ───────────────────────────── seeded fuzz ─────────────────────────────

/** xorshift32: small, seeded, and the same on every machine. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

type Kind = 'price' | 'size' | 'offset';
type Outcome = { readonly units: number } | { readonly error: ErrorName };

/** The step as an integer count of 10^-decimals, e.g. "0.25" → { scaled: 25n, decimals: 2 }. */
function scaledStep(step: string): { scaled: bigint; decimals: number } {
  const [whole, fraction = ''] = step.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return { scaled: BigInt(whole! + trimmed), decimals: trimmed.length };
}

/** An independent reading of the documented rules, using only string checks and BigInt. */
function oracle(input: unknown, market: MarketSpec, kind: Kind): Outcome {
  if (typeof input !== 'string') return { error: 'DECIMAL_NOT_STRING' };
  if (input.length > MAX_DECIMAL_STRING_CHARS) return { error: 'DECIMAL_TOO_LONG' };
  if ([...input].some((char) => char.trim() === '')) return { error: 'DECIMAL_WHITESPACE' };
  if (input[0] === '+') return { error: 'DECIMAL_PLUS_SIGN' };
  const unsigned = input[0] === '-' ? input.slice(1) : input;
  if (['nan', 'inf', 'infinity'].includes(unsigned.toLowerCase())) return { error: 'DECIMAL_NOT_FINITE' };
  const exponentAt = unsigned.search(/[eE]/);
  if (exponentAt > 0) {
    const mantissa = unsigned.slice(0, exponentAt);
    const exponent = unsigned.slice(exponentAt + 1).replace(/^[+-]/, '');
    const mantissaOk = /^[0-9.]+$/.test(mantissa) && mantissa.split('.').length <= 2 && mantissa !== '.' && !mantissa.startsWith('.') || /^\.[0-9]+$/.test(mantissa);
    if (mantissaOk && /^[0-9]+$/.test(exponent)) return { error: 'DECIMAL_EXPONENT' };
  }
  const parts = unsigned.split('.');
  const digitsOnly = (text: string | undefined): boolean => text !== undefined && text.length > 0 && [...text].every((char) => char >= '0' && char <= '9');
  if (parts.length > 2 || !digitsOnly(parts[0]) || (parts.length === 2 && !digitsOnly(parts[1]))) return { error: 'DECIMAL_MALFORMED' };
  if (parts[0]!.length > 1 && parts[0]![0] === '0') return { error: 'DECIMAL_MALFORMED' };
  const negative = unsigned !== input;
  const fraction = parts[1] ?? '';
  const scaledInput = BigInt(parts[0]! + fraction);
  const stepText = kind === 'size' ? market.lotSize : market.tickSize;
  const step = scaledStep(stepText);
  const maxUnits = BigInt(kind === 'size' ? market.limits.maxSizeLots : market.limits.maxPriceTicks);
  if (kind === 'offset') {
    if (negative && scaledInput === 0n) return { error: 'DECIMAL_MALFORMED' };
  } else {
    if (negative) return { error: 'DECIMAL_NEGATIVE' };
    if (scaledInput === 0n) return { error: 'DECIMAL_ZERO' };
  }
  if (fraction.length > step.decimals) return { error: 'DECIMAL_TOO_MANY_DECIMALS' };
  const value = scaledInput * 10n ** BigInt(step.decimals - fraction.length);
  if (value > step.scaled * maxUnits) {
    return { error: kind === 'price' ? 'DECIMAL_PRICE_TOO_LARGE' : kind === 'size' ? 'DECIMAL_SIZE_TOO_LARGE' : 'DECIMAL_OFFSET_TOO_LARGE' };
  }
  if (value % step.scaled !== 0n) return { error: kind === 'size' ? 'DECIMAL_NOT_LOT_MULTIPLE' : 'DECIMAL_NOT_TICK_MULTIPLE' };
  const units = Number(value / step.scaled);
  return { units: negative ? -units : units };
}

/** Formats units × step with plain BigInt string arithmetic, as the oracle for formatting. */
function oracleFormat(units: bigint, stepText: string, extraDecimals = 0): string {
  const step = scaledStep(stepText);
  const decimals = step.decimals + extraDecimals;
  const negative = units < 0n;
  const magnitude = (negative ? -units : units) * step.scaled;
  const digits = magnitude.toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  const text = fraction.length > 0 ? `${whole}.${fraction}` : whole;
  return negative && magnitude !== 0n ? `-${text}` : text;
}

const JUNK: readonly string[] = [
  '', '-', '.', '+', '..', 'e', '1e', 'e5', '1e+', 'NaN', 'nan', 'Infinity', '-Infinity', 'INF', '+Infinity', '0x1f', '0b1', '0o7',
  '1_000', '1,5', '１', '١٢', '½', '∞', '1.2.3', '--1', '-+1', '+-1', '1-', '1+', ' ', '\t', '\u2003', '\u0000', '1\u0000', 'null',
  'undefined', 'true', '[]', '{}', '٠', '0.0.0', '1..5', '-.5', '-5.', '00', '-00', '007', '1e400', '9'.repeat(400), '.e1',
];
const NON_STRINGS: readonly unknown[] = [
  0, 1, 1.5, -1, Number.NaN, Infinity, -Infinity, 1e21, 2 ** 53, null, undefined, true, false, {}, [], ['1'], 10n, -1n, () => '1', Symbol('x'), new String('1'), { toString: () => '1' },
];

function digitString(random: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String(Math.floor(random() * 10));
  return text;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Edge-biased units: the bounds and their neighbours more often than their share. */
function edgeUnits(random: () => number, maxUnits: number): number {
  const roll = random();
  if (roll < 0.1) return pick(random, [1, 2, maxUnits, maxUnits - 1, maxUnits + 1, 0]);
  if (roll < 0.5) return Math.floor(random() * 1000);
  return Math.floor(random() * (maxUnits + 2));
}

function fuzzInput(random: () => number, market: MarketSpec, kind: Kind): unknown {
  const roll = random();
  const stepText = kind === 'size' ? market.lotSize : market.tickSize;
  const maxUnits = kind === 'size' ? market.limits.maxSizeLots : market.limits.maxPriceTicks;
  if (roll < 0.03) return pick(random, NON_STRINGS);
  if (roll < 0.1) return pick(random, JUNK);
  const stepDecimals = scaledStep(stepText).decimals;
  let text: string;
  if (roll < 0.55) {
    text = oracleFormat(BigInt(edgeUnits(random, maxUnits)), stepText);
  } else if (roll < 0.65) {
    text = oracleFormat(BigInt(edgeUnits(random, maxUnits)) * 2n + 1n, stepText, 1);
  } else {
    const whole = random() < 0.3 ? '0' : String(1 + Math.floor(random() * 9)) + digitString(random, Math.floor(random() * (random() < 0.9 ? 8 : 70)));
    const fractionLength = Math.floor(random() * (stepDecimals + 3));
    text = fractionLength === 0 ? whole : `${whole}.${digitString(random, fractionLength)}`;
  }
  const mutation = random();
  if (mutation < 0.55) return text;
  if (mutation < 0.62) return `-${text}`;
  if (mutation < 0.65) return `+${text}`;
  if (mutation < 0.68) return `${text}e${Math.floor(random() * 30)}`;
  if (mutation < 0.7) return `${text}E-${Math.floor(random() * 30)}`;
  if (mutation < 0.73) return random() < 0.5 ? ` ${text}` : `${text}\n`;
  if (mutation < 0.76) return `0${text}`;
  if (mutation < 0.8) return text.includes('.') ? `${text}0` : `${text}.0`;
  if (mutation < 0.83) return text.includes('.') ? `${text}.` : `${text}.`;
  if (mutation < 0.86) {
    const at = Math.floor(random() * (text.length + 1));
    return text.slice(0, at) + pick(random, ['.', '-', '+', 'e', ' ', '_', ',', 'x', '\u00a0', '٣']) + text.slice(at);
  }
  if (mutation < 0.9) return text.slice(0, Math.floor(random() * text.length));
  if (mutation < 0.93) return text + '0'.repeat(Math.floor(random() * 90));
  if (mutation < 0.96) return text.replace(/^0\./, '.');
  return `-${text}`.replace(/^-(0|0\.0*)$/, '-0');
}

function parse(edge: DecimalEdge, kind: Kind, input: unknown): Outcome {
  try {
    const units = kind === 'price' ? edge.priceTicks(input) : kind === 'size' ? edge.sizeLots(input) : edge.offsetTicks(input);
    return { units };
  } catch (error) {
    if (isCodedError(error)) return { error: error.errorName };
    throw error;
  }
}

function describe(input: unknown): string {
  return typeof input === 'string' ? JSON.stringify(input) : `${typeof input} ${typeof input === 'symbol' ? 'symbol' : String(input)}`;
}

test(`fuzz: ${FUZZ_INPUTS} edge-biased inputs never crash and agree with a BigInt oracle (seed ${SEED})`, () => {
  const random = prng(SEED);
  const edges = MARKETS.map((market) => new DecimalEdge(market));
  const kinds: readonly Kind[] = ['price', 'size', 'offset'];
  const seen = new Set<string>();
  for (let i = 0; i < FUZZ_INPUTS; i++) {
    const marketIndex = Math.floor(random() * MARKETS.length);
    const kind = pick(random, kinds);
    const input = fuzzInput(random, MARKETS[marketIndex]!, kind);
    let actual: Outcome;
    try {
      actual = parse(edges[marketIndex]!, kind, input);
    } catch (error) {
      assert.unreachable(`seed ${SEED} input #${i} ${describe(input)} (${kind}, ${MARKETS[marketIndex]!.id}) crashed: ${String(error)}`);
      return;
    }
    const expected = oracle(input, MARKETS[marketIndex]!, kind);
    assert.equal(actual, expected, `seed ${SEED} input #${i} ${describe(input)} (${kind}, ${MARKETS[marketIndex]!.id})`);
    seen.add('units' in actual ? 'accepted' : actual.error);
    if ('units' in actual) {
      const formatted = kind === 'size' ? edges[marketIndex]!.formatSizeLots(actual.units) : kind === 'price' ? edges[marketIndex]!.formatPriceTicks(actual.units) : edges[marketIndex]!.formatOffsetTicks(actual.units);
      assert.equal(parse(edges[marketIndex]!, kind, formatted), actual, `seed ${SEED}: ${describe(input)} formatted as ${formatted} does not parse back`);
    }
  }
  for (const outcome of ['accepted', 'DECIMAL_NOT_STRING', 'DECIMAL_TOO_LONG', 'DECIMAL_WHITESPACE', 'DECIMAL_PLUS_SIGN', 'DECIMAL_NOT_FINITE', 'DECIMAL_EXPONENT', 'DECIMAL_MALFORMED',
    'DECIMAL_NEGATIVE', 'DECIMAL_ZERO', 'DECIMAL_TOO_MANY_DECIMALS', 'DECIMAL_NOT_TICK_MULTIPLE', 'DECIMAL_NOT_LOT_MULTIPLE', 'DECIMAL_PRICE_TOO_LARGE', 'DECIMAL_SIZE_TOO_LARGE', 'DECIMAL_OFFSET_TOO_LARGE']) {
    assert.ok(seen.has(outcome), `the fuzz never produced ${outcome}`);
  }
});

test(`fuzz: ${ROUND_TRIPS} edge-biased ticks, half ticks, lots and atoms format exactly and round-trip (seed ${SEED})`, () => {
  const random = prng(SEED ^ 0x5bd1e995);
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const market = pick(random, MARKETS);
    const edge = new DecimalEdge(market);
    const ticks = Math.max(1, Math.min(market.limits.maxPriceTicks, edgeUnits(random, market.limits.maxPriceTicks)));
    const lots = Math.max(1, Math.min(market.limits.maxSizeLots, edgeUnits(random, market.limits.maxSizeLots)));
    const price = edge.formatPriceTicks(ticks);
    assert.is(price, oracleFormat(BigInt(ticks), market.tickSize), `seed ${SEED}: ticks ${ticks}`);
    assert.is(edge.priceTicks(price), ticks, `seed ${SEED}: price ${price}`);
    const size = edge.formatSizeLots(lots);
    assert.is(size, oracleFormat(BigInt(lots), market.lotSize), `seed ${SEED}: lots ${lots}`);
    assert.is(edge.sizeLots(size), lots, `seed ${SEED}: size ${size}`);
    const halfTicks = ticks * 2 - (random() < 0.5 ? 1 : 0);
    const half = edge.formatPriceHalfTicks(halfTicks);
    assert.is(half, oracleFormat(BigInt(halfTicks) * 5n, market.tickSize, 1), `seed ${SEED}: half ticks ${halfTicks}`);
    if (halfTicks % 2 === 0) assert.is(edge.priceTicks(half), halfTicks / 2);
    const offset = random() < 0.5 ? -ticks : ticks;
    assert.is(edge.offsetTicks(edge.formatOffsetTicks(offset)), offset);
    const atoms = BigInt(ticks) * BigInt(lots) * market.quoteAtomsPerTickLot * (random() < 0.2 ? -1n : 1n);
    const quote = edge.formatQuoteAtoms(atoms);
    const atomStep = market.quoteDecimals === 0 ? '1' : `0.${'0'.repeat(market.quoteDecimals - 1)}1`;
    assert.is(quote, oracleFormat(atoms, atomStep), `seed ${SEED}: atoms ${atoms}`);
  }
});

test.run();
