// INVARIANT: every netted payout reaches the chain exactly once, whatever the chain does (drop,
// delay, failure, refusal) and however often the service restarts; the pool's escrow on chain
// always equals internal balances plus outflows not yet executed.
import { ed25519 } from '@noble/curves/ed25519';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CodedError, isCodedError } from '../../src/errors/index.js';
import { DEFAULT_SETTLEMENT_POLICY, type SettlementConfig } from '../../src/settlement/config.js';
import type { AssetRef, Fill } from '../../src/settlement/fill.js';
import { MemorySettlementStore } from '../../src/settlement/records.js';
import { SettlementService, type SettlementEvent } from '../../src/settlement/service.js';
import { dispatchOf } from '../../src/settlement/batch.js';
import type { AccountHex, ChainId } from '../../src/xcmp/connector.js';
import { LocalNetwork } from '../../src/xcmp/local-chain.js';
import { LocalChainConnector } from '../../src/xcmp/local-connector.js';
import { assetHubAssetLocal, here, relay } from '../../src/xcmp/xcm-model.js';

const account = (n: number): AccountHex => `0x${n.toString(16).padStart(64, '0')}`;
const POOL = account(0xb001);
const FEE = account(0xfee);
const COLLECTOR = account(0xc011);
const ALICE = account(0xa1);
const BOB = account(0xb0);
const USDT = assetHubAssetLocal(1984n);
const FEE_BUDGET = 50n;
const DOT: AssetRef = { chain: 'para:1000', asset: 'DOT' };
const USDT_REF: AssetRef = { chain: 'para:1000', asset: 'USDT' };
const NAT: AssetRef = { chain: 'para:2000', asset: 'NAT' };
const DOT_2000: AssetRef = { chain: 'para:2000', asset: 'DOT' };

interface Harness {
  network: LocalNetwork;
  connector: LocalChainConnector;
  store: MemorySettlementStore;
  config: SettlementConfig;
  events: SettlementEvent[];
  service: SettlementService;
  secretKey: Uint8Array;
  remoteEscrow: AccountHex;
  open(nowMs: number): Promise<SettlementService>;
}

/** Submission lifetime in blocks: a resend waits until LIFETIME + 1 blocks have passed. */
const LIFETIME = 4;

async function harness(overrides: Partial<SettlementConfig> = {}): Promise<Harness> {
  const network = new LocalNetwork([
    { id: 'para:1000', assets: [{ symbol: 'DOT', location: relay() }, { symbol: 'USDT', location: USDT }], feeAsset: 'DOT', feePerInstruction: 1n, feeCollector: COLLECTOR },
    { id: 'para:2000', assets: [{ symbol: 'DOT', location: relay() }, { symbol: 'NAT', location: here() }], feeAsset: 'DOT', feePerInstruction: 1n, feeCollector: COLLECTOR },
  ]);
  // On para:2000 the pool acts through 'send' from para:1000, i.e. as its location there.
  const remoteEscrow = network.accountOf('para:2000', network.sendOrigin('para:1000', 'para:2000', POOL));
  const connector = new LocalChainConnector({ network, signer: POOL, escrow: { 'para:2000': remoteEscrow } });
  const config: SettlementConfig = {
    chains: [
      { chain: 'para:1000', route: { kind: 'execute' }, xcmVersion: 5, assets: { DOT: relay(), USDT }, feeAsset: 'DOT', feeBudgetPerMessage: FEE_BUDGET },
      { chain: 'para:2000', route: { kind: 'send', from: 'para:1000' }, xcmVersion: 4, assets: { DOT: relay(), NAT: here() }, feeAsset: 'DOT', feeBudgetPerMessage: FEE_BUDGET },
    ],
    escrowAccounts: { 'para:1000': POOL, 'para:2000': remoteEscrow },
    feeAccount: FEE,
    ...DEFAULT_SETTLEMENT_POLICY,
    windowMs: 1_000,
    windowMaxFills: 100,
    confirmTimeoutMs: 5_000,
    retryDelayMs: 1_000,
    maxAttempts: 3,
    submissionLifetimeBlocks: LIFETIME,
    ...overrides,
  };
  const store = new MemorySettlementStore();
  const secretKey = ed25519.utils.randomPrivateKey();
  const events: SettlementEvent[] = [];
  const h: Harness = {
    network, connector, store, config, events, secretKey, remoteEscrow,
    service: undefined as unknown as SettlementService,
    async open(nowMs: number) {
      h.service = await SettlementService.open({ config, connector, store, sign: (d) => ed25519.sign(d, secretKey), publicKey: ed25519.getPublicKey(secretKey) }, nowMs, (e) => events.push(e));
      return h.service;
    },
  };
  await h.open(0);
  return h;
}

