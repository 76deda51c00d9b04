// Fault drill 3: a seeded fuzzer throws malformed websocket frames, handshakes and REST/JSON
// bodies at the gateway of a real engine process (fuzz/cases.ts), while real SDK traders keep
// placing orders through the same gateway. Every malformed input must be answered with a code
// of the error table (fuzz/answers.ts); the engine must not crash or report a fatal error, must
// never answer GATEWAY_INTERNAL, and the traders' orders must keep being acknowledged (their
// order→ack latency during the fuzz is measured).
import { Prng } from '../../test/support/prng.js';
import { ERRORS } from '../../src/errors/index.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/channel-wire.js';
import { EngineProcess } from '../engine-process.js';
import type { Answer } from './fuzz/answers.js';
import { FUZZ_FAMILIES, pickFamily, type FuzzContext } from './fuzz/cases.js';
import { closeProbes } from './fuzz/probes.js';
import { sessionTarget } from './fuzz/real-session.js';
import { TraderPool, percentile } from './traders.js';

export interface FuzzDrillOptions {
  readonly seed: number;
  /** Malformed inputs to send (at least; the last batches may overshoot by a few). */
  readonly inputs: number;
  /** Probes in flight at once. */
  readonly concurrency: number;
  readonly traders: number;
  /** Pause between one trader's orders (a steady, light order flow). */
  readonly traderPauseMs: number;
  readonly messagesPerSession: number;
  readonly log?: (line: string) => void;
}

export interface FuzzDrillResult {
  readonly seed: number;
  readonly inputs: number;
  readonly durationMs: number;
  readonly inputsPerSec: number;
  readonly answeredWithCode: number;
  readonly uncoded: number;
  readonly unanswered: number;
  /** Internal errors (GATEWAY_INTERNAL / ENCLAVE_INTERNAL): coded, but each one is a bug. */
  readonly internalErrors: number;
  /** Families that could not run (e.g. a genuine session refused). */
  readonly harnessErrors: number;
  readonly engineCrashes: number;
  readonly engineFatalMessages: readonly string[];
  readonly byFamily: Readonly<Record<string, number>>;
  readonly byCode: Readonly<Record<string, number>>;
  /** The most frequent uncoded or unanswered answers, with counts. */
  readonly findings: Readonly<Record<string, number>>;
  readonly clientOrdersAcked: number;
  readonly clientOrdersFailed: number;
  readonly clientAckLatencyUsP50: number;
  readonly clientAckLatencyUsP99: number;
  readonly clientAckLatencyUsMax: number;
}

const MAX_FINDING_KINDS = 50;
const PROGRESS_EVERY_MS = 5_000;
const INTERNAL_CODES = new Set<number>([ERRORS.GATEWAY_INTERNAL.code, ERRORS.ENCLAVE_INTERNAL.code]);

export async function runFuzzDrill(options: FuzzDrillOptions): Promise<FuzzDrillResult> {
  const log = options.log ?? (() => undefined);
  const engine = await EngineProcess.start({
    chain: 'none', stderr: 'ignore', tickMs: 0, settlementWindowMs: 0,
    limits: {
      maxSessions: options.concurrency * 4 + options.traders + 64, framesPerSecond: 100_000, burstFrames: 100_000,
      helloTimeoutMs: 1_000, closeGraceMs: 500, requestTimeoutMs: 2_000,
    },
  });
  const byFamily: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  const findings: Record<string, number> = {};
  let sent = 0;
  let answeredWithCode = 0;
  let uncoded = 0;
  let unanswered = 0;
  let internalErrors = 0;
  let harnessErrors = 0;
  const record = (family: string, answer: Answer): void => {
    sent += 1;
    byFamily[family] = (byFamily[family] ?? 0) + 1;
    if (answer.kind === 'coded') {
      answeredWithCode += 1;
      byCode[answer.code] = (byCode[answer.code] ?? 0) + 1;
      if (INTERNAL_CODES.has(answer.code)) internalErrors += 1;
      return;
    }
    if (answer.kind === 'uncoded') uncoded += 1;
    else unanswered += 1;
    const key = `${family}: ${answer.kind} ${answer.detail}`;
    if (findings[key] !== undefined || Object.keys(findings).length < MAX_FINDING_KINDS) findings[key] = (findings[key] ?? 0) + 1;
  };

  let pool: TraderPool | undefined;
  const startedMs = performance.now();
  let engineCrashes = 0;
  try {
    pool = await TraderPool.open({
      url: engine.url, policy: engine.policy, seed: options.seed ^ 0x5eed, traders: options.traders, inFlightPerTrader: 1,
      maxOrdersPerTrader: Number.MAX_SAFE_INTEGER, pauseMs: options.traderPauseMs, fund: (account, asset, atoms) => engine.deposit(account, asset, atoms),
    });
    const context: FuzzContext = {
      port: engine.port, streamUrl: `${engine.url.replace(/^http/, 'ws')}/v1/stream`, target: await sessionTarget(engine.url, engine.policy),
      maxFrameBytes: MAX_FRAME_BYTES, socketCapBytes: 4 * MAX_FRAME_BYTES, messagesPerSession: options.messagesPerSession,
    };
    pool.start();
    let lastProgressMs = performance.now();
    const worker = async (index: number): Promise<void> => {
      const prng = new Prng((options.seed + index * 0x9e37_79b9) >>> 0);
      while (sent < options.inputs && engine.alive) {
        const family = pickFamily(prng, FUZZ_FAMILIES);
        try {
          for (const answer of await family.run(context, prng)) record(family.name, answer);
        } catch (error) {
          harnessErrors += 1;
          const key = `${family.name}: harness ${(error as Error).message.slice(0, 80)}`;
          if (findings[key] !== undefined || Object.keys(findings).length < MAX_FINDING_KINDS) findings[key] = (findings[key] ?? 0) + 1;
        }
        if (index === 0 && performance.now() - lastProgressMs > PROGRESS_EVERY_MS) {
          lastProgressMs = performance.now();
          const seconds = (lastProgressMs - startedMs) / 1_000;
          log(`fuzz: ${sent}/${options.inputs} inputs (${Math.round(sent / seconds)}/s), coded ${answeredWithCode}, uncoded ${uncoded}, unanswered ${unanswered}, client acks ${pool!.acked}, engine rss ${Math.round(engine.rssBytes() / 1_048_576)} MB`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
    if (!engine.alive) engineCrashes += 1;
    await pool.stop();
  } finally {
    await pool?.close();
    closeProbes();
    if (!engine.alive) engineCrashes = Math.max(engineCrashes, 1);
    await engine.stop();
  }
  const durationMs = performance.now() - startedMs;
  const failed = [...pool.outcomes.values()].filter((outcome) => outcome.kind === 'refused').length + pool.unknown.size;
  return {
    seed: options.seed, inputs: sent, durationMs: Math.round(durationMs), inputsPerSec: Math.round(sent / (durationMs / 1_000)),
    answeredWithCode, uncoded, unanswered, internalErrors, harnessErrors, engineCrashes, engineFatalMessages: engine.fatalMessages,
    byFamily, byCode, findings, clientOrdersAcked: pool.acked, clientOrdersFailed: failed,
    clientAckLatencyUsP50: percentile(pool.ackLatenciesUs, 50), clientAckLatencyUsP99: percentile(pool.ackLatenciesUs, 99),
    clientAckLatencyUsMax: percentile(pool.ackLatenciesUs, 100),
  };
}
