// The few file operations durability depends on, done the careful way once: full writes,
// fdatasync, fsync of the directory after creating or renaming a file, atomic replacement.
// The write and sync of the hot path go through an injectable `JournalStorage`, so tests can
// count, delay and fail them without touching the real disk's behaviour.
import { randomBytes } from 'node:crypto';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JOURNAL_LIMITS } from './limits.js';

/** The hot-path I/O of a journal: positional write and data sync of an open segment file. */
export interface JournalStorage {
  /** Writes bytes at a position; resolves to the number of bytes written (may be short). */
  write(handle: FileHandle, bytes: Uint8Array, position: number): Promise<number>;
  /** Makes written data durable (fdatasync). */
  datasync(handle: FileHandle): Promise<void>;
}

export const NODE_STORAGE: JournalStorage = {
  async write(handle, bytes, position) {
    const { bytesWritten } = await handle.write(bytes, 0, bytes.length, position);
    return bytesWritten;
  },
  datasync(handle) {
    return handle.datasync();
  },
};

/** Writes every byte, retrying short writes a bounded number of times. */
export async function writeFully(storage: JournalStorage, handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let written = 0;
  for (let attempt = 0; attempt < JOURNAL_LIMITS.shortWritesMax && written < bytes.length; attempt++) {
    written += await storage.write(handle, bytes.subarray(written), position + written);
  }
  if (written !== bytes.length) throw new Error(`short write: ${written} of ${bytes.length} bytes after ${JOURNAL_LIMITS.shortWritesMax} attempts`);
}

/** Makes a directory's entries (created, renamed, removed files) durable. */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `bytes` so that after a crash either the old or the new file is
 * there in full: write a temporary file, fsync it, rename over the target, fsync the directory.
 */
export async function writeFileAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporaryPath = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporaryPath, 'w');
  try {
    await writeFully(NODE_STORAGE, handle, bytes, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporaryPath, path);
  await fsyncDirectory(dirname(path));
}
