// Encrypted commands through the enclave boundary: the client seals an order (@noble AES-GCM),
// the host relays it over the worker port, the enclave opens it, sequences it, journals it
// with group commit + fdatasync, matches it and seals the ack, which comes back the same way.
// An open-loop run at a fixed offered rate gives latency (p50/p99/p99.9); a closed-loop
// saturation run gives throughput. Also times attestation verification of a dev bundle, cold
// and warm (cached verdict). Writes bench/results/enclave.json. Usage: npm run bench:enclave
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { AttestationVerdictCache, verifyAttestation } from '../client/attestation/index.js';
import { EnclaveHost } from '../src/host/enclave-host.js';
import { Prng } from '../test/support/prng.js';
import { TEST_MARKET, TestTrader, seedFrom } from '../test/support/enclave-trader.js';

const SEED = 7;
const TRADERS = 8;
const OFFERED_PER_SEC = 20_000;
const LATENCY_RUN_MS = 5_000;
const SATURATION_RUN_MS = 5_000;
const WARMUP_MS = 1_500;
const IN_FLIGHT_PER_TRADER = 256;
const VERIFY_ROUNDS = 200;

const dataDir = mkdtempSync(join(tmpdir(), 'bench-enclave-'));
const host = await EnclaveHost.start({ dataDir, markets: [TEST_MARKET], feeAccount: 'fees', production: false, snapshotEveryCommands: 200_000 });
const traders = new Map<number, TestTrader>();
host.onFrame((id, frame) => traders.get(id)!.onFrame(frame));
const prng = new Prng(SEED);
const list: TestTrader[] = [];
for (let i = 0; i < TRADERS; i++) {
  const id = host.openConnection();
  const trader = new TestTrader(seedFrom(prng), (frame) => host.sendFrame(id, frame));
  traders.set(id, trader);
  list.push(trader);
  await trader.connect(host.bundle);
  await host.deposit(trader.account, 'USDC', 10n ** 15n, `usdc-${i}`);
  await host.deposit(trader.account, 'DOT', 10n ** 17n, `dot-${i}`);
}

/** Every answer resolves its request's sent time; reports are counted, not stored. */
const sentAt = new Map<string, number>();
let onAnswer: (latencyUs: number) => void = () => undefined;
for (const trader of list) {
  trader.onFrame = function (this: TestTrader, frame: Uint8Array) {
    if (this.session === undefined) return TestTrader.prototype.onFrame.call(this, frame);
    const message = this.session.openMessage(frame);
    if (message.t === 'report') return;
    const key = `${this.account}:${message.id}`;
    const start = sentAt.get(key);
    if (start === undefined) return;
    sentAt.delete(key);
    if (message.t !== 'result') throw new Error(`order refused: ${JSON.stringify(message.body)}`);
    onAnswer((performance.now() - start) * 1_000);
  };
}

let orderNumber = 0;
/** Crossing limit orders alternating sides across accounts, so the book stays small and fills happen. */
function sendOrder(): void {
  orderNumber += 1;
  const trader = list[orderNumber % TRADERS]!;
  const side = orderNumber % 2 === 0 ? 'buy' : 'sell';
  const { id, frame } = trader.request('order.place', { market: TEST_MARKET.id, clientOrderId: `b${orderNumber}`, side, type: 'limit', price: '5.00', size: '1.0' }, true);
  sentAt.set(`${trader.account}:${id}`, performance.now());
  trader.send(frame);
}

async function openLoop(durationMs: number, perSec: number, histogram: hdr.Histogram | undefined): Promise<{ sent: number; answered: number }> {
  let sent = 0;
  let answered = 0;
  onAnswer = (latencyUs) => { answered += 1; histogram?.recordValue(Math.max(1, Math.round(latencyUs))); };
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.floor(((performance.now() - start) * perSec) / 1_000);
      for (; sent < due; sent++) sendOrder();
      if (performance.now() - start >= durationMs) { clearInterval(timer); resolve(); }
    }, 1);
  });
  const drainUntil = performance.now() + 10_000;
  while (sentAt.size > 0 && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 5));
  return { sent, answered };
}

