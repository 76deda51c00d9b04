// INVARIANT: writeFully writes every byte or fails loudly; an atomic write leaves either the
// old or the new file in full, never a mix, and no temporary file behind.
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NODE_STORAGE, fsyncDirectory, writeFileAtomically, writeFully, type JournalStorage } from '../../../src/enclave/journal/durable-fs.js';
import { JOURNAL_LIMITS } from '../../../src/enclave/journal/limits.js';
import { withTempDir } from './helpers.js';

/** Writes at most `chunk` bytes per call, like a kernel returning short writes. */
function shortWriter(chunk: number): JournalStorage & { calls: number } {
  const storage = {
    calls: 0,
    async write(handle: FileHandle, bytes: Uint8Array, position: number) {
      storage.calls += 1;
      return NODE_STORAGE.write(handle, bytes.subarray(0, Math.min(chunk, bytes.length)), position);
    },
    datasync: NODE_STORAGE.datasync,
  };
  return storage;
}

test('writeFully retries short writes until every byte is written', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'f');
    const handle = await open(path, 'w');
    const storage = shortWriter(3);
    const bytes = Buffer.from('0123456789');
    await writeFully(storage, handle, bytes, 5);
    await handle.close();
    assert.is(storage.calls, 4);
    assert.equal((await readFile(path)).subarray(5), bytes);
  });
});

test('writeFully gives up after the bounded number of short writes', async () => {
  await withTempDir(async (dir) => {
    const handle = await open(join(dir, 'f'), 'w');
    const bytes = new Uint8Array(JOURNAL_LIMITS.shortWritesMax + 1);
    try {
      await writeFully(shortWriter(1), handle, bytes, 0);
      assert.unreachable('must fail');
    } catch (error) {
      assert.match((error as Error).message, /short write/);
    } finally {
      await handle.close();
    }
  });
});

test('writeFileAtomically replaces the file whole and leaves no temporary file', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'state.snap');
    await writeFile(path, 'old contents');
    await writeFileAtomically(path, Buffer.from('new'));
    assert.is(await readFile(path, 'utf8'), 'new');
    assert.equal(await readdir(dir), ['state.snap']);
    await fsyncDirectory(dir);
  });
});

test.run();