/** Traders fund their wallets, then deposit into the pool; the fee account funds chain fees. */
async function fund(h: Harness): Promise<void> {
  const deposit = (chain: ChainId, asset: string, who: AccountHex, amount: bigint, escrow: AccountHex): void => {
    h.network.mint(chain, asset, who, amount);
    h.network.transfer(chain, asset, who, escrow, amount);
  };
  deposit('para:1000', 'USDT', ALICE, 10_000n, POOL);
  deposit('para:1000', 'DOT', BOB, 1_000n, POOL);
  deposit('para:1000', 'DOT', FEE, 1_000n, POOL);
  deposit('para:2000', 'NAT', BOB, 500n, h.remoteEscrow);
  deposit('para:2000', 'DOT', ALICE, 300n, h.remoteEscrow);
  deposit('para:2000', 'DOT', FEE, 1_000n, h.remoteEscrow);
  h.network.produceBlock();
  await h.service.tick(0);
}

let trade = 0;
const fill = (base: AssetRef, quote: AssetRef, baseAtoms: bigint, quoteAtoms: bigint, buyer = ALICE, seller = BOB, fees = 1n): Fill => ({
  tradeId: `t${trade++}`, market: `${base.asset}-${quote.asset}`, buyer, seller, base, quote, baseAtoms, quoteAtoms, buyerFeeAtoms: fees, sellerFeeAtoms: fees,
});

async function assertConserved(h: Harness, label: string): Promise<void> {
  for (const line of await h.service.conservation()) {
    assert.ok(line.balanced, `${label}: ${line.chain}/${line.asset} escrow ${line.escrowOnChain} = internal ${line.internal} + pending ${line.pendingOutflow} - executed ${line.executedUnconfirmed}`);
  }
}

const types = (h: Harness): string[] => h.events.map((e) => e.type);
const chainBalance = (h: Harness, chain: ChainId, asset: string, who: AccountHex): bigint => h.network.balanceOf(chain, asset, who);

test('happy path: deposits credited, window nets, batch sealed before submit, executed once, books balance', async () => {
  const h = await harness();
  await fund(h);
  assert.is(h.service.balance('para:1000', 'USDT', ALICE), 10_000n);
  assert.is(types(h).filter((t) => t === 'deposit-credited').length, 6);
  await assertConserved(h, 'after deposits');
  for (let i = 0; i < 10; i++) h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  h.service.addFill(fill(NAT, DOT_2000, 100n, 200n));
  h.service.addFill(fill(NAT, DOT_2000, 50n, 60n, BOB, ALICE, 0n));
  await h.service.tick(999);
  assert.is(h.store.encoded.length, 6, 'not due before windowMs');
  await h.service.tick(1_000);
  const kinds = h.store.encoded.slice(6).map((line) => (JSON.parse(line) as { type: string }).type);
  assert.equal(kinds, ['batch', 'submitted', 'submitted'], 'the batch is sealed before anything is submitted');
  await assertConserved(h, 'submitted, not executed');
  h.network.produceBlock();
  await assertConserved(h, 'executed, not yet confirmed');
  await h.service.tick(1_100);
  assert.ok(h.service.messages().every((m) => m.status === 'confirmed'));
  assert.ok(types(h).includes('batch-confirmed'));
  // Alice bought 100 DOT for 3,000 USDT (+10 fee) on para:1000; on para:2000 she bought 100 NAT
  // for 201 DOT and sold 50 NAT for 60 DOT: net +50 NAT paid, -141 DOT kept in escrow.
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), 100n);
  assert.is(chainBalance(h, 'para:1000', 'USDT', BOB), 2_990n);
  assert.is(chainBalance(h, 'para:2000', 'NAT', ALICE), 50n);
  assert.is(chainBalance(h, 'para:2000', 'DOT', BOB), 139n, 'received 199 for 100 NAT, paid 60 for 50 NAT');
  assert.is(h.service.balance('para:1000', 'USDT', ALICE), 10_000n - 3_010n);
  assert.is(h.service.balance('para:2000', 'DOT', ALICE), 300n - 141n);
  assert.is(h.service.balance('para:1000', 'USDT', FEE), 20n);
  assert.is(h.service.balance('para:1000', 'DOT', FEE), 1_000n - FEE_BUDGET);
  assert.ok(chainBalance(h, 'para:1000', 'DOT', FEE) > 0n, 'the unused fee budget returns to the fee account on chain');
  await assertConserved(h, 'confirmed');
});

