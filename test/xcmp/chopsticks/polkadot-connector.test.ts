// INVARIANT: settlement XCM built by the engine executes on real Polkadot runtimes (paseo-local
// relay, People Paseo para 1004, Educhain para 4883, run offline by chopsticks): beneficiaries
// change by exactly the netted amounts, outcomes are found by topic, a failed message moves
// nothing but the transaction fee and its retry pays exactly once; a submission with a deadline
// is signed with a mortal era that ends by it, and the runtime refuses an extrinsic past its era
// (what lets settlement take "unknown after the deadline" for "never executes"). Needs the chain specs in
// ../shared/chain-specs; a missing file fails this file loudly, naming it.
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { EventRecord } from '@polkadot/types/interfaces';
import { sha256 } from '@noble/hashes/sha2';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import type { AccountHex, DepositObserved, XcmDispatch } from '../../../src/xcmp/connector.js';
import { chopsticksNewBlock } from '../../../src/xcmp/polkadot/block-production.js';
import { PolkadotConnector } from '../../../src/xcmp/polkadot/polkadot-connector.js';
import { settlementKeyPair } from '../../../src/xcmp/polkadot/settlement-key.js';
import { buildSettlementDispatch } from '../../../src/xcmp/xcm-builder.js';
import { asset, relay } from '../../../src/xcmp/xcm-model.js';
import { CHAIN_SPECS_DIR, ChopsticksNetwork, chainSpecPath, requireChainSpecs } from '../../support/chopsticks-network.js';

const RELAY_SPEC = 'paseo-local-raw.json';
const PEOPLE_SPEC = 'people-paseo-local-raw.json';
const EDUCHAIN_SPEC = 'educhain-raw.json';
const EDU = 'para:4883';
const PEOPLE = 'para:1004';
const PAS = 10_000_000_000n;
const FEE_BUDGET = PAS;
/** Blocks built on a destination while waiting for a message to arrive there. */
const DELIVERY_MAX_BLOCKS = 4;

const POOL_SEED = Uint8Array.from(sha256(new TextEncoder().encode('darkpool settlement key (test)')));
const POOL = `0x${Buffer.from(settlementKeyPair(POOL_SEED).publicKey).toString('hex')}` as AccountHex;
const SENDER_SEED = Uint8Array.from(sha256(new TextEncoder().encode('a trader depositing (test)')));
const SENDER = settlementKeyPair(SENDER_SEED);
const account = (label: string): AccountHex => `0x${Buffer.from(sha256(new TextEncoder().encode(label))).toString('hex')}`;
const topicOf = (label: string): Uint8Array => sha256(new TextEncoder().encode(`topic:${label}`));

interface Fixture { network: ChopsticksNetwork; connector: PolkadotConnector; edu: ApiPromise; startedMs: number }
let fixture: Fixture | undefined;
let startupError: unknown;
/** uvu swallows a throwing before-hook, so every test rethrows the start-up error instead. */
const f = (): Fixture => {
  if (fixture === undefined) throw startupError instanceof Error ? startupError : new Error(`the chopsticks network did not start: ${String(startupError)}`);
  return fixture;
};

function settlement(label: string, payouts: readonly { beneficiary: AccountHex; amount: bigint }[], options: { kind?: 'execute' | 'send'; surplusTo?: AccountHex } = {}): XcmDispatch {
  const kind = options.kind ?? 'execute';
  return buildSettlementDispatch({
    kind, origin: EDU, destination: kind === 'execute' ? EDU : PEOPLE, version: 5,
    payouts: payouts.map((p) => ({ beneficiary: p.beneficiary, asset: relay(), amount: p.amount })),
    fee: asset(relay(), FEE_BUDGET), surplusTo: options.surplusTo ?? POOL, topic: topicOf(label),
  });
}

async function free(chain: string, who: AccountHex): Promise<bigint> {
  return f().connector.balanceOf(chain, 'PAS', who);
}

/** Events of one extrinsic, as "section.Method {json}" lines, for the record of a real run. */
async function eventsOf(reference: string): Promise<string[]> {
  const match = /^para:4883:(0x[0-9a-f]{64})-x(\d+)$/.exec(reference);
  assert.ok(match, `reference ${reference} names a block and an extrinsic`);
  const events = (await (await f().edu.at(match![1]!)).query.system.events()) as unknown as EventRecord[];
  return events
    .filter((r) => r.phase.isApplyExtrinsic && r.phase.asApplyExtrinsic.toNumber() === Number(match![2]))
    .map((r) => `${r.event.section}.${r.event.method} ${JSON.stringify(r.event.data.toHuman())}`);
}

