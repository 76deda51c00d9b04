// k6 scenario: steady order flow. SESSIONS VUs each hold one encrypted session and send
// limit orders open-loop (on a timer, whether or not earlier orders were answered) so that
// together they offer RATE orders/s for DURATION; buyers and sellers quote the same PRICE,
// so orders fill. Reports order→ack and order→fill latency.
//
// Env: BASE_URL (http://127.0.0.1:8080), DEV_ROOT or ENCLAVE_KEY (attestation pin, see
// docs/load-testing.md), TRADER_SEEDS (funded seeds, ≥ 2: even ones buy, odd ones sell),
// MARKET (first listed), PRICE (7), SIZE (market minimum), RATE (100 orders/s in total),
// SESSIONS (4), DURATION (30s), ACK_TIMEOUT (5s), MAX_SESSION_RATE (190), CANCEL_AT_END (1),
// ACK_P99_MS (2), FILL_P99_MS (10).
import '../src/install-globals.js';
import { runOpenLoopFlow } from '../src/open-loop-flow.js';
import { OrderTracker } from '../src/order-tracker.js';
import { commonSettings, correctnessThresholds, idPrefix, latencyThresholds, orderSpec, perSessionRate, perVuScenario, traderFor, setupVenue } from '../src/scenario-kit.js';
import { TraderSession } from '../src/trader-session.js';
import type { VenueData } from '../src/venue.js';

const settings = commonSettings(__ENV, { sessions: 4, duration: '30s', minSeeds: 2 });
const ratePerSession = perSessionRate(__ENV, settings.sessions, 100);

export const options = {
  scenarios: { steady: perVuScenario(settings, settings.sessions) },
  thresholds: { ...correctnessThresholds(), ...latencyThresholds(__ENV) },
};

export function setup(): VenueData {
  return setupVenue(__ENV);
}

export default function steady(venue: VenueData): void {
  const trader = traderFor(__VU, settings.seedsHex);
  const spec = orderSpec(__ENV, venue, trader.side, 'GTC');
  const prefix = idPrefix(__VU);
  const tracker = new OrderTracker({
    market: venue.market.id,
    clientOrderIdPrefix: prefix,
    ackTimeoutMs: settings.ackTimeoutMs,
    onOpen: () => runOpenLoopFlow(tracker, spec, { ratePerSecond: ratePerSession, runMs: settings.runMs, cancelAtEnd: settings.cancelAtEnd }),
  });
  tracker.attach(new TraderSession(venue, trader.seedHex, prefix, tracker));
}
