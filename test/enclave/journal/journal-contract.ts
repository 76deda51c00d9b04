// The behaviour every Journal implementation owes its callers, as a reusable uvu suite: the
// file journal runs it in journal.test.ts, and a replicated journal is to run the same suite.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Journal } from '../../../src/enclave/journal/journal.js';
import { codedFailure, payloadFor, withTempDir } from './helpers.js';

const SEED = 99;

/** Opens a fresh, empty journal whose store lives under `dir`. */
export type OpenEmptyJournal = (dir: string) => Promise<Journal>;

async function collect(journal: Journal, from: number): Promise<{ sequence: number; payload: Uint8Array; chainMac: Uint8Array }[]> {
  const out = [];
  for await (const record of journal.readFrom(from)) out.push(record);
  return out;
}

export function journalContract(name: string, openEmpty: OpenEmptyJournal): ReturnType<typeof suite> {
  const contract = suite(`Journal contract: ${name}`);

  contract('append admits synchronously and assigns consecutive sequences at once', () => withTempDir(async (dir) => {
    const journal = await openEmpty(dir);
    assert.is(journal.nextSequence, 1);
    const first = journal.append([payloadFor(1, SEED), payloadFor(2, SEED)]);
    assert.is(journal.nextSequence, 3, 'assigned before the promise settles');
    const second = journal.append([payloadFor(3, SEED)]);
    assert.is(journal.nextSequence, 4);
    const [a, b] = await Promise.all([first, second]);
    assert.equal([a.firstSequence, a.lastSequence, b.firstSequence, b.lastSequence], [1, 2, 3, 3]);
    assert.is(journal.durableSequence, 3);
    await journal.close();
  }));

  contract('a refused append throws synchronously and assigns nothing', () => withTempDir(async (dir) => {
    const journal = await openEmpty(dir);
    await journal.append([payloadFor(1, SEED)]);
    assert.throws(() => journal.append([new Uint8Array(10 * 1024 * 1024)]), /JOURNAL_RECORD_TOO_LARGE/);
    assert.is(journal.nextSequence, 2);
    await journal.close();
  }));

  contract('sync covers everything admitted before it; readFrom yields durable records in order', () => withTempDir(async (dir) => {
    const journal = await openEmpty(dir);
    for (let sequence = 1; sequence <= 50; sequence++) void journal.append([payloadFor(sequence, SEED)]);
    await journal.sync();
    assert.is(journal.durableSequence, 50);
    const records = await collect(journal, 1);
    assert.equal(records.map((record) => record.sequence), Array.from({ length: 50 }, (_, index) => index + 1));
    for (const record of records) assert.equal(Buffer.from(record.payload), Buffer.from(payloadFor(record.sequence, SEED)));
    assert.is((await collect(journal, 40)).length, 11);
    assert.is((await collect(journal, 51)).length, 0);
    await journal.close();
  }));

  contract('anchors, receipts and read records agree on the chain value', () => withTempDir(async (dir) => {
    const journal = await openEmpty(dir);
    const receipts = [];
    for (let sequence = 1; sequence <= 5; sequence++) receipts.push(await journal.append([payloadFor(sequence, SEED)]));
    const records = await collect(journal, 1);
    for (const [index, receipt] of receipts.entries()) {
      const anchor = await journal.anchorAt(receipt.lastSequence);
      assert.equal(Buffer.from(anchor.chainMac), Buffer.from(receipt.chainMac));
      assert.equal(Buffer.from(records[index]!.chainMac), Buffer.from(receipt.chainMac));
    }
    assert.is(new Set(receipts.map((receipt) => Buffer.from(receipt.chainMac).toString('hex'))).size, 5);
    await journal.close();
  }));

  contract('pruning never removes the last durable record', () => withTempDir(async (dir) => {
    const journal = await openEmpty(dir);
    for (let sequence = 1; sequence <= 20; sequence++) void journal.append([payloadFor(sequence, SEED)]);
    await journal.sync();
    await journal.pruneThrough(1_000);
    assert.ok(journal.firstSequence <= 20);
    assert.equal((await collect(journal, 20)).map((record) => record.sequence), [20]);
    await journal.close();
  }));

  contract('close waits for pending appends; afterwards appends are refused', () => withTempDir(async (dir) => {
    const journal = await openEmpty(dir);
    const pending = journal.append([payloadFor(1, SEED)]);
    await journal.close();
    assert.is((await pending).lastSequence, 1);
    await codedFailure(() => journal.append([payloadFor(2, SEED)]), 'JOURNAL_CLOSED');
  }));

  return contract;
}
