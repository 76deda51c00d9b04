// INVARIANT: the local chain moves exactly what a message says or nothing at all, executes a
// topic at most once, conserves every asset (issuance changes only by mint), and never executes a
// submission after its deadline (validUntil): a copy coming due later is dropped, its topic unknown.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError, type ErrorName } from '../../src/errors/index.js';
import type { AccountHex, XcmDispatch } from '../../src/xcmp/connector.js';
import { LocalNetwork, LOCAL_CHAIN_WEIGHT_PER_INSTRUCTION, type LocalChainSpec } from '../../src/xcmp/local-chain.js';
import { buildSettlementDispatch, type Payout } from '../../src/xcmp/xcm-builder.js';
import { encodeXcm } from '../../src/xcmp/xcm-codec.js';
import { accountLocation, asset, assetHubAssetLocal, buyExecution, definite, depositAsset, here, limitedWeight, relay, setTopic, transferAsset, withdrawAsset, xcm } from '../../src/xcmp/xcm-model.js';

const account = (n: number): AccountHex => `0x${n.toString(16).padStart(64, '0')}`;
const POOL = account(0xb001);
const COLLECTOR = account(0xc011);
const SURPLUS = account(0xfee);
const USDT = assetHubAssetLocal(1984n);
const FEE_PER_INSTRUCTION = 2n;

const specs = (): LocalChainSpec[] => [
  { id: 'para:1000', assets: [{ symbol: 'DOT', location: relay() }, { symbol: 'USDT', location: USDT }], feeAsset: 'DOT', feePerInstruction: FEE_PER_INSTRUCTION, feeCollector: COLLECTOR },
  { id: 'para:2000', assets: [{ symbol: 'DOT', location: relay() }, { symbol: 'NAT', location: here() }], feeAsset: 'DOT', feePerInstruction: FEE_PER_INSTRUCTION, feeCollector: COLLECTOR },
];

function expectCode(run: () => unknown, name: ErrorName): void {
  try { run(); } catch (error) { assert.ok(isCodedError(error, name), `expected ${name}, got ${String(error)}`); return; }
  assert.unreachable(`expected ${name}`);
}

const topic = (n: number): Uint8Array => new Uint8Array(32).fill(n);

function settlement(n: number, payouts: Payout[], fee = 100n, version: 4 | 5 = 5): XcmDispatch {
  return buildSettlementDispatch({ kind: 'execute', origin: 'para:1000', destination: 'para:1000', version, payouts, fee: asset(relay(), fee), surplusTo: SURPLUS, topic: topic(n) });
}

function funded(): LocalNetwork {
  const network = new LocalNetwork(specs());
  network.mint('para:1000', 'DOT', POOL, 1_000n);
  network.mint('para:1000', 'USDT', POOL, 10_000n);
  return network;
}

const issuance = (network: LocalNetwork): bigint[] => ['DOT', 'USDT'].map((s) => network.totalIssuance('para:1000', s));

test('an executed settlement pays each beneficiary exactly, charges fees, returns the surplus', () => {
  const network = funded();
  const before = issuance(network);
  const payouts = [{ beneficiary: account(1), asset: USDT, amount: 700n }, { beneficiary: account(2), asset: relay(), amount: 50n }];
  const dispatch = settlement(1, payouts, 100n);
  network.submit(dispatch, POOL);
  assert.equal(network.findTopic('para:1000', dispatch.topic), { status: 'unknown' }, 'nothing executes before the block');
  network.produceBlock();
  const outcome = network.findTopic('para:1000', dispatch.topic);
  assert.is(outcome.status, 'executed');
  const fee = FEE_PER_INSTRUCTION * 7n; // Withdraw, PayFees, 2 deposits, RefundSurplus, surplus deposit, SetTopic
  assert.is(network.balanceOf('para:1000', 'USDT', account(1)), 700n);
  assert.is(network.balanceOf('para:1000', 'DOT', account(2)), 50n);
  assert.is(network.balanceOf('para:1000', 'USDT', POOL), 9_300n);
  assert.is(network.balanceOf('para:1000', 'DOT', POOL), 1_000n - 50n - 100n, 'the pool drops by payouts + fee budget exactly');
  assert.is(network.balanceOf('para:1000', 'DOT', COLLECTOR), fee);
  assert.is(network.balanceOf('para:1000', 'DOT', SURPLUS), 100n - fee);
  assert.equal(issuance(network), before);
  assert.equal(network.trappedAssets('para:1000'), []);
});

