// `npm run bench:summary`: reads the JSON every benchmark wrote to bench/results and writes
// bench/results/summary.json plus summary.md, one table of metric, measured, target and
// whether it is met, with when and where each file was measured. It only reads existing
// results, so it can be regenerated without rerunning anything; `npm run bench` calls it last.
// A missing file is listed as not run; a malformed one as BENCH_RESULT_INVALID, and the rest
// of the summary is still written.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError, isCodedError } from '../src/errors/index.js';

export interface SummaryRow {
  readonly benchmark: string;
  readonly metric: string;
  readonly measured: number | null;
  readonly unit: string;
  /** "≥" or "≤" a bound, or "=" an exact value. */
  readonly comparison: '≥' | '≤' | '=';
  readonly target: number;
  readonly met: boolean | null;
  readonly note?: string;
}

export interface BenchmarkStatus {
  readonly benchmark: string;
  readonly file: string;
  readonly status: 'ok' | 'not run' | 'invalid';
  readonly measuredAt: string | null;
  readonly machine: string | null;
  readonly detail?: string;
}

export interface Summary {
  readonly generatedAt: string;
  readonly benchmarks: readonly BenchmarkStatus[];
  readonly rows: readonly SummaryRow[];
  readonly met: number;
  readonly missed: number;
  readonly unmeasured: number;
}

type Json = Record<string, unknown>;
type Metric = Omit<SummaryRow, 'benchmark' | 'met' | 'measured'> & { readonly read: (json: Json) => number | null };

/** A number at a dotted path, or BENCH_RESULT_INVALID naming it. */
export function numberAt(json: Json, path: string): number {
  let value: unknown = json;
  for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Json)[key] : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new CodedError('BENCH_RESULT_INVALID', `no number at ${path}`);
  return value;
}

function optionalNumberAt(json: Json, path: string): number | null {
  try {
    return numberAt(json, path);
  } catch (error) {
    if (isCodedError(error, 'BENCH_RESULT_INVALID')) return null;
    throw error;
  }
}

const at = (path: string) => (json: Json): number => numberAt(json, path);
const atOptional = (path: string) => (json: Json): number | null => optionalNumberAt(json, path);

/** What each benchmark's file is and which of its numbers the summary reports, with the issue's targets. */
export const BENCHMARKS: readonly { readonly benchmark: string; readonly file: string; readonly optional?: boolean; readonly metrics: readonly Metric[] }[] = [
  {
    benchmark: 'matching', file: 'matching.json', metrics: [
      { metric: 'matcher throughput', read: at('opsPerSec'), unit: 'ops/s', comparison: '≥', target: 3_000_000 },
      { metric: 'matcher p99', read: at('p99Ns'), unit: 'ns', comparison: '≤', target: 1_000 },
      { metric: 'matcher p99.9', read: at('p999Ns'), unit: 'ns', comparison: '≤', target: 5_000 },
      { metric: 'speed-up over nodejs-order-book', read: at('ratio'), unit: '×', comparison: '≥', target: 20 },
      { metric: 'memory per resting order', read: at('bytesPerRestingOrder'), unit: 'B', comparison: '≤', target: 200 },
    ],
  },
  {
    benchmark: 'enclave', file: 'enclave.json', metrics: [
      { metric: 'encrypted commands through the enclave boundary', read: at('commandsPerSec'), unit: '/s', comparison: '≥', target: 50_000 },
      { metric: 'enclave p99 at 20,000/s offered', read: at('p99Us'), unit: 'µs', comparison: '≤', target: 2_000 },
      { metric: 'attestation verify (warm, full DCAP)', read: at('attestationVerifyMs'), unit: 'ms', comparison: '≤', target: 25 },
    ],
  },
  {
    benchmark: 'settlement', file: 'settlement.json', metrics: [
      { metric: 'net + encode 1,000,000 fills', read: at('netAndEncodeMs'), unit: 'ms', comparison: '≤', target: 1_000 },
    ],
  },
  {
    benchmark: 'journal', file: 'journal.json', metrics: [
      { metric: 'durable journal throughput', read: at('commandsPerSec'), unit: '/s', comparison: '≥', target: 50_000 },
      { metric: 'journal p99 at 20,000/s', read: at('p99Us'), unit: 'µs', comparison: '≤', target: 2_000 },
    ],
  },
  {
    benchmark: 'channel', file: 'channel.json', metrics: [
      { metric: 'open + seal, 256 B payload, p50', read: at('target.openSeal256PayloadP50Us'), unit: 'µs', comparison: '≤', target: 10 },
    ],
  },
  {
    benchmark: 'attestation', file: 'attestation.json', metrics: [
      { metric: 'attestation verify (warm dstack quote)', read: at('attestationVerifyMs'), unit: 'ms', comparison: '≤', target: 25 },
    ],
  },
  {
    benchmark: 'load (end to end)', file: 'load.json', metrics: [
      { metric: 'sustained encrypted orders end to end', read: at('sustainedPerSec'), unit: '/s', comparison: '≥', target: 50_000 },
      { metric: 'order→ack p99 at 20,000/s', read: atOptional('ackP99UsAt20k'), unit: 'µs', comparison: '≤', target: 2_000 },
      { metric: 'lost acks', read: at('lost'), unit: '', comparison: '=', target: 0 },
      { metric: 'duplicated acks', read: at('duplicated'), unit: '', comparison: '=', target: 0 },
      { metric: 'engine memory per idle session', read: atOptional('rssBytesPerIdleSession'), unit: 'B', comparison: '≤', target: 100 * 1_024 },
    ],
  },
  {
    benchmark: 'cluster', file: 'cluster.json', optional: true, metrics: [],
  },
];

