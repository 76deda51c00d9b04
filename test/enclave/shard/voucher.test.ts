// The voucher's canonical form: encoding round-trips, the id is the hash of exactly the signed
// bytes, any non-canonical or malformed payload is a coded SHARD_VOUCHER_MALFORMED (seeded fuzz),
// and the signature covers every byte of the payload.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import { encodeVoucherPayload, parseSignedVoucher, parseVoucherPayload, verifyVoucherSignature, voucherId, voucherMessage, type VoucherPayload } from '../../../src/enclave/shard/voucher.js';
import { parseRequest } from '../../../src/enclave/requests.js';
import { QUERY_PAGE_LIMITS } from '../../../src/protocol/trading-messages.js';
import { fuzzSeed, mutate, runFuzz } from '../../protocol/fuzz-support.js';

const ISSUER_SEED = new Uint8Array(32).fill(9);
const ISSUER = bytesToHex(ed25519.getPublicKey(ISSUER_SEED));
const PAYLOAD: VoucherPayload = {
  version: 1, fromShard: 'a', fromIdentityHex: ISSUER, toShard: 'b', toIdentityHex: 'cd'.repeat(32), account: 'ef'.repeat(32),
  asset: 'USDC', amountAtoms: '125500000', transferId: 't-1', number: 3,
};

test('a payload round-trips through its canonical text', () => {
  const text = encodeVoucherPayload(PAYLOAD);
  assert.equal(parseVoucherPayload(text), PAYLOAD);
  assert.is(encodeVoucherPayload(parseVoucherPayload(text)), text);
});

test('the voucher id is the sha256 of the signed message and differs per payload', () => {
  const text = encodeVoucherPayload(PAYLOAD);
  assert.match(voucherId(text), /^[0-9a-f]{64}$/);
  assert.is.not(voucherId(text), voucherId(encodeVoucherPayload({ ...PAYLOAD, number: 4 })));
});

test('the signature verifies under the issuer key only, and only for the exact payload', () => {
  const text = encodeVoucherPayload(PAYLOAD);
  const signatureHex = bytesToHex(ed25519.sign(voucherMessage(text), ISSUER_SEED));
  assert.ok(verifyVoucherSignature({ payload: text, signatureHex }, ISSUER));
  assert.not.ok(verifyVoucherSignature({ payload: text, signatureHex }, 'cd'.repeat(32)));
  assert.not.ok(verifyVoucherSignature({ payload: text.replace('125500000', '125500001'), signatureHex }, ISSUER));
});

test('malformed and non-canonical payloads are refused with SHARD_VOUCHER_MALFORMED', () => {
  const cases: unknown[] = [
    42, '', 'x'.repeat(2_000), '[]', 'null', JSON.stringify({ ...PAYLOAD, version: 2 }),
    encodeVoucherPayload({ ...PAYLOAD, amountAtoms: '0' }), encodeVoucherPayload({ ...PAYLOAD, amountAtoms: '-5' }),
    encodeVoucherPayload({ ...PAYLOAD, number: 0 }), encodeVoucherPayload({ ...PAYLOAD, toShard: 'b/../c' }),
    encodeVoucherPayload(PAYLOAD).replace('{"version":1,', '{ "version":1,'),
    JSON.stringify({ ...PAYLOAD, version: undefined, trailing: 1 }),
    (({ version, ...rest }) => JSON.stringify({ ...rest, version }))(PAYLOAD),
  ];
  for (const value of cases) {
    try {
      parseVoucherPayload(value);
      assert.unreachable(`accepted ${String(value).slice(0, 60)}`);
    } catch (error) {
      assert.ok(isCodedError(error, 'SHARD_VOUCHER_MALFORMED'), String(error));
    }
  }
  for (const value of [null, [], { payload: 1, signatureHex: 'ab'.repeat(64) }, { payload: 'x', signatureHex: 'AB'.repeat(64) }]) {
    try {
      parseSignedVoucher(value);
      assert.unreachable('accepted');
    } catch (error) {
      assert.ok(isCodedError(error, 'SHARD_VOUCHER_MALFORMED'));
    }
  }
});

test('transfer requests are checked at the boundary: shard, identity, transfer id, voucher shape, sizes', () => {
  const context = { markets: new Map(), edges: new Map(), assets: new Map([['USDC', 6]]) };
  const out = { asset: 'USDC', amount: '1.5', toShard: 'b', toIdentity: 'cd'.repeat(32), transferId: 't-1' };
  assert.equal(parseRequest('funds.transferOut', out, context), { type: 'funds.transferOut', asset: 'USDC', atoms: 1_500_000n, toShard: 'b', toIdentityHex: 'cd'.repeat(32), transferId: 't-1' });
  const refusals: [string, Record<string, unknown>, string][] = [
    ['funds.transferOut', { ...out, toShard: 'b/c' }, 'SHARD_TRANSFER_INVALID'],
    ['funds.transferOut', { ...out, toIdentity: 'CD'.repeat(32) }, 'SHARD_TRANSFER_INVALID'],
    ['funds.transferOut', { ...out, transferId: 'no spaces' }, 'SHARD_TRANSFER_INVALID'],
    ['funds.transferOut', { ...out, transferId: 'x'.repeat(65) }, 'REQUEST_INVALID'],
    ['funds.transferOut', { ...out, asset: 'KSM' }, 'REQUEST_ASSET_UNKNOWN'],
    ['funds.transferOut', { ...out, extra: 1 }, 'REQUEST_INVALID'],
    ['funds.transferIn', { voucher: { payload: 'x', signatureHex: 'ab' }, issuerBundle: '{}' }, 'SHARD_VOUCHER_MALFORMED'],
    ['funds.transferIn', { voucher: { payload: 'x', signatureHex: 'ab'.repeat(64) }, issuerBundle: 'x'.repeat(9_000) }, 'SHARD_VOUCHER_MALFORMED'],
    ['query.transfers', { all: true }, 'REQUEST_INVALID'],
  ];
  for (const [type, body, name] of refusals) {
    try {
      parseRequest(type, body, context);
      assert.unreachable(`${type} accepted`);
    } catch (error) {
      assert.ok(isCodedError(error) && error.errorName === name, `${type}: expected ${name}, got ${String(error)}`);
    }
  }
  assert.equal(parseRequest('query.transfers', {}, context), { type: 'query.transfers', page: { after: undefined, limit: QUERY_PAGE_LIMITS.maxItemsPerPage } });
});

test('fuzz: a mutated payload either parses to a canonical payload or is a coded rejection', () => {
  const original = new TextEncoder().encode(encodeVoucherPayload(PAYLOAD));
  const decoder = new TextDecoder();
  runFuzz('voucher payload', fuzzSeed(2753), 3_000, (random) => {
    const input = mutate(original, random);
    return {
      input,
      check: () => {
        const text = decoder.decode(input);
        try {
          const parsed = parseVoucherPayload(text);
          assert.is(encodeVoucherPayload(parsed), text);
        } catch (error) {
          if (!isCodedError(error, 'SHARD_VOUCHER_MALFORMED')) throw error;
        }
      },
    };
  });
});

test.run();
