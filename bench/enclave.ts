// Encrypted commands through the enclave boundary, end to end: traders seal orders (node's
// AES-256-GCM in the shared record layer), the host relays them over the worker port in
// batches, the enclave opens each, sequences it, journals it with group commit + fdatasync,
// matches it and seals the answer and every execution report, which come back the same way
// and are opened by their traders. Three threads on the 2 cores: the load generator
// (bench/enclave-load.ts), this thread as the untrusted host relaying frames, and the enclave
// worker. Open-loop runs at a fixed offered rate give latency measured from each send's
// scheduled time; closed-loop runs give the throughput the whole path sustains. Also times
// fdatasync alone and attestation verification (full DCAP of the recorded dstack quote, warm).
// Writes bench/results/enclave.json. Usage: npm run bench:enclave
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { AttestationVerdictCache, verifyAttestation } from '../client/attestation/index.js';
import { EnclaveHost } from '../src/host/enclave-host.js';
import { FramePortOutbox, readFrameBatch, type EnclaveStats } from '../src/protocol/enclave-port.js';
import { collateral, DSTACK_VERIFIED_AT_SECS, dstackFixtureBundle, dstackFixturePolicy } from '../test/client/attestation/fixtures.js';
import { TEST_MARKET } from '../test/support/enclave-trader.js';
import { floorPerCommandUs, measureOperationCosts } from './enclave-operation-costs.js';
import { SEND_INTERVAL_MS, type LoadConfig, type LoadToMain, type MainToLoad, type Phase, type PhaseResult, type Workload } from './enclave-load-messages.js';

const SEED = 7;
const TRADERS = 8;
const OFFERED_PER_SEC = 20_000;
const WARMUP: Phase = { kind: 'open', workload: 'mixed', ratePerSec: 10_000, durationMs: 3_000 };
const LATENCY_RUN_MS = 5_000;
const SATURATION_RUN_MS = 5_000;
const SATURATION_IN_FLIGHT = 2_048;
const WORKLOADS: readonly Workload[] = ['mixed', 'crossing'];
/** Lower offered rates for the mixed workload, to show where latency turns up. */
const SWEEP_PER_SEC: readonly number[] = [5_000, 10_000, 15_000];
const SWEEP_RUN_MS = 3_000;
/** The enclave's defaults except the snapshot interval, stated in the conditions. */
const SNAPSHOT_EVERY_COMMANDS = 100_000;
const FSYNC_SAMPLES = 1_000;
const CLOCK_TICKS_PER_SEC = 100;
const FSYNC_WRITE_BYTES = 16 * 1024;
const VERIFY_RUNS = 200;
const SETTLEMENT_WINDOW_MS = 1_000;
const IDLE_MS = 2_000;
const VERIFY_WARMUP_RUNS = 20;
const TARGETS = { commandsPerSec: 50_000, p99UsAt20k: 2_000, attestationVerifyMsWarm: 25 } as const;

interface TimeSummary { readonly samples: number; readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number }

function summarize(samples: number[], digits: number): TimeSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (value: number): number => Number(value.toFixed(digits));
  return { samples: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1)!), mean: round(sorted.reduce((sum, v) => sum + v, 0) / sorted.length) };
}

/** fdatasync alone: append FSYNC_WRITE_BYTES to a file in the data directory's file system and sync, as one journal group does. */
async function measureFsync(directory: string): Promise<TimeSummary> {
  const handle = await open(join(directory, 'fsync-probe'), 'w');
  const bytes = new Uint8Array(FSYNC_WRITE_BYTES).fill(7);
  const samples: number[] = [];
  try {
    for (let i = 0; i < FSYNC_SAMPLES; i++) {
      await handle.write(bytes, 0, bytes.length, i * bytes.length);
      const started = performance.now();
      await handle.datasync();
      samples.push((performance.now() - started) * 1_000);
    }
  } finally {
    await handle.close();
  }
  return summarize(samples, 0);
}

