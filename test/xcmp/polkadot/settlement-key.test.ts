// INVARIANT: the settlement key is the ed25519 key of its 32-byte seed (the same public key
// @noble/curves derives), the caller's seed is not modified, and any other seed length is refused.
import { ed25519 } from '@noble/curves/ed25519';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import { accountHexOf, settlementKeyPair, SETTLEMENT_SEED_BYTES } from '../../../src/xcmp/polkadot/settlement-key.js';
import { Prng } from '../../support/prng.js';

test('the pair is ed25519 of the seed, agreeing with @noble/curves, and signatures verify', () => {
  const prng = new Prng(0x5e7713);
  for (let round = 0; round < 16; round++) {
    const seed = Uint8Array.from({ length: SETTLEMENT_SEED_BYTES }, () => prng.int(0, 255));
    const copy = Uint8Array.from(seed);
    const pair = settlementKeyPair(seed);
    assert.equal(seed, copy, `seed untouched (seed ${prng.seed})`);
    assert.is(pair.type, 'ed25519');
    assert.equal(pair.publicKey, ed25519.getPublicKey(seed));
    assert.is(accountHexOf(pair), `0x${Buffer.from(ed25519.getPublicKey(seed)).toString('hex')}`);
    const message = Uint8Array.from([round, 1, 2, 3]);
    assert.ok(ed25519.verify(pair.sign(message), message, pair.publicKey));
  }
});

test('a seed that is not 32 bytes is refused with a coded error', () => {
  for (const bad of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(33), new Uint8Array(64), 'seed' as unknown as Uint8Array]) {
    try { settlementKeyPair(bad); assert.unreachable(); } catch (error) { assert.ok(isCodedError(error, 'XCMP_SETTLEMENT_KEY_INVALID'), String(error)); }
  }
});

test.run();
