// The open-loop arrival process: order i of a run is due at start + i / rate, whatever
// happened to the orders before it, and its latency counts from that scheduled time. A stall
// anywhere (engine, gateway, or this driver falling behind) therefore shows up as latency
// instead of silently postponing the next send: coordinated omission cannot hide it. The
// driver's own lateness is recorded separately (sendLag) so a reader can tell the two apart.
import type { LoadSession } from './load-session.js';
import { RunMeasure, summarize, type LatencySummary } from './measure.js';
import type { CommandKind, OrderFlow } from './order-flow.js';
import type { TrafficLedger } from './traffic-ledger.js';

export interface OpenLoopPlan {
  readonly ratePerSec: number;
  readonly durationMs: number;
  /** After the last scheduled order, wait this long at most for outstanding answers. */
  readonly graceMs: number;
  /** Ends the sending early (the run then counts what was sent up to then). */
  readonly stop?: AbortSignal;
  /** Called about once a second while orders are sent, with a one-line status. */
  readonly onProgress?: (line: string) => void;
}

export interface RunResult {
  readonly offeredPerSec: number;
  readonly achievedPerSec: number;
  readonly durationS: number;
  readonly sent: number;
  readonly acked: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly lateAnswers: number;
  readonly unsent: number;
  readonly faults: number;
  readonly reports: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly sentByKind: Readonly<Record<CommandKind | 'heartbeat', number>>;
  readonly ack: LatencySummary;
  readonly fill: LatencySummary;
  readonly sendLag: LatencySummary;
  /** Where the rate was; hdr totals and counts agree when ackHistogramCount === acked. */
  readonly ackHistogramCount: number;
}

/** Sends per event-loop turn at most, so answers keep being read while the driver catches up. */
const MAX_SENDS_PER_TURN = 2_000;
const PROGRESS_EVERY_MS = 1_000;
const DRAIN_POLL_MS = 10;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs one open-loop phase of the flow over the sessions; resolves once answered or the grace is over. */
export async function runOpenLoop(sessions: readonly LoadSession[], flow: OrderFlow, ledger: TrafficLedger, plan: OpenLoopPlan): Promise<RunResult> {
  const measure = new RunMeasure();
  ledger.current = measure;
  const intervalMs = 1_000 / plan.ratePerSec;
  const total = Math.max(1, Math.round((plan.ratePerSec * plan.durationMs) / 1_000));
  const startMs = performance.now() + 1;
  measure.startMs = startMs;
  let next = 0;
  let lastProgressMs = startMs;

  const progress = (nowMs: number): void => {
    if (plan.onProgress === undefined || nowMs - lastProgressMs < PROGRESS_EVERY_MS) return;
    const ackedPerSec = Math.round((measure.takeAckedSinceLast() * 1_000) / (nowMs - lastProgressMs));
    lastProgressMs = nowMs;
    const p99Ms = (measure.ack.getValueAtPercentile(99) / 1_000).toFixed(2);
    plan.onProgress(`${((nowMs - startMs) / 1_000).toFixed(0).padStart(4)} s  offered ${plan.ratePerSec}/s  sent ${measure.sent}  acks ${measure.acked} (${ackedPerSec}/s)  ack p99 ${p99Ms} ms  waiting ${measure.sent - measure.acked}`);
  };

  await new Promise<void>((done) => {
    const turn = (): void => {
      const nowMs = performance.now();
      const due = Math.min(total, Math.floor((nowMs - startMs) / intervalMs) + 1, next + MAX_SENDS_PER_TURN);
      for (; next < due; next++) {
        const command = flow.next();
        ledger.send(sessions[command.session]!, measure, command.kind, command.t, command.body, startMs + next * intervalMs, command.crossingClientOrderId);
      }
      progress(nowMs);
      if (next >= total || plan.stop?.aborted === true) done();
      else if (Math.floor((performance.now() - startMs) / intervalMs) + 1 > next) setImmediate(turn);
      else setTimeout(turn, 1);
    };
    turn();
  });

  const drainDeadlineMs = performance.now() + plan.graceMs;
  while (ledger.outstanding(measure) > 0 && performance.now() < drainDeadlineMs) {
    progress(performance.now());
    await delay(DRAIN_POLL_MS);
  }
  ledger.closeRun(measure);
  const sendingMs = plan.stop?.aborted === true ? next * intervalMs : plan.durationMs;
  const elapsedMs = Math.max(sendingMs, measure.lastAckMs - startMs);
  return {
    offeredPerSec: plan.ratePerSec,
    achievedPerSec: Math.round((measure.acked * 1_000) / elapsedMs),
    durationS: Number((sendingMs / 1_000).toFixed(3)),
    sent: measure.sent,
    acked: measure.acked,
    lost: measure.lost,
    duplicated: measure.duplicated,
    lateAnswers: measure.lateAnswers,
    unsent: measure.unsent,
    faults: measure.faults,
    reports: measure.reports,
    errors: { ...measure.errors },
    sentByKind: { ...measure.sentByKind },
    ack: summarize(measure.ack),
    fill: summarize(measure.fill),
    sendLag: summarize(measure.sendLag),
    ackHistogramCount: measure.ack.totalCount,
  };
}
