// The runtime in-process with the real client channel: a maker and a taker trade and each
// learns only its own side; answers leave only after the journal is durable and never
// overtake earlier acks; replayed and tampered frames get coded errors; the dead-man switch
// and cancel-on-disconnect cancel through the journal; a restart recovers the same state; an
// idle enclave journals no ticks, and a GTT order past its expiry gets exactly the tick it needs;
// what one journal group releases to a session leaves packed in one frame, and a client's
// packed frame of requests is answered in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DevAttestationProvider } from '../../src/enclave/attestation/dev-provider.js';
import { NODE_STORAGE, type JournalStorage } from '../../src/enclave/journal/durable-fs.js';
import { DevSealingKeySource } from '../../src/enclave/keys.js';
import { EnclaveRuntime, type RuntimeConfig } from '../../src/enclave/runtime.js';
import { CodedError, ERRORS } from '../../src/errors/index.js';
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
  /** Frames sent to each trader, handshake included. */
  framesTo: number[];
}

async function rig(dataDir: string, count: number, extra: Partial<RuntimeConfig> = {}, seed = SEED): Promise<Rig> {
  const traders: TestTrader[] = [];
  const closed = new Map<number, number>();
  const framesTo: number[] = [];
  const runtime = await EnclaveRuntime.boot(config(dataDir, extra), {
    sendFrame: (id, frame) => {
      framesTo[id] = (framesTo[id] ?? 0) + 1;
      traders[id]!.onFrame(frame);
    },
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
  return { runtime, traders, closed, framesTo };
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

/** A journal storage whose fdatasync can be held: what was written is not durable until release(). */
function gatedStorage(): { storage: JournalStorage; hold(): void; release(): void; readonly syncing: boolean } {
  let releaseSync: (() => void) | undefined;
  let gate = false;
  return {
    storage: {
      write: NODE_STORAGE.write,
      async datasync(handle) {
        if (gate) await new Promise<void>((resolve) => { releaseSync = resolve; });
        return NODE_STORAGE.datasync(handle);
      },
    },
    hold: () => { gate = true; },
    release: () => {
      gate = false;
      if (releaseSync === undefined) throw new Error('assertion: no fdatasync was held');
      releaseSync();
    },
    get syncing() { return releaseSync !== undefined; },
  };
}

test('an ack leaves only after fsync, and a query answer never overtakes it', async () => {
  const gated = gatedStorage();
  const storage = gated.storage;
  const { runtime, traders: [trader] } = await rig(tempDir(), 1, { journalStorage: storage });
  await fund(runtime, trader!);
  gated.hold();
  const order = trader!.request('order.place', limit('buy', '1.00', '1.0', 'slow1'));
  const query = trader!.request('query.orders', {});
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.is(trader!.received.filter((m) => m.id === order.id || m.id === query.id).length, 0, 'nothing leaves before the journal is durable');
  assert.ok(gated.syncing, 'the journal is syncing');
  gated.release();
  const ack = await trader!.answer(order.id);
  const answer = await trader!.answer(query.id);
  assert.is(ack.t, 'result');
  assert.ok(trader!.received.indexOf(ack) < trader!.received.indexOf(answer), 'the query answer follows the ack');
  assert.is((answer.body.result as { orders: unknown[] }).orders.length, 1);
  await runtime.stop();
});

test('a session-ending fault closes the session only after the answers queued before it and its error', async () => {
  const gated = gatedStorage();
  const storage = gated.storage;
  const { runtime, traders: [trader], closed } = await rig(tempDir(), 1, { journalStorage: storage });
  await fund(runtime, trader!);
  const receivedAtClose: string[][] = [];
  const recordClose = closed.set.bind(closed);
  closed.set = (id, code) => {
    receivedAtClose.push(trader!.received.map((message) => `${message.t}:${message.id}`));
    return recordClose(id, code);
  };
  gated.hold();
  const order = trader!.request('order.place', limit('buy', '1.00', '1.0', 'before-fault'));
  trader!.request('query.orders', {}, true);
  const skipped = trader!.request('query.orders', {}, true);
  runtime.receiveFrame(0, skipped.frame);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.is(closed.size, 0, 'the close waits for the answer queued ahead of the fault');
  gated.release();
  await trader!.answer(order.id);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.is(closed.get(0), new CodedError('CHANNEL_FRAME_OUT_OF_ORDER').code);
  const atClose = receivedAtClose[0]!;
  const ack = atClose.indexOf(`result:${order.id}`);
  const error = atClose.findIndex((entry) => entry.startsWith('error:'));
  assert.ok(ack >= 0 && error > ack, `the ack, then the error, then the close: ${atClose.slice(-3).join(' ')}`);
  await runtime.stop();
});

test('one journal group\'s answers and reports to a session leave packed in one frame, in order', async () => {
  const gated = gatedStorage();
  const storage = gated.storage;
  const { runtime, traders: [maker, taker], framesTo } = await rig(tempDir(), 2, { journalStorage: storage });
  await fund(runtime, maker!);
  await fund(runtime, taker!);
  await maker!.ask('order.place', limit('sell', '5.00', '10.0', 'm-rest'));
  gated.hold();
  // One journal write is in flight (held at fsync) with the first order; the rest queue as the next group.
  const ids = Array.from({ length: 6 }, (_, i) => taker!.request('order.place', limit('buy', '5.00', '1.0', `t${i}`)).id);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const takerFramesBefore = framesTo[1]!;
  const makerFramesBefore = framesTo[0]!;
  gated.release();
  for (const id of ids) assert.is((await taker!.answer(id)).t, 'result');
  await maker!.waitFor((m) => m.t === 'report' && m.body.clientOrderId === 'm-rest' && m.body.kind === 'fill' && m.body.remaining === '4');
  const takerMessages = taker!.received.filter((m) => ids.includes(m.id) || (m.t === 'report' && String(m.body.clientOrderId).startsWith('t')));
  assert.ok(takerMessages.length >= 12, `an ack and a fill per order (${takerMessages.length})`);
  assert.ok(framesTo[1]! - takerFramesBefore <= 2, `12+ messages in ${framesTo[1]! - takerFramesBefore} frames: at most one per journal group`);
  assert.ok(framesTo[0]! - makerFramesBefore <= 2, `the maker's six fills in ${framesTo[0]! - makerFramesBefore} frames`);
  assert.equal(taker!.received.filter((m) => ids.includes(m.id)).map((m) => m.id), ids, 'answers in request order');
  await runtime.stop();
});

test('a client frame packing several requests is answered in order, in one frame', async () => {
  const { runtime, traders: [trader], framesTo } = await rig(tempDir(), 1);
  await fund(runtime, trader!);
  const requests = [
    { t: 'order.place', id: 'p1', body: limit('buy', '1.00', '1.0', 'b1') },
    { t: 'query.orders', id: 'p2', body: {} },
    { t: 'order.place', id: 'p3', body: { market: TEST_MARKET.id, side: 'up' } },
    { t: 'order.place', id: 'p4', body: limit('buy', '1.10', '1.0', 'b2') },
  ];
  const frames = trader!.session!.sealMessages(requests);
  assert.is(frames.length, 1);
  const before = framesTo[0]!;
  runtime.receiveFrame(0, frames[0]!);
  const answers = await Promise.all(requests.map((request) => trader!.answer(request.id)));
  assert.equal(answers.map((answer) => answer.t), ['result', 'result', 'error', 'result']);
  assert.is((answers[1]!.body.result as { orders: unknown[] }).orders.length, 1, 'the query sees the order packed before it');
  assert.is(answers[2]!.body.name, 'REQUEST_INVALID');
  const order = trader!.received.map((m) => m.id).filter((id) => id.startsWith('p'));
  assert.equal(order, ['p1', 'p2', 'p3', 'p4']);
  assert.ok(framesTo[0]! - before <= 2, `answers and reports in ${framesTo[0]! - before} frames`);
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

interface OverloadRun {
  readonly accepted: number;
  readonly refusedNames: string[];
  /** Over the orders sent after the warm-up. */
  readonly worstAcceptedMs: number;
  readonly cancel: string;
  readonly after: string;
}

/**
 * Offers orders for loadMs to a runtime whose journal writes 500 KB/s (well below what they
 * need); the worst latency counts the orders sent after warmUpMs, once the commit rate is measured.
 */
async function overloadRun(admissionQueueDelayMs: number, loadMs: number, warmUpMs: number): Promise<OverloadRun> {
  const storage: JournalStorage = {
    async write(handle, bytes, position) {
      await new Promise((resolve) => setTimeout(resolve, bytes.length / 500));
      return NODE_STORAGE.write(handle, bytes, position);
    },
    datasync: NODE_STORAGE.datasync,
  };
  const { runtime, traders: [trader] } = await rig(tempDir(), 1, { journalStorage: storage, admissionQueueDelayMs });
  await fund(runtime, trader!);
  const answers: Promise<{ message: { t: string; body: Record<string, unknown> }; warm: boolean; latencyMs: number }>[] = [];
  const started = performance.now();
  for (let tick = 0; performance.now() - started < loadMs && tick < 10_000; tick++) {
    for (let i = 0; i < 20; i++) {
      const { id } = trader!.request('order.place', limit('buy', '1.00', '0.1', `ov${tick}-${i}`));
      const sentAtMs = performance.now();
      const warm = sentAtMs - started >= warmUpMs;
      answers.push(trader!.answer(id, 30_000).then((message) => ({ message, warm, latencyMs: performance.now() - sentAtMs })));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const cancel = trader!.request('order.cancel', { market: TEST_MARKET.id, clientOrderId: 'ov0-0' });
  const settled = await Promise.all(answers);
  const accepted = settled.filter((answer) => answer.message.t === 'result');
  const cancelAnswer = await trader!.answer(cancel.id, 30_000);
  const after = await trader!.ask('order.place', limit('buy', '1.00', '0.1', 'after-load'));
  await runtime.stop();
  return {
    accepted: accepted.length,
    refusedNames: settled.filter((answer) => answer.message.t === 'error').map((answer) => String(answer.message.body.name)),
    worstAcceptedMs: Math.max(...accepted.filter((answer) => answer.warm).map((answer) => answer.latencyMs)),
    cancel: cancelAnswer.t,
    after: after.t,
  };
}

test('above capacity new orders get fast REQUEST_OVERLOADED refusals while accepted ones keep a bounded latency', async () => {
  // The same load twice on this (shared, noisy) machine: without admission control the queue
  // grows for the whole run; with it, it stays within a few journal groups.
  const unbounded = await overloadRun(1e9, 800, 300);
  const bounded = await overloadRun(20, 800, 300);
  assert.is(unbounded.refusedNames.length, 0, 'no refusals without admission control');
  assert.ok(bounded.refusedNames.length > 0, 'some orders are refused');
  assert.ok(bounded.accepted > 0, 'some orders are accepted');
  assert.ok(bounded.refusedNames.every((name) => name === 'REQUEST_OVERLOADED'), bounded.refusedNames.join());
  assert.ok(bounded.worstAcceptedMs * 3 < unbounded.worstAcceptedMs, `worst accepted ${bounded.worstAcceptedMs.toFixed(1)} ms with admission control, ${unbounded.worstAcceptedMs.toFixed(1)} ms without`);
  assert.is(bounded.cancel, 'result', 'a cancel is taken under load');
  assert.is(bounded.after, 'result', 'once the queue drained, orders are accepted again');
});

test.after(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });
test.run();
