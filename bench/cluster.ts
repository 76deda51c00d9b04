// Measures the replicated journal on a three-node NATS JetStream cluster (R3 stream) on this
// machine: durable commands per second with group commit (one stream message per batch), the
// acknowledgement latency at a fixed offered rate of 10,000 commands/s, the ordered-replay rate
// of a fresh reader, and the pause of acknowledgements after SIGKILL of the stream leader's
// node under that load — then checks that nothing acknowledged was lost or duplicated.
// The peer in the same run is the sealed file journal (one write + fdatasync per batch) under
// the same closed-loop load. The hot-standby part (bench/cluster-standby.ts) measures the
// standby's lag at 10,000 commands/s and the enclave failover under that load.
// Prints a table and writes bench/results/cluster.json with the conditions.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { JetStreamLog } from '../src/cluster/jetstream-log.js';
import { LocalCluster, natsServerPath } from '../src/cluster/local-cluster.js';
import { FileJournal } from '../src/enclave/journal/file-journal.js';
import type { Journal } from '../src/enclave/journal/journal.js';
import { ReplicatedJournal } from '../src/enclave/journal/replicated-journal.js';
import { STANDBY_BENCH, measureStandby } from './cluster-standby.js';

const SEED = 20_261_125;
/** A stamped, padded command is a few hundred bytes. */
const COMMAND_BYTES = 256;
const THROUGHPUT_DURATION_MS = 8_000;
const THROUGHPUT_WARMUP_MS = 1_000;
/** Commands waiting for acknowledgement in the closed-loop runs. */
const OUTSTANDING_MAX = 8_192;
const RATE_PER_S = 10_000;
const RATE_DURATION_MS = 6_000;
const RATE_WARMUP_MS = 1_000;
const PACING_MS = 1;
const FAILOVER_LOAD_BEFORE_MS = 1_500;
const FAILOVER_LOAD_AFTER_RESUME_MS = 2_000;
const FAILOVER_DEADLINE_MS = 30_000;
const CATCH_UP_DEADLINE_MS = 60_000;
const TARGET_COMMANDS_PER_S = 20_000;
const TARGET_LEADER_FAILOVER_MS = 10_000;
const TARGET_ENCLAVE_FAILOVER_MS = 2_000;
const TARGET_STANDBY_LAG_P99_MS = 50;
const SEALING_KEY = new Uint8Array(32).map((_, index) => (index * 17 + 3) & 0xff);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function commandOf(id: number): Uint8Array {
  const bytes = Buffer.alloc(COMMAND_BYTES, (id * 2654435761 + SEED) & 0xff);
  bytes.writeUInt32BE(id, 0);
  return bytes;
}

function percentile(sortedUs: Float64Array, fraction: number): number {
  if (sortedUs.length === 0) return Number.NaN;
  return Math.round(sortedUs[Math.min(sortedUs.length - 1, Math.floor(fraction * sortedUs.length))]!);
}

/** Closed loop: keeps OUTSTANDING_MAX appends in flight; counts acknowledgements after the warm-up. */
async function closedLoop(journal: Journal, firstId: number): Promise<{ commandsPerSec: number; batches: number; nextId: number }> {
  let nextId = firstId;
  let outstanding = 0;
  let counted = 0;
  let failure: unknown;
  let counting = false;
  const startBatches = journal.stats.batches;
  const endAt = Date.now() + THROUGHPUT_WARMUP_MS + THROUGHPUT_DURATION_MS;
  setTimeout(() => { counting = true; }, THROUGHPUT_WARMUP_MS);
  let countedBatchesFrom = startBatches;
  setTimeout(() => { countedBatchesFrom = journal.stats.batches; }, THROUGHPUT_WARMUP_MS);
  while (Date.now() < endAt && failure === undefined) {
    while (outstanding < OUTSTANDING_MAX) {
      outstanding += 1;
      journal.append([commandOf(nextId++)]).then(() => { outstanding -= 1; if (counting) counted += 1; }, (error: unknown) => { failure ??= error; });
    }
    await sleep(1);
  }
  counting = false;
  const batches = journal.stats.batches - countedBatchesFrom;
  await journal.sync();
  if (failure !== undefined) throw failure;
  return { commandsPerSec: Math.round(counted / (THROUGHPUT_DURATION_MS / 1000)), batches, nextId };
}

