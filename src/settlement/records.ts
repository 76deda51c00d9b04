// The lifecycle records settlement persists (sealed by the enclave's journal) before acting on
// them, the interface of the store that keeps them, a text codec for stores that keep bytes, and
// an in-memory store for tests. State at restart is the fold of these records.
import { CodedError, type ErrorName } from '../errors/index.js';
import type { AccountHex, DepositObserved } from '../xcmp/connector.js';
import type { Batch, Hex32 } from './batch.js';

export const SETTLEMENT_MAX_RECORD_CHARS = 16 * 1024 * 1024;

export type FailureName = Extract<ErrorName, 'SETTLEMENT_DELIVERY_REFUSED' | 'SETTLEMENT_EXECUTION_FAILED' | 'SETTLEMENT_CONFIRM_TIMEOUT'>;
const FAILURES: readonly FailureName[] = ['SETTLEMENT_DELIVERY_REFUSED', 'SETTLEMENT_EXECUTION_FAILED', 'SETTLEMENT_CONFIRM_TIMEOUT'];

/** One step in the life of a batch, a message or a deposit. */
export type SettlementRecord =
  /** A sealed batch; all its messages start 'pending'. Written before anything is sent. */
  | { readonly type: 'batch'; readonly batch: Batch }
  /** A deposit credited to `deposit.from`; its reference is never credited again. */
  | { readonly type: 'deposit'; readonly deposit: DepositObserved }
  /**
   * Attempt `attempt` of a message is being handed to the chain. Written before the extrinsic
   * goes out, so after a crash the message is treated as possibly in flight, never as unsent.
   * validUntil: the deadline handed to the chain (origin block); absent in records written
   * before deadlines existed, whose attempts are never taken for dead.
   */
  | { readonly type: 'submitted'; readonly batchId: Hex32; readonly index: number; readonly attempt: number; readonly atMs: number; readonly validUntil?: number }
  /** The destination executed the message (matched by topic). Final. */
  | { readonly type: 'confirmed'; readonly batchId: Hex32; readonly index: number; readonly reference: string; readonly atMs: number }
  /** Attempt `attempt` failed; `reference` names the chain's failure record when there is one. */
  | { readonly type: 'failed'; readonly batchId: Hex32; readonly index: number; readonly attempt: number; readonly error: FailureName; readonly reason: string; readonly reference: string | null; readonly atMs: number }
  /** After reconciling (topic not executed), attempt `attempt` begins. */
  | { readonly type: 'retried'; readonly batchId: Hex32; readonly index: number; readonly attempt: number; readonly atMs: number }
  /** An operator allowed `maxAttempts` more attempts of an exhausted message. */
  | { readonly type: 'rearmed'; readonly batchId: Hex32; readonly index: number; readonly atMs: number }
  /**
   * Given up for good: every attempt is provably dead (the last deadline passed on finalized
   * block `finalizedHeight`, the topic absent). Its payouts and fee budget return to the internal
   * ledger; the enclave credits the payouts back to the traders. Final.
   */
  | { readonly type: 'abandoned'; readonly batchId: Hex32; readonly index: number; readonly attempt: number; readonly finalizedHeight: number; readonly atMs: number };

/** Where records go; the enclave's sealed journal implements it. Append resolves once durable. */
export interface SettlementStore {
  append(record: SettlementRecord): Promise<void>;
  /** Every record appended so far, in order. */
  load(): Promise<readonly SettlementRecord[]>;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('hex') };
  return value;
}

const DIGITS = /^-?(0|[1-9][0-9]*)$/;
const HEX = /^([0-9a-f]{2})*$/;

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = value as { $bigint?: unknown; $bytes?: unknown };
    const keys = Object.keys(value);
    if (keys.length === 1 && typeof tagged.$bigint === 'string') {
      if (!DIGITS.test(tagged.$bigint)) throw new CodedError('SETTLEMENT_RECORD_INVALID', 'bad bigint');
      return BigInt(tagged.$bigint);
    }
    if (keys.length === 1 && typeof tagged.$bytes === 'string') {
      if (!HEX.test(tagged.$bytes)) throw new CodedError('SETTLEMENT_RECORD_INVALID', 'bad bytes');
      return Uint8Array.from(Buffer.from(tagged.$bytes, 'hex'));
    }
  }
  return value;
}

