// The k6 bundles' UTF-8 codecs must agree with the platform's WHATWG codecs byte for byte
// and character for character, in fatal and in replacement mode: seeded fuzzing with
// edge-biased bytes (continuation bytes, overlong leads, surrogate encodings, truncations).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installTextCodecs, Utf8TextDecoder, Utf8TextEncoder } from '../../../../load-tests/k6/src/text-codec.js';
import { Prng } from '../../../support/prng.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const CASES = 20_000;
const EDGE_BYTES = [0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f, 0xef, 0xbb];
const EDGE_UNITS = [0x0, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfeff, 0xfffd, 0xffff];

function randomBytes(prng: Prng): Uint8Array {
  const bytes = new Uint8Array(prng.int(0, 12));
  for (let index = 0; index < bytes.length; index++) bytes[index] = prng.next() < 0.6 ? EDGE_BYTES[prng.int(0, EDGE_BYTES.length - 1)]! : prng.int(0, 255);
  return bytes;
}

function randomText(prng: Prng): string {
  let text = '';
  const length = prng.int(0, 10);
  for (let index = 0; index < length; index++) text += String.fromCharCode(prng.next() < 0.5 ? EDGE_UNITS[prng.int(0, EDGE_UNITS.length - 1)]! : prng.int(0, 0xffff));
  return text;
}

function decodeOrError(decoder: { decode(bytes: Uint8Array): string }, bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    return `<${(error as Error).name}>`;
  }
}

test('decoding agrees with the platform TextDecoder in fatal and replacement modes, with and without ignoreBOM', () => {
  const prng = new Prng(SEED);
  for (const options of [{ fatal: true }, { fatal: false }, { fatal: true, ignoreBOM: true }, { fatal: false, ignoreBOM: true }]) {
    const ours = new Utf8TextDecoder('utf-8', options);
    const platform = new TextDecoder('utf-8', options);
    for (let index = 0; index < CASES; index++) {
      const bytes = randomBytes(prng);
      assert.is(decodeOrError(ours, bytes), decodeOrError(platform, bytes), `seed ${SEED}, options ${JSON.stringify(options)}, bytes ${Buffer.from(bytes).toString('hex')}`);
    }
  }
});

test('encode and encodeInto agree with the platform TextEncoder, lone surrogates included', () => {
  const prng = new Prng(SEED + 1);
  const ours = new Utf8TextEncoder();
  const platform = new TextEncoder();
  for (let index = 0; index < CASES; index++) {
    const text = randomText(prng);
    assert.equal(ours.encode(text), platform.encode(text), `seed ${SEED + 1}, text ${JSON.stringify(text)}`);
    const room = prng.int(0, 16);
    const mine = new Uint8Array(room);
    const theirs = new Uint8Array(room);
    assert.equal(ours.encodeInto(text, mine), platform.encodeInto(text, theirs), `encodeInto counts, seed ${SEED + 1}, text ${JSON.stringify(text)}, room ${room}`);
    assert.equal(mine, theirs);
  }
});

test('a long text round-trips and the decoder refuses labels other than UTF-8', () => {
  const text = 'ordre €5 — 注文 🚀 '.repeat(2_000);
  assert.is(new Utf8TextDecoder().decode(new Utf8TextEncoder().encode(text)), text);
  assert.throws(() => new Utf8TextDecoder('latin1'), RangeError);
});

test('installTextCodecs fills only what is missing', () => {
  const bare: Record<string, unknown> = {};
  installTextCodecs(bare);
  assert.is(bare.TextEncoder, Utf8TextEncoder);
  assert.is(bare.TextDecoder, Utf8TextDecoder);
  const native: Record<string, unknown> = { TextEncoder, TextDecoder };
  installTextCodecs(native);
  assert.is(native.TextEncoder, TextEncoder);
  assert.is(native.TextDecoder, TextDecoder);
});

test.run();
