// INVARIANT: netting equals a naive per-fill reference on every (chain, asset, account), each
// asset's payouts plus internal changes sum to zero, and no account is ever overdrawn.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError, type ErrorName } from '../../src/errors/index.js';
import { resolveConfig, DEFAULT_SETTLEMENT_POLICY, type SettlementConfig } from '../../src/settlement/config.js';
import type { AssetRef, Fill } from '../../src/settlement/fill.js';
import { SettlementLedger } from '../../src/settlement/ledger.js';
import { NettingWindow, type LedgerChange, type NetPayout, type WithdrawalRequest } from '../../src/settlement/netting.js';
import type { AccountHex } from '../../src/xcmp/connector.js';
import { assetHubAssetLocal, here, relay } from '../../src/xcmp/xcm-model.js';

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const account = (n: number): AccountHex => `0x${n.toString(16).padStart(64, '0')}`;
const FEE = account(0xfee);
const CONFIG: SettlementConfig = {
  chains: [
    { chain: 'para:1000', route: { kind: 'execute' }, xcmVersion: 5, assets: { DOT: relay(), USDT: assetHubAssetLocal(1984n) }, feeAsset: 'DOT', feeBudgetPerMessage: 10n },
    { chain: 'para:2000', route: { kind: 'execute' }, xcmVersion: 4, assets: { DOT: relay(), NAT: here() }, feeAsset: 'DOT', feeBudgetPerMessage: 10n },
  ],
  escrowAccounts: { 'para:1000': account(0xb001), 'para:2000': account(0xb001) },
  feeAccount: FEE,
  ...DEFAULT_SETTLEMENT_POLICY,
  windowMaxFills: 100_000,
};
const resolved = resolveConfig(CONFIG);
const REFS: AssetRef[] = [{ chain: 'para:1000', asset: 'DOT' }, { chain: 'para:1000', asset: 'USDT' }, { chain: 'para:2000', asset: 'DOT' }, { chain: 'para:2000', asset: 'NAT' }];
const SEED = Number(process.env['SEED'] ?? Date.now() % 1_000_000);

function codeOf(run: () => void): ErrorName | 'ok' {
  try { run(); return 'ok'; } catch (error) {
    if (isCodedError(error)) return error.errorName;
    throw error;
  }
}

/** The reference: one flat map, every rule written out per entry, no caches, no slots. */
class NaiveNetting {
  readonly delta = new Map<string, bigint>();
  readonly withdrawn = new Map<string, bigint>();
  constructor(readonly balance: (key: string) => bigint) {}
  static key(ref: AssetRef, who: AccountHex): string { return `${ref.chain}|${ref.asset}|${who}`; }
  private spendable(key: string, extraSpend: bigint): bigint {
    const d = (this.delta.get(key) ?? 0n) - extraSpend;
    return this.balance(key) + (d < 0n ? d : 0n) - (this.withdrawn.get(key) ?? 0n);
  }
  fill(f: Fill): ErrorName | 'ok' {
    if (f.buyer === FEE || f.seller === FEE) return 'SETTLEMENT_INVALID_FILL';
    const buyerQuote = NaiveNetting.key(f.quote, f.buyer);
    const sellerBase = NaiveNetting.key(f.base, f.seller);
    if (this.spendable(buyerQuote, f.quoteAtoms + f.buyerFeeAtoms) < 0n || this.spendable(sellerBase, f.baseAtoms) < 0n) return 'SETTLEMENT_ESCROW_INSUFFICIENT';
    const add = (key: string, amount: bigint): void => { this.delta.set(key, (this.delta.get(key) ?? 0n) + amount); };
    add(NaiveNetting.key(f.base, f.buyer), f.baseAtoms);
    add(sellerBase, -f.baseAtoms);
    add(buyerQuote, -(f.quoteAtoms + f.buyerFeeAtoms));
    add(NaiveNetting.key(f.quote, f.seller), f.quoteAtoms - f.sellerFeeAtoms);
    if (f.buyerFeeAtoms + f.sellerFeeAtoms > 0n) add(NaiveNetting.key(f.quote, FEE), f.buyerFeeAtoms + f.sellerFeeAtoms);
    return 'ok';
  }
  withdraw(w: WithdrawalRequest): ErrorName | 'ok' {
    const key = NaiveNetting.key(w, w.account);
    if (this.spendable(key, 0n) < w.amount) return 'SETTLEMENT_ESCROW_INSUFFICIENT';
    this.withdrawn.set(key, (this.withdrawn.get(key) ?? 0n) + w.amount);
    return 'ok';
  }
  result(): { payouts: Map<string, bigint>; changes: Map<string, bigint> } {
    const payouts = new Map<string, bigint>();
    const changes = new Map<string, bigint>();
    for (const key of new Set([...this.delta.keys(), ...this.withdrawn.keys()])) {
      const d = this.delta.get(key) ?? 0n;
      const w = this.withdrawn.get(key) ?? 0n;
      const isFee = key.endsWith(FEE);
      const paid = (isFee ? 0n : d > 0n ? d : 0n) + w;
      const change = (isFee ? d : d < 0n ? d : 0n) - w;
      if (paid !== 0n) payouts.set(key, paid);
      if (change !== 0n) changes.set(key, change);
    }
    return { payouts, changes };
  }
}

