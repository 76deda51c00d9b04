// The metrics registry: valid Prometheus text, counters that add up, a histogram whose
// buckets are cumulative, and label values only from closed sets whatever is fed in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ERRORS } from '../../src/errors/index.js';
import { GatewayMetrics, ROUND_TRIP_BUCKETS_S } from '../../src/gateway/metrics.js';

const GAUGES = { sessions: { ws: 2, rest: 1 }, enclaveReady: true, uptimeS: 12 };

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('counters, gauges and byte totals by size class', () => {
  const metrics = new GatewayMetrics();
  metrics.sessionOpened('ws');
  metrics.messageIn('ws', 210);
  metrics.messageIn('ws', 1071);
  metrics.messageIn('rest', 1071);
  metrics.messageOut('ws', 150);
  metrics.messageOut('ws', 4143);
  metrics.reject('GATEWAY_RATE_LIMITED');
  metrics.reject('GATEWAY_RATE_LIMITED');
  const text = metrics.render(GAUGES);
  assert.is(sample(text, 'darkpool_gateway_sessions{transport="ws"}'), 2);
  assert.is(sample(text, 'darkpool_gateway_enclave_ready'), 1);
  assert.is(sample(text, 'darkpool_gateway_uptime_seconds'), 12);
  assert.is(sample(text, 'darkpool_gateway_sessions_opened_total{transport="ws"}'), 1);
  assert.is(sample(text, 'darkpool_gateway_frames_in_total{transport="ws"}'), 2);
  assert.is(sample(text, 'darkpool_gateway_frames_in_total{transport="rest"}'), 1);
  assert.is(sample(text, 'darkpool_gateway_bytes_in_total{size_class="frame_1024"}'), 2142);
  assert.is(sample(text, 'darkpool_gateway_bytes_in_total{size_class="client_hello"}'), 210);
  assert.is(sample(text, 'darkpool_gateway_bytes_out_total{size_class="frame_4096"}'), 4143);
  assert.is(sample(text, `darkpool_gateway_rejects_total{code="${ERRORS.GATEWAY_RATE_LIMITED.code}",name="GATEWAY_RATE_LIMITED"}`), 2);
  for (const line of text.split('\n')) {
    assert.ok(line === '' || /^# (HELP|TYPE) darkpool_gateway_[a-z_]+ /.test(line) || /^darkpool_gateway_[a-z_]+(\{([a-z_]+="[^"\n]*",?)+\})? [0-9.e+-]+$/.test(line), `valid line: ${line}`);
  }
});

test('round-trip histogram: cumulative buckets, count and sum', () => {
  const metrics = new GatewayMetrics();
  for (const seconds of [0.0001, 0.003, 0.003, 0.2, 9]) metrics.roundTrip('frame', seconds);
  const text = metrics.render(GAUGES);
  let previous = 0;
  for (const bound of ROUND_TRIP_BUCKETS_S) {
    const count = sample(text, `darkpool_gateway_enclave_round_trip_seconds_bucket{kind="frame",le="${bound}"}`)!;
    assert.ok(count >= previous, 'cumulative');
    previous = count;
  }
  assert.is(sample(text, 'darkpool_gateway_enclave_round_trip_seconds_bucket{kind="frame",le="0.005"}'), 3);
  assert.is(sample(text, 'darkpool_gateway_enclave_round_trip_seconds_bucket{kind="frame",le="5"}'), 4);
  assert.is(sample(text, 'darkpool_gateway_enclave_round_trip_seconds_bucket{kind="frame",le="+Inf"}'), 5);
  assert.is(sample(text, 'darkpool_gateway_enclave_round_trip_seconds_count{kind="frame"}'), 5);
  assert.ok(Math.abs(sample(text, 'darkpool_gateway_enclave_round_trip_seconds_sum{kind="frame"}')! - 9.2061) < 1e-9);
});

test('labels come from closed sets: unknown enclave codes, odd methods and routes cannot mint free-form series', () => {
  const metrics = new GatewayMetrics();
  metrics.enclaveClosed(ERRORS.CHANNEL_FRAME_OUT_OF_ORDER.code);
  metrics.enclaveClosed(123_456_789);
  metrics.enclaveClosed(ERRORS.GATEWAY_INTERNAL.code);
  metrics.httpRequest('GET', '/v1/markets', 200);
  metrics.httpRequest('GET', undefined, 404);
  metrics.httpRequest('PO"ST\n', '/x"} 1\nfake_metric{a="', 400);
  const text = metrics.render(GAUGES);
  assert.is(sample(text, `darkpool_gateway_enclave_closes_total{code="${ERRORS.CHANNEL_FRAME_OUT_OF_ORDER.code}"}`), 1);
  assert.is(sample(text, 'darkpool_gateway_enclave_closes_total{code="other"}'), 2, 'codes outside the enclave table are "other"');
  assert.is(sample(text, 'darkpool_gateway_http_requests_total{method="GET",route="unmatched",status="404"}'), 1);
  assert.not.ok(text.split('\n').some((line) => line.startsWith('fake_metric')), 'label text cannot inject a series');
  assert.ok(text.split('\n').every((line) => (line.match(/"/g) ?? []).length % 2 === 0), 'every label value stays quoted');
  for (let index = 0; index < 2_000; index++) metrics.httpRequest('GET', `/r${index}`, 200);
  const series = metrics.render(GAUGES).split('\n').filter((line) => line.startsWith('darkpool_gateway_http_requests_total{'));
  assert.ok(series.length <= 512, `the HTTP series are bounded, got ${series.length}`);
});

test.run();
