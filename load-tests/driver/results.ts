// bench/results/load.json: the headline numbers the issue names at the top level, the per-rate
// rows of a sweep, the idle-sessions memory run, the targets and the conditions they were
// measured under. A latency run and an idle run each rewrite their own part and keep the
// other's, so `npm run bench` can run both and leave one file.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, arch, totalmem } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from './open-loop.js';
import type { LoadOptions } from './options.js';
import type { CpuShare, IdleRun, LatencyRun } from './run-modes.js';

export const LOAD_TARGETS = {
  sustainedPerSec: 50_000,
  ackP99UsAt20k: 2_000,
  lost: 0,
  duplicated: 0,
  rssBytesPerIdleSession: 100 * 1_024,
} as const;

/** A rate is sustained when nearly all of it is achieved with nothing lost or duplicated. */
const SUSTAINED_SHARE = 0.98;
const TARGET_RATE_PER_SEC = 20_000;

export interface RateRow {
  readonly offeredPerSec: number;
  readonly achievedPerSec: number;
  readonly ackP50Us: number;
  readonly ackP99Us: number;
  readonly ackP999Us: number;
  readonly ackMaxUs: number;
  readonly fillP50Us: number;
  readonly fillP99Us: number;
  readonly fillP999Us: number;
  readonly fills: number;
  readonly sent: number;
  readonly acks: number;
  readonly ackHistogramCount: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly lateAnswers: number;
  readonly unsent: number;
  /** Acks that were refusals (REQUEST_OVERLOADED, …), by name in errors; a healthy run has none. */
  readonly errorAcks: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly sentByKind: Readonly<Record<string, number>>;
  readonly driverSendLagP99Us: number;
  readonly durationS: number;
  /** CPU per acked order: the driver's process and the engine's (where the 2 cores went). */
  readonly driverCpuUsPerOrder?: number;
  readonly engineCpuUsPerOrder?: number;
}

export function rateRow(result: RunResult & { readonly cpu?: CpuShare }): RateRow {
  const perOrder = (cpuMs: number | undefined): number | undefined => (cpuMs === undefined || result.acked === 0 ? undefined : Math.round((cpuMs * 1_000) / result.acked));
  return {
    ...(result.cpu === undefined ? {} : { driverCpuUsPerOrder: perOrder(result.cpu.driverCpuMs), engineCpuUsPerOrder: perOrder(result.cpu.engineCpuMs) }),
    offeredPerSec: result.offeredPerSec, achievedPerSec: result.achievedPerSec,
    ackP50Us: result.ack.p50Us, ackP99Us: result.ack.p99Us, ackP999Us: result.ack.p999Us, ackMaxUs: result.ack.maxUs,
    fillP50Us: result.fill.p50Us, fillP99Us: result.fill.p99Us, fillP999Us: result.fill.p999Us, fills: result.fill.count,
    sent: result.sent, acks: result.acked, ackHistogramCount: result.ackHistogramCount,
    lost: result.lost, duplicated: result.duplicated, lateAnswers: result.lateAnswers, unsent: result.unsent,
    errorAcks: Object.values(result.errors).reduce((sum, count) => sum + count, 0), errors: result.errors, sentByKind: result.sentByKind, driverSendLagP99Us: result.sendLag.p99Us, durationS: result.durationS,
  };
}

export function machineConditions(): Record<string, unknown> {
  return {
    machine: `${cpus()[0]?.model ?? 'unknown'} × ${availableParallelism()}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    cores: availableParallelism(),
    node: process.version,
    platform: `${platform()} ${arch()}`,
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    date: new Date().toISOString(),
  };
}

function readExisting(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

/** The top-level fields a latency run owns (an idle run keeps them). */
export function latencyFields(run: LatencyRun, options: LoadOptions): Record<string, unknown> {
  const rows = run.rates.map(rateRow);
  const headline = rows.find((row) => row.offeredPerSec === TARGET_RATE_PER_SEC) ?? rows.at(-1)!;
  const sustained = rows.filter((row) => row.lost === 0 && row.duplicated === 0 && row.errorAcks === 0 && row.achievedPerSec >= SUSTAINED_SHARE * row.offeredPerSec);
  const at20k = rows.find((row) => row.offeredPerSec === TARGET_RATE_PER_SEC);
  return {
    offeredPerSec: headline.offeredPerSec,
    achievedPerSec: headline.achievedPerSec,
    ackP50Us: headline.ackP50Us,
    ackP99Us: headline.ackP99Us,
    ackP999Us: headline.ackP999Us,
    fillP50Us: headline.fillP50Us,
    fillP99Us: headline.fillP99Us,
    lost: rows.reduce((sum, row) => sum + row.lost, 0),
    duplicated: rows.reduce((sum, row) => sum + row.duplicated, 0),
    sustainedPerSec: sustained.length === 0 ? 0 : Math.max(...sustained.map((row) => row.achievedPerSec)),
    maxAchievedPerSec: Math.max(...rows.map((row) => row.achievedPerSec)),
    ackP99UsAt20k: at20k?.ackP99Us ?? null,
    headline: `the top-level latency fields are the ${headline.offeredPerSec}/s row; lost and duplicated are totals over every row; sustainedPerSec is the highest achieved rate of a row with nothing lost, duplicated or refused and ≥ ${SUSTAINED_SHARE * 100}% of its offered rate; achievedPerSec counts every ack, refusals included`,
    rates: rows,
    conditions: {
      ...machineConditions(),
      sessions: run.sessions,
      durationSPerRate: options.durationS,
      warmupS: options.warmupS,
      graceS: options.graceS,
      seed: options.seed,
      engine: run.engineLaunched
        ? 'child process (load-tests/engine-process.ts): enclave worker + gateway, chain none, gateway rate limit lifted, fdatasync journal in a temp dir'
        : `already running at ${options.url}`,
      driver: 'one Node process on the same machine: ws transport, SDK handshake (@noble), node AES-256-GCM frames',
      funded: run.funded,
      arrivals: 'open loop: order i due at start + i/rate; latency from the scheduled time (no coordinated omission)',
      flow: '40% passive limits away from the touch, 20% crossing limits at 5 (pairs fill), 40% cancels of own passive orders; ack = result or error of the request; fill = first taker fill report of a crossing order',
      closedSessions: run.closedSessions,
    },
  };
}

export function idleFields(run: IdleRun, options: LoadOptions): Record<string, unknown> {
  return {
    rssBytesPerIdleSession: run.rssBytesPerIdleSession,
    idleSessions: {
      ...run,
      flow: rateRow(run.flow),
      conditions: {
        ...machineConditions(),
        seed: options.seed,
        engine: 'child process (load-tests/engine-process.ts): enclave worker + gateway, chain none',
        rss: 'VmRSS of the engine process, the median of samples every 500 ms: before = with the flow sessions only, with = while the idle sessions are held',
      },
    },
  };
}

/** Merges the run's fields into load.json and returns its path. */
export function writeLoadJson(outDir: string, fields: Record<string, unknown>): string {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'load.json');
  const merged = { benchmark: 'load', ...readExisting(path), ...fields, targets: LOAD_TARGETS };
  writeFileSync(path, `${JSON.stringify(merged, null, 2)}\n`);
  return path;
}