test('a resent batch does not pay twice', async () => {
  const h = await harness();
  await fund(h);
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  const batch = await h.service.closeWindow(10);
  assert.ok(batch);
  await h.service.tick(10);
  h.network.produceBlock();
  await h.service.tick(20);
  const paid = chainBalance(h, 'para:1000', 'DOT', ALICE);
  for (const message of batch.messages) await h.connector.submit(dispatchOf(message));
  h.network.produceBlock();
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), paid);
  assert.ok(h.network.executionLog().some((r) => r.outcome === 'duplicate'));
  await assertConserved(h, 'after resend');
});

test('drop: timeout, reconcile, retry; paid exactly once', async () => {
  const h = await harness();
  await fund(h);
  h.network.injectFault({ kind: 'drop' });
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  await h.service.tick(1_000);
  h.network.produceBlocks(3);
  await h.service.tick(5_999);
  assert.is(h.service.messages()[0]!.status, 'submitted', 'no outcome, not timed out yet');
  await h.service.tick(6_000);
  const failed = h.events.find((e) => e.type === 'message-failed');
  assert.ok(failed && failed.type === 'message-failed' && failed.error === 'SETTLEMENT_CONFIRM_TIMEOUT' && failed.code === 4032);
  await h.service.tick(6_500);
  assert.is(h.service.messages()[0]!.attempt, 1, 'waits retryDelayMs');
  await h.service.tick(7_000);
  assert.is(h.service.messages()[0]!.attempt, 1, 'waits for the deadline to pass on a finalized block');
  h.network.produceBlocks(LIFETIME);
  await h.service.tick(7_000);
  assert.is(h.service.messages()[0]!.attempt, 2);
  assert.ok(types(h).includes('message-retried'));
  h.network.produceBlock();
  await h.service.tick(7_100);
  assert.is(h.service.messages()[0]!.status, 'confirmed');
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), 10n);
  await assertConserved(h, 'after retry');
});

test('delay past the timeout but within the deadline: the late execution is matched by topic and counted once, nothing resent', async () => {
  const h = await harness();
  await fund(h);
  h.network.injectFault({ kind: 'delay', blocks: LIFETIME - 1 });
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  await h.service.tick(1_000);
  await h.service.tick(6_000);
  assert.is(h.service.messages()[0]!.status, 'failed');
  await h.service.tick(7_000);
  assert.is(h.service.messages()[0]!.attempt, 1, 'no resend while the deadline is open');
  h.network.produceBlocks(LIFETIME);
  await assertConserved(h, 'executed late, still marked failed');
  await h.service.tick(7_000);
  assert.is(h.service.messages()[0]!.status, 'confirmed');
  assert.is(h.service.messages()[0]!.attempt, 1, 'no second attempt');
  assert.is(h.network.executionLog().length, 1);
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), 10n);
});

test('delay past the deadline: the chain refuses the late copy, the resend pays exactly once', async () => {
  const h = await harness();
  await fund(h);
  h.network.injectFault({ kind: 'delay', blocks: LIFETIME + 2 });
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  await h.service.tick(1_000);
  h.network.produceBlocks(LIFETIME + 1);
  await h.service.tick(1_100);
  const failed = h.events.find((e) => e.type === 'message-failed');
  assert.ok(failed && failed.type === 'message-failed' && failed.error === 'SETTLEMENT_CONFIRM_TIMEOUT' && failed.reason.startsWith('deadline'), 'dead at its deadline, before the time-out');
  await h.service.tick(2_100);
  assert.is(h.service.messages()[0]!.attempt, 2);
  h.network.produceBlocks(2);
  await h.service.tick(2_200);
  assert.is(h.service.messages()[0]!.status, 'confirmed');
  assert.equal(h.network.executionLog().map((e) => e.outcome), ['executed', 'expired'], 'the resend executed, then the late copy came due and was refused');
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), 10n);
  await assertConserved(h, 'after the refused late copy');
});

