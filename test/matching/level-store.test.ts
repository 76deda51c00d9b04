// Sorted sides keep the best price last and find levels by binary search; checked against a plain
// sorted array under random inserts and removals, on both sides.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LevelStore, SideLevels } from '../../src/matching/level-store.js';
import { NO_SLOT } from '../../src/matching/order-store.js';
import { prng } from './fixtures.js';

test('search, insert and remove agree with a sorted array (bids ascending, asks descending)', () => {
  for (const direction of [1, -1] as const) {
    const random = prng(direction === 1 ? 5 : 6);
    const side = new SideLevels(direction);
    const store = new LevelStore();
    const model: number[] = [];
    for (let step = 0; step < 3000; step++) {
      const price = 1 + Math.floor(random() * 400);
      const found = side.search(price);
      const modelIndex = model.indexOf(price);
      assert.is(found >= 0, modelIndex >= 0);
      if (found >= 0) {
        assert.is(side.prices[found], price);
        if (random() < 0.6) { side.removeAt(found); model.splice(modelIndex, 1); }
      } else {
        side.insertAt(-found - 1, price, store.allocate(price));
        model.push(price);
        model.sort((a, b) => direction * (a - b));
      }
      assert.equal(Array.from(side.prices.subarray(0, side.count)), model);
    }
    if (side.count > 1) assert.ok(side.better(side.prices[side.count - 1]!, side.prices[0]!), 'the best price is last');
  }
});

test('levels start empty and slots are reused', () => {
  const store = new LevelStore();
  const first = store.allocate(10);
  assert.equal([store.head[first], store.tail[first], store.totalLots[first], store.orderCount[first]], [NO_SLOT, NO_SLOT, 0, 0]);
  store.release(first);
  assert.is(store.allocate(11), first);
  for (let i = 0; i < 1000; i++) store.allocate(i);
  assert.ok(store.capacity >= 1001);
});

test.run();
