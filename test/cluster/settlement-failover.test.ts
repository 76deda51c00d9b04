// INVARIANT: settlement follows the leader on real chains. An active and a standby enclave share a
// replicated stream (3-node NATS cluster) and one sealed settlement directory; the active enclave
// settles a withdrawal batch through the PolkadotConnector (Educhain under chopsticks) and dies
// right after the submission is recorded, before any confirmation. The standby takes the lease,
// opens settlement on the shared records, reconciles the in-flight message by its topic, and the
// beneficiary is paid exactly once: the chain balance moves by exactly the net, the message is
// never sent again, and more blocks change nothing.
// Needs nats-server and the chain specs in ../shared/chain-specs; without them this file fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runForLeadership } from '../../src/cluster/failover.js';
import type { JetStreamLog } from '../../src/cluster/jetstream-log.js';
import { LeaderLease } from '../../src/cluster/leader-lease.js';
import { provisionStandbyDataDir } from '../../src/cluster/standby-provisioning.js';
import { DevAttestationProvider } from '../../src/enclave/attestation/dev-provider.js';
import { deriveSettlementRecordsKey, deriveSettlementSeed, DevSealingKeySource } from '../../src/enclave/keys.js';
import { EnclaveRuntime } from '../../src/enclave/runtime.js';
import { SealedSettlementStore } from '../../src/enclave/sealed-settlement-store.js';
import { SettlementBridge } from '../../src/enclave/settlement-bridge.js';
import type { PolkadotChainSettings, SettlementLogEntry } from '../../src/protocol/enclave-port.js';
import type { SettlementRecord, SettlementStore } from '../../src/settlement/records.js';
import type { AccountHex } from '../../src/xcmp/connector.js';
import { accountHexOf, settlementKeyPair } from '../../src/xcmp/polkadot/settlement-key.js';
import { ChopsticksNetwork, requireChainSpecs } from '../support/chopsticks-network.js';
import { TEST_MARKET, TestTrader } from '../support/enclave-trader.js';
import { testClusterFixture } from '../support/nats-cluster.js';

const RELAY_SPEC = 'paseo-local-raw.json';
const EDUCHAIN_SPEC = 'educhain-raw.json';
const EDU = 'para:4883';
/** One PAS (10 decimals), the engine's DOT on the settlement chain. */
const PAS = 10_000_000_000n;
const POOL_TX_FEE_RESERVE = 100n * PAS;
const FEE_FUNDING = 20n * PAS;
const TRADER_DEPOSIT = 10n * PAS;
const WITHDRAW_PAS = 3n;
const EXTRA_BLOCKS = 6;
const WAIT_MS = 30_000;
const POLL_MS = 50;
const CLOSE_MAX_MS = 5_000;

const seedOf = (label: string): Uint8Array => Uint8Array.from(sha256(new TextEncoder().encode(label)));
const FEE_SEED = seedOf('fee account (settlement failover test)');
const FEE_ACCOUNT = accountHexOf(settlementKeyPair(FEE_SEED));
const TRADER_SEED = seedOf('trader (settlement failover test)');

const fixture = testClusterFixture();
const root = mkdtempSync(join(tmpdir(), 'settlement-failover-'));
const settlementDir = join(root, 'settlement');
const closers: (() => Promise<unknown>)[] = [];

test.after(async () => {
  for (const close of closers.reverse()) await Promise.race([close().catch(() => undefined), sleep(CLOSE_MAX_MS)]);
  await fixture.stop();
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(POLL_MS);
  }
  assert.unreachable(`timed out waiting for ${what}`);
}

/** The sealed store, refusing every record once the enclave "dies": persist-before-act means nothing more is recorded or sent. */
class KillableStore implements SettlementStore {
  dead = false;
  /** Record types this instance made durable, in order. */
  readonly persisted: string[] = [];
  constructor(private readonly inner: SealedSettlementStore) {}
  async append(record: SettlementRecord): Promise<void> {
    if (this.dead) throw new Error('the enclave was killed');
    await this.inner.append(record);
    this.persisted.push(record.type);
  }
  load(): Promise<readonly SettlementRecord[]> {
    return this.inner.load();
  }
}

