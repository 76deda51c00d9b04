// k6 scenario: cancel storms. SESSIONS VUs each hold one encrypted session; every
// STORM_INTERVAL each places STORM_SIZE resting orders STORM_OFFSET_TICKS away from PRICE
// (buyers below, sellers above, so nothing crosses), and as soon as all are acknowledged
// cancels every one of them at once, for DURATION. Reports cancel latency under the storm.
//
// Env: BASE_URL, DEV_ROOT or ENCLAVE_KEY, TRADER_SEEDS (≥ 1), MARKET, PRICE (7), SIZE,
// SESSIONS (4), DURATION (30s), STORM_SIZE (50; a storm is two bursts of frames, keep
// 2 × STORM_SIZE under the gateway's bucket of 400), STORM_INTERVAL (1s),
// STORM_OFFSET_TICKS (50), ACK_TIMEOUT (5s), CANCEL_AT_END (1), ACK_P99_MS (2),
// CANCEL_P99_MS (2).
import '../src/install-globals.js';
import { clearInterval, setInterval } from 'k6/timers';
import { durationMs, integer, milliseconds } from '../src/config.js';
import { OrderTracker } from '../src/order-tracker.js';
import { commonSettings, correctnessThresholds, idPrefix, KIT_LIMITS, orderSpec, perVuScenario, traderFor, setupVenue } from '../src/scenario-kit.js';
import { nowMs, TraderSession } from '../src/trader-session.js';
import type { VenueData } from '../src/venue.js';

const settings = commonSettings(__ENV, { sessions: 4, duration: '30s', minSeeds: 1 });
const stormSize = integer(__ENV, 'STORM_SIZE', 50, 1, KIT_LIMITS.maxOrdersPerTick);
const stormIntervalMs = durationMs(__ENV, 'STORM_INTERVAL', '1s', KIT_LIMITS.tickMs);
const offsetTicks = BigInt(integer(__ENV, 'STORM_OFFSET_TICKS', 50, 0, 1_000_000));

export const options = {
  scenarios: { cancelStorm: perVuScenario(settings, settings.sessions) },
  thresholds: {
    ...correctnessThresholds(),
    order_ack_latency: [`p(99)<${milliseconds(__ENV, 'ACK_P99_MS', 2)}`],
    cancel_ack_latency: [`p(99)<${milliseconds(__ENV, 'CANCEL_P99_MS', 2)}`],
    cancels_acked: ['count>0'],
  },
};

export function setup(): VenueData {
  return setupVenue(__ENV);
}

export default function cancelStorm(venue: VenueData): void {
  const trader = traderFor(__VU, settings.seedsHex);
  const spec = orderSpec(__ENV, venue, trader.side, 'GTC', offsetTicks);
  const prefix = idPrefix(__VU);
  let acked: number[] = [];
  let expected = 0;
  const tracker = new OrderTracker({
    market: venue.market.id,
    clientOrderIdPrefix: prefix,
    ackTimeoutMs: settings.ackTimeoutMs,
    onAck: (orderId) => {
      acked.push(orderId);
      if (acked.length < expected) return;
      // The whole storm is resting: cancel all of it at once.
      for (const id of acked) tracker.cancel(id);
      acked = [];
      expected = 0;
    },
    onOpen: () => {
      const startedAtMs = nowMs();
      const storm = (): void => {
        expected = 0;
        acked = [];
        for (let index = 0; index < stormSize; index++) if (tracker.place(spec)) expected += 1;
      };
      storm();
      const ticker = setInterval(() => {
        tracker.expire();
        if (nowMs() - startedAtMs < settings.runMs && !tracker.isClosed) {
          if (tracker.pendingRequests === 0) storm();
          return;
        }
        clearInterval(ticker);
        if (settings.cancelAtEnd) tracker.cancelAll();
        tracker.drainThenClose();
      }, stormIntervalMs);
    },
  });
  tracker.attach(new TraderSession(venue, trader.seedHex, prefix, tracker));
}
