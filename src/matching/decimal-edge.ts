// The one place where decimal strings from the wire become the integer ticks and lots the matcher
// computes with, and where ticks, lots and atoms become canonical decimal strings again. Input is
// validated strictly and every kind of bad input has its own coded reject, so a client learns
// exactly what to fix and nothing is ever rounded silently.
//
// Accepted input is a plain decimal: ASCII digits, no leading zeros, at most one point with
// digits on both sides, at most as many decimal places as the tick (or lot) size has — trailing
// zeros count, so "1.50" is refused for a tick of "0.5". Checks run in this order, and the first
// that fails names the error: not a string, too long, whitespace, leading '+', NaN/Infinity,
// exponent notation, otherwise malformed, negative, zero, too many decimals, above the market
// maximum, not a whole multiple of the tick or lot size.
//
// Canonical output has no exponent, no trailing zeros after the point and no point when the
// value is whole ("123.45", "0.005", "7").
import { Decimal } from 'decimal.js';
import { CodedError } from '../errors/index.js';
import type { MarketSpec } from './types.js';

/** Longest decimal string accepted; it bounds every decimal.js computation below. */
export const MAX_DECIMAL_STRING_CHARS = 80;
/** Longest atom amount formatted, in decimal digits (a 2^31 × 2^31 notional at 36 decimals has about 60). */
export const MAX_ATOM_DIGITS = 120;

/**
 * Exact for every value this module sees: inputs are at most 80 characters, steps at most 97
 * digits, and quotients are taken only of values already bounded by maxPriceTicks × step.
 */
const EdgeDecimal = Decimal.clone({ precision: 300, rounding: Decimal.ROUND_DOWN, toExpNeg: -400, toExpPos: 400 });
type EdgeDecimalValue = InstanceType<typeof EdgeDecimal>;

const PLAIN_DECIMAL = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const WHITESPACE = /\s/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const EXPONENT = /^-?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$/;

interface PlainDecimal {
  readonly negative: boolean;
  readonly decimals: number;
  readonly value: EdgeDecimalValue;
}

/** Syntax checks shared by every parser; the sign is reported, not judged. */
function parsePlain(input: unknown, title: string): PlainDecimal {
  if (typeof input !== 'string') throw new CodedError('DECIMAL_NOT_STRING', `${title} is a ${input === null ? 'null' : typeof input}`);
  if (input.length > MAX_DECIMAL_STRING_CHARS) throw new CodedError('DECIMAL_TOO_LONG', `${title} has ${input.length} characters, at most ${MAX_DECIMAL_STRING_CHARS}`);
  if (WHITESPACE.test(input)) throw new CodedError('DECIMAL_WHITESPACE', `${title} is ${JSON.stringify(input)}`);
  if (input.startsWith('+')) throw new CodedError('DECIMAL_PLUS_SIGN', `${title} is ${JSON.stringify(input)}`);
  if (NOT_FINITE.test(input)) throw new CodedError('DECIMAL_NOT_FINITE', `${title} is ${JSON.stringify(input)}`);
  if (EXPONENT.test(input)) throw new CodedError('DECIMAL_EXPONENT', `${title} is ${JSON.stringify(input)}`);
  const match = PLAIN_DECIMAL.exec(input);
  if (match === null) throw new CodedError('DECIMAL_MALFORMED', `${title} is ${JSON.stringify(input)}`);
  return { negative: match[1] === '-', decimals: match[3]?.length ?? 0, value: new EdgeDecimal(input) };
}

/** One quantity's step (tick or lot size) and bound, prepared once per market. */
class Scale {
  readonly step: EdgeDecimalValue;
  readonly decimals: number;
  readonly maxValue: EdgeDecimalValue;

  constructor(step: string, readonly maxUnits: number) {
    this.step = new EdgeDecimal(step);
    this.decimals = this.step.decimalPlaces();
    this.maxValue = this.step.times(maxUnits);
  }

  /** Whole steps in an already non-negative, decimal-checked, bounded value, or -1 when not a multiple. */
  units(value: EdgeDecimalValue): number {
    const quotient = value.div(this.step);
    return quotient.isInteger() ? Number(quotient.toFixed(0)) : -1;
  }

  format(units: number): string {
    return this.step.times(units).toFixed();
  }
}

function wholeNumber(value: unknown, signed: boolean, title: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || (!signed && value < 0)) {
    throw new CodedError('DECIMAL_FORMAT_INVALID', `${title} must be a ${signed ? '' : 'non-negative '}safe integer, got ${String(value)}`);
  }
  return value;
}

/** Formats an integer amount of atoms of an asset with `decimals` decimals; negative amounts keep their sign. */
export function formatAtoms(atoms: bigint, decimals: number): string {
  if (typeof atoms !== 'bigint') throw new CodedError('DECIMAL_FORMAT_INVALID', `atoms must be a bigint, got ${typeof atoms}`);
  const digits = atoms < 0n ? (-atoms).toString() : atoms.toString();
  if (digits.length > MAX_ATOM_DIGITS) throw new CodedError('DECIMAL_FORMAT_INVALID', `atoms have ${digits.length} digits, at most ${MAX_ATOM_DIGITS}`);
  if (!Number.isSafeInteger(decimals) || decimals < 0 || decimals > 36) throw new CodedError('DECIMAL_FORMAT_INVALID', `decimals must be an integer in [0, 36], got ${String(decimals)}`);
  return new EdgeDecimal(atoms.toString()).div(new EdgeDecimal(10).pow(decimals)).toFixed();
}

