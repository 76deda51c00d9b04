// Proves the k6 scripts speak the real protocol: each is built with `npm run k6:build`'s
// bundler and run under the k6 harness (one realm per VU with only k6's globals, the k6
// modules over real sockets) against the REAL enclave and gateway — attestation checked,
// handshake, AEAD frames — and its own thresholds decide. Then the harness must fail a run
// whose frames a hostile network tampers with, and a run pinned to the wrong dev root.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildK6Scripts } from '../../load-tests/k6/build.js';
import { startVenue, type Venue } from '../support/client-venue.js';
import { seedFrom } from '../support/enclave-trader.js';
import { Prng } from '../support/prng.js';
import { counterTotal, K6SetupError, runK6Script, trendValues, type K6RunResult } from './k6-harness.js';

const TRADERS = 4;
/** Thresholds loose enough for a shared 2-core CI machine; the correctness thresholds stay strict. */
const RELAXED = {
  ACK_P99_MS: '5000', FILL_P99_MS: '5000', CANCEL_P99_MS: '5000', HEARTBEAT_P99_MS: '5000', SESSION_OPEN_P99_MS: '10000',
} as const;
const PLAUSIBLE_MS = 5_000;

let venue: Venue;
let outDir: string;
let scripts: Map<string, string>;
let baseEnv: Record<string, string>;

test.before(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'k6-dist-'));
  const built = await buildK6Scripts(outDir);
  scripts = new Map(built.map((path) => [path.slice(path.lastIndexOf('/') + 1, -'.js'.length), path]));
  venue = await startVenue();
  const seeds: string[] = [];
  for (let index = 0; index < TRADERS; index++) {
    const seed = seedFrom(new Prng(9_100 + index));
    seeds.push(bytesToHex(seed));
    await venue.fund(bytesToHex(ed25519.getPublicKey(seed)), { DOT: '100000', USDC: '10000000' });
  }
  baseEnv = { BASE_URL: venue.url, DEV_ROOT: venue.devRootHex, TRADER_SEEDS: seeds.join(','), ...RELAXED };
});

test.after(async () => {
  await venue?.close();
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
});

function script(name: string): string {
  const path = scripts.get(name);
  if (path === undefined) throw new Error(`no built k6 script ${name}; built: ${[...scripts.keys()].join(', ')}`);
  return path;
}

function failedThresholds(result: K6RunResult): string {
  return result.thresholds.filter((threshold) => !threshold.passed).map((threshold) => `${threshold.metric} ${threshold.expression} (${threshold.value})`).join('; ');
}

/** What every clean run must show: its own thresholds pass, every iteration ended by itself, no errors of any kind. */
function assertClean(result: K6RunResult, sessions: number): void {
  assert.equal(result.iterationErrors, [], 'no iteration threw');
  assert.is(result.iterationsInterrupted, 0, 'no iteration ran into maxDuration');
  assert.ok(result.thresholdsPassed, `thresholds failed: ${failedThresholds(result)}`);
  assert.ok(result.thresholds.length >= 6, 'the script declares its thresholds');
  assert.is(counterTotal(result, 'sessions_opened'), sessions, 'every VU opened its session');
  assert.is(counterTotal(result, 'protocol_errors'), 0);
  assert.is(counterTotal(result, 'session_errors'), 0);
  assert.is(counterTotal(result, 'answers_lost'), 0);
  assert.is(counterTotal(result, 'requests_rejected'), 0);
  for (const value of trendValues(result, 'session_open_latency')) assert.ok(value > 0 && value < PLAUSIBLE_MS, `session open ${value} ms`);
}

function assertPlausible(values: readonly number[], title: string): void {
  assert.ok(values.length > 0, `${title} recorded`);
  for (const value of values) assert.ok(value >= 0 && value < PLAUSIBLE_MS, `${title} ${value} ms`);
}

test('steady: orders are acknowledged and fill through real encrypted sessions', async () => {
  const result = await runK6Script({ scriptPath: script('steady'), env: { ...baseEnv, SESSIONS: '4', RATE: '80', DURATION: '1500ms' } });
  assertClean(result, 4);
  const sent = counterTotal(result, 'orders_sent');
  assert.ok(sent >= 60, `about 80/s for 1.5 s offered, ${sent} sent`);
  assert.is(counterTotal(result, 'orders_acked'), sent, 'every order acknowledged exactly once');
  assert.ok(result.websocketMessages.sent >= sent + 4 && result.websocketMessages.received >= sent + 4, 'a hello each, then one frame per order; answers back');
  assert.ok(counterTotal(result, 'orders_filled') > 0, 'buyers and sellers at one price fill');
  assertPlausible(trendValues(result, 'order_ack_latency'), 'order→ack');
  assertPlausible(trendValues(result, 'order_fill_latency'), 'order→fill');
  assert.ok(result.metrics.get('order_fill_latency')!.samples.some((sample) => sample.tags.liquidity === 'taker'), 'taker fills are tagged');
  assert.ok(result.logs.some((line) => line.includes('dev root Ed25519 signature over the report data verifies')), 'setup logged the attestation checks');
});

