// Settlement inside the real enclave worker on the embedded chain: deposits made on the chain
// (transfers into the pool account) are credited to the trader in the enclave once; two traders
// trade; the window closes; the beneficiaries' chain balances change by exactly the netted
// amounts; the operator sees batch events; a withdrawal through the encrypted channel pays the
// trader on the chain by exactly the amount the enclave debited. Also the fill mapping from
// matcher to settlement, and (on a local set-up with fault injection) that a withdrawal settlement
// refuses or whose message fails for good is refunded in the engine exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ed25519 } from '@noble/curves/ed25519';
import { EnclaveHost } from '../../src/host/enclave-host.js';
import type { WithdrawalOrder } from '../../src/enclave/engine.js';
import { accountIdOf, SettlementBridge, settlementFillOf, type BridgeRuntime } from '../../src/enclave/settlement-bridge.js';
import { createLocalSetup } from '../../src/settlement/local-setup.js';
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

test('a withdrawal through the encrypted channel pays the trader on the chain and debits the enclave by exactly the amount', async () => {
  const prng = new Prng(34);
  const withdrawer = await trader(seedFrom(prng));
  const depositAtoms = 20_000_000_000n;
  const withdrawAtoms = 5_000_000_000n;
  await host.embeddedChainDeposit(withdrawer.account, 'DOT', depositAtoms);
  await withdrawer.waitFor((m) => m.t === 'report' && m.body.kind === 'deposit');
  const chainBefore = await host.embeddedChainBalance(withdrawer.account, 'DOT');
  assert.is(chainBefore, 0n, 'the trader deposited everything it was given');
  const available = async (): Promise<bigint> => {
    const result = (await withdrawer.ask('query.balances', {})).body.result as { balances: { asset: string; available: string }[] };
    return BigInt(result.balances.find((b) => b.asset === 'DOT')!.available);
  };
  assert.is(await available(), depositAtoms);

  const answer = await withdrawer.ask('funds.withdraw', { asset: 'DOT', amount: '0.5' });
  assert.is(answer.t, 'result', JSON.stringify(answer));
  const withdrawalId = (answer.body.result as { withdrawalId: string }).withdrawalId;
  assert.match(withdrawalId, /^w[0-9]+$/);
  assert.is(await available(), depositAtoms - withdrawAtoms, 'the engine debits the withdrawal at once');

  const chainAfter = await until(() => host.embeddedChainBalance(withdrawer.account, 'DOT'), (v) => v > chainBefore, 10_000);
  assert.is(chainAfter - chainBefore, withdrawAtoms, 'the chain pays exactly the amount withdrawn');
  assert.is(await available(), depositAtoms - withdrawAtoms, 'the internal balance fell by exactly the amount');
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.is(await host.embeddedChainBalance(withdrawer.account, 'DOT'), chainAfter, 'paid once');
  assert.not.ok(log.some((e) => e.event === 'withdrawal-refused' || e.event === 'withdrawal-refunded' || e.event === 'settlement-error'), JSON.stringify(log));
  assert.not.ok(withdrawer.received.some((m) => m.t === 'report' && m.body.kind === 'withdrawal' && m.body.status === 'refunded'));
});

test('a withdrawal refused by settlement or whose message fails for good is refunded in the engine once', async () => {
  const prng = new Prng(55);
  const identitySeed = seedFrom(prng);
  const refunds: WithdrawalOrder[] = [];
  const credits: { account: string; atoms: bigint }[] = [];
  const entries: SettlementLogEntry[] = [];
  const runtime: BridgeRuntime = {
    identityPublicKey: ed25519.getPublicKey(identitySeed),
    signWithIdentity: (digest) => ed25519.sign(digest, identitySeed),
    creditDeposit: async (account, _asset, atoms) => { credits.push({ account, atoms }); },
    refundWithdrawal: async (order) => { refunds.push(order); },
    engine: { marketSpecs: new Map() },
  };
  const pool = `0x${Buffer.from(runtime.identityPublicKey).toString('hex')}` as const;
  const feeAccount = accountIdOf('fees');
  const setup = createLocalSetup({ pool, feeAccount, blockTimeMs: 20, policy: { windowMs: 50, retryDelayMs: 1, maxAttempts: 1, confirmTimeoutMs: 1_000 } });
  const bridge = await SettlementBridge.openLocal({ runtime, feeAccount: 'fees', log: (entry) => entries.push(entry), tickMs: 20 }, setup);
  try {
    const account = 'cd'.repeat(32);
    setup.network.mint('para:1000', 'DOT', feeAccount, 1_000_000_000_000n);
    setup.network.transfer('para:1000', 'DOT', feeAccount, pool, 1_000_000_000_000n);
    bridge.faucetDeposit(account, 'DOT', 30_000_000_000n);
    await until(async () => credits.length, (n) => n === 2, 5_000);
    assert.ok(credits.some((c) => c.account === account && c.atoms === 30_000_000_000n), JSON.stringify(credits.map((c) => c.account)));

    const tooMuch = { withdrawalId: 'w1', account, asset: 'DOT', atoms: 40_000_000_000n };
    bridge.onWithdrawal(tooMuch);
    await until(async () => refunds.length, (n) => n === 1, 5_000);
    assert.equal(refunds[0], tooMuch, 'settlement refused it (escrow short): refunded at once');
    assert.ok(entries.some((e) => e.event === 'withdrawal-refused' && e.code !== undefined));

    setup.network.injectFault({ kind: 'fail', reason: 'injected' }, {}, 10);
    const failing = { withdrawalId: 'w2', account, asset: 'DOT', atoms: 10_000_000_000n };
    bridge.onWithdrawal(failing);
    await until(async () => refunds.length, (n) => n === 2, 10_000);
    assert.equal(refunds[1], failing, 'its only attempt failed: refunded');
    assert.ok(entries.some((e) => e.event === 'retries-exhausted'), JSON.stringify(entries));
    assert.is(await bridge.chainBalance(account, 'DOT'), 0n, 'nothing reached the trader on chain');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.is(refunds.length, 2, 'each refund happens once');
  } finally {
    await bridge.close();
  }
});

test.after(async () => {
  await host.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test.run();