const asMap = (rows: readonly (NetPayout | LedgerChange)[]): Map<string, bigint> =>
  new Map(rows.map((r) => [`${r.chain}|${r.asset}|${r.account}`, 'amount' in r ? r.amount : r.delta]));

test('property: netting equals the naive reference, sums are conserved, no one is overdrawn', () => {
  const random = mulberry32(SEED);
  const int = (n: number): number => Math.floor(random() * n);
  const outcomes = new Map<string, number>();
  for (let round = 0; round < 60; round++) {
    // Every third round scales amounts around 2^52, where the netting's exact float part flushes into bigint.
    const scale = round % 3 === 2 ? (1n << 50n) : 1n;
    const big = (n: number): bigint => BigInt(n) * scale + (scale > 1n ? BigInt(int(1_000_000)) : 0n);
    const ledger = new SettlementLedger();
    const traders = Array.from({ length: 2 + int(5) }, (_, i) => account(i + 1));
    for (const who of traders) for (const ref of REFS) if (random() < 0.7) ledger.apply(ref.chain, ref.asset, who, big(int(5_000)));
    const reference = new NaiveNetting((key) => { const [chain, asset, who] = key.split('|') as [string, string, AccountHex]; return ledger.balance(chain, asset, who); });
    const window = new NettingWindow(round, 0, resolved, ledger);
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      if (random() < 0.1) {
        const ref = REFS[int(REFS.length)]!;
        const request = { requestId: `w${round}-${i}`, account: random() < 0.1 ? FEE : traders[int(traders.length)]!, ...ref, amount: big(1 + int(2_000)) };
        assert.is(codeOf(() => window.addWithdrawal(request, new Set())), reference.withdraw(request), `seed ${SEED} round ${round} op ${i}`);
        continue;
      }
      const [base, quote] = random() < 0.5 ? [REFS[3]!, REFS[2]!] : [REFS[0]!, REFS[1]!];
      const quoteAtoms = big(1 + int(1_000));
      const fill: Fill = {
        tradeId: `t${i}`, market: 'M', buyer: traders[int(traders.length)]!, seller: random() < 0.05 ? FEE : traders[int(traders.length)]!,
        base, quote, baseAtoms: big(1 + int(1_000)), quoteAtoms,
        buyerFeeAtoms: random() < 0.3 ? 0n : big(int(20)), sellerFeeAtoms: random() < 0.3 ? 0n : (quoteAtoms * BigInt(int(1_000))) / 1_000n,
      };
      const expected = reference.fill(fill);
      outcomes.set(expected, (outcomes.get(expected) ?? 0) + 1);
      assert.is(codeOf(() => window.addFill(fill)), expected, `seed ${SEED} round ${round} op ${i}`);
      if (expected === 'ok') accepted++;
    }
    assert.is(window.fillCount, accepted);
    const result = window.close(1);
    const naive = reference.result();
    assert.equal(asMap(result.payouts), naive.payouts, `seed ${SEED} round ${round}: payouts`);
    assert.equal(asMap(result.ledgerChanges), naive.changes, `seed ${SEED} round ${round}: ledger changes`);
    for (const ref of REFS) {
      const inSlot = (r: NetPayout | LedgerChange): boolean => r.chain === ref.chain && r.asset === ref.asset;
      const paid = result.payouts.filter(inSlot).reduce((n, p) => n + p.amount, 0n);
      const changed = result.ledgerChanges.filter(inSlot).reduce((n, c) => n + c.delta, 0n);
      assert.is(paid + changed, 0n, `seed ${SEED}: value is conserved in ${ref.chain}/${ref.asset}`);
    }
    for (const change of result.ledgerChanges) assert.ok(ledger.balance(change.chain, change.asset, change.account) + change.delta >= 0n, `seed ${SEED}: never overdrawn`);
    assert.ok(result.payouts.every((p) => p.account !== FEE || result.withdrawals.some((w) => w.account === FEE)), 'the fee account is paid only what it withdraws');
  }
  for (const outcome of ['ok', 'SETTLEMENT_ESCROW_INSUFFICIENT', 'SETTLEMENT_INVALID_FILL']) assert.ok((outcomes.get(outcome) ?? 0) > 20, `seed ${SEED}: ${outcome} exercised`);
});

