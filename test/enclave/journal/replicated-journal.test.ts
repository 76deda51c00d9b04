// INVARIANT: the replicated journal keeps the Journal contract (the file journal's suite),
// replays the log to exactly the records acknowledged, continues one chain across writer
// sessions with a growing epoch, and a stale writer is fenced at its first batch: its pending
// and later appends all fail and none of its batches reaches the log.
// INVARIANT: a follower (hot standby) pulls exactly the records the writer made durable, in
// order, verified; it writes nothing until promoted, cannot be promoted while behind, and once
// promoted continues the one chain with the next epoch and fences the old writer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import { parseBatchId } from '../../../src/enclave/journal/replicated-batch.js';
import { ReplicatedJournal } from '../../../src/enclave/journal/replicated-journal.js';
import { journalContract } from './journal-contract.js';
import { codedFailure, payloadFor, testKey } from './helpers.js';
import { MemoryLog } from './memory-log.js';

const KEY = testKey(12);
const SEED = 707;

journalContract('ReplicatedJournal on an in-memory log', () => ReplicatedJournal.open({ log: new MemoryLog(), sealingKey: KEY })).run();

async function records(journal: ReplicatedJournal, from = 1): Promise<number[]> {
  const out: number[] = [];
  for await (const record of journal.readFrom(from)) {
    assert.equal(Buffer.from(record.payload), Buffer.from(payloadFor(record.sequence, SEED)), `payload of ${record.sequence}`);
    out.push(record.sequence);
  }
  return out;
}

test('group commit: many appends in one turn travel as one batch (one stream message)', async () => {
  const log = new MemoryLog();
  const journal = await ReplicatedJournal.open({ log, sealingKey: KEY });
  const pending = [];
  for (let sequence = 1; sequence <= 200; sequence++) pending.push(journal.append([payloadFor(sequence, SEED)]));
  await Promise.all(pending);
  assert.ok(log.batches.length <= 2, `200 appends made ${log.batches.length} batches`);
  assert.is(journal.stats.records, 200);
  await journal.close();
});

test('reopening replays every acknowledged record; each writer session has the next epoch and continues the chain', async () => {
  const log = new MemoryLog();
  let sequence = 0;
  const epochs: number[] = [];
  for (let session = 0; session < 3; session++) {
    const journal = await ReplicatedJournal.open({ log, sealingKey: KEY });
    epochs.push(journal.epoch);
    assert.equal(await records(journal), Array.from({ length: sequence }, (_, index) => index + 1), `session ${session} replays all`);
    for (let index = 0; index < 40; index++) {
      sequence += 1;
      await journal.append([payloadFor(sequence, SEED)]);
    }
    await journal.close();
  }
  assert.equal(epochs, [1, 2, 3]);
  const ids = log.batches.map((batch) => parseBatchId(batch.batchId)!);
  for (const [index, id] of ids.entries()) if (index > 0) assert.ok(id.epoch >= ids[index - 1]!.epoch, 'epochs never decrease along the log');
  const last = await ReplicatedJournal.open({ log, sealingKey: KEY });
  assert.is(last.durableSequence, 120);
  assert.equal((await records(last, 77)).length, 44);
  await last.close();
});

test('a stale writer is fenced at its first batch; its pending and later appends fail; nothing of it reaches the log', async () => {
  const log = new MemoryLog();
  const stale = await ReplicatedJournal.open({ log, sealingKey: KEY });
  for (let sequence = 1; sequence <= 10; sequence++) await stale.append([payloadFor(sequence, SEED)]);
  const fresh = await ReplicatedJournal.open({ log, sealingKey: KEY });
  assert.is(fresh.epoch, stale.epoch + 1);
  await fresh.append([payloadFor(11, SEED)]);
  const failures: Error[] = [];
  stale.watch({ durable: () => assert.unreachable('the stale writer made nothing durable'), failed: (error) => failures.push(error) });
  const batchesBefore = log.batches.length;
  const attemptsBefore = log.attempts;
  const first = stale.append([payloadFor(11, SEED)]);
  const second = Promise.resolve().then(() => stale.append([payloadFor(12, SEED)]));
  const third = new Promise((resolve) => setImmediate(resolve)).then(() => stale.append([payloadFor(13, SEED)]));
  const settled = await Promise.allSettled([first, second, third]);
  for (const outcome of settled) assert.ok(outcome.status === 'rejected' && isCodedError(outcome.reason, 'CLUSTER_JOURNAL_FENCED'), 'every pipelined append is fenced');
  await codedFailure(() => stale.append([payloadFor(14, SEED)]), 'CLUSTER_JOURNAL_FENCED');
  assert.is(failures.length, 1);
  assert.ok(isCodedError(failures[0], 'CLUSTER_JOURNAL_FENCED'));
  assert.is(log.batches.length, batchesBefore, 'no stale batch was stored');
  assert.is(log.attempts - attemptsBefore, 1, 'the writer stopped at the first rejection');
  await fresh.append([payloadFor(12, SEED)]);
  const reader = await ReplicatedJournal.open({ log, sealingKey: KEY });
  assert.equal(await records(reader), Array.from({ length: 12 }, (_, index) => index + 1));
  await Promise.all([stale.close(), fresh.close(), reader.close()]);
});

