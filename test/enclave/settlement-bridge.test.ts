// Settlement inside the real enclave worker on the embedded chain: deposits made on the chain
// (transfers into the pool account) are credited to the trader in the enclave once; two traders
// trade; the window closes; the beneficiaries' chain balances change by exactly the netted
// amounts; the operator sees batch events. Also the fill mapping from matcher to settlement.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EnclaveHost } from '../../src/host/enclave-host.js';
import { accountIdOf, settlementFillOf } from '../../src/enclave/settlement-bridge.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import type { FillEvent } from '../../src/matching/types.js';
import type { SettlementLogEntry } from '../../src/protocol/enclave-port.js';
import { Prng } from '../support/prng.js';
import { TEST_MARKET, TestTrader, seedFrom } from '../support/enclave-trader.js';

const dataDir = mkdtempSync(join(tmpdir(), 'settlement-bridge-'));
const traders = new Map<number, TestTrader>();
const log: SettlementLogEntry[] = [];
let host: EnclaveHost;

async function trader(seed: Uint8Array): Promise<TestTrader> {
  const id = host.openConnection();
  const created = new TestTrader(seed, (frame) => host.sendFrame(id, frame));
  traders.set(id, created);
  await created.connect(host.bundle);
  return created;
}

/** Decimal string of a quote amount to atoms (6 decimals), exact. */
function quoteAtoms(decimal: string): bigint {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test.before(async () => {
  host = await EnclaveHost.start({ dataDir, markets: [TEST_MARKET], feeAccount: 'fees', production: false, tickMs: 0, settlementWindowMs: 200, chain: 'embedded' });
  host.onFrame((id, frame) => traders.get(id)?.onFrame(frame));
  host.onSettlement((entry) => log.push(entry));
});

test('settlementFillOf maps a matcher fill to atoms, AccountId32 accounts and per-side fees', () => {
  const market = buildMarketSpec(TEST_MARKET);
  const maker = 'aa'.repeat(32);
  const taker = 'bb'.repeat(32);
  const event = {
    type: 'fill', seq: 1, timeMs: 1, market: market.id, tradeId: 9, auction: false, makerOrderId: 1, takerOrderId: 2,
    makerAccount: maker, takerAccount: taker, makerClientOrderId: 'm', takerClientOrderId: 't', takerSide: 'sell',
    priceHalfTicks: 1000, sizeLots: 10, notionalQuoteAtoms: 5_000_000n, makerFeeQuoteAtoms: 1_000n, takerFeeQuoteAtoms: 2_500n,
    makerRemainingLots: 0, takerRemainingLots: 0,
  } as FillEvent;
  const fill = settlementFillOf(event, market, 'para:1000');
  assert.is(fill.buyer, `0x${maker}`);
  assert.is(fill.seller, `0x${taker}`);
  assert.is(fill.baseAtoms, 10n * market.baseAtomsPerLot);
  assert.is(fill.baseAtoms, 10_000_000_000n, 'ten lots of 0.1 DOT at 10 decimals');
  assert.is(fill.quoteAtoms, 5_000_000n);
  assert.is(fill.buyerFeeAtoms, 1_000n, 'the buyer made');
  assert.is(fill.sellerFeeAtoms, 2_500n, 'the seller took');
  assert.is(fill.tradeId, '9');
  assert.equal(fill.base, { chain: 'para:1000', asset: 'DOT' });
  assert.match(accountIdOf('fees'), /^0x[0-9a-f]{64}$/);
});

test('chain deposits are credited once; a trade settles on the chain by exactly the netted amounts', async () => {
  const prng = new Prng(21);
  const seller = await trader(seedFrom(prng));
  const buyer = await trader(seedFrom(prng));
  await host.embeddedChainDeposit(seller.account, 'DOT', 20_000_000_000n);
  await host.embeddedChainDeposit(buyer.account, 'USDC', 10_000_000n);
  const credited = await seller.waitFor((m) => m.t === 'report' && m.body.kind === 'deposit');
  assert.is(credited.body.amount, '20000000000');
  assert.is(credited.body.status, 'credited');
  await buyer.waitFor((m) => m.t === 'report' && m.body.kind === 'deposit');
  const balances = (await buyer.ask('query.balances', {})).body.result as { balances: { asset: string; available: string }[] };
  assert.is(balances.balances.find((b) => b.asset === 'USDC')!.available, '10000000', 'the chain deposit (atoms) is available in the enclave');

  const sellerUsdcBefore = await host.embeddedChainBalance(seller.account, 'USDC');
  const buyerDotBefore = await host.embeddedChainBalance(buyer.account, 'DOT');
  assert.is(buyerDotBefore, 0n);
  assert.is(await host.embeddedChainBalance(buyer.account, 'USDC'), 0n, 'the buyer deposited everything it was given');

  const limit = (side: 'buy' | 'sell', clientOrderId: string) => ({ market: TEST_MARKET.id, clientOrderId, side, type: 'limit', price: '5.00', size: '1.0' });
  assert.is((await seller.ask('order.place', limit('sell', 'sb-s'))).t, 'result');
  assert.is((await buyer.ask('order.place', limit('buy', 'sb-b'))).t, 'result');
  const sold = await seller.waitFor((m) => m.t === 'report' && m.body.kind === 'fill');
  const trade = sold.body.trade as { price: string; size: string; fee: string };
  const expectedSellerUsdc = quoteAtoms('5.00') - quoteAtoms(trade.fee);

  const buyerDot = await until(() => host.embeddedChainBalance(buyer.account, 'DOT'), (v) => v > 0n, 10_000);
  const sellerUsdc = await until(() => host.embeddedChainBalance(seller.account, 'USDC'), (v) => v > sellerUsdcBefore, 10_000);
  assert.is(buyerDot - buyerDotBefore, 10_000_000_000n, 'the buyer receives exactly one DOT');
  assert.is(sellerUsdc - sellerUsdcBefore, expectedSellerUsdc, 'the seller receives the notional less its fee');
  assert.is(await host.embeddedChainBalance(buyer.account, 'USDC'), 0n, 'the buyer is paid no USDC: its spend nets against nothing');
  assert.is(await host.embeddedChainBalance(seller.account, 'DOT'), 0n, 'the seller is paid no DOT');

  await until(async () => log.some((e) => e.event === 'batch-confirmed'), (v) => v, 10_000);
  assert.ok(log.some((e) => e.event === 'batch-sealed' && e.payouts !== undefined && e.payouts >= 2), JSON.stringify(log));
  assert.ok(log.some((e) => e.event === 'batch-confirmed'));
  assert.not.ok(log.some((e) => e.event === 'fill-refused' || e.event === 'settlement-error'), JSON.stringify(log));
  assert.not.ok(JSON.stringify(log).includes('sb-s'), 'no order content in the operator log');
  const deposits = seller.received.filter((m) => m.t === 'report' && m.body.kind === 'deposit');
  assert.is(deposits.length, 1, 'one chain deposit, one credit');
});

test.after(async () => {
  await host.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test.run();
