// The bookkeeping of one VU's session: what it asked and when, which answers and fills came
// back, and the metrics that follow (ack and fill latency, rejections, lost answers). Every
// map is bounded: the oldest orders are forgotten first, and counted as untracked.
import { clearInterval, setInterval } from 'k6/timers';
import type { JsonObject } from '../../../src/protocol/message-codec.js';
import type { ErrorBody, WireSide, WireTimeInForce } from '../../../src/protocol/trading-messages.js';
import {
  answersLost, cancelAckLatency, cancelsAcked, heartbeatLatency, orderAckLatency, orderFillLatency, ordersAcked, ordersFilled, ordersSent,
  protocolErrors, requestErrors, requestsRejected,
} from './metrics.js';
import { nowMs, type SessionHandlers, type TraderSession } from './trader-session.js';

export const TRACKER_LIMITS = {
  maxPendingRequests: 50_000,
  maxTrackedOrders: 100_000,
  drainPollMs: 10,
} as const;

export interface OrderSpec {
  readonly side: WireSide;
  readonly price: string;
  readonly size: string;
  readonly timeInForce: WireTimeInForce;
}

type RequestKind = 'place' | 'cancel' | 'cancelAll' | 'heartbeat';

interface PendingRequest {
  readonly kind: RequestKind;
  readonly sentAtMs: number;
  readonly clientOrderId?: string;
}

interface TrackedOrder {
  readonly sentAtMs: number;
  orderId: number | undefined;
  filled: boolean;
}

export interface TrackerOptions {
  readonly market: string;
  /** Unique per VU and session: client order ids are this plus a counter. */
  readonly clientOrderIdPrefix: string;
  readonly ackTimeoutMs: number;
  /** The session is established: start sending. */
  readonly onOpen: () => void;
  /** An order was acknowledged, with the enclave's order id. */
  readonly onAck?: (orderId: number) => void;
}

export class OrderTracker implements SessionHandlers {
  readonly #options: TrackerOptions;
  readonly #pending = new Map<string, PendingRequest>();
  readonly #orders = new Map<string, TrackedOrder>();
  #session: TraderSession | undefined;
  #nextOrder = 0;
  #closed = false;

  constructor(options: TrackerOptions) {
    this.#options = options;
  }

  attach(session: TraderSession): void {
    this.#session = session;
  }

  get pendingRequests(): number {
    return this.#pending.size;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Sends one order.place; false when the session is gone or too many requests await answers. */
  place(spec: OrderSpec): boolean {
    this.#nextOrder += 1;
    const clientOrderId = `${this.#options.clientOrderIdPrefix}${this.#nextOrder.toString(36)}`;
    const sent = this.#send('place', 'order.place', {
      market: this.#options.market, clientOrderId, side: spec.side, type: 'limit', size: spec.size, price: spec.price, timeInForce: spec.timeInForce,
    }, clientOrderId);
    if (sent === undefined) return false;
    ordersSent.add(1);
    if (this.#orders.size >= TRACKER_LIMITS.maxTrackedOrders) this.#orders.delete(this.#orders.keys().next().value!);
    this.#orders.set(clientOrderId, { sentAtMs: sent, orderId: undefined, filled: false });
    return true;
  }

  cancel(orderId: number): boolean {
    return this.#send('cancel', 'order.cancel', { market: this.#options.market, orderId }) !== undefined;
  }

  cancelAll(): boolean {
    return this.#send('cancelAll', 'order.cancelAll', { market: this.#options.market }) !== undefined;
  }

  heartbeat(): boolean {
    return this.#send('heartbeat', 'session.heartbeat', {}) !== undefined;
  }

