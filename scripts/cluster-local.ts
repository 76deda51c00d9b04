// `npm run cluster:local`: the venue with its journal replicated on NATS JetStream, all on
// loopback. It starts the three JetStream nodes of the shipped configs (cluster/node-*.conf,
// stores under data/cluster/), the enclave with its journal on the R3 stream DARKPOOL_JOURNAL,
// and the gateway on 127.0.0.1:8080 (or PORT). The single-node venue with the file journal
// stays `npm start`. Ctrl-C stops everything; the nodes also die with this process.
// The enclave runs with the INSECURE development attestation and sealing key (no TEE).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LocalCluster } from '../src/cluster/local-cluster.js';
import { startGateway } from '../src/gateway/index.js';
import { EnclaveHost } from '../src/host/enclave-host.js';
import type { ClusterJournalSettings } from '../src/protocol/enclave-port.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const NODES = [1, 2, 3].map((index) => ({ name: `n${index}`, path: join(ROOT, 'cluster', `node-${index}.conf`), clientPort: 4221 + index }));
const JOURNAL: ClusterJournalSettings = {
  servers: NODES.map((node) => `nats://127.0.0.1:${node.clientPort}`),
  stream: 'DARKPOOL_JOURNAL',
  subject: 'darkpool.journal',
  replicas: 3,
};
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

  // 2. The active enclave: sequencer of the stream (the first writer; a later one fences it).
  let active: EnclaveHost;
  try {
    active = await EnclaveHost.start({
      dataDir: join(dataDir, 'enclave-active'), markets: [MARKET], feeAccount: 'venue-fees', production: false, chain: 'embedded', cluster: JOURNAL,
    });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  active.onFatal((message) => console.error(`enclave fatal: ${message}`));

  // 3. The standby enclave follows the same stream and takes over on failover; it arrives with
  //    the hot-standby work (issue 7) and starts here, beside the active one.

  // 4. The gateway, relaying ciphertext to the active enclave.
  const gateway = await startGateway({ host: active, markets: [MARKET], port, logger: { level: 'warn' } });
  console.log(`Gateway: ${gateway.url}  (journal: stream ${JOURNAL.stream}, ${JOURNAL.replicas} replicas)`);
  console.log('Ctrl-C stops.');

  await new Promise<void>((done) => {
    let signalled = false;
    const stop = (): void => { if (!signalled) { signalled = true; done(); } };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  console.log('stopping');
  await gateway.app.close();
  await active.stop();
  await cluster.stop();
  console.log('stopped');
}

main().catch((error: unknown) => {
  console.error(`error ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
