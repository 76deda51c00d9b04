// The ring of recent chain values: a remembered value comes back until anchorHistory newer
// records overwrite its slot, and clearing forgets everything.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AnchorRing } from '../../../src/enclave/journal/anchor-ring.js';
import { JOURNAL_LIMITS } from '../../../src/enclave/journal/limits.js';

const mac = (label: number): Uint8Array => new Uint8Array(32).fill(label & 0xff);

test('remembers recent values, forgets overwritten slots and everything on clear', () => {
  const ring = new AnchorRing();
  ring.remember(5, mac(5));
  assert.equal(ring.lookup(5), Buffer.from(mac(5)));
  assert.is(ring.lookup(6), undefined);
  ring.remember(5 + JOURNAL_LIMITS.anchorHistory, mac(9));
  assert.is(ring.lookup(5), undefined, 'overwritten by a record anchorHistory later');
  assert.equal(ring.lookup(5 + JOURNAL_LIMITS.anchorHistory), Buffer.from(mac(9)));
  ring.clear();
  assert.is(ring.lookup(5 + JOURNAL_LIMITS.anchorHistory), undefined);
});

test.run();
