// k6 scenario: bursts. SESSIONS VUs each hold one encrypted session and, every BURST_INTERVAL,
// send BURST_SIZE limit orders back to back, for DURATION. Buyers and sellers quote the same
// PRICE, so bursts cross. Shows how ack and fill latency grow while a burst queues up.
//
// Env: BASE_URL, DEV_ROOT or ENCLAVE_KEY, TRADER_SEEDS (≥ 2), MARKET, PRICE (7), SIZE,
// SESSIONS (4), DURATION (30s), BURST_SIZE (100; the gateway's default bucket holds 400
// frames), BURST_INTERVAL (1s), ACK_TIMEOUT (5s), CANCEL_AT_END (1), ACK_P99_MS (2),
// FILL_P99_MS (10).
import '../src/install-globals.js';
import { clearInterval, setInterval } from 'k6/timers';
import { durationMs, integer } from '../src/config.js';
import { OrderTracker } from '../src/order-tracker.js';
import { commonSettings, correctnessThresholds, idPrefix, KIT_LIMITS, latencyThresholds, orderSpec, perVuScenario, traderFor, setupVenue } from '../src/scenario-kit.js';
import { nowMs, TraderSession } from '../src/trader-session.js';
import type { VenueData } from '../src/venue.js';

const settings = commonSettings(__ENV, { sessions: 4, duration: '30s', minSeeds: 2 });
const burstSize = integer(__ENV, 'BURST_SIZE', 100, 1, KIT_LIMITS.maxOrdersPerTick);
const burstIntervalMs = durationMs(__ENV, 'BURST_INTERVAL', '1s', KIT_LIMITS.tickMs);

export const options = {
  scenarios: { bursts: perVuScenario(settings, settings.sessions) },
  thresholds: { ...correctnessThresholds(), ...latencyThresholds(__ENV) },
};

export function setup(): VenueData {
  return setupVenue(__ENV);
}

export default function bursts(venue: VenueData): void {
  const trader = traderFor(__VU, settings.seedsHex);
  const spec = orderSpec(__ENV, venue, trader.side, 'GTC');
  const prefix = idPrefix(__VU);
  const tracker = new OrderTracker({
    market: venue.market.id,
    clientOrderIdPrefix: prefix,
    ackTimeoutMs: settings.ackTimeoutMs,
    onOpen: () => {
      const startedAtMs = nowMs();
      const burst = (): void => {
        for (let index = 0; index < burstSize; index++) tracker.place(spec);
        tracker.expire();
      };
      burst();
      const ticker = setInterval(() => {
        if (nowMs() - startedAtMs < settings.runMs && !tracker.isClosed) {
          burst();
          return;
        }
        clearInterval(ticker);
        if (settings.cancelAtEnd) tracker.cancelAll();
        tracker.drainThenClose();
      }, burstIntervalMs);
    },
  });
  tracker.attach(new TraderSession(venue, trader.seedHex, prefix, tracker));
}
