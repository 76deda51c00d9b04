// Padding buckets: the smallest bucket that fits, exact at every boundary, and strict unpadding.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENCLAVE_CHANNEL_FAULTS } from '../../src/enclave/channel/faults.js';
import { bytesEqual } from '../../src/protocol/bytes.js';
import { MAX_PAYLOAD_BYTES, PADDING_BUCKETS_BYTES, SMALL_MESSAGE_MAX_BYTES } from '../../src/protocol/channel-wire.js';
import { bucketForPayload, padPayload, unpadPayload } from '../../src/protocol/padding.js';
import { expectCodedRejection, seededRandom } from './fuzz-support.js';

const FAULTS = ENCLAVE_CHANNEL_FAULTS;

test('the smallest bucket that fits, for every payload length up to the maximum', () => {
  for (let length = 0; length <= MAX_PAYLOAD_BYTES; length++) {
    const bucket = bucketForPayload(length)!;
    const expected = PADDING_BUCKETS_BYTES.find((b) => length + 4 <= b);
    assert.is(bucket, expected);
  }
  assert.is(bucketForPayload(MAX_PAYLOAD_BYTES + 1), undefined);
  assert.is(bucketForPayload(SMALL_MESSAGE_MAX_BYTES), PADDING_BUCKETS_BYTES[0]);
  assert.is(bucketForPayload(SMALL_MESSAGE_MAX_BYTES + 1), PADDING_BUCKETS_BYTES[1]);
});

test('pad then unpad returns the payload, at and around every boundary', () => {
  const random = seededRandom(9);
  const lengths = [0, 1, ...PADDING_BUCKETS_BYTES.flatMap((b) => [b - 5, b - 4, b - 3])].filter((n) => n >= 0 && n <= MAX_PAYLOAD_BYTES);
  for (const length of lengths) {
    const payload = random.bytes(length);
    const padded = padPayload(payload, FAULTS);
    assert.ok(PADDING_BUCKETS_BYTES.includes(padded.length));
    assert.ok(bytesEqual(unpadPayload(padded, FAULTS), payload), `length ${length}`);
  }
});

test('too large a payload is PAYLOAD_TOO_LARGE', () => {
  assert.is(expectCodedRejection(() => padPayload(new Uint8Array(MAX_PAYLOAD_BYTES + 1), FAULTS), 2100, 2199).errorName, 'CHANNEL_PAYLOAD_TOO_LARGE');
});

test('a bad length prefix, stray padding or a non-bucket size is FRAME_BAD_PADDING', () => {
  const padded = padPayload(Uint8Array.of(1, 2, 3), FAULTS);
  const prefixTooLong = padded.slice();
  prefixTooLong[2] = 0xff;
  const stray = padded.slice();
  stray[stray.length - 1] = 1;
  for (const bad of [prefixTooLong, stray, padded.subarray(0, 100)]) {
    assert.is(expectCodedRejection(() => unpadPayload(bad, FAULTS), 2100, 2199).errorName, 'CHANNEL_FRAME_BAD_PADDING');
  }
});

test.run();
