// The process the crash test kills: it runs the enclave runtime in-process on a data
// directory, connects two in-process traders over the real channel, and places orders as fast
// as acks come back, printing one line per acknowledged order ("ACK <clientOrderId>") the
// moment the ack frame is opened. Writes to a pipe are synchronous, so every printed ack was
// received before any SIGKILL. Usage: node --import tsx test/support/enclave-crash-child.ts <dataDir> <seed> <maxOrders>
import { DevAttestationProvider } from '../../src/enclave/attestation/dev-provider.js';
import { DevSealingKeySource } from '../../src/enclave/keys.js';
import { EnclaveRuntime } from '../../src/enclave/runtime.js';
import { Prng } from './prng.js';
import { TEST_MARKET, TestTrader, seedFrom } from './enclave-trader.js';

const [dataDir, seedText, maxOrdersText] = process.argv.slice(2);
const seed = Number(seedText);
const maxOrders = Number(maxOrdersText ?? 400);
/** Orders each trader keeps in flight. */
const WINDOW = 16;

const traders: TestTrader[] = [];
const runtime = await EnclaveRuntime.boot({
  dataDir: dataDir!, markets: [TEST_MARKET], feeAccount: 'fees', tickMs: 20, settlementWindowMs: 0, snapshotEveryCommands: 64,
  sealingKeySource: new DevSealingKeySource({ directory: dataDir!, production: false }),
  attestation: new DevAttestationProvider({ production: false }),
}, {
  sendFrame: (id, frame) => traders[id]!.onFrame(frame),
  closeConnection: (id, code) => { process.stderr.write(`closed ${id} ${code}\n`); process.exit(3); },
  fatal: (error) => { process.stderr.write(`fatal ${error.message}\n`); process.exit(4); },
});
const accounts = new Prng(1);
for (let id = 0; id < 2; id++) {
  runtime.openConnection(id);
  const trader = new TestTrader(seedFrom(accounts), (frame) => runtime.receiveFrame(id, frame));
  traders.push(trader);
  await trader.connect(runtime.bundleJson);
  await runtime.creditDeposit(trader.account, 'USDC', 1_000_000_000_000n, `usdc-${id}`);
  await runtime.creditDeposit(trader.account, 'DOT', 100_000_000_000_000n, `dot-${id}`);
  await trader.ask('order.cancelAll', {});
}
process.stdout.write('READY\n');

const prng = new Prng(seed);
let placed = 0;
async function pump(trader: TestTrader): Promise<void> {
  while (placed < maxOrders) {
    placed += 1;
    const clientOrderId = `s${seed}-${placed}`;
    const side = prng.chance(0.5) ? 'buy' : 'sell';
    const price = (4.9 + prng.int(0, 20) / 100).toFixed(2);
    const answer = await trader.ask('order.place', { market: TEST_MARKET.id, clientOrderId, side, type: 'limit', price, size: `${prng.int(1, 5)}.0`, timeInForce: prng.chance(0.3) ? 'IOC' : 'GTC' });
    if (answer.t === 'result') process.stdout.write(`ACK ${clientOrderId}\n`);
  }
}
await Promise.all(traders.flatMap((trader) => Array.from({ length: WINDOW }, () => pump(trader))));
process.stdout.write('DONE\n');
await runtime.stop();
