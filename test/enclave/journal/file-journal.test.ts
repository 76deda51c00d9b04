// INVARIANT: the file journal gives back exactly what was acknowledged, in order, only after
// fsync; it batches appends into one write + one fdatasync per group; it cuts a torn tail and
// refuses to open on any tampering, reordering, dropping or splicing, naming the record.
import { appendFile, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileJournal } from '../../../src/enclave/journal/file-journal.js';
import { JOURNAL_LIMITS } from '../../../src/enclave/journal/limits.js';
import { SEGMENT_HEADER_BYTES, parseFrame } from '../../../src/enclave/journal/segment-format.js';
import { InstrumentedStorage, codedFailure, payloadFor, prng, testKey, ticks, waitFor, withTempDir } from './helpers.js';

const KEY = testKey(1);
const SEED = 20240611;

async function fill(dir: string, count: number, options: { segmentBytesMax?: number } = {}): Promise<void> {
  const journal = await FileJournal.open({ directory: dir, sealingKey: KEY, ...options });
  const start = journal.nextSequence;
  const acks: Promise<unknown>[] = [];
  for (let index = 0; index < count; index++) acks.push(journal.append([payloadFor(start + index, SEED)]));
  await Promise.all(acks);
  await journal.close();
}

async function readAll(journal: FileJournal, from = 1): Promise<{ sequence: number; payload: Uint8Array }[]> {
  const out: { sequence: number; payload: Uint8Array }[] = [];
  for await (const record of journal.readFrom(from)) out.push({ sequence: record.sequence, payload: record.payload });
  return out;
}

async function segments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.journal')).sort();
}

/** Splits a segment file into its header and frames. */
function splitSegment(bytes: Buffer): { header: Buffer; frames: Buffer[] } {
  const frames: Buffer[] = [];
  let offset = SEGMENT_HEADER_BYTES;
  for (let guard = 0; offset < bytes.length && guard < 1_000_000; guard++) {
    const parsed = parseFrame(bytes, offset, bytes.length, JOURNAL_LIMITS.recordBytesMax);
    if (parsed.status !== 'complete') throw new Error('test segment is not well formed');
    frames.push(bytes.subarray(offset, parsed.end));
    offset = parsed.end;
  }
  return { header: bytes.subarray(0, SEGMENT_HEADER_BYTES), frames };
}

test('append and replay round trip, across reopen', async () => {
  await withTempDir(async (dir) => {
    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY });
    assert.is(journal.nextSequence, 1);
    assert.is(journal.durableSequence, 0);
    const single = await journal.append([payloadFor(1, SEED)]);
    assert.equal([single.firstSequence, single.lastSequence], [1, 1]);
    const many = await journal.append([2, 3, 4].map((sequence) => payloadFor(sequence, SEED)));
    assert.equal([many.firstSequence, many.lastSequence], [2, 4]);
    const empty = await journal.append([new Uint8Array(0)]);
    assert.is(empty.firstSequence, 5);
    assert.is(journal.durableSequence, 5);
    const live = await readAll(journal);
    assert.equal(live.map((record) => record.sequence), [1, 2, 3, 4, 5]);
    await journal.close();

    const reopened = await FileJournal.open({ directory: dir, sealingKey: KEY });
    assert.is(reopened.openReport.tornTail, undefined);
    assert.is(reopened.openReport.lastSequence, 5);
    const records = await readAll(reopened);
    for (const record of records.slice(0, 4)) assert.equal(Buffer.from(record.payload), Buffer.from(payloadFor(record.sequence, SEED)));
    assert.is(records[4]!.payload.length, 0);
    assert.equal((await readAll(reopened, 3)).map((record) => record.sequence), [3, 4, 5]);
    assert.equal(await readAll(reopened, 6), []);
    const next = await reopened.append([payloadFor(6, SEED)]);
    assert.is(next.firstSequence, 6, 'numbering continues after reopen');
    await reopened.close();
    const third = await FileJournal.open({ directory: dir, sealingKey: KEY });
    assert.equal((await readAll(third)).map((record) => record.sequence), [1, 2, 3, 4, 5, 6]);
    assert.is((await segments(dir)).length, 2, 'each writing session starts its own segment');
    await third.close();
  });
});

