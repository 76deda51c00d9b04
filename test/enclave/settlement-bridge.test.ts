// Settlement inside the real enclave worker on the embedded chain: deposits made on the chain
// (transfers into the pool account) are credited to the trader in the enclave once; two traders
// trade; the window closes; the beneficiaries' chain balances change by exactly the netted
// amounts; the operator sees batch events; a withdrawal through the encrypted channel pays the
// trader on the chain by exactly the amount the enclave debited. Also the fill mapping from
// matcher to settlement, and (on a local set-up with fault injection) that a withdrawal settlement
// refuses or whose message fails for good is refunded in the engine exactly once. Each trader's
// stream follows its trades through settlement (netted → submitted → confirmed, or failed and
// then submitted again on retry), and the deposit address the enclave names is where a deposit
// gets credited. A window of many fills enters settlement in slices, so the order path sharing
// the enclave thread is not held up behind it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ed25519 } from '@noble/curves/ed25519';
import { EnclaveHost } from '../../src/host/enclave-host.js';
import type { WithdrawalOrder } from '../../src/enclave/engine.js';
import { accountIdOf, BRIDGE_DEFAULTS, SettlementBridge, settlementFillOf, type BridgeRuntime } from '../../src/enclave/settlement-bridge.js';
import { createLocalSetup } from '../../src/settlement/local-setup.js';
import { MemorySettlementStore } from '../../src/settlement/records.js';
import { LocalChainConnector } from '../../src/xcmp/local-connector.js';
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
  const payoutRefunds: { account: string; asset: string; atoms: bigint; reference: string }[] = [];
  const credits: { account: string; atoms: bigint }[] = [];
  const entries: SettlementLogEntry[] = [];
  const runtime: BridgeRuntime = {
    identityPublicKey: ed25519.getPublicKey(identitySeed),
    signWithIdentity: (digest) => ed25519.sign(digest, identitySeed),
    creditDeposit: async (account, _asset, atoms) => { credits.push({ account, atoms }); },
    refundWithdrawal: async (order) => { refunds.push(order); },
    refundPayout: async (account, asset, atoms, reference) => { payoutRefunds.push({ account, asset, atoms, reference }); },
    reportSettlement: async () => undefined,
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
    assert.equal(refunds[1], failing, 'its only attempt failed and its deadline passed: refunded');
    assert.ok(entries.some((e) => e.event === 'retries-exhausted'), JSON.stringify(entries));
    assert.is(await bridge.chainBalance(account, 'DOT'), 0n, 'nothing reached the trader on chain');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.is(refunds.length, 2, 'each refund happens once');
    assert.equal(payoutRefunds, [], 'the payout was the withdrawal alone: no trade proceeds to credit back');
  } finally {
    await bridge.close();
  }
});

