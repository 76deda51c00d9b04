// The hot-standby half of bench/cluster.ts: two enclave isolates (active + standby, one stream,
// one lease) on the benchmark's three-node cluster. It measures how far the standby trails the
// active enclave at a fixed offered rate (the time from a command being durable on the active
// one to the standby having applied it), and the failover: from the death of the active isolate
// under that load to the first command acknowledged by the new leader. Then it reads the stream
// from scratch and checks that every acknowledged command is in it exactly once.
import { join } from 'node:path';
import { provisionStandbyDataDir } from '../src/cluster/standby-provisioning.js';
import { decodeStamped } from '../src/enclave/command-codec.js';
import { ReplicatedJournal } from '../src/enclave/journal/replicated-journal.js';
import { DevSealingKeySource, loadOrCreateEnclaveKeys } from '../src/enclave/keys.js';
import { decodeStampedRecord } from '../src/enclave/sequencer.js';
import { JetStreamLog } from '../src/cluster/jetstream-log.js';
import { EnclaveHost } from '../src/host/enclave-host.js';
import type { ClusterJournalSettings } from '../src/protocol/enclave-port.js';

export const STANDBY_BENCH = {
  ratePerSec: 10_000,
  warmupMs: 1_000,
  lagDurationMs: 4_000,
  loadBeforeCrashMs: 1_000,
  loadAfterTakeoverMs: 1_000,
  takeoverDeadlineMs: 20_000,
  sampleEveryMs: 2,
  leaseMs: 1_000,
  renewEveryMs: 200,
} as const;

const MARKET = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6,
  tickSize: '0.01', lotSize: '0.1', makerFeeBps: 2, takerFeeBps: 5, referenceStalenessMs: 60_000,
} as const;
const ACCOUNT = 'ab'.repeat(32);

export interface StandbyResult {
  readonly standbyLagP50Ms: number;
  readonly standbyLagP99Ms: number;
  readonly standbyLagMaxMs: number;
  readonly lagSamples: number;
  readonly enclaveFailoverMs: number;
  readonly acknowledged: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly refusedDuringTakeover: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function percentileOf(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]! * 10) / 10;
}

interface Sample { readonly atMs: number; readonly activeDurable: number; readonly standbyDurable: number }

/** For each sequence both passed during the samples: when the standby reached it minus when the active one did. */
function lagsOf(samples: readonly Sample[], fromSequence: number): number[] {
  const lags: number[] = [];
  let standbyAt = 0;
  const last = samples.at(-1);
  if (last === undefined) return lags;
  let activeAt = 0;
  for (let sequence = fromSequence; sequence <= Math.min(last.activeDurable, last.standbyDurable); sequence++) {
    while (samples[activeAt]!.activeDurable < sequence) activeAt += 1;
    while (samples[standbyAt]!.standbyDurable < sequence) standbyAt += 1;
    lags.push(Math.max(0, samples[standbyAt]!.atMs - samples[activeAt]!.atMs));
  }
  return lags;
}

