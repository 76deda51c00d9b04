// `npm run cluster:local`: the venue with its journal replicated on NATS JetStream, all on
// loopback. It starts the three JetStream nodes of the shipped configs (cluster/node-*.conf,
// stores under data/cluster/), two enclave instances on the R3 stream DARKPOOL_JOURNAL — the
// active one and a hot standby that follows the stream and takes over when the active one loses
// the leadership lease (docs/cluster.md) — and the gateway on 127.0.0.1:8080 (or PORT), which
// routes sessions to whichever instance leads. The single-node venue with the file journal
// stays `npm start`. Ctrl-C stops everything; the nodes also die with this process.
// The enclave runs with the INSECURE development attestation and sealing key (no TEE).
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LocalCluster } from '../src/cluster/local-cluster.js';
import { startGateway } from '../src/gateway/index.js';
import { provisionStandbyDataDir } from '../src/cluster/standby-provisioning.js';
import { EnclaveHost } from '../src/host/enclave-host.js';
import { FailoverLink } from '../src/host/failover-link.js';
import type { ClusterJournalSettings } from '../src/protocol/enclave-port.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const NODES = [1, 2, 3].map((index) => ({ name: `n${index}`, path: join(ROOT, 'cluster', `node-${index}.conf`), clientPort: 4221 + index }));
const JOURNAL: ClusterJournalSettings = {
  servers: NODES.map((node) => `nats://127.0.0.1:${node.clientPort}`),
  stream: 'DARKPOOL_JOURNAL',
  subject: 'darkpool.journal',
  replicas: 3,
};
/** The leadership lease of the pair; each instance names itself in it. */
const leaseOf = (holder: string): ClusterJournalSettings => ({ ...JOURNAL, lease: { bucket: 'DARKPOOL_LEADER', holder } });
/** The first instance takes the lease within this after it booted. */
const LEAD_TIMEOUT_MS = 30_000;
const MARKET = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6,
  tickSize: '0.01', lotSize: '0.1', makerFeeBps: 2, takerFeeBps: 5, referenceStalenessMs: 10_000,
} as const;
/** The nodes stop by themselves after this, should this script be killed without cleaning up. */
const NODE_LIFETIME_SECONDS = 12 * 3600;
const DEFAULT_PORT = 8080;

function portFromEnv(): number {
  const raw = process.env.PORT ?? String(DEFAULT_PORT);
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) > 65_535) throw new Error(`PORT must be 0..65535, got ${raw.slice(0, 16)}`);
  return Number(raw);
}

async function main(): Promise<void> {
  const port = portFromEnv();
  process.chdir(ROOT);
  const dataDir = join(ROOT, 'data', 'cluster');
  for (const node of NODES) mkdirSync(join(dataDir, node.name, 'store'), { recursive: true });
  console.warn('INSECURE: development attestation and dev sealing keys — no TEE protects these keys or orders. Never use this with real funds.');

  // 1. The JetStream cluster: three nodes, each with its own store directory.
  const cluster = await LocalCluster.startFromConfigs(NODES, NODE_LIFETIME_SECONDS);
  console.log(`JetStream nodes: ${cluster.servers.join(' ')}`);

  // 2. The active enclave: boots as a follower of the stream, takes the lease and becomes its writer.
  const activeDir = join(dataDir, 'enclave-active');
  const standbyDir = join(dataDir, 'enclave-standby');
  const hosts: EnclaveHost[] = [];
  // Both instances attest under one development root, so their bundles (and clients' verdicts) agree.
  const devRootSeedHex = randomBytes(32).toString('hex');
  const stopAll = async (): Promise<void> => {
    for (const host of hosts.reverse()) await host.stop().catch(() => undefined);
    await cluster.stop();
  };
  let link: FailoverLink;
  try {
    const active = await EnclaveHost.start({ dataDir: activeDir, markets: [MARKET], feeAccount: 'venue-fees', production: false, devRootSeedHex, chain: 'embedded', cluster: leaseOf('enclave-active') });
    hosts.push(active);
    const leadBy = Date.now() + LEAD_TIMEOUT_MS;
    while (!active.leading && Date.now() < leadBy) await new Promise((resolve) => setTimeout(resolve, 20));
    if (!active.leading) throw new Error(`the first enclave instance did not take the lease within ${LEAD_TIMEOUT_MS} ms`);

    // 3. The hot standby: same build, same (provisioned) sealed identity, follows the stream and
    //    takes over when the active instance dies or loses the lease.
    await provisionStandbyDataDir(activeDir, standbyDir, { devSealingKey: true });
    const standby = await EnclaveHost.start({ dataDir: standbyDir, markets: [MARKET], feeAccount: 'venue-fees', production: false, devRootSeedHex, chain: 'embedded', cluster: leaseOf('enclave-standby') });
    hosts.push(standby);
    link = new FailoverLink([active, standby]);
  } catch (error) {
    await stopAll();
    throw error;
  }
  for (const [index, host] of hosts.entries()) host.onFatal((message) => console.error(`enclave ${index === 0 ? 'active' : 'standby'} fatal: ${message}`));
  link.onLeader((instance) => console.log(`failover: the ${instance === 0 ? 'first' : 'standby'} enclave instance leads now`));

  // 4. The gateway, relaying ciphertext to whichever enclave instance leads.
  const gateway = await startGateway({ host: link, markets: [MARKET], port, logger: { level: 'warn' } });
  console.log(`Gateway: ${gateway.url}  (journal: stream ${JOURNAL.stream}, ${JOURNAL.replicas} replicas; enclaves: active + hot standby)`);
  console.log('Ctrl-C stops.');

  await new Promise<void>((done) => {
    let signalled = false;
    const stop = (): void => { if (!signalled) { signalled = true; done(); } };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  console.log('stopping');
  await gateway.app.close();
  await stopAll();
  console.log('stopped');
}

main().catch((error: unknown) => {
  console.error(`error ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
