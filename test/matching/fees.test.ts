// Fees round up to whole quote atoms, and the fast number path agrees with the bigint path on
// every fill amount, including values near the 2^53 boundary where the fast path hands over.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { feeQuoteAtoms, fillAmounts, type FillAmounts } from '../../src/matching/fees.js';
import { prng } from './fixtures.js';

function slow(priceHalfTicks: number, sizeLots: number, perHalfTickLot: bigint, makerBps: number, takerBps: number): FillAmounts {
  const notional = BigInt(priceHalfTicks) * BigInt(sizeLots) * perHalfTickLot;
  const fee = (bps: number): bigint => (notional * BigInt(bps) + 9999n) / 10000n;
  return { notionalQuoteAtoms: notional, makerFeeQuoteAtoms: fee(makerBps), takerFeeQuoteAtoms: fee(takerBps) };
}

test('fees are ceil(notional × bps / 10 000)', () => {
  assert.is(feeQuoteAtoms(303_000n, 3), 91n);
  assert.is(feeQuoteAtoms(10_000n, 1), 1n);
  assert.is(feeQuoteAtoms(10_001n, 1), 2n);
  assert.is(feeQuoteAtoms(1n, 1), 1n, 'any non-zero rate on a non-zero notional costs at least one atom');
  assert.is(feeQuoteAtoms(0n, 1000), 0n);
  assert.is(feeQuoteAtoms(123_456_789n, 0), 0n);
});

test('the number path and the bigint path agree (seeded, edge-biased)', () => {
  const seed = 20240601;
  const random = prng(seed);
  const edges = [1, 2, 3, 999, 1000, 2 ** 31 - 1, 2 ** 32, 2 ** 26, 94_906_265, 94_906_267];
  const pick = (): number => (random() < 0.3 ? edges[Math.floor(random() * edges.length)]! : 1 + Math.floor(random() * 2 ** (1 + Math.floor(random() * 31))));
  const out: FillAmounts = { notionalQuoteAtoms: 0n, makerFeeQuoteAtoms: 0n, takerFeeQuoteAtoms: 0n };
  for (let i = 0; i < 20_000; i++) {
    const price = pick();
    const size = pick();
    const perHalf = random() < 0.2 ? 2 ** 40 + Math.floor(random() * 1000) : 1 + Math.floor(random() * 100_000);
    const makerBps = Math.floor(random() * 1001);
    const takerBps = Math.floor(random() * 1001);
    fillAmounts(out, price, size, perHalf, BigInt(perHalf), makerBps, takerBps);
    assert.equal(out, slow(price, size, BigInt(perHalf), makerBps, takerBps), `seed ${seed} case ${i}: ${price} ${size} ${perHalf}`);
  }
});

test('a per-half-tick amount beyond safe integers takes the bigint path', () => {
  const out: FillAmounts = { notionalQuoteAtoms: 0n, makerFeeQuoteAtoms: 0n, takerFeeQuoteAtoms: 0n };
  const huge = 10n ** 20n;
  fillAmounts(out, 3, 7, 0, huge, 5, 7);
  assert.equal(out, slow(3, 7, huge, 5, 7));
});

test.run();
