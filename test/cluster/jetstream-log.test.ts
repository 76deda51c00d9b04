// INVARIANT: through a three-replica JetStream stream, the sealed journal (a) replays to the
// same state hash as the file journal given the same commands, stores only ciphertext, and
// (c) fences a stale writer: once a newer writer appended, none of the stale writer's batches
// — the first or the ones it pipelined behind it — is stored. Retried publishes of one batch
// are stored once. Needs nats-server (CI installs it); without it these tests fail.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { natsServerPath } from '../../src/cluster/local-cluster.js';
import { decodeStamped, encodeCommand, type UnstampedCommand } from '../../src/enclave/command-codec.js';
import { EnclaveEngine } from '../../src/enclave/engine.js';
import { FileJournal } from '../../src/enclave/journal/file-journal.js';
import type { Journal } from '../../src/enclave/journal/journal.js';
import { ReplicatedJournal } from '../../src/enclave/journal/replicated-journal.js';
import { SnapshotStore } from '../../src/enclave/journal/snapshot-store.js';
import { Sequencer } from '../../src/enclave/sequencer.js';
import { isCodedError } from '../../src/errors/index.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { codedFailure, payloadFor, testKey, withTempDir } from '../enclave/journal/helpers.js';
import { TEST_MARKET } from '../support/enclave-trader.js';
import { testClusterFixture } from '../support/nats-cluster.js';
import { Prng } from '../support/prng.js';

const KEY = testKey(31);
const SEED = Number(process.env.CLUSTER_SEED ?? 9_001);
const COMMANDS = 1_500;
const ENGINE_CONFIG = { markets: [buildMarketSpec(TEST_MARKET)], feeAccount: 'fees' };
const fixture = testClusterFixture();

test.after(() => fixture.stop());

function randomCommand(prng: Prng, index: number): UnstampedCommand {
  const account = prng.pick(['alice', 'bob', 'carol']);
  if (index < 6 || prng.chance(0.05)) return { kind: 'deposit', account, asset: prng.pick(['USDC', 'DOT']), atoms: BigInt(prng.int(1, 2 ** 20)) * 1_000_000_000_000n, reference: `d${index}` };
  if (prng.chance(0.05)) return { kind: 'cancelAll', account, reason: 'disconnect' };
  return {
    kind: 'trade', account, requestId: `r${index}`,
    request: { type: 'order.place', order: {
      market: TEST_MARKET.id, clientOrderId: `c${index}`, side: prng.pick(['buy', 'sell'] as const), orderType: 'limit',
      priceTicks: prng.int(95, 105), sizeLots: prng.int(1, 30), timeInForce: 'GTC', expireAtMs: undefined,
      postOnly: false, minQtyLots: 0, selfTradePrevention: 'cancelNewest',
    } },
  };
}

/** Runs the seeded commands through a sequencer on `openJournal`, returning the live state hash. */
async function drive(snapshotDir: string, openJournal: () => Promise<Journal>): Promise<string> {
  let clockNs = 1_000_000n;
  const recovery = await Sequencer.recover({
    snapshots: await SnapshotStore.open({ directory: snapshotDir, sealingKey: KEY }),
    clock: () => (clockNs += 1_000_000n),
    openJournal: () => openJournal(),
  });
  for await (const stamped of recovery.replay()) assert.unreachable(`a fresh journal replayed ${stamped.sequence}`);
  const engine = new EnclaveEngine(ENGINE_CONFIG);
  const prng = new Prng(SEED);
  const durable = [];
  for (let index = 0; index < COMMANDS; index++) {
    const accepted = recovery.sequencer.accept(encodeCommand(randomCommand(prng, index)));
    engine.apply(decodeStamped(accepted.stamped));
    durable.push(accepted.durable);
    if (index % 100 === 99) await Promise.all(durable.splice(0));
  }
  await Promise.all(durable);
  await recovery.sequencer.close();
  return engine.stateHash();
}

/** Replays a journal from scratch into a new engine. */
async function replay(snapshotDir: string, openJournal: () => Promise<Journal>): Promise<{ hash: string; commands: number }> {
  const recovery = await Sequencer.recover({ snapshots: await SnapshotStore.open({ directory: snapshotDir, sealingKey: KEY }), clock: () => 1n, openJournal: () => openJournal() });
  const engine = new EnclaveEngine(ENGINE_CONFIG);
  let commands = 0;
  for await (const stamped of recovery.replay()) {
    engine.apply(decodeStamped(stamped));
    commands += 1;
  }
  await recovery.sequencer.close();
  return { hash: engine.stateHash(), commands };
}

test('nats-server is installed (CI installs it with apt-get install nats-server)', () => {
  assert.type(natsServerPath(), 'string');
});