test('a given-up message gives trade proceeds and withdrawals back to the engine, by reference, and the same again after a restart', async () => {
  const prng = new Prng(77);
  const identitySeed = seedFrom(prng);
  const market = buildMarketSpec(TEST_MARKET);
  type Refund = { account: string; asset: string; atoms: bigint; reference: string };
  const refunds: WithdrawalOrder[] = [];
  const payoutRefunds: Refund[] = [];
  let credits = 0;
  const runtime: BridgeRuntime = {
    identityPublicKey: ed25519.getPublicKey(identitySeed),
    signWithIdentity: (digest) => ed25519.sign(digest, identitySeed),
    creditDeposit: async () => { credits += 1; },
    refundWithdrawal: async (order) => { refunds.push(order); },
    refundPayout: async (account, asset, atoms, reference) => { payoutRefunds.push({ account, asset, atoms, reference }); },
    reportSettlement: async () => undefined,
    engine: { marketSpecs: new Map([[market.id, market]]) },
  };
  const pool = `0x${Buffer.from(runtime.identityPublicKey).toString('hex')}` as const;
  const feeAccount = accountIdOf('fees');
  const store = new MemorySettlementStore();
  const entries: SettlementLogEntry[] = [];
  const options = { runtime, feeAccount: 'fees', log: (entry: SettlementLogEntry) => entries.push(entry), tickMs: 20, store };
  const setup = createLocalSetup({ pool, feeAccount, blockTimeMs: 20, policy: { windowMs: 60_000, retryDelayMs: 1, maxAttempts: 2, confirmTimeoutMs: 1_000 } });
  const buyer = 'aa'.repeat(32);
  const seller = 'bb'.repeat(32);
  let bridge = await SettlementBridge.openLocal(options, setup);
  try {
    setup.network.mint('para:1000', 'DOT', feeAccount, 1_000_000_000_000n);
    setup.network.transfer('para:1000', 'DOT', feeAccount, pool, 1_000_000_000_000n);
    bridge.faucetDeposit(buyer, 'USDC', 20_000_000n);
    bridge.faucetDeposit(seller, 'DOT', 20_000_000_000n);
    await until(async () => credits, (n) => n === 3, 5_000);
    setup.network.injectFault({ kind: 'fail', reason: 'injected' }, {}, 10);
    const withdrawal = { withdrawalId: 'w-9', account: buyer, asset: 'USDC', atoms: 3_000_000n };
    bridge.onWithdrawal(withdrawal);
    const fill = {
      type: 'fill', seq: 1, timeMs: 1, market: market.id, tradeId: 1, auction: false, makerOrderId: 1, takerOrderId: 2,
      makerAccount: buyer, takerAccount: seller, makerClientOrderId: 'm', takerClientOrderId: 't', takerSide: 'sell',
      priceHalfTicks: 1000, sizeLots: 10, notionalQuoteAtoms: 5_000_000n, makerFeeQuoteAtoms: 1_000n, takerFeeQuoteAtoms: 2_500n,
      makerRemainingLots: 0, takerRemainingLots: 0,
    } as FillEvent;
    bridge.onWindow({ number: 1, fills: [fill], timeMs: Date.now() });
    await until(async () => payoutRefunds.length, (n) => n === 2, 15_000);
    const byKey = (list: readonly Refund[]): Refund[] => [...list].sort((a, b) => `${a.account}${a.asset}`.localeCompare(`${b.account}${b.asset}`));
    const first = byKey(payoutRefunds);
    assert.equal(first.map((r) => [r.account, r.asset, r.atoms]), [
      [buyer, 'DOT', 10n * market.baseAtomsPerLot],
      [seller, 'USDC', 5_000_000n - 2_500n],
    ], 'the trade proceeds go back; the buyer\'s USDC payout was its withdrawal alone');
    assert.ok(first.every((r) => /^gu:[0-9a-f]{64}$/.test(r.reference)));
    assert.equal(refunds, [withdrawal], 'the withdrawal is refunded');
    assert.ok(entries.some((e) => e.event === 'retries-exhausted' && e.code === 4100), JSON.stringify(entries.slice(-5)));
    assert.is(await bridge.chainBalance(buyer, 'DOT'), 0n, 'nothing reached the chain');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.is(payoutRefunds.length, 2, 'given back once while running');

    // A restart (same records, same chain): the bridge credits the given-up message again; the
    // references and withdrawal ids are the same, so the engine applies none of it twice.
    await bridge.close();
    const escrow = setup.config.escrowAccounts['para:2000'];
    const connector = new LocalChainConnector({ network: setup.network, signer: pool, blockTimeMs: 20, ...(escrow === undefined ? {} : { escrow: { 'para:2000': escrow } }) });
    bridge = await SettlementBridge.openLocal(options, { network: setup.network, connector, config: setup.config });
    assert.equal(byKey(payoutRefunds.slice(2)), first, 'the same references again');
    assert.equal(refunds.slice(1), [withdrawal], 'the same withdrawal id again');
  } finally {
    await bridge.close();
  }
});

