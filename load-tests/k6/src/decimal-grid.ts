// Prices and sizes for generated orders, on the market's tick and lot grids, in the canonical
// decimal spelling the enclave insists on ("5.10" goes as "5.1"). Exact bigint arithmetic:
// money never becomes a float, not even in a load script.
import { CodedError } from '../../../src/errors/index.js';

const PLAIN = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const MAX_DECIMAL_CHARS = 80;

/** A decimal as an integer count of 10^-scale. */
interface Fixed { readonly units: bigint; readonly scale: number }

function parse(value: string, title: string): Fixed {
  if (value.length > MAX_DECIMAL_CHARS || !PLAIN.test(value)) throw new CodedError('K6_CONFIG_INVALID', `${title} ${JSON.stringify(value.slice(0, 40))} is not a plain decimal`);
  const [whole, fraction = ''] = value.split('.');
  return { units: BigInt(whole! + fraction), scale: fraction.length };
}

function rescale(value: Fixed, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function format(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, '0');
  if (scale === 0) return digits;
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  const whole = digits.slice(0, digits.length - scale);
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** A step grid (tick size or lot size): values are whole multiples of the step. */
export class DecimalGrid {
  readonly #step: Fixed;
  readonly #title: string;

  constructor(step: string, title: string) {
    this.#step = parse(step, title);
    if (this.#step.units === 0n) throw new CodedError('K6_CONFIG_INVALID', `${title} is zero`);
    this.#title = title;
  }

  /** How many steps a decimal is; refuses one off the grid. */
  steps(value: string, title: string): bigint {
    const parsed = parse(value, title);
    const scale = Math.max(parsed.scale, this.#step.scale);
    const units = rescale(parsed, scale);
    const step = rescale(this.#step, scale);
    if (units % step !== 0n) throw new CodedError('K6_CONFIG_INVALID', `${title} ${value} is not a multiple of the ${this.#title} ${format(this.#step.units, this.#step.scale)}`);
    return units / step;
  }

  /** `count` steps as a canonical decimal string; count must be positive. */
  format(count: bigint): string {
    if (count <= 0n) throw new CodedError('K6_CONFIG_INVALID', `${this.#title}: ${count} steps is not a positive value`);
    return format(count * this.#step.units, this.#step.scale);
  }
}