/** CPU time (user + system, ms) of each thread of this process, from /proc (Linux; empty elsewhere). */
function threadCpuMs(): Map<number, number> {
  const times = new Map<number, number>();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return times;
  }
  for (const task of tasks) {
    try {
      const fields = readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ');
      times.set(Number(task), ((Number(fields[11]) + Number(fields[12])) * 1_000) / CLOCK_TICKS_PER_SEC);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return times;
}

/**
 * CPU ms per thread over a phase: this thread (the host relay), the generator, the enclave
 * (the busiest of the others) and the rest (libuv's fs pool doing the fdatasyncs, V8's GC helpers).
 */
function threadCpuSplit(before: Map<number, number>, after: Map<number, number>): { host: number; generator: number; enclave: number; other: number } {
  const delta = new Map<number, number>();
  for (const [task, ms] of after) delta.set(task, ms - (before.get(task) ?? 0));
  const host = delta.get(process.pid) ?? 0;
  const generatorMs = generatorThreadId === undefined ? 0 : delta.get(generatorThreadId) ?? 0;
  delta.delete(process.pid);
  if (generatorThreadId !== undefined) delta.delete(generatorThreadId);
  let enclaveTask = -1;
  for (const [task, ms] of delta) if (enclaveTask === -1 || ms > delta.get(enclaveTask)!) enclaveTask = task;
  const enclave = delta.get(enclaveTask) ?? 0;
  delta.delete(enclaveTask);
  let other = 0;
  for (const ms of delta.values()) other += ms;
  return { host, generator: generatorMs, enclave, other };
}

async function timeVerify(runs: number, body: () => Promise<void>): Promise<TimeSummary> {
  for (let i = 0; i < VERIFY_WARMUP_RUNS; i++) await body();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await body();
    samples.push(performance.now() - started);
  }
  return summarize(samples, 3);
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-enclave-'));
const loadAverageAtStart = loadavg().map((value) => value.toFixed(2)).join(' / ');
const fsync = await measureFsync(dataDir);
const host = await EnclaveHost.start({ dataDir, markets: [TEST_MARKET], feeAccount: 'fees', production: false, settlementWindowMs: SETTLEMENT_WINDOW_MS, snapshotEveryCommands: SNAPSHOT_EVERY_COMMANDS });
const generator = new Worker(new URL('./enclave-load-entry.mjs', import.meta.url), { workerData: { bundle: host.bundle, traders: TRADERS, seed: SEED } satisfies LoadConfig });

// This thread is the untrusted host: it relays opaque frames between the traders and the enclave.
const connectionIds: number[] = [];
const traderOf = new Map<number, number>();
const toGenerator = new FramePortOutbox<MainToLoad>((message, transfer) => generator.postMessage(message, transfer), setImmediate);
host.onFrame((connectionId, frame) => toGenerator.sendFrame(traderOf.get(connectionId)!, frame));
host.onFatal((message) => { throw new Error(`enclave fatal: ${message}`); });
host.onClose((connectionId, code) => { throw new Error(`the enclave closed connection ${connectionId} with ${code}`); });

let generatorThreadId: number | undefined;
let onPhaseDone: ((result: PhaseResult) => void) | undefined;
let onConnected: (() => void) | undefined;
const accounts = await new Promise<readonly string[]>((resolve, reject) => {
  generator.on('error', reject);
  generator.on('message', (message: LoadToMain) => {
    switch (message.type) {
      case 'frames':
        if (!readFrameBatch(message, (index, frame) => host.sendFrame(connectionIds[index]!, frame))) throw new Error('malformed batch from the generator');
        return;
      case 'accounts':
        generatorThreadId = message.linuxThreadId;
        return resolve(message.accounts);
      case 'connected': return onConnected?.();
      case 'phaseDone': return onPhaseDone?.(message.result);
    }
  });
});
for (const [index, account] of accounts.entries()) {
  const connectionId = host.openConnection();
  connectionIds.push(connectionId);
  traderOf.set(connectionId, index);
  await host.deposit(account, 'USDC', 10n ** 15n, `usdc-${index}`);
  await host.deposit(account, 'DOT', 10n ** 17n, `dot-${index}`);
}
await new Promise<void>((resolve) => {
  onConnected = resolve;
  generator.postMessage({ type: 'connect' } satisfies MainToLoad);
});

interface MeasuredPhase {
  readonly result: PhaseResult;
  readonly enclave: { readonly before: EnclaveStats; readonly after: EnclaveStats };
  /** Busy share of each thread's event loop during the phase (1 = never idle). */
  readonly busy: { readonly enclave: number; readonly host: number; readonly generator: number };
  /** CPU time of the whole process over wall time: cores in use. */
  readonly processCores: number;
  /** CPU ms of each thread during the phase. */
  readonly threadCpuMs: { readonly host: number; readonly generator: number; readonly enclave: number; readonly other: number };
}

async function runPhase(phase: Phase): Promise<MeasuredPhase> {
  const before = await host.stats();
  const enclaveLoop = host.enclaveEventLoopUtilization();
  const hostLoop = performance.eventLoopUtilization();
  const generatorLoop = generator.performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const threadsBefore = threadCpuMs();
  const wallBefore = performance.now();
  const result = await new Promise<PhaseResult>((resolve) => {
    onPhaseDone = resolve;
    generator.postMessage({ type: 'phase', phase } satisfies MainToLoad);
  });
  const cpu = process.cpuUsage(cpuBefore);
  const threads = threadCpuSplit(threadsBefore, threadCpuMs());
  const wallMs = performance.now() - wallBefore;
  const after = await host.stats();
  return {
    result,
    enclave: { before, after },
    busy: {
      enclave: Number(host.enclaveEventLoopUtilization(enclaveLoop).utilization.toFixed(3)),
      host: Number(performance.eventLoopUtilization(hostLoop).utilization.toFixed(3)),
      generator: Number(generator.performance.eventLoopUtilization(generatorLoop).utilization.toFixed(3)),
    },
    processCores: Number(((cpu.user + cpu.system) / 1_000 / wallMs).toFixed(2)),
    threadCpuMs: threads,
  };
}

function describe(measured: MeasuredPhase): Record<string, unknown> {
  const { result, enclave, busy, processCores, threadCpuMs: threads } = measured;
  const perCommandUs = (ms: number): number => Math.round((ms * 1_000) / Math.max(1, result.answered));
  const batches = enclave.after.journalBatches - enclave.before.journalBatches;
  const records = enclave.after.journalRecords - enclave.before.journalRecords;
  const seconds = result.phase.durationMs / 1_000;
  return {
    phase: result.phase,
    sent: result.sent,
    answered: result.answered,
    answeredInWindow: result.answeredInWindow,
    achievedPerSec: Math.round(result.answeredInWindow / seconds),
    latencyUs: result.latency,
    generatorSendLagUsP99: result.sendLagUsP99,
    mix: result.mix,
    errors: result.errors,
    framesToTradersPerCommand: Number((result.framesReceived / Math.max(1, result.answered)).toFixed(2)),
    messagesPerFrameToTraders: Number(((result.answered + result.reportsReceived) / Math.max(1, result.framesReceived)).toFixed(1)),
    reportsPerCommand: Number((result.reportsReceived / Math.max(1, result.answered)).toFixed(2)),
    journal: {
      records, fdatasyncs: batches, recordsPerFdatasync: Number((records / Math.max(1, batches)).toFixed(1)),
      bytesPerRecord: Math.round((enclave.after.journalBytes - enclave.before.journalBytes) / Math.max(1, records)),
      ticksJournaled: enclave.after.ticksJournaled - enclave.before.ticksJournaled,
    },
    port: {
      batchesToEnclave: enclave.after.portBatchesIn - enclave.before.portBatchesIn,
      framesToEnclave: enclave.after.portFramesIn - enclave.before.portFramesIn,
      batchesFromEnclave: enclave.after.portBatchesOut - enclave.before.portBatchesOut,
      framesFromEnclave: enclave.after.portFramesOut - enclave.before.portFramesOut,
    },
    threadBusy: busy,
    processCores,
    cpuUsPerCommand: { enclave: perCommandUs(threads.enclave), host: perCommandUs(threads.host), generator: perCommandUs(threads.generator), other: perCommandUs(threads.other) },
  };
}

await runPhase(WARMUP);
const runs: Record<string, { latency: MeasuredPhase; saturation: MeasuredPhase }> = {};
for (const workload of WORKLOADS) {
  const latency = await runPhase({ kind: 'open', workload, ratePerSec: OFFERED_PER_SEC, durationMs: LATENCY_RUN_MS });
  const saturation = await runPhase({ kind: 'closed', workload, inFlight: SATURATION_IN_FLIGHT, durationMs: SATURATION_RUN_MS });
  runs[workload] = { latency, saturation };
}
const sweep: MeasuredPhase[] = [];
for (const ratePerSec of SWEEP_PER_SEC) sweep.push(await runPhase({ kind: 'open', workload: 'mixed', ratePerSec, durationMs: SWEEP_RUN_MS }));

// Idle: after the last settlement window has closed, an enclave with no GTT order journals nothing.
await new Promise((resolve) => setTimeout(resolve, SETTLEMENT_WINDOW_MS + 500));
const idleBefore = await host.stats();
await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
const idleAfter = await host.stats();
generator.postMessage({ type: 'stop' } satisfies MainToLoad);
await generator.terminate();
await host.stop();
rmSync(dataDir, { recursive: true, force: true });

// Attestation, with the enclave stopped: the full client-side verification of the recorded
// dstack (TDX) quote with its collateral, warm (modules loaded, JIT warm, no verdict cache).
const dstackBundle = dstackFixtureBundle({ ed25519Hex: '07'.repeat(32), x25519Hex: '09'.repeat(32) });
const dstackPolicy = { tdx: dstackFixturePolicy() };
const dstackOptions = { collateral: collateral('tdx_quote_outdated_collateral'), nowSecs: DSTACK_VERIFIED_AT_SECS };
const dstackVerify = await timeVerify(VERIFY_RUNS, async () => {
  const verdict = await verifyAttestation(dstackBundle, dstackPolicy, dstackOptions);
  if (verdict.failure?.name !== 'ATTESTATION_REPORT_DATA_MISMATCH') throw new Error(`unexpected dstack verdict ${verdict.failure?.message}`);
});
const enclaveBundle = JSON.parse(host.bundle) as { devReport: { rootPublicKeyHex: string } };
const devPolicy = { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: enclaveBundle.devReport.rootPublicKeyHex } };
const devVerify = await timeVerify(VERIFY_RUNS, async () => {
  if (!(await verifyAttestation(host.bundle, devPolicy)).ok) throw new Error('the enclave\'s dev bundle did not verify');
});
const cache = new AttestationVerdictCache();
const cachedVerify = await timeVerify(VERIFY_RUNS, async () => {
  if (!(await verifyAttestation(host.bundle, devPolicy, { cache })).ok) throw new Error('cached dev verdict rejected');
});