export function encodeRecord(record: SettlementRecord): string {
  return JSON.stringify(record, replacer);
}

const HEX32 = /^0x[0-9a-f]{64}$/;
const isIndex = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isAtMs = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

/** Parses and shape-checks a record; batch contents are verified against their id by the service. */
export function decodeRecord(text: string): SettlementRecord {
  if (typeof text !== 'string' || text.length > SETTLEMENT_MAX_RECORD_CHARS) throw new CodedError('SETTLEMENT_RECORD_INVALID', 'not a string of acceptable size');
  let value: unknown;
  try { value = JSON.parse(text, reviver); } catch (error) {
    if (error instanceof CodedError) throw error;
    throw new CodedError('SETTLEMENT_RECORD_INVALID', 'not JSON');
  }
  const record = value as Partial<Record<string, unknown>> | null;
  const fail = (what: string): never => { throw new CodedError('SETTLEMENT_RECORD_INVALID', what); };
  if (record === null || typeof record !== 'object') return fail('not an object');
  const messageRef = (): void => {
    if (typeof record['batchId'] !== 'string' || !HEX32.test(record['batchId'])) fail('batchId');
    if (!isIndex(record['index'])) fail('index');
    if (!isAtMs(record['atMs'])) fail('atMs');
  };
  switch (record['type']) {
    case 'batch': {
      const batch = record['batch'] as Partial<Batch> | undefined;
      if (!batch || typeof batch.id !== 'string' || !HEX32.test(batch.id) || !Array.isArray(batch.messages) || !Array.isArray(batch.ledgerChanges) || !Array.isArray(batch.withdrawals) || !(batch.signature instanceof Uint8Array)) fail('batch');
      break;
    }
    case 'deposit': {
      const deposit = record['deposit'] as Partial<DepositObserved> | undefined;
      if (!deposit || typeof deposit.chain !== 'string' || typeof deposit.asset !== 'string' || typeof deposit.reference !== 'string' || typeof deposit.amount !== 'bigint' || typeof deposit.from !== 'string' || !/^0x[0-9a-f]{64}$/.test(deposit.from as AccountHex)) fail('deposit');
      break;
    }
    case 'submitted':
      messageRef();
      if (!isIndex(record['attempt']) || (record['validUntil'] !== undefined && !isIndex(record['validUntil']))) fail('submitted');
      break;
    case 'abandoned':
      messageRef();
      if (!isIndex(record['attempt']) || !isIndex(record['finalizedHeight'])) fail('abandoned');
      break;
    case 'confirmed':
      messageRef();
      if (typeof record['reference'] !== 'string') fail('confirmed');
      break;
    case 'failed':
      messageRef();
      if (!isIndex(record['attempt']) || !FAILURES.includes(record['error'] as FailureName) || typeof record['reason'] !== 'string' || (record['reference'] !== null && typeof record['reference'] !== 'string')) fail('failed');
      break;
    case 'retried':
      messageRef();
      if (!isIndex(record['attempt'])) fail('retried');
      break;
    case 'rearmed':
      messageRef();
      break;
    default:
      fail(`unknown type ${JSON.stringify(record['type'])}`);
  }
  return record as SettlementRecord;
}

/** Keeps encoded records in memory, so every test round-trips them through the codec as a real store would. */
export class MemorySettlementStore implements SettlementStore {
  private readonly lines: string[] = [];

  async append(record: SettlementRecord): Promise<void> {
    const line = encodeRecord(record);
    decodeRecord(line);
    this.lines.push(line);
  }

  async load(): Promise<readonly SettlementRecord[]> {
    return this.lines.map(decodeRecord);
  }

  /** The stored text, for tests that inspect or tamper with it. */
  get encoded(): readonly string[] {
    return this.lines;
  }

  /** Overwrites a stored line (tests of tampering). */
  overwrite(index: number, line: string): void {
    this.lines[index] = line;
  }

  /** Drops every line from `length` on (tests of a crash before later appends became durable). */
  truncate(length: number): void {
    this.lines.splice(length);
  }
}
