// INVARIANT: the segment parsers classify every input (complete, incomplete, malformed)
// without throwing, and a complete frame's offsets always lie inside the bytes given.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JOURNAL_LIMITS } from '../../../src/enclave/journal/limits.js';
import {
  FRAME_CIPHERTEXT_AT,
  FRAME_OVERHEAD_BYTES,
  MAC_BYTES,
  SEGMENT_HEADER_BODY_BYTES,
  SEGMENT_HEADER_BYTES,
  TAG_BYTES,
  allZero,
  encodeSegmentHeaderBody,
  frameBytesFor,
  parseFrame,
  parseSegmentHeader,
  readUint64,
  writeFramePrefix,
  writeUint64,
} from '../../../src/enclave/journal/segment-format.js';
import { prng } from './helpers.js';

const MAX = JOURNAL_LIMITS.recordBytesMax;
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 7103);

test('u64 fields round-trip at the edges and refuse unsafe values', () => {
  const buffer = new Uint8Array(8);
  for (const value of [0, 1, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER]) {
    writeUint64(buffer, 0, value);
    assert.is(readUint64(buffer, 0), value);
  }
  buffer.fill(0xff);
  assert.is(readUint64(buffer, 0), -1);
  assert.throws(() => writeUint64(buffer, 0, -1));
  assert.throws(() => writeUint64(buffer, 0, 1.5));
});

test('segment header round-trips; bad magic, short input and zero base are rejected', () => {
  const fields = { salt: new Uint8Array(16).fill(1), baseSequence: 42, prevMac: new Uint8Array(32).fill(2), keyCheck: new Uint8Array(16).fill(3) };
  const body = encodeSegmentHeaderBody(fields);
  assert.is(body.length, SEGMENT_HEADER_BODY_BYTES);
  const header = Buffer.concat([body, Buffer.alloc(MAC_BYTES, 9)]);
  const parsed = parseSegmentHeader(header);
  assert.ok(parsed.ok);
  if (parsed.ok) {
    assert.is(parsed.fields.baseSequence, 42);
    assert.equal(Buffer.from(parsed.fields.prevMac), Buffer.alloc(32, 2));
    assert.equal(Buffer.from(parsed.headerMac), Buffer.alloc(32, 9));
  }
  assert.not.ok(parseSegmentHeader(header.subarray(0, SEGMENT_HEADER_BYTES - 1)).ok);
  const badMagic = Buffer.from(header);
  badMagic[0] = 0x58;
  assert.not.ok(parseSegmentHeader(badMagic).ok);
  const zeroBase = Buffer.from(header);
  writeUint64(zeroBase, 24, 0);
  assert.not.ok(parseSegmentHeader(zeroBase).ok);
  assert.throws(() => encodeSegmentHeaderBody({ ...fields, salt: new Uint8Array(15) }));
});

test('a frame parses to its parts; cut short it is incomplete; bad lengths are malformed', () => {
  const payloadBytes = 10;
  const frame = new Uint8Array(frameBytesFor(payloadBytes));
  writeFramePrefix(frame, 0, 7, payloadBytes);
  const parsed = parseFrame(frame, 0, frame.length, MAX);
  assert.equal(parsed, {
    status: 'complete',
    sequence: 7,
    ciphertextAt: FRAME_CIPHERTEXT_AT,
    tagAt: FRAME_CIPHERTEXT_AT + payloadBytes,
    macAt: FRAME_CIPHERTEXT_AT + payloadBytes + TAG_BYTES,
    end: frame.length,
  });
  assert.equal(parseFrame(frame, 0, frame.length - 1, MAX), { status: 'incomplete', needBytes: frame.length });
  assert.equal(parseFrame(frame, 0, 3, MAX), { status: 'incomplete', needBytes: 4 });
  const short = new Uint8Array(100);
  new DataView(short.buffer).setUint32(0, FRAME_OVERHEAD_BYTES - 5);
  assert.is(parseFrame(short, 0, short.length, MAX).status, 'malformed');
  const long = new Uint8Array(8);
  new DataView(long.buffer).setUint32(0, frameBytesFor(MAX));
  assert.is(parseFrame(long, 0, long.length, MAX).status, 'malformed', 'too long is malformed even when cut short');
});

test('allZero looks only at its range', () => {
  const bytes = new Uint8Array([0, 0, 1, 0]);
  assert.ok(allZero(bytes, 0, 2));
  assert.not.ok(allZero(bytes, 0, 3));
  assert.ok(allZero(bytes, 3, 4));
});

test(`fuzz: parsers never throw and complete frames stay in bounds (seed ${FUZZ_SEED})`, () => {
  const random = prng(FUZZ_SEED);
  const edgeLengths = [0, 1, FRAME_OVERHEAD_BYTES - 5, FRAME_OVERHEAD_BYTES - 4, FRAME_OVERHEAD_BYTES, frameBytesFor(MAX) - 4, frameBytesFor(MAX) - 3, 0xffff_ffff];
  for (let round = 0; round < 3000; round++) {
    const size = random.int(4) === 0 ? random.int(12) : random.int(400);
    const bytes = random.bytes(size);
    if (size >= 4 && random.int(2) === 0) {
      const edge = edgeLengths[random.int(edgeLengths.length)]!;
      new DataView(bytes.buffer).setUint32(0, random.int(2) === 0 ? edge : random.int(size + 8));
    }
    const recordBytesMax = random.int(3) === 0 ? random.int(64) : MAX;
    const parsed = parseFrame(bytes, 0, size, recordBytesMax);
    if (parsed.status === 'complete') {
      const context = `seed ${FUZZ_SEED} round ${round}`;
      assert.ok(parsed.end <= size && parsed.end >= FRAME_OVERHEAD_BYTES, context);
      assert.ok(parsed.ciphertextAt <= parsed.tagAt && parsed.tagAt + TAG_BYTES === parsed.macAt && parsed.macAt + MAC_BYTES === parsed.end, context);
      assert.ok(parsed.end <= frameBytesFor(recordBytesMax), context);
    }
    const header = parseSegmentHeader(bytes);
    if (header.ok) assert.ok(size >= SEGMENT_HEADER_BYTES && header.fields.baseSequence >= 1);
  }
});

test.run();
