// INVARIANT: settlement's lifecycle records survive a restart exactly, in order, and a host that
// alters, drops or reorders them stops the store from opening instead of misleading settlement.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SealedSettlementStore } from '../../src/enclave/sealed-settlement-store.js';
import { isCodedError } from '../../src/errors/index.js';
import type { SettlementRecord } from '../../src/settlement/records.js';

const BATCH = `0x${'ab'.repeat(32)}` as const;
const RECORDS: SettlementRecord[] = [
  { type: 'deposit', deposit: { chain: 'para:1000', asset: 'DOT', from: `0x${'01'.repeat(32)}`, amount: (1n << 100n) + 7n, reference: 'para:1000#3-0' } },
  { type: 'submitted', batchId: BATCH, index: 0, attempt: 1, atMs: 1_000 },
  { type: 'confirmed', batchId: BATCH, index: 0, reference: 'para:1000:0xfeed-x1', atMs: 2_000 },
];

test('records come back after a restart, equal and in order', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'settlement-store-'));
  const key = randomBytes(32);
  try {
    const store = await SealedSettlementStore.open(directory, key);
    assert.equal(await store.load(), []);
    for (const record of RECORDS) await store.append(record);
    await store.close();
    const reopened = await SealedSettlementStore.open(directory, key);
    assert.equal(await reopened.load(), RECORDS);
    await reopened.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('nothing readable on disk, and an altered record or another key stops the open', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'settlement-store-'));
  const key = randomBytes(32);
  try {
    const store = await SealedSettlementStore.open(directory, key);
    for (const record of RECORDS) await store.append(record);
    await store.close();
    const segment = join(directory, readdirSync(directory).find((name) => !name.startsWith('.'))!);
    const bytes = readFileSync(segment);
    assert.not.ok(bytes.includes(Buffer.from('para:1000#3-0')), 'records are sealed');
    const wrongKey = await SealedSettlementStore.open(directory, randomBytes(32)).then(() => undefined, (error: unknown) => error);
    assert.ok(isCodedError(wrongKey), 'another key is refused with a coded error');
    const altered = Buffer.from(bytes);
    altered[altered.length - 40]! ^= 0x01;
    writeFileSync(segment, altered);
    const opened = await SealedSettlementStore.open(directory, key).then(async (s) => { try { return await s.load(); } finally { await s.close(); } }, (error: unknown) => error);
    assert.ok(isCodedError(opened, 'JOURNAL_TAMPERED'), 'an altered record stops the open with JOURNAL_TAMPERED');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test.run();