test('a topic executes once: a resend is recorded as a duplicate and moves nothing', () => {
  const network = funded();
  const dispatch = settlement(2, [{ beneficiary: account(1), asset: USDT, amount: 10n }]);
  network.submit(dispatch, POOL);
  network.produceBlock();
  const first = network.findTopic('para:1000', dispatch.topic);
  network.submit(dispatch, POOL);
  network.produceBlock();
  assert.equal(network.findTopic('para:1000', dispatch.topic), first);
  assert.is(network.balanceOf('para:1000', 'USDT', account(1)), 10n);
  assert.equal(network.executionLog().map((r) => r.outcome), ['executed', 'duplicate']);
});

test('insufficient funds fail the whole message atomically; after funding the same topic executes', () => {
  const network = new LocalNetwork(specs());
  network.mint('para:1000', 'DOT', POOL, 1_000n);
  network.mint('para:1000', 'USDT', POOL, 5n);
  const dispatch = settlement(3, [{ beneficiary: account(2), asset: relay(), amount: 1n }, { beneficiary: account(1), asset: USDT, amount: 10n }]);
  network.submit(dispatch, POOL);
  network.produceBlock();
  const failed = network.findTopic('para:1000', dispatch.topic);
  assert.is(failed.status, 'failed');
  assert.ok(failed.status === 'failed' && failed.reason.startsWith('FailedToTransactAsset'));
  assert.is(network.balanceOf('para:1000', 'DOT', POOL), 1_000n, 'nothing moved');
  assert.is(network.balanceOf('para:1000', 'DOT', COLLECTOR), 0n);
  network.mint('para:1000', 'USDT', POOL, 5n);
  network.submit(dispatch, POOL);
  network.produceBlock();
  assert.is(network.findTopic('para:1000', dispatch.topic).status, 'executed');
  assert.is(network.balanceOf('para:1000', 'USDT', account(1)), 10n);
});

test('faults: drop never arrives, delay arrives late, fail moves nothing, refuse throws', () => {
  const network = funded();
  network.injectFault({ kind: 'drop' });
  const dropped = settlement(4, [{ beneficiary: account(1), asset: USDT, amount: 1n }]);
  assert.ok(network.submit(dropped, POOL).reference.length > 0);
  network.produceBlocks(5);
  assert.equal(network.findTopic('para:1000', dropped.topic), { status: 'unknown' });

  network.injectFault({ kind: 'delay', blocks: 3 });
  const delayed = settlement(5, [{ beneficiary: account(1), asset: USDT, amount: 1n }]);
  network.submit(delayed, POOL);
  network.produceBlocks(3);
  assert.equal(network.findTopic('para:1000', delayed.topic), { status: 'unknown' });
  network.produceBlock();
  assert.is(network.findTopic('para:1000', delayed.topic).status, 'executed');

  network.injectFault({ kind: 'fail', reason: 'Injected' }, { destination: 'para:1000' });
  const failing = settlement(6, [{ beneficiary: account(3), asset: USDT, amount: 1n }]);
  network.submit(failing, POOL);
  network.produceBlock();
  assert.equal(network.findTopic('para:1000', failing.topic), { status: 'failed', reference: network.executionLog().at(-1)!.reference, reason: 'Injected' });
  assert.is(network.balanceOf('para:1000', 'USDT', account(3)), 0n);

  network.injectFault({ kind: 'refuse', reason: 'pool out of tx fees' });
  expectCode(() => network.submit(settlement(7, [{ beneficiary: account(1), asset: USDT, amount: 1n }]), POOL), 'XCM_SUBMIT_REFUSED');
  network.produceBlock();
  assert.equal(network.findTopic('para:1000', topic(7)), { status: 'unknown' });
});

