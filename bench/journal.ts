// Measures what durability costs the enclave: the bare fdatasync of this machine's disk, the
// acknowledgement latency at a fixed offered rate of 20,000/s and 50,000/s, and the most
// durable commands per second the sequencer + sealed file journal reach with group commit
// (run last: its deep pipeline grows V8's young generation, whose longer scavenges would
// otherwise spill into the latency phases).
// Arrivals are paced by a 1 ms timer (commands due in that millisecond arrive together, as
// frames coalesced by the network would), so the generator does not spin a core. Latency is
// reported from arrival at the sequencer to the durable ack, and also from each command's
// scheduled time (which adds the pacing slack and any event-loop stall). Two peers run in the
// same process: the naive journal (one write + fdatasync per command, for throughput) and a
// bare group-commit loop with no sealing or sequencing (raw bytes, write + fdatasync per group,
// alternated round by round with the real one at each rate), which is the latency floor this
// disk allows. Prints a table and writes bench/results/journal.json with the conditions.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { FileJournal } from '../src/enclave/journal/file-journal.js';
import { SnapshotStore } from '../src/enclave/journal/snapshot-store.js';
import { Sequencer } from '../src/enclave/sequencer.js';
import { prng } from '../test/enclave/journal/helpers.js';

const SEED = 20_260_101;
const COMMAND_BYTES = 160;
const FSYNC_SAMPLES = 2000;
const FSYNC_WRITE_BYTES = 512;
const WARMUP_COMMANDS = 50_000;
const THROUGHPUT_COMMANDS = 400_000;
const THROUGHPUT_WINDOW = 4096;
const RATE_DURATION_S = 5;
const RATE_WARMUP_S = 1;
const RATE_ROUNDS = 2;
const PACING_MS = 1;
const RATES_PER_S = [20_000, 50_000] as const;
const NAIVE_COMMANDS = 3000;
const TARGET_COMMANDS_PER_S = 50_000;
const TARGET_P99_US_AT_20K = 2000;
const SEALING_KEY = new Uint8Array(32).map((_, index) => (index * 13 + 5) & 0xff);

interface Percentiles { readonly samples: number; readonly p50Us: number; readonly p99Us: number; readonly p999Us: number; readonly maxUs: number; readonly meanUs: number }

function percentiles(samplesUs: Float64Array): Percentiles {
  const sorted = Float64Array.from(samplesUs).sort();
  const at = (quantile: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!);
  let sum = 0;
  for (const value of sorted) sum += value;
  return { samples: sorted.length, p50Us: at(0.5), p99Us: at(0.99), p999Us: at(0.999), maxUs: Math.round(sorted[sorted.length - 1]!), meanUs: Math.round(sum / sorted.length) };
}

const nowUs = (): number => Number(process.hrtime.bigint()) / 1000;

function commands(count: number): Uint8Array[] {
  const random = prng(SEED);
  const pool = Array.from({ length: 256 }, () => random.bytes(COMMAND_BYTES));
  return Array.from({ length: count }, (_, index) => pool[index % pool.length]!);
}

async function fsyncCost(dir: string): Promise<Percentiles> {
  const handle = await open(join(dir, 'fsync-probe'), 'w');
  const bytes = new Uint8Array(FSYNC_WRITE_BYTES).fill(7);
  const samples = new Float64Array(FSYNC_SAMPLES);
  try {
    for (let index = 0; index < FSYNC_SAMPLES; index++) {
      await handle.write(bytes, 0, bytes.length, index * bytes.length);
      const started = nowUs();
      await handle.datasync();
      samples[index] = nowUs() - started;
    }
  } finally {
    await handle.close();
  }
  return percentiles(samples);
}

async function openSequencer(dir: string): Promise<{ sequencer: Sequencer; journal: FileJournal }> {
  const snapshots = await SnapshotStore.open({ directory: join(dir, 'snapshots'), sealingKey: SEALING_KEY });
  let journal: FileJournal | undefined;
  const recovery = await Sequencer.recover({
    snapshots,
    clock: () => process.hrtime.bigint(),
    openJournal: async (anchor) => (journal = await FileJournal.open({ directory: join(dir, 'journal'), sealingKey: SEALING_KEY, anchor })),
  });
  for await (const stamped of recovery.replay()) if (stamped.sequence < 0) throw new Error('unreachable');
  return { sequencer: recovery.sequencer, journal: journal! };
}

/** Closed loop: keeps `window` commands in flight until `count` are durable. */
async function closedLoop(sequencer: Sequencer, payloads: Uint8Array[], count: number, window: number): Promise<number> {
  const started = nowUs();
  let submitted = 0;
  await new Promise<void>((resolve, reject) => {
    let durable = 0;
    const submitOne = (): void => {
      const accepted = sequencer.accept(payloads[submitted % payloads.length]!);
      submitted += 1;
      accepted.durable.then(() => {
        durable += 1;
        if (submitted < count) submitOne();
        else if (durable === count) resolve();
      }, reject);
    };
    for (let index = 0; index < Math.min(window, count); index++) submitOne();
  });
  return (count / (nowUs() - started)) * 1e6;
}

