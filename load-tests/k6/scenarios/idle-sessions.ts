// k6 scenario: many idle sessions. SESSIONS encrypted sessions open (spread over RAMP, held
// SESSIONS_PER_VU to a VU), then only heartbeat every HEARTBEAT_INTERVAL until DURATION
// ends, while FLOW_SESSIONS other VUs send a light order flow of FLOW_RATE orders/s in total.
// Shows what holding many authenticated sessions costs the handshake, the heartbeat round
// trip and the live flow. The gateway's default limit is 1024 sessions (maxSessions); past
// it sessions close with 4001.
//
// Env: BASE_URL, DEV_ROOT or ENCLAVE_KEY, TRADER_SEEDS (≥ 2), MARKET, PRICE (7), SIZE,
// SESSIONS (100 idle), SESSIONS_PER_VU (50), FLOW_SESSIONS (2), FLOW_RATE (20), DURATION
// (30s), RAMP (10s), HEARTBEAT_INTERVAL (5s), ACK_TIMEOUT (5s), CANCEL_AT_END (1),
// ACK_P99_MS (2), FILL_P99_MS (10), HEARTBEAT_P99_MS (10), SESSION_OPEN_P99_MS (1000).
import '../src/install-globals.js';
import { clearInterval, setInterval, setTimeout } from 'k6/timers';
import { durationMs, integer, milliseconds } from '../src/config.js';
import { runOpenLoopFlow } from '../src/open-loop-flow.js';
import { OrderTracker } from '../src/order-tracker.js';
import {
  commonSettings, correctnessThresholds, idPrefix, KIT_LIMITS, latencyThresholds, orderSpec, perVuScenario, setupVenue, traderFor,
} from '../src/scenario-kit.js';
import { nowMs, TraderSession } from '../src/trader-session.js';
import type { VenueData } from '../src/venue.js';

const settings = commonSettings(__ENV, { sessions: 100, duration: '30s', minSeeds: 2 });
const flowSessions = integer(__ENV, 'FLOW_SESSIONS', 2, 1, KIT_LIMITS.maxSessions);
const flowRatePerSession = integer(__ENV, 'FLOW_RATE', 20, 1, KIT_LIMITS.maxRatePerSecond) / flowSessions;
const rampMs = durationMs(__ENV, 'RAMP', '10s', 0);
const heartbeatIntervalMs = durationMs(__ENV, 'HEARTBEAT_INTERVAL', '5s', 100);
const sessionsPerVu = integer(__ENV, 'SESSIONS_PER_VU', 50, 1, KIT_LIMITS.maxSessions);
const idleVus = Math.ceil(settings.sessions / sessionsPerVu);

export const options = {
  scenarios: {
    idle: perVuScenario({ ...settings, runMs: settings.runMs + rampMs }, idleVus, 'idle'),
    flow: perVuScenario({ ...settings, runMs: settings.runMs + rampMs }, flowSessions, 'flow'),
  },
  thresholds: {
    ...correctnessThresholds(),
    ...latencyThresholds(__ENV),
    heartbeat_latency: [`p(99)<${milliseconds(__ENV, 'HEARTBEAT_P99_MS', 10)}`],
    session_open_latency: [`p(99)<${milliseconds(__ENV, 'SESSION_OPEN_P99_MS', 1_000)}`],
  },
};

export function setup(): VenueData {
  return setupVenue(__ENV);
}

/** One idle session: opens at its slot of the ramp, heartbeats, closes when the run ends. */
function holdIdleSession(venue: VenueData, sessionIndex: number): void {
  const trader = traderFor(sessionIndex + 1, settings.seedsHex);
  const openDelayMs = Math.floor((sessionIndex * rampMs) / settings.sessions);
  setTimeout(() => {
    const prefix = idPrefix(sessionIndex + 1);
    const tracker = new OrderTracker({
      market: venue.market.id,
      clientOrderIdPrefix: prefix,
      ackTimeoutMs: settings.ackTimeoutMs,
      onOpen: () => {
        const openedAtMs = nowMs();
        const remainingMs = Math.max(settings.runMs + rampMs - openDelayMs, 0);
        const beat = setInterval(() => {
          tracker.expire();
          if (nowMs() - openedAtMs < remainingMs && !tracker.isClosed) {
            tracker.heartbeat();
            return;
          }
          clearInterval(beat);
          tracker.drainThenClose();
        }, Math.min(heartbeatIntervalMs, Math.max(remainingMs, KIT_LIMITS.tickMs)));
      },
    });
    tracker.attach(new TraderSession(venue, trader.seedHex, prefix, tracker));
  }, openDelayMs);
}

/**
 * A VU of the idle scenario holds SESSIONS_PER_VU sessions on k6's shared event loop: a VU
 * carries a whole JavaScript runtime, so one VU per idle session would cost k6 far more
 * memory than the sessions cost the venue.
 */
export function idle(venue: VenueData): void {
  const first = (__VU - 1) * sessionsPerVu;
  for (let sessionIndex = first; sessionIndex < Math.min(first + sessionsPerVu, settings.sessions); sessionIndex++) holdIdleSession(venue, sessionIndex);
}

/** The light order flow that runs while the idle sessions are held. */
export function flow(venue: VenueData): void {
  const trader = traderFor(__VU, settings.seedsHex);
  const spec = orderSpec(__ENV, venue, trader.side, 'GTC');
  const prefix = idPrefix(__VU);
  const tracker = new OrderTracker({
    market: venue.market.id,
    clientOrderIdPrefix: prefix,
    ackTimeoutMs: settings.ackTimeoutMs,
    onOpen: () => runOpenLoopFlow(tracker, spec, { ratePerSecond: flowRatePerSession, runMs: settings.runMs + rampMs, cancelAtEnd: settings.cancelAtEnd }),
  });
  tracker.attach(new TraderSession(venue, trader.seedHex, prefix, tracker));
}
