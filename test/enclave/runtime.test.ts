// The runtime in-process with the real client channel: a maker and a taker trade and each
// learns only its own side; answers leave only after the journal is durable and never
// overtake earlier acks; replayed and tampered frames get coded errors; the dead-man switch
// and cancel-on-disconnect cancel through the journal; a restart recovers the same state; an
// idle enclave journals no ticks, and a GTT order past its expiry gets exactly the tick it needs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DevAttestationProvider } from '../../src/enclave/attestation/dev-provider.js';
import { NODE_STORAGE, type JournalStorage } from '../../src/enclave/journal/durable-fs.js';
import { DevSealingKeySource } from '../../src/enclave/keys.js';
import { EnclaveRuntime, type RuntimeConfig } from '../../src/enclave/runtime.js';
import { ERRORS } from '../../src/errors/index.js';
import { Prng } from '../support/prng.js';
import { TEST_MARKET, TestTrader, seedFrom } from '../support/enclave-trader.js';

const SEED = 3;
const dirs: string[] = [];

function config(dataDir: string, extra: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return {
    dataDir, markets: [TEST_MARKET], feeAccount: 'fees', tickMs: 0, settlementWindowMs: 0,
    sealingKeySource: new DevSealingKeySource({ directory: dataDir, production: false }),
    attestation: new DevAttestationProvider({ production: false }),
    ...extra,
  };
}

interface Rig {
  runtime: EnclaveRuntime;
  traders: TestTrader[];
  closed: Map<number, number>;
}

async function rig(dataDir: string, count: number, extra: Partial<RuntimeConfig> = {}, seed = SEED): Promise<Rig> {
  const traders: TestTrader[] = [];
  const closed = new Map<number, number>();
  const runtime = await EnclaveRuntime.boot(config(dataDir, extra), {
    sendFrame: (id, frame) => traders[id]!.onFrame(frame),
    closeConnection: (id, code) => closed.set(id, code),
    fatal: (error) => { throw error; },
  });
  const prng = new Prng(seed);
  for (let id = 0; id < count; id++) {
    runtime.openConnection(id);
    const trader = new TestTrader(seedFrom(prng), (frame) => runtime.receiveFrame(id, frame));
    traders.push(trader);
    await trader.connect(runtime.bundleJson);
  }
  return { runtime, traders, closed };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-runtime-'));
  dirs.push(dir);
  return dir;
}

async function fund(runtime: EnclaveRuntime, trader: TestTrader): Promise<void> {
  await runtime.creditDeposit(trader.account, 'USDC', 10_000_000_000n, `usdc-${trader.account.slice(0, 8)}`);
  await runtime.creditDeposit(trader.account, 'DOT', 1_000_000_000_000n, `dot-${trader.account.slice(0, 8)}`);
}

const limit = (side: 'buy' | 'sell', price: string, size: string, clientOrderId: string) => ({ market: TEST_MARKET.id, clientOrderId, side, type: 'limit', price, size });

test('a resting order and a crossing order: both sides get only their own fill, balances move', async () => {
  const { runtime, traders: [maker, taker] } = await rig(tempDir(), 2);
  await fund(runtime, maker!);
  await fund(runtime, taker!);
  const rest = await maker!.ask('order.place', limit('sell', '5.00', '2.0', 'm1'));
  assert.is(rest.t, 'result', JSON.stringify(rest.body));
  const take = await taker!.ask('order.place', limit('buy', '5.10', '1.0', 't1'));
  assert.is(take.t, 'result');
  const makerFill = await maker!.waitFor((m) => m.t === 'report' && m.body.kind === 'fill');
  const takerFill = await taker!.waitFor((m) => m.t === 'report' && m.body.kind === 'fill');
  assert.is((makerFill.body.trade as { liquidity: string }).liquidity, 'maker');
  assert.is((takerFill.body.trade as { liquidity: string }).liquidity, 'taker');
  assert.is(makerFill.body.clientOrderId, 'm1');
  assert.is(takerFill.body.clientOrderId, 't1');
  assert.not.ok(maker!.received.some((m) => m.body.clientOrderId === 't1'), 'the maker never sees the taker order');
  assert.not.ok(taker!.received.some((m) => m.body.clientOrderId === 'm1'), 'the taker never sees the maker order');
  const balances = await taker!.ask('query.balances', {});
  const usdc = (balances.body.result as { balances: { asset: string; available: string }[] }).balances.find((b) => b.asset === 'USDC')!;
  // 5.00 × 1.0 DOT = 5 USDC = 5,000,000 atoms plus 5 bps taker fee.
  assert.is(usdc.available, String(10_000_000_000 - 5_002_500));
  const orders = await maker!.ask('query.orders', {});
  assert.is((orders.body.result as { orders: { remaining: string }[] }).orders[0]!.remaining, '1');
  runtime.engine.checkInvariants();
  await runtime.stop();
});

