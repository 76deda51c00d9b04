// End to end through the worker isolate: the host relays only ciphertext frames between real
// @noble client channels and the enclave; deposits arrive through the embedded chain's port
// message; a reference set through the host prices midpoint orders; a maker and a taker each receive only their own fill; replayed frames are refused
// with coded errors; a bad ClientHello closes the connection with a coded reason; frames sent
// in one turn cross the port as one batch, and the answers come back batched and packed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EnclaveHost } from '../../src/host/enclave-host.js';
import { ERRORS } from '../../src/errors/index.js';
import { Prng } from '../support/prng.js';
import { TEST_MARKET, TestTrader, seedFrom } from '../support/enclave-trader.js';

const dataDir = mkdtempSync(join(tmpdir(), 'enclave-host-'));
const traders = new Map<number, TestTrader>();
const closes = new Map<number, number>();
let host: EnclaveHost;

const limit = (side: 'buy' | 'sell', price: string, size: string, clientOrderId: string) => ({ market: TEST_MARKET.id, clientOrderId, side, type: 'limit', price, size });

async function trader(seed: Uint8Array): Promise<TestTrader> {
  const id = host.openConnection();
  const created = new TestTrader(seed, (frame) => host.sendFrame(id, frame));
  traders.set(id, created);
  await created.connect(host.bundle);
  return created;
}

test.before(async () => {
  host = await EnclaveHost.start({ dataDir, markets: [TEST_MARKET], feeAccount: 'fees', production: false, tickMs: 0, settlementWindowMs: 0 });
  host.onFrame((id, frame) => traders.get(id)?.onFrame(frame));
  host.onClose((id, code) => closes.set(id, code));
});

test('a reference set through the host prices midpoint orders: they trade at the mid', async () => {
  const prng = new Prng(11);
  const seller = await trader(seedFrom(prng));
  const buyer = await trader(seedFrom(prng));
  for (const who of [seller, buyer]) {
    await host.deposit(who.account, 'USDC', 10_000_000_000n, `mid-usdc-${who.account.slice(0, 8)}`);
    await host.deposit(who.account, 'DOT', 1_000_000_000_000n, `mid-dot-${who.account.slice(0, 8)}`);
  }
  const midpoint = (side: 'buy' | 'sell', clientOrderId: string) => ({ market: TEST_MARKET.id, clientOrderId, side, type: 'midpoint', size: '1.0' });
  const uncapped = await buyer.ask('order.place', midpoint('buy', 'mid-early'));
  assert.is(uncapped.t, 'error', 'an uncapped midpoint buy needs a reference');
  let refused = '';
  await host.setReference(TEST_MARKET.id, '5.10', '5.00').catch((error: Error) => { refused = error.message; });
  assert.match(refused, String(ERRORS.RUNTIME_REFERENCE_INVALID.code));
  refused = '';
  await host.setReference('NOPE/USDC', '5.00', '5.10').catch((error: Error) => { refused = error.message; });
  assert.match(refused, String(ERRORS.RUNTIME_REFERENCE_INVALID.code));
  refused = '';
  await host.setReference(TEST_MARKET.id, '5.001', '5.10').catch((error: Error) => { refused = error.message; });
  assert.match(refused, String(ERRORS.RUNTIME_REFERENCE_INVALID.code));
  await host.setReference(TEST_MARKET.id, '5.00', '5.10');
  assert.is((await seller.ask('order.place', midpoint('sell', 'mid-s'))).t, 'result');
  assert.is((await buyer.ask('order.place', midpoint('buy', 'mid-b'))).t, 'result');
  const sold = await seller.waitFor((m) => m.t === 'report' && m.body.kind === 'fill' && m.body.clientOrderId === 'mid-s');
  const bought = await buyer.waitFor((m) => m.t === 'report' && m.body.kind === 'fill' && m.body.clientOrderId === 'mid-b');
  assert.is((sold.body.trade as { price: string }).price, '5.05');
  assert.is((bought.body.trade as { price: string }).price, '5.05');
  assert.is((bought.body.trade as { size: string }).size, '1');
});

