// INVARIANT: the enclave runtime with its journal on a three-replica JetStream stream serves
// trades end to end (acknowledged only after the stream's quorum acknowledgement), a restart
// recovers the same state hash from the stream alone, and a second runtime taking over the
// stream fences the first: the old one's next command fails it with CLUSTER_JOURNAL_FENCED.
// Needs nats-server (CI installs it); without it these tests fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JetStreamLog } from '../../src/cluster/jetstream-log.js';
import { DevAttestationProvider } from '../../src/enclave/attestation/dev-provider.js';
import { DevSealingKeySource } from '../../src/enclave/keys.js';
import { EnclaveRuntime } from '../../src/enclave/runtime.js';
import { isCodedError } from '../../src/errors/index.js';
import { TEST_MARKET, TestTrader, seedFrom } from '../support/enclave-trader.js';
import { testClusterFixture } from '../support/nats-cluster.js';
import { Prng } from '../support/prng.js';

const SEED = 77;
/** The fenced publish is refused at once; this bounds the wait for the runtime to report it. */
const FENCE_DEADLINE_MS = 10_000;
const fixture = testClusterFixture();
const dataDir = mkdtempSync(join(tmpdir(), 'runtime-on-stream-'));

test.after(async () => {
  await fixture.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Booted {
  readonly runtime: EnclaveRuntime;
  readonly traders: TestTrader[];
  readonly fatal: Error[];
}

async function boot(log: JetStreamLog, traderCount: number, seed: number): Promise<Booted> {
  const traders: TestTrader[] = [];
  const fatal: Error[] = [];
  const runtime = await EnclaveRuntime.boot({
    dataDir, markets: [TEST_MARKET], feeAccount: 'fees', tickMs: 0, settlementWindowMs: 0,
    sealingKeySource: new DevSealingKeySource({ directory: dataDir, production: false }),
    attestation: new DevAttestationProvider({ production: false }),
    replicatedLog: log,
  }, {
    sendFrame: (id, frame) => traders[id]!.onFrame(frame),
    closeConnection: () => undefined,
    fatal: (error) => fatal.push(error),
  });
  const prng = new Prng(seed);
  for (let id = 0; id < traderCount; id++) {
    runtime.openConnection(id);
    const trader = new TestTrader(seedFrom(prng), (frame) => runtime.receiveFrame(id, frame));
    traders.push(trader);
    await trader.connect(runtime.bundleJson);
  }
  return { runtime, traders, fatal };
}

const limit = (side: 'buy' | 'sell', price: string, size: string, clientOrderId: string) => ({ market: TEST_MARKET.id, clientOrderId, side, type: 'limit', price, size });

test('trades through the stream-backed journal; a restart recovers the same state hash from the stream', async () => {
  const { log } = await fixture.get();
  const first = await boot(await log('RUNTIME'), 2, SEED);
  const [maker, taker] = first.traders;
  for (const trader of first.traders) {
    await first.runtime.creditDeposit(trader.account, 'USDC', 10_000_000_000n, `usdc-${trader.account.slice(0, 8)}`);
    await first.runtime.creditDeposit(trader.account, 'DOT', 1_000_000_000_000n, `dot-${trader.account.slice(0, 8)}`);
  }
  assert.is((await maker!.ask('order.place', limit('sell', '5.00', '2.0', 'm1'))).t, 'result');
  assert.is((await taker!.ask('order.place', limit('buy', '5.10', '1.0', 't1'))).t, 'result');
  await taker!.waitFor((message) => message.t === 'report' && message.body.kind === 'fill');
  const hash = first.runtime.stateHash();
  const durable = first.runtime.durableSequence;
  assert.ok(durable >= 6, `commands durable on the stream: ${durable}`);
  await first.runtime.stop();
  assert.equal(first.fatal, []);

  const second = await boot(await log('RUNTIME'), 0, SEED);
  assert.is(second.runtime.stateHash(), hash, 'the state recovered from the stream');
  assert.is(second.runtime.durableSequence, durable);
  await second.runtime.stop();
});

test('a runtime that takes over the stream fences the old one at its next command', async () => {
  const { log } = await fixture.get();
  const old = await boot(await log('RUNTIME'), 1, SEED + 1);
  const newer = await boot(await log('RUNTIME'), 1, SEED + 2);
  await newer.runtime.creditDeposit(newer.traders[0]!.account, 'USDC', 1_000_000n, 'newer-1');
  // The old runtime's deposit is never acknowledged: its batch is refused and the runtime fails.
  void old.runtime.creditDeposit(old.traders[0]!.account, 'USDC', 1_000_000n, 'old-1');
  const deadline = Date.now() + FENCE_DEADLINE_MS;
  while (old.fatal.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(old.fatal.some((error) => isCodedError(error, 'CLUSTER_JOURNAL_FENCED')), `the old runtime stopped, fenced: ${old.fatal.map(String).join('; ')}`);
  assert.ok(old.runtime.durableSequence < newer.runtime.durableSequence + 1, 'nothing of the old runtime became durable');
  assert.equal(newer.fatal, []);
  await newer.runtime.stop();
  const reader = await boot(await log('RUNTIME'), 0, SEED + 3);
  assert.is(reader.runtime.stateHash(), newer.runtime.stateHash(), 'the stream holds the newer runtime\'s history only');
  await reader.runtime.stop();
  await old.runtime.stop().catch(() => undefined);
});

test.run();