interface Instance {
  readonly runtime: EnclaveRuntime;
  readonly log: JetStreamLog;
  readonly lease: LeaderLease;
  readonly entries: SettlementLogEntry[];
  readonly fatal: Error[];
  bridge: SettlementBridge | undefined;
  store: KillableStore | undefined;
  trader: TestTrader | undefined;
  killAtSubmission: boolean;
  dead: boolean;
}

/** Nothing more leaves the instance: no frames, no settlement record, hence no settlement action. */
function die(target: Instance): void {
  target.dead = true;
  if (target.store !== undefined) target.store.dead = true;
}

async function instance(name: string, chain: PolkadotChainSettings, provisionFrom?: string): Promise<Instance> {
  const { cluster, log: openLog } = await fixture.get();
  const dataDir = join(root, name);
  if (provisionFrom !== undefined) await provisionStandbyDataDir(provisionFrom, dataDir, { devSealingKey: true });
  const log = await openLog('SETTLE', 3_000);
  const lease = await LeaderLease.connect({ servers: cluster.servers, bucket: 'LEASE_SETTLE', holder: name, leaseMs: 1_000, renewEveryMs: 200, acquireEveryMs: 50 });
  closers.push(() => lease.close());
  const sealing = new DevSealingKeySource({ directory: dataDir, production: false });
  let made: Instance | undefined;
  const runtime = await EnclaveRuntime.boot({
    dataDir, markets: [TEST_MARKET], feeAccount: FEE_ACCOUNT.slice(2), tickMs: 0, settlementWindowMs: 0, sealingKeySource: sealing,
    attestation: new DevAttestationProvider({ production: false, devRootSeed: new Uint8Array(32).fill(7) }),
    replicatedLog: log, standby: true, followIntervalMs: 5,
  }, {
    sendFrame: (_id, frame) => { if (made?.dead !== true) made?.trader?.onFrame(frame); },
    closeConnection: () => undefined,
    fatal: (error) => made?.fatal.push(error),
    onWindow: (window) => made?.bridge?.onWindow(window),
    onWithdrawal: (withdrawal) => made?.bridge?.onWithdrawal(withdrawal),
  });
  closers.push(() => runtime.stop());
  made = { runtime, log, lease, entries: [], fatal: [], bridge: undefined, store: undefined, trader: undefined, killAtSubmission: false, dead: false };
  const self = made;
  // As worker-main does: settlement opens only once this instance leads, on the shared sealed records.
  const contending = runForLeadership(runtime, lease).then(async (leads) => {
    if (!leads) return;
    self.store = new KillableStore(await SealedSettlementStore.open(settlementDir, await deriveSettlementRecordsKey(sealing)));
    self.bridge = await SettlementBridge.openPolkadot({
      runtime, feeAccount: FEE_ACCOUNT.slice(2), settings: chain, settlementSeed: await deriveSettlementSeed(sealing), store: self.store,
      log: (entry) => {
        if (self.dead) return;
        self.entries.push(entry);
        // The kill hook: dies the moment the submission is recorded and sent, before any confirmation.
        if (entry.event === 'message-submitted' && self.killAtSubmission) die(self);
      },
    });
    closers.push(() => self.bridge!.close());
  });
  contending.catch((error: unknown) => self.fatal.push(error instanceof Error ? error : new Error(String(error))));
  return self;
}

