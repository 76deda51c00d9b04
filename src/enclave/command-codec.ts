// The bytes the sequencer journals for one enclave command: its JSON without the stamp (the
// journal record carries sequence and logical time), with every bigint amount written as a
// decimal string under an `atoms` key. Replay decodes these bytes and restamps them, so the
// engine sees exactly the command it saw live.
import { CodedError } from '../errors/index.js';
import type { EnclaveCommand } from './engine.js';
import type { StampedCommand } from './sequencer.js';

/** A command before the sequencer stamps it. */
export type UnstampedCommand = EnclaveCommand extends infer C ? (C extends EnclaveCommand ? Omit<C, 'seq' | 'timeMs'> : never) : never;

/** The only key whose values are bigints, in every command shape. */
const BIGINT_KEY = 'atoms';
const ATOMS = /^-?(0|[1-9][0-9]{0,77})$/;
const KINDS: readonly string[] = ['trade', 'cancelAll', 'deposit', 'reference', 'auction', 'tick', 'closeWindow', 'payoutFailed', 'withdrawalFailed', 'settlementStep'];
const NS_PER_MS = 1_000_000n;

const decoder = new TextDecoder('utf-8', { fatal: true });

function bigintAsAtoms(key: string, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  if (key !== BIGINT_KEY) throw new Error(`assertion: bigint under key "${key}"; only "${BIGINT_KEY}" carries bigints`);
  return value.toString();
}

/** Kinds whose bodies can never hold a bigint, so they skip the (slow) replacer; the bytes are the same. */
const WITHOUT_BIGINTS: ReadonlySet<string> = new Set(['cancelAll', 'reference', 'auction', 'tick', 'closeWindow', 'settlementStep']);

/** UTF-8 JSON; small commands land in node's buffer pool rather than an allocation each. */
export function encodeCommand(command: UnstampedCommand): Uint8Array {
  const plain = WITHOUT_BIGINTS.has(command.kind) || (command.kind === 'trade' && !command.request.type.startsWith('funds.'));
  const pooled = Buffer.from(plain ? JSON.stringify(command) : JSON.stringify(command, bigintAsAtoms), 'utf8');
  return new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.length);
}

export function decodeCommandBody(bytes: Uint8Array): UnstampedCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes), (key, value: unknown) => {
      if (key !== BIGINT_KEY) return value;
      if (typeof value !== 'string' || !ATOMS.test(value)) throw new CodedError('RUNTIME_COMMAND_MALFORMED', 'atoms is not an integer string');
      return BigInt(value);
    });
  } catch (error) {
    if (error instanceof CodedError) throw error;
    throw new CodedError('RUNTIME_COMMAND_MALFORMED', 'not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || !KINDS.includes((parsed as { kind?: unknown }).kind as string)) {
    throw new CodedError('RUNTIME_COMMAND_MALFORMED', 'unknown kind');
  }
  return parsed as UnstampedCommand;
}

/** Logical milliseconds of a stamp: the sequencer's nanoseconds, floored. */
export function timeMsOf(logicalTimeNs: bigint): number {
  return Number(logicalTimeNs / NS_PER_MS);
}

/** The engine command a journal record stands for. */
export function decodeStamped(stamped: StampedCommand): EnclaveCommand {
  return stampCommand(decodeCommandBody(stamped.command), stamped);
}

export function stampCommand(body: UnstampedCommand, stamped: Pick<StampedCommand, 'sequence' | 'logicalTimeNs'>): EnclaveCommand {
  return { ...body, seq: stamped.sequence, timeMs: timeMsOf(stamped.logicalTimeNs) } as EnclaveCommand;
}
