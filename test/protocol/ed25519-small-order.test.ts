// The small-order check against noble's own list of the eight torsion points, in canonical
// and non-canonical encodings, and against ordinary keys.
import { ed25519, ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSmallOrderEd25519PublicKey } from '../../src/protocol/ed25519-small-order.js';
import { seededRandom } from './fuzz-support.js';

const FIELD_PRIME = 2n ** 255n - 19n;
const fromLittleEndian = (bytes: Uint8Array): bigint => bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
const toLittleEndian = (value: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));

test('every torsion point is refused, with either sign bit', () => {
  assert.is(ED25519_TORSION_SUBGROUP.length, 8);
  for (const hex of ED25519_TORSION_SUBGROUP) {
    const encoded = Uint8Array.from(Buffer.from(hex, 'hex'));
    assert.ok(isSmallOrderEd25519PublicKey(encoded), hex);
    const flipped = encoded.slice();
    flipped[31] = flipped[31]! ^ 0x80;
    assert.ok(isSmallOrderEd25519PublicKey(flipped), `${hex} with the sign bit flipped`);
    assert.ok(ed25519.Point.fromHex(encoded).isSmallOrder(), 'noble agrees it is small-order');
  }
});

test('non-canonical encodings (y + p) of torsion points are refused too', () => {
  for (const y of [0n, 1n]) {
    const encoded = toLittleEndian(y + FIELD_PRIME);
    assert.ok(fromLittleEndian(encoded) < 2n ** 255n);
    assert.ok(isSmallOrderEd25519PublicKey(encoded));
  }
});

test('ordinary public keys pass', () => {
  const random = seededRandom(11);
  for (let i = 0; i < 300; i++) assert.not.ok(isSmallOrderEd25519PublicKey(ed25519.getPublicKey(random.bytes(32))));
});

test('a key of the wrong length is a bug, not a verdict', () => {
  assert.throws(() => isSmallOrderEd25519PublicKey(new Uint8Array(31)));
});

test.run();
