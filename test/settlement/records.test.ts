// INVARIANT: every record survives the store codec unchanged, and malformed stored text is a
// coded error, never a crash or a silently different record.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { MemorySettlementStore, decodeRecord, encodeRecord, type SettlementRecord } from '../../src/settlement/records.js';

const batchId = `0x${'ab'.repeat(32)}` as const;
const records: SettlementRecord[] = [
  { type: 'deposit', deposit: { chain: 'para:1000', asset: 'DOT', from: `0x${'01'.repeat(32)}`, amount: (1n << 100n) + 7n, reference: 'para:1000#3-0' } },
  { type: 'submitted', batchId, index: 2, attempt: 1, atMs: 1_700_000_000_000 },
  { type: 'failed', batchId, index: 2, attempt: 1, error: 'SETTLEMENT_CONFIRM_TIMEOUT', reason: 'no outcome', reference: null, atMs: 5 },
  { type: 'retried', batchId, index: 2, attempt: 2, atMs: 6 },
  { type: 'confirmed', batchId, index: 2, reference: 'para:1000#9-m0', atMs: 7 },
  { type: 'rearmed', batchId, index: 0, atMs: 8 },
  { type: 'submitted', batchId, index: 0, attempt: 4, atMs: 9, validUntil: 77 },
  { type: 'abandoned', batchId, index: 0, attempt: 4, finalizedHeight: 78, atMs: 10 },
  {
    type: 'batch',
    batch: {
      id: batchId, windowNumber: 0, openedAtMs: 0, closedAtMs: 1, fillCount: 1, lastTradeId: 't1', withdrawals: [],
      ledgerChanges: [{ chain: 'para:1000', asset: 'DOT', account: `0x${'02'.repeat(32)}`, delta: -3n }],
      messages: [{ index: 0, origin: 'para:1000', destination: 'para:1000', kind: 'execute', xcmVersion: 5, payouts: [], feeAsset: 'DOT', feeAtoms: 1n, topic: batchId, message: Uint8Array.of(5, 0) }],
      signature: new Uint8Array(64).fill(9),
    },
  },
];

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env['SEED'] ?? Date.now() % 1_000_000);

test('every record type round-trips, bigints and bytes included', async () => {
  for (const record of records) assert.equal(decodeRecord(encodeRecord(record)), record);
  const store = new MemorySettlementStore();
  for (const record of records) await store.append(record);
  assert.equal(await store.load(), records);
});

test('malformed text gets SETTLEMENT_RECORD_INVALID', () => {
  const bad = ['', 'null', '{}', '{"type":"nope"}', '{"type":"submitted","batchId":"0x12","index":0,"attempt":1,"atMs":0}',
    '{"type":"deposit","deposit":{"chain":"relay","asset":"DOT","from":"0x00","amount":{"$bigint":"1"},"reference":"r"}}',
    '{"type":"confirmed","batchId":"0x' + 'ab'.repeat(32) + '","index":-1,"reference":"r","atMs":0}',
    '{"type":"failed","batchId":"0x' + 'ab'.repeat(32) + '","index":0,"attempt":1,"error":"OTHER","reason":"","reference":null,"atMs":0}',
    '{"a":{"$bigint":"1.5"}}', '{"a":{"$bytes":"zz"}}'];
  for (const text of bad) {
    try { decodeRecord(text); assert.unreachable(text); } catch (error) { assert.ok(isCodedError(error, 'SETTLEMENT_RECORD_INVALID'), `${text}: ${String(error)}`); }
  }
});

test('fuzz: mutated records decode to a record or a coded error', () => {
  const random = mulberry32(SEED);
  const texts = records.map(encodeRecord);
  let refused = 0;
  for (let i = 0; i < 3_000; i++) {
    const chars = [...texts[i % texts.length]!];
    const at = Math.floor(random() * chars.length);
    if (random() < 0.5) chars[at] = String.fromCharCode(32 + Math.floor(random() * 95)); else chars.splice(at, 1 + Math.floor(random() * 5));
    try { decodeRecord(chars.join('')); } catch (error) {
      assert.ok(isCodedError(error, 'SETTLEMENT_RECORD_INVALID'), `seed ${SEED}, case ${i}: ${String(error)}`);
      refused++;
    }
  }
  assert.ok(refused > 100, `seed ${SEED}: mutations are caught (${refused})`);
});

test.run();
