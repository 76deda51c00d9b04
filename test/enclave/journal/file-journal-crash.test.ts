// INVARIANT (kill -9): after a SIGKILL at any moment under load (half of them followed by a
// simulated loss of the unsynced tail), a restart recovers every acknowledged command, in
// order, whole and unchanged; nothing unacknowledged is half-present;
// the chain verifies; and snapshot + replay equals a replay from scratch. 20 seeded scenarios
// of two kill/restart cycles each; scripts/crash-drill-journal.ts runs many more.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCrashScenario, type CycleOutcome } from './crash-harness.js';

const BASE_SEED = Number(process.env.CRASH_SEED ?? 1000);
const SCENARIOS = 20;
const outcomes: CycleOutcome[] = [];

for (let index = 0; index < SCENARIOS; index++) {
  const seed = BASE_SEED + index;
  test(`seed ${seed}: SIGKILL under load, twice; restart recovers every acknowledged command`, async () => {
    const cycles = await runCrashScenario({ seed, cycles: 2, killDelayMsMax: 250 });
    for (const cycle of cycles) assert.ok(cycle.recovered >= cycle.acknowledged, `seed ${seed}: ${JSON.stringify(cycle)}`);
    outcomes.push(...cycles);
  });
}

test('the scenarios really killed under load, after snapshots, with acknowledged work in flight', () => {
  assert.is(outcomes.length, SCENARIOS * 2);
  assert.ok(outcomes.filter((cycle) => cycle.acknowledged > 0).length >= SCENARIOS, 'most kills came after acknowledgements');
  assert.ok(outcomes.some((cycle) => cycle.snapshotSequence > 0), 'some restarts began from a snapshot');
  assert.ok(outcomes.some((cycle) => cycle.tornBytes > 0), 'some restarts cut a torn record');
});

test.run();
