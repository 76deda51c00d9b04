// INVARIANT: the sequencer stamps consecutive sequences and never-decreasing logical time
// (across restarts too), acknowledges only durable commands while the next group fills, and
// recovery (latest snapshot + journal replay) rebuilds exactly the state from before.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { FileJournal } from '../../src/enclave/journal/file-journal.js';
import { JOURNAL_LIMITS } from '../../src/enclave/journal/limits.js';
import { SnapshotStore } from '../../src/enclave/journal/snapshot-store.js';
import { COMMAND_BYTES_MAX, Sequencer, decodeStampedRecord, encodeStampedRecord, type Clock, type Recovery } from '../../src/enclave/sequencer.js';
import { InstrumentedStorage, codedFailure, payloadFor, prng, testKey, ticks, withTempDir } from './journal/helpers.js';

const KEY = testKey(21);
const SEED = 4242;
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 313);

interface Setup {
  readonly clock?: Clock;
  readonly storage?: InstrumentedStorage;
  readonly segmentBytesMax?: number;
  readonly pruneJournal?: boolean;
}

async function recover(dir: string, setup: Setup = {}): Promise<Recovery> {
  const snapshots = await SnapshotStore.open({ directory: join(dir, 'snapshots'), sealingKey: KEY });
  return Sequencer.recover({
    snapshots,
    clock: setup.clock ?? (() => 1_000n),
    pruneJournal: setup.pruneJournal,
    openJournal: (anchor) => FileJournal.open({ directory: join(dir, 'journal'), sealingKey: KEY, anchor, storage: setup.storage, segmentBytesMax: setup.segmentBytesMax }),
  });
}

async function ready(dir: string, setup: Setup = {}): Promise<Recovery> {
  const recovery = await recover(dir, setup);
  for await (const stamped of recovery.replay()) assert.ok(stamped.sequence > 0);
  return recovery;
}

function scriptedClock(readings: bigint[]): Clock {
  let index = 0;
  return () => readings[Math.min(index++, readings.length - 1)]!;
}

/** A stand-in for the matcher's state: a hash chained over every command applied. */
function applyCommand(state: Buffer, command: Uint8Array): Buffer {
  return createHash('sha256').update(state).update(command).digest();
}

test('stamps consecutive sequences and logical time that never goes backwards', async () => {
  await withTempDir(async (dir) => {
    const { sequencer } = await ready(dir, { clock: scriptedClock([100n, 90n, 110n, 105n, 105n, 200n]) });
    const stamped = [];
    for (let index = 0; index < 6; index++) stamped.push(sequencer.accept(payloadFor(index, SEED)).stamped);
    assert.equal(stamped.map((entry) => entry.sequence), [1, 2, 3, 4, 5, 6]);
    assert.equal(stamped.map((entry) => entry.logicalTimeNs), [100n, 100n, 110n, 110n, 110n, 200n]);
    await sequencer.close();
  });
});

test('acks wait for fdatasync; while one group is synced the next one fills', async () => {
  await withTempDir(async (dir) => {
    const storage = new InstrumentedStorage();
    const { sequencer } = await ready(dir, { storage });
    storage.hold();
    let acked = 0;
    const first = sequencer.accept(payloadFor(1, SEED));
    assert.is(first.stamped.sequence, 1, 'stamped at once');
    void first.durable.then(() => { acked += 1; });
    await ticks(10);
    const rest = Array.from({ length: 499 }, (_, index) => sequencer.accept(payloadFor(index + 2, SEED)));
    assert.is(rest.at(-1)!.stamped.sequence, 500);
    for (const accepted of rest) void accepted.durable.then(() => { acked += 1; });
    await ticks(10);
    assert.is(acked, 0, 'nothing acknowledged while fdatasync is held');
    assert.is(sequencer.durableSequence, 0);
    storage.release();
    await Promise.all(rest.map((accepted) => accepted.durable));
    assert.is(acked, 500);
    assert.is(sequencer.durableSequence, 500);
    assert.ok(storage.datasyncs <= 3, `${storage.datasyncs} fdatasyncs for 500 commands`);
    const durable = await rest[10]!.durable;
    assert.is(durable, rest[10]!.stamped);
    await sequencer.close();
  });
});