test('group commit: concurrent appends share one write and one fdatasync per group', async () => {
  await withTempDir(async (dir) => {
    const storage = new InstrumentedStorage();
    storage.delayMs = 2;
    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY, storage });
    const appends = 4000;
    const acks: Promise<unknown>[] = [];
    for (let index = 0; index < appends; index++) {
      acks.push(journal.append([payloadFor(index + 1, SEED)]));
      if (index % 50 === 49) await ticks(1);
    }
    await Promise.all(acks);
    assert.is(journal.durableSequence, appends);
    assert.is(storage.writes, storage.datasyncs, 'one write per fdatasync');
    assert.is(journal.stats.batches, storage.datasyncs);
    assert.ok(storage.datasyncs * 10 < appends, `${storage.datasyncs} fdatasyncs for ${appends} appends`);
    assert.is(journal.stats.records, appends);
    await journal.close();
  });
});

test('durability ordering: an append resolves only after its fdatasync completes', async () => {
  await withTempDir(async (dir) => {
    const storage = new InstrumentedStorage();
    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY, storage });
    storage.hold();
    let firstAcked = false;
    const first = journal.append([payloadFor(1, SEED)]).then(() => { firstAcked = true; });
    await waitFor(() => storage.datasyncs === 1, 'the first group to reach fdatasync');
    assert.not.ok(firstAcked, 'no ack while the fdatasync is held');
    assert.is(journal.durableSequence, 0);
    let laterAcked = 0;
    const later = Array.from({ length: 100 }, (_, index) => journal.append([payloadFor(index + 2, SEED)]).then(() => { laterAcked += 1; }));
    await ticks(20);
    assert.is(storage.datasyncs, 1, 'appends during the flight wait for the next group');
    storage.release();
    await first;
    assert.ok(firstAcked);
    assert.is(storage.datasyncsDone, 1);
    storage.hold();
    await waitFor(() => storage.datasyncs === 2, 'the second group to reach fdatasync');
    await ticks(20);
    assert.is(storage.datasyncs, 2, 'the waiting appends went out as one group');
    assert.is(laterAcked, 0, 'the second group is not acknowledged before its own fdatasync');
    storage.release();
    await Promise.all(later);
    assert.is(laterAcked, 100);
    assert.is(storage.datasyncsDone, 2);
    assert.is(journal.durableSequence, 101);
    await journal.close();
  });
});

test('torn tail: a partial record at the end is cut off, reported, and writing continues', async () => {
  await withTempDir(async (dir) => {
    await fill(dir, 20);
    const [name] = await segments(dir);
    const path = join(dir, name!);
    const bytes = await readFile(path);
    const { frames } = splitSegment(bytes);
    const lastFrame = frames.at(-1)!;
    const random = prng(SEED);
    for (let trial = 0; trial < 12; trial++) {
      const cut = 1 + random.int(lastFrame.length - 1);
      await writeFile(path, bytes.subarray(0, bytes.length - cut));
      const journal = await FileJournal.open({ directory: dir, sealingKey: KEY });
      assert.equal(journal.openReport.tornTail, { segment: name, bytes: lastFrame.length - cut }, `cut ${cut}`);
      assert.is(journal.openReport.lastSequence, 19);
      assert.is((await readAll(journal)).length, 19);
      await journal.close();
      assert.is((await readFile(path)).length, bytes.length - lastFrame.length, 'file truncated to the last whole record');
      for (const extra of await segments(dir)) if (extra !== name) await unlink(join(dir, extra));
    }
  });
});