test('each trader\'s stream follows its trades through settlement to confirmed, and query.trades agrees', async () => {
  const prng = new Prng(77);
  const seller = await trader(seedFrom(prng));
  const buyer = await trader(seedFrom(prng));
  await host.embeddedChainDeposit(seller.account, 'DOT', 20_000_000_000n);
  await host.embeddedChainDeposit(buyer.account, 'USDC', 10_000_000n);
  await seller.waitFor((m) => m.t === 'report' && m.body.kind === 'deposit');
  await buyer.waitFor((m) => m.t === 'report' && m.body.kind === 'deposit');
  const limit = (side: 'buy' | 'sell', clientOrderId: string, size: string) => ({ market: TEST_MARKET.id, clientOrderId, side, type: 'limit', price: '5.00', size });
  assert.is((await seller.ask('order.place', limit('sell', 'st-s', '1.0'))).t, 'result');
  assert.is((await buyer.ask('order.place', limit('buy', 'st-b1', '0.4'))).t, 'result');
  assert.is((await buyer.ask('order.place', limit('buy', 'st-b2', '0.6'))).t, 'result');
  for (const party of [seller, buyer]) {
    const confirmed = await party.waitFor((m) => m.t === 'report' && m.body.kind === 'settlement' && m.body.status === 'confirmed', 10_000);
    const fills = party.received.filter((m) => m.t === 'report' && m.body.kind === 'fill').map((m) => (m.body.trade as { tradeId: number }).tradeId);
    assert.is(fills.length, 2);
    const steps = party.received.filter((m) => m.t === 'report' && m.body.kind === 'settlement');
    assert.equal(steps.map((m) => m.body.status), ['netted', 'submitted', 'confirmed'], 'one report per step, in lifecycle order');
    for (const step of steps) {
      assert.is(step.body.window, confirmed.body.window, 'every step names the same window');
      assert.equal([step.body.firstTradeId, step.body.lastTradeId, step.body.tradeCount], [Math.min(...fills), Math.max(...fills), 2], 'the window covers exactly the two fills');
    }
    assert.match(String(confirmed.body.batchId), /^0x[0-9a-f]{64}$/);
    const trades = (await party.ask('query.trades', {})).body.result as { trades: { tradeId: number; settlement: string; settlementWindow: number }[] };
    assert.equal(trades.trades.map((t) => [t.tradeId, t.settlement, t.settlementWindow]), fills.map((id) => [id, 'confirmed', confirmed.body.window]));
  }
  const netted = seller.received.find((m) => m.t === 'report' && m.body.kind === 'settlement' && m.body.status === 'netted')!;
  assert.equal((netted.body.payouts as { asset: string }[]).map((p) => p.asset), ['USDC'], 'the seller is paid its net in USDC only');
});

test('the deposit address the enclave names is the pool, and a transfer there from the trader is credited to it', async () => {
  const prng = new Prng(88);
  const depositor = await trader(seedFrom(prng));
  const answer = await depositor.ask('query.depositAddress', { asset: 'USDC' });
  assert.is(answer.t, 'result', JSON.stringify(answer));
  const address = answer.body.result as { chain: string; poolAccountHex: string; poolAccountSs58: string; senderAccountHex: string; creditedAccount: string; assetLocation: unknown; convention: string; memo: null };
  assert.is(address.chain, 'para:1000');
  assert.is(address.poolAccountHex, await host.settlementAccount(), 'the pool account');
  assert.is(address.senderAccountHex, `0x${depositor.account}`);
  assert.is(address.creditedAccount, depositor.account);
  assert.equal(address.assetLocation, { parents: 0, interior: [{ kind: 'PalletInstance', index: 50 }, { kind: 'GeneralIndex', index: '1337' }] });
  assert.equal([address.convention, address.memo], ['sender', null]);
  assert.match(address.poolAccountSs58, /^5[1-9A-HJ-NP-Za-km-z]{47}$/);
  await host.embeddedChainDeposit(depositor.account, 'USDC', 3_000_000n, address.poolAccountHex);
  const credited = await depositor.waitFor((m) => m.t === 'report' && m.body.kind === 'deposit');
  assert.equal([credited.body.asset, credited.body.amount], ['USDC', '3000000']);
  const unknown = await depositor.ask('query.depositAddress', { asset: 'XYZ' });
  assert.equal([unknown.t, unknown.body.name], ['error', 'REQUEST_ASSET_UNKNOWN']);
});

