// Strict base64: every canonical string round-trips; every other spelling of the same bytes
// (missing padding, stray bits, whitespace, url alphabet) and anything over the size bound is
// refused with the caller's code — checked against Buffer as the reference on seeded inputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { decodeBase64, encodeBase64 } from '../../src/gateway/base64.js';
import { Prng } from '../support/prng.js';

const decode = (text: string, maxBytes = 64): Uint8Array | 'refused' => {
  try {
    return decodeBase64(text, maxBytes, 'GATEWAY_BAD_REQUEST', 'field');
  } catch (error) {
    assert.ok(isCodedError(error, 'GATEWAY_BAD_REQUEST'), 'refusals are coded with the caller\'s name');
    return 'refused';
  }
};

test('canonical strings round trip; other spellings are refused', () => {
  assert.equal(decode(''), new Uint8Array(0));
  assert.equal(decode('AQID'), Uint8Array.of(1, 2, 3));
  assert.is(encodeBase64(Uint8Array.of(1, 2, 3)), 'AQID');
  for (const bad of ['AQ', 'AQ=', 'AR==', 'AQ==\n', ' AQ==', 'A-_=', 'AQ=A', '====', 'AQ===']) assert.is(decode(bad), 'refused', bad);
  assert.is(decode('A'.repeat(88), 64), 'refused', 'over the byte bound');
});

test('fuzz: agrees with Buffer on canonical input, refuses any string Buffer would not re-encode identically', () => {
  const seed = Number(process.env.FUZZ_SEED ?? 2024);
  const prng = new Prng(seed);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n*';
  for (let round = 0; round < 5_000; round++) {
    const bytes = new Uint8Array(prng.int(0, 40)).map(() => prng.int(0, 255));
    const text = prng.chance(0.5)
      ? Buffer.from(bytes).toString('base64')
      : Array.from({ length: prng.int(0, 60) }, () => alphabet[prng.int(0, alphabet.length - 1)]).join('');
    const result = decode(text);
    const canonical = Buffer.from(text, 'base64').toString('base64') === text;
    if (result === 'refused') assert.not.ok(canonical && Buffer.from(text, 'base64').length <= 64, `seed ${seed} round ${round}: refused canonical ${JSON.stringify(text)}`);
    else assert.is(Buffer.from(result).toString('base64'), text, `seed ${seed} round ${round}: ${JSON.stringify(text)}`);
  }
});

test.run();
