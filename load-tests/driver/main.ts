// `npm run load -- --rate N --duration S --sessions K` (or --sweep R1,R2,… or --idle-sessions
// N): the end-to-end load driver. It starts the engine as a child process (or drives the one
// at --url), opens authenticated encrypted sessions through the real gateway, runs the
// open-loop order flow, prints a progress line, and writes bench/results/load.json (plus
// load-latency.svg for a sweep). docs/load-testing.md explains the flags and the numbers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCodedError } from '../../src/errors/index.js';
import { latencyPlotSvg } from './latency-plot.js';
import { parseLoadOptions, type LoadOptions } from './options.js';
import { idleFields, latencyFields, LOAD_TARGETS, rateRow, writeLoadJson } from './results.js';
import { runIdle, runLatency } from './run-modes.js';

export interface DriverOutput {
  readonly loadJsonPath: string;
  readonly plotPath: string | undefined;
  readonly fields: Record<string, unknown>;
}

function progressPrinter(options: LoadOptions): ((line: string) => void) | undefined {
  if (options.quiet) return undefined;
  if (process.stderr.isTTY) return (line) => process.stderr.write(`\r${line}\u001b[K`);
  return (line) => process.stderr.write(`${line}\n`);
}

/** Runs what the options ask and writes the results; the test calls this in-process. */
export async function runDriver(options: LoadOptions): Promise<DriverOutput> {
  const progress = progressPrinter(options);
  const log = (line: string): void => {
    if (options.quiet) return;
    if (progress !== undefined && process.stderr.isTTY) process.stderr.write('\r\u001b[K');
    console.log(line);
  };
  if (options.idleSessions > 0) {
    const run = await runIdle(options, log, progress);
    const fields = idleFields(run, options);
    const loadJsonPath = writeLoadJson(options.outDir, fields);
    log(`idle sessions ${run.idleSessions}: engine RSS ${(run.rssBytesBefore / 2 ** 20).toFixed(1)} → ${(run.rssBytesWithSessions / 2 ** 20).toFixed(1)} MiB, ${run.rssBytesPerIdleSession} bytes per idle session (target ≤ ${LOAD_TARGETS.rssBytesPerIdleSession})`);
    log(`heartbeats ${run.heartbeatsAcked}/${run.heartbeatsSent} acked (p99 ${run.heartbeatAck.p99Us} µs); light flow ${run.flow.acked} acks, lost ${run.flow.lost}, duplicated ${run.flow.duplicated}`);
    log(`wrote ${loadJsonPath}`);
    return { loadJsonPath, plotPath: undefined, fields };
  }
  const run = await runLatency(options, log, progress);
  const fields = latencyFields(run, options);
  const loadJsonPath = writeLoadJson(options.outDir, fields);
  let plotPath: string | undefined;
  if (run.rates.length > 1) {
    plotPath = join(options.outDir, 'load-latency.svg');
    writeFileSync(plotPath, latencyPlotSvg(run.rates.map(rateRow), `order→ack latency vs offered load (${run.sessions} sessions, ${options.durationS} s per rate)`, LOAD_TARGETS.ackP99UsAt20k));
  }
  printTable(run.rates.map(rateRow), log);
  log(`sustained ${String(fields.sustainedPerSec)}/s (target ≥ ${LOAD_TARGETS.sustainedPerSec}); ack p99 at 20000/s ${String(fields.ackP99UsAt20k ?? 'not run')} µs (target ≤ ${LOAD_TARGETS.ackP99UsAt20k})`);
  log(`wrote ${loadJsonPath}${plotPath === undefined ? '' : ` and ${plotPath}`}`);
  return { loadJsonPath, plotPath, fields };
}

function printTable(rows: readonly ReturnType<typeof rateRow>[], log: (line: string) => void): void {
  const header = ['offered/s', 'achieved/s', 'ack p50 µs', 'ack p99 µs', 'ack p99.9 µs', 'fill p50 µs', 'fill p99 µs', 'lost', 'dup', 'errors'];
  log(header.map((cell) => cell.padStart(13)).join(''));
  for (const row of rows) {
    const errors = Object.values(row.errors).reduce((sum, count) => sum + count, 0);
    log([row.offeredPerSec, row.achievedPerSec, row.ackP50Us, row.ackP99Us, row.ackP999Us, row.fillP50Us, row.fillP99Us, row.lost, row.duplicated, errors].map((cell) => String(cell).padStart(13)).join(''));
  }
}

if (process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1]) {
  try {
    await runDriver(parseLoadOptions(process.argv.slice(2)));
  } catch (error) {
    console.error(isCodedError(error) ? error.message : error instanceof Error ? error.stack ?? error.message : String(error));
    process.exitCode = 1;
  }
}
