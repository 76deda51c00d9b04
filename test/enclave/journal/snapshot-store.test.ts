// INVARIANT: a snapshot loads back exactly as saved, only under its key; the newest valid one
// wins and altered files are reported, not used; saves are atomic and keep the newest few.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import { deriveSnapshotKeys } from '../../../src/enclave/journal/sealing.js';
import { SnapshotStore, openSnapshot, sealSnapshot, type Snapshot } from '../../../src/enclave/journal/snapshot-store.js';
import { SNAPSHOT_LIMITS } from '../../../src/enclave/journal/limits.js';
import { codedFailure, prng, testKey, withTempDir } from './helpers.js';

const KEY = testKey(7);
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 977);

function snapshotAt(sequence: number): Snapshot {
  const random = prng(sequence);
  return { sequence, chainMac: random.bytes(32), stateHash: random.bytes(32), state: random.bytes(100 + random.int(2000)) };
}

function same(actual: Snapshot | undefined, expected: Snapshot): void {
  assert.ok(actual);
  assert.is(actual!.sequence, expected.sequence);
  assert.equal(Buffer.from(actual!.chainMac), Buffer.from(expected.chainMac));
  assert.equal(Buffer.from(actual!.stateHash), Buffer.from(expected.stateHash));
  assert.equal(Buffer.from(actual!.state), Buffer.from(expected.state));
}

test('save and load round trip; the newest wins; only `retain` files are kept', async () => {
  await withTempDir(async (dir) => {
    const store = await SnapshotStore.open({ directory: dir, sealingKey: KEY, retain: 2 });
    assert.equal(await store.loadLatest(), { snapshot: undefined, rejected: [] });
    const first = await store.save(snapshotAt(10));
    assert.equal(first.retainedSequences, [10]);
    await store.save(snapshotAt(20));
    const third = await store.save(snapshotAt(30));
    assert.equal(third.retainedSequences, [20, 30]);
    assert.equal((await readdir(dir)).sort(), ['snapshot-0000000000000020.snap', 'snapshot-0000000000000030.snap']);
    const loaded = await store.loadLatest();
    same(loaded.snapshot, snapshotAt(30));
    assert.equal(loaded.rejected, []);
    const raw = await readFile(join(dir, third.file));
    assert.is(raw.indexOf(Buffer.from(snapshotAt(30).state).subarray(0, 16)), -1, 'the state is not stored in clear');
    store.close();
  });
});

test('an altered newest snapshot is reported and the previous one is used', async () => {
  await withTempDir(async (dir) => {
    const store = await SnapshotStore.open({ directory: dir, sealingKey: KEY });
    await store.save(snapshotAt(5));
    const newest = await store.save(snapshotAt(9));
    const path = join(dir, newest.file);
    const bytes = await readFile(path);
    bytes[bytes.length - 100]! ^= 2;
    await writeFile(path, bytes);
    const loaded = await store.loadLatest();
    same(loaded.snapshot, snapshotAt(5));
    assert.is(loaded.rejected.length, 1);
    assert.is(loaded.rejected[0]!.file, newest.file);
    assert.is(loaded.rejected[0]!.error.errorName, 'SNAPSHOT_TAMPERED');
    await writeFile(join(dir, 'snapshot-0000000000000012.snap'), await readFile(join(dir, 'snapshot-0000000000000005.snap')));
    const renamed = await store.loadLatest();
    assert.is(renamed.rejected[0]!.error.errorName, 'SNAPSHOT_TAMPERED', 'a file renamed to another sequence is refused');
    same(renamed.snapshot, snapshotAt(5));
  });
});

test('a snapshot sealed under another key is rejected as SNAPSHOT_WRONG_KEY', async () => {
  await withTempDir(async (dir) => {
    const store = await SnapshotStore.open({ directory: dir, sealingKey: KEY });
    await store.save(snapshotAt(3));
    const other = await SnapshotStore.open({ directory: dir, sealingKey: testKey(8) });
    const loaded = await other.loadLatest();
    assert.is(loaded.snapshot, undefined);
    assert.is(loaded.rejected[0]!.error.errorName, 'SNAPSHOT_WRONG_KEY');
  });
});

test('temporary files left by a crash mid-save are removed at open and never loaded', async () => {
  await withTempDir(async (dir) => {
    const store = await SnapshotStore.open({ directory: dir, sealingKey: KEY });
    await store.save(snapshotAt(4));
    await writeFile(join(dir, 'snapshot-0000000000000008.snap.tmp'), 'half written');
    same((await store.loadLatest()).snapshot, snapshotAt(4));
    await SnapshotStore.open({ directory: dir, sealingKey: KEY });
    assert.equal(await readdir(dir), ['snapshot-0000000000000004.snap']);
  });
});

test('bad input is refused with coded errors', async () => {
  const keys = deriveSnapshotKeys(KEY);
  const good = snapshotAt(1);
  await codedFailure(() => sealSnapshot(keys, { ...good, sequence: 0 }), 'SNAPSHOT_INVALID');
  await codedFailure(() => sealSnapshot(keys, { ...good, chainMac: new Uint8Array(31) }), 'SNAPSHOT_INVALID');
  await codedFailure(() => sealSnapshot(keys, { ...good, stateHash: new Uint8Array(0) }), 'SNAPSHOT_INVALID');
  await codedFailure(() => sealSnapshot(keys, { ...good, stateHash: new Uint8Array(65) }), 'SNAPSHOT_INVALID');
  await codedFailure(() => sealSnapshot(keys, { ...good, state: { length: SNAPSHOT_LIMITS.stateBytesMax + 1 } as Uint8Array }), 'SNAPSHOT_INVALID');
  await codedFailure(() => sealSnapshot(keys, { ...good, state: new Uint8Array(SNAPSHOT_LIMITS.stateBytesMax + 1) }), 'SNAPSHOT_TOO_LARGE');
  await codedFailure(() => SnapshotStore.open({ directory: '', sealingKey: KEY }), 'JOURNAL_CONFIG_INVALID');
  await codedFailure(() => SnapshotStore.open({ directory: '/tmp/x', sealingKey: KEY, retain: 0 }), 'JOURNAL_CONFIG_INVALID');
  const empty = openSnapshot(keys, sealSnapshot(keys, { ...good, state: new Uint8Array(0) }));
  assert.is(empty.state.length, 0);
});

test(`fuzz: mutated snapshot files open to the original or to a coded error (seed ${FUZZ_SEED})`, () => {
  const keys = deriveSnapshotKeys(KEY);
  const original = sealSnapshot(keys, snapshotAt(77));
  const random = prng(FUZZ_SEED);
  let refused = 0;
  for (let round = 0; round < 1500; round++) {
    let bytes = Buffer.from(original);
    const kind = random.int(3);
    const at = random.int(bytes.length);
    if (kind === 0) bytes[at]! ^= 1 << random.int(8);
    else if (kind === 1) bytes = bytes.subarray(0, at);
    else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(random.bytes(1 + random.int(40))), bytes.subarray(at)]);
    try {
      openSnapshot(keys, bytes);
      assert.unreachable(`seed ${FUZZ_SEED} round ${round}: a mutated snapshot opened`);
    } catch (error) {
      if (!isCodedError(error)) throw new Error(`seed ${FUZZ_SEED} round ${round}: ${String(error)}`);
      assert.ok(error.errorName === 'SNAPSHOT_TAMPERED' || error.errorName === 'SNAPSHOT_WRONG_KEY');
      refused += 1;
    }
  }
  assert.is(refused, 1500);
});

test.run();
