// The steady order flow one VU runs on its session: open loop, so orders go out on a timer at
// the session's share of the offered rate whether or not earlier ones were answered; at the
// end it optionally cancels what rests, then drains and closes. Used by the steady scenario
// and by the light flow beside the idle sessions.
import { clearInterval, setInterval } from 'k6/timers';
import type { OrderSpec, OrderTracker } from './order-tracker.js';
import { KIT_LIMITS } from './scenario-kit.js';
import { nowMs } from './trader-session.js';

export interface OpenLoopFlow {
  readonly ratePerSecond: number;
  readonly runMs: number;
  readonly cancelAtEnd: boolean;
}

/** Starts the flow on an open session (call it from the tracker's onOpen). */
export function runOpenLoopFlow(tracker: OrderTracker, spec: OrderSpec, flow: OpenLoopFlow): void {
  const startedAtMs = nowMs();
  let sent = 0;
  const ticker = setInterval(() => {
    const elapsedMs = nowMs() - startedAtMs;
    if (elapsedMs >= flow.runMs || tracker.isClosed) {
      clearInterval(ticker);
      if (flow.cancelAtEnd) tracker.cancelAll();
      tracker.drainThenClose();
      return;
    }
    const due = Math.min(Math.floor((elapsedMs * flow.ratePerSecond) / 1_000) - sent, KIT_LIMITS.maxOrdersPerTick);
    for (let index = 0; index < due; index++) if (tracker.place(spec)) sent += 1;
    tracker.expire();
  }, KIT_LIMITS.tickMs);
}
