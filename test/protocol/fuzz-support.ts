// Seeded randomness, edge-biased byte mutations and the rejection check shared by the
// channel's parser fuzzers. Every run is reproducible: a failure names its seed and case,
// and FUZZ_SEED=<seed> replays it.
import { CodedError } from '../../src/errors/index.js';

export interface Random {
  /** A uniform 32-bit unsigned integer. */
  u32(): number;
  /** A uniform integer in [0, bound). */
  below(bound: number): number;
  bytes(length: number): Uint8Array;
  pick<T>(items: readonly T[]): T;
}

/** sfc32: small, fast, and good enough to drive fuzzers; never used for keys. */
export function seededRandom(seed: number): Random {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 16; i++) u32();
  const below = (bound: number): number => Math.floor((u32() / 2 ** 32) * bound);
  return {
    u32,
    below,
    bytes(length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = u32() & 0xff;
      return out;
    },
    pick(items) {
      return items[below(items.length)]!;
    },
  };
}

/** The seed a fuzzer uses: FUZZ_SEED when set, else its fixed default. */
export function fuzzSeed(defaultSeed: number): number {
  const fromEnvironment = process.env.FUZZ_SEED;
  return fromEnvironment === undefined ? defaultSeed : Number(fromEnvironment) >>> 0;
}

const EDGE_BYTES = [0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0xfe, 0xff];
export const EDGE_U32 = [0, 1, 2, 3, 0x7f, 0xff, 0x100, 0xffff, 0x10000, 255, 256, 260, 271, 272, 273, 1040, 4112, 16383, 16384, 16400, 16401, 2 ** 24, 2 ** 24 + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
const MAX_MUTATION_ROUNDS = 3;

/**
 * A copy of `original` changed by one to three edge-biased mutations, never equal to it.
 * `fieldOffsets` marks where the format has bytes and u32s worth aiming at.
 */
export function mutate(original: Uint8Array, random: Random, fieldOffsets: readonly number[] = []): Uint8Array {
  let bytes: Uint8Array = original.slice();
  const rounds = 1 + random.below(MAX_MUTATION_ROUNDS);
  for (let round = 0; round < rounds; round++) bytes = mutateOnce(bytes, random, fieldOffsets);
  if (bytes.length === original.length && bytes.every((byte, i) => byte === original[i])) {
    if (bytes.length === 0) return Uint8Array.of(random.u32() & 0xff);
    const at = random.below(bytes.length);
    bytes[at] = bytes[at]! ^ (1 << random.below(8));
  }
  return bytes;
}

function offsetIn(bytes: Uint8Array, random: Random, fieldOffsets: readonly number[]): number {
  const aimed = fieldOffsets.filter((offset) => offset < bytes.length);
  return aimed.length > 0 && random.below(2) === 0 ? random.pick(aimed) : random.below(Math.max(1, bytes.length));
}

function mutateOnce(bytes: Uint8Array, random: Random, fieldOffsets: readonly number[]): Uint8Array {
  switch (random.below(9)) {
    case 0: { // flip one bit
      if (bytes.length === 0) return bytes;
      const at = offsetIn(bytes, random, fieldOffsets);
      bytes[at] = bytes[at]! ^ (1 << random.below(8));
      return bytes;
    }
    case 1: { // an edge byte value
      if (bytes.length === 0) return bytes;
      bytes[offsetIn(bytes, random, fieldOffsets)] = random.pick(EDGE_BYTES);
      return bytes;
    }
    case 2: { // truncate, biased to the very short and the almost whole
      const cut = random.pick([0, 1, 2, bytes.length - 1, bytes.length - 16, random.below(bytes.length + 1)]);
      return bytes.subarray(0, Math.max(0, Math.min(bytes.length, cut))).slice();
    }
    case 3: { // extend
      const extra = random.pick([1, 2, 16, random.below(64) + 1]);
      const out = new Uint8Array(bytes.length + extra);
      out.set(bytes);
      out.set(random.bytes(extra), bytes.length);
      return out;
    }
    case 4: { // an edge u32 over a field
      if (bytes.length < 4) return bytes;
      const at = Math.min(offsetIn(bytes, random, fieldOffsets), bytes.length - 4);
      const value = random.pick(EDGE_U32);
      bytes[at] = value >>> 24; bytes[at + 1] = (value >>> 16) & 0xff; bytes[at + 2] = (value >>> 8) & 0xff; bytes[at + 3] = value & 0xff;
      return bytes;
    }
    case 5: // random bytes of an edge-biased length
      return random.bytes(random.pick([0, 1, 2, 31, bytes.length - 1, bytes.length, bytes.length + 1, random.below(2 * bytes.length + 2)].map((n) => Math.max(0, n))));
    case 6: { // duplicate a range in place
      if (bytes.length < 2) return bytes;
      const from = random.below(bytes.length);
      const length = 1 + random.below(Math.min(32, bytes.length - from));
      const at = random.below(bytes.length + 1);
      const out = new Uint8Array(bytes.length + length);
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(from, from + length), at);
      out.set(bytes.subarray(at), at + length);
      return out;
    }
    case 7: { // zero a range
      if (bytes.length === 0) return bytes;
      const from = random.below(bytes.length);
      bytes.fill(0, from, from + 1 + random.below(32));
      return bytes;
    }
    default: { // random garbage over a range
      if (bytes.length === 0) return bytes;
      const from = offsetIn(bytes, random, fieldOffsets);
      const length = Math.min(bytes.length - from, 1 + random.below(16));
      bytes.set(random.bytes(length), from);
      return bytes;
    }
  }
}

/**
 * Runs `action` and returns the CodedError it throws; fails (naming the case) if it returns,
 * throws anything else, or throws a code outside [lowCode, highCode].
 */
export function expectCodedRejection(action: () => unknown, lowCode: number, highCode: number): CodedError {
  let result: unknown;
  try {
    result = action();
  } catch (error) {
    if (!(error instanceof CodedError)) throw new Error(`not a coded error: ${error instanceof Error ? error.stack : String(error)}`);
    if (error.code < lowCode || error.code > highCode) throw new Error(`code ${error.code} (${error.errorName}) outside ${lowCode}..${highCode}`);
    return error;
  }
  throw new Error(`accepted instead of rejected: ${String(result)}`);
}

/** Runs `count` fuzz cases; a failure reports the seed, the case number and the input. */
export function runFuzz(name: string, seed: number, count: number, fuzzCase: (random: Random) => { input: Uint8Array; check: () => void }): number {
  const random = seededRandom(seed);
  for (let index = 0; index < count; index++) {
    const { input, check } = fuzzCase(random);
    try {
      check();
    } catch (error) {
      const hex = Buffer.from(input.subarray(0, 512)).toString('hex');
      throw new Error(`fuzz ${name} failed at case ${index} with seed ${seed} (rerun with FUZZ_SEED=${seed}); input ${hex}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return count;
}