// The unavoidable crypto and codec work per command, measured one operation at a time here.
const operationCostsUs = measureOperationCosts();
const floors = Object.fromEntries(Object.entries(runs).map(([name, run]) => [name, floorPerCommandUs(operationCostsUs, 1 + run.saturation.result.reportsReceived / Math.max(1, run.saturation.result.answered))]));

const headline = runs.mixed!;
const result = {
  commandsPerSec: Math.round(headline.saturation.result.answeredInWindow / (SATURATION_RUN_MS / 1_000)),
  p50Us: headline.latency.result.latency.p50Us,
  p99Us: headline.latency.result.latency.p99Us,
  p999Us: headline.latency.result.latency.p999Us,
  maxUs: headline.latency.result.latency.maxUs,
  offeredPerSec: OFFERED_PER_SEC,
  achievedPerSec: Math.round(headline.latency.result.answeredInWindow / (LATENCY_RUN_MS / 1_000)),
  fsync: true,
  fsyncCostUs: { writeBytes: FSYNC_WRITE_BYTES, ...fsync },
  attestationVerifyMs: dstackVerify.p50,
  attestationVerify: {
    dstackFullDcapWarmMs: dstackVerify,
    devReportWarmMs: devVerify,
    verdictCacheHitMs: cachedVerify,
    note: 'attestationVerifyMs is the p50 of the full offline DCAP + event-log verification of the recorded dstack quote (no verdict cache)',
  },
  headline: 'commandsPerSec and p50/p99/p999 are the "mixed" workload; runs.crossing is the fill-heavy one',
  mixedLatencyByOfferedRate: [...sweep, headline.latency].map((measured) => ({
    offeredPerSec: (measured.result.phase as { ratePerSec: number }).ratePerSec,
    achievedPerSec: Math.round(measured.result.answeredInWindow / (measured.result.phase.durationMs / 1_000)),
    p50Us: measured.result.latency.p50Us, p99Us: measured.result.latency.p99Us, p999Us: measured.result.latency.p999Us, maxUs: measured.result.latency.maxUs,
    enclaveThreadBusy: measured.busy.enclave,
  })),
  runs: Object.fromEntries(Object.entries(runs).map(([name, run]) => [name, { latency: describe(run.latency), saturation: describe(run.saturation) }])),
  idle: { seconds: IDLE_MS / 1_000, commandsJournaled: idleAfter.journalRecords - idleBefore.journalRecords, fdatasyncs: idleAfter.journalBatches - idleBefore.journalBatches, ticksJournaled: idleAfter.ticksJournaled - idleBefore.ticksJournaled },
  operationCostsUs,
  cryptoAndCodecFloor: {
    note: 'per command, every message packed (32 reports or 4 orders a frame): enclave open + journal seal + messages back × enclave seal; client seal + messages back × client open (messages back = the answer + reports, from the closed-loop run); no matching, relay, scheduling or GC. commandsPerSecOnTwoCores = 2 cores / total',
    ...floors,
  },
  targets: TARGETS,
  meetsTargets: {
    commandsPerSec: Math.round(headline.saturation.result.answeredInWindow / (SATURATION_RUN_MS / 1_000)) >= TARGETS.commandsPerSec,
    p99UsAt20k: headline.latency.result.latency.p99Us <= TARGETS.p99UsAt20k,
    attestationVerifyMsWarm: dstackVerify.p99 <= TARGETS.attestationVerifyMsWarm,
  },
  conditions: {
    machine: `${cpus()[0]?.model ?? 'unknown'} × ${availableParallelism()}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    cores: availableParallelism(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg().map((value) => value.toFixed(2)).join(' / '),
    sharedMachine: 'other work on the same 2 cores competes for CPU; the load averages bracket the run',
    seed: SEED,
    traders: TRADERS,
    market: TEST_MARKET.id,
    threads: 'load generator (worker thread, bench/enclave-load.ts) → host relay (main thread) → enclave (worker thread); 3 threads share the 2 cores',
    clientSetup: 'each trader: real ClientHandshake (X25519 + Ed25519 transcript) then the shared ChannelSession record layer with node:crypto AES-256-GCM (test/support/node-client-frame-cipher.ts); the commands a trader sends in one turn travel packed (docs/protocol.md §5.1); every frame back is opened and every message in it decoded, reports included',
    path: 'client seal (packed) → port batch → host relay → port batch → enclave open + decode + parse → sequence → FileJournal (AES-GCM + HMAC chain per record, group commit: one write + one fdatasync per group) → match + escrow → answers and reports of one durable group packed per session and sealed → port batch → host → port batch → client open',
    port: 'frames queued during one event-loop turn travel as one transferred ArrayBuffer (src/protocol/enclave-port.ts)',
    openLoop: `a burst of rate × ${SEND_INTERVAL_MS} ms commands every ${SEND_INTERVAL_MS} ms on a fixed schedule; latency from the burst's scheduled time to the answer being opened by its trader (no coordinated omission)`,
    closedLoop: `${SATURATION_IN_FLIGHT} commands in flight across the traders, one sent per answer; throughput counts answers within the ${SATURATION_RUN_MS} ms window`,
    warmup: WARMUP,
    workloads: {
      mixed: '20% crossing limit orders at 5.00 (alternating sell/buy between consecutive traders, so every second fills), 40% passive limit orders that rest (buys 4.00–4.49, sells 5.51–6.00), 40% cancels of the same trader\'s oldest resting passive order (by clientOrderId), seeded',
      crossing: 'every command a crossing limit order at 5.00, alternating sell/buy between consecutive traders: every second command fills',
    },
    enclave: `tick check every 100 ms (journals a tick only when a GTT order is past expiry), settlement window ${SETTLEMENT_WINDOW_MS} ms settled by the default embedded chain on the enclave thread (its fills taken in slices of 128 per event-loop turn; the bench funds accounts in the engine only, so the embedded chain refuses each fill for want of escrow), snapshot every ${SNAPSHOT_EVERY_COMMANDS} commands (synchronous serialize + async seal/write)`,
    dataDir: `${tmpdir()} (same file system as the fsync probe)`,
  },
};
mkdirSync(new URL('./results', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/enclave.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);

const table: Record<string, { measured: number | string; target: string }> = {};
for (const [name, run] of Object.entries(runs)) {
  const latency = run.latency.result.latency;
  table[`${name}: durable commands/s (closed loop)`] = { measured: Math.round(run.saturation.result.answeredInWindow / (SATURATION_RUN_MS / 1_000)), target: name === 'mixed' ? '≥ 50,000' : '' };
  table[`${name}: achieved/s at ${OFFERED_PER_SEC}/s offered`] = { measured: Math.round(run.latency.result.answeredInWindow / (LATENCY_RUN_MS / 1_000)), target: '' };
  table[`${name}: p50 µs`] = { measured: latency.p50Us, target: '' };
  table[`${name}: p99 µs`] = { measured: latency.p99Us, target: name === 'mixed' ? '≤ 2,000' : '' };
  table[`${name}: p99.9 µs`] = { measured: latency.p999Us, target: '' };
  table[`${name}: frames back per command`] = { measured: describe(run.latency).framesToTradersPerCommand as number, target: '' };
}
table['fdatasync alone p50 / p99 µs'] = { measured: `${fsync.p50} / ${fsync.p99}`, target: '' };
table['attestation verify ms (dstack DCAP, warm p50 / p99)'] = { measured: `${dstackVerify.p50} / ${dstackVerify.p99}`, target: '≤ 25' };
for (const measured of sweep) {
  const { ratePerSec } = measured.result.phase as { ratePerSec: number };
  table[`mixed: p50 / p99 µs at ${ratePerSec}/s offered`] = { measured: `${measured.result.latency.p50Us} / ${measured.result.latency.p99Us}`, target: '' };
}
for (const [name, run] of Object.entries(runs)) {
  const cpu = describe(run.saturation).cpuUsPerCommand as { enclave: number; generator: number; host: number; other: number };
  table[`${name}: CPU µs/command enclave / traders / host / V8+fs threads`] = { measured: `${cpu.enclave} / ${cpu.generator} / ${cpu.host} / ${cpu.other}`, target: '' };
}
for (const [name, floor] of Object.entries(floors)) table[`${name}: crypto+codec floor µs/command (max/s on 2 cores)`] = { measured: `${floor.total} (${floor.commandsPerSecOnTwoCores})`, target: '' };
table[`idle ${IDLE_MS / 1_000} s: commands journaled`] = { measured: result.idle.commandsJournaled, target: '0' };
console.table(table);
console.log('wrote bench/results/enclave.json');