test('execution failure: reported with its code, nothing moves, retried after the pool is funded', async () => {
  const h = await harness();
  await fund(h);
  // Credit a deposit the chain never saw: the books then promise more DOT than escrow holds.
  await h.service.creditDeposit({ chain: 'para:1000', asset: 'DOT', from: BOB, amount: 5_000n, reference: 'phantom' });
  h.service.addFill(fill(DOT, USDT_REF, 2_500n, 300n));
  await h.service.tick(1_000);
  h.network.produceBlock();
  await h.service.tick(1_100);
  const failed = h.events.find((e) => e.type === 'message-failed');
  assert.ok(failed && failed.type === 'message-failed' && failed.error === 'SETTLEMENT_EXECUTION_FAILED' && failed.reason.startsWith('FailedToTransactAsset'));
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), 0n);
  h.network.produceBlocks(LIFETIME);
  await h.service.tick(2_100);
  h.network.produceBlock();
  await h.service.tick(2_200);
  assert.is(h.service.messages()[0]!.status, 'failed', 'still short: the second attempt fails too');
  h.network.mint('para:1000', 'DOT', POOL, 5_000n);
  h.network.produceBlocks(LIFETIME);
  await h.service.tick(3_200);
  h.network.produceBlock();
  await h.service.tick(3_300);
  assert.is(h.service.messages()[0]!.status, 'confirmed');
  assert.is(h.service.messages()[0]!.attempt, 3);
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), 2_500n);
  await assertConserved(h, 'after funding');
});

test('refusal, then failures until every attempt is provably dead: given up once, payouts back in the ledger, re-arm refused', async () => {
  const h = await harness();
  await fund(h);
  h.network.injectFault({ kind: 'refuse', reason: 'tx pool full' });
  h.network.injectFault({ kind: 'fail', reason: 'Injected' }, {}, 2);
  const aliceDot = h.service.balance('para:1000', 'DOT', ALICE);
  const feeDot = h.service.balance('para:1000', 'DOT', FEE);
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  await h.service.tick(1_000);
  const refused = h.events.find((e) => e.type === 'message-failed');
  assert.ok(refused && refused.type === 'message-failed' && refused.error === 'SETTLEMENT_DELIVERY_REFUSED' && refused.code === 4030);
  for (const t of [2_000, 3_200]) {
    h.network.produceBlocks(LIFETIME + 1);
    await h.service.tick(t);
    h.network.produceBlock();
    await h.service.tick(t + 100);
  }
  const view = h.service.messages()[0]!;
  assert.is(view.attempt, 3);
  assert.is(view.status, 'failed');
  assert.not.ok(types(h).includes('retries-exhausted'), 'not given up while the last deadline is open');
  await h.service.tick(20_000);
  assert.not.ok(types(h).includes('retries-exhausted'));
  await assertConserved(h, 'exhausted, deadline open: funds still pending');
  h.network.produceBlocks(LIFETIME);
  await h.service.tick(20_100);
  await h.service.tick(20_200);
  const gaveUp = h.events.filter((e) => e.type === 'retries-exhausted');
  assert.is(gaveUp.length, 1, 'given up exactly once');
  assert.ok(gaveUp[0]!.type === 'retries-exhausted' && gaveUp[0]!.abandoned && gaveUp[0]!.code === 4100 && gaveUp[0]!.error === 'SETTLEMENT_GIVEN_UP');
  assert.is(h.service.messages()[0]!.status, 'abandoned');
  assert.ok(h.service.messages()[0]!.exhausted);
  assert.is(h.service.balance('para:1000', 'DOT', ALICE), aliceDot + 10n, 'the payout is back in the ledger');
  assert.is(h.service.balance('para:1000', 'DOT', FEE), feeDot, 'and the fee budget');
  assert.equal(h.service.abandonedMessages(), [{ batchId: view.batchId, index: view.index }]);
  await assertConserved(h, 'after give-up');
  try { await h.service.rearm(view.batchId, view.index, 21_000); assert.unreachable('re-armed a given-up message'); } catch (error) { assert.ok(isCodedError(error, 'SETTLEMENT_GIVEN_UP'), String(error)); }
  await h.service.close();
  const reopened = await h.open(30_000);
  assert.is(reopened.messages()[0]!.status, 'abandoned', 'replayed from the records');
  assert.is(reopened.balance('para:1000', 'DOT', ALICE), aliceDot + 10n);
  await reopened.tick(31_000);
  assert.is(h.events.filter((e) => e.type === 'retries-exhausted').length, 1, 'not given up again after a restart');
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), 0n);
});

