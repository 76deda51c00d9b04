// INVARIANT: one batch is in flight at a time; whatever is committed meanwhile goes out as the
// next batch; batches complete in order; a waiter is released only after its batch's sink
// resolved; a failure rejects every pending batch and stops the committer. The observer hears
// of each durable batch (with records) in order, as it settles, and of the failure once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GroupCommitter, type CommitBatch } from '../../../src/enclave/journal/group-commit.js';
import { ticks } from './helpers.js';

interface Flight {
  readonly batch: { tag: string; bytes: Buffer; firstSequence: number; lastSequence: number };
  readonly done: () => void;
  readonly fail: (error: Error) => void;
}

/** A sink that records each batch and completes it only when the test says so. */
function manualSink(): { flights: Flight[]; sink: (batch: CommitBatch<string>) => Promise<void> } {
  const flights: Flight[] = [];
  const sink = (batch: CommitBatch<string>): Promise<void> => new Promise((resolve, reject) => {
    flights.push({ batch: { tag: batch.tag, bytes: Buffer.from(batch.bytes), firstSequence: batch.firstSequence, lastSequence: batch.lastSequence }, done: resolve, fail: reject });
  });
  return { flights, sink };
}

function put(committer: GroupCommitter<string>, tag: string, byte: number, sequence?: number): Promise<void> {
  const space = committer.reserve(1, tag);
  space.buffer[space.offset] = byte;
  committer.commit(1, sequence);
  return committer.whenDurable();
}

test('appends made together travel together; those made during a flight form the next batch', async () => {
  const { flights, sink } = manualSink();
  const committer = new GroupCommitter(sink, { batchBytesMax: 64, pendingBytesMax: 256 });
  const released: number[] = [];
  for (let sequence = 1; sequence <= 3; sequence++) void put(committer, 'a', sequence, sequence).then(() => released.push(sequence));
  await ticks(2);
  assert.is(flights.length, 1);
  assert.equal(flights[0]!.batch, { tag: 'a', bytes: Buffer.from([1, 2, 3]), firstSequence: 1, lastSequence: 3 });
  for (let sequence = 4; sequence <= 6; sequence++) void put(committer, 'a', sequence, sequence).then(() => released.push(sequence));
  await ticks(2);
  assert.is(flights.length, 1, 'nothing else starts while a batch is in flight');
  assert.equal(released, []);
  assert.is(committer.pendingBytes, 6);
  flights[0]!.done();
  await ticks(2);
  assert.equal(released, [1, 2, 3]);
  assert.is(flights.length, 2);
  assert.equal(flights[1]!.batch.bytes, Buffer.from([4, 5, 6]));
  flights[1]!.done();
  await ticks(2);
  assert.equal(released, [1, 2, 3, 4, 5, 6]);
  assert.equal(committer.stats, { batches: 2, records: 6, bytes: 6 });
  assert.is(committer.pendingBytes, 0);
  await committer.whenDurable();
});

test('a full batch or a new tag starts a new batch; they still go out one at a time, in order', async () => {
  const { flights, sink } = manualSink();
  const committer = new GroupCommitter(sink, { batchBytesMax: 4, pendingBytesMax: 64 });
  for (let byte = 1; byte <= 6; byte++) void put(committer, 'a', byte);
  void put(committer, 'b', 7);
  const all = committer.whenDurable();
  await ticks(2);
  for (let index = 0; index < 3; index++) {
    assert.is(flights.length, index + 1);
    flights[index]!.done();
    await ticks(2);
  }
  await all;
  assert.equal(flights.map((flight) => [flight.batch.tag, [...flight.batch.bytes]]), [['a', [1, 2, 3, 4]], ['a', [5, 6]], ['b', [7]]]);
});

test('room is bounded by pendingBytesMax', () => {
  const committer = new GroupCommitter(manualSink().sink, { batchBytesMax: 4, pendingBytesMax: 8 });
  assert.ok(committer.hasRoomFor(8));
  for (let byte = 0; byte < 6; byte++) void put(committer, 'a', byte);
  assert.ok(committer.hasRoomFor(2));
  assert.not.ok(committer.hasRoomFor(3));
  assert.throws(() => committer.reserve(5, 'a'), /assertion/);
  assert.throws(() => new GroupCommitter(manualSink().sink, { batchBytesMax: 8, pendingBytesMax: 4 }), /assertion/);
});

test('a failed batch rejects it and everything after it, and the committer stops', async () => {
  const { flights, sink } = manualSink();
  const committer = new GroupCommitter(sink, { batchBytesMax: 64, pendingBytesMax: 256 });
  const first = put(committer, 'a', 1, 1);
  await ticks(2);
  const second = put(committer, 'a', 2, 2);
  flights[0]!.fail(new Error('disk gone'));
  const outcomes = await Promise.allSettled([first, second]);
  assert.equal(outcomes.map((outcome) => outcome.status), ['rejected', 'rejected']);
  assert.is(committer.failure?.message, 'disk gone');
  await committer.whenDurable().then(() => assert.unreachable('must reject'), (error: Error) => assert.is(error.message, 'disk gone'));
  assert.throws(() => committer.reserve(1, 'a'), /assertion/);
  assert.is(flights.length, 1, 'nothing is written after a failure');
});

test('the observer is told of each durable batch in order, and of a failure once', async () => {
  const { flights, sink } = manualSink();
  const heard: string[] = [];
  const committer = new GroupCommitter(sink, { batchBytesMax: 64, pendingBytesMax: 256 }, {
    durable: (batch) => heard.push(`${batch.firstSequence}-${batch.lastSequence}/${batch.records}`),
    failed: (error) => heard.push(`failed: ${error.message}`),
  });
  for (let sequence = 1; sequence <= 3; sequence++) void put(committer, 'a', sequence, sequence);
  void put(committer, 'a', 0);
  await ticks(2);
  for (let sequence = 4; sequence <= 5; sequence++) void put(committer, 'a', sequence, sequence);
  flights[0]!.done();
  await ticks(2);
  assert.equal(heard, ['1-3/3'], 'the header-only put adds no record; the second batch is still in flight');
  flights[1]!.done();
  await ticks(2);
  assert.equal(heard, ['1-3/3', '4-5/2']);
  void put(committer, 'a', 9, 6).catch(() => undefined);
  await ticks(2);
  flights[2]!.fail(new Error('disk gone'));
  await ticks(2);
  committer.fail(new Error('again'));
  assert.equal(heard, ['1-3/3', '4-5/2', 'failed: disk gone']);
});

test('non-consecutive sequences in one batch are a bug', () => {
  const committer = new GroupCommitter(manualSink().sink, { batchBytesMax: 64, pendingBytesMax: 256 });
  void put(committer, 'a', 1, 1);
  assert.throws(() => put(committer, 'a', 2, 3), /consecutive/);
});

test.run();