test(`(a) commands through the R3 stream replay to the file journal's state hash (seed ${SEED})`, () => withTempDir(async (dir) => {
  const { log } = await fixture.get();
  const stream = await log('REPLAY_HASH');
  const fileLive = await drive(join(dir, 'file-snapshots'), () => FileJournal.open({ directory: join(dir, 'file-journal'), sealingKey: KEY }));
  const streamLive = await drive(join(dir, 'stream-snapshots'), () => ReplicatedJournal.open({ log: stream, sealingKey: KEY }));
  assert.is(streamLive, fileLive, `live state hashes (seed ${SEED})`);
  const fileReplay = await replay(join(dir, 'file-snapshots'), () => FileJournal.open({ directory: join(dir, 'file-journal'), sealingKey: KEY }));
  const readerLog = await log('REPLAY_HASH');
  const streamReplay = await replay(join(dir, 'stream-snapshots'), () => ReplicatedJournal.open({ log: readerLog, sealingKey: KEY }));
  assert.is(fileReplay.commands, COMMANDS);
  assert.is(streamReplay.commands, COMMANDS);
  assert.is(streamReplay.hash, fileReplay.hash, `replayed state hashes (seed ${SEED})`);
  assert.is(streamReplay.hash, fileLive);
  const placement = await readerLog.placement();
  assert.ok(placement.lastStreamSequence < COMMANDS / 10, `${COMMANDS} commands in ${placement.lastStreamSequence} stream messages (group commit)`);
  let plaintextSeen = false;
  for await (const batch of readerLog.read(1, placement.lastStreamSequence)) if (Buffer.from(batch.bytes).includes('order.place')) plaintextSeen = true;
  assert.not.ok(plaintextSeen, 'the stream holds no plaintext command');
}));

test('(c) a stale writer is fenced: its first batch and every batch pipelined behind it are refused', async () => {
  const { log } = await fixture.get();
  const staleLog = await log('FENCING');
  const stale = await ReplicatedJournal.open({ log: staleLog, sealingKey: KEY });
  for (let sequence = 1; sequence <= 20; sequence++) await stale.append([payloadFor(sequence, SEED)]);
  const staleTail = stale.tail;
  const fresh = await ReplicatedJournal.open({ log: await log('FENCING'), sealingKey: KEY });
  assert.is(fresh.epoch, stale.epoch + 1);
  await fresh.append([payloadFor(21, SEED)]);

  // At the log level: three publishes pipelined by the stale writer, each chained to the one before.
  const ids = [`${stale.epoch}.00000000000000aa.21`, `${stale.epoch}.00000000000000aa.22`, `${stale.epoch}.00000000000000aa.23`];
  const pipelined = await Promise.allSettled(ids.map((id, index) => staleLog.append(id, Buffer.from(`stale ${index}`), index === 0 ? staleTail : { streamSequence: staleTail.streamSequence + index, batchId: ids[index - 1] })));
  for (const outcome of pipelined) assert.ok(outcome.status === 'rejected' && isCodedError(outcome.reason, 'CLUSTER_JOURNAL_FENCED'), `pipelined stale publish: ${outcome.status === 'rejected' ? String(outcome.reason) : 'stored'}`);

  // At the journal level: the stale writer stops at the first rejection, pending appends included.
  const failures: Error[] = [];
  stale.watch({ durable: () => assert.unreachable('the stale writer made nothing durable'), failed: (error) => failures.push(error) });
  const appends = [stale.append([payloadFor(21, SEED)]), Promise.resolve().then(() => stale.append([payloadFor(22, SEED)])), Promise.resolve().then(() => stale.append([payloadFor(23, SEED)]))];
  for (const outcome of await Promise.allSettled(appends)) assert.ok(outcome.status === 'rejected' && isCodedError(outcome.reason, 'CLUSTER_JOURNAL_FENCED'), 'stale append fenced');
  await codedFailure(() => stale.append([payloadFor(24, SEED)]), 'CLUSTER_JOURNAL_FENCED');
  assert.is(failures.length, 1);
  await fresh.append([payloadFor(22, SEED)]);

  const reader = await ReplicatedJournal.open({ log: await log('FENCING'), sealingKey: KEY });
  const sequences: number[] = [];
  for await (const record of reader.readFrom(1)) {
    assert.equal(Buffer.from(record.payload), Buffer.from(payloadFor(record.sequence, SEED)), `record ${record.sequence} is the fresh writer's`);
    sequences.push(record.sequence);
  }
  assert.equal(sequences, Array.from({ length: 22 }, (_, index) => index + 1));
  assert.is(reader.epoch, fresh.epoch + 1);
  await Promise.all([stale.close(), fresh.close(), reader.close()]);
});

test('a retried publish of one batch is stored once', async () => {
  const { log } = await fixture.get();
  const stream = await log('RETRY_DEDUP');
  const first = await stream.append('1.00000000000000bb.1', Buffer.from('batch'), { streamSequence: 0, batchId: undefined });
  const retried = await stream.append('1.00000000000000bb.1', Buffer.from('batch'), { streamSequence: 0, batchId: undefined });
  assert.is(first, 1);
  assert.is(retried, 1);
  assert.is((await stream.extent()).last.streamSequence, 1);
});

test.run();