test('deadlines: refused at submit once past; a delayed copy due after its deadline never executes; within it, it does', () => {
  const network = funded();
  network.produceBlocks(3);
  const payouts = [{ beneficiary: account(1), asset: relay(), amount: 10n }];
  expectCode(() => network.submit({ ...settlement(30, payouts), validUntil: 3 }, POOL), 'XCMP_DEADLINE_PASSED');
  expectCode(() => network.submit({ ...settlement(30, payouts), validUntil: -1 }, POOL), 'XCMP_DEADLINE_UNENFORCEABLE');
  expectCode(() => network.submit({ ...settlement(30, payouts), validUntil: 4.5 }, POOL), 'XCMP_DEADLINE_UNENFORCEABLE');

  const late = { ...settlement(31, payouts), validUntil: 6 };
  network.injectFault({ kind: 'delay', blocks: 3 }); // due at block 7
  assert.is(network.submit(late, POOL).validUntil, 6, 'the receipt names the deadline the chain enforces');
  const inTime = { ...settlement(32, payouts), validUntil: 7 };
  network.injectFault({ kind: 'delay', blocks: 3 }); // due at block 7, its last valid block
  network.submit(inTime, POOL);
  network.produceBlocks(10);
  assert.equal(network.findTopic('para:1000', late.topic), { status: 'unknown' }, 'expired copies leave no outcome');
  assert.is(network.findTopic('para:1000', inTime.topic).status, 'executed');
  assert.equal(network.executionLog().map((e) => [e.block, e.outcome]), [[7, 'expired'], [7, 'executed']]);
  assert.is(network.balanceOf('para:1000', 'DOT', account(1)), 10n, 'only the copy within its deadline paid');

  // After the deadline, the same topic can be sent again and executes exactly once.
  network.submit({ ...settlement(31, payouts), validUntil: network.blockHeight + 5 }, POOL);
  network.produceBlock();
  assert.is(network.findTopic('para:1000', late.topic).status, 'executed');
  assert.is(network.balanceOf('para:1000', 'DOT', account(1)), 20n);
});

test('send: runs on the destination from the signer\'s location there; V4 BuyExecution enforces its weight limit', () => {
  const network = new LocalNetwork(specs());
  const remote = network.accountOf('para:2000', network.sendOrigin('para:1000', 'para:2000', POOL));
  assert.is.not(remote, POOL);
  network.mint('para:2000', 'DOT', remote, 1_000n);
  network.mint('para:2000', 'NAT', remote, 1_000n);
  const base = { kind: 'send' as const, origin: 'para:1000', destination: 'para:2000', version: 4 as const, fee: asset(relay(), 100n), surplusTo: SURPLUS };
  const payouts = [{ beneficiary: account(1), asset: here(), amount: 30n }];
  network.submit(buildSettlementDispatch({ ...base, payouts, topic: topic(8), weightLimit: limitedWeight(LOCAL_CHAIN_WEIGHT_PER_INSTRUCTION, 0n) }), POOL);
  network.submit(buildSettlementDispatch({ ...base, payouts, topic: topic(9) }), POOL);
  network.produceBlock();
  const tooLow = network.findTopic('para:2000', topic(8));
  assert.ok(tooLow.status === 'failed' && tooLow.reason.startsWith('Barrier'));
  assert.is(network.findTopic('para:2000', topic(9)).status, 'executed');
  assert.is(network.balanceOf('para:2000', 'NAT', account(1)), 30n);
  assert.is(network.balanceOf('para:2000', 'NAT', remote), 970n);
  assert.is(network.balanceOf('para:2000', 'NAT', POOL), 0n);
});

