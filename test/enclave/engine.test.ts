// INVARIANT: escrow conservation holds after every command (balances + reserved + window
// receipts = deposits − withdrawals − payouts), the matcher's invariants hold, and replaying
// the same commands from a snapshot reproduces the state hash exactly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EnclaveEngine, type EnclaveCommand, type EnclaveCommandBody } from '../../src/enclave/engine.js';
import type { OrderSpec, TradingRequest } from '../../src/enclave/requests.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { Prng } from '../support/prng.js';

const MARKET = buildMarketSpec({ id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.1', makerFeeBps: 2, takerFeeBps: 5, referenceStalenessMs: 60_000 });
const CONFIG = { markets: [MARKET], feeAccount: 'fees' };
const ACCOUNTS = ['alice', 'bob', 'carol'];

function limit(side: 'buy' | 'sell', priceTicks: number, sizeLots: number, clientOrderId: string, extra: Partial<OrderSpec> = {}): OrderSpec {
  return { market: MARKET.id, clientOrderId, side, orderType: 'limit', priceTicks, sizeLots, timeInForce: 'GTC', expireAtMs: undefined, postOnly: false, minQtyLots: 0, selfTradePrevention: 'cancelNewest', ...extra } as OrderSpec;
}

const seen = { fills: 0, payouts: 0, rejects: 0 };

class Driver {
  seq = 0;
  timeMs = 1_000;
  readonly log: EnclaveCommand[] = [];
  constructor(readonly engine: EnclaveEngine) {}
  run(body: EnclaveCommandBody) {
    this.seq += 1;
    this.timeMs += 3;
    const command = { ...body, seq: this.seq, timeMs: this.timeMs } as EnclaveCommand;
    this.log.push(command);
    const output = this.engine.apply(command);
    seen.fills += output.fills.length;
    seen.payouts += output.window?.nets.filter((net) => net.payoutAtoms > 0n).length ?? 0;
    if (output.outcome?.ok === false) seen.rejects += 1;
    return output;
  }
  trade(account: string, request: TradingRequest) {
    return this.run({ kind: 'trade', account, requestId: `r${this.seq + 1}`, request });
  }
}

function funded(): Driver {
  const driver = new Driver(new EnclaveEngine(CONFIG));
  for (const account of ACCOUNTS) {
    driver.run({ kind: 'deposit', account, asset: 'USDC', atoms: 10_000_000_000n, reference: `d-${account}-usdc` });
    driver.run({ kind: 'deposit', account, asset: 'DOT', atoms: 1_000_000_000_000n, reference: `d-${account}-dot` });
  }
  return driver;
}

test('a crossing order fills, charges fees and settles receipts at window close', () => {
  const driver = funded();
  const rest = driver.trade('alice', { type: 'order.place', order: limit('sell', 500, 20, 'a1') });
  assert.ok(rest.outcome?.ok);
  const before = driver.engine.ledger.balance('bob', 'USDC').available;
  const take = driver.trade('bob', { type: 'order.place', order: limit('buy', 510, 10, 'b1') });
  assert.ok(take.outcome?.ok);
  assert.is(take.fills.length, 1);
  const fill = take.fills[0]!;
  // 500 ticks × 10 lots × (0.01 × 0.1 × 10^6 = 1000 atoms) = 5,000,000 atoms; taker 5 bps → 2,500.
  assert.is(fill.notionalQuoteAtoms, 5_000_000n);
  assert.is(fill.takerFeeQuoteAtoms, 2_500n);
  assert.is(driver.engine.ledger.balance('bob', 'USDC').available, before - 5_002_500n);
  assert.is(driver.engine.ledger.balance('bob', 'DOT').pendingReceipts, 10n * MARKET.baseAtomsPerLot);
  const reportsToAlice = take.reports.filter((r) => r.account === 'alice').map((r) => r.report.kind);
  assert.equal(reportsToAlice, ['fill']);
  assert.not.ok(take.reports.some((r) => r.account === 'alice' && r.report.trade?.orderId === fill.takerOrderId), 'the maker learns only its own side');
  const closed = driver.run({ kind: 'closeWindow' });
  const bobDot = closed.window!.nets.find((n) => n.account === 'bob' && n.asset === 'DOT')!;
  assert.is(bobDot.payoutAtoms, 10n * MARKET.baseAtomsPerLot);
  const toBob = closed.reports.filter((r) => r.account === 'bob').map((r) => r.report);
  assert.equal(toBob.map((r) => [r.kind, r.status, r.window, r.firstTradeId, r.lastTradeId, r.tradeCount, r.payouts]), [
    ['settlement', 'netted', 1, fill.tradeId, fill.tradeId, 1, [{ asset: 'DOT', amount: (10n * MARKET.baseAtomsPerLot).toString() }]],
  ], 'the trader learns its own net and which of its trades the window holds, nothing else');
  const fees = closed.window!.nets.find((n) => n.account === 'fees')!;
  assert.is(fees.payoutAtoms, 0n, 'fees stay in escrow');
  assert.is(fees.returnedAtoms, 2_500n + 1_000n);
  assert.is(driver.engine.ledger.balance('fees', 'USDC').available, 3_500n);
  driver.engine.checkInvariants();
});

test('a given-up payout is credited back once per reference and a withdrawal refunded once per id, also after a snapshot', () => {
  const driver = funded();
  driver.trade('alice', { type: 'order.place', order: limit('sell', 500, 20, 'a1') });
  driver.trade('bob', { type: 'order.place', order: limit('buy', 510, 10, 'b1') });
  const closed = driver.run({ kind: 'closeWindow' });
  const payout = closed.window!.nets.find((n) => n.account === 'bob' && n.asset === 'DOT')!.payoutAtoms;
  const dotBefore = driver.engine.ledger.balance('bob', 'DOT').available;
  const refund = { kind: 'payoutFailed', account: 'bob', asset: 'DOT', atoms: payout, reference: 'gu:1' } as const;
  const first = driver.run(refund);
  assert.is(driver.engine.ledger.balance('bob', 'DOT').available, dotBefore + payout, 'the proceeds are back in the balance');
  assert.equal(first.reports.map((r) => [r.account, r.report.kind, r.report.status]), [['bob', 'settlement', 'refunded']]);
  driver.engine.checkInvariants();
  const restored = EnclaveEngine.restore(CONFIG, driver.engine.serializeSnapshot());
  const again = restored.apply({ ...refund, seq: 999, timeMs: 9_999 });
  assert.equal(again.reports, [], 'the same reference is not credited twice, even after a restore');
  assert.is(restored.ledger.balance('bob', 'DOT').available, dotBefore + payout);
  const withdrawn = driver.trade('carol', { type: 'funds.withdraw', asset: 'USDC', atoms: 5_000_000n });
  const withdrawalId = withdrawn.withdrawals[0]!.withdrawalId;
  const usdcAfterWithdraw = driver.engine.ledger.balance('carol', 'USDC').available;
  const withdrawalRefund = { kind: 'withdrawalFailed', account: 'carol', asset: 'USDC', atoms: 5_000_000n, withdrawalId } as const;
  driver.run(withdrawalRefund);
  driver.run(withdrawalRefund);
  assert.is(driver.engine.ledger.balance('carol', 'USDC').available, usdcAfterWithdraw + 5_000_000n, 'refunded once');
  driver.engine.checkInvariants();
});

test('each trade\'s settlement status follows its window: pending, netted, then the steps settlement reports', () => {
  const driver = funded();
  const fill = (maker: string, taker: string, clientOrderId: string) => {
    driver.trade(maker, { type: 'order.place', order: limit('sell', 500, 2, `${clientOrderId}-m`) });
    const taken = driver.trade(taker, { type: 'order.place', order: limit('buy', 500, 2, `${clientOrderId}-t`) });
    assert.is(taken.fills.length, 1);
    return taken.fills[0]!.tradeId;
  };
  const first = fill('alice', 'bob', 'f1');
  const other = fill('carol', 'bob', 'f2');
  const second = fill('alice', 'carol', 'f3');
  const statuses = (account: string) => driver.engine.trades(account).map((trade) => [trade.tradeId, trade.settlement, trade.settlementWindow]);
  assert.equal(statuses('alice'), [[first, 'pending', undefined], [second, 'pending', undefined]]);
  const closed = driver.run({ kind: 'closeWindow' });
  const toAlice = closed.reports.filter((r) => r.account === 'alice').map((r) => r.report);
  assert.equal(toAlice.map((r) => [r.status, r.window, r.firstTradeId, r.lastTradeId, r.tradeCount]), [['netted', 1, first, second, 2]], 'alice\'s range skips nothing of hers and names only her trades');
  assert.ok(first < other && other < second, 'carol\'s trade with bob lies inside alice\'s range but is not alice\'s');
  const later = fill('alice', 'bob', 'f4');
  assert.equal(statuses('alice'), [[first, 'netted', 1], [second, 'netted', 1], [later, 'pending', undefined]]);

  const step = (status: 'submitted' | 'confirmed' | 'failed', accounts: string[]) => driver.run({ kind: 'settlementStep', window: 1, status, batchId: '0xab', accounts }).reports;
  assert.equal(step('submitted', ['alice', 'dave']).map((r) => [r.account, r.report.status, r.report.firstTradeId, r.report.batchId]), [['alice', 'submitted', first, '0xab']], 'an account without the window learns nothing');
  assert.equal(step('submitted', ['alice']), [], 'a repeated step reports nothing');
  assert.equal(step('failed', ['alice']).map((r) => r.report.status), ['failed']);
  assert.equal(step('submitted', ['alice']).map((r) => r.report.status), ['submitted'], 'a retry goes out again');
  assert.equal(step('confirmed', ['alice', 'bob', 'carol']).map((r) => r.account), ['alice', 'bob', 'carol']);
  assert.equal(step('failed', ['alice']), [], 'confirmed is final');
  assert.equal(statuses('alice'), [[first, 'confirmed', 1], [second, 'confirmed', 1], [later, 'pending', undefined]]);
  assert.equal(statuses('bob').map(([, status]) => status), ['confirmed', 'confirmed', 'pending']);
  const restored = EnclaveEngine.restore(CONFIG, driver.engine.serializeSnapshot());
  assert.equal(restored.trades('alice'), driver.engine.trades('alice'), 'settlement status survives a snapshot');
  assert.is(restored.stateHash(), driver.engine.stateHash());
});

test('an order beyond available funds is rejected with ESCROW_INSUFFICIENT_FUNDS and changes nothing', () => {
  const driver = funded();
  const hash = driver.engine.stateHash();
  const result = driver.trade('alice', { type: 'order.place', order: limit('buy', 100_000, 100_000, 'big') });
  assert.is(result.outcome?.ok, false);
  assert.is(result.outcome?.ok === false && result.outcome.name, 'ESCROW_INSUFFICIENT_FUNDS');
  assert.is(result.reports.length, 0);
  assert.is(driver.engine.stateHash(), hash);
});

test('mass quote replaces the ladder atomically', () => {
  const driver = funded();
  const first = driver.trade('carol', { type: 'order.massQuote', market: MARKET.id, quotes: [limit('buy', 490, 5, 'q1', { postOnly: true }), limit('sell', 510, 5, 'q2', { postOnly: true })] });
  assert.ok(first.outcome?.ok);
  assert.is(driver.engine.openOrders('carol', MARKET.id).length, 2);
  const second = driver.trade('carol', { type: 'order.massQuote', market: MARKET.id, quotes: [limit('buy', 495, 5, 'q3', { postOnly: true }), limit('sell', 505, 5, 'q4', { postOnly: true })] });
  assert.ok(second.outcome?.ok);
  assert.equal(driver.engine.openOrders('carol', MARKET.id).map((o) => o.clientOrderId).sort(), ['q3', 'q4']);
  const tooBig = driver.trade('carol', { type: 'order.massQuote', market: MARKET.id, quotes: [limit('buy', 100_000, 1_000_000, 'q5', { postOnly: true })] });
  assert.is(tooBig.outcome?.ok, false);
  assert.equal(driver.engine.openOrders('carol', MARKET.id).map((o) => o.clientOrderId).sort(), ['q3', 'q4'], 'a refused ladder leaves the old one');
  driver.engine.checkInvariants();
});

test('nextExpiryMs is the earliest resting GTT expiry, Infinity without one, and moves as orders expire', () => {
  const driver = funded();
  assert.is(driver.engine.nextExpiryMs(), Infinity);
  driver.trade('alice', { type: 'order.place', order: limit('buy', 90, 1, 'g1', { timeInForce: 'GTT', expireAtMs: 5_000 }) });
  driver.trade('bob', { type: 'order.place', order: limit('sell', 120, 1, 'g2', { timeInForce: 'GTT', expireAtMs: 3_000 }) });
  driver.trade('carol', { type: 'order.place', order: limit('buy', 80, 1, 'plain') });
  assert.is(driver.engine.nextExpiryMs(), 3_000);
  driver.timeMs = 3_000;
  const expired = driver.run({ kind: 'tick' });
  assert.ok(expired.reports.some(({ account, report }) => account === 'bob' && report.kind === 'expired'), 'the tick expired the order');
  assert.is(driver.engine.nextExpiryMs(), 5_000);
  driver.trade('alice', { type: 'order.cancel', market: MARKET.id, order: { clientOrderId: 'g1' } });
  assert.is(driver.engine.nextExpiryMs(), Infinity);
});

test('the streams kept for resume and queries give back exactly what was reported, in the snapshot too', () => {
  const driver = funded();
  const reported: { seq: number }[] = [];
  const trades: unknown[] = [];
  for (let i = 0; i < 40; i++) {
    const output = driver.trade('alice', { type: 'order.place', order: limit(i % 2 === 0 ? 'sell' : 'buy', 500, 1, `s${i}`, { selfTradePrevention: 'decrement' }) });
    driver.trade('bob', { type: 'order.place', order: limit(i % 2 === 0 ? 'buy' : 'sell', 500, 1, `b${i}`) });
    for (const { account, report, json } of output.reports) if (account === 'alice') { reported.push(report); assert.is(json, JSON.stringify(report)); }
  }
  const alice = driver.engine.reportsAfter('alice', 0);
  const firstPlaced = reported[0]!.seq;
  const after = driver.engine.reportsAfter('alice', firstPlaced - 1);
  assert.equal(after.reports.map((report) => report.seq), Array.from({ length: after.lastSeq - firstPlaced + 1 }, (_, index) => firstPlaced + index), 'consecutive from the one asked for');
  assert.equal(after.reports.filter((report) => reported.some((r) => r.seq === report.seq)), JSON.parse(JSON.stringify(reported)));
  assert.is(alice.lastSeq, alice.reports.at(-1)!.seq);
  assert.equal(driver.engine.reportsAfter('alice', alice.lastSeq).reports, []);
  for (const report of alice.reports) if (report.kind === 'fill') trades.push({ ...report.trade, settlement: 'pending' });
  assert.equal(driver.engine.trades('alice'), trades, 'no window closed: every trade is pending');
  const body = JSON.parse(driver.engine.serializeSnapshot()) as { accounts: [string, { reports: { seq: number }[]; trades: unknown[] }][] };
  const snapshotAlice = body.accounts.find(([account]) => account === 'alice')![1];
  assert.equal(snapshotAlice.reports, JSON.parse(JSON.stringify(alice.reports)), 'the snapshot holds the reports as objects');
  assert.is(EnclaveEngine.restore(CONFIG, driver.engine.serializeSnapshot()).stateHash(), driver.engine.stateHash());
});

test('random flows conserve funds after every command and replay to the same hash', () => {
  seen.fills = 0; seen.payouts = 0; seen.rejects = 0;
  for (let seed = 1; seed <= 40; seed += 1) {
    const prng = new Prng(seed);
    const driver = funded();
    let snapshot: string | undefined;
    let snapshotAt = 0;
    try {
      for (let step = 0; step < 150; step += 1) {
        const account = prng.pick(ACCOUNTS);
        const roll = prng.next();
        if (roll < 0.55) {
          const side = prng.chance(0.5) ? 'buy' : 'sell';
          const order = limit(side, prng.int(480, 520), prng.int(1, 40), `c${seed}-${step}`, {
            timeInForce: prng.pick(['GTC', 'GTC', 'IOC', 'FOK'] as const),
            minQtyLots: prng.chance(0.2) ? prng.int(1, 10) : 0,
            selfTradePrevention: prng.pick(['cancelNewest', 'cancelOldest', 'cancelBoth', 'decrement'] as const),
          });
          driver.trade(account, { type: 'order.place', order });
        } else if (roll < 0.7) {
          const open = driver.engine.openOrders(account, undefined);
          if (open.length > 0) driver.trade(account, { type: 'order.cancel', market: MARKET.id, order: { orderId: prng.pick(open).orderId } });
        } else if (roll < 0.8) {
          const open = driver.engine.openOrders(account, undefined);
          if (open.length > 0) driver.trade(account, { type: 'order.amend', market: MARKET.id, order: { orderId: prng.pick(open).orderId }, newSizeLots: prng.int(1, 50), newPriceTicks: prng.chance(0.5) ? prng.int(480, 520) : undefined });
        } else if (roll < 0.85) {
          driver.trade(account, { type: 'order.massQuote', market: MARKET.id, quotes: [limit('buy', prng.int(480, 499), prng.int(1, 10), `m${step}a`, { postOnly: true }), limit('sell', prng.int(501, 520), prng.int(1, 10), `m${step}b`, { postOnly: true })] });
        } else if (roll < 0.87) {
          driver.run({ kind: 'closeWindow' });
        } else if (roll < 0.9) {
          driver.run({ kind: 'settlementStep', window: prng.int(1, 5), status: prng.pick(['submitted', 'confirmed', 'failed'] as const), batchId: `b${step}`, accounts: ACCOUNTS.filter(() => prng.chance(0.6)) });
        } else if (roll < 0.95) {
          driver.trade(account, { type: 'funds.withdraw', asset: prng.chance(0.5) ? 'DOT' : 'USDC', atoms: BigInt(prng.int(1, 5_000_000)) });
        } else {
          driver.run({ kind: 'cancelAll', account, reason: 'deadMan' });
        }
        driver.engine.checkInvariants();
        if (step === 75) { snapshot = driver.engine.serializeSnapshot(); snapshotAt = driver.log.length; }
      }
      const replayed = new EnclaveEngine(CONFIG);
      for (const command of driver.log) replayed.apply(command);
      assert.is(replayed.stateHash(), driver.engine.stateHash(), 'replay from scratch');
      const resumed = EnclaveEngine.restore(CONFIG, snapshot!);
      for (const command of driver.log.slice(snapshotAt)) resumed.apply(command);
      assert.is(resumed.stateHash(), driver.engine.stateHash(), 'replay from snapshot');
    } catch (error) {
      console.error(`engine property failed with seed ${seed}`);
      throw error;
    }
  }
  assert.ok(seen.fills > 500 && seen.payouts > 50 && seen.rejects > 10, `the flows exercised trading: ${JSON.stringify(seen)}`);
});

test.run();