test('stamp + watch: the hot path gets no promise per command and hears durability per group', async () => {
  await withTempDir(async (dir) => {
    const storage = new InstrumentedStorage();
    const { sequencer } = await ready(dir, { storage, clock: scriptedClock([50n, 40n, 60n]) });
    const heard: number[] = [];
    sequencer.watch({ durable: (sequence) => heard.push(sequence), failed: (error) => { throw error; } });
    storage.hold();
    const stamped = Array.from({ length: 300 }, (_, index) => sequencer.stamp(payloadFor(index + 1, SEED)));
    assert.equal(stamped.slice(0, 3).map((entry) => [entry.sequence, entry.logicalTimeNs]), [[1, 50n], [2, 50n], [3, 60n]]);
    await ticks(10);
    assert.equal(heard, [], 'nothing is durable while fdatasync is held');
    storage.release();
    await sequencer.close();
    assert.is(heard.at(-1), 300);
    assert.is(heard.length, storage.datasyncs);
    assert.is(sequencer.journalStats.records, 300);
    assert.is(sequencer.journalStats.batches, storage.datasyncs);
  });
});

test('accepting before replay has been read to its end is a bug', async () => {
  await withTempDir(async (dir) => {
    const recovery = await recover(dir);
    assert.throws(() => recovery.sequencer.accept(new Uint8Array(1)), /replay/);
    for await (const stamped of recovery.replay()) assert.unreachable(`nothing to replay, got ${stamped.sequence}`);
    assert.is(recovery.sequencer.accept(new Uint8Array(1)).stamped.sequence, 1);
    await recovery.sequencer.close();
  });
});

test('recovery: latest snapshot plus replay rebuilds the state; numbering and time continue', async () => {
  await withTempDir(async (dir) => {
    let now = 5_000n;
    const clock: Clock = () => (now += 10n);
    const { sequencer } = await ready(dir, { clock });
    let state: Buffer = Buffer.alloc(32);
    let lastTime = 0n;
    for (let sequence = 1; sequence <= 100; sequence++) {
      const accepted = sequencer.accept(payloadFor(sequence, SEED));
      state = applyCommand(state, accepted.stamped.command);
      lastTime = accepted.stamped.logicalTimeNs;
      if (sequence === 30 || sequence === 60) {
        await sequencer.saveSnapshot({ sequence, stateHash: createHash('sha256').update(state).digest(), state });
      }
    }
    const before = state;
    await sequencer.close();

    const recovery = await recover(dir, { clock: () => 0n });
    assert.is(recovery.snapshot?.sequence, 60);
    assert.equal(recovery.rejectedSnapshots, []);
    let rebuilt: Buffer = Buffer.from(recovery.snapshot!.state);
    assert.equal(Buffer.from(recovery.snapshot!.stateHash), createHash('sha256').update(rebuilt).digest());
    const replayed = [];
    for await (const stamped of recovery.replay()) {
      assert.equal(Buffer.from(stamped.command), Buffer.from(payloadFor(stamped.sequence, SEED)));
      rebuilt = applyCommand(rebuilt, stamped.command);
      replayed.push(stamped.sequence);
    }
    assert.equal(replayed, Array.from({ length: 40 }, (_, index) => index + 61));
    assert.equal(rebuilt, before, 'state hash equals the one before restart');
    const next = recovery.sequencer.accept(payloadFor(101, SEED));
    assert.is(next.stamped.sequence, 101);
    assert.is(next.stamped.logicalTimeNs, lastTime, 'a clock behind the journal does not move time backwards');
    await next.durable;
    await recovery.sequencer.close();
  });
});

test('recovery right after a snapshot of the last record takes time from that record', async () => {
  await withTempDir(async (dir) => {
    const { sequencer } = await ready(dir, { clock: () => 777n });
    for (let sequence = 1; sequence <= 3; sequence++) await sequencer.submit(payloadFor(sequence, SEED));
    await sequencer.saveSnapshot({ sequence: 3, stateHash: new Uint8Array([1]), state: new Uint8Array(0) });
    await sequencer.close();
    const recovery = await ready(dir, { clock: () => 1n });
    assert.is(recovery.snapshot?.sequence, 3);
    assert.is(recovery.sequencer.accept(new Uint8Array(2)).stamped.logicalTimeNs, 777n);
    await recovery.sequencer.close();
  });
});

