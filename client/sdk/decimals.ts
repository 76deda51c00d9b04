// Client-side decimal checks and arithmetic with decimal.js: prices on the tick grid, sizes
// in whole lots, amounts within an asset's decimals, and atoms from the enclave formatted
// back to decimal strings. A bad value fails here, with a client code, before it is sealed;
// a good one is sent in canonical form ("5.10" goes as "5.1"), which the enclave requires.
import { Decimal } from 'decimal.js';
import { DarkpoolError } from './errors.js';
import type { Market } from './markets.js';

/** Longest decimal string the SDK accepts; it bounds every computation below. */
export const MAX_DECIMAL_CHARS = 80;
/** Longest atom amount the SDK formats, in digits. */
export const MAX_ATOM_DIGITS = 120;

/** Exact for every value here: inputs have at most 80 characters, atoms at most 120 digits. */
export const ClientDecimal = Decimal.clone({ precision: 300, rounding: Decimal.ROUND_DOWN, toExpNeg: -400, toExpPos: 400 });
export type ClientDecimalValue = InstanceType<typeof ClientDecimal>;

const PLAIN = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const ATOMS = /^-?(0|[1-9][0-9]*)$/;

/** A positive plain decimal string (digits, at most one point with digits on both sides). */
export function parsePositiveDecimal(value: unknown, title: string): ClientDecimalValue {
  if (typeof value !== 'string') throw new DarkpoolError('CLIENT_DECIMAL_INVALID', `${title} is a ${value === null ? 'null' : typeof value}, send a decimal string`);
  if (value.length > MAX_DECIMAL_CHARS) throw new DarkpoolError('CLIENT_DECIMAL_INVALID', `${title} has ${value.length} characters, at most ${MAX_DECIMAL_CHARS}`);
  if (!PLAIN.test(value)) throw new DarkpoolError('CLIENT_DECIMAL_INVALID', `${title} is ${JSON.stringify(value)}`);
  const decimal = new ClientDecimal(value);
  if (decimal.isZero()) throw new DarkpoolError('CLIENT_DECIMAL_INVALID', `${title} is zero`);
  return decimal;
}

/** A price on the market's tick grid, in canonical form. */
export function checkPrice(market: Market, value: unknown, title = 'price'): string {
  const price = parsePositiveDecimal(value, title);
  if (!price.mod(market.tickSize).isZero()) throw new DarkpoolError('CLIENT_PRICE_OFF_TICK', `${title} ${price.toFixed()} is not a multiple of ${market.tickSize} in ${market.id}`);
  return price.toFixed();
}

/** A base size in whole lots, at least the market minimum, in canonical form. */
export function checkSize(market: Market, value: unknown, title = 'amount'): string {
  const size = parsePositiveDecimal(value, title);
  const lots = size.div(market.lotSize);
  if (!lots.isInteger()) throw new DarkpoolError('CLIENT_SIZE_OFF_LOT', `${title} ${size.toFixed()} is not a multiple of ${market.lotSize} in ${market.id}`);
  if (lots.lessThan(market.minSizeLots)) throw new DarkpoolError('CLIENT_SIZE_BELOW_MINIMUM', `${title} ${size.toFixed()} is below ${market.minSizeLots} lots of ${market.lotSize}`);
  return size.toFixed();
}

/** An amount of an asset with at most its decimals, in canonical form. */
export function checkAssetAmount(value: unknown, decimals: number, title = 'amount'): string {
  const amount = parsePositiveDecimal(value, title);
  if (amount.decimalPlaces() > decimals) throw new DarkpoolError('CLIENT_AMOUNT_TOO_PRECISE', `${title} ${amount.toFixed()} has more than ${decimals} decimal places`);
  return amount.toFixed();
}

/** Integer atoms from the enclave (a decimal integer string) as a decimal amount of the asset. */
export function formatAtoms(atoms: unknown, decimals: number, title = 'atoms'): string {
  if (typeof atoms !== 'string' || atoms.length > MAX_ATOM_DIGITS + 1 || !ATOMS.test(atoms)) {
    throw new DarkpoolError('CLIENT_BAD_ANSWER', `${title} is not an integer string of at most ${MAX_ATOM_DIGITS} digits`, { origin: 'enclave' });
  }
  return new ClientDecimal(atoms).div(new ClientDecimal(10).pow(decimals)).toFixed();
}

export function addDecimals(a: string, b: string): string {
  return new ClientDecimal(a).plus(b).toFixed();
}

export function subtractDecimals(a: string, b: string): string {
  return new ClientDecimal(a).minus(b).toFixed();
}

export function multiplyDecimals(a: string, b: string): string {
  return new ClientDecimal(a).times(b).toFixed();
}

export function compareDecimals(a: string, b: string): number {
  return new ClientDecimal(a).comparedTo(b);
}

/** The nearest price on the tick grid at or below (down) or at or above (up) the value. */
export function roundToTick(market: Market, value: ClientDecimalValue, direction: 'down' | 'up'): ClientDecimalValue {
  const ticks = value.div(market.tickSize);
  const whole = direction === 'down' ? ticks.floor() : ticks.ceil();
  return whole.times(market.tickSize);
}
