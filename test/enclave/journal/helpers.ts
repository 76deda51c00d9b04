// Shared fixtures for the journal tests: temporary directories, a seeded PRNG, test keys, and
// a JournalStorage that counts, delays, gates or fails writes and syncs.
import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCodedError, type ErrorName } from '../../../src/errors/index.js';
import { NODE_STORAGE, type JournalStorage } from '../../../src/enclave/journal/durable-fs.js';

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'journal-test-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** mulberry32: small, seeded, good enough for test data and fault positions. */
export function prng(seed: number): { next(): number; int(below: number): number; bytes(length: number): Uint8Array } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (below) => Math.floor(next() * below),
    bytes: (length) => {
      const out = new Uint8Array(length);
      for (let index = 0; index < length; index++) out[index] = Math.floor(next() * 256);
      return out;
    },
  };
}

export function testKey(label: number): Uint8Array {
  return new Uint8Array(32).map((_, index) => (index * 31 + label * 7 + 1) & 0xff);
}

/** A storage that counts calls and can delay, hold or fail datasync. */
export class InstrumentedStorage implements JournalStorage {
  writes = 0;
  datasyncs = 0;
  /** Completed datasyncs, in order. */
  datasyncsDone = 0;
  delayMs = 0;
  failNextDatasync: Error | undefined;
  #gate: Promise<void> | undefined;
  #openGate: (() => void) | undefined;

  async write(handle: FileHandle, bytes: Uint8Array, position: number): Promise<number> {
    this.writes += 1;
    return NODE_STORAGE.write(handle, bytes, position);
  }

  async datasync(handle: FileHandle): Promise<void> {
    this.datasyncs += 1;
    if (this.failNextDatasync) {
      const error = this.failNextDatasync;
      this.failNextDatasync = undefined;
      throw error;
    }
    await NODE_STORAGE.datasync(handle);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.#gate) await this.#gate;
    this.datasyncsDone += 1;
  }

  /** Holds every datasync until release() is called. */
  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#openGate = resolve;
    });
  }

  release(): void {
    this.#openGate?.();
    this.#gate = undefined;
  }
}

/** Runs `body` and returns the CodedError it throws (or rejects with); fails if it succeeds or throws anything else. */
export async function codedFailure(body: () => unknown, name: ErrorName): Promise<Error> {
  try {
    await body();
  } catch (error) {
    if (isCodedError(error, name)) return error;
    throw new Error(`expected ${name}, got ${error instanceof Error ? error.message : String(error)}`);
  }
  throw new Error(`expected ${name}, but it succeeded`);
}

export function payloadFor(sequence: number, seed: number): Uint8Array {
  const random = prng(sequence * 2654435761 + seed);
  return random.bytes(1 + random.int(600));
}

export const ticks = (count: number): Promise<void> => new Promise((resolve) => {
  let left = count;
  const step = (): void => {
    left -= 1;
    if (left <= 0) resolve();
    else setImmediate(step);
  };
  setImmediate(step);
});

/** Waits until `condition` holds (polling each millisecond), failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, label: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
