// INVARIANT: the engine's settlement service, driving the real connector against a real runtime
// (Educhain para 4883 under chopsticks, offline), pays every netted payout exactly once: deposits
// seen on chain are credited, a batch executes with exact amounts, a restart after submission
// reconciles by topic instead of resending, and an execution failure is retried without loss.
// Needs the chain specs in ../shared/chain-specs; a missing file fails this file loudly.
import { ed25519 } from '@noble/curves/ed25519';
import { sha256 } from '@noble/hashes/sha2';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_SETTLEMENT_POLICY, type SettlementConfig } from '../../../src/settlement/config.js';
import { MemorySettlementStore } from '../../../src/settlement/records.js';
import { SettlementService, type SettlementEvent } from '../../../src/settlement/service.js';
import type { AccountHex } from '../../../src/xcmp/connector.js';
import { chopsticksNewBlock } from '../../../src/xcmp/polkadot/block-production.js';
import { PolkadotConnector } from '../../../src/xcmp/polkadot/polkadot-connector.js';
import { accountHexOf, settlementKeyPair, type SettlementKeyPair } from '../../../src/xcmp/polkadot/settlement-key.js';
import { relay } from '../../../src/xcmp/xcm-model.js';
import { ChopsticksNetwork, requireChainSpecs } from '../../support/chopsticks-network.js';

const RELAY_SPEC = 'paseo-local-raw.json';
const EDUCHAIN_SPEC = 'educhain-raw.json';
const EDU = 'para:4883';
const PAS = 10_000_000_000n;
/** Polls while waiting for the connector to index a block the test just built. */
const WAIT_MAX_POLLS = 50;
const WAIT_POLL_MS = 100;
/** Submission lifetime: the shortest mortal era, so a test can build blocks past it quickly. */
const LIFETIME_BLOCKS = 4;

const seedOf = (label: string): Uint8Array => Uint8Array.from(sha256(new TextEncoder().encode(label)));
const POOL_SEED = seedOf('darkpool settlement key (service test)');
const POOL = accountHexOf(settlementKeyPair(POOL_SEED));
const ALICE = settlementKeyPair(seedOf('alice (service test)'));
const BOB = settlementKeyPair(seedOf('bob (service test)'));
const FEES = settlementKeyPair(seedOf('fee account (service test)'));
const hexOf = (pair: SettlementKeyPair): AccountHex => accountHexOf(pair);
/** Transaction fees are paid by the signer (the pool), outside the internal ledger: a reserve covers them. */
const POOL_TX_FEE_RESERVE = 100n * PAS;

interface Fixture {
  network: ChopsticksNetwork;
  connector: PolkadotConnector;
  edu: ApiPromise;
  store: MemorySettlementStore;
  config: SettlementConfig;
  events: SettlementEvent[];
  secretKey: Uint8Array;
}
let fixture: Fixture | undefined;
let startupError: unknown;
const f = (): Fixture => {
  if (fixture === undefined) throw startupError instanceof Error ? startupError : new Error(`the chopsticks network did not start: ${String(startupError)}`);
  return fixture;
};

async function openService(nowMs: number): Promise<SettlementService> {
  const { config, connector, store, secretKey, events } = f();
  return SettlementService.open({ config, connector, store, sign: (digest) => ed25519.sign(digest, secretKey), publicKey: ed25519.getPublicKey(secretKey) }, nowMs, (event) => events.push(event));
}

const onChain = (who: AccountHex): Promise<bigint> => f().connector.balanceOf(EDU, 'PAS', who);

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let poll = 0; poll < WAIT_MAX_POLLS; poll++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
  assert.unreachable(`timed out waiting for ${what}`);
}

