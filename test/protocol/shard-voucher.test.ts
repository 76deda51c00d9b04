// The voucher id both sides compute with @noble equals node's own sha256 over tag || payload,
// so the client names exactly the voucher the enclave recorded; different payloads differ.
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { voucherId, voucherMessage, VOUCHER_SIGNING_TAG } from '../../src/protocol/shard-voucher.js';

const PAYLOADS = ['{"version":1}', '', 'ünïcode ✓', 'x'.repeat(1_024)];

test('the signed message is the tag followed by the payload text, as UTF-8', () => {
  for (const payload of PAYLOADS) assert.is(Buffer.from(voucherMessage(payload)).toString('utf8'), `${VOUCHER_SIGNING_TAG}${payload}`);
});

test('the voucher id is node\'s sha256 of the message, and distinct per payload', () => {
  const ids = PAYLOADS.map((payload) => {
    const id = voucherId(payload);
    assert.is(id, createHash('sha256').update(`${VOUCHER_SIGNING_TAG}${payload}`, 'utf8').digest('hex'));
    return id;
  });
  assert.is(new Set(ids).size, PAYLOADS.length);
});

test.run();