test('torn tail: garbage shaped like a frame start, and blank bytes, are cut off', async () => {
  await withTempDir(async (dir) => {
    await fill(dir, 5);
    const [name] = await segments(dir);
    const path = join(dir, name!);
    const original = await readFile(path);
    const garbage = Buffer.from(prng(SEED).bytes(300));
    garbage.writeUInt32BE(2000, 0);
    await appendFile(path, garbage);
    let journal = await FileJournal.open({ directory: dir, sealingKey: KEY });
    assert.equal(journal.openReport.tornTail, { segment: name, bytes: 300 });
    await journal.append([payloadFor(6, SEED)]);
    await journal.close();
    assert.equal(await readFile(path), original);

    const newest = (await segments(dir)).at(-1)!;
    await appendFile(join(dir, newest), Buffer.alloc(5000));
    journal = await FileJournal.open({ directory: dir, sealingKey: KEY });
    assert.equal(journal.openReport.tornTail, { segment: newest, bytes: 5000 });
    assert.is((await readAll(journal)).length, 6);
    await journal.close();
  });
});

test('torn segment creation: a newest segment without a whole record is removed', async () => {
  await withTempDir(async (dir) => {
    await fill(dir, 3);
    const [name] = await segments(dir);
    const header = (await readFile(join(dir, name!))).subarray(0, SEGMENT_HEADER_BYTES);
    await writeFile(join(dir, 'segment-000000000009.journal'), header.subarray(0, 50));
    let journal = await FileJournal.open({ directory: dir, sealingKey: KEY });
    assert.is(journal.openReport.removedSegment, 'segment-000000000009.journal');
    assert.is(journal.openReport.lastSequence, 3);
    await journal.append([payloadFor(4, SEED)]);
    await journal.close();
    journal = await FileJournal.open({ directory: dir, sealingKey: KEY });
    assert.equal((await readAll(journal)).map((record) => record.sequence), [1, 2, 3, 4]);
    await journal.close();
  });
});

test('a flipped byte anywhere in any record stops start-up with a coded error naming it', async () => {
  await withTempDir(async (dir) => {
    await fill(dir, 30);
    const [name] = await segments(dir);
    const path = join(dir, name!);
    const original = await readFile(path);
    const { frames } = splitSegment(original);
    const random = prng(SEED + 1);
    for (let trial = 0; trial < 60; trial++) {
      const frameIndex = random.int(frames.length);
      const frameStart = frames[frameIndex]!.byteOffset - original.byteOffset;
      const inside = 4 + random.int(frames[frameIndex]!.length - 4);
      const tampered = Buffer.from(original);
      tampered[frameStart + inside]! ^= 1 << random.int(8);
      await writeFile(path, tampered);
      const expected = inside < 12 ? 'JOURNAL_SEQUENCE_BROKEN' : 'JOURNAL_TAMPERED';
      const error = await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), expected);
      assert.ok(error.message.includes(name!), error.message);
      assert.ok(error.message.includes(`offset ${frameStart}`), `names the record: ${error.message}`);
    }
    const tamperedLength = Buffer.from(original);
    const middle = frames[3]!.byteOffset - original.byteOffset;
    tamperedLength.writeUInt32BE(tamperedLength.readUInt32BE(middle) + 1, middle);
    await writeFile(path, tamperedLength);
    await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_TAMPERED');
    const headerFlip = Buffer.from(original);
    headerFlip[30]! ^= 4;
    await writeFile(path, headerFlip);
    await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_TAMPERED');
  });
});

