// A child process holding one active enclave instance for the SIGKILL failover test: it starts
// the enclave (worker isolate) on the given stream and lease, prints "leading" once it leads,
// then journals deposits at a steady rate and prints "ack <n>" for each one made durable. The
// test kills this whole process with SIGKILL. Its only argument is a JSON config.
import { EnclaveHost } from '../../src/host/enclave-host.js';
import type { ClusterJournalSettings } from '../../src/protocol/enclave-port.js';
import { TEST_MARKET } from './enclave-trader.js';

interface ChildConfig {
  readonly dataDir: string;
  readonly devRootSeedHex: string;
  readonly cluster: ClusterJournalSettings;
  readonly account: string;
  readonly depositsPerMs: number;
  /** The process exits by itself after this, should the test never kill it. */
  readonly lifetimeMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
setTimeout(() => process.exit(3), config.lifetimeMs).unref();
const host = await EnclaveHost.start({
  dataDir: config.dataDir, markets: [TEST_MARKET], feeAccount: 'fees', production: false, devRootSeedHex: config.devRootSeedHex,
  tickMs: 0, settlementWindowMs: 0, chain: 'none', cluster: config.cluster,
});
host.onFatal((message) => process.stdout.write(`fatal ${message}\n`));
await new Promise<void>((resolve) => host.onLeader(resolve));
process.stdout.write('leading\n');
let next = 0;
setInterval(() => {
  for (let index = 0; index < config.depositsPerMs; index++) {
    const reference = next++;
    host.deposit(config.account, 'USDC', 1n, `k-${reference}`).then(() => process.stdout.write(`ack ${reference}\n`), () => undefined);
  }
}, 1);
