// The long kill -9 drill: the crash test with many more seeded runs (default 200). Usage:
// npx tsx scripts/crash-drill-enclave.ts [runs] [seed]; a failure prints its seed and run.
import { spawnSync } from 'node:child_process';

const runs = Number(process.argv[2] ?? 200);
const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
console.log(`crash drill: ${runs} runs, seed ${seed}`);
const result = spawnSync(process.execPath, ['--import', 'tsx', new URL('../test/enclave/crash.test.ts', import.meta.url).pathname], {
  stdio: 'inherit', env: { ...process.env, CRASH_RUNS: String(runs), CRASH_SEED: String(seed) }, timeout: runs * 10_000,
});
process.exit(result.status ?? 1);
