// INVARIANT: every shared channel failure has a code on both sides, in its side's range and
// in the same order (enclave 2100 + i, client 6100 + i), as docs/protocol.md §7 tabulates.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLIENT_CHANNEL_FAULTS } from '../../client/channel/faults.js';
import { ENCLAVE_CHANNEL_FAULTS } from '../../src/enclave/channel/faults.js';
import { CodedError, ERRORS } from '../../src/errors/index.js';
import { CHANNEL_FAULTS, channelError, singleCodeFaultTable } from '../../src/protocol/channel-faults.js';

test('both sides name every fault, with parallel codes', () => {
  CHANNEL_FAULTS.forEach((fault, index) => {
    assert.is(ERRORS[ENCLAVE_CHANNEL_FAULTS[fault]].code, 2100 + index, `enclave ${fault}`);
    assert.is(ERRORS[CLIENT_CHANNEL_FAULTS[fault]].code, 6100 + index, `client ${fault}`);
    assert.is(ENCLAVE_CHANNEL_FAULTS[fault], `CHANNEL_${fault}`);
    assert.is(CLIENT_CHANNEL_FAULTS[fault], `CLIENT_CHANNEL_${fault}`);
  });
  assert.is(Object.keys(ENCLAVE_CHANNEL_FAULTS).length, CHANNEL_FAULTS.length);
  assert.is(Object.keys(CLIENT_CHANNEL_FAULTS).length, CHANNEL_FAULTS.length);
});

test('channelError builds the side\'s coded error with detail', () => {
  const error = channelError(ENCLAVE_CHANNEL_FAULTS, 'FRAME_REPLAYED', 'frame 0/0');
  assert.instance(error, CodedError);
  assert.is(error.code, 2113);
  assert.is(error.detail, 'frame 0/0');
  assert.is(channelError(CLIENT_CHANNEL_FAULTS, 'FRAME_REPLAYED').code, 6113);
});

test('singleCodeFaultTable reports every fault under one name', () => {
  const table = singleCodeFaultTable('GATEWAY_INTERNAL');
  assert.equal(Object.keys(table), [...CHANNEL_FAULTS]);
  for (const fault of CHANNEL_FAULTS) assert.is(channelError(table, fault).code, ERRORS.GATEWAY_INTERNAL.code);
});

test('the spec\'s error table lists every channel code', () => {
  const spec = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  CHANNEL_FAULTS.forEach((fault, index) => {
    assert.ok(spec.includes(`| \`${fault}\` | ${2100 + index} | ${6100 + index} |`), `${fault} in docs/protocol.md`);
  });
  for (const name of ['CHANNEL_HELLO_ATTESTATION_MISMATCH', 'CHANNEL_HELLO_AUTH_FAILED', 'CLIENT_CHANNEL_HELLO_BAD_PARAMETER'] as const) {
    assert.ok(spec.includes(`| ${ERRORS[name].code} |`) || spec.includes(`| — | ${ERRORS[name].code} |`), `${name} in docs/protocol.md`);
  }
});

test.run();
