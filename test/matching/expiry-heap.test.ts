// The expiry heap pops in (expireAtMs, orderId) order under random pushes and removals, checked
// against a sorted list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExpiryHeap } from '../../src/matching/expiry-heap.js';
import { NO_SLOT, OrderStore } from '../../src/matching/order-store.js';
import { prng } from './fixtures.js';

test('pops in expiry then order id order under random pushes and removals', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const random = prng(seed);
    const orders = new OrderStore();
    const heap = new ExpiryHeap(orders);
    const live: { slot: number; expireAtMs: number; orderId: number }[] = [];
    let nextId = 1;
    for (let step = 0; step < 600; step++) {
      const roll = random();
      if (roll < 0.5) {
        const slot = orders.allocate();
        const entry = { slot, expireAtMs: Math.floor(random() * 50), orderId: nextId++ };
        orders.orderId[slot] = entry.orderId;
        heap.push(slot, entry.expireAtMs);
        live.push(entry);
      } else if (roll < 0.75 && live.length > 0) {
        const [gone] = live.splice(Math.floor(random() * live.length), 1);
        heap.remove(gone!.slot);
        assert.is(orders.heapPosition[gone!.slot], NO_SLOT);
        orders.release(gone!.slot);
      } else if (live.length > 0) {
        live.sort((a, b) => a.expireAtMs - b.expireAtMs || a.orderId - b.orderId);
        const first = live.shift()!;
        assert.is(heap.peekSlot(), first.slot, `seed ${seed} step ${step}`);
        assert.is(heap.peekExpireAtMs(), first.expireAtMs);
        assert.is(heap.expireAtOf(first.slot), first.expireAtMs);
        heap.remove(first.slot);
        orders.release(first.slot);
      }
      assert.is(heap.size, live.length);
    }
  }
});

test('an empty heap reports nothing due', () => {
  const heap = new ExpiryHeap(new OrderStore());
  assert.is(heap.peekSlot(), NO_SLOT);
  assert.is(heap.peekExpireAtMs(), Infinity);
});

test.run();