interface RateResult { readonly fromArrival: Percentiles; readonly fromSchedule: Percentiles; readonly achievedPerS: number }

interface RoundResult extends Percentiles {
  readonly offeredPerSec: number;
  readonly round: number;
  readonly durationS: number;
  readonly achievedPerSec: number;
  readonly fromSchedule: Percentiles;
  readonly fdatasyncs: number;
  readonly commandsPerFdatasyncMean: number;
  readonly bareGroupCommitSameRate: Percentiles;
}

/** Accepts command `index`; resolves once it is durable. */
type Submit = (index: number) => Promise<unknown>;

/** Open loop: commands arrive on schedule at `ratePerS` for `durationS`, whatever the acks do. */
async function fixedRate(submit: Submit, ratePerS: number, durationS: number): Promise<RateResult> {
  const count = ratePerS * durationS;
  const fromArrival = new Float64Array(count);
  const fromSchedule = new Float64Array(count);
  const intervalUs = 1e6 / ratePerS;
  const started = nowUs();
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const tick = (): void => {
      const arrivedUs = nowUs();
      const due = Math.min(count, Math.floor((arrivedUs - started) / intervalUs) + 1);
      for (; next < due; next++) {
        const index = next;
        const scheduledUs = started + index * intervalUs;
        submit(index).then(() => {
          const ackedUs = nowUs();
          fromArrival[index] = ackedUs - arrivedUs;
          fromSchedule[index] = ackedUs - scheduledUs;
          done += 1;
          if (done === count) resolve();
        }, reject);
      }
      if (next < count) setTimeout(tick, PACING_MS);
    };
    tick();
  });
  const elapsedS = (nowUs() - started) / 1e6;
  return { fromArrival: percentiles(fromArrival), fromSchedule: percentiles(fromSchedule), achievedPerS: Math.round(count / elapsedS) };
}

/** The latency floor: group commit of raw bytes with no sealing, sequencing or promises per batch beyond one. */
async function bareGroupCommit(path: string, payloads: Uint8Array[]): Promise<{ submit: Submit; close: () => Promise<void> }> {
  const handle = await open(path, 'w');
  let position = 0;
  let pending: { bytes: Uint8Array; resolve: () => void }[] = [];
  let inFlight = false;
  const flush = async (): Promise<void> => {
    if (inFlight || pending.length === 0) return;
    inFlight = true;
    const group = pending;
    pending = [];
    const bytes = Buffer.concat(group.map((entry) => entry.bytes));
    await handle.write(bytes, 0, bytes.length, position);
    position += bytes.length;
    await handle.datasync();
    for (const entry of group) entry.resolve();
    inFlight = false;
    void flush();
  };
  const submit: Submit = (index) => new Promise<void>((resolve) => {
    pending.push({ bytes: payloads[index % payloads.length]!, resolve });
    queueMicrotask(() => void flush());
  });
  return { submit, close: () => handle.close() };
}

/** The peer: a journal without group commit, one write + fdatasync per command, awaited in turn. */
async function naivePerCommand(dir: string, payloads: Uint8Array[]): Promise<number> {
  const handle = await open(join(dir, 'naive'), 'w');
  let position = 0;
  const started = nowUs();
  try {
    for (let index = 0; index < NAIVE_COMMANDS; index++) {
      const payload = payloads[index % payloads.length]!;
      await handle.write(payload, 0, payload.length, position);
      position += payload.length;
      await handle.datasync();
    }
  } finally {
    await handle.close();
  }
  return (NAIVE_COMMANDS / (nowUs() - started)) * 1e6;
}

const loadAverageAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
const dataDir = await mkdtemp(join(tmpdir(), 'journal-bench-'));
try {
  const payloads = commands(4096);
  const fsync = await fsyncCost(dataDir);

  const rounds: RoundResult[] = [];
  for (const ratePerS of RATES_PER_S) {
    const opened = await openSequencer(join(dataDir, `rate-${ratePerS}`));
    const sealedSubmit: Submit = (index) => opened.sequencer.accept(payloads[index % payloads.length]!).durable;
    const bare = await bareGroupCommit(join(dataDir, `bare-${ratePerS}`), payloads);
    await fixedRate(sealedSubmit, ratePerS, RATE_WARMUP_S);
    await fixedRate(bare.submit, ratePerS, RATE_WARMUP_S);
    for (let round = 0; round < RATE_ROUNDS; round++) {
      const floor = await fixedRate(bare.submit, ratePerS, RATE_DURATION_S);
      const before = opened.journal.stats;
      const result = await fixedRate(sealedSubmit, ratePerS, RATE_DURATION_S);
      const after = opened.journal.stats;
      const batches = after.batches - before.batches;
      rounds.push({
        offeredPerSec: ratePerS,
        round,
        durationS: RATE_DURATION_S,
        achievedPerSec: result.achievedPerS,
        ...result.fromArrival,
        fromSchedule: result.fromSchedule,
        fdatasyncs: batches,
        commandsPerFdatasyncMean: Math.round(((after.records - before.records) / batches) * 10) / 10,
        bareGroupCommitSameRate: floor.fromArrival,
      });
    }
    await bare.close();
    await opened.sequencer.close();
  }
  /** Each rate's headline is its worse round. */
  const rates = RATES_PER_S.map((ratePerS) => rounds.filter((entry) => entry.offeredPerSec === ratePerS).reduce((worse, entry) => (entry.p99Us > worse.p99Us ? entry : worse)));

  const { sequencer, journal } = await openSequencer(join(dataDir, 'throughput'));
  await closedLoop(sequencer, payloads, WARMUP_COMMANDS, THROUGHPUT_WINDOW);
  const statsBefore = journal.stats;
  const commandsPerSec = Math.round(await closedLoop(sequencer, payloads, THROUGHPUT_COMMANDS, THROUGHPUT_WINDOW));
  const statsAfter = journal.stats;
  const throughputBatches = statsAfter.batches - statsBefore.batches;
  await sequencer.close();
  const naivePerSec = Math.round(await naivePerCommand(dataDir, payloads));

  const at20k = rates.find((rate) => rate.offeredPerSec === 20_000)!;
  const result = {
    benchmark: 'journal',
    conditions: {
      machine: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      dataDir: `${tmpdir()} (same disk as the repository here)`,
      loadAverageAtStart: `${loadAverageAtStart.join(' / ')} (1/5/15 min; the 2 cores are shared with other work)`,
      seed: SEED,
      commandBytes: COMMAND_BYTES,
      sealing: 'AES-256-GCM per record + HMAC-SHA256 chain, node:crypto',
      durability: 'one write + one fdatasync per group (group commit)',
      warmupCommands: WARMUP_COMMANDS,
      fixedRateWarmupS: RATE_WARMUP_S,
      arrivals: `paced by a ${PACING_MS} ms timer; latency from arrival at the sequencer to durable ack (fromSchedule: from the scheduled time)`,
    },
    fsync: true,
    fdatasyncAlone: { writeBytes: FSYNC_WRITE_BYTES, appendingFile: true, ...fsync },
    throughput: {
      commands: THROUGHPUT_COMMANDS,
      windowInFlight: THROUGHPUT_WINDOW,
      commandsPerSec,
      fdatasyncs: throughputBatches,
      commandsPerFdatasyncMean: Math.round(((statsAfter.records - statsBefore.records) / throughputBatches) * 10) / 10,
    },
    fixedRate: { headlineIsWorseRound: true, rates, rounds },
    peer: { name: 'naive journal: write + fdatasync per command, awaited in turn', commands: NAIVE_COMMANDS, commandsPerSec: naivePerSec, groupCommitSpeedup: Math.round((commandsPerSec / naivePerSec) * 10) / 10 },
    commandsPerSec,
    p50Us: at20k.p50Us,
    p99Us: at20k.p99Us,
    p999Us: at20k.p999Us,
    targets: {
      durableCommandsPerSecMin: TARGET_COMMANDS_PER_S,
      p99UsMaxAt20000PerSec: TARGET_P99_US_AT_20K,
      throughputMet: commandsPerSec >= TARGET_COMMANDS_PER_S,
      latencyMet: at20k.p99Us <= TARGET_P99_US_AT_20K,
    },
  };

  console.log(`fdatasync alone (${FSYNC_WRITE_BYTES} B appended, ${FSYNC_SAMPLES} samples): p50 ${fsync.p50Us} µs  p99 ${fsync.p99Us} µs  p99.9 ${fsync.p999Us} µs  max ${fsync.maxUs} µs`);
  console.log(`durable throughput (sequencer + sealed journal, ${THROUGHPUT_WINDOW} in flight): ${commandsPerSec} commands/s, ${result.throughput.commandsPerFdatasyncMean} commands per fdatasync`);
  console.log('offered/s  round  achieved/s  p50 µs  p99 µs  p99.9 µs  max µs  commands/fdatasync | bare group commit p50 / p99 µs | from schedule p50 / p99 µs');
  for (const rate of rounds) {
    const columns = [[rate.offeredPerSec, 9], [rate.round, 5], [rate.achievedPerSec, 10], [rate.p50Us, 6], [rate.p99Us, 6], [rate.p999Us, 8], [rate.maxUs, 6], [rate.commandsPerFdatasyncMean, 18]] as const;
    const floor = rate.bareGroupCommitSameRate;
    console.log(`${columns.map(([value, width]) => String(value).padStart(width)).join('  ')} | ${floor.p50Us} / ${floor.p99Us} | ${rate.fromSchedule.p50Us} / ${rate.fromSchedule.p99Us}`);
  }
  console.log(`peer (fdatasync per command): ${naivePerSec} commands/s; group commit is ${result.peer.groupCommitSpeedup}x`);
  console.log(`targets: >= ${TARGET_COMMANDS_PER_S}/s ${result.targets.throughputMet ? 'met' : 'MISSED'}; p99 <= ${TARGET_P99_US_AT_20K} µs at 20,000/s ${result.targets.latencyMet ? 'met' : 'MISSED'}`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/journal.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  console.log('wrote bench/results/journal.json');
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