function txFeeOf(events: readonly string[]): bigint {
  const line = events.find((e) => e.startsWith('transactionPayment.TransactionFeePaid'));
  assert.ok(line, 'the extrinsic paid a transaction fee');
  const fee = /"actualFee":"([0-9,]+)"/.exec(line!);
  return BigInt(fee![1]!.replaceAll(',', ''));
}

async function start(): Promise<Fixture> {
  requireChainSpecs([RELAY_SPEC, PEOPLE_SPEC, EDUCHAIN_SPEC]);
  const startedMs = Date.now();
  const network = await ChopsticksNetwork.start({ relay: RELAY_SPEC, paras: [PEOPLE_SPEC, EDUCHAIN_SPEC] });
  const networkMs = Date.now() - startedMs;
  try {
    await network.setFree(EDU, POOL, 1_000n * PAS);
    const connector = await PolkadotConnector.connect({
      settlementSeed: POOL_SEED, blocks: chopsticksNewBlock, historyBlocks: 256, inclusionTimeoutMs: 20_000,
      chains: [
        { chain: 'relay', url: network.url('relay'), assets: { PAS: { kind: 'native' } } },
        { chain: PEOPLE, url: network.url(PEOPLE), assets: { PAS: { kind: 'native' } } },
        { chain: EDU, url: network.url(EDU), assets: { PAS: { kind: 'native' } } },
      ],
    });
    const edu = await ApiPromise.create({ provider: new WsProvider(network.url(EDU)), noInitWarn: true });
    console.log(`relay + 2 parachains up in ${networkMs} ms; connector ready after ${Date.now() - startedMs} ms`);
    return { network, connector, edu, startedMs };
  } catch (error) {
    await network.close();
    throw error;
  }
}