test('bursts: back-to-back orders are all acknowledged', async () => {
  const result = await runK6Script({ scriptPath: script('bursts'), env: { ...baseEnv, SESSIONS: '2', BURST_SIZE: '40', BURST_INTERVAL: '500ms', DURATION: '1200ms' } });
  assertClean(result, 2);
  const sent = counterTotal(result, 'orders_sent');
  assert.ok(sent >= 2 * 40 && sent % 40 === 0, `whole bursts of 40 from each VU, ${sent} sent`);
  assert.is(counterTotal(result, 'orders_acked'), sent);
  assert.ok(counterTotal(result, 'orders_filled') > 0);
  assertPlausible(trendValues(result, 'order_ack_latency'), 'order→ack');
});

test('cancel-storm: every resting order of a storm is cancelled', async () => {
  const result = await runK6Script({ scriptPath: script('cancel-storm'), env: { ...baseEnv, SESSIONS: '2', STORM_SIZE: '30', STORM_INTERVAL: '300ms', DURATION: '1200ms' } });
  assertClean(result, 2);
  const sent = counterTotal(result, 'orders_sent');
  assert.ok(sent >= 2 * 30, `${sent} sent`);
  assert.is(counterTotal(result, 'orders_acked'), sent);
  assert.is(counterTotal(result, 'cancels_acked'), sent, 'each acknowledged order was cancelled once');
  assert.is(counterTotal(result, 'orders_filled'), 0, 'storm orders rest away from the other side');
  assertPlausible(trendValues(result, 'cancel_ack_latency'), 'cancel→ack');
});

test('idle-sessions: idle sessions, several to a VU, heartbeat while a light flow trades', async () => {
  const result = await runK6Script({
    scriptPath: script('idle-sessions'),
    env: { ...baseEnv, SESSIONS: '12', SESSIONS_PER_VU: '5', FLOW_SESSIONS: '2', FLOW_RATE: '20', RAMP: '300ms', HEARTBEAT_INTERVAL: '250ms', DURATION: '1s' },
  });
  assertClean(result, 14);
  assert.ok(trendValues(result, 'heartbeat_latency').length >= 12, 'every idle session heartbeat at least once');
  assertPlausible(trendValues(result, 'heartbeat_latency'), 'heartbeat');
  assert.ok(counterTotal(result, 'orders_acked') > 0);
  assert.is(counterTotal(result, 'orders_acked'), counterTotal(result, 'orders_sent'));
});

test('a tampered frame gets a coded error and fails the run', async () => {
  // The network injects, ahead of VU 1's second sealed frame, a copy with one ciphertext byte
  // flipped. The enclave must refuse it with its coded error (2115) and, since a refused frame
  // changes nothing, still accept the genuine frame after it.
  const result = await runK6Script({
    scriptPath: script('steady'),
    env: { ...baseEnv, SESSIONS: '2', RATE: '40', DURATION: '800ms' },
    tamperOutgoing: (vu, index, bytes) => {
      if (vu !== 1 || index !== 2) return [bytes];
      const tampered = bytes.slice();
      tampered[tampered.length - 1]! ^= 0x01;
      return [tampered, bytes];
    },
  });
  assert.not.ok(result.thresholdsPassed, 'the run fails its thresholds');
  const causes = result.metrics.get('protocol_errors')!.samples.map((sample) => sample.tags.cause);
  assert.equal(causes, ['CHANNEL_FRAME_AUTH_FAILED'], 'exactly the injected frame was refused, with the enclave code 2115');
  const failed = result.thresholds.filter((threshold) => !threshold.passed).map((threshold) => threshold.metric);
  assert.equal(failed, ['protocol_errors'], 'only the protocol-error threshold fails');
  assert.is(counterTotal(result, 'orders_acked'), counterTotal(result, 'orders_sent'), 'the genuine frame after the forgery was accepted');
  assert.is(counterTotal(result, 'session_errors'), 0);
});

test('setup refuses an enclave whose dev root is not the pinned one', async () => {
  const wrongRoot = bytesToHex(ed25519.getPublicKey(seedFrom(new Prng(77))));
  let refused: unknown;
  await runK6Script({ scriptPath: script('steady'), env: { ...baseEnv, DEV_ROOT: wrongRoot, SESSIONS: '1', DURATION: '200ms' } }).catch((error: unknown) => { refused = error; });
  assert.instance(refused, K6SetupError);
  assert.is((refused as K6SetupError).errorName, 'K6_ATTESTATION_REFUSED');
  assert.is((refused as K6SetupError).code, 6452);
  assert.match((refused as K6SetupError).message, wrongRoot);
});

test.run();
