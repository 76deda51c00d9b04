// The wire byte helpers: big-endian u32s at the edges, copies that never alias a Buffer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { asciiBytes, bytesEqual, concatBytes, copyBytes, isAllZero, readU32, u32Bytes, writeU32, zeroize } from '../../src/protocol/bytes.js';
import { EDGE_U32, seededRandom } from './fuzz-support.js';

test('u32 round-trips big-endian at every edge value', () => {
  const random = seededRandom(7);
  for (const value of [...EDGE_U32, ...Array.from({ length: 1000 }, () => random.u32())]) {
    const bytes = u32Bytes(value);
    assert.is(readU32(bytes, 0), value);
    assert.is(Buffer.from(bytes).readUInt32BE(0), value, 'agrees with node');
  }
  const target = new Uint8Array(6);
  writeU32(target, 1, 0x01020304);
  assert.equal([...target], [0, 1, 2, 3, 4, 0]);
});

test('concatBytes and bytesEqual', () => {
  assert.equal([...concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))], [1, 2, 3]);
  assert.ok(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)));
  assert.not.ok(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)));
  assert.not.ok(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 0)));
});

test('copyBytes copies even a node Buffer, whose slice would alias', () => {
  const source = Buffer.from([1, 2, 3, 4]);
  const copy = copyBytes(source, 1, 3);
  source.fill(9);
  assert.equal([...copy], [2, 3]);
  assert.is(Object.getPrototypeOf(copy), Uint8Array.prototype);
});

test('zeroize wipes, isAllZero sees it', () => {
  const secret = Uint8Array.of(5, 6, 7);
  assert.not.ok(isAllZero(secret));
  zeroize(secret, undefined);
  assert.ok(isAllZero(secret));
});

test('asciiBytes refuses non-ASCII labels', () => {
  assert.equal([...asciiBytes('Az')], [65, 122]);
  assert.throws(() => asciiBytes('é'));
});

test.run();