test('restart after execution but before confirmation: reconciled on open, never resent', async () => {
  const h = await harness();
  await fund(h);
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  await h.service.tick(1_000);
  h.network.produceBlock();
  await h.service.close();
  const submissions = h.network.executionLog().length;
  const reopened = await h.open(50_000);
  assert.is(reopened.messages()[0]!.status, 'confirmed', 'open() reconciles before anything else');
  await reopened.tick(50_000);
  h.network.produceBlock();
  assert.is(h.network.executionLog().length, submissions);
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), 10n);
  assert.is(reopened.balance('para:1000', 'USDT', ALICE), 10_000n - 301n, 'the ledger is rebuilt from the records');
  await assertConserved(h, 'after restart');
});

test('restart while a submission is in flight: no resend before the timeout, then reconcile and retry once', async () => {
  const h = await harness();
  await fund(h);
  h.network.injectFault({ kind: 'drop' });
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  await h.service.tick(1_000);
  await h.service.close();
  const reopened = await h.open(2_000);
  await reopened.tick(2_000);
  assert.is(reopened.messages()[0]!.status, 'submitted');
  assert.is(reopened.messages()[0]!.attempt, 1);
  await reopened.tick(6_000);
  h.network.produceBlocks(LIFETIME + 1);
  await reopened.tick(7_000);
  h.network.produceBlock();
  await reopened.tick(7_100);
  assert.is(reopened.messages()[0]!.status, 'confirmed');
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), 10n);
});

test('restart with a lost batch append: replaying the same fills rebuilds the same batch id', async () => {
  const h = await harness();
  await fund(h);
  const fills = [fill(DOT, USDT_REF, 10n, 300n), fill(NAT, DOT_2000, 5n, 7n)];
  for (const f of fills) h.service.addFill(f);
  const first = await h.service.closeWindow(1_000);
  await h.service.close();
  h.store.truncate(h.store.encoded.length - 1);
  const reopened = await h.open(1_500);
  assert.equal(reopened.resumePoint(), { nextWindowNumber: 0, lastTradeId: null });
  for (const f of fills) reopened.addFill(f);
  const again = await reopened.closeWindow(1_000);
  assert.is(again?.id, first?.id);
});

test('tampered records are refused at open', async () => {
  const h = await harness();
  await fund(h);
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  await h.service.closeWindow(1_000);
  await h.service.close();
  const index = h.store.encoded.findIndex((line) => line.includes('"type":"batch"'));
  const original = h.store.encoded[index]!;
  h.store.overwrite(index, original.replace('"$bigint":"10"', '"$bigint":"11"'));
  try { await h.open(2_000); assert.unreachable('tampered amount'); } catch (error) { assert.ok(isCodedError(error, 'SETTLEMENT_RECORD_INVALID'), String(error)); }
  const record = JSON.parse(original) as { batch: { signature: { $bytes: string } } };
  const flipped = `${record.batch.signature.$bytes.slice(0, -2)}${record.batch.signature.$bytes.endsWith('00') ? '01' : '00'}`;
  h.store.overwrite(index, original.replace(record.batch.signature.$bytes, flipped));
  try { await h.open(2_000); assert.unreachable('bad signature'); } catch (error) { assert.ok(isCodedError(error, 'SETTLEMENT_SIGNATURE_INVALID'), String(error)); }
});

test('deposits are credited once per reference, across restarts; unknown assets are not credited', async () => {
  const h = await harness();
  const deposit = { chain: 'para:1000', asset: 'USDT', from: ALICE, amount: 5n, reference: 'r1' } as const;
  assert.is(await h.service.creditDeposit(deposit), 'credited');
  assert.is(await h.service.creditDeposit(deposit), 'duplicate');
  assert.is(await h.service.creditDeposit({ ...deposit, reference: 'r2', asset: 'BTC' }), 'rejected');
  const ignored = h.events.filter((e) => e.type === 'deposit-ignored').map((e) => (e.type === 'deposit-ignored' ? e.code : 0));
  assert.equal(ignored, [4020, 4021]);
  await h.service.close();
  const reopened = await h.open(1);
  assert.is(await reopened.creditDeposit(deposit), 'duplicate');
  assert.is(reopened.balance('para:1000', 'USDT', ALICE), 5n);
});