test('reordered, dropped and spliced records stop start-up', async () => {
  await withTempDir(async (dir) => {
    await withTempDir(async (otherDir) => {
      await fill(dir, 10);
      await fill(otherDir, 10);
      const [name] = await segments(dir);
      const path = join(dir, name!);
      const original = await readFile(path);
      const { header, frames } = splitSegment(original);
      const other = splitSegment(await readFile(join(otherDir, (await segments(otherDir))[0]!)));

      const swapped = [...frames];
      [swapped[4], swapped[5]] = [swapped[5]!, swapped[4]!];
      await writeFile(path, Buffer.concat([header, ...swapped]));
      const reordered = await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_SEQUENCE_BROKEN');
      assert.ok(reordered.message.includes('sequence 6, expected 5'), reordered.message);

      await writeFile(path, Buffer.concat([header, ...frames.filter((_, index) => index !== 6)]));
      await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_SEQUENCE_BROKEN');

      const spliced = [...frames];
      spliced[2] = other.frames[2]!;
      await writeFile(path, Buffer.concat([header, ...spliced]));
      const splice = await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_TAMPERED');
      assert.ok(splice.message.includes('record 3'), splice.message);

      await writeFile(path, Buffer.concat([other.header, ...frames]));
      await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_TAMPERED');

      await writeFile(path, Buffer.concat([header, ...frames.slice(0, 9), other.frames[9]!]));
      await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_TAMPERED');
    });
  });
});

test('dropped, reordered and spliced segments stop start-up', async () => {
  await withTempDir(async (dir) => {
    await fill(dir, 200, { segmentBytesMax: 8192 });
    const names = await segments(dir);
    assert.ok(names.length >= 5, `rotation made ${names.length} segments`);
    const middle = join(dir, names[2]!);
    const saved = await readFile(middle);
    await unlink(middle);
    const dropped = await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_SEQUENCE_BROKEN');
    assert.ok(dropped.message.includes(names[3]!), dropped.message);
    await writeFile(middle, saved);

    await rename(join(dir, names[1]!), join(dir, 'swap'));
    await rename(join(dir, names[2]!), join(dir, names[1]!));
    await rename(join(dir, 'swap'), join(dir, names[2]!));
    await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_SEQUENCE_BROKEN');
    await rename(join(dir, names[1]!), join(dir, 'swap'));
    await rename(join(dir, names[2]!), join(dir, names[1]!));
    await rename(join(dir, 'swap'), join(dir, names[2]!));

    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY });
    assert.is((await readAll(journal)).length, 200, 'restored files verify again');
    await journal.close();

    await unlink(join(dir, names[0]!));
    await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_PRUNED');
  });
});

test('the wrong key stops start-up with JOURNAL_WRONG_KEY; a malformed key is refused', async () => {
  await withTempDir(async (dir) => {
    await fill(dir, 3);
    await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: testKey(2) }), 'JOURNAL_WRONG_KEY');
    await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: new Uint8Array(31) }), 'SEALING_KEY_INVALID');
    await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY, segmentBytesMax: 10 }), 'JOURNAL_CONFIG_INVALID');
  });
});

test('segments rotate at the size bound and replay across them', async () => {
  await withTempDir(async (dir) => {
    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY, segmentBytesMax: 4096 });
    const acks: Promise<unknown>[] = [];
    for (let sequence = 1; sequence <= 300; sequence++) acks.push(journal.append([payloadFor(sequence, SEED)]));
    await Promise.all(acks);
    await journal.close();
    const names = await segments(dir);
    assert.ok(names.length > 10, `${names.length} segments`);
    for (const name of names) {
      const { frames } = splitSegment(await readFile(join(dir, name)));
      const size = SEGMENT_HEADER_BYTES + frames.reduce((sum, frame) => sum + frame.length, 0);
      assert.ok(frames.length === 1 || size <= 4096, `${name} is ${size} bytes with ${frames.length} records`);
    }
    const reopened = await FileJournal.open({ directory: dir, sealingKey: KEY, segmentBytesMax: 4096 });
    const records = await readAll(reopened, 150);
    assert.is(records.length, 151);
    for (const record of records) assert.equal(Buffer.from(record.payload), Buffer.from(payloadFor(record.sequence, SEED)));
    await reopened.close();
  });
});