test.before(async () => {
  try {
    fixture = await start();
  } catch (error) {
    startupError = error;
    console.error(`chopsticks start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  }
});

test.after(async () => {
  if (fixture === undefined) return;
  await fixture.edu.disconnect();
  await fixture.connector.close();
  await fixture.network.close();
  console.log(`whole file ${Date.now() - fixture.startedMs} ms`);
});

test('a missing chain spec is a loud, coded error naming the file', () => {
  for (const attempt of [() => requireChainSpecs([EDUCHAIN_SPEC, 'absent-raw.json']), () => chainSpecPath('absent-raw.json')]) {
    try { attempt(); assert.unreachable(); } catch (error) {
      assert.ok(isCodedError(error, 'XCMP_CHAIN_SPEC_MISSING'));
      assert.ok(error.message.includes(`${CHAIN_SPECS_DIR}absent-raw.json`), error.message);
    }
  }
});

test('three real runtimes answer: the pool is funded on educhain, unknown assets and chains are refused', async () => {
  const { connector } = f();
  assert.is(connector.pool, POOL);
  assert.is(await free(EDU, POOL), 1_000n * PAS);
  assert.is(await free(PEOPLE, account('nobody')), 0n);
  assert.ok((await free('relay', '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d')) > 0n, 'Alice is endowed at paseo-local genesis');
  try { await connector.balanceOf(EDU, 'DOT', POOL); assert.unreachable(); } catch (error) { assert.ok(isCodedError(error, 'XCM_UNKNOWN_ASSET')); }
  try { await connector.findTopic('para:2000', topicOf('x')); assert.unreachable(); } catch (error) { assert.ok(isCodedError(error, 'XCM_UNKNOWN_CHAIN')); }
});

test('a settlement message from the engine executes on educhain; beneficiaries change by exactly the netted amounts', async () => {
  const { connector } = f();
  const alice = account('beneficiary alice');
  const bob = account('beneficiary bob');
  const a1 = 3n * PAS + 123n;
  const a2 = 2n * PAS + 456n;
  const dispatch = settlement('execute-1', [{ beneficiary: alice, amount: a1 }, { beneficiary: bob, amount: a2 }]);
  const before = { alice: await free(EDU, alice), bob: await free(EDU, bob), pool: await free(EDU, POOL) };
  assert.equal(await connector.findTopic(EDU, dispatch.topic), { status: 'unknown' });
  const startedMs = Date.now();
  const receipt = await connector.submit(dispatch);
  const submitMs = Date.now() - startedMs;
  const after = { alice: await free(EDU, alice), bob: await free(EDU, bob), pool: await free(EDU, POOL) };
  assert.is(after.alice - before.alice, a1);
  assert.is(after.bob - before.bob, a2);
  const events = await eventsOf(receipt.reference);
  const txFee = txFeeOf(events);
  const xcmFee = before.pool - after.pool - a1 - a2 - txFee;
  assert.ok(xcmFee > 0n && xcmFee < FEE_BUDGET, `execution fee ${xcmFee} within the budget; the surplus went back to the pool`);
  assert.ok(!events.some((e) => e.startsWith('polkadotXcm.AssetsTrapped')), 'nothing trapped');
  assert.equal(await connector.findTopic(EDU, dispatch.topic), { status: 'executed', reference: receipt.reference });
  console.log(JSON.stringify({
    run: 'settlement execute on educhain (para 4883, real runtime)', topic: Buffer.from(dispatch.topic).toString('hex'), messageHex: Buffer.from(dispatch.message).toString('hex'),
    reference: receipt.reference, submitMs, balancesBefore: before, balancesAfter: after, txFee, xcmFee, events,
  }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 1));
});

test('exactly once: findTopic reports the executed topic so nothing is resent; a blind resend would pay again', async () => {
  const { connector } = f();
  const carol = account('beneficiary carol');
  const amount = 4n * PAS;
  const dispatch = settlement('resend-1', [{ beneficiary: carol, amount }]);
  await connector.submit(dispatch);
  const outcome = await connector.findTopic(EDU, dispatch.topic);
  assert.is(outcome.status, 'executed', 'the lifecycle asks before resending and is told it executed');
  assert.is(await free(EDU, carol), amount);
  // What the guard prevents: real runtimes keep no topic index for `execute`, so identical bytes pay twice.
  await connector.submit(dispatch);
  assert.is(await free(EDU, carol), 2n * amount, 'educhain does not deduplicate topics on execute');
  assert.equal(await connector.findTopic(EDU, dispatch.topic), outcome, 'the first execution stays the reported one');
});

test('a failing message (pool underfunded) is reported failed with a coded reason; after funding the retry pays exactly once', async () => {
  const { connector, network } = f();
  const dave = account('beneficiary dave');
  const amount = 20n * PAS;
  const dispatch = settlement('underfunded-1', [{ beneficiary: dave, amount }]);
  await network.setFree(EDU, POOL, 15n * PAS);
  const receipt = await connector.submit(dispatch);
  const failed = await connector.findTopic(EDU, dispatch.topic);
  assert.is(failed.status, 'failed');
  assert.ok(failed.status === 'failed' && failed.reason.startsWith('XCMP_EXECUTION_INCOMPLETE (5205)'), JSON.stringify(failed));
  assert.ok(failed.status === 'failed' && failed.reference === receipt.reference);
  const txFee = txFeeOf(await eventsOf(receipt.reference));
  assert.is(await free(EDU, dave), 0n, 'nothing reached the beneficiary');
  assert.is(await free(EDU, POOL), 15n * PAS - txFee, 'the pool lost only the transaction fee');
  await network.setFree(EDU, POOL, 100n * PAS);
  const retry = await connector.submit(dispatch);
  assert.equal(await connector.findTopic(EDU, dispatch.topic), { status: 'executed', reference: retry.reference });
  assert.is(await free(EDU, dave), amount);
});

test('submit refuses what it cannot vouch for, with coded errors', async () => {
  const { connector, network } = f();
  const dispatch = settlement('refused-1', [{ beneficiary: account('erin'), amount: PAS }]);
  const refusals: [XcmDispatch, string][] = [
    [{ ...dispatch, topic: topicOf('another') }, 'XCM_DISPATCH_INVALID'],
    [{ ...dispatch, message: Uint8Array.from([...dispatch.message, 0]) }, 'XCM_DECODE_FAILED'],
    [{ ...dispatch, kind: 'send' }, 'XCM_DISPATCH_INVALID'],
    [{ ...dispatch, origin: 'para:2000', destination: 'para:2000' }, 'XCM_UNKNOWN_CHAIN'],
  ];
  for (const [bad, name] of refusals) {
    try { await connector.submit(bad); assert.unreachable(name); } catch (error) { assert.ok(isCodedError(error, name as 'XCM_DISPATCH_INVALID'), `${name}: ${String(error)}`); }
  }
  await network.setFree(EDU, POOL, 0n);
  try { await connector.submit(dispatch); assert.unreachable(); } catch (error) { assert.ok(isCodedError(error, 'XCM_SUBMIT_REFUSED'), String(error)); }
  assert.equal(await connector.findTopic(EDU, dispatch.topic), { status: 'unknown' });
  await network.setFree(EDU, POOL, 100n * PAS);
});

test('deadlines: each submission gets a mortal era ending by validUntil; the runtime refuses an extrinsic past its era', async () => {
  const { connector, network, edu } = f();
  const frank = account('beneficiary frank');
  const head = await connector.finalizedHeight(EDU);
  assert.ok(head > 0);
  const tooClose = { ...settlement('mortal-0', [{ beneficiary: frank, amount: PAS }]), validUntil: head + 2 };
  try { await connector.submit(tooClose); assert.unreachable('no 4-block era fits'); } catch (error) { assert.ok(isCodedError(error, 'XCMP_DEADLINE_PASSED'), String(error)); }
  const dispatch = { ...settlement('mortal-1', [{ beneficiary: frank, amount: PAS }]), validUntil: head + 20 };
  const receipt = await connector.submit(dispatch);
  assert.ok(receipt.validUntil !== undefined && receipt.validUntil <= dispatch.validUntil && receipt.validUntil >= head + 15, `era ends at ${receipt.validUntil}, deadline ${dispatch.validUntil}`);
  assert.is((await connector.findTopic(EDU, dispatch.topic)).status, 'executed');
  assert.is(await free(EDU, frank), PAS);

  // The chain's own check: an extrinsic whose era (born at the head, 4 blocks) has ended is refused.
  const sender = `0x${Buffer.from(SENDER.publicKey).toString('hex')}` as AccountHex;
  await network.setFree(EDU, sender, 10n * PAS);
  const birthHash = await edu.rpc.chain.getFinalizedHead();
  const birth = (await edu.rpc.chain.getHeader(birthHash)).number.toNumber();
  const era = edu.createType('ExtrinsicEra', { current: birth, period: 4 });
  for (let block = 0; block < 5; block++) await network.newBlock(EDU);
  try {
    await edu.tx.balances.transferKeepAlive(frank, PAS).signAndSend(SENDER, { era, blockHash: birthHash, nonce: -1 });
    assert.unreachable('an extrinsic past its era was accepted');
  } catch (error) {
    // Past the era, CheckMortality signs over a different birth block's hash than the signer did: BadProof (or AncientBirthBlock / Outdated).
    assert.match(String(error), /badProof|ancientBirthBlock|outdated/i);
  }
  await network.newBlock(EDU);
  assert.is(await free(EDU, frank), PAS, 'the expired transfer never executed');
});

test('deposits into the pool are reported once final, with sender, amount and a unique reference', async () => {
  const { connector, network, edu } = f();
  const sender = `0x${Buffer.from(SENDER.publicKey).toString('hex')}` as AccountHex;
  await network.setFree(EDU, sender, 50n * PAS);
  const seen: DepositObserved[] = [];
  const unsubscribe = connector.onDeposit((deposit) => seen.push(deposit));
  await edu.tx.balances.transferKeepAlive(POOL, 7n * PAS).signAndSend(SENDER);
  await network.newBlock(EDU);
  await connector.findTopic(EDU, topicOf('catch-up'));
  unsubscribe();
  const mine = seen.filter((d) => d.from === sender);
  assert.is(mine.length, 1, JSON.stringify(seen, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  assert.is(mine[0]!.amount, 7n * PAS);
  assert.is(mine[0]!.asset, 'PAS');
  assert.is(mine[0]!.chain, EDU);
  assert.match(mine[0]!.reference, /^\d+-\d+$/);
});

test('send: educhain -> People over XCMP executes there and is matched by messageQueue.Processed', async () => {
  const { connector, network } = f();
  const remote = await connector.remoteAccount(EDU, PEOPLE);
  await network.setFree(PEOPLE, remote, 100n * PAS);
  const frank = account('beneficiary frank');
  const amount = 6n * PAS + 789n;
  const dispatch = settlement('send-1', [{ beneficiary: frank, amount }], { kind: 'send', surplusTo: remote });
  const startedMs = Date.now();
  await connector.submit(dispatch);
  let outcome = await connector.findTopic(PEOPLE, dispatch.topic);
  for (let block = 0; block < DELIVERY_MAX_BLOCKS && outcome.status === 'unknown'; block++) {
    await network.newBlock(PEOPLE);
    outcome = await connector.findTopic(PEOPLE, dispatch.topic);
  }
  assert.is(outcome.status, 'executed', JSON.stringify(outcome));
  assert.is(await free(PEOPLE, frank), amount);
  const remoteAfter = await free(PEOPLE, remote);
  assert.ok(remoteAfter < 100n * PAS - amount && remoteAfter > 100n * PAS - amount - FEE_BUDGET, 'the remote escrow paid the amount and at most the fee budget');
  console.log(`send delivered and executed in ${Date.now() - startedMs} ms; outcome ${JSON.stringify(outcome)}`);
});

test.run();
