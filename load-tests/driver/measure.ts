// What one measured run of the load driver counts: HDR histograms (hdr-histogram-js) of
// order→ack and order→fill latency in microseconds, each measured from the order's
// SCHEDULED send time (open loop), plus how late the driver itself sent, and the counts that
// must be zero: answers never received (lost) and answers received twice (duplicated).
import * as hdr from 'hdr-histogram-js';
import type { CommandKind } from './order-flow.js';

/** One minute: anything slower is recorded as this (and shows as the maximum). */
export const HISTOGRAM_MAX_US = 60_000_000;

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HISTOGRAM_MAX_US, numberOfSignificantValueDigits: 3 });
}

function recordUs(target: hdr.Histogram, elapsedMs: number): void {
  target.recordValue(Math.min(HISTOGRAM_MAX_US, Math.max(1, Math.round(elapsedMs * 1_000))));
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly maxUs: number;
  readonly meanUs: number;
}

export function summarize(source: hdr.Histogram): LatencySummary {
  return {
    count: source.totalCount,
    p50Us: source.getValueAtPercentile(50),
    p90Us: source.getValueAtPercentile(90),
    p99Us: source.getValueAtPercentile(99),
    p999Us: source.getValueAtPercentile(99.9),
    maxUs: source.maxValue,
    meanUs: Math.round(source.mean),
  };
}

export class RunMeasure {
  readonly ack = histogram();
  readonly fill = histogram();
  /** How late each send left against its schedule: the driver's own lag. */
  readonly sendLag = histogram();
  readonly sentByKind: Record<CommandKind | 'heartbeat', number> = { passivePlace: 0, crossingPlace: 0, cancel: 0, heartbeat: 0 };
  /** Error answers by name (refusals are acks too, but a healthy flow has none). */
  readonly errors: Record<string, number> = {};
  sent = 0;
  acked = 0;
  duplicated = 0;
  lost = 0;
  /** Answers that arrived after their request was already counted lost. */
  lateAnswers = 0;
  /** Orders the flow scheduled for a session that had closed: never sent. */
  unsent = 0;
  reports = 0;
  faults = 0;
  startMs = 0;
  lastAckMs = 0;
  #lastProgressAcked = 0;

  recordSend(kind: CommandKind | 'heartbeat', scheduledMs: number, nowMs: number): void {
    this.sent += 1;
    this.sentByKind[kind] += 1;
    recordUs(this.sendLag, nowMs - scheduledMs);
  }

  recordAck(scheduledMs: number, nowMs: number, errorName: string | undefined): void {
    this.acked += 1;
    this.lastAckMs = nowMs;
    recordUs(this.ack, nowMs - scheduledMs);
    if (errorName !== undefined) this.errors[errorName] = (this.errors[errorName] ?? 0) + 1;
  }

  recordFill(scheduledMs: number, nowMs: number): void {
    recordUs(this.fill, nowMs - scheduledMs);
  }

  /** Acks since the previous call (for the progress line's per-second rate). */
  takeAckedSinceLast(): number {
    const delta = this.acked - this.#lastProgressAcked;
    this.#lastProgressAcked = this.acked;
    return delta;
  }
}
