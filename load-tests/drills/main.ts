// `npm run drills -- <kill|chain|fuzz|all> [--seed N] [--inputs N]` (and drill:kill, drill:chain,
// drill:fuzz): the full-size fault drills. Each prints its seed first, a progress line as it
// goes and its result, and records the result under its name in bench/results/drills.json
// with the conditions it ran under. A drill that finds a failure exits 1.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { runChainDrill, type ChainDrillResult } from './chain-drill.js';
import { runFuzzDrill, type FuzzDrillResult } from './fuzz-drill.js';
import { runKillDrill, type KillDrillResult } from './kill-drill.js';

const RESULTS = new URL('../../bench/results/drills.json', import.meta.url).pathname;
const DRILLS = ['kill', 'chain', 'fuzz'] as const;
type DrillName = (typeof DRILLS)[number];

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} takes a non-negative integer`);
  return value;
}

const log = (line: string): void => console.log(line);

async function run(name: DrillName, seed: number): Promise<{ result: KillDrillResult | ChainDrillResult | FuzzDrillResult; passed: boolean }> {
  console.log(`drill ${name}: seed ${seed}`);
  switch (name) {
    case 'kill': {
      const result = await runKillDrill({
        seed, traders: flag('traders', 32), inFlightPerTrader: 2, maxOrdersPerTrader: 60, pauseMs: flag('pause-ms', 150),
        kills: flag('kills', 10), loadBeforeKillMs: [200, 1_500], snapshotEveryCommands: 257, log,
      });
      return { result, passed: result.failures.length === 0 && result.killsMidLoad > 0 };
    }
    case 'chain': {
      const result = await runChainDrill({
        seed, traders: flag('traders', 32), maxOrdersPerTrader: 60, loadMs: flag('load-ms', 60_000), settlementWindowMs: 500,
        withdrawalsPerTrader: 4, quiesceTimeoutMs: 60_000, maxAttempts: flag('max-attempts', 10), faultGapMs: [300, 1_200], faultTimesMax: 2, log,
      });
      // A given-up batch is no failure any more: its payouts are credited back, and the per-trader checks prove it.
      return { result, passed: result.failures.length === 0 };
    }
    case 'fuzz': {
      const result = await runFuzzDrill({
        seed, inputs: flag('inputs', 1_000_000), concurrency: flag('concurrency', 48), traders: 4, traderPauseMs: 20, messagesPerSession: flag('messages-per-session', 25), log,
      });
      const passed = result.engineCrashes === 0 && result.uncoded === 0 && result.unanswered === 0 && result.internalErrors === 0
        && result.harnessErrors === 0 && result.clientOrdersFailed === 0 && result.clientOrdersAcked > 0;
      return { result, passed };
    }
  }
}

async function main(): Promise<void> {
  const requested = process.argv[2] ?? 'all';
  const names: DrillName[] = requested === 'all' ? [...DRILLS] : DRILLS.includes(requested as DrillName) ? [requested as DrillName] : [];
  if (names.length === 0) throw new Error(`usage: npm run drills -- <${DRILLS.join('|')}|all> [--seed N]`);
  const seed = flag('seed', Date.now() % 1_000_000);
  const stored = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown> : {};
  let allPassed = true;
  for (const name of names) {
    const { result, passed } = await run(name, seed);
    allPassed &&= passed;
    console.log(`drill ${name}: ${passed ? 'PASSED' : 'FAILED'} (seed ${seed})`);
    console.log(JSON.stringify(result, null, 2));
    stored[name] = {
      passed, result,
      conditions: { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem(), seed, argv: process.argv.slice(2) },
    };
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(stored, null, 2)}\n`);
  }
  process.exitCode = allPassed ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