test('snapshots wait for durability of their sequence and can prune the journal', async () => {
  await withTempDir(async (dir) => {
    const storage = new InstrumentedStorage();
    const { sequencer } = await ready(dir, { storage, segmentBytesMax: 4096, pruneJournal: true });
    let state: Buffer = Buffer.alloc(32);
    let durable: Promise<unknown> = Promise.resolve();
    for (let sequence = 1; sequence <= 400; sequence++) {
      const accepted = sequencer.accept(payloadFor(sequence, SEED));
      state = applyCommand(state, accepted.stamped.command);
      durable = accepted.durable;
      if (sequence % 100 === 0 && sequence < 400) await sequencer.saveSnapshot({ sequence, stateHash: new Uint8Array([sequence & 0xff]), state });
    }
    await durable;
    const segmentsBefore = (await readdir(join(dir, 'journal'))).length;
    storage.hold();
    const last = sequencer.accept(payloadFor(401, SEED));
    state = applyCommand(state, last.stamped.command);
    const saved = sequencer.saveSnapshot({ sequence: 401, stateHash: new Uint8Array([1]), state });
    await ticks(20);
    assert.not.ok((await readdir(join(dir, 'snapshots'))).some((name) => name.includes('401')), 'no snapshot before its sequence is durable');
    storage.release();
    const result = await saved;
    assert.equal(result.retainedSequences, [200, 300, 401]);
    const segmentsLeft = (await readdir(join(dir, 'journal'))).length;
    await sequencer.close();
    const recovery = await recover(dir, { segmentBytesMax: 4096 });
    assert.is(recovery.snapshot?.sequence, 401);
    for await (const stamped of recovery.replay()) assert.unreachable(`replayed ${stamped.sequence}`);
    assert.equal(Buffer.from(recovery.snapshot!.state), state);
    assert.ok(segmentsLeft < segmentsBefore, `pruning through sequence 200 left ${segmentsLeft} of ${segmentsBefore} segments`);
    await recovery.sequencer.close();
    assert.throws(() => recovery.sequencer.saveSnapshot({ sequence: 500, stateHash: new Uint8Array([1]), state }), /assertion/);
  });
});

test('a command that is too large, or a journal that refuses, consumes no sequence', async () => {
  await withTempDir(async (dir) => {
    const storage = new InstrumentedStorage();
    const { sequencer } = await ready(dir, { storage });
    await codedFailure(() => sequencer.accept(new Uint8Array(COMMAND_BYTES_MAX + 1)), 'SEQUENCER_COMMAND_TOO_LARGE');
    assert.is(sequencer.nextSequence, 1);
    storage.hold();
    const big = new Uint8Array(COMMAND_BYTES_MAX);
    const accepted = [];
    let refusal: unknown;
    for (let index = 0; index < 2 * JOURNAL_LIMITS.pendingBytesMax / big.length && refusal === undefined; index++) {
      try {
        accepted.push(sequencer.accept(big));
      } catch (error) {
        refusal = error;
      }
    }
    assert.ok(isCodedError(refusal, 'JOURNAL_OVERLOADED'));
    assert.is(sequencer.nextSequence, accepted.length + 1);
    storage.release();
    await Promise.all(accepted.map((entry) => entry.durable));
    await sequencer.close();
  });
});

test('stamped records round-trip; malformed ones are refused with a coded error', async () => {
  const command = new Uint8Array([9, 8, 7]);
  const decoded = decodeStampedRecord(5, encodeStampedRecord(123n, command));
  assert.equal(decoded, { sequence: 5, logicalTimeNs: 123n, command });
  await codedFailure(() => decodeStampedRecord(1, new Uint8Array(8)), 'SEQUENCER_RECORD_MALFORMED');
  const wrongVersion = encodeStampedRecord(1n, command);
  wrongVersion[0] = 2;
  await codedFailure(() => decodeStampedRecord(1, wrongVersion), 'SEQUENCER_RECORD_MALFORMED');
  const random = prng(FUZZ_SEED);
  for (let round = 0; round < 2000; round++) {
    const bytes = random.bytes(random.int(20));
    if (bytes.length > 0 && random.int(2) === 0) bytes[0] = 1;
    try {
      const stamped = decodeStampedRecord(round, bytes);
      assert.is(stamped.command.length, bytes.length - 9, `seed ${FUZZ_SEED} round ${round}`);
    } catch (error) {
      assert.ok(isCodedError(error, 'SEQUENCER_RECORD_MALFORMED'), `seed ${FUZZ_SEED} round ${round}: ${String(error)}`);
    }
  }
});

test('a journal from another history than the snapshot stops recovery', async () => {
  await withTempDir(async (dir) => {
    await withTempDir(async (otherDir) => {
      for (const target of [dir, otherDir]) {
        const { sequencer } = await ready(target);
        for (let sequence = 1; sequence <= 5; sequence++) await sequencer.submit(payloadFor(sequence + (target === dir ? 0 : 1000), SEED));
        await sequencer.saveSnapshot({ sequence: 5, stateHash: new Uint8Array([5]), state: new Uint8Array(0) });
        await sequencer.close();
      }
      const snapshots = await SnapshotStore.open({ directory: join(otherDir, 'snapshots'), sealingKey: KEY });
      await codedFailure(() => Sequencer.recover({
        snapshots,
        clock: () => 0n,
        openJournal: (anchor) => FileJournal.open({ directory: join(dir, 'journal'), sealingKey: KEY, anchor }),
      }), 'JOURNAL_ANCHOR_MISMATCH');
    });
  });
});

test.run();