test.before(async () => {
  try {
    requireChainSpecs([RELAY_SPEC, EDUCHAIN_SPEC]);
    const network = await ChopsticksNetwork.start({ relay: RELAY_SPEC, paras: [EDUCHAIN_SPEC] });
    try {
      for (const who of [ALICE, BOB, FEES]) await network.setFree(EDU, hexOf(who), 100n * PAS);
      await network.setFree(EDU, POOL, POOL_TX_FEE_RESERVE);
      const connector = await PolkadotConnector.connect({
        settlementSeed: POOL_SEED, blocks: chopsticksNewBlock, historyBlocks: 256, inclusionTimeoutMs: 20_000,
        chains: [{ chain: EDU, url: network.url(EDU), assets: { PAS: { kind: 'native' } } }],
      });
      const edu = await ApiPromise.create({ provider: new WsProvider(network.url(EDU)), noInitWarn: true });
      const config: SettlementConfig = {
        chains: [{ chain: EDU, route: { kind: 'execute' }, xcmVersion: 5, assets: { PAS: relay() }, feeAsset: 'PAS', feeBudgetPerMessage: PAS }],
        escrowAccounts: { [EDU]: POOL }, feeAccount: hexOf(FEES),
        ...DEFAULT_SETTLEMENT_POLICY, windowMs: 1_000, confirmTimeoutMs: 10_000, retryDelayMs: 1_000, maxAttempts: 3, submissionLifetimeBlocks: LIFETIME_BLOCKS,
      };
      fixture = { network, connector, edu, store: new MemorySettlementStore(), config, events: [], secretKey: seedOf('enclave identity (service test)') };
    } catch (error) {
      await network.close();
      throw error;
    }
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
});

test('deposits, a netted batch executed on a real runtime, a restart that reconciles instead of resending, a failure retried without loss', async () => {
  const { network, edu, events } = f();
  let service = await openService(0);
  // Deposits: three transfers into the pool's account, credited once final.
  for (const who of [ALICE, BOB, FEES]) await edu.tx.balances.transferKeepAlive(POOL, 20n * PAS).signAndSend(who, { nonce: -1 });
  await network.newBlock(EDU);
  await until('three credited deposits', () => events.filter((e) => e.type === 'deposit-credited').length === 3);
  assert.is(service.balance(EDU, 'PAS', hexOf(ALICE)), 20n * PAS);

  // One window: Alice withdraws twice (netted into one transfer) and Bob once. Fills need two assets,
  // and Educhain settles only PAS, so this window carries withdrawals; the batch path is the same.
  service.requestWithdrawal({ requestId: 'w-1', account: hexOf(ALICE), chain: EDU, asset: 'PAS', amount: 3n * PAS });
  service.requestWithdrawal({ requestId: 'w-2', account: hexOf(ALICE), chain: EDU, asset: 'PAS', amount: 2n * PAS + 7n });
  service.requestWithdrawal({ requestId: 'w-3', account: hexOf(BOB), chain: EDU, asset: 'PAS', amount: 10n * PAS });
  const before = { alice: await onChain(hexOf(ALICE)), bob: await onChain(hexOf(BOB)) };
  const batch = await service.closeWindow(1_000);
  assert.ok(batch, 'a batch was sealed');
  const payouts = batch!.messages.flatMap((m) => m.payouts);
  const expected = new Map(payouts.map((p) => [p.account, p.amount]));
  assert.is(payouts.length, 2, 'one net transfer per account');
  assert.is(expected.get(hexOf(ALICE)), 5n * PAS + 7n);
  assert.is(expected.get(hexOf(BOB)), 10n * PAS);

  // Submit, then "crash" before the confirmation is recorded.
  await service.tick(1_000);
  assert.ok(events.some((e) => e.type === 'message-submitted'));
  await service.close();
  const submittedBefore = events.filter((e) => e.type === 'message-submitted').length;
  service = await openService(2_000);
  assert.ok(events.some((e) => e.type === 'message-confirmed'), 'start-up reconciliation found the topic executed');
  await service.tick(3_000);
  await service.tick(20_000);
  assert.is(events.filter((e) => e.type === 'message-submitted').length, submittedBefore, 'nothing was resent');
  assert.is(await onChain(hexOf(ALICE)) - before.alice, expected.get(hexOf(ALICE)));
  assert.is(await onChain(hexOf(BOB)) - before.bob, expected.get(hexOf(BOB)));

  // A failure: the pool's account is drained to less than the payout, the message fails on chain and is retried after re-funding.
  service.requestWithdrawal({ requestId: 'w-4', account: hexOf(ALICE), chain: EDU, asset: 'PAS', amount: 12n * PAS });
  const escrow = await onChain(POOL);
  await network.setFree(EDU, POOL, 8n * PAS);
  const aliceBefore = await onChain(hexOf(ALICE));
  await service.closeWindow(21_000);
  await service.tick(21_000);
  await service.tick(22_000);
  const failed = events.find((e) => e.type === 'message-failed');
  assert.ok(failed && failed.type === 'message-failed' && failed.error === 'SETTLEMENT_EXECUTION_FAILED' && failed.reason.includes('XCMP_EXECUTION_INCOMPLETE'), JSON.stringify(events.slice(-6), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  assert.is(await onChain(hexOf(ALICE)), aliceBefore, 'nothing moved on failure');
  await network.setFree(EDU, POOL, escrow);
  await service.tick(24_000);
  assert.not.ok(events.some((e) => e.type === 'message-retried'), 'no resend while the failed attempt\'s mortal era is open');
  // The failed attempt's era ends within LIFETIME_BLOCKS of its birth: past it, the retry may go.
  for (let block = 0; block <= LIFETIME_BLOCKS; block++) await network.newBlock(EDU);
  await service.tick(25_000);
  await service.tick(26_000);
  assert.ok(events.some((e) => e.type === 'message-retried'), JSON.stringify(events.slice(-8), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  assert.is(events.filter((e) => e.type === 'batch-confirmed').length, 2, JSON.stringify(events.map((e) => e.type)));
  assert.is(await onChain(hexOf(ALICE)) - aliceBefore, 12n * PAS, 'the retry paid exactly once');
  await service.close();
});

test.run();
