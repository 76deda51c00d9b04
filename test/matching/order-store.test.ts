// The order store hands out slots, reuses freed ones and keeps every field across growth.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NO_SLOT, OrderStore } from '../../src/matching/order-store.js';

test('allocates fresh slots, reuses released ones, and keeps fields when it grows', () => {
  const store = new OrderStore();
  const slots: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const slot = store.allocate();
    store.orderId[slot] = i + 1;
    store.remainingLots[slot] = i * 2;
    store.clientOrderId[slot] = `c${i}`;
    slots.push(slot);
  }
  assert.ok(store.capacity >= 5000);
  assert.is(store.used, 5000);
  for (let i = 0; i < 5000; i++) {
    assert.is(store.orderId[slots[i]!], i + 1);
    assert.is(store.remainingLots[slots[i]!], i * 2);
    assert.is(store.clientOrderId[slots[i]!], `c${i}`);
  }
  store.release(slots[10]!);
  assert.is(store.clientOrderId[slots[10]!], '', 'a released slot drops its string');
  const again = store.allocate();
  assert.is(again, slots[10]);
  assert.equal([store.next[again], store.prev[again], store.level[again], store.heapPosition[again]], [NO_SLOT, NO_SLOT, NO_SLOT, NO_SLOT]);
  assert.is(store.used, 5000);
});

test.run();