interface RateRun {
  readonly ackLatencyUs: Float64Array;
  readonly nextId: number;
  readonly acked: Set<number>;
  readonly killedAtMs: number | undefined;
  readonly resumedAtMs: number | undefined;
  /** Commands the journal refused with back-pressure (never acknowledged, so not counted as lost). */
  readonly refused: number;
}

/** Open loop at RATE_PER_S paced by a 1 ms timer; optionally kills the stream leader's node during it. */
async function rateLoop(journal: Journal, firstId: number, durationMs: number, kill?: () => Promise<void>): Promise<RateRun> {
  const latencies: number[] = [];
  const acked = new Set<number>();
  const refused: number[] = [];
  let nextId = firstId;
  let failure: unknown;
  const startedAtMs = Date.now();
  const warmupEndsNs = process.hrtime.bigint() + BigInt(RATE_WARMUP_MS) * 1_000_000n;
  let issued = 0;
  let killedAtMs: number | undefined;
  let resumedAtMs: number | undefined;
  let killStarted = false;
  let stopAtMs = startedAtMs + durationMs;
  while (Date.now() < stopAtMs && failure === undefined) {
    const due = Math.floor(((Date.now() - startedAtMs) * RATE_PER_S) / 1000);
    for (; issued < due; issued++) {
      const id = nextId++;
      const sentNs = process.hrtime.bigint();
      const sentAtMs = Date.now();
      let durable: Promise<unknown>;
      try {
        durable = journal.append([commandOf(id)]);
      } catch {
        // Back-pressure (JOURNAL_OVERLOADED) while the cluster elects: the command is refused, not lost.
        refused.push(id);
        continue;
      }
      durable.then(() => {
        const nowNs = process.hrtime.bigint();
        acked.add(id);
        if (killedAtMs !== undefined && resumedAtMs === undefined && sentAtMs > killedAtMs) resumedAtMs = Date.now();
        if (sentNs > warmupEndsNs && killedAtMs === undefined) latencies.push(Number(nowNs - sentNs) / 1000);
      }, (error: unknown) => { failure ??= error; });
    }
    if (kill !== undefined && !killStarted && Date.now() - startedAtMs >= FAILOVER_LOAD_BEFORE_MS) {
      killStarted = true;
      killedAtMs = Date.now();
      stopAtMs = killedAtMs + FAILOVER_DEADLINE_MS;
      void kill();
    }
    if (resumedAtMs !== undefined) stopAtMs = Math.min(stopAtMs, resumedAtMs + FAILOVER_LOAD_AFTER_RESUME_MS);
    await sleep(PACING_MS);
  }
  await journal.sync();
  await sleep(5);
  if (failure !== undefined) throw failure;
  return { ackLatencyUs: Float64Array.from(latencies).sort(), nextId, acked, killedAtMs, resumedAtMs, refused: refused.length };
}

/** Waits (bounded) until the restarted node is a current replica or the leader; returns when. */
async function waitForCatchUp(log: JetStreamLog, node: string): Promise<number> {
  const deadline = Date.now() + CATCH_UP_DEADLINE_MS;
  while (Date.now() < deadline) {
    const placement = await log.placement().catch(() => undefined);
    const peer = placement?.replicas.find((replica) => replica.name === node);
    if (placement !== undefined && (placement.leader === node || (peer !== undefined && peer.current && peer.lagMessages === 0))) return Date.now();
    await sleep(100);
  }
  throw new Error(`node ${node} did not catch up within ${CATCH_UP_DEADLINE_MS} ms`);
}

