// INVARIANT: scanning a segment yields only records that verify, in order; whatever the bytes
// on disk, a scan either yields a prefix of the records that were sealed (cutting at most a
// torn tail) or stops with a coded journal error: never a forged record, never another error.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import { FileJournal } from '../../../src/enclave/journal/file-journal.js';
import { JOURNAL_LIMITS } from '../../../src/enclave/journal/limits.js';
import { GENESIS_CHAIN_MAC, deriveJournalKeys } from '../../../src/enclave/journal/sealing.js';
import { emptyScan, scanSegment, type SegmentExpectation } from '../../../src/enclave/journal/segment-reader.js';
import { codedFailure, payloadFor, prng, testKey, withTempDir } from './helpers.js';

const KEY = testKey(4);
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 51);
const keys = deriveJournalKeys(KEY);
const OPEN: SegmentExpectation = { prevMac: GENESIS_CHAIN_MAC, baseSequence: 1, tailMayBeTorn: true, recordBytesMax: JOURNAL_LIMITS.recordBytesMax };

async function oneSegment(dir: string, count: number): Promise<{ path: string; chain: string[] }> {
  const journal = await FileJournal.open({ directory: dir, sealingKey: KEY });
  const receipts = await Promise.all(Array.from({ length: count }, (_, index) => journal.append([payloadFor(index + 1, FUZZ_SEED)])));
  await journal.close();
  const [name] = (await readdir(dir)).filter((entry) => entry.endsWith('.journal'));
  return { path: join(dir, name!), chain: receipts.map((receipt) => Buffer.from(receipt.chainMac).toString('hex')) };
}

async function scanAll(path: string, expectation: SegmentExpectation): Promise<{ sequences: number[]; macs: string[]; scan: ReturnType<typeof emptyScan> }> {
  const scan = emptyScan();
  const sequences: number[] = [];
  const macs: string[] = [];
  for await (const frame of scanSegment(path, 'segment', keys, expectation, scan)) {
    sequences.push(frame.sequence);
    macs.push(Buffer.from(frame.chainMac).toString('hex'));
  }
  return { sequences, macs, scan };
}

test('a clean segment scans whole; lastSequence stops the scan early', async () => {
  await withTempDir(async (dir) => {
    const { path, chain } = await oneSegment(dir, 25);
    const full = await scanAll(path, OPEN);
    assert.equal(full.sequences, Array.from({ length: 25 }, (_, index) => index + 1));
    assert.equal(full.macs, chain);
    assert.is(full.scan.validBytes, (await readFile(path)).length);
    assert.is(full.scan.tornBytes, 0);
    assert.is(full.scan.lastSequence, 25);
    const part = await scanAll(path, { ...OPEN, lastSequence: 10 });
    assert.is(part.sequences.length, 10);
  });
});

test('a segment that does not continue the expected chain or sequence is refused', async () => {
  await withTempDir(async (dir) => {
    const { path } = await oneSegment(dir, 3);
    await codedFailure(() => scanAll(path, { ...OPEN, baseSequence: 2 }), 'JOURNAL_SEQUENCE_BROKEN');
    await codedFailure(() => scanAll(path, { ...OPEN, prevMac: new Uint8Array(32).fill(1) }), 'JOURNAL_TAMPERED');
    const wrongKeys = deriveJournalKeys(testKey(5));
    await codedFailure(async () => {
      for await (const frame of scanSegment(path, 'segment', wrongKeys, OPEN, emptyScan())) assert.unreachable(`yielded ${frame.sequence}`);
    }, 'JOURNAL_WRONG_KEY');
  });
});

test(`fuzz: mutated segments yield a verified prefix or a coded error (seed ${FUZZ_SEED})`, async () => {
  await withTempDir(async (dir) => {
    const { path, chain } = await oneSegment(dir, 12);
    const original = await readFile(path);
    const random = prng(FUZZ_SEED);
    for (let round = 0; round < 250; round++) {
      const bytes = Buffer.from(original);
      let mutated: Buffer = bytes;
      const kind = random.int(5);
      const at = random.int(bytes.length);
      if (kind === 0) bytes[at]! ^= 1 << random.int(8);
      else if (kind === 1) mutated = bytes.subarray(0, at);
      else if (kind === 2) mutated = Buffer.concat([bytes.subarray(0, at), Buffer.from(random.bytes(1 + random.int(80)))]);
      else if (kind === 3) mutated = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + random.int(100)))]);
      else mutated = Buffer.concat([bytes, Buffer.from(random.bytes(1 + random.int(200)))]);
      await writeFile(path, mutated);
      const tailMayBeTorn = random.int(2) === 0;
      const context = `seed ${FUZZ_SEED} round ${round} kind ${kind} at ${at}`;
      try {
        const result = await scanAll(path, { ...OPEN, tailMayBeTorn });
        assert.equal(result.macs, chain.slice(0, result.macs.length), `only original records, in order: ${context}`);
        assert.is(result.scan.validBytes + result.scan.tornBytes, mutated.length, context);
        if (!tailMayBeTorn) assert.is(result.scan.tornBytes, 0, context);
      } catch (error) {
        if (!isCodedError(error)) throw new Error(`${context}: ${String(error)}`);
        assert.ok(error.errorName.startsWith('JOURNAL_'), context);
      }
    }
  });
});

test.run();
