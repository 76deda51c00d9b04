// load.json: the headline is the 20,000/s row when there is one, lost and duplicated add up
// over every row, sustainedPerSec ignores rows that lost or fell short, and a latency run and
// an idle run each keep the other's fields in the one file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunResult } from '../../../load-tests/driver/open-loop.js';
import { parseLoadOptions } from '../../../load-tests/driver/options.js';
import { idleFields, latencyFields, writeLoadJson } from '../../../load-tests/driver/results.js';
import type { IdleRun, LatencyRun } from '../../../load-tests/driver/run-modes.js';

const summary = (p50Us: number) => ({ count: 10, p50Us, p90Us: p50Us * 2, p99Us: p50Us * 3, p999Us: p50Us * 4, maxUs: p50Us * 5, meanUs: p50Us });

function result(offeredPerSec: number, achievedPerSec: number, lost: number): RunResult {
  return {
    offeredPerSec, achievedPerSec, durationS: 10, sent: offeredPerSec * 10, acked: offeredPerSec * 10 - lost, lost, duplicated: 0,
    lateAnswers: 0, unsent: 0, faults: 0, reports: 0, errors: {}, sentByKind: { passivePlace: 1, crossingPlace: 1, cancel: 1, heartbeat: 0 },
    ack: summary(offeredPerSec / 10), fill: summary(offeredPerSec / 5), sendLag: summary(1), ackHistogramCount: offeredPerSec * 10 - lost,
  };
}

const options = parseLoadOptions(['--sweep', '5000,20000,50000', '--duration', '10']);
const latencyRun: LatencyRun = {
  rates: [result(5_000, 5_000, 0), result(20_000, 19_900, 0), result(50_000, 30_000, 7)].map((row) => ({ ...row, cpu: { driverCpuMs: row.acked / 10, engineCpuMs: row.acked / 5 } })),
  sessions: 64, engineLaunched: true, funded: true, closedSessions: {},
};

test('the headline is the 20,000/s row; totals and the sustained rate are computed over rows', () => {
  const fields = latencyFields(latencyRun, options);
  assert.is(fields.offeredPerSec, 20_000);
  assert.is(fields.ackP99Us, 6_000);
  assert.is(fields.ackP99UsAt20k, 6_000);
  assert.is(fields.fillP50Us, 4_000);
  assert.is(fields.lost, 7);
  assert.is(fields.sustainedPerSec, 19_900, 'the 50,000/s row lost orders and fell short');
  const refused = latencyFields({ ...latencyRun, rates: latencyRun.rates.map((row) => (row.offeredPerSec === 20_000 ? { ...row, errors: { REQUEST_OVERLOADED: 3 } } : row)) }, options);
  assert.is(refused.sustainedPerSec, 5_000, 'a row with refusals is not sustained');
  assert.is((refused.rates as Record<string, unknown>[])[1]!.errorAcks, 3);
  assert.is(fields.maxAchievedPerSec, 30_000);
  const rows = fields.rates as Record<string, unknown>[];
  assert.is(rows.length, 3);
  assert.is(rows[0]!.driverCpuUsPerOrder, 100, 'CPU per acked order, µs');
  assert.is(rows[0]!.engineCpuUsPerOrder, 200);
  const conditions = fields.conditions as Record<string, unknown>;
  assert.is(conditions.sessions, 64);
  assert.is(conditions.seed, options.seed);
  assert.type(conditions.node, 'string');
  assert.type(conditions.cores, 'number');
});

test('latency and idle runs merge into one load.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'load-results-'));
  try {
    const idleRun: IdleRun = {
      idleSessions: 100, flowSessions: 2, rssBytesBefore: 100_000_000, rssBytesWithSessions: 102_000_000, rssBytesPerIdleSession: 20_000,
      openSeconds: 1, holdSeconds: 2, heartbeatEveryS: 1, heartbeatsSent: 5, heartbeatsAcked: 5, heartbeatsLost: 0, heartbeatAck: summary(100),
      flow: result(50, 50, 0), closedSessions: {},
    };
    writeLoadJson(dir, idleFields(idleRun, options));
    const path = writeLoadJson(dir, latencyFields(latencyRun, options));
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    assert.is(json.rssBytesPerIdleSession, 20_000, 'the idle run\'s field survives the latency run');
    assert.is(json.offeredPerSec, 20_000);
    assert.is(json.benchmark, 'load');
    assert.equal((json.targets as Record<string, number>).rssBytesPerIdleSession, 102_400);
    writeLoadJson(dir, idleFields({ ...idleRun, rssBytesPerIdleSession: 30_000 }, options));
    const again = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    assert.is(again.rssBytesPerIdleSession, 30_000);
    assert.is(again.sustainedPerSec, 19_900, 'and the latency fields survive the idle run');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
