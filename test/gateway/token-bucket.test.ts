// The per-session rate limit against a reference that counts admitted frames in time: over
// any seeded schedule the bucket admits exactly what a continuous refill allows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TokenBucket } from '../../src/gateway/token-bucket.js';
import { Prng } from '../support/prng.js';

test('a full bucket admits its burst, then refills at the rate', () => {
  let now = 0;
  const bucket = new TokenBucket(10, 5, () => now);
  for (let index = 0; index < 5; index++) assert.ok(bucket.take(1));
  assert.not.ok(bucket.take(1));
  now += 100;
  assert.ok(bucket.take(1), 'one token after 100 ms at 10/s');
  assert.not.ok(bucket.take(1));
  now += 10_000;
  assert.not.ok(bucket.take(6), 'never more than the capacity');
  assert.ok(bucket.take(5));
});

test('take(n) is all or nothing', () => {
  const bucket = new TokenBucket(1, 3, () => 0);
  assert.not.ok(bucket.take(4));
  assert.ok(bucket.take(3), 'a refused take consumed nothing');
});

test('property: admitted frames never exceed capacity + rate × elapsed, and a patient sender is always admitted', () => {
  const seed = Number(process.env.FUZZ_SEED ?? 4242);
  const prng = new Prng(seed);
  for (let round = 0; round < 200; round++) {
    const rate = prng.int(1, 500);
    const capacity = prng.int(1, 100);
    let now = 0;
    const bucket = new TokenBucket(rate, capacity, () => now);
    let admitted = 0;
    for (let step = 0; step < 200; step++) {
      now += prng.int(0, 50);
      const count = prng.int(1, 5);
      if (bucket.take(count)) admitted += count;
      assert.ok(admitted <= capacity + (rate * now) / 1_000 + 1e-9, `seed ${seed}: admitted ${admitted} by ${now} ms`);
    }
    now += Math.ceil((capacity * 1_000) / rate) + 1;
    assert.ok(bucket.take(capacity), `seed ${seed}: a sender that waited a full refill gets the whole capacity`);
  }
});

test.run();
