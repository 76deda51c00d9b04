// INVARIANT: SIGKILL under load loses no acknowledged order and half-applies nothing. The CI
// size of `npm run drill:kill` (load-tests/drills/kill-drill.ts): SDK traders through the real
// gateway, the engine process SIGKILLed twice at seeded moments and restarted on its data dir.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runKillDrill } from '../../../load-tests/drills/kill-drill.js';

const SEED = Number(process.env.DRILL_SEED ?? Date.now() % 1_000_000);

test(`kill drill: acked orders survive SIGKILL, recovered hash = replay (seed ${SEED})`, async () => {
  const result = await runKillDrill({
    seed: SEED, traders: 16, inFlightPerTrader: 2, maxOrdersPerTrader: 60, pauseMs: 40, kills: 2, loadBeforeKillMs: [200, 700], snapshotEveryCommands: 97,
  });
  console.log(`kill drill (seed ${SEED}): ${JSON.stringify(result)}`);
  assert.equal(result.failures, [], `drill failures (seed ${SEED})`);
  assert.is(result.hashChecks, 3, 'hash checked after each kill and at the end');
  assert.ok(result.killsMidLoad >= 1, `a kill struck mid-load (seed ${SEED})`);
  assert.ok(result.ordersAcked > 50, `orders acked under load: ${result.ordersAcked} (seed ${SEED})`);
  assert.ok(result.journalRecords >= result.ordersAcked, 'every ack is backed by a journal record');
});

test.run();
