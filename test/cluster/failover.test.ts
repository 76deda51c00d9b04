// INVARIANT: a hot standby applies every batch the active enclave appends, so their state hashes
// agree at every checkpoint; when the active enclave dies under load, the standby takes the
// lease and the stream, its state equals a replay of the stream from scratch, and traders who
// reconnect and resume from their last report sequence see every report exactly once.
// INVARIANT: a stale leader that comes back after losing its lease cannot append (fenced), and
// a leader whose lease is taken stops accepting commands.
// Needs nats-server (CI installs it); without it these tests fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { runForLeadership } from '../../src/cluster/failover.js';
import type { JetStreamLog } from '../../src/cluster/jetstream-log.js';
import { LeaderLease } from '../../src/cluster/leader-lease.js';
import { provisionStandbyDataDir } from '../../src/cluster/standby-provisioning.js';
import { DevAttestationProvider } from '../../src/enclave/attestation/dev-provider.js';
import { DevSealingKeySource } from '../../src/enclave/keys.js';
import { EnclaveRuntime } from '../../src/enclave/runtime.js';
import { isCodedError } from '../../src/errors/index.js';
import type { ChannelMessage } from '../../src/protocol/message-codec.js';
import { TEST_MARKET, TestTrader, seedFrom } from '../support/enclave-trader.js';
import { testClusterFixture } from '../support/nats-cluster.js';
import { Prng } from '../support/prng.js';

const SEED = 4_711;
const LEASE_MS = 1_000;
/** From the death of the active enclave to the standby's first acknowledged command. */
const FAILOVER_BOUND_MS = 4_000;
const TRADERS = 4;
const CHECKPOINTS = 3;
const ORDERS_PER_ROUND = 40;
const IN_FLIGHT_AT_CRASH = 60;
const fixture = testClusterFixture();
const root = mkdtempSync(join(tmpdir(), 'failover-'));
const closers: (() => Promise<unknown>)[] = [];

