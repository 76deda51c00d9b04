// The client id table behaves like a Map keyed by (owner, id) under random puts and removals,
// through many rebuilds, including ids whose hashes collide.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClientIdTable, clientIdHash, NOT_FOUND } from '../../src/matching/client-id-table.js';
import { prng } from './fixtures.js';

test('agrees with a Map under random puts and removals (seeded)', () => {
  for (let seed = 1; seed <= 5; seed++) {
    const random = prng(seed);
    const table = new ClientIdTable();
    const model = new Map<string, number>();
    for (let step = 0; step < 40_000; step++) {
      const owner = Math.floor(random() * 5);
      const id = `id${Math.floor(random() * 3000)}`;
      const key = `${owner}/${id}`;
      const hash = clientIdHash(owner, id);
      if (random() < 0.6) {
        const value = Math.floor(random() * 100);
        table.put(owner, id, hash, value);
        model.set(key, value);
      } else {
        table.remove(owner, id, hash);
        model.delete(key);
      }
      const index = table.find(owner, id, hash);
      assert.is(index === NOT_FOUND ? undefined : table.valueAt(index), model.get(key), `seed ${seed} step ${step}`);
      assert.is(table.size, model.size);
    }
    for (const [key, value] of model) {
      const [owner, id] = key.split('/') as [string, string];
      const index = table.find(Number(owner), id, clientIdHash(Number(owner), id));
      assert.is(table.valueAt(index), value);
    }
  }
});

test('entries with equal hashes stay apart by owner and id', () => {
  const table = new ClientIdTable();
  table.put(1, 'a', 42, 10);
  table.put(2, 'a', 42, 20);
  table.put(1, 'b', 42, 30);
  assert.is(table.valueAt(table.find(1, 'a', 42)), 10);
  assert.is(table.valueAt(table.find(2, 'a', 42)), 20);
  assert.is(table.valueAt(table.find(1, 'b', 42)), 30);
  table.remove(1, 'a', 42);
  assert.is(table.find(1, 'a', 42), NOT_FOUND);
  assert.is(table.valueAt(table.find(1, 'b', 42)), 30, 'found after the run shifted back');
});

test('the hash mixes owner and id', () => {
  assert.is.not(clientIdHash(0, 'x'), clientIdHash(1, 'x'));
  assert.is.not(clientIdHash(0, 'ab'), clientIdHash(0, 'ba'));
  assert.is(clientIdHash(3, 'same'), clientIdHash(3, 'same'));
});

test.run();