test('a changed byte, a wrong key or a malformed id stops the opening with a coded error', async () => {
  const log = new MemoryLog();
  const journal = await ReplicatedJournal.open({ log, sealingKey: KEY });
  for (let sequence = 1; sequence <= 5; sequence++) await journal.append([payloadFor(sequence, SEED)]);
  await journal.close();
  await codedFailure(() => ReplicatedJournal.open({ log, sealingKey: testKey(13) }), 'JOURNAL_WRONG_KEY');
  const original = log.batches[2]!;
  for (const at of [0, 60, 120, original.bytes.length - 1]) {
    const bytes = Buffer.from(original.bytes);
    bytes[at] = bytes[at]! ^ 0x40;
    log.batches[2] = { ...original, bytes };
    try {
      await ReplicatedJournal.open({ log, sealingKey: KEY });
      assert.unreachable(`a flipped byte at ${at} was accepted`);
    } catch (error) {
      assert.ok(isCodedError(error), `byte ${at}: ${String(error)}`);
    }
  }
  log.batches[2] = { ...original, batchId: 'not-an-id' };
  await codedFailure(() => ReplicatedJournal.open({ log, sealingKey: KEY }), 'CLUSTER_LOG_MALFORMED');
  log.batches[2] = original;
  const dropped = log.batches.splice(1, 1);
  assert.is(dropped.length, 1);
  for (const [index, batch] of log.batches.entries()) log.batches[index] = { ...batch, streamSequence: index + 1 };
  await codedFailure(() => ReplicatedJournal.open({ log, sealingKey: KEY }), 'JOURNAL_SEQUENCE_BROKEN');
});

test('a snapshot anchor that the log does not reach or does not match stops the opening', async () => {
  const log = new MemoryLog();
  const journal = await ReplicatedJournal.open({ log, sealingKey: KEY });
  for (let sequence = 1; sequence <= 5; sequence++) await journal.append([payloadFor(sequence, SEED)]);
  const anchor = await journal.anchorAt(3);
  await journal.close();
  const reopened = await ReplicatedJournal.open({ log, sealingKey: KEY, anchor });
  assert.is(reopened.durableSequence, 5);
  await reopened.close();
  await codedFailure(() => ReplicatedJournal.open({ log, sealingKey: KEY, anchor: { sequence: 3, chainMac: new Uint8Array(32) } }), 'JOURNAL_ANCHOR_MISMATCH');
  await codedFailure(() => ReplicatedJournal.open({ log, sealingKey: KEY, anchor: { sequence: 9, chainMac: anchor.chainMac } }), 'JOURNAL_BEHIND_SNAPSHOT');
});

async function pulled(follower: ReplicatedJournal): Promise<number[]> {
  const out: number[] = [];
  for await (const record of follower.pull()) {
    assert.equal(Buffer.from(record.payload), Buffer.from(payloadFor(record.sequence, SEED)), `payload of ${record.sequence}`);
    out.push(record.sequence);
  }
  return out;
}

test('a follower pulls what the writer appends; it is promoted only once caught up, then fences the old writer', async () => {
  const log = new MemoryLog();
  const writer = await ReplicatedJournal.open({ log, sealingKey: KEY });
  for (let sequence = 1; sequence <= 5; sequence++) await writer.append([payloadFor(sequence, SEED)]);
  const follower = await ReplicatedJournal.follow({ log, sealingKey: KEY });
  assert.ok(follower.following);
  assert.is(follower.durableSequence, 5, 'opening reads what is there');
  assert.equal(await pulled(follower), [], 'nothing new yet');
  await codedFailure(() => follower.append([payloadFor(6, SEED)]), 'STANDBY_NOT_LEADER');
  const pending = [];
  for (let sequence = 6; sequence <= 60; sequence++) pending.push(writer.append([payloadFor(sequence, SEED)]));
  await Promise.all(pending);
  for (let sequence = 61; sequence <= 70; sequence++) await writer.append([payloadFor(sequence, SEED)]);
  assert.equal(await pulled(follower), Array.from({ length: 65 }, (_, index) => index + 6), 'every new record once, in order');
  assert.is(follower.durableSequence, 70);
  await writer.append([payloadFor(71, SEED)]);
  await codedFailure(() => follower.promote(), 'STANDBY_BEHIND');
  assert.ok(follower.following, 'still following after a refused promotion');
  assert.equal(await pulled(follower), [71]);
  await follower.promote();
  assert.not.ok(follower.following);
  assert.is(follower.epoch, writer.epoch + 1);
  await follower.append([payloadFor(72, SEED)]);
  await codedFailure(() => writer.append([payloadFor(72, SEED)]), 'CLUSTER_JOURNAL_FENCED');
  const reader = await ReplicatedJournal.open({ log, sealingKey: KEY });
  assert.equal(await records(reader), Array.from({ length: 72 }, (_, index) => index + 1), 'one chain across both writers');
  await Promise.all([writer.close(), follower.close(), reader.close()]);
});

test('a changed byte in a new batch stops the follower\'s pull; its view does not move', async () => {
  const log = new MemoryLog();
  const writer = await ReplicatedJournal.open({ log, sealingKey: KEY });
  await writer.append([payloadFor(1, SEED)]);
  const follower = await ReplicatedJournal.follow({ log, sealingKey: KEY });
  await writer.append([payloadFor(2, SEED)]);
  const stored = log.batches.at(-1)!;
  const bytes = Buffer.from(stored.bytes);
  bytes[bytes.length - 40]! ^= 0x01;
  log.batches[log.batches.length - 1] = { ...stored, bytes };
  await codedFailure(() => pulled(follower), 'JOURNAL_TAMPERED');
  assert.is(follower.durableSequence, 1);
  log.batches[log.batches.length - 1] = stored;
  assert.equal(await pulled(follower), [2], 'the intact batch is pulled');
  await Promise.all([writer.close(), follower.close()]);
});

test.run();
