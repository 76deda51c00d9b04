// The hand-written SVG plot: one point per rate for each percentile, higher latency drawn
// higher (smaller y) on the log axis, rates left to right in order, and valid XML text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { latencyPlotSvg, type PlotRow } from '../../../load-tests/driver/latency-plot.js';

const ROWS: PlotRow[] = [
  { offeredPerSec: 20_000, achievedPerSec: 19_990, ackP50Us: 900, ackP99Us: 4_000, ackP999Us: 9_000 },
  { offeredPerSec: 5_000, achievedPerSec: 5_000, ackP50Us: 300, ackP99Us: 1_200, ackP999Us: 2_500 },
  { offeredPerSec: 50_000, achievedPerSec: 31_000, ackP50Us: 400_000, ackP99Us: 900_000, ackP999Us: 1_200_000 },
];

function polylines(svg: string): { x: number; y: number }[][] {
  return [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((match) => match[1]!.split(' ').map((pair) => {
    const [x, y] = pair.split(',').map(Number);
    return { x: x!, y: y! };
  }));
}

test('three series of one point per rate, ordered by rate, percentiles stacked', () => {
  const svg = latencyPlotSvg(ROWS, 'ack latency <test> & plot', 2_000);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.ok(svg.includes('ack latency &lt;test&gt; &amp; plot'), 'the title is escaped');
  const [p50, p99, p999] = polylines(svg);
  for (const series of [p50, p99, p999]) {
    assert.is(series!.length, 3);
    assert.ok(series![0]!.x < series![1]!.x && series![1]!.x < series![2]!.x, 'rates left to right');
  }
  for (let i = 0; i < 3; i++) assert.ok(p50![i]!.y > p99![i]!.y && p99![i]!.y > p999![i]!.y, 'p99.9 above p99 above p50');
  assert.ok(p50![2]!.y < p50![0]!.y, 'the saturated rate is drawn higher');
  for (const series of [p50, p99, p999]) for (const point of series!) assert.ok(Number.isFinite(point.x) && Number.isFinite(point.y) && point.y >= 0 && point.y <= 440);
  assert.ok(svg.includes('p99 target 2 ms'));
});

test('a single rate plots; no rows is a bug', () => {
  assert.is(polylines(latencyPlotSvg([ROWS[0]!], 't', 2_000)).length, 3);
  assert.throws(() => latencyPlotSvg([], 't', 2_000), /at least one row/);
});

test.run();
