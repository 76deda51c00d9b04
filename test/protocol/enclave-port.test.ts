// The port's frame batches: what one side queues in a turn arrives as one message, frame for
// frame and in order; a batch is cut at its byte limit; a control message never overtakes the
// frames queued before it; and a malformed batch (seeded fuzz) is reported, never a crash,
// with every frame it yields lying inside the received bytes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bytesEqual } from '../../src/protocol/bytes.js';
import { FrameBatchWriter, FramePortOutbox, PORT_LIMITS, readFrameBatch, type FrameBatchMessage } from '../../src/protocol/enclave-port.js';
import { fuzzSeed, mutate, runFuzz, seededRandom, type Random } from './fuzz-support.js';

type Control = { readonly type: 'close'; readonly connectionId: number };
type Posted = Control | FrameBatchMessage;

function frames(random: Random, count: number): [number, Uint8Array][] {
  return Array.from({ length: count }, () => [random.below(2 ** 32), random.bytes(random.pick([0, 1, 31, 1071, 4143, random.below(20_000)]))]);
}

function read(message: FrameBatchMessage): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  assert.ok(readFrameBatch(message, (connectionId, frame) => out.push([connectionId, frame.slice()])), 'a batch from the writer is well formed');
  return out;
}

function sameFrames(actual: [number, Uint8Array][], expected: [number, Uint8Array][]): void {
  assert.is(actual.length, expected.length);
  actual.forEach(([connectionId, frame], index) => {
    assert.is(connectionId, expected[index]![0], `connection of frame ${index}`);
    assert.ok(bytesEqual(frame, expected[index]![1]), `bytes of frame ${index}`);
  });
}

/** An outbox whose scheduled flushes run when the test says, posting into a list. */
function manualOutbox(): { outbox: FramePortOutbox<Control>; posted: Posted[]; transferred: ArrayBuffer[][]; runScheduled: () => void } {
  const posted: Posted[] = [];
  const transferred: ArrayBuffer[][] = [];
  const scheduled: (() => void)[] = [];
  const outbox = new FramePortOutbox<Control>((message, transfer) => { posted.push(message); transferred.push(transfer); }, (flush) => scheduled.push(flush));
  return { outbox, posted, transferred, runScheduled: () => { for (const flush of scheduled.splice(0)) flush(); } };
}

test('frames queued in one turn travel as one transferred batch, byte for byte and in order', () => {
  const random = seededRandom(11);
  const { outbox, posted, transferred, runScheduled } = manualOutbox();
  const sent = frames(random, 40);
  for (const [connectionId, frame] of sent) outbox.sendFrame(connectionId, frame);
  assert.is(posted.length, 0, 'nothing leaves before the turn ends');
  runScheduled();
  assert.is(posted.length, 1);
  const batch = posted[0] as FrameBatchMessage;
  assert.equal(transferred[0], [batch.bytes]);
  sameFrames(read(batch), sent);
  assert.equal(outbox.stats, { batches: 1, frames: 40 });
  runScheduled();
  assert.is(posted.length, 1, 'an empty turn posts nothing');
});

test('the caller\'s bytes are copied at once', () => {
  const { outbox, posted, runScheduled } = manualOutbox();
  const frame = Uint8Array.of(1, 2, 3);
  outbox.sendFrame(7, frame);
  frame.fill(9);
  runScheduled();
  sameFrames(read(posted[0] as FrameBatchMessage), [[7, Uint8Array.of(1, 2, 3)]]);
});

test('a control message goes out after the frames queued before it', () => {
  const { outbox, posted, runScheduled } = manualOutbox();
  outbox.sendFrame(1, Uint8Array.of(1));
  outbox.sendFrame(2, Uint8Array.of(2));
  outbox.send({ type: 'close', connectionId: 1 });
  outbox.sendFrame(3, Uint8Array.of(3));
  runScheduled();
  assert.equal(posted.map((message) => message.type), ['frames', 'close', 'frames']);
  sameFrames(read(posted[0] as FrameBatchMessage), [[1, Uint8Array.of(1)], [2, Uint8Array.of(2)]]);
  sameFrames(read(posted[2] as FrameBatchMessage), [[3, Uint8Array.of(3)]]);
});

test('a batch is posted early at its byte limit; no batch exceeds it', () => {
  const random = seededRandom(12);
  const { outbox, posted, runScheduled } = manualOutbox();
  const sent: [number, Uint8Array][] = Array.from({ length: 200 }, (_, index) => [index, random.bytes(PORT_LIMITS.frameBytesMax - random.below(100))]);
  for (const [connectionId, frame] of sent) outbox.sendFrame(connectionId, frame);
  runScheduled();
  assert.ok(posted.length >= 13, `${posted.length} batches`);
  for (const message of posted) assert.ok((message as FrameBatchMessage).byteLength <= PORT_LIMITS.batchBytesMax);
  sameFrames(posted.flatMap((message) => read(message as FrameBatchMessage)), sent);
});

test('the writer refuses what the port cannot carry', () => {
  const writer = new FrameBatchWriter();
  assert.throws(() => writer.add(0, new Uint8Array(PORT_LIMITS.frameBytesMax + 1)), RangeError);
  assert.throws(() => writer.add(-1, new Uint8Array(1)), RangeError);
  assert.throws(() => writer.add(2 ** 32, new Uint8Array(1)), RangeError);
  assert.is(writer.take(), undefined, 'nothing was queued');
});

test(`fuzz: a mutated batch is reported as malformed or yields frames inside it, never a crash (seed ${fuzzSeed(0xba7c)})`, () => {
  const seed = fuzzSeed(0xba7c);
  const random = seededRandom(seed);
  const writer = new FrameBatchWriter();
  for (const [connectionId, frame] of frames(random, 6)) writer.add(connectionId, frame.subarray(0, 300));
  const genuine = writer.take()!;
  const bytes = new Uint8Array(genuine.bytes, 0, genuine.byteLength).slice();
  let malformed = 0;
  runFuzz('frame batches', seed, 5_000, (fuzzRandom) => {
    const input = mutate(bytes, fuzzRandom, [0, 4, 8, 12]);
    return {
      input,
      check: () => {
        const copy = input.slice();
        let total = 0;
        const whole = readFrameBatch({ type: 'frames', bytes: copy.buffer, byteLength: copy.length }, (_connectionId, frame) => {
          assert.ok(frame.byteOffset + frame.length <= copy.length && frame.length <= PORT_LIMITS.frameBytesMax);
          total += 8 + frame.length;
        });
        if (whole) assert.is(total, copy.length, 'a whole batch is exactly its records');
        else malformed += 1;
      },
    };
  });
  assert.ok(malformed > 0, 'some mutations were malformed');
  assert.not.ok(readFrameBatch({ type: 'frames', bytes: new ArrayBuffer(4), byteLength: 8 }, () => undefined), 'byteLength past the buffer');
  assert.not.ok(readFrameBatch({ type: 'frames', bytes: 'x' as unknown as ArrayBuffer, byteLength: 0 }, () => undefined), 'not an ArrayBuffer');
});

test.run();
