// The driver's two runs. Latency: trading sessions over the real gateway, a warm-up, then
// one open-loop phase per offered rate (a sweep is several). Idle sessions: a light order
// flow runs while thousands of authenticated sessions are opened and held with heartbeats
// only, and the engine process's resident memory is compared before and after, per session.
import { CodedError } from '../../src/errors/index.js';
import { attestedTarget, flowMarket, launchEngine, loadGatewayLimits, remoteEngine, traderKey, type LoadEngine } from './engine.js';
import type { LoadSession } from './load-session.js';
import { RunMeasure, summarize, type LatencySummary } from './measure.js';
import { runOpenLoop, type RunResult } from './open-loop.js';
import type { LoadOptions } from './options.js';
import { OrderFlow } from './order-flow.js';
import { closeSessions, openSessions } from './session-pool.js';
import { TrafficLedger } from './traffic-ledger.js';

/** Enough for hours of the flow: 10^7 DOT and 10^9 USDC per trader (10 and 6 decimals). */
const FUNDING_ATOMS = (market: { base: string; quote: string }): Record<string, bigint> => ({ [market.base]: 10n ** 17n, [market.quote]: 10n ** 15n });
/** Sessions beyond the run's own that the launched gateway admits (a probe, a stray reconnect). */
const SESSION_HEADROOM = 64;
const RSS_SAMPLE_EVERY_MS = 500;

/** CPU time over one rate's run: the driver's own process and the engine's (both threads of each). */
export interface CpuShare {
  readonly driverCpuMs: number;
  /** Undefined for an engine at --url. */
  readonly engineCpuMs: number | undefined;
}

export interface LatencyRun {
  readonly rates: readonly (RunResult & { readonly cpu: CpuShare })[];
  readonly sessions: number;
  readonly engineLaunched: boolean;
  readonly funded: boolean;
  /** Sessions the gateway or enclave closed during the run (index → code and reason). */
  readonly closedSessions: Readonly<Record<string, string>>;
}

export interface IdleRun {
  readonly idleSessions: number;
  readonly flowSessions: number;
  readonly rssBytesBefore: number;
  readonly rssBytesWithSessions: number;
  readonly rssBytesPerIdleSession: number;
  readonly openSeconds: number;
  readonly holdSeconds: number;
  readonly heartbeatEveryS: number;
  readonly heartbeatsSent: number;
  readonly heartbeatsAcked: number;
  readonly heartbeatsLost: number;
  readonly heartbeatAck: LatencySummary;
  readonly flow: RunResult;
  readonly closedSessions: Readonly<Record<string, string>>;
}

type Log = (line: string) => void;

function runTag(): string {
  return `L${Date.now().toString(36)}`;
}

async function prepare(options: LoadOptions, sessionsNeeded: number, log: Log): Promise<{ engine: LoadEngine; url: string }> {
  if (options.url !== undefined) return { engine: remoteEngine(options.url), url: options.url.replace(/\/+$/, '') };
  log(`starting the engine (gateway maxSessions ${sessionsNeeded + SESSION_HEADROOM})`);
  const engine = await launchEngine(loadGatewayLimits(sessionsNeeded + SESSION_HEADROOM));
  return { engine, url: engine.url };
}

async function tradingSessions(options: LoadOptions, engine: LoadEngine, url: string, ledger: TrafficLedger, log: Log): Promise<{ sessions: LoadSession[]; flow: OrderFlow; funded: boolean }> {
  const market = await flowMarket(url);
  const { target } = await attestedTarget(url, options.devRootHex ?? engine.process?.devRootHex);
  const accounts = Array.from({ length: options.sessions }, (_, index) => traderKey(options.seed, 'trader', index).account);
  const funded = await engine.fund(accounts, FUNDING_ATOMS(market));
  if (!funded) log('the engine at --url cannot be funded by the driver: orders may be refused for funds (see the errors in load.json)');
  const sessions = await openSessions(target, ledger, options.seed, 'trader', options.sessions, 0);
  return { sessions, flow: new OrderFlow(options.seed, market.id, options.sessions, runTag()), funded };
}