test('replayed and tampered frames are rejected with coded errors and change nothing', async () => {
  const { runtime, traders: [trader] } = await rig(tempDir(), 1);
  await fund(runtime, trader!);
  const { id, frame } = trader!.request('order.place', limit('buy', '1.00', '1.0', 'b1'));
  await trader!.answer(id);
  const hash = runtime.stateHash();
  runtime.receiveFrame(0, frame);
  const replayed = await trader!.answer('channel');
  assert.is(replayed.body.name, 'CHANNEL_FRAME_REPLAYED');
  assert.is(replayed.body.code, ERRORS.CHANNEL_FRAME_REPLAYED.code);
  const next = trader!.request('order.place', limit('buy', '1.00', '1.0', 'b2'), true).frame;
  const tampered = next.slice();
  tampered[tampered.length - 20]! ^= 1;
  runtime.receiveFrame(0, tampered);
  const rejected = await trader!.waitFor((m) => m.t === 'error' && m.body.name === 'CHANNEL_FRAME_AUTH_FAILED');
  assert.is(rejected.body.code, ERRORS.CHANNEL_FRAME_AUTH_FAILED.code);
  assert.is(runtime.stateHash(), hash, 'neither frame reached the engine');
  runtime.receiveFrame(0, next);
  assert.is((await trader!.answer(`q${Number(id.slice(1)) + 1}`)).t, 'result', 'the genuine frame still opens after the forgery');
  const garbage = await trader!.ask('order.place', { market: TEST_MARKET.id, side: 'up' });
  assert.is(garbage.body.name, 'REQUEST_INVALID');
  await runtime.stop();
});

test('an ack leaves only after fsync, and a query answer never overtakes it', async () => {
  let releaseSync: (() => void) | undefined;
  let gate = false;
  const storage: JournalStorage = {
    write: NODE_STORAGE.write,
    async datasync(handle) {
      if (gate) await new Promise<void>((resolve) => { releaseSync = resolve; });
      return NODE_STORAGE.datasync(handle);
    },
  };
  const { runtime, traders: [trader] } = await rig(tempDir(), 1, { journalStorage: storage });
  await fund(runtime, trader!);
  gate = true;
  const order = trader!.request('order.place', limit('buy', '1.00', '1.0', 'slow1'));
  const query = trader!.request('query.orders', {});
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.is(trader!.received.filter((m) => m.id === order.id || m.id === query.id).length, 0, 'nothing leaves before the journal is durable');
  assert.ok(releaseSync !== undefined, 'the journal is syncing');
  gate = false;
  releaseSync!();
  const ack = await trader!.answer(order.id);
  const answer = await trader!.answer(query.id);
  assert.is(ack.t, 'result');
  assert.ok(trader!.received.indexOf(ack) < trader!.received.indexOf(answer), 'the query answer follows the ack');
  assert.is((answer.body.result as { orders: unknown[] }).orders.length, 1);
  await runtime.stop();
});