async function saturation(durationMs: number): Promise<{ answered: number; seconds: number }> {
  let answered = 0;
  let stopping = false;
  const start = performance.now();
  onAnswer = () => {
    answered += 1;
    if (!stopping) sendOrder();
  };
  for (let i = 0; i < IN_FLIGHT_PER_TRADER * TRADERS; i++) sendOrder();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  stopping = true;
  const seconds = (performance.now() - start) / 1_000;
  const counted = answered;
  const drainUntil = performance.now() + 10_000;
  while (sentAt.size > 0 && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 5));
  return { answered: counted, seconds };
}

await openLoop(WARMUP_MS, OFFERED_PER_SEC / 2, undefined);
const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
const latency = await openLoop(LATENCY_RUN_MS, OFFERED_PER_SEC, histogram);
const sat = await saturation(SATURATION_RUN_MS);
const commandsPerSec = Math.round(sat.answered / sat.seconds);

const bundle = JSON.parse(host.bundle) as { devReport: { rootPublicKeyHex: string } };
const policy = { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: bundle.devReport.rootPublicKeyHex } };
let coldTotalMs = 0;
for (let i = 0; i < VERIFY_ROUNDS; i++) {
  const t0 = performance.now();
  const verdict = await verifyAttestation(host.bundle, policy);
  coldTotalMs += performance.now() - t0;
  if (!verdict.ok) throw new Error('dev bundle did not verify');
}
const cache = new AttestationVerdictCache();
await verifyAttestation(host.bundle, policy, { cache });
let warmTotalMs = 0;
for (let i = 0; i < VERIFY_ROUNDS; i++) {
  const t0 = performance.now();
  await verifyAttestation(host.bundle, policy, { cache });
  warmTotalMs += performance.now() - t0;
}
await host.stop();
rmSync(dataDir, { recursive: true, force: true });

const result = {
  commandsPerSec,
  p50Us: histogram.getValueAtPercentile(50),
  p99Us: histogram.getValueAtPercentile(99),
  p999Us: histogram.getValueAtPercentile(99.9),
  maxUs: histogram.maxValue,
  fsync: true,
  attestationVerifyMs: Number((warmTotalMs / VERIFY_ROUNDS).toFixed(4)),
  attestationVerifyColdMs: Number((coldTotalMs / VERIFY_ROUNDS).toFixed(4)),
  latencyRun: { offeredPerSec: OFFERED_PER_SEC, durationMs: LATENCY_RUN_MS, sent: latency.sent, answered: latency.answered },
  saturationRun: { durationMs: SATURATION_RUN_MS, inFlight: IN_FLIGHT_PER_TRADER * TRADERS, answered: sat.answered },
  targets: { commandsPerSec: 50_000, p99UsAt20k: 2_000, attestationVerifyMsWarm: 25 },
  conditions: {
    machine: `${cpus()[0]?.model ?? 'unknown'} × ${availableParallelism()}`, node: process.version, seed: SEED, traders: TRADERS,
    path: 'client @noble seal → host worker port → enclave node:crypto open → parse → sequence → FileJournal group commit + fdatasync → match → seal ack → port → client @noble open',
    attestation: 'dev bundle (insecure), verifyAttestation cold (no cache) and warm (cached verdict)',
    dataDir: tmpdir(),
  },
};
mkdirSync(new URL('./results', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/enclave.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.table({
  'durable commands/s (saturation)': { measured: commandsPerSec, target: '≥ 50,000' },
  [`p50 µs @ ${OFFERED_PER_SEC}/s`]: { measured: result.p50Us, target: '' },
  [`p99 µs @ ${OFFERED_PER_SEC}/s`]: { measured: result.p99Us, target: '≤ 2,000' },
  [`p99.9 µs @ ${OFFERED_PER_SEC}/s`]: { measured: result.p999Us, target: '' },
  'attestation verify ms (warm)': { measured: result.attestationVerifyMs, target: '≤ 25' },
  'attestation verify ms (cold)': { measured: result.attestationVerifyColdMs, target: '' },
});
