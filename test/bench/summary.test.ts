// The benchmark summary over a results directory: met and missed against the targets, a
// missing file listed as not run, a malformed one as BENCH_RESULT_INVALID without stopping the
// rest, an unknown benchmark read from its own targets, and the markdown table.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { numberAt, summarize, summaryMarkdown, writeSummary } from '../../bench/summary.js';
import { isCodedError } from '../../src/errors/index.js';

function withResults(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-summary-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LOAD = JSON.stringify({ sustainedPerSec: 60_000, ackP99UsAt20k: 2_500, lost: 0, duplicated: 1, rssBytesPerIdleSession: 20_000, conditions: { date: '2026-11-25T00:00:00Z', machine: 'test box' } });

test('targets are met or missed by their comparison; missing, malformed and unknown files are handled', () => {
  withResults({
    'load.json': LOAD,
    'settlement.json': '{ not json',
    'matching.json': JSON.stringify({ opsPerSec: 3_500_000, p99Ns: 900, p999Ns: 6_000, ratio: 25 }),
    'cluster.json': JSON.stringify({ failoverMs: 800, replicatedPerSec: 40_000, targets: { failoverMs: 1_000, replicatedPerSec: 50_000, note: 'x' } }),
  }, (dir) => {
    const summary = summarize(dir, '2026-11-25T01:00:00Z');
    const row = (metric: string) => summary.rows.find((candidate) => candidate.metric === metric)!;
    assert.is(row('sustained encrypted orders end to end').met, true);
    assert.is(row('order→ack p99 at 20,000/s').met, false);
    assert.is(row('lost acks').met, true);
    assert.is(row('duplicated acks').met, false);
    assert.is(row('engine memory per idle session').met, true);
    assert.is(row('matcher p99.9').met, false);
    assert.is(row('memory per resting order').met, null, 'a field the file lacks is not measured');
    assert.is(row('failoverMs').met, true);
    assert.is(row('failoverMs').comparison, '≤');
    assert.is(row('replicatedPerSec').comparison, '≥');
    assert.is(row('replicatedPerSec').met, false);
    const status = (benchmark: string) => summary.benchmarks.find((candidate) => candidate.benchmark === benchmark)!;
    assert.is(status('settlement').status, 'invalid');
    assert.match(status('settlement').detail!, /BENCH_RESULT_INVALID/);
    assert.is(status('enclave').status, 'not run');
    assert.is(status('matching').status, 'invalid', 'a missing field marks the file');
    assert.is(status('load (end to end)').measuredAt, '2026-11-25T00:00:00Z');
    assert.is(status('load (end to end)').machine, 'test box');
    assert.is(summary.met + summary.missed + summary.unmeasured, summary.rows.length);
    const markdown = summaryMarkdown(summary);
    assert.match(markdown, /\| load \(end to end\) \| order→ack p99 at 20,000\/s \| 2,500 µs \| ≤ 2,000 µs \| no \|/);
    assert.match(markdown, /\| enclave \| encrypted commands through the enclave boundary \| — \(not run\) \|/);
  });
});

test('a missing optional benchmark (cluster) adds no rows; writeSummary writes both files', () => {
  withResults({ 'load.json': LOAD }, (dir) => {
    const summary = writeSummary(dir);
    assert.not.ok(summary.benchmarks.some((status) => status.benchmark === 'cluster'));
    assert.ok(summary.rows.length > 5);
  });
});

test('numberAt reads dotted paths and refuses anything but a finite number', () => {
  assert.is(numberAt({ a: { b: 3 } }, 'a.b'), 3);
  for (const json of [{}, { a: { b: '3' } }, { a: { b: null } }, { a: 5 }]) {
    try {
      numberAt(json, 'a.b');
      assert.unreachable('accepted');
    } catch (error) {
      assert.ok(isCodedError(error, 'BENCH_RESULT_INVALID'));
    }
  }
});

test.run();
