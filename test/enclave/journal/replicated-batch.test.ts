// Batch ids and batch verification of the replicated journal: ids round-trip and anything
// else is refused; seeded fuzzing of ids and of stored batch bytes yields only coded errors,
// never a crash or an accepted forgery — only a cut at a frame boundary leaves a verified
// prefix, as cutting the end of any log does (a failing run prints its seed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import { formatBatchId, freshWriterTag, parseBatchId, verifyBatch } from '../../../src/enclave/journal/replicated-batch.js';
import { ReplicatedJournal } from '../../../src/enclave/journal/replicated-journal.js';
import { GENESIS_CHAIN_MAC, deriveJournalKeys } from '../../../src/enclave/journal/sealing.js';
import { JOURNAL_LIMITS } from '../../../src/enclave/journal/limits.js';
import { payloadFor, prng, testKey } from './helpers.js';
import { MemoryLog } from './memory-log.js';

const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 5_150);
const FUZZ_CASES = 3_000;
const KEY = testKey(14);

test('batch ids round-trip; malformed ones are refused', () => {
  const writer = freshWriterTag();
  assert.match(writer, /^[0-9a-f]{16}$/);
  const parts = { epoch: 7, writer, firstSequence: 123_456 };
  assert.equal(parseBatchId(formatBatchId(parts)), parts);
  for (const bad of ['', '0.0123456789abcdef.1', '1.0123456789abcdef.0', '1.0123456789ABCDEF.1', '1.0123.1', '1.0123456789abcdef', `1.0123456789abcdef.${'9'.repeat(17)}`, ' 1.0123456789abcdef.1', '1.0123456789abcdef.1\n']) {
    assert.is(parseBatchId(bad), undefined, JSON.stringify(bad));
  }
});

test(`fuzzed batch ids never throw (seed ${FUZZ_SEED})`, () => {
  const random = prng(FUZZ_SEED);
  const alphabet = '0123456789abcdef.-xX ';
  for (let index = 0; index < FUZZ_CASES; index++) {
    const length = random.int(40);
    let id = '';
    for (let char = 0; char < length; char++) id += alphabet[random.int(alphabet.length)];
    const parsed = parseBatchId(id);
    if (parsed !== undefined) assert.is(formatBatchId(parsed), id, `seed ${FUZZ_SEED} case ${index}`);
  }
});

test(`fuzzed batch bytes are refused with coded errors only (seed ${FUZZ_SEED})`, async () => {
  const log = new MemoryLog();
  const journal = await ReplicatedJournal.open({ log, sealingKey: KEY });
  for (let sequence = 1; sequence <= 8; sequence++) void journal.append([payloadFor(sequence, FUZZ_SEED)]);
  await journal.sync();
  await journal.close();
  const batch = log.batches[0]!;
  const keys = deriveJournalKeys(KEY);
  const verified = verifyBatch(keys, batch, 1, GENESIS_CHAIN_MAC, JOURNAL_LIMITS.recordBytesMax);
  assert.is(verified.lastSequence, 8);
  const random = prng(FUZZ_SEED + 1);
  for (let index = 0; index < FUZZ_CASES; index++) {
    const bytes = Buffer.from(batch.bytes);
    const kind = random.int(3);
    let mutated: Uint8Array = bytes;
    if (kind === 0) bytes[random.int(bytes.length)] ^= 1 << random.int(8);
    else if (kind === 1) mutated = bytes.subarray(0, random.int(bytes.length));
    else mutated = Buffer.concat([bytes, random.bytes(1 + random.int(64))]);
    try {
      const accepted = verifyBatch(keys, { ...batch, bytes: mutated }, 1, GENESIS_CHAIN_MAC, JOURNAL_LIMITS.recordBytesMax);
      // Cutting a batch at a frame boundary leaves a valid prefix (like cutting the log's end);
      // the next batch's first sequence or a snapshot's anchor exposes it. Nothing else verifies.
      assert.ok(kind === 1 && accepted.lastSequence < verified.lastSequence, `seed ${FUZZ_SEED} case ${index}: a mutated batch verified`);
      assert.equal(Buffer.from(accepted.endChainMac), Buffer.from(verified.frames[accepted.lastSequence - 1]!.chainMac), `seed ${FUZZ_SEED} case ${index}: a prefix of the chain`);
    } catch (error) {
      assert.ok(isCodedError(error), `seed ${FUZZ_SEED} case ${index}: ${String(error)}`);
    }
  }
});

test.run();
