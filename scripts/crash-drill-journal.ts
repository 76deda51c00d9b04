// The long kill -9 drill for the sealed journal and sequencer: many more seeded scenarios (and
// cycles per scenario) than the CI-sized test, with wider kill windows. Prints one line per
// scenario and a summary; exits non-zero on the first failure, naming its seed.
// Usage: npx tsx scripts/crash-drill-journal.ts [--runs 200] [--seed 100000] [--cycles 3] [--kill-ms 600]
import { parseArgs } from 'node:util';
import { runCrashScenario, type CycleOutcome } from '../test/enclave/journal/crash-harness.js';

const RUNS_MAX = 100_000;
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string', default: '100000' },
    cycles: { type: 'string', default: '3' },
    'kill-ms': { type: 'string', default: '600' },
  },
});
const runs = Number(values.runs);
const baseSeed = Number(values.seed);
const cycles = Number(values.cycles);
const killDelayMsMax = Number(values['kill-ms']);
if (![runs, baseSeed, cycles, killDelayMsMax].every(Number.isSafeInteger) || runs < 1 || runs > RUNS_MAX || cycles < 1 || cycles > 50 || killDelayMsMax < 1) {
  console.error('usage: crash-drill-journal.ts [--runs 1..100000] [--seed n] [--cycles 1..50] [--kill-ms n]');
  process.exit(2);
}

const started = Date.now();
const all: CycleOutcome[] = [];
for (let index = 0; index < runs; index++) {
  const seed = baseSeed + index;
  try {
    const outcomes = await runCrashScenario({ seed, cycles, killDelayMsMax });
    all.push(...outcomes);
    const last = outcomes.at(-1)!;
    const torn = outcomes.reduce((sum, cycle) => sum + cycle.tornBytes, 0);
    console.log(`seed ${seed}: ok  acknowledged ${last.acknowledged}  recovered ${last.recovered}  snapshot ${last.snapshotSequence}  torn bytes ${torn}`);
  } catch (error) {
    console.error(`seed ${seed}: FAILED\n${error instanceof Error ? error.stack : String(error)}`);
    console.error(`reproduce: npx tsx scripts/crash-drill-journal.ts --runs 1 --seed ${seed} --cycles ${cycles} --kill-ms ${killDelayMsMax}`);
    process.exit(1);
  }
}
const kills = all.length;
console.log(`\n${runs} scenarios, ${kills} kills in ${((Date.now() - started) / 1000).toFixed(1)} s: all acknowledged commands recovered`);
console.log(`kills during start-up: ${all.filter((cycle) => cycle.killedDuringStartup).length}; simulated power losses: ${all.filter((cycle) => cycle.powerLossCutBytes > 0).length}; with a torn tail cut: ${all.filter((cycle) => cycle.tornBytes > 0).length}; restarts from a snapshot: ${all.filter((cycle) => cycle.snapshotSequence > 0).length}; durable but unacknowledged at the kill: ${all.filter((cycle) => cycle.recovered > cycle.acknowledged).length}`);