test('a message whose execution fails is reported failed, then submitted and confirmed when its retry goes through', async () => {
  const prng = new Prng(66);
  const identitySeed = seedFrom(prng);
  const market = buildMarketSpec(TEST_MARKET);
  const steps: { window: number; status: string; accounts: readonly string[] }[] = [];
  const runtime: BridgeRuntime = {
    identityPublicKey: ed25519.getPublicKey(identitySeed),
    signWithIdentity: (digest) => ed25519.sign(digest, identitySeed),
    creditDeposit: async () => undefined,
    refundWithdrawal: async () => undefined,
    refundPayout: async () => undefined,
    reportSettlement: async (step) => { steps.push({ window: step.window, status: step.status, accounts: step.accounts }); },
    engine: { marketSpecs: new Map([[market.id, market]]) },
  };
  const pool = `0x${Buffer.from(runtime.identityPublicKey).toString('hex')}` as const;
  const feeAccount = accountIdOf('fees');
  const setup = createLocalSetup({ pool, feeAccount, blockTimeMs: 20, policy: { windowMs: 60_000, retryDelayMs: 1, maxAttempts: 3, confirmTimeoutMs: 1_000 } });
  const bridge = await SettlementBridge.openLocal({ runtime, feeAccount: 'fees', log: () => undefined, tickMs: 20 }, setup);
  try {
    const [maker, taker] = ['aa'.repeat(32), 'bb'.repeat(32)];
    setup.network.mint('para:1000', 'DOT', feeAccount, 1_000_000_000_000n);
    setup.network.transfer('para:1000', 'DOT', feeAccount, pool, 1_000_000_000_000n);
    bridge.faucetDeposit(maker, 'USDC', 10_000_000n);
    bridge.faucetDeposit(taker, 'DOT', 20_000_000_000n);
    await until(async () => bridge.chainBalance(taker, 'DOT'), (atoms) => atoms === 0n, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    setup.network.injectFault({ kind: 'fail', reason: 'injected' }, {}, 1);
    const fill = {
      type: 'fill', seq: 1, timeMs: 1, market: market.id, tradeId: 1, auction: false, makerOrderId: 1, takerOrderId: 2,
      makerAccount: maker, takerAccount: taker, makerClientOrderId: 'm', takerClientOrderId: 't', takerSide: 'sell',
      priceHalfTicks: 1000, sizeLots: 10, notionalQuoteAtoms: 5_000_000n, makerFeeQuoteAtoms: 1_000n, takerFeeQuoteAtoms: 2_500n,
      makerRemainingLots: 0, takerRemainingLots: 0,
    } as FillEvent;
    bridge.onWindow({ number: 4, fills: [fill], timeMs: Date.now() });
    await until(async () => steps.length, () => steps.some((step) => step.status === 'confirmed'), 5_000);
    assert.equal(steps.map((step) => [step.window, step.status, [...step.accounts].sort()]), [
      [4, 'submitted', [maker, taker]], [4, 'failed', [maker, taker]], [4, 'submitted', [maker, taker]], [4, 'confirmed', [maker, taker]],
    ]);
  } finally {
    await bridge.close();
  }
});

test('a window of many fills enters settlement in slices, other work running between them, and seals whole', async () => {
  const prng = new Prng(77);
  const identitySeed = seedFrom(prng);
  const market = buildMarketSpec(TEST_MARKET);
  // The bridge looks each fill's market up: the turn of the event loop each lookup ran in.
  let turns = 0;
  const lookupTurns: number[] = [];
  class TurnRecordingMap<K, V> extends Map<K, V> {
    override get(key: K): V | undefined {
      lookupTurns.push(turns);
      return super.get(key);
    }
  }
  const runtime: BridgeRuntime = {
    identityPublicKey: ed25519.getPublicKey(identitySeed),
    signWithIdentity: (digest) => ed25519.sign(digest, identitySeed),
    creditDeposit: async () => undefined,
    refundWithdrawal: async () => undefined,
    refundPayout: async () => undefined,
    reportSettlement: async () => undefined,
    engine: { marketSpecs: new TurnRecordingMap([[market.id, market]]) },
  };
  const pool = `0x${Buffer.from(runtime.identityPublicKey).toString('hex')}` as const;
  const feeAccount = accountIdOf('fees');
  const setup = createLocalSetup({ pool, feeAccount, blockTimeMs: 20, policy: { windowMs: 60_000, retryDelayMs: 1, maxAttempts: 1, confirmTimeoutMs: 1_000 } });
  const entries: SettlementLogEntry[] = [];
  const bridge = await SettlementBridge.openLocal({ runtime, feeAccount: 'fees', log: (entry) => entries.push(entry), tickMs: 20 }, setup);
  try {
    const seller = 'aa'.repeat(32);
    const buyer = 'bb'.repeat(32);
    setup.network.mint('para:1000', 'DOT', feeAccount, 1_000_000_000_000n);
    setup.network.transfer('para:1000', 'DOT', feeAccount, pool, 1_000_000_000_000n);
    bridge.faucetDeposit(seller, 'DOT', 10_000_000_000_000n);
    bridge.faucetDeposit(buyer, 'USDC', 10_000_000_000n);
    await until(async () => entries.filter((e) => e.event === 'deposit-credited').length, (n) => n === 2, 5_000);
    const count = 3 * BRIDGE_DEFAULTS.fillsPerTurn + 5;
    const fills = Array.from({ length: count }, (_, i) => ({
      type: 'fill', seq: i + 1, timeMs: 1, market: market.id, tradeId: i + 1, auction: false, makerOrderId: 2 * i + 1, takerOrderId: 2 * i + 2,
      makerAccount: seller, takerAccount: buyer, makerClientOrderId: `m${i}`, takerClientOrderId: `t${i}`, takerSide: 'buy',
      priceHalfTicks: 1000, sizeLots: 1, notionalQuoteAtoms: 500_000n, makerFeeQuoteAtoms: 100n, takerFeeQuoteAtoms: 250n,
      makerRemainingLots: 0, takerRemainingLots: 0,
    }) as FillEvent);
    // Count turns of the event loop until the window's batch is sealed.
    let sealed = false;
    const spin = (): void => { if (!sealed && turns < 100_000) { turns += 1; setImmediate(spin); } };
    setImmediate(spin);
    bridge.onWindow({ number: 1, fills, timeMs: 2 });
    const batch = await until(async () => entries.find((e) => e.event === 'batch-sealed'), (e) => e !== undefined, 10_000);
    sealed = true;
    assert.ok(batch !== undefined, JSON.stringify(entries.slice(-5)));
    assert.is(entries.filter((e) => e.event === 'fill-refused').length, 0, 'every fill entered settlement');
    assert.is(lookupTurns.length, count);
    const spanned = lookupTurns.at(-1)! - lookupTurns[0]!;
    assert.ok(spanned >= 3, `the ${count} fills spanned ${spanned} turns: other work ran between slices of ${BRIDGE_DEFAULTS.fillsPerTurn}`);
    assert.is(new Set(lookupTurns.slice(0, BRIDGE_DEFAULTS.fillsPerTurn)).size, 1, 'a slice runs in one turn');
    assert.ok(batch!.payouts !== undefined && batch!.payouts > 0, 'one batch pays the window out');
  } finally {
    await bridge.close();
  }
});

test.after(async () => {
  await host.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test.run();