  /** Counts requests older than the ack timeout as lost and forgets them. */
  expire(atMs = nowMs()): void {
    for (const [id, request] of this.#pending) {
      if (atMs - request.sentAtMs <= this.#options.ackTimeoutMs) break;
      this.#lose(id);
    }
  }

  /**
   * Waits (on k6 timers) until every request is answered or the ack timeout passes, counts
   * the rest as lost, then closes the session, which ends the VU's iteration.
   */
  drainThenClose(): void {
    const deadlineMs = nowMs() + this.#options.ackTimeoutMs;
    const finish = (): void => {
      for (const id of [...this.#pending.keys()]) this.#lose(id);
      this.#session?.close();
    };
    if (this.#pending.size === 0 || this.#closed) {
      finish();
      return;
    }
    const poll = setInterval(() => {
      if (this.#pending.size > 0 && !this.#closed && nowMs() < deadlineMs) return;
      clearInterval(poll);
      finish();
    }, TRACKER_LIMITS.drainPollMs);
  }

  onOpen(): void {
    this.#options.onOpen();
  }

  onResult(id: string, request: string, result: JsonObject, arrivedAtMs: number): void {
    const pending = this.#take(id);
    if (pending === undefined) return;
    const latencyMs = arrivedAtMs - pending.sentAtMs;
    requestErrors.add(false);
    if (pending.kind === 'place' && request === 'order.place' && typeof result.orderId === 'number' && typeof result.clientOrderId === 'string') {
      orderAckLatency.add(latencyMs);
      ordersAcked.add(1);
      const order = this.#orders.get(result.clientOrderId);
      if (order !== undefined) order.orderId = result.orderId;
      this.#options.onAck?.(result.orderId);
    } else if (pending.kind === 'cancel' && request === 'order.cancel') {
      cancelAckLatency.add(latencyMs);
      cancelsAcked.add(1);
    } else if (pending.kind === 'heartbeat' && request === 'session.heartbeat') {
      heartbeatLatency.add(latencyMs);
    } else if (!(pending.kind === 'cancelAll' && request === 'order.cancelAll')) {
      protocolErrors.add(1, { cause: 'K6_ANSWER_INVALID' });
    }
  }

  onError(id: string, error: ErrorBody): void {
    const pending = this.#take(id);
    if (pending === undefined) {
      // Not an answer to a request of ours: the enclave reports a frame it could not open.
      protocolErrors.add(1, { cause: error.name });
      return;
    }
    if (pending.clientOrderId !== undefined) this.#orders.delete(pending.clientOrderId);
    requestsRejected.add(1, { code: String(error.code) });
    requestErrors.add(true);
  }

  onReport(report: JsonObject, arrivedAtMs: number): void {
    if (typeof report.clientOrderId !== 'string') return;
    // Reports reach every session of the account: only this session's orders count here.
    const order = this.#orders.get(report.clientOrderId);
    if (order === undefined) return;
    if (report.kind === 'fill' && !order.filled) {
      order.filled = true;
      const trade = report.trade;
      const tradeLiquidity = typeof trade === 'object' && trade !== null && !Array.isArray(trade) ? (trade as JsonObject).liquidity : undefined;
      const liquidity = typeof tradeLiquidity === 'string' ? tradeLiquidity : 'unknown';
      orderFillLatency.add(arrivedAtMs - order.sentAtMs, { liquidity });
      ordersFilled.add(1);
    }
    if (report.kind === 'done' || report.kind === 'cancelled' || report.kind === 'expired' || report.kind === 'rejected') this.#orders.delete(report.clientOrderId);
  }

  onClose(): void {
    this.#closed = true;
    for (const id of [...this.#pending.keys()]) this.#lose(id);
  }

  #send(kind: RequestKind, type: string, body: object, clientOrderId?: string): number | undefined {
    if (this.#session === undefined || !this.#session.isOpen || this.#pending.size >= TRACKER_LIMITS.maxPendingRequests) return undefined;
    const id = this.#session.send(type, body);
    const sentAtMs = nowMs();
    this.#pending.set(id, { kind, sentAtMs, clientOrderId });
    return sentAtMs;
  }

  #take(id: string): PendingRequest | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    return pending;
  }

  #lose(id: string): void {
    if (!this.#pending.delete(id)) return;
    answersLost.add(1);
    requestErrors.add(true);
  }
}