test('withdrawal: debited at once, paid in the next batch, refused twice', async () => {
  const h = await harness();
  await fund(h);
  h.service.requestWithdrawal({ requestId: 'w-1', account: ALICE, chain: 'para:1000', asset: 'USDT', amount: 4_000n });
  assert.is(h.service.available(USDT_REF, ALICE), 6_000n);
  try { h.service.requestWithdrawal({ requestId: 'w-2', account: ALICE, chain: 'para:1000', asset: 'USDT', amount: 6_001n }); assert.unreachable('overdraw'); } catch (error) {
    assert.ok(isCodedError(error, 'SETTLEMENT_ESCROW_INSUFFICIENT'));
  }
  await h.service.tick(1_000);
  h.network.produceBlock();
  await h.service.tick(1_100);
  assert.is(chainBalance(h, 'para:1000', 'USDT', ALICE), 4_000n);
  assert.is(h.service.balance('para:1000', 'USDT', ALICE), 6_000n);
  await h.service.close();
  const reopened = await h.open(2_000);
  try { reopened.requestWithdrawal({ requestId: 'w-1', account: ALICE, chain: 'para:1000', asset: 'USDT', amount: 1n }); assert.unreachable('duplicate'); } catch (error) {
    assert.ok(isCodedError(error, 'SETTLEMENT_DUPLICATE_WITHDRAWAL'));
  }
  await assertConserved(h, 'after withdrawal');
});

test('an unfunded fee account holds the window open with a coded event until it is funded', async () => {
  const h = await harness({ maxPayoutsPerMessage: 1 });
  h.network.mint('para:1000', 'USDT', ALICE, 1_000n);
  h.network.transfer('para:1000', 'USDT', ALICE, POOL, 1_000n);
  h.network.mint('para:1000', 'DOT', BOB, 1_000n);
  h.network.transfer('para:1000', 'DOT', BOB, POOL, 1_000n);
  h.network.produceBlock();
  await h.service.tick(0);
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  await h.service.tick(1_000);
  const held = h.events.find((e) => e.type === 'window-held');
  assert.ok(held && held.type === 'window-held' && held.code === 4005);
  assert.is(h.service.messages().length, 0);
  h.network.mint('para:1000', 'DOT', FEE, 200n);
  h.network.transfer('para:1000', 'DOT', FEE, POOL, 200n);
  h.network.produceBlock();
  await h.service.tick(1_001);
  assert.is(h.service.messages().length, 2, 'one payout per message: DOT to Alice, USDT to Bob');
  h.network.produceBlock();
  await h.service.tick(1_100);
  assert.ok(h.service.messages().every((m) => m.status === 'confirmed'));
  assert.is(h.service.balance('para:1000', 'DOT', FEE), 200n - 2n * FEE_BUDGET);
  await assertConserved(h, 'two messages');
});

test('submit errors: in doubt stays submitted (no resend before the timeout); execution errors count as failed', async () => {
  const h = await harness();
  await fund(h);
  const realSubmit = h.connector.submit.bind(h.connector);
  let mode: 'lost' | 'executed-badly' | 'normal' = 'lost';
  h.connector.submit = async (dispatch) => {
    if (mode === 'lost') { await realSubmit(dispatch); throw new CodedError('XCMP_NODE_UNREACHABLE', 'socket closed after send'); }
    if (mode === 'executed-badly') throw new CodedError('XCMP_EXECUTION_INCOMPLETE', 'FailedToTransactAsset');
    return realSubmit(dispatch);
  };
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  await h.service.tick(1_000);
  assert.is(h.service.messages()[0]!.status, 'submitted');
  assert.ok(types(h).includes('connector-error'));
  h.network.produceBlock();
  await h.service.tick(1_100);
  assert.is(h.service.messages()[0]!.status, 'confirmed', 'the in-doubt dispatch had gone out and is found by topic');
  mode = 'executed-badly';
  h.service.addFill(fill(DOT, USDT_REF, 10n, 300n));
  await h.service.tick(2_100);
  const failed = h.events.filter((e) => e.type === 'message-failed').at(-1);
  assert.ok(failed && failed.type === 'message-failed' && failed.error === 'SETTLEMENT_EXECUTION_FAILED');
  mode = 'normal';
  h.network.produceBlocks(LIFETIME + 1);
  await h.service.tick(3_100);
  h.network.produceBlock();
  await h.service.tick(3_200);
  assert.ok(h.service.messages().every((m) => m.status === 'confirmed'));
  assert.is(chainBalance(h, 'para:1000', 'DOT', ALICE), 20n);
  await assertConserved(h, 'after in-doubt and failed submissions');
});

test.run();
