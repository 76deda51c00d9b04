// The run measure's HDR summaries against a sorted-array reference (within HDR's 3
// significant digits), and its per-second ack counter.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HISTOGRAM_MAX_US, RunMeasure, summarize } from '../../../load-tests/driver/measure.js';
import { FlowRandom } from '../../../load-tests/driver/order-flow.js';

const SEED = Number(process.env.SEED ?? 4242);

test('percentiles agree with a sorted reference to three significant digits', () => {
  const random = new FlowRandom(SEED);
  const measure = new RunMeasure();
  const samplesUs: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const us = Math.max(1, Math.round(random.next() ** 3 * 50_000));
    samplesUs.push(us);
    measure.recordAck(0, us / 1_000, undefined);
  }
  samplesUs.sort((a, b) => a - b);
  const summary = summarize(measure.ack);
  assert.is(summary.count, 20_000);
  for (const [percentile, value] of [[50, summary.p50Us], [99, summary.p99Us], [99.9, summary.p999Us]] as const) {
    const reference = samplesUs[Math.ceil((percentile / 100) * samplesUs.length) - 1]!;
    assert.ok(Math.abs(value - reference) <= Math.max(2, reference * 0.002), `seed ${SEED}: p${percentile} ${value} vs ${reference}`);
  }
  assert.ok(Math.abs(summary.maxUs - samplesUs.at(-1)!) <= samplesUs.at(-1)! * 0.002);
});

test('latencies are clamped to the histogram range and errors are counted by name', () => {
  const measure = new RunMeasure();
  measure.recordAck(0, 10 * HISTOGRAM_MAX_US, 'REQUEST_OVERLOADED');
  measure.recordAck(5, 5, undefined);
  assert.is(measure.ack.totalCount, 2);
  assert.ok(measure.ack.maxValue >= HISTOGRAM_MAX_US * 0.999);
  assert.ok(measure.ack.minNonZeroValue >= 1);
  assert.equal(measure.errors, { REQUEST_OVERLOADED: 1 });
  assert.is(measure.takeAckedSinceLast(), 2);
  assert.is(measure.takeAckedSinceLast(), 0);
});

test.run();