test('dead-man switch and cancel-on-disconnect cancel through the journal', async () => {
  const { runtime, traders: [a, b], closed } = await rig(tempDir(), 2);
  await fund(runtime, a!);
  await fund(runtime, b!);
  await a!.ask('order.place', limit('buy', '1.00', '1.0', 'a1'));
  assert.is((await a!.ask('session.deadMan', { afterMs: 100 })).t, 'result');
  await new Promise((resolve) => setTimeout(resolve, 60));
  await a!.ask('session.heartbeat', {});
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.is(runtime.engine.openOrders(a!.account, undefined).length, 1, 'the heartbeat re-armed the switch');
  const cancelled = await a!.waitFor((m) => m.t === 'report' && m.body.kind === 'cancelled', 1_000);
  assert.is(cancelled.body.clientOrderId, 'a1');
  assert.is(runtime.engine.openOrders(a!.account, undefined).length, 0);

  await b!.ask('order.place', limit('buy', '1.00', '1.0', 'b1'));
  assert.is((await b!.ask('session.cancelOnDisconnect', { enabled: true })).t, 'result');
  const before = runtime.durableSequence;
  runtime.closeConnection(1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(runtime.durableSequence > before, 'the cancel was journaled');
  assert.is(runtime.engine.openOrders(b!.account, undefined).length, 0);
  assert.is(closed.size, 0, 'the runtime itself closed nothing');
  await runtime.stop();
});

test('idle, nothing is journaled; a GTT order past its expiry gets a tick, and then ticks stop', async () => {
  const { runtime, traders: [trader] } = await rig(tempDir(), 1, { tickMs: 5 });
  await fund(runtime, trader!);
  const before = runtime.stats();
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.is(runtime.stats().durableSequence, before.durableSequence, 'an idle enclave journals nothing');
  assert.is(runtime.stats().ticksJournaled, 0);
  const expireAtMs = Date.now() + 60;
  const placed = await trader!.ask('order.place', { ...limit('buy', '1.00', '1.0', 'gtt1'), timeInForce: 'GTT', expireAtMs });
  assert.is(placed.t, 'result', JSON.stringify(placed.body));
  const expired = await trader!.waitFor((m) => m.t === 'report' && m.body.kind === 'expired', 2_000);
  assert.is(expired.body.clientOrderId, 'gtt1');
  assert.ok((expired.body.timeMs as number) >= expireAtMs);
  const ticks = runtime.stats().ticksJournaled;
  assert.ok(ticks >= 1 && ticks <= 2, `${ticks} ticks`);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.is(runtime.stats().ticksJournaled, ticks, 'no GTT order left, no more ticks');
  assert.is(runtime.stats().journalRecords, runtime.stats().durableSequence - before.durableSequence + before.journalRecords);
  await runtime.stop();
});

test('a restart recovers keys, attestation binding and state (snapshot plus journal)', async () => {
  const dir = tempDir();
  const first = await rig(dir, 2, { snapshotEveryCommands: 5 });
  for (const trader of first.traders) await fund(first.runtime, trader);
  for (let i = 0; i < 12; i++) await first.traders[i % 2]!.ask('order.place', limit(i % 2 === 0 ? 'buy' : 'sell', `${4 + (i % 3)}.00`, '0.5', `o${i}`));
  const hash = first.runtime.stateHash();
  const bundle = first.runtime.bundleJson;
  await first.runtime.stop();
  const second = await rig(dir, 1, { snapshotEveryCommands: 5 });
  assert.is(second.runtime.stateHash(), hash);
  assert.is(JSON.parse(second.runtime.bundleJson).enclaveKeys.ed25519Hex, JSON.parse(bundle).enclaveKeys.ed25519Hex);
  const resumed = await second.traders[0]!.ask('session.resume', { afterSeq: 0 });
  assert.ok((resumed.body.result as { replayed: number }).replayed >= 3, 'the stream survives the restart');
  await second.runtime.stop();
});

test.after(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });
test.run();