test('unknown assets, fee in the wrong asset and TransferAsset', () => {
  const network = funded();
  const unknownAsset = xcm(5, [withdrawAsset([asset(here(), 1n)]), setTopic(topic(10))]);
  network.submit({ origin: 'para:1000', destination: 'para:1000', kind: 'execute', message: encodeXcm(unknownAsset), topic: topic(10) }, POOL);
  const wrongFee = xcm(4, [withdrawAsset([asset(USDT, 10n)]), buyExecution(asset(USDT, 10n)), setTopic(topic(11))]);
  network.submit({ origin: 'para:1000', destination: 'para:1000', kind: 'execute', message: encodeXcm(wrongFee), topic: topic(11) }, POOL);
  const direct = xcm(5, [transferAsset([asset(USDT, 25n)], accountLocation(account(4))), depositAsset(definite([asset(USDT, 1n)]), accountLocation(account(4))), setTopic(topic(12))]);
  network.submit({ origin: 'para:1000', destination: 'para:1000', kind: 'execute', message: encodeXcm(direct), topic: topic(12) }, POOL);
  const plain = xcm(5, [transferAsset([asset(USDT, 25n)], accountLocation(account(5))), setTopic(topic(13))]);
  network.submit({ origin: 'para:1000', destination: 'para:1000', kind: 'execute', message: encodeXcm(plain), topic: topic(13) }, POOL);
  network.produceBlock();
  const reasons = [10, 11, 12].map((n) => { const o = network.findTopic('para:1000', topic(n)); return o.status === 'failed' ? o.reason.split(':')[0] : o.status; });
  assert.equal(reasons, ['AssetNotFound', 'TooExpensive', 'NotHoldingAssets']);
  assert.is(network.balanceOf('para:1000', 'USDT', account(4)), 0n, 'the failed message rolled back its TransferAsset');
  assert.is(network.balanceOf('para:1000', 'USDT', account(5)), 25n);
});

test('submission checks: topic must match, routes must be coherent, chains must exist', () => {
  const network = funded();
  const dispatch = settlement(14, [{ beneficiary: account(1), asset: USDT, amount: 1n }]);
  expectCode(() => network.submit({ ...dispatch, topic: topic(15) }, POOL), 'XCM_DISPATCH_INVALID');
  expectCode(() => network.submit({ ...dispatch, kind: 'send' }, POOL), 'XCM_DISPATCH_INVALID');
  expectCode(() => network.submit({ ...dispatch, destination: 'para:3000', kind: 'send' }, POOL), 'XCM_UNKNOWN_CHAIN');
  expectCode(() => network.submit({ ...dispatch, message: dispatch.message.subarray(1) }, POOL), 'XCM_VERSION_UNSUPPORTED');
  expectCode(() => network.balanceOf('para:1000', 'BTC', POOL), 'XCM_UNKNOWN_ASSET');
  expectCode(() => new LocalNetwork([]), 'XCM_LEDGER_LIMIT');
});

test('transfers into an account are reported once, when their block is produced', () => {
  const network = funded();
  network.mint('para:1000', 'USDT', account(1), 100n);
  const seen: string[] = [];
  const stop = network.onDeposit((deposit, to) => seen.push(`${deposit.from}>${to}:${deposit.amount}:${deposit.reference}`));
  const reference = network.transfer('para:1000', 'USDT', account(1), POOL, 60n);
  assert.equal(seen, []);
  network.produceBlocks(2);
  assert.equal(seen, [`${account(1)}>${POOL}:60:${reference}`]);
  expectCode(() => network.transfer('para:1000', 'USDT', account(1), POOL, 41n), 'XCM_SUBMIT_REFUSED');
  stop();
  network.transfer('para:1000', 'USDT', account(1), POOL, 40n);
  network.produceBlock();
  assert.is(seen.length, 1);
});

test.run();