test('pruning keeps the tail; reopening needs an anchor that matches', async () => {
  await withTempDir(async (dir) => {
    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY, segmentBytesMax: 4096 });
    const acks: Promise<unknown>[] = [];
    for (let sequence = 1; sequence <= 200; sequence++) acks.push(journal.append([payloadFor(sequence, SEED)]));
    await Promise.all(acks);
    const before = (await segments(dir)).length;
    const removed = await journal.pruneThrough(120);
    assert.ok(removed > 0 && removed < before, `removed ${removed} of ${before}`);
    assert.ok(journal.firstSequence > 1 && journal.firstSequence <= 121, `first sequence ${journal.firstSequence}`);
    await codedFailure(() => readAll(journal, 1), 'JOURNAL_PRUNED');
    assert.is((await readAll(journal, 121)).length, 80);
    const left = (await segments(dir)).length;
    assert.is(await journal.pruneThrough(10_000), left - 1, 'the segment with the last record stays');
    assert.is((await segments(dir)).length, 1);
    const lastAnchor = await journal.anchorAt(200);
    await journal.close();
    await journal.close();

    await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY }), 'JOURNAL_PRUNED');
    const good = await FileJournal.open({ directory: dir, sealingKey: KEY, anchor: lastAnchor });
    assert.is(good.openReport.lastSequence, 200);
    assert.is((await readAll(good, good.firstSequence)).at(-1)?.sequence, 200);
    await good.close();
    const wrong = { sequence: 200, chainMac: new Uint8Array(32).fill(7) };
    await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY, anchor: wrong }), 'JOURNAL_ANCHOR_MISMATCH');
    await codedFailure(() => FileJournal.open({ directory: dir, sealingKey: KEY, anchor: { sequence: 260, chainMac: lastAnchor.chainMac } }), 'JOURNAL_BEHIND_SNAPSHOT');
  });
});

test('anchorAt agrees with append receipts, from memory and from disk', async () => {
  await withTempDir(async (dir) => {
    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY });
    const receipts = [];
    for (let sequence = 1; sequence <= 5; sequence++) receipts.push(await journal.append([payloadFor(sequence, SEED)]));
    for (const receipt of receipts) assert.equal(Buffer.from((await journal.anchorAt(receipt.lastSequence)).chainMac), Buffer.from(receipt.chainMac));
    const bulk = JOURNAL_LIMITS.anchorHistory + 10;
    const acks: Promise<unknown>[] = [];
    for (let index = 0; index < bulk; index += JOURNAL_LIMITS.recordsPerAppendMax) {
      acks.push(journal.append(Array.from({ length: Math.min(JOURNAL_LIMITS.recordsPerAppendMax, bulk - index) }, () => new Uint8Array(1))));
    }
    await Promise.all(acks);
    const fromDisk = await journal.anchorAt(3);
    assert.equal(Buffer.from(fromDisk.chainMac), Buffer.from(receipts[2]!.chainMac));
    await journal.close();
  });
});

test('bounds: oversize, empty and overloaded appends are refused without consuming a sequence', async () => {
  await withTempDir(async (dir) => {
    const storage = new InstrumentedStorage();
    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY, storage });
    await codedFailure(() => journal.append([new Uint8Array(JOURNAL_LIMITS.recordBytesMax + 1)]), 'JOURNAL_RECORD_TOO_LARGE');
    await codedFailure(() => journal.append([]), 'JOURNAL_APPEND_INVALID');
    await codedFailure(() => journal.append(Array.from({ length: JOURNAL_LIMITS.recordsPerAppendMax + 1 }, () => new Uint8Array(1))), 'JOURNAL_APPEND_INVALID');
    assert.is(journal.nextSequence, 1);
    storage.hold();
    const big = new Uint8Array(JOURNAL_LIMITS.recordBytesMax);
    const acks: Promise<unknown>[] = [];
    let refused: Error | undefined;
    for (let index = 0; index < 1000 && refused === undefined; index++) {
      try {
        acks.push(journal.append([big]));
      } catch (error) {
        refused = error as Error;
      }
    }
    assert.ok(refused?.message.includes('JOURNAL_OVERLOADED'), String(refused));
    assert.is(journal.nextSequence, acks.length + 1);
    assert.ok(acks.length * big.length <= JOURNAL_LIMITS.pendingBytesMax);
    storage.release();
    await Promise.all(acks);
    await journal.close();
    await codedFailure(() => journal.append([new Uint8Array(1)]), 'JOURNAL_CLOSED');
  });
});

