// Where every request the driver sends is remembered until its answer: per session, the
// unanswered requests (with the run they belong to and their scheduled time), the ones given
// up as lost, and the crossing orders still waiting for their first fill. It is the handler
// of every LoadSession, so it tells a first answer (an ack) from a second one (a duplicate)
// and a late one (after its request was counted lost).
import type { DarkpoolError } from '../../client/sdk/errors.js';
import type { ChannelMessage, JsonObject } from '../../src/protocol/message-codec.js';
import type { LoadSession, LoadSessionHandlers } from './load-session.js';
import type { RunMeasure } from './measure.js';
import type { CommandKind } from './order-flow.js';

interface Pending {
  readonly measure: RunMeasure;
  readonly scheduledMs: number;
}

/** Crossing orders tracked per session for their first fill; beyond it the oldest is dropped unmeasured. */
const MAX_AWAITING_FILL_PER_SESSION = 65_536;

class SessionEntries {
  readonly pending = new Map<number, Pending>();
  readonly lost = new Set<number>();
  readonly awaitingFill = new Map<string, Pending>();
}

export class TrafficLedger implements LoadSessionHandlers {
  readonly #entries = new Map<number, SessionEntries>();
  /** Where answers that belong to no pending request (duplicates, late ones) are counted. */
  current: RunMeasure | undefined;
  /** Sessions the gateway or the enclave closed: index → "code reason". */
  readonly closed = new Map<number, string>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  #of(session: LoadSession): SessionEntries {
    let entries = this.#entries.get(session.index);
    if (entries === undefined) {
      entries = new SessionEntries();
      this.#entries.set(session.index, entries);
    }
    return entries;
  }

  /** Sends one request on the session and remembers it; false when the session has closed. */
  send(session: LoadSession, measure: RunMeasure, kind: CommandKind | 'heartbeat', t: string, body: object, scheduledMs: number, crossingClientOrderId?: string): boolean {
    if (!session.isOpen) {
      measure.unsent += 1;
      return false;
    }
    const entries = this.#of(session);
    const number = session.send(t, body);
    const pending: Pending = { measure, scheduledMs };
    entries.pending.set(number, pending);
    measure.recordSend(kind, scheduledMs, this.#now());
    if (crossingClientOrderId !== undefined) {
      if (entries.awaitingFill.size >= MAX_AWAITING_FILL_PER_SESSION) entries.awaitingFill.delete(entries.awaitingFill.keys().next().value!);
      entries.awaitingFill.set(crossingClientOrderId, pending);
    }
    return true;
  }

  /** Unanswered requests of one run, over all sessions. */
  outstanding(measure: RunMeasure): number {
    let count = 0;
    for (const entries of this.#entries.values()) for (const pending of entries.pending.values()) if (pending.measure === measure) count += 1;
    return count;
  }

  /** Counts the run's unanswered requests as lost and stops waiting for its fills. */
  closeRun(measure: RunMeasure): void {
    for (const entries of this.#entries.values()) {
      for (const [number, pending] of entries.pending) {
        if (pending.measure !== measure) continue;
        entries.pending.delete(number);
        entries.lost.add(number);
        measure.lost += 1;
      }
      for (const [clientOrderId, pending] of entries.awaitingFill) if (pending.measure === measure) entries.awaitingFill.delete(clientOrderId);
    }
  }

  onAnswer(session: LoadSession, requestNumber: number, message: ChannelMessage): void {
    const entries = this.#of(session);
    const pending = entries.pending.get(requestNumber);
    if (pending !== undefined) {
      entries.pending.delete(requestNumber);
      pending.measure.recordAck(pending.scheduledMs, this.#now(), message.t === 'error' ? errorName(message.body) : undefined);
      return;
    }
    const measure = this.current;
    if (measure === undefined) return;
    if (entries.lost.delete(requestNumber)) measure.lateAnswers += 1;
    else if (requestNumber >= 1 && requestNumber <= session.sentCount) measure.duplicated += 1;
    else measure.faults += 1;
  }

  onReport(session: LoadSession, message: ChannelMessage): void {
    if (this.current !== undefined) this.current.reports += 1;
    if (message.t !== 'report') return;
    const body = message.body;
    const clientOrderId = body.clientOrderId;
    if (typeof clientOrderId !== 'string') return;
    const entries = this.#of(session);
    const pending = entries.awaitingFill.get(clientOrderId);
    if (pending === undefined) return;
    if (body.kind === 'fill') {
      entries.awaitingFill.delete(clientOrderId);
      const trade = body.trade as JsonObject | undefined;
      if (trade?.liquidity === 'taker') pending.measure.recordFill(pending.scheduledMs, this.#now());
    } else if (body.kind === 'cancelled' || body.kind === 'rejected' || body.kind === 'expired' || body.kind === 'done') {
      entries.awaitingFill.delete(clientOrderId);
    }
  }

  onFault(_session: LoadSession, _error: DarkpoolError): void {
    if (this.current !== undefined) this.current.faults += 1;
  }

  onClosed(session: LoadSession, reason: string): void {
    this.closed.set(session.index, reason);
  }
}

function errorName(body: JsonObject): string {
  return typeof body.name === 'string' ? body.name.slice(0, 64) : 'unnamed';
}