export async function measureStandby(servers: readonly string[], dir: string): Promise<StandbyResult> {
  const journal = (holder: string): ClusterJournalSettings => ({
    servers, stream: 'BENCH_STANDBY', subject: 'darkpool.bench.standby', replicas: 3,
    lease: { bucket: 'BENCH_STANDBY_LEASE', holder, leaseMs: STANDBY_BENCH.leaseMs, renewEveryMs: STANDBY_BENCH.renewEveryMs },
  });
  const base = { markets: [MARKET], feeAccount: 'fees', production: false, tickMs: 0, settlementWindowMs: 0, chain: 'none', snapshotEveryCommands: 1_000_000 } as const;
  const activeDir = join(dir, 'enclave-active');
  const standbyDir = join(dir, 'enclave-standby');
  const active = await EnclaveHost.start({ ...base, dataDir: activeDir, cluster: journal('active') });
  const leadingBy = Date.now() + STANDBY_BENCH.takeoverDeadlineMs;
  while (!active.leading && Date.now() < leadingBy) await sleep(10);
  if (!active.leading) throw new Error('the first enclave did not take the lease');
  await provisionStandbyDataDir(activeDir, standbyDir, { devSealingKey: true });
  const standby = await EnclaveHost.start({ ...base, dataDir: standbyDir, cluster: journal('standby') });
  const failures: string[] = [];
  standby.onFatal((message) => failures.push(message));
  const acked = new Set<number>();
  let nextReference = 0;
  let refused = 0;
  let target = active;
  let firstAckAfterCrashMs: number | undefined;
  let crashedAtMs: number | undefined;
  const send = (): void => {
    const reference = nextReference++;
    const on = target;
    on.deposit(ACCOUNT, 'USDC', 1n, `b-${reference}`).then(() => {
      acked.add(reference);
      if (crashedAtMs !== undefined && on === standby && firstAckAfterCrashMs === undefined) firstAckAfterCrashMs = performance.now();
    }, () => { refused += 1; });
  };
  let loading = true;
  const load = (async () => {
    const perTick = STANDBY_BENCH.ratePerSec / 1000;
    const startedMs = performance.now();
    let sent = 0;
    while (loading) {
      const due = Math.floor((performance.now() - startedMs) * perTick);
      // Between the crash and the takeover there is no leader to send to (a gateway refuses
      // sessions then); the offered load resumes at its rate once the standby leads.
      if (target === standby && !standby.leading) sent = due;
      for (; sent < due; sent++) send();
      await sleep(1);
    }
  })();
  try {
    await sleep(STANDBY_BENCH.warmupMs);
    const samples: Sample[] = [];
    const fromSequence = (await active.stats()).durableSequence + 1;
    const sampleUntil = performance.now() + STANDBY_BENCH.lagDurationMs;
    while (performance.now() < sampleUntil) {
      const [a, s] = await Promise.all([active.stats(), standby.stats()]);
      samples.push({ atMs: performance.now(), activeDurable: a.durableSequence, standbyDurable: s.durableSequence });
      await sleep(STANDBY_BENCH.sampleEveryMs);
    }
    // Let the standby reach the end of the sampled range.
    const endSequence = samples.at(-1)!.activeDurable;
    while (samples.at(-1)!.standbyDurable < endSequence) {
      const [a, s] = await Promise.all([active.stats(), standby.stats()]);
      samples.push({ atMs: performance.now(), activeDurable: a.durableSequence, standbyDurable: s.durableSequence });
      await sleep(STANDBY_BENCH.sampleEveryMs);
    }
    const lags = lagsOf(samples, fromSequence).sort((x, y) => x - y);

    await sleep(STANDBY_BENCH.loadBeforeCrashMs);
    crashedAtMs = performance.now();
    target = standby;
    await active.crash();
    const takeoverBy = Date.now() + STANDBY_BENCH.takeoverDeadlineMs;
    while (firstAckAfterCrashMs === undefined && Date.now() < takeoverBy) await sleep(5);
    if (firstAckAfterCrashMs === undefined) {
      const stats = await standby.stats();
      throw new Error(`the standby did not take over (applied through ${stats.durableSequence}, leading ${standby.leading}): ${failures.join('; ') || 'no failure reported'}`);
    }
    await sleep(STANDBY_BENCH.loadAfterTakeoverMs);
    loading = false;
    await load;
    await sleep(500);
    const finalSequence = (await standby.stats()).durableSequence;

    // Every acknowledged command exactly once in the stream, read from scratch.
    const log = await JetStreamLog.connect({ servers, stream: 'BENCH_STANDBY', subject: 'darkpool.bench.standby', replicas: 3 });
    const seen = new Map<number, number>();
    try {
      const material = await loadOrCreateEnclaveKeys(join(standbyDir, 'keys'), new DevSealingKeySource({ directory: standbyDir, production: false }));
      const reader = await ReplicatedJournal.follow({ log, sealingKey: material.journalSealingKey });
      material.journalSealingKey.fill(0);
      material.snapshotSealingKey.fill(0);
      for await (const record of reader.readFrom(1)) {
        const command = decodeStamped(decodeStampedRecord(record.sequence, record.payload));
        if (command.kind !== 'deposit') continue;
        const reference = Number(command.reference.slice(2));
        seen.set(reference, (seen.get(reference) ?? 0) + 1);
      }
      if (reader.durableSequence !== finalSequence) throw new Error(`the stream ends at ${reader.durableSequence}, the new leader at ${finalSequence}`);
      await reader.close();
    } finally {
      await log.close();
    }
    let lost = 0;
    for (const reference of acked) if (seen.get(reference) !== 1) lost += 1;
    let duplicated = 0;
    for (const count of seen.values()) if (count > 1) duplicated += count - 1;
    return {
      standbyLagP50Ms: percentileOf(lags, 0.5),
      standbyLagP99Ms: percentileOf(lags, 0.99),
      standbyLagMaxMs: percentileOf(lags, 1),
      lagSamples: lags.length,
      enclaveFailoverMs: Math.round(firstAckAfterCrashMs - crashedAtMs),
      acknowledged: acked.size,
      lost,
      duplicated,
      refusedDuringTakeover: refused,
    };
  } finally {
    loading = false;
    await load;
    await standby.stop().catch(() => undefined);
    await active.stop().catch(() => undefined);
  }
}