async function main(): Promise<void> {
  const natsServer = natsServerPath();
  const natsVersion = execFileSync(natsServer, ['--version'], { encoding: 'utf8' }).trim();
  const dir = await mkdtemp(join(tmpdir(), 'bench-cluster-'));
  const clusterStartedNs = process.hrtime.bigint();
  const cluster = await LocalCluster.start(join(dir, 'nats'), { lifetimeSeconds: 600 });
  const logs: JetStreamLog[] = [];
  const connect = async (): Promise<JetStreamLog> => {
    const log = await JetStreamLog.connect({ servers: cluster.servers, stream: 'BENCH_JOURNAL', subject: 'darkpool.bench.journal', replicas: 3 });
    logs.push(log);
    return log;
  };
  try {
    const writerLog = await connect();
    const clusterReadyMs = Number(process.hrtime.bigint() - clusterStartedNs) / 1e6;
    const journal = await ReplicatedJournal.open({ log: writerLog, sealingKey: SEALING_KEY });

    const throughput = await closedLoop(journal, 0);
    const rate = await rateLoop(journal, throughput.nextId, RATE_DURATION_MS);

    const leader = (await writerLog.placement()).leader;
    if (leader === undefined) throw new Error('the stream has no leader');
    const failover = await rateLoop(journal, rate.nextId, FAILOVER_DEADLINE_MS, () => cluster.kill(leader, 'SIGKILL'));
    if (failover.killedAtMs === undefined || failover.resumedAtMs === undefined) throw new Error('acknowledgements did not resume after the leader was killed');
    const totalCommands = failover.nextId;
    const batches = journal.stats.batches;
    await journal.close();
    const restartedAtMs = Date.now();
    await cluster.restart(leader);
    const readerLog = await connect();
    const catchUpMs = await waitForCatchUp(readerLog, leader) - restartedAtMs;

    const openStartedNs = process.hrtime.bigint();
    const reader = await ReplicatedJournal.open({ log: readerLog, sealingKey: SEALING_KEY });
    const openMs = Number(process.hrtime.bigint() - openStartedNs) / 1e6;
    const replayStartedNs = process.hrtime.bigint();
    const seen = new Uint8Array(totalCommands);
    let duplicated = 0;
    let records = 0;
    for await (const record of reader.readFrom(1)) {
      const id = Buffer.from(record.payload).readUInt32BE(0);
      if (seen[id] === 1) duplicated += 1;
      seen[id] = 1;
      records += 1;
    }
    const replayMs = Number(process.hrtime.bigint() - replayStartedNs) / 1e6;
    await reader.close();
    let lost = 0;
    for (const run of [rate, failover]) for (const id of run.acked) if (seen[id] !== 1) lost += 1;
    for (let id = 0; id < throughput.nextId; id++) if (seen[id] !== 1) lost += 1;

    const fileDir = join(dir, 'file-journal');
    const fileJournal = await FileJournal.open({ directory: fileDir, sealingKey: SEALING_KEY });
    const filePeer = await closedLoop(fileJournal, 0);
    await fileJournal.close();

    const standby = await measureStandby(cluster.servers, join(dir, 'standby'));

    const natsLeaderFailoverMs = failover.resumedAtMs - failover.killedAtMs;
    const result = {
      commandsPerSec: throughput.commandsPerSec,
      ackP50Us: percentile(rate.ackLatencyUs, 0.5),
      ackP99Us: percentile(rate.ackLatencyUs, 0.99),
      ackP999Us: percentile(rate.ackLatencyUs, 0.999),
      ackMaxUs: percentile(rate.ackLatencyUs, 1),
      ackRatePerSec: RATE_PER_S,
      replayRecordsPerSec: Math.round(records / (replayMs / 1000)),
      replayBatchesPerSec: Math.round(batches / (replayMs / 1000)),
      openVerifyRecordsPerSec: Math.round(records / (openMs / 1000)),
      restartedNodeCatchUpMs: catchUpMs,
      natsLeaderFailoverMs,
      enclaveFailoverMs: standby.enclaveFailoverMs,
      standbyLagP50Ms: standby.standbyLagP50Ms,
      standbyLagP99Ms: standby.standbyLagP99Ms,
      standbyLagMaxMs: standby.standbyLagMaxMs,
      lost: lost + standby.lost,
      duplicated: duplicated + standby.duplicated,
      commandsPerBatchMean: Math.round((throughput.commandsPerSec * THROUGHPUT_DURATION_MS / 1000) / Math.max(1, throughput.batches)),
      peer: { name: 'sealed file journal (write + fdatasync per batch), same closed loop', commandsPerSec: filePeer.commandsPerSec },
      ratioToFileJournal: Number((throughput.commandsPerSec / Math.max(1, filePeer.commandsPerSec)).toFixed(2)),
      targets: { commandsPerSec: TARGET_COMMANDS_PER_S, natsLeaderFailoverMs: TARGET_LEADER_FAILOVER_MS, enclaveFailoverMs: TARGET_ENCLAVE_FAILOVER_MS, standbyLagP99Ms: TARGET_STANDBY_LAG_P99_MS },
      notes: [
        'enclaveFailoverMs: the active enclave isolate is ended at once (worker.terminate, as a crash) under the fixed-rate load; time to the first command the standby acknowledged as the new leader (lease TTL + takeover).',
        'standbyLag*: per command, from the sample where the active enclave reported it durable to the sample where the standby had applied it (both polled every 2 ms through their ports).',
        'lost/duplicated include the enclave failover: every acknowledged command of that run is checked in the stream read from scratch.',
        'Acknowledged = stored in memory on a quorum of the R3 stream (nats-server 2.9 does not fsync before acknowledging).',
        'natsLeaderFailoverMs: SIGKILL of the stream leader node to the first acknowledgement after it, under the fixed-rate load.',
      ],
      conditions: {
        machine: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
        loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
        node: process.version,
        natsServer: natsVersion,
        natsClient: '@nats-io/jetstream 3.4.0, @nats-io/transport-node 3.4.0',
        cluster: '3 nats-server nodes on 127.0.0.1, file storage in a temp dir, stream R3, one writer; all on this machine with the benchmark',
        clusterReadyMs: Math.round(clusterReadyMs),
        seed: SEED,
        commandBytes: COMMAND_BYTES,
        closedLoop: { outstandingMax: OUTSTANDING_MAX, warmupMs: THROUGHPUT_WARMUP_MS, durationMs: THROUGHPUT_DURATION_MS, batches: throughput.batches },
        fixedRate: { commandsPerSec: RATE_PER_S, warmupMs: RATE_WARMUP_MS, durationMs: RATE_DURATION_MS, pacingMs: PACING_MS, samples: rate.ackLatencyUs.length },
        failover: { killed: leader, loadBeforeKillMs: FAILOVER_LOAD_BEFORE_MS, commandsPerSec: RATE_PER_S, refusedByBackPressure: failover.refused },
        standby: { ...STANDBY_BENCH, lagSamples: standby.lagSamples, acknowledged: standby.acknowledged, refusedDuringTakeover: standby.refusedDuringTakeover, lost: standby.lost, duplicated: standby.duplicated, enclaves: 'two worker isolates (active + standby) in the benchmark process, lease in an R3 key-value bucket' },
        replay: { records, batches, openAndVerifyMs: Math.round(openMs), readAndDecryptMs: Math.round(replayMs), readerRestarts: readerLog.readerRestarts, after: 'the restarted node caught up' },
        totalCommands,
      },
    };
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/cluster.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    console.table({
      'R3 stream, group commit': { 'commands/s': result.commandsPerSec, 'ack p50 µs @10k/s': result.ackP50Us, 'ack p99 µs @10k/s': result.ackP99Us, 'replay records/s': result.replayRecordsPerSec },
      'file journal (peer)': { 'commands/s': filePeer.commandsPerSec, 'ack p50 µs @10k/s': '', 'ack p99 µs @10k/s': '', 'replay records/s': '' },
    });
    console.log(`ratio R3 stream / file journal: ${result.ratioToFileJournal}; leader SIGKILL → acks resumed after ${natsLeaderFailoverMs} ms; lost ${result.lost}, duplicated ${result.duplicated}`);
    console.log(`hot standby @${STANDBY_BENCH.ratePerSec}/s: lag p50 ${standby.standbyLagP50Ms} ms, p99 ${standby.standbyLagP99Ms} ms; enclave failover ${standby.enclaveFailoverMs} ms`);
    console.log('wrote bench/results/cluster.json');
  } finally {
    for (const log of logs) await log.close().catch(() => undefined);
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
