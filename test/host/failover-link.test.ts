// INVARIANT: behind one gateway, two enclave instances (active + hot standby on one replicated
// stream and one lease) serve SDK clients through a FailoverLink; when the active isolate dies
// under load, the standby takes over, the link routes new sessions to it, and every client
// reconnects on its own and sees its execution reports exactly once, in order, with no gap.
// Needs nats-server (CI installs it); without it this test fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { bytesToHex } from '@noble/hashes/utils';
import { ed25519 } from '@noble/curves/ed25519';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DarkpoolClient, type ExecutionReport } from '../../client/sdk/index.js';
import { nodeTransport } from '../../client/sdk/node-transport.js';
import { provisionStandbyDataDir } from '../../src/cluster/standby-provisioning.js';
import { createGateway } from '../../src/gateway/gateway.js';
import { EnclaveHost } from '../../src/host/enclave-host.js';
import { FailoverLink } from '../../src/host/failover-link.js';
import type { ClusterJournalSettings } from '../../src/protocol/enclave-port.js';
import { VENUE_MARKET, eventually } from '../support/client-venue.js';
import { seedFrom } from '../support/enclave-trader.js';
import { testClusterFixture } from '../support/nats-cluster.js';
import { Prng } from '../support/prng.js';

const SEED = 9_001;
const CLIENTS = 3;
const ORDERS_BEFORE = 30;
const ORDERS_IN_FLIGHT = 30;
/** From the death of the active isolate to the first order acknowledged through the new leader. */
const FAILOVER_BOUND_MS = 6_000;
const fixture = testClusterFixture();
const root = mkdtempSync(join(tmpdir(), 'failover-link-'));

test.after(async () => {
  await fixture.stop();
  rmSync(root, { recursive: true, force: true });
});

test('SIGKILL-like death of the active enclave: the standby takes over and SDK clients resume without gaps or duplicates', async () => {
  const { cluster } = await fixture.get();
  const prng = new Prng(SEED);
  const devRootSeed = seedFrom(prng);
  const journal = (holder: string): ClusterJournalSettings => ({
    servers: cluster.servers, stream: 'LINK_FAILOVER', subject: 'darkpool.test.link', replicas: 3,
    lease: { bucket: 'LINK_LEASE', holder, leaseMs: 1_000, renewEveryMs: 200 },
  });
  const base = { markets: [VENUE_MARKET], feeAccount: 'fees', production: false, devRootSeedHex: bytesToHex(devRootSeed), tickMs: 0, settlementWindowMs: 0, chain: 'none' } as const;
  const active = await EnclaveHost.start({ ...base, dataDir: join(root, 'active'), cluster: journal('active') });
  await eventually(() => active.leading, 'the first instance leads');
  await provisionStandbyDataDir(join(root, 'active'), join(root, 'standby'), { devSealingKey: true });
  const standby = await EnclaveHost.start({ ...base, dataDir: join(root, 'standby'), cluster: journal('standby') });
  assert.not.ok(standby.leading, 'the second instance follows');
  const link = new FailoverLink([active, standby]);
  assert.is(link.leader, 0);
  const gateway = createGateway({ host: link, markets: [VENUE_MARKET] });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  const policy = { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: bytesToHex(ed25519.getPublicKey(devRootSeed)) } };
  const clients: DarkpoolClient[] = [];
  const reports: ExecutionReport[][] = [];
  try {
    for (let index = 0; index < CLIENTS; index++) {
      const client = new DarkpoolClient({ url, secretKey: seedFrom(prng), policy, transport: nodeTransport, reconnect: { initialDelayMs: 50, maxDelayMs: 250, maxAttempts: 200 } });
      await client.connect();
      const seen: ExecutionReport[] = [];
      client.watchReports().subscribe((report) => seen.push(report));
      clients.push(client);
      reports.push(seen);
      await active.deposit(client.accountId, 'USDC', 1_000_000_000n, `usdc-${index}`);
      await active.deposit(client.accountId, 'DOT', 1_000_000_000_000n, `dot-${index}`);
    }
    const place = (index: number): Promise<unknown> => clients[index % CLIENTS]!.createOrder(VENUE_MARKET.id, 'limit', index % 2 === 0 ? 'buy' : 'sell', `${prng.int(1, 3)}`, `5.${String(prng.int(0, 9)).padStart(2, '0')}`);
    for (let index = 0; index < ORDERS_BEFORE; index++) await place(index);

    // Under load: orders in flight, then the active isolate dies at once.
    const inFlight: Promise<unknown>[] = [];
    for (let index = 0; index < ORDERS_IN_FLIGHT; index++) inFlight.push(place(index).catch((error: unknown) => error));
    const diedAt = performance.now();
    await active.crash();
    await eventually(() => link.leader === 1, 'the standby leads', 10_000);
    await clients[0]!.createOrder(VENUE_MARKET.id, 'limit', 'buy', '1', '4.00');
    const failoverMs = performance.now() - diedAt;
    assert.ok(failoverMs < FAILOVER_BOUND_MS, `first acknowledged order on the new leader after ${Math.round(failoverMs)} ms`);
    await Promise.all(inFlight);
    for (const client of clients) await client.createOrder(VENUE_MARKET.id, 'limit', 'sell', '1', '9.00');
    const stats = await standby.stats();
    for (const [index, client] of clients.entries()) {
      await eventually(() => client.lastSeq !== undefined && reports[index]!.length === client.lastSeq, `client ${index} has every report`, 5_000);
      const seqs = reports[index]!.map((report) => report.seq);
      assert.equal(seqs, Array.from({ length: seqs.length }, (_, at) => at + 1), `client ${index}: each report once, in order, no gap`);
    }
    assert.ok(stats.durableSequence > ORDERS_BEFORE, `the new leader continues the stream (at ${stats.durableSequence})`);
  } finally {
    for (const client of clients) await client.close().catch(() => undefined);
    await gateway.close();
    await standby.stop();
    await active.stop().catch(() => undefined);
  }
});

test.run();