test('an in-flight batch is reconciled by topic after the failover and paid exactly once on a real chain', async () => {
  requireChainSpecs([RELAY_SPEC, EDUCHAIN_SPEC]);
  const network = await ChopsticksNetwork.start({ relay: RELAY_SPEC, paras: [EDUCHAIN_SPEC] });
  closers.push(() => network.close());
  const api = await ApiPromise.create({ provider: new WsProvider(network.url(EDU)), noInitWarn: true });
  closers.push(() => api.disconnect());
  const chain: PolkadotChainSettings = {
    kind: 'polkadot', chains: [{ chain: EDU, url: network.url(EDU), assets: { DOT: { kind: 'native' } } }],
    settlementChain: EDU, locations: { DOT: 'relay' }, feeAsset: 'DOT', feeBudgetPerMessageAtoms: PAS, manualBlocks: true,
  };
  const onChain = async (who: string): Promise<bigint> => BigInt(((await api.query.system.account(who)) as unknown as { data: { free: { toString(): string } } }).data.free.toString());

  const active = await instance('active', chain);
  await until('the active enclave to lead and open settlement', () => active.bridge !== undefined);
  const standby = await instance('standby', chain, join(root, 'active'));
  assert.ok(standby.runtime.standby, 'the second instance follows');
  assert.is(standby.bridge, undefined, 'a standby opens no settlement');
  const pool = active.bridge!.poolAccount;
  await network.setFree(EDU, pool as AccountHex, POOL_TX_FEE_RESERVE);

  // Real deposits: the fee account and the trader transfer into the pool with their own keys.
  const trader = new TestTrader(TRADER_SEED, (frame) => { if (!active.dead) active.runtime.receiveFrame(1, frame); });
  active.trader = trader;
  active.runtime.openConnection(1);
  await trader.connect(active.runtime.bundleJson);
  for (const [seed, atoms] of [[FEE_SEED, FEE_FUNDING], [TRADER_SEED, TRADER_DEPOSIT]] as const) {
    const pair = settlementKeyPair(seed);
    await network.setFree(EDU, accountHexOf(pair), atoms + 10n * PAS);
    await api.tx.balances.transferKeepAlive(pool, atoms).signAndSend(pair);
  }
  await network.newBlock(EDU);
  await until('both deposits credited', () => active.entries.filter((entry) => entry.event === 'deposit-credited').length === 2);
  await network.newBlock(EDU);

  // The trader withdraws; the active enclave seals the batch and submits it, then dies at once.
  const beneficiary = `0x${trader.account}`;
  const before = await onChain(beneficiary);
  active.killAtSubmission = true;
  const withdrawn = await trader.ask('funds.withdraw', { asset: 'DOT', amount: String(WITHDRAW_PAS) });
  assert.is(withdrawn.t, 'result', JSON.stringify(withdrawn.body));
  await until('the batch submitted and the active enclave dead', () => active.dead);
  const inFlight = active.entries.find((entry) => entry.event === 'message-submitted')!.batchId;
  assert.is(active.store!.persisted.at(-1), 'submitted', `killed after the submission, before its confirmation: ${active.store!.persisted.join(',')}`);
  assert.not.ok(active.store!.persisted.includes('confirmed'));
  // The submission already executed on chain: a resend now would pay twice.
  assert.is(await onChain(beneficiary) - before, WITHDRAW_PAS * PAS, 'the in-flight batch executed before the failover');
  await active.lease.close();
  await active.log.close();

  // The standby takes over, opens settlement on the shared records and reconciles by topic.
  await until('the standby to lead and open settlement', () => standby.bridge !== undefined);
  assert.not.ok(standby.runtime.standby);
  assert.is(standby.bridge!.poolAccount, pool, 'the same settlement key');
  await until('the in-flight batch confirmed by the new leader', () => standby.entries.some((entry) => entry.event === 'batch-confirmed' && entry.batchId === inFlight));
  for (let block = 0; block < EXTRA_BLOCKS; block++) {
    await network.newBlock(EDU);
    await sleep(250);
  }
  assert.is(await onChain(beneficiary) - before, WITHDRAW_PAS * PAS, 'the beneficiary was paid the net exactly once');
  assert.not.ok(standby.entries.some((entry) => entry.event === 'message-submitted' || entry.event === 'message-retried'), JSON.stringify(standby.entries));
  assert.is(active.entries.filter((entry) => entry.event === 'message-submitted').length, 1, 'one submission in all');
  assert.equal(standby.fatal, []);
});

test.run();
