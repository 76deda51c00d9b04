// The host-visible frame header: exact layout, nonce layout, and a seeded fuzz of the header
// decoder against a reference model of which headers are well-formed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENCLAVE_CHANNEL_FAULTS } from '../../src/enclave/channel/faults.js';
import { bytesEqual } from '../../src/protocol/bytes.js';
import { DIRECTION, FRAME_HEADER_BYTES, MAX_FRAME_BYTES, type Direction } from '../../src/protocol/channel-wire.js';
import { decodeFrameHeader, encodeFrameHeader, frameByteLength, frameNonce } from '../../src/protocol/frame-header.js';
import { EDGE_U32, expectCodedRejection, fuzzSeed, mutate, runFuzz, seededRandom, type Random } from './fuzz-support.js';

const FAULTS = ENCLAVE_CHANNEL_FAULTS;
const HEADER_FIELD_OFFSETS = [0, 1, 2, 17, 18, 19, 22, 23, 26, 27, 30];

function sampleHeader(random: Random): Uint8Array {
  const bytes = new Uint8Array(FRAME_HEADER_BYTES);
  encodeFrameHeader(bytes, {
    version: 1, sessionId: random.bytes(16), direction: random.pick([DIRECTION.clientToServer, DIRECTION.serverToClient]),
    epoch: random.pick(EDGE_U32), counter: random.pick(EDGE_U32), bodyLength: random.pick([1040, 4112, 16400]),
  });
  return bytes;
}

test('header layout round-trips at the documented offsets', () => {
  const sessionId = seededRandom(5).bytes(16);
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + 5);
  encodeFrameHeader(bytes, { version: 1, sessionId, direction: DIRECTION.serverToClient, epoch: 0x01020304, counter: 0x05060708, bodyLength: 4112 });
  assert.equal([...bytes.subarray(0, 2)], [1, 3]);
  assert.ok(bytesEqual(bytes.subarray(2, 18), sessionId));
  assert.equal([...bytes.subarray(18, 31)], [2, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0x10, 0x10]);
  const header = decodeFrameHeader(bytes, FAULTS);
  assert.equal({ ...header, sessionId: [...header.sessionId] }, { version: 1, sessionId: [...sessionId], direction: 2, epoch: 0x01020304, counter: 0x05060708, bodyLength: 4112 });
  assert.is(frameByteLength(header), FRAME_HEADER_BYTES + 4112);
  assert.is(MAX_FRAME_BYTES, 16431);
});

test('nonce = direction || 000000 || epoch || counter, unique across directions, epochs and counters', () => {
  assert.equal([...frameNonce(DIRECTION.clientToServer, 0x0a0b0c0d, 7)], [1, 0, 0, 0, 0x0a, 0x0b, 0x0c, 0x0d, 0, 0, 0, 7]);
  const seen = new Set<string>();
  for (const direction of [DIRECTION.clientToServer, DIRECTION.serverToClient] as Direction[]) {
    for (const epoch of [0, 1, 2 ** 32 - 1]) for (const counter of [0, 1, 2 ** 24 - 1]) seen.add(Buffer.from(frameNonce(direction, epoch, counter)).toString('hex'));
  }
  assert.is(seen.size, 18);
});

test('each structural fault has its own code', () => {
  const good = sampleHeader(seededRandom(6));
  const with_ = (offset: number, value: number): Uint8Array => { const b = good.slice(); b[offset] = value; return b; };
  const name = (bytes: Uint8Array): string => expectCodedRejection(() => decodeFrameHeader(bytes, FAULTS), 2100, 2199).errorName;
  assert.is(name(good.subarray(0, 30)), 'CHANNEL_FRAME_TRUNCATED');
  assert.is(name(with_(0, 2)), 'CHANNEL_UNSUPPORTED_VERSION');
  assert.is(name(with_(1, 1)), 'CHANNEL_UNEXPECTED_KIND');
  assert.is(name(with_(18, 0)), 'CHANNEL_FRAME_BAD_HEADER');
  assert.is(name(with_(30, 0x11)), 'CHANNEL_FRAME_BAD_LENGTH');
});

/** The reference for a header decode. */
function expectedFault(bytes: Uint8Array): string | undefined {
  if (bytes.length < FRAME_HEADER_BYTES) return 'CHANNEL_FRAME_TRUNCATED';
  if (bytes[0] !== 1) return 'CHANNEL_UNSUPPORTED_VERSION';
  if (bytes[1] !== 3) return 'CHANNEL_UNEXPECTED_KIND';
  if (bytes[18] !== 1 && bytes[18] !== 2) return 'CHANNEL_FRAME_BAD_HEADER';
  if (![1040, 4112, 16400].includes(Buffer.from(bytes).readUInt32BE(27))) return 'CHANNEL_FRAME_BAD_LENGTH';
  return undefined;
}

test('fuzz: the header decoder agrees with the reference on 20,000 mutated headers', () => {
  const seed = fuzzSeed(0xf4a3e);
  let rejected = 0;
  runFuzz('frame header', seed, 20_000, (random) => {
    const input = mutate(sampleHeader(random), random, HEADER_FIELD_OFFSETS);
    return {
      input,
      check: () => {
        const expected = expectedFault(input);
        if (expected === undefined) {
          const header = decodeFrameHeader(input, FAULTS);
          assert.is(header.epoch, Buffer.from(input).readUInt32BE(19));
          return;
        }
        assert.is(expectCodedRejection(() => decodeFrameHeader(input, FAULTS), 2100, 2199).errorName, expected);
        rejected += 1;
      },
    };
  });
  assert.ok(rejected > 10_000, `most mutations are malformed (${rejected})`);
});

test.run();
