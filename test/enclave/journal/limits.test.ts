// INVARIANT: the journal's limits fit together: the largest frame fits in a batch, a read
// chunk holds two largest frames, a segment can hold a largest record, and the in-memory
// anchor ring and pending bound leave room for at least one full batch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JOURNAL_LIMITS, SNAPSHOT_LIMITS } from '../../../src/enclave/journal/limits.js';
import { SEGMENT_HEADER_BYTES, frameBytesFor } from '../../../src/enclave/journal/segment-format.js';

test('journal limits are consistent with each other', () => {
  const largestFrame = frameBytesFor(JOURNAL_LIMITS.recordBytesMax);
  assert.ok(largestFrame + SEGMENT_HEADER_BYTES <= JOURNAL_LIMITS.batchBytesMax, 'a header and a largest frame fit one batch');
  assert.ok(JOURNAL_LIMITS.readChunkBytes >= 2 * largestFrame, 'a read chunk holds two largest frames');
  assert.ok(JOURNAL_LIMITS.pendingBytesMax >= 2 * JOURNAL_LIMITS.batchBytesMax, 'one batch can fill while another is in flight');
  assert.ok(JOURNAL_LIMITS.segmentBytesMin >= SEGMENT_HEADER_BYTES + frameBytesFor(0));
  assert.ok(JOURNAL_LIMITS.segmentBytesMin <= JOURNAL_LIMITS.segmentBytesDefault && JOURNAL_LIMITS.segmentBytesDefault <= JOURNAL_LIMITS.segmentBytesMax);
  assert.ok(Number.isSafeInteger(JOURNAL_LIMITS.anchorHistory) && JOURNAL_LIMITS.anchorHistory > 1);
});

test('snapshot limits are consistent', () => {
  assert.ok(SNAPSHOT_LIMITS.retainDefault >= 1 && SNAPSHOT_LIMITS.retainDefault <= SNAPSHOT_LIMITS.retainMax);
  assert.ok(SNAPSHOT_LIMITS.stateHashBytesMax <= 255, 'the state hash length is stored in one byte');
  assert.ok(SNAPSHOT_LIMITS.stateBytesMax < 2 ** 32 - 1024, 'the body length is stored in a u32');
});

test.run();