function isMet(measured: number, comparison: SummaryRow['comparison'], target: number): boolean {
  if (comparison === '≥') return measured >= target;
  if (comparison === '≤') return measured <= target;
  return measured === target;
}

function conditionsOf(json: Json): { measuredAt: string | null; machine: string | null } {
  const conditions = (json.conditions ?? {}) as Json;
  const date = conditions.date ?? json.date;
  const machine = conditions.machine ?? conditions.cpu;
  return { measuredAt: typeof date === 'string' ? date : null, machine: typeof machine === 'string' ? machine : null };
}

/**
 * Files the summary does not know (a new benchmark such as cluster.json): every top-level
 * number that its own `targets` object names, compared as a floor when the name says a rate
 * and as a ceiling otherwise.
 */
function genericMetrics(json: Json): Metric[] {
  const targets = json.targets;
  if (typeof targets !== 'object' || targets === null) return [];
  return Object.entries(targets as Json)
    .filter(([key, value]) => typeof value === 'number' && typeof json[key] === 'number')
    .map(([key, value]): Metric => ({
      metric: key, read: at(key), unit: '', target: value as number,
      comparison: /PerSec|Rate|ratio|Throughput/i.test(key) ? '≥' : '≤',
    }));
}

export function summarize(resultsDir: string, nowIso: string): Summary {
  const benchmarks: BenchmarkStatus[] = [];
  const rows: SummaryRow[] = [];
  for (const spec of BENCHMARKS) {
    const path = join(resultsDir, spec.file);
    if (!existsSync(path)) {
      if (!spec.optional) {
        benchmarks.push({ benchmark: spec.benchmark, file: spec.file, status: 'not run', measuredAt: null, machine: null });
        for (const metric of spec.metrics) rows.push({ benchmark: spec.benchmark, metric: metric.metric, measured: null, unit: metric.unit, comparison: metric.comparison, target: metric.target, met: null, note: 'not run' });
      }
      continue;
    }
    let json: Json;
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CodedError('BENCH_RESULT_INVALID', `${spec.file} is not a JSON object`);
      json = parsed as Json;
    } catch (error) {
      const detail = isCodedError(error) ? error.message : new CodedError('BENCH_RESULT_INVALID', `${spec.file} is not JSON`).message;
      benchmarks.push({ benchmark: spec.benchmark, file: spec.file, status: 'invalid', measuredAt: null, machine: null, detail });
      continue;
    }
    const { measuredAt: stated, machine } = conditionsOf(json);
    const measuredAt = stated ?? `${statSync(path).mtime.toISOString()} (file time)`;
    const metrics = spec.metrics.length > 0 ? spec.metrics : genericMetrics(json);
    let invalid: string | undefined;
    for (const metric of metrics) {
      let measured: number | null;
      try {
        measured = metric.read(json);
      } catch (error) {
        if (!isCodedError(error, 'BENCH_RESULT_INVALID')) throw error;
        invalid ??= `${spec.file}: ${error.detail ?? error.message}`;
        measured = null;
      }
      rows.push({
        benchmark: spec.benchmark, metric: metric.metric, measured, unit: metric.unit, comparison: metric.comparison, target: metric.target,
        met: measured === null ? null : isMet(measured, metric.comparison, metric.target),
        ...(measured === null ? { note: invalid === undefined ? 'not measured in this run' : 'missing from the file' } : {}),
      });
    }
    benchmarks.push({ benchmark: spec.benchmark, file: spec.file, status: invalid === undefined ? 'ok' : 'invalid', measuredAt, machine, ...(invalid === undefined ? {} : { detail: invalid }) });
  }
  return {
    generatedAt: nowIso, benchmarks, rows,
    met: rows.filter((row) => row.met === true).length,
    missed: rows.filter((row) => row.met === false).length,
    unmeasured: rows.filter((row) => row.met === null).length,
  };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en') : value.toLocaleString('en', { maximumFractionDigits: 3 });
}

export function summaryMarkdown(summary: Summary): string {
  const lines = [
    '# Benchmark summary',
    '',
    `Generated ${summary.generatedAt} from bench/results/*.json by \`npm run bench:summary\`: ${summary.met} met, ${summary.missed} missed, ${summary.unmeasured} not measured.`,
    '',
    '| benchmark | metric | measured | target | met? |',
    '|---|---|---|---|---|',
  ];
  for (const row of summary.rows) {
    const unit = row.unit === '' ? '' : ` ${row.unit}`;
    const measured = row.measured === null ? `— (${row.note ?? 'n/a'})` : `${formatNumber(row.measured)}${unit}`;
    const met = row.met === null ? '—' : row.met ? 'yes' : 'no';
    lines.push(`| ${row.benchmark} | ${row.metric} | ${measured} | ${row.comparison} ${formatNumber(row.target)}${unit} | ${met} |`);
  }
  lines.push('', '| benchmark | file | status | measured at | machine |', '|---|---|---|---|---|');
  for (const status of summary.benchmarks) {
    lines.push(`| ${status.benchmark} | ${status.file} | ${status.status}${status.detail === undefined ? '' : `: ${status.detail.replaceAll('|', '/')}`} | ${status.measuredAt ?? '—'} | ${status.machine ?? '—'} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes summary.json and summary.md next to the results; returns the summary. */
export function writeSummary(resultsDir: string): Summary {
  const summary = summarize(resultsDir, new Date().toISOString());
  writeFileSync(join(resultsDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'summary.md'), summaryMarkdown(summary));
  return summary;
}

if (process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1]) {
  const resultsDir = process.argv[2] ?? 'bench/results';
  const summary = writeSummary(resultsDir);
  console.log(summaryMarkdown(summary));
  for (const status of summary.benchmarks) if (status.status === 'invalid') console.error(status.detail);
}