test('handshake, deposit, a resting and a crossing order, fills to each side, balances', async () => {
  assert.is(JSON.parse(await host.fetchBundle()).kind, 'dev');
  const prng = new Prng(5);
  const maker = await trader(seedFrom(prng));
  const taker = await trader(seedFrom(prng));
  for (const who of [maker, taker]) {
    await host.deposit(who.account, 'USDC', 10_000_000_000n, `usdc-${who.account.slice(0, 8)}`);
    await host.deposit(who.account, 'DOT', 1_000_000_000_000n, `dot-${who.account.slice(0, 8)}`);
  }
  assert.ok((await maker.waitFor((m) => m.t === 'report' && m.body.kind === 'deposit')).body.status === 'credited');
  assert.is((await maker.ask('order.place', limit('sell', '5.00', '2.0', 'm1'))).t, 'result');
  assert.is((await taker.ask('order.place', limit('buy', '5.00', '1.0', 't1'))).t, 'result');
  const makerFill = await maker.waitFor((m) => m.t === 'report' && m.body.kind === 'fill');
  const takerFill = await taker.waitFor((m) => m.t === 'report' && m.body.kind === 'fill');
  assert.is(makerFill.body.side, 'sell');
  assert.is(takerFill.body.side, 'buy');
  assert.not.ok(maker.received.some((m) => m.body.clientOrderId === 't1'));
  assert.not.ok(taker.received.some((m) => m.body.clientOrderId === 'm1'));
  const balances = (await maker.ask('query.balances', {})).body.result as { balances: { asset: string; available: string; reserved: string }[] };
  const dot = balances.balances.find((b) => b.asset === 'DOT')!;
  assert.is(dot.reserved, String(10_000_000_000), 'one DOT stays reserved for the resting rest of the order');
  let refused = '';
  await host.deposit(maker.account, 'NOPE', 1n, 'x1').catch((error: Error) => { refused = error.message; });
  assert.match(refused, String(ERRORS.RUNTIME_DEPOSIT_INVALID.code));
});

test('replayed frames are refused with a coded error; a forged hello is closed with a code', async () => {
  const prng = new Prng(6);
  const who = await trader(seedFrom(prng));
  const { id, frame } = who.request('query.trades', {});
  await who.answer(id);
  const connectionId = [...traders].find(([, t]) => t === who)![0];
  host.sendFrame(connectionId, frame);
  const replay = await who.answer('channel');
  assert.is(replay.body.code, ERRORS.CHANNEL_FRAME_REPLAYED.code);
  const stranger = host.openConnection();
  host.sendFrame(stranger, new Uint8Array(210).fill(1));
  const deadline = Date.now() + 5_000;
  while (!closes.has(stranger) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(closes.has(stranger), 'the enclave closed the forged connection');
  assert.ok(closes.get(stranger)! >= 2100 && closes.get(stranger)! < 2200, `a channel code, got ${closes.get(stranger)}`);
});

test('a burst of frames crosses the port in one batch each way; the enclave reports its counters', async () => {
  const prng = new Prng(7);
  const who = await trader(seedFrom(prng));
  await host.deposit(who.account, 'USDC', 10_000_000_000n, `usdc-${who.account.slice(0, 8)}`);
  await host.deposit(who.account, 'DOT', 1_000_000_000_000n, `dot-${who.account.slice(0, 8)}`);
  const before = await host.stats();
  const hostBefore = host.portStats;
  const ids = Array.from({ length: 50 }, (_, i) => who.request('order.place', limit('buy', '1.00', '0.1', `burst${i}`)).id);
  const answers = await Promise.all(ids.map((id) => who.answer(id)));
  assert.ok(answers.every((answer) => answer.t === 'result'));
  const after = await host.stats();
  assert.is(host.portStats.frames - hostBefore.frames, 50);
  assert.is(host.portStats.batches - hostBefore.batches, 1, 'the burst travelled as one batch');
  assert.is(after.portFramesIn - before.portFramesIn, 50);
  assert.is(after.portBatchesIn - before.portBatchesIn, 1);
  await who.waitFor((m) => m.t === 'report' && m.body.clientOrderId === 'burst49');
  const reports = who.received.filter((m) => m.t === 'report' && String(m.body.clientOrderId).startsWith('burst'));
  assert.is(reports.length, 50, 'an accepted report per order');
  const framesOut = after.portFramesOut - before.portFramesOut;
  assert.ok(framesOut >= 1 && framesOut <= 10, `100 messages packed per journal group into ${framesOut} frames`);
  assert.ok(after.portBatchesOut - before.portBatchesOut <= 10, `${after.portBatchesOut - before.portBatchesOut} batches back`);
  assert.is(after.durableSequence - before.durableSequence, 50);
  assert.ok(after.journalBatches - before.journalBatches <= 5, `${after.journalBatches - before.journalBatches} fdatasyncs for 50 orders`);
  assert.is(after.journalRecords - before.journalRecords, 50);
});

test.after(async () => {
  await host.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
test.run();