test('admit + watch: no promise per record; the watcher hears each group, in order, once durable', async () => {
  await withTempDir(async (dir) => {
    const storage = new InstrumentedStorage();
    storage.delayMs = 2;
    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY, storage });
    const heard: number[] = [];
    const failures: Error[] = [];
    journal.watch({ durable: (sequence) => { heard.push(sequence); assert.is(journal.durableSequence, sequence); }, failed: (error) => failures.push(error) });
    const admitted = 3000;
    for (let index = 0; index < admitted; index++) {
      const range = journal.admit([payloadFor(index + 1, SEED)]);
      assert.equal(range, { firstSequence: index + 1, lastSequence: index + 1 });
      if (index % 100 === 99) await ticks(1);
    }
    assert.ok(heard.every((sequence) => sequence <= admitted));
    await journal.sync();
    assert.is(heard.at(-1), admitted, 'the last group reported the last record');
    assert.ok(heard.every((sequence, index) => index === 0 || sequence > heard[index - 1]!), 'strictly increasing');
    assert.is(heard.length, storage.datasyncs, 'one report per group');
    assert.is(storage.writes, storage.datasyncs, 'one write per fdatasync');
    assert.ok(storage.datasyncs * 10 < admitted, `${storage.datasyncs} fdatasyncs for ${admitted} records`);
    assert.equal((await readAll(journal)).map((record) => record.sequence), Array.from({ length: admitted }, (_, index) => index + 1));
    storage.failNextDatasync = new Error('EIO: simulated');
    journal.admit([payloadFor(admitted + 1, SEED)]);
    await codedFailure(() => journal.sync(), 'JOURNAL_IO_FAILED');
    assert.is(failures.length, 1);
    assert.is(heard.at(-1), admitted, 'the failed group is never reported durable');
    await codedFailure(() => journal.admit([payloadFor(admitted + 2, SEED)]), 'JOURNAL_IO_FAILED');
    await journal.close();
  });
});

test('an fdatasync failure fails pending and later appends; reopening recovers what was written', async () => {
  await withTempDir(async (dir) => {
    const storage = new InstrumentedStorage();
    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY, storage });
    await journal.append([payloadFor(1, SEED)]);
    storage.failNextDatasync = new Error('EIO: simulated');
    const pending = journal.append([payloadFor(2, SEED)]);
    await codedFailure(() => pending, 'JOURNAL_IO_FAILED');
    await codedFailure(() => journal.append([payloadFor(3, SEED)]), 'JOURNAL_IO_FAILED');
    assert.is(journal.durableSequence, 1, 'the failed group never counted as durable');
    await journal.close();
    const reopened = await FileJournal.open({ directory: dir, sealingKey: KEY });
    const records = await readAll(reopened);
    assert.ok(records.length >= 1 && records[0]!.sequence === 1);
    await reopened.close();
  });
});

test('reads verify again: a record altered after open is caught by readFrom', async () => {
  await withTempDir(async (dir) => {
    await fill(dir, 10);
    const journal = await FileJournal.open({ directory: dir, sealingKey: KEY });
    const [name] = await segments(dir);
    const path = join(dir, name!);
    const bytes = await readFile(path);
    bytes[bytes.length - 40]! ^= 0x10;
    await writeFile(path, bytes);
    await codedFailure(() => readAll(journal), 'JOURNAL_TAMPERED');
    await journal.close();
  });
});

test.run();