/**
 * Converts one market's prices, sizes and amounts between decimal strings and integers. Build
 * one per market spec and keep it; every method either returns an exact value or throws a
 * CodedError from the 32xx range.
 */
export class DecimalEdge {
  private readonly price: Scale;
  private readonly size: Scale;

  constructor(private readonly market: MarketSpec) {
    this.price = new Scale(market.tickSize, market.limits.maxPriceTicks);
    this.size = new Scale(market.lotSize, market.limits.maxSizeLots);
  }

  /** A positive price (limit price, protection price, cap) in whole ticks. */
  priceTicks(input: unknown, title = 'price'): number {
    const plain = parsePlain(input, title);
    return this.positiveUnits(plain, this.price, title, 'DECIMAL_PRICE_TOO_LARGE', 'DECIMAL_NOT_TICK_MULTIPLE', this.market.tickSize);
  }

  /** A positive order size in whole lots. */
  sizeLots(input: unknown, title = 'size'): number {
    const plain = parsePlain(input, title);
    return this.positiveUnits(plain, this.size, title, 'DECIMAL_SIZE_TOO_LARGE', 'DECIMAL_NOT_LOT_MULTIPLE', this.market.lotSize);
  }

  /** A primary peg offset in whole ticks: zero or either sign, at most maxPriceTicks in magnitude. */
  offsetTicks(input: unknown, title = 'offset'): number {
    const plain = parsePlain(input, title);
    if (plain.negative && plain.value.isZero()) throw new CodedError('DECIMAL_MALFORMED', `${title} is a negative zero`);
    const magnitude = plain.value.abs();
    this.checkDecimals(plain, this.price, title, this.market.tickSize);
    if (magnitude.greaterThan(this.price.maxValue)) throw new CodedError('DECIMAL_OFFSET_TOO_LARGE', `${title} ${magnitude.toFixed()} exceeds ${this.price.maxValue.toFixed()}`);
    const units = this.price.units(magnitude);
    if (units < 0) throw new CodedError('DECIMAL_NOT_TICK_MULTIPLE', `${title} ${magnitude.toFixed()} is not a multiple of ${this.market.tickSize}`);
    return plain.negative ? -units : units;
  }

  formatPriceTicks(priceTicks: number): string {
    return this.price.format(wholeNumber(priceTicks, false, 'priceTicks'));
  }

  /** A fill price given in half ticks (midpoint fills), exact: one more decimal place at most. */
  formatPriceHalfTicks(priceHalfTicks: number): string {
    return this.price.step.times(wholeNumber(priceHalfTicks, false, 'priceHalfTicks')).div(2).toFixed();
  }

  formatOffsetTicks(offsetTicks: number): string {
    return this.price.format(wholeNumber(offsetTicks, true, 'offsetTicks'));
  }

  formatSizeLots(sizeLots: number): string {
    return this.size.format(wholeNumber(sizeLots, false, 'sizeLots'));
  }

  formatBaseAtoms(atoms: bigint): string {
    return formatAtoms(atoms, this.market.baseDecimals);
  }

  formatQuoteAtoms(atoms: bigint): string {
    return formatAtoms(atoms, this.market.quoteDecimals);
  }

  private checkDecimals(plain: PlainDecimal, scale: Scale, title: string, step: string): void {
    if (plain.decimals > scale.decimals) {
      throw new CodedError('DECIMAL_TOO_MANY_DECIMALS', `${title} has ${plain.decimals} decimal places; step ${step} allows ${scale.decimals}`);
    }
  }

  private positiveUnits(
    plain: PlainDecimal,
    scale: Scale,
    title: string,
    tooLarge: 'DECIMAL_PRICE_TOO_LARGE' | 'DECIMAL_SIZE_TOO_LARGE',
    notMultiple: 'DECIMAL_NOT_TICK_MULTIPLE' | 'DECIMAL_NOT_LOT_MULTIPLE',
    step: string,
  ): number {
    if (plain.negative) throw new CodedError('DECIMAL_NEGATIVE', `${title} is ${plain.value.toFixed()}`);
    if (plain.value.isZero()) throw new CodedError('DECIMAL_ZERO', `${title} is zero`);
    this.checkDecimals(plain, scale, title, step);
    if (plain.value.greaterThan(scale.maxValue)) throw new CodedError(tooLarge, `${title} ${plain.value.toFixed()} exceeds ${scale.maxValue.toFixed()}`);
    const units = scale.units(plain.value);
    if (units < 0) throw new CodedError(notMultiple, `${title} ${plain.value.toFixed()} is not a multiple of ${step}`);
    return units;
  }
}
