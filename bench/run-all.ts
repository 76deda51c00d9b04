// `npm run bench`: every benchmark, one after another (they would disturb each other in
// parallel on this 2-core machine), then the summary (bench/summary.ts) of their JSON files.
// The end-to-end one is the load driver: a latency sweep, then the idle-sessions memory run.
// A benchmark that fails is reported and the others still run; the exit code says whether all
// passed. `npm run bench -- --only load,matching` runs a subset (the summary always runs).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CodedError } from '../src/errors/index.js';
import { summaryMarkdown, writeSummary } from './summary.js';

interface Step {
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
}

/** The end-to-end runs and their parameters, stated here so the summary's conditions are reproducible. */
export const LOAD_SWEEP_PER_SEC = [2_000, 5_000, 10_000, 20_000, 50_000] as const;
const STEPS: readonly Step[] = [
  { name: 'matching', script: 'bench:matching', args: [] },
  { name: 'enclave', script: 'bench:enclave', args: [] },
  { name: 'settlement', script: 'bench:settlement', args: [] },
  { name: 'journal', script: 'bench:journal', args: [] },
  { name: 'channel', script: 'bench:channel', args: [] },
  { name: 'attestation', script: 'bench:attestation', args: [] },
  { name: 'cluster', script: 'bench:cluster', args: [] },
  { name: 'load', script: 'load', args: ['--sweep', LOAD_SWEEP_PER_SEC.join(','), '--duration', '10', '--sessions', '64', '--warmup', '3', '--grace', '30'] },
  { name: 'load-idle', script: 'load', args: ['--idle-sessions', '10000', '--sessions', '8', '--idle-rate', '200', '--idle-hold', '20'] },
];
const RESULTS_DIR = 'bench/results';

function run(script: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['run', '-s', script, ...(args.length > 0 ? ['--', ...args] : [])], { stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

function packageScripts(): ReadonlySet<string> {
  const json = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts?: Record<string, string> };
  return new Set(Object.keys(json.scripts ?? {}));
}

async function main(): Promise<void> {
  let only: Set<string> | undefined;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { only: { type: 'string' } }, strict: true });
    only = values.only === undefined ? undefined : new Set(values.only.split(',').map((name) => name.trim()));
  } catch (error) {
    throw new CodedError('BENCH_OPTIONS_INVALID', error instanceof Error ? error.message : String(error));
  }
  for (const name of only ?? []) if (!STEPS.some((step) => step.name === name)) throw new CodedError('BENCH_OPTIONS_INVALID', `--only names ${name}; known: ${STEPS.map((step) => step.name).join(', ')}`);
  const scripts = packageScripts();
  const outcomes: { readonly name: string; readonly outcome: string }[] = [];
  for (const step of STEPS) {
    if (only !== undefined && !only.has(step.name)) continue;
    if (!scripts.has(step.script)) {
      outcomes.push({ name: step.name, outcome: `skipped: no "${step.script}" script` });
      continue;
    }
    console.log(`\n=== ${step.name}: npm run ${step.script}${step.args.length > 0 ? ` -- ${step.args.join(' ')}` : ''}`);
    const startedMs = performance.now();
    const code = await run(step.script, step.args);
    const seconds = ((performance.now() - startedMs) / 1_000).toFixed(0);
    outcomes.push({ name: step.name, outcome: code === 0 ? `ok in ${seconds} s` : `FAILED (exit ${code}) after ${seconds} s` });
  }
  const summary = writeSummary(RESULTS_DIR);
  console.log(`\n${summaryMarkdown(summary)}`);
  for (const { name, outcome } of outcomes) console.log(`${name.padEnd(12)} ${outcome}`);
  console.log(`wrote ${RESULTS_DIR}/summary.json and ${RESULTS_DIR}/summary.md`);
  if (outcomes.some(({ outcome }) => outcome.startsWith('FAILED'))) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
