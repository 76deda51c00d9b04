// The messages between bench/enclave.ts (the host thread) and its load generator worker
// (bench/enclave-load.ts), and what a phase of load reports back. Frames travel as the enclave
// port's frame batches, addressed by trader index.
import type { FrameBatchMessage } from '../src/protocol/enclave-port.js';

/** What the main thread asks for. */
export interface LoadConfig {
  readonly bundle: string;
  readonly traders: number;
  readonly seed: number;
}

export type Workload = 'mixed' | 'crossing';

export type Phase =
  | { readonly kind: 'open'; readonly workload: Workload; readonly ratePerSec: number; readonly durationMs: number }
  | { readonly kind: 'closed'; readonly workload: Workload; readonly inFlight: number; readonly durationMs: number };

export interface LatencySummary {
  readonly samples: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly maxUs: number;
  readonly meanUs: number;
}

export interface PhaseResult {
  readonly phase: Phase;
  readonly sent: number;
  /** Answers (results and errors) to commands sent in the phase. */
  readonly answered: number;
  /** Answers that arrived within durationMs of the phase start (closed loop: the throughput count). */
  readonly answeredInWindow: number;
  readonly elapsedMs: number;
  /** From the scheduled time (open loop) or the send (closed loop) to the answer being opened. */
  readonly latency: LatencySummary;
  readonly framesReceived: number;
  readonly reportsReceived: number;
  /** Answers that were errors, by error name. */
  readonly errors: Readonly<Record<string, number>>;
  /** Commands of each kind sent. */
  readonly mix: Readonly<Record<CommandKind, number>>;
  /** Open loop: how late the generator's bursts left against their schedule. */
  readonly sendLagUsP99: number;
}

export type LoadToMain =
  /** `linuxThreadId` lets the main thread read this thread's CPU time in /proc (undefined elsewhere). */
  | { readonly type: 'accounts'; readonly accounts: readonly string[]; readonly linuxThreadId: number | undefined }
  | { readonly type: 'connected' }
  | { readonly type: 'phaseDone'; readonly result: PhaseResult }
  | FrameBatchMessage;

export type MainToLoad =
  | { readonly type: 'connect' }
  | { readonly type: 'phase'; readonly phase: Phase }
  | { readonly type: 'stop' }
  | FrameBatchMessage;

export type CommandKind = 'passivePlace' | 'cancel' | 'crossingPlace';

/** One burst per interval: the schedule the open loop measures from. */
export const SEND_INTERVAL_MS = 1;