test('one net transfer per (chain, asset, account) however many fills', () => {
  const ledger = new SettlementLedger();
  ledger.apply('para:1000', 'USDT', account(1), 1_000_000n);
  ledger.apply('para:1000', 'DOT', account(2), 1_000_000n);
  const window = new NettingWindow(0, 0, resolved, ledger);
  for (let i = 0; i < 500; i++) window.addFill({ tradeId: `t${i}`, market: 'DOT-USDT', buyer: account(1), seller: account(2), base: REFS[0]!, quote: REFS[1]!, baseAtoms: 2n, quoteAtoms: 10n, buyerFeeAtoms: 1n, sellerFeeAtoms: 1n });
  const result = window.close(5);
  assert.equal(result.payouts, [
    { chain: 'para:1000', asset: 'DOT', account: account(1), amount: 1_000n },
    { chain: 'para:1000', asset: 'USDT', account: account(2), amount: 4_500n },
  ]);
  assert.equal(result.ledgerChanges, [
    { chain: 'para:1000', asset: 'DOT', account: account(2), delta: -1_000n },
    { chain: 'para:1000', asset: 'USDT', account: account(1), delta: -5_500n },
    { chain: 'para:1000', asset: 'USDT', account: FEE, delta: 1_000n },
  ]);
  assert.is(result.lastTradeId, 't499');
});

test('window policy: due by fill count or by elapsed time with content; time comes from the caller', () => {
  const ledger = new SettlementLedger();
  ledger.apply('para:1000', 'USDT', account(1), 1_000n);
  ledger.apply('para:1000', 'DOT', account(2), 1_000n);
  const small = resolveConfig({ ...CONFIG, windowMs: 100, windowMaxFills: 2 });
  const window = new NettingWindow(0, 1_000, small, ledger);
  assert.not.ok(window.isDue(5_000), 'an empty window is never due by time');
  const fill = (id: string): Fill => ({ tradeId: id, market: 'M', buyer: account(1), seller: account(2), base: REFS[0]!, quote: REFS[1]!, baseAtoms: 1n, quoteAtoms: 1n, buyerFeeAtoms: 0n, sellerFeeAtoms: 0n });
  window.addFill(fill('a'));
  assert.not.ok(window.isDue(1_099));
  assert.ok(window.isDue(1_100));
  window.addFill(fill('b'));
  assert.ok(window.isDue(1_000));
  assert.is(codeOf(() => window.addFill(fill('c'))), 'SETTLEMENT_WINDOW_FULL');
});

test('bad input is refused with codes and leaves the window untouched', () => {
  const ledger = new SettlementLedger();
  ledger.apply('para:1000', 'USDT', account(1), 100n);
  const window = new NettingWindow(0, 0, resolved, ledger);
  const good: Fill = { tradeId: 't', market: 'M', buyer: account(1), seller: account(2), base: REFS[0]!, quote: REFS[1]!, baseAtoms: 1n, quoteAtoms: 1n, buyerFeeAtoms: 0n, sellerFeeAtoms: 0n };
  assert.is(codeOf(() => window.addFill({ ...good, base: { chain: 'para:1000', asset: 'BTC' } })), 'SETTLEMENT_UNKNOWN_ASSET');
  assert.is(codeOf(() => window.addFill({ ...good, baseAtoms: 0n })), 'SETTLEMENT_INVALID_FILL');
  assert.is(codeOf(() => window.addFill(good)), 'SETTLEMENT_ESCROW_INSUFFICIENT', 'the seller holds no DOT');
  assert.is(codeOf(() => window.addWithdrawal({ requestId: 'w1', account: account(1), chain: 'para:1000', asset: 'USDT', amount: 101n }, new Set())), 'SETTLEMENT_ESCROW_INSUFFICIENT');
  assert.is(codeOf(() => window.addWithdrawal({ requestId: 'w1', account: account(1), chain: 'para:1000', asset: 'USDT', amount: 60n }, new Set())), 'ok');
  assert.is(codeOf(() => window.addWithdrawal({ requestId: 'w1', account: account(1), chain: 'para:1000', asset: 'USDT', amount: 1n }, new Set())), 'SETTLEMENT_DUPLICATE_WITHDRAWAL');
  assert.is(codeOf(() => window.addWithdrawal({ requestId: 'old', account: account(1), chain: 'para:1000', asset: 'USDT', amount: 1n }, new Set(['old']))), 'SETTLEMENT_DUPLICATE_WITHDRAWAL');
  assert.is(codeOf(() => window.addWithdrawal({ requestId: 'bad id', account: account(1), chain: 'para:1000', asset: 'USDT', amount: 1n }, new Set())), 'SETTLEMENT_INVALID_WITHDRAWAL');
  assert.is(window.available(REFS[1]!, account(1)), 40n);
  assert.is(window.fillCount, 0);
  assert.equal(window.close(0).payouts, [{ chain: 'para:1000', asset: 'USDT', account: account(1), amount: 60n }]);
});

test.run();