export async function runLatency(options: LoadOptions, log: Log, progress: Log | undefined): Promise<LatencyRun> {
  const rates = options.sweepPerSec.length > 0 ? options.sweepPerSec : [options.ratePerSec];
  const { engine, url } = await prepare(options, options.sessions, log);
  const ledger = new TrafficLedger();
  try {
    const { sessions, flow, funded } = await tradingSessions(options, engine, url, ledger, log);
    try {
      log(`${sessions.length} sessions open on ${url}`);
      const graceMs = options.graceS * 1_000;
      if (options.warmupS > 0) {
        log(`warm-up: ${options.warmupS} s at ${rates[0]}/s (not recorded)`);
        await runOpenLoop(sessions, flow, ledger, { ratePerSec: rates[0]!, durationMs: options.warmupS * 1_000, graceMs });
      }
      const results: (RunResult & { cpu: CpuShare })[] = [];
      for (const ratePerSec of rates) {
        log(`measuring ${options.durationS} s at ${ratePerSec}/s`);
        const driverBefore = process.cpuUsage();
        const engineBeforeMs = engine.process?.cpuMs();
        const result = await runOpenLoop(sessions, flow, ledger, { ratePerSec, durationMs: options.durationS * 1_000, graceMs, onProgress: progress });
        const driverUsed = process.cpuUsage(driverBefore);
        const engineAfterMs = engine.process?.cpuMs();
        const cpu: CpuShare = {
          driverCpuMs: Math.round((driverUsed.user + driverUsed.system) / 1_000),
          engineCpuMs: engineBeforeMs === undefined || engineAfterMs === undefined ? undefined : engineAfterMs - engineBeforeMs,
        };
        results.push({ ...result, cpu });
        log(`  achieved ${result.achievedPerSec}/s, ack p50 ${result.ack.p50Us} µs p99 ${result.ack.p99Us} µs p99.9 ${result.ack.p999Us} µs, lost ${result.lost}, duplicated ${result.duplicated}`);
      }
      return { rates: results, sessions: sessions.length, engineLaunched: engine.process !== undefined, funded, closedSessions: Object.fromEntries(ledger.closed) };
    } finally {
      closeSessions(sessions);
    }
  } finally {
    await engine.stop();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Samples RSS every RSS_SAMPLE_EVERY_MS for durationMs and returns the median (robust to a GC in the middle). */
async function sampleRss(rss: () => number, durationMs: number): Promise<number> {
  const samples: number[] = [rss()];
  const endMs = performance.now() + durationMs;
  while (performance.now() < endMs) {
    await new Promise((resolve) => setTimeout(resolve, RSS_SAMPLE_EVERY_MS));
    samples.push(rss());
  }
  return median(samples);
}

export async function runIdle(options: LoadOptions, log: Log, progress: Log | undefined): Promise<IdleRun> {
  if (options.url !== undefined) throw new CodedError('LOAD_OPTIONS_INVALID', '--idle-sessions measures the engine process this driver starts; it cannot be combined with --url');
  const { engine, url } = await prepare(options, options.sessions + options.idleSessions, log);
  const engineProcess = engine.process!;
  const ledger = new TrafficLedger();
  const heartbeats = new RunMeasure();
  let idle: LoadSession[] = [];
  try {
    const { sessions, flow } = await tradingSessions(options, engine, url, ledger, log);
    const stop = new AbortController();
    let beat: NodeJS.Timeout | undefined;
    try {
      const settleMs = Math.max(1_000, options.warmupS * 1_000);
      const plannedMs = settleMs * 2 + options.idleHoldS * 1_000 + 600_000;
      log(`light flow at ${options.idleFlowPerSec}/s on ${sessions.length} sessions`);
      const flowDone = runOpenLoop(sessions, flow, ledger, { ratePerSec: options.idleFlowPerSec, durationMs: plannedMs, graceMs: options.graceS * 1_000, stop: stop.signal, onProgress: progress });
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const rssBytesBefore = await sampleRss(() => engineProcess.rssBytes(), settleMs);
      log(`engine RSS before: ${(rssBytesBefore / 2 ** 20).toFixed(1)} MiB; opening ${options.idleSessions} idle sessions`);
      const openStartMs = performance.now();
      const { target } = await attestedTarget(url, engineProcess.devRootHex);
      idle = await openSessions(target, ledger, options.seed, 'idle', options.idleSessions, options.sessions, (opened) => {
        if (opened % 1_000 === 0) log(`  ${opened} idle sessions open`);
      });
      const openSeconds = (performance.now() - openStartMs) / 1_000;
      beat = heartbeatSchedule(idle, ledger, heartbeats, options.heartbeatS);
      log(`holding ${idle.length} idle sessions for ${options.idleHoldS} s (heartbeat every ${options.heartbeatS} s)`);
      const rssBytesWithSessions = await sampleRss(() => engineProcess.rssBytes(), options.idleHoldS * 1_000);
      clearInterval(beat);
      stop.abort();
      const flowResult = await flowDone;
      const beatsDeadlineMs = performance.now() + options.graceS * 1_000;
      while (ledger.outstanding(heartbeats) > 0 && performance.now() < beatsDeadlineMs) await new Promise((resolve) => setTimeout(resolve, 10));
      ledger.closeRun(heartbeats);
      const stillOpen = idle.filter((session) => session.isOpen).length;
      if (stillOpen !== idle.length) log(`warning: ${idle.length - stillOpen} idle sessions were closed by the engine`);
      return {
        idleSessions: idle.length, flowSessions: sessions.length, rssBytesBefore, rssBytesWithSessions,
        rssBytesPerIdleSession: Math.round((rssBytesWithSessions - rssBytesBefore) / idle.length),
        openSeconds: Number(openSeconds.toFixed(1)), holdSeconds: options.idleHoldS, heartbeatEveryS: options.heartbeatS,
        heartbeatsSent: heartbeats.sent, heartbeatsAcked: heartbeats.acked, heartbeatsLost: heartbeats.lost, heartbeatAck: summarize(heartbeats.ack),
        flow: flowResult, closedSessions: Object.fromEntries(ledger.closed),
      };
    } finally {
      clearInterval(beat);
      stop.abort();
      closeSessions(sessions);
    }
  } finally {
    closeSessions(idle);
    await engine.stop();
  }
}

/** One timer for all idle sessions: every 100 ms the slice of them whose heartbeat is due sends one. */
function heartbeatSchedule(idle: readonly LoadSession[], ledger: TrafficLedger, measure: RunMeasure, everyS: number): NodeJS.Timeout {
  const slices = everyS * 10;
  let slice = 0;
  return setInterval(() => {
    const nowMs = performance.now();
    for (let index = slice; index < idle.length; index += slices) ledger.send(idle[index]!, measure, 'heartbeat', 'session.heartbeat', {}, nowMs);
    slice = (slice + 1) % slices;
  }, 100);
}