test.after(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await fixture.stop();
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Instance {
  readonly name: string;
  readonly runtime: EnclaveRuntime;
  readonly log: JetStreamLog;
  readonly lease: LeaderLease;
  readonly fatal: Error[];
  /** Connection id → the trader on it; frames to a dead instance go nowhere. */
  readonly traders: Map<number, TestTrader>;
  dead: boolean;
}

async function instance(name: string, stream: string, bucket: string, provisionFrom?: string): Promise<Instance> {
  const { cluster, log: openLog } = await fixture.get();
  const dataDir = join(root, `${stream}-${name}`);
  if (provisionFrom !== undefined) await provisionStandbyDataDir(provisionFrom, dataDir, { devSealingKey: true });
  const log = await openLog(stream, 3_000);
  const lease = await LeaderLease.connect({ servers: cluster.servers, bucket, holder: name, leaseMs: LEASE_MS, renewEveryMs: 200, acquireEveryMs: 50 });
  closers.push(() => lease.close());
  const fatal: Error[] = [];
  const traders = new Map<number, TestTrader>();
  let made: Instance | undefined;
  const runtime = await EnclaveRuntime.boot({
    dataDir, markets: [TEST_MARKET], feeAccount: 'fees', tickMs: 0, settlementWindowMs: 0,
    sealingKeySource: new DevSealingKeySource({ directory: dataDir, production: false }),
    attestation: new DevAttestationProvider({ production: false, devRootSeed: new Uint8Array(32).fill(7) }),
    replicatedLog: log, standby: true, followIntervalMs: 5,
  }, {
    sendFrame: (id, frame) => { if (made?.dead !== true) traders.get(id)?.onFrame(frame); },
    closeConnection: () => undefined,
    fatal: (error) => fatal.push(error),
  });
  closers.push(() => runtime.stop());
  made = { name, runtime, log, lease, fatal, traders, dead: false };
  return made;
}

let nextConnection = 1;
async function attach(target: Instance, seed: Uint8Array): Promise<TestTrader> {
  const id = nextConnection++;
  target.runtime.openConnection(id);
  const trader = new TestTrader(seed, (frame) => { if (!target.dead) target.runtime.receiveFrame(id, frame); });
  target.traders.set(id, trader);
  await trader.connect(target.runtime.bundleJson);
  return trader;
}

/** Waits until the standby applied everything the active enclave made durable. */
async function caughtUp(standby: Instance, active: Instance, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (standby.runtime.durableSequence < active.runtime.durableSequence && Date.now() < deadline) await sleep(5);
  assert.is(standby.runtime.durableSequence, active.runtime.durableSequence, 'the standby caught up');
}

const order = (prng: Prng, index: number) => ({
  market: TEST_MARKET.id, clientOrderId: `o${index}`, side: index % 2 === 0 ? 'buy' : 'sell', type: 'limit',
  price: `5.${String(prng.int(0, 20)).padStart(2, '0')}`, size: `${prng.int(1, 5)}.0`,
});

function reportSeqs(messages: readonly ChannelMessage[]): number[] {
  return messages.filter((message) => message.t === 'report').map((message) => (message.body as { seq: number }).seq);
}

test('the standby follows, takes over when the active enclave dies under load, and traders resume without gaps', async () => {
  const prng = new Prng(SEED);
  const active = await instance('active', 'FAILOVER', 'LEASE_FAILOVER');
  assert.ok(await runForLeadership(active.runtime, active.lease), 'the first instance leads');
  assert.not.ok(active.runtime.standby);
  const standby = await instance('standby', 'FAILOVER', 'LEASE_FAILOVER', join(root, 'FAILOVER-active'));
  assert.is(standby.runtime.bundleJson, active.runtime.bundleJson, 'the standby has the attested identity of the active enclave');
  let standbyLeads = false;
  const contending = runForLeadership(standby.runtime, standby.lease, { onLeader: () => { standbyLeads = true; } });

  const seeds = Array.from({ length: TRADERS }, () => seedFrom(prng));
  const traders = await Promise.all(seeds.map((seed) => attach(active, seed)));
  for (const trader of traders) {
    await active.runtime.creditDeposit(trader.account, 'USDC', 100_000_000_000n, `usdc-${trader.account.slice(0, 8)}`);
    await active.runtime.creditDeposit(trader.account, 'DOT', 10_000_000_000_000n, `dot-${trader.account.slice(0, 8)}`);
  }
  let orderIndex = 0;
  for (let checkpoint = 0; checkpoint < CHECKPOINTS; checkpoint++) {
    const answers = [];
    for (let index = 0; index < ORDERS_PER_ROUND; index++) {
      const trader = traders[index % TRADERS]!;
      answers.push(trader.answer(trader.request('order.place', order(prng, orderIndex++)).id));
    }
    for (const answer of await Promise.all(answers)) assert.is(answer.t, 'result', JSON.stringify(answer.body));
    await caughtUp(standby, active);
    assert.is(standby.runtime.stateHash(), active.runtime.stateHash(), `state hashes agree at checkpoint ${checkpoint + 1} (sequence ${active.runtime.durableSequence})`);
    assert.ok(standby.runtime.standby, 'still a standby');
  }

  // Under load: orders in flight, then the active enclave dies (its lease and stream connections drop, nothing more leaves it).
  for (let index = 0; index < IN_FLIGHT_AT_CRASH; index++) traders[index % TRADERS]!.request('order.place', order(prng, orderIndex++));
  await sleep(prng.int(0, 3));
  active.dead = true;
  const diedAt = performance.now();
  await active.lease.close();
  await active.log.close();
  const lastSeen = traders.map((trader) => Math.max(0, ...reportSeqs(trader.received)));
  assert.ok(await contending, 'the standby took over');
  assert.ok(standbyLeads);
  assert.not.ok(standby.runtime.standby);

  // Traders reconnect to the new leader (same attested identity) and resume from their last report first.
  const resumed = await Promise.all(seeds.map((seed) => attach(standby, seed)));
  const lastSeqs = await Promise.all(resumed.map(async (trader, index) => {
    const answer = await trader.ask('session.resume', { afterSeq: lastSeen[index]! });
    assert.is(answer.t, 'result', JSON.stringify(answer.body));
    return (answer.body as { result: { lastSeq: number } }).result.lastSeq;
  }));
  const first = await resumed[0]!.ask('order.place', order(prng, orderIndex++));
  const failoverMs = performance.now() - diedAt;
  assert.is(first.t, 'result', JSON.stringify(first.body));
  assert.ok(failoverMs < FAILOVER_BOUND_MS, `first acknowledged command on the new leader ${Math.round(failoverMs)} ms after the death`);
  for (const [index, trader] of resumed.entries()) {
    const seen = [...reportSeqs(traders[index]!.received), ...reportSeqs(trader.received)];
    assert.equal(seen, Array.from({ length: seen.length }, (_, at) => at + 1), `trader ${index}: every report once, in order`);
    assert.ok(seen.length >= lastSeqs[index]!, `trader ${index}: up to the last report the new leader held at the resume`);
  }

  // The new leader's state is exactly a replay of the stream from scratch.
  await standby.runtime.creditDeposit(resumed[1]!.account, 'USDC', 1_000n, 'after-failover');
  const replay = await instance('replay', 'FAILOVER', 'LEASE_REPLAY_UNUSED', join(root, 'FAILOVER-active'));
  assert.is(replay.runtime.durableSequence, standby.runtime.durableSequence);
  assert.is(replay.runtime.stateHash(), standby.runtime.stateHash(), 'the new leader equals a replay of the stream');
  assert.equal(standby.fatal, []);
});

test('a stale leader that comes back is fenced; a leader whose lease is taken stops accepting commands', async () => {
  const prng = new Prng(SEED + 1);
  const old = await instance('old', 'STALE', 'LEASE_STALE');
  assert.ok(await runForLeadership(old.runtime, old.lease));
  const oldTrader = await attach(old, seedFrom(prng));
  await old.runtime.creditDeposit(oldTrader.account, 'USDC', 1_000_000_000n, 'old-1');
  const newer = await instance('newer', 'STALE', 'LEASE_STALE', join(root, 'STALE-old'));
  // The old leader pauses (its process stopped, its sockets open): no renewals, so the lease expires.
  await old.lease.close();
  assert.ok(await runForLeadership(newer.runtime, newer.lease), 'the standby takes over the expired lease');
  await newer.runtime.creditDeposit(oldTrader.account, 'USDC', 5n, 'newer-1');
  const streamEnd = newer.runtime.durableSequence;
  // It comes back and accepts one more order: its publish is refused and it stops.
  const answer = oldTrader.answer(oldTrader.request('order.place', order(prng, 1)).id, 10_000).catch((error: unknown) => error);
  const deadline = Date.now() + 10_000;
  while (old.fatal.length === 0 && Date.now() < deadline) await sleep(10);
  assert.ok(old.fatal.some((error) => isCodedError(error, 'CLUSTER_JOURNAL_FENCED')), `the stale leader stopped, fenced: ${old.fatal.map(String).join('; ')}`);
  assert.instance(await answer, Error, 'the fenced order was never acknowledged');
  const replay = await instance('replay', 'STALE', 'LEASE_STALE_UNUSED', join(root, 'STALE-old'));
  assert.is(replay.runtime.durableSequence, streamEnd, 'nothing of the stale leader reached the stream');
  assert.is(replay.runtime.stateHash(), newer.runtime.stateHash());

  // The lease of the new leader is taken from under it: it stops accepting commands.
  const { cluster } = await fixture.get();
  const connection = await connect({ servers: cluster.servers });
  try {
    await (await new Kvm(connection).open('LEASE_STALE')).put('leader', 'intruder');
  } finally {
    await connection.close();
  }
  const lostBy = Date.now() + 3_000;
  while (newer.fatal.length === 0 && Date.now() < lostBy) await sleep(10);
  assert.ok(newer.fatal.some((error) => isCodedError(error, 'LEASE_LOST')), `the leader stopped: ${newer.fatal.map(String).join('; ')}`);
  try {
    await newer.runtime.creditDeposit(oldTrader.account, 'USDC', 5n, 'after-loss');
    assert.unreachable('a leader without its lease accepted a command');
  } catch (error) {
    assert.ok(isCodedError(error), String(error));
  }
});

test.run();
