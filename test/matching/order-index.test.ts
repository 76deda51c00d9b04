// The order index behaves like a Map from order id to slot under random sets and deletes, for ids
// small and beyond 2^32, through growth.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OrderIndex } from '../../src/matching/order-index.js';
import { prng } from './fixtures.js';

test('agrees with a Map under random sets and deletes (seeded)', () => {
  for (let seed = 1; seed <= 5; seed++) {
    const random = prng(seed);
    const index = new OrderIndex();
    const model = new Map<number, number>();
    const ids = Array.from({ length: 4000 }, (_, i) => (i % 3 === 0 ? 2 ** 32 * (1 + (i % 7)) + i : i % 3 === 1 ? 2 ** 52 + i : i + 1));
    for (let step = 0; step < 40_000; step++) {
      const id = ids[Math.floor(random() * ids.length)]!;
      if (random() < 0.6) {
        const slot = Math.floor(random() * 1_000_000);
        index.set(id, slot);
        model.set(id, slot);
      } else {
        index.delete(id);
        model.delete(id);
      }
      assert.is(index.get(id), model.get(id), `seed ${seed} step ${step} id ${id}`);
      assert.is(index.has(id), model.has(id));
      assert.is(index.size, model.size);
    }
    for (const [id, slot] of model) assert.is(index.get(id), slot);
  }
});

test('ids that differ only in their high word stay apart', () => {
  const index = new OrderIndex();
  index.set(5, 1);
  index.set(2 ** 32 + 5, 2);
  assert.is(index.get(5), 1);
  assert.is(index.get(2 ** 32 + 5), 2);
  index.delete(5);
  assert.is(index.get(5), undefined);
  assert.is(index.get(2 ** 32 + 5), 2);
});

test.run();
