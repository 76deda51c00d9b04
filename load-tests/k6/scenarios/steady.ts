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
import { clearInterval, setInterval } from 'k6/timers';
import { OrderTracker } from '../src/order-tracker.js';
import { commonSettings, correctnessThresholds, idPrefix, KIT_LIMITS, latencyThresholds, orderSpec, perSessionRate, perVuScenario, traderFor } from '../src/scenario-kit.js';
import { nowMs, TraderSession } from '../src/trader-session.js';
import { discoverVenue, type VenueData } from '../src/venue.js';

const settings = commonSettings(__ENV, { sessions: 4, duration: '30s', minSeeds: 2 });
const ratePerSession = perSessionRate(__ENV, settings.sessions, 100);

export const options = {
  scenarios: { steady: perVuScenario(settings, settings.sessions) },
  thresholds: { ...correctnessThresholds(), ...latencyThresholds(__ENV) },
};

export function setup(): VenueData {
  const venue = discoverVenue(__ENV);
  console.log(`attestation: ${venue.attestationChecks.join('; ')}`);
  return venue;
}

export default function steady(venue: VenueData): void {
  const trader = traderFor(__VU, settings.seedsHex);
  const spec = orderSpec(__ENV, venue, trader.side, 'GTC');
  const prefix = idPrefix(__VU);
  const tracker = new OrderTracker({
    market: venue.market.id,
    clientOrderIdPrefix: prefix,
    ackTimeoutMs: settings.ackTimeoutMs,
    onOpen: () => {
      const startedAtMs = nowMs();
      let sent = 0;
      const ticker = setInterval(() => {
        const elapsedMs = nowMs() - startedAtMs;
        if (elapsedMs >= settings.runMs || tracker.isClosed) {
          clearInterval(ticker);
          if (settings.cancelAtEnd) tracker.cancelAll();
          tracker.drainThenClose();
          return;
        }
        const due = Math.min(Math.floor((elapsedMs * ratePerSession) / 1_000) - sent, KIT_LIMITS.maxOrdersPerTick);
        for (let index = 0; index < due; index++) if (tracker.place(spec)) sent += 1;
        tracker.expire();
      }, KIT_LIMITS.tickMs);
    },
  });
  tracker.attach(new TraderSession(venue, trader.seedHex, prefix, tracker));
}
