// The gateway's size checks: exact hello length, frame limit, header-declared length; a
// seeded fuzzer shows they only ever accept well-formed sizes and only ever throw coded
// gateway errors; size classes cover the protocol's message lengths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { checkClientFrame, checkClientHello, sizeClass } from '../../src/gateway/wire-checks.js';
import { MAX_FRAME_BYTES, PADDING_BUCKETS_BYTES } from '../../src/protocol/channel-wire.js';
import { CLIENT_HELLO_BYTES, SERVER_HELLO_BYTES } from '../../src/protocol/hello.js';
import { Prng } from '../support/prng.js';

function validFrame(bucket: number, direction = 1): Uint8Array {
  const frame = new Uint8Array(31 + bucket + 16);
  frame[0] = 1;
  frame[1] = 3;
  frame[18] = direction;
  new DataView(frame.buffer).setUint32(27, bucket + 16);
  return frame;
}

function codeOf(run: () => void): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!isCodedError(error)) throw error;
    return error.errorName;
  }
}

test('hello: exactly the ClientHello length', () => {
  assert.is(codeOf(() => checkClientHello(new Uint8Array(CLIENT_HELLO_BYTES))), 'ok');
  assert.is(codeOf(() => checkClientHello(new Uint8Array(CLIENT_HELLO_BYTES + 1))), 'GATEWAY_BAD_HELLO');
  assert.is(codeOf(() => checkClientHello(new Uint8Array(0))), 'GATEWAY_BAD_HELLO');
});

test('frames: every bucket passes; over the limit, short, long or bad header is refused', () => {
  for (const bucket of PADDING_BUCKETS_BYTES) assert.is(codeOf(() => checkClientFrame(validFrame(bucket), MAX_FRAME_BYTES)), 'ok');
  assert.is(codeOf(() => checkClientFrame(validFrame(16384), 4_200)), 'GATEWAY_FRAME_TOO_LARGE');
  assert.is(codeOf(() => checkClientFrame(new Uint8Array(MAX_FRAME_BYTES + 1), MAX_FRAME_BYTES)), 'GATEWAY_FRAME_TOO_LARGE');
  const frame = validFrame(1024);
  assert.is(codeOf(() => checkClientFrame(frame.subarray(0, 1070), MAX_FRAME_BYTES)), 'GATEWAY_BAD_FRAME');
  const longer = new Uint8Array(1072);
  longer.set(frame);
  assert.is(codeOf(() => checkClientFrame(longer, MAX_FRAME_BYTES)), 'GATEWAY_BAD_FRAME');
  assert.is(codeOf(() => checkClientFrame(frame.subarray(0, 30), MAX_FRAME_BYTES)), 'GATEWAY_BAD_FRAME');
  assert.is(codeOf(() => checkClientFrame(validFrame(1024, 9), MAX_FRAME_BYTES)), 'GATEWAY_BAD_FRAME');
  const badLength = validFrame(1024);
  new DataView(badLength.buffer).setUint32(27, 1041);
  assert.is(codeOf(() => checkClientFrame(badLength, MAX_FRAME_BYTES)), 'GATEWAY_BAD_FRAME');
});

test('fuzz: random and mutated messages are accepted only when well-sized, and refused only with gateway codes', () => {
  const seed = Number(process.env.FUZZ_SEED ?? 1711);
  const prng = new Prng(seed);
  const allowed = new Set(['ok', 'GATEWAY_BAD_FRAME', 'GATEWAY_FRAME_TOO_LARGE']);
  for (let round = 0; round < 5_000; round++) {
    const base = validFrame(prng.pick(PADDING_BUCKETS_BYTES), prng.int(0, 3));
    let bytes: Uint8Array = base;
    const mutation = prng.int(0, 3);
    if (mutation === 0) bytes = base.subarray(0, prng.int(0, base.length));
    if (mutation === 1) for (let flips = prng.int(1, 4); flips > 0; flips--) base[prng.int(0, 30)] = prng.int(0, 255);
    if (mutation === 2) bytes = new Uint8Array(prng.int(0, MAX_FRAME_BYTES + 64)).map(() => prng.int(0, 255));
    const outcome = codeOf(() => checkClientFrame(bytes, MAX_FRAME_BYTES));
    assert.ok(allowed.has(outcome), `seed ${seed} round ${round}: ${outcome}`);
    if (outcome === 'ok') {
      const declared = new DataView(bytes.buffer, bytes.byteOffset).getUint32(27);
      assert.is(bytes.length, 31 + declared, `seed ${seed} round ${round}: accepted only at its declared length`);
      assert.ok(PADDING_BUCKETS_BYTES.includes(declared - 16), `seed ${seed} round ${round}: a bucket`);
    }
  }
});

test('size classes name the protocol\'s lengths and nothing else', () => {
  assert.is(sizeClass(CLIENT_HELLO_BYTES), 'client_hello');
  assert.is(sizeClass(SERVER_HELLO_BYTES), 'server_hello');
  assert.is(sizeClass(1071), 'frame_1024');
  assert.is(sizeClass(4143), 'frame_4096');
  assert.is(sizeClass(16431), 'frame_16384');
  assert.is(sizeClass(1070), 'other');
});

test.run();
