// The deterministic workload shared by the crash driver (child) and the crash harness (parent):
// the command at each sequence is a function of the seed and the sequence alone, so the parent
// can check every recovered record, and the state is a hash folded over the commands.
import { createHash } from 'node:crypto';
import { prng, testKey } from './helpers.js';

export function crashKey(): Uint8Array {
  return testKey(31);
}

export function crashCommand(seed: number, sequence: number): Buffer {
  const random = prng((seed * 0x9e3779b1 + sequence) >>> 0);
  const length = random.int(8) === 0 ? 4 + random.int(6000) : 4 + random.int(300);
  const command = Buffer.from(random.bytes(length));
  command.writeUInt32BE(sequence >>> 0, 0);
  return command;
}

export function foldCommand(state: Uint8Array, command: Uint8Array): Buffer {
  return createHash('sha256').update(state).update(command).digest();
}

/** The state after commands 1..sequence, computed from scratch (incrementally cached per seed). */
export class ExpectedStates {
  readonly #seed: number;
  readonly #states: Buffer[] = [Buffer.alloc(32)];

  constructor(seed: number) {
    this.#seed = seed;
  }

  at(sequence: number): Buffer {
    for (let next = this.#states.length; next <= sequence; next++) this.#states.push(foldCommand(this.#states[next - 1]!, crashCommand(this.#seed, next)));
    return this.#states[sequence]!;
  }
}
