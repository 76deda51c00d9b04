// The account registry: dense indexes, a bound on accounts, open client ids, and a bounded memory
// of finished ones that forgets the oldest first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AccountRegistry, NO_ACCOUNT } from '../../src/matching/accounts.js';
import { clientIdHash } from '../../src/matching/client-id-table.js';
import { buildMatcherLimits } from '../../src/matching/market-spec.js';

test('accounts get dense indexes up to the limit', () => {
  const registry = new AccountRegistry(buildMatcherLimits({ maxAccounts: 2 }));
  assert.is(registry.find('a'), NO_ACCOUNT);
  assert.is(registry.findOrAdd('a'), 0);
  assert.is(registry.findOrAdd('b'), 1);
  assert.is(registry.findOrAdd('a'), 0);
  assert.is(registry.findOrAdd('c'), NO_ACCOUNT);
  assert.is(registry.size, 2);
  assert.equal(registry.names, ['a', 'b']);
});

test('accepted ids record their slot; finished ids are remembered up to the bound, oldest forgotten first', () => {
  const registry = new AccountRegistry(buildMatcherLimits({ recentClientOrderIdsPerAccount: 3 }));
  const a = registry.findOrAdd('a');
  const b = registry.findOrAdd('b');
  const hash = (id: string, owner = a): number => clientIdHash(owner, id);
  registry.open(a, 'x', hash('x'), 7);
  registry.open(a, 'w', hash('w'), 3);
  assert.is(registry.slotHint(a, 'x'), 7);
  assert.is(registry.slotHint(b, 'x'), undefined, 'ids belong to one account');
  assert.not.ok(registry.isDuplicate(b, 'x', hash('x', b)));
  assert.ok(registry.isDuplicate(a, 'x', hash('x')));
  registry.finish(a, 'x', hash('x'));
  assert.ok(registry.isDuplicate(a, 'x', hash('x')), 'a finished id stays taken');
  for (const id of ['p', 'q', 'r']) {
    registry.open(a, id, hash(id), 9);
    registry.finish(a, id, hash(id));
  }
  assert.not.ok(registry.isDuplicate(a, 'x', hash('x')), 'x was the oldest of four finished ids');
  assert.is(registry.slotHint(a, 'x'), undefined);
  assert.ok(registry.isDuplicate(a, 'p', hash('p')));
  assert.equal(registry.recentlyFinished(a), ['p', 'q', 'r']);
  registry.rememberFinished(a, 's', hash('s'));
  assert.equal(registry.recentlyFinished(a), ['q', 'r', 's']);
  assert.is(registry.slotHint(a, 's'), undefined, 'a restored finished id has no slot');
  assert.is(registry.slotHint(a, 'w'), 3);
  assert.is(registry.clientIds.size, 4, 'w open, q r s finished');
});

test.run();
