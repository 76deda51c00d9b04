// The open loop against sessions that answer by themselves: it sends exactly rate × duration
// orders on schedule, measures each from its scheduled time (a stalled answerer shows up as
// latency, not as a slower send rate), counts unanswered ones lost after the grace, and stops
// early on its abort signal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LoadSession } from '../../../load-tests/driver/load-session.js';
import { runOpenLoop } from '../../../load-tests/driver/open-loop.js';
import { OrderFlow } from '../../../load-tests/driver/order-flow.js';
import { TrafficLedger } from '../../../load-tests/driver/traffic-ledger.js';
import type { ChannelMessage } from '../../../src/protocol/message-codec.js';

/** Sessions that answer each request after `delayMs` (or never, while `silent`). */
function echoSessions(count: number, ledger: TrafficLedger, behaviour: { delayMs: number; silent: boolean }): LoadSession[] {
  return Array.from({ length: count }, (_, index) => {
    let next = 1;
    const session = {
      index, isOpen: true,
      get sentCount() { return next - 1; },
      send() {
        const number = next++;
        if (!behaviour.silent) setTimeout(() => ledger.onAnswer(session as unknown as LoadSession, number, { t: 'result', id: `q${number}`, body: {} } as ChannelMessage), behaviour.delayMs);
        return number;
      },
    };
    return session as unknown as LoadSession;
  });
}

test('rate × duration orders, all acked, achieved ≈ offered', async () => {
  const ledger = new TrafficLedger();
  const sessions = echoSessions(4, ledger, { delayMs: 0, silent: false });
  const result = await runOpenLoop(sessions, new OrderFlow(1, 'DOT/USDC', 4, 'T'), ledger, { ratePerSec: 2_000, durationMs: 1_000, graceMs: 1_000 });
  assert.is(result.sent, 2_000);
  assert.is(result.acked, 2_000);
  assert.is(result.ackHistogramCount, 2_000);
  assert.is(result.lost, 0);
  assert.ok(result.achievedPerSec >= 1_900 && result.achievedPerSec <= 2_000, `achieved ${result.achievedPerSec}`);
  assert.is(result.sentByKind.passivePlace + result.sentByKind.crossingPlace + result.sentByKind.cancel, 2_000);
});

test('a slow answerer shows as latency from the scheduled time; silence is lost after the grace', async () => {
  const ledger = new TrafficLedger();
  const behaviour = { delayMs: 150, silent: false };
  const sessions = echoSessions(2, ledger, behaviour);
  const flow = new OrderFlow(2, 'DOT/USDC', 2, 'T');
  const slow = await runOpenLoop(sessions, flow, ledger, { ratePerSec: 500, durationMs: 500, graceMs: 2_000 });
  assert.is(slow.acked, 250);
  assert.ok(slow.ack.p50Us >= 150_000, `p50 ${slow.ack.p50Us} µs includes the 150 ms delay`);
  behaviour.silent = true;
  const silent = await runOpenLoop(sessions, flow, ledger, { ratePerSec: 500, durationMs: 200, graceMs: 50 });
  assert.is(silent.sent, 100);
  assert.is(silent.lost, 100);
  assert.is(silent.acked, 0);
});

test('the abort signal ends sending early', async () => {
  const ledger = new TrafficLedger();
  const sessions = echoSessions(2, ledger, { delayMs: 0, silent: false });
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 300);
  const result = await runOpenLoop(sessions, new OrderFlow(3, 'DOT/USDC', 2, 'T'), ledger, { ratePerSec: 1_000, durationMs: 60_000, graceMs: 1_000, stop: stop.signal });
  assert.ok(result.sent >= 200 && result.sent <= 500, `sent ${result.sent} in about 0.3 s`);
  assert.is(result.acked, result.sent);
  assert.ok(result.durationS < 1);
});

test.run();
