// INVARIANT: only well-formed fills reach netting; every malformed field is a coded error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { SETTLEMENT_MAX_ATOMS, checkFill, isAccountHex, type Fill } from '../../src/settlement/fill.js';

const good: Fill = {
  tradeId: 'T-1', market: 'DOT-USDT', buyer: `0x${'11'.repeat(32)}`, seller: `0x${'22'.repeat(32)}`,
  base: { chain: 'para:1000', asset: 'DOT' }, quote: { chain: 'para:1000', asset: 'USDT' },
  baseAtoms: 1n, quoteAtoms: 10n, buyerFeeAtoms: 0n, sellerFeeAtoms: 10n,
};

test('a good fill passes', () => {
  checkFill(good);
  assert.ok(isAccountHex(good.buyer));
  assert.not.ok(isAccountHex(`0x${'AA'.repeat(32)}`), 'upper case is refused: the enclave normalises');
  assert.not.ok(isAccountHex(42));
});

test('each malformed field is refused', () => {
  const bad: Partial<Fill>[] = [
    { tradeId: '' }, { tradeId: 'x'.repeat(65) }, { tradeId: 'has space' }, { market: '' }, { buyer: '0x12' }, { seller: `0x${'zz'.repeat(32)}` },
    { baseAtoms: 0n }, { quoteAtoms: -1n }, { baseAtoms: SETTLEMENT_MAX_ATOMS + 1n }, { buyerFeeAtoms: -1n }, { sellerFeeAtoms: 11n },
    { quote: { chain: 'para:1000', asset: 'DOT' } }, { baseAtoms: 1 as unknown as bigint },
  ];
  for (const patch of bad) {
    try { checkFill({ ...good, ...patch }); assert.unreachable(JSON.stringify(Object.keys(patch))); } catch (error) {
      assert.ok(isCodedError(error, 'SETTLEMENT_INVALID_FILL'), String(error));
    }
  }
});

test.run();
