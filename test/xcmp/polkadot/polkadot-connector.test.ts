// INVARIANT: the mortal era the Polkadot connector signs with never outlives the deadline it was
// asked for — its last valid block is at most validUntil — and is the longest such era; a deadline
// too close for the shortest era is refused with a code. (The connector against real runtimes is
// tested under chopsticks: test/xcmp/chopsticks/polkadot-connector.test.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import { mortalEraFor, POLKADOT_MAX_ERA_PERIOD, POLKADOT_MIN_ERA_PERIOD } from '../../../src/xcmp/polkadot/polkadot-connector.js';
import { Prng } from '../../support/prng.js';

test('the era ends by the deadline and is the longest power of two that does', () => {
  assert.equal(mortalEraFor(100, 103, 4_096), { period: 4, lastValidBlock: 103 });
  assert.equal(mortalEraFor(100, 164, 4_096), { period: 64, lastValidBlock: 163 });
  assert.equal(mortalEraFor(100, 163, 4_096), { period: 64, lastValidBlock: 163 });
  assert.equal(mortalEraFor(100, 162, 4_096), { period: 32, lastValidBlock: 131 });
  assert.equal(mortalEraFor(0, 10_000_000, 4_096), { period: 4_096, lastValidBlock: 4_095 }, 'capped by the runtime\'s block hash count');
  assert.equal(mortalEraFor(0, 10_000_000, 1_000_000).period, POLKADOT_MAX_ERA_PERIOD);
});

test('deadlines too close or malformed are refused with codes', () => {
  for (const [birth, validUntil, name] of [[100, 102, 'XCMP_DEADLINE_PASSED'], [100, 50, 'XCMP_DEADLINE_PASSED'], [100, 1.5, 'XCMP_DEADLINE_UNENFORCEABLE'], [100, -4, 'XCMP_DEADLINE_UNENFORCEABLE']] as const) {
    try { mortalEraFor(birth, validUntil, 4_096); assert.unreachable(`${birth}..${validUntil}`); } catch (error) { assert.ok(isCodedError(error, name), `${birth}..${validUntil}: ${String(error)}`); }
  }
});

test('property: for random births and deadlines the era fits and cannot be doubled', () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  const prng = new Prng(seed);
  for (let run = 0; run < 5_000; run++) {
    const birth = prng.int(0, 10_000_000);
    const validUntil = birth + prng.int(POLKADOT_MIN_ERA_PERIOD - 1, 100_000);
    const hashCount = prng.int(POLKADOT_MIN_ERA_PERIOD, 70_000);
    const { period, lastValidBlock } = mortalEraFor(birth, validUntil, hashCount);
    const label = `seed ${seed} run ${run}: birth ${birth} validUntil ${validUntil} hashes ${hashCount} -> ${period}`;
    assert.ok(Number.isInteger(Math.log2(period)) && period >= POLKADOT_MIN_ERA_PERIOD && period <= Math.min(hashCount, POLKADOT_MAX_ERA_PERIOD), label);
    assert.is(lastValidBlock, birth + period - 1, label);
    assert.ok(lastValidBlock <= validUntil, label);
    assert.ok(period * 2 > Math.min(validUntil - birth + 1, hashCount, POLKADOT_MAX_ERA_PERIOD), label);
  }
});

test.run();
