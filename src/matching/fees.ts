// Exact notionals and fees of one fill. Most fills fit in a double's 53-bit integer range, so
// the arithmetic runs on numbers and only the results become bigint; larger values take the
// bigint path. Both paths give the same integers: fee = ceil(notional × bps / 10 000).
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const BPS_DENOMINATOR = 10_000;

/** ceil(value × bps / 10 000) for a non-negative safe integer product, computed exactly. */
function feeFromSafe(value: number, bps: number): number {
  const product = value * bps;
  let quotient = Math.floor(product / BPS_DENOMINATOR);
  let remainder = product - quotient * BPS_DENOMINATOR;
  if (remainder < 0) { quotient -= 1; remainder += BPS_DENOMINATOR; }
  else if (remainder >= BPS_DENOMINATOR) { quotient += 1; remainder -= BPS_DENOMINATOR; }
  return remainder > 0 ? quotient + 1 : quotient;
}

export function feeQuoteAtoms(notionalQuoteAtoms: bigint, bps: number): bigint {
  const scaled = notionalQuoteAtoms * BigInt(bps);
  const denominator = BigInt(BPS_DENOMINATOR);
  return (scaled + denominator - 1n) / denominator;
}

/** The three amounts of a fill, in quote atoms. */
export interface FillAmounts {
  notionalQuoteAtoms: bigint;
  makerFeeQuoteAtoms: bigint;
  takerFeeQuoteAtoms: bigint;
}

/**
 * Computes a fill's amounts into a reusable holder. quoteAtomsPerHalfTickLot is
 * quoteAtomsPerTickLot / 2 (exact: the spec requires it even), given as a number when it is a
 * safe integer and always as a bigint.
 */
export function fillAmounts(
  out: FillAmounts,
  priceHalfTicks: number,
  sizeLots: number,
  quoteAtomsPerHalfTickLotNumber: number,
  quoteAtomsPerHalfTickLot: bigint,
  makerFeeBps: number,
  takerFeeBps: number,
): void {
  const units = priceHalfTicks * sizeLots;
  if (units <= MAX_SAFE && quoteAtomsPerHalfTickLotNumber > 0 && units <= MAX_SAFE / quoteAtomsPerHalfTickLotNumber) {
    const notional = units * quoteAtomsPerHalfTickLotNumber;
    if (notional * 1000 <= MAX_SAFE) {
      out.notionalQuoteAtoms = BigInt(notional);
      out.makerFeeQuoteAtoms = makerFeeBps === 0 ? 0n : BigInt(feeFromSafe(notional, makerFeeBps));
      out.takerFeeQuoteAtoms = takerFeeBps === 0 ? 0n : BigInt(feeFromSafe(notional, takerFeeBps));
      return;
    }
  }
  const notional = BigInt(priceHalfTicks) * BigInt(sizeLots) * quoteAtomsPerHalfTickLot;
  out.notionalQuoteAtoms = notional;
  out.makerFeeQuoteAtoms = feeQuoteAtoms(notional, makerFeeBps);
  out.takerFeeQuoteAtoms = feeQuoteAtoms(notional, takerFeeBps);
}
