// The driver's engine helpers: trader keys derived from the seed (same seed, same accounts;
// idle and trading keys apart), gateway limits that the gateway's own validation accepts and
// that lift the per-session rate cap, and a remote engine the driver cannot fund.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadGatewayLimits, remoteEngine, traderKey } from '../../../load-tests/driver/engine.js';
import { resolveGatewayLimits } from '../../../src/gateway/config.js';

test('trader keys are deterministic per seed, purpose and index', () => {
  const a = traderKey(7, 'trader', 0);
  assert.is(a.secretKey.length, 32);
  assert.match(a.account, /^[0-9a-f]{64}$/);
  assert.is(traderKey(7, 'trader', 0).account, a.account);
  const others = [traderKey(8, 'trader', 0), traderKey(7, 'trader', 1), traderKey(7, 'idle', 0)].map((key) => key.account);
  assert.is(new Set([a.account, ...others]).size, 4);
});

test('load limits pass the gateway\'s validation and raise sessions and rate', () => {
  const limits = resolveGatewayLimits(loadGatewayLimits(10_072));
  assert.is(limits.maxSessions, 10_072);
  assert.ok(limits.framesPerSecond >= 100_000 && limits.burstFrames >= 100_000);
});

test('a remote engine is not funded by the driver and has no process', async () => {
  const engine = remoteEngine('http://127.0.0.1:8080/');
  assert.is(engine.url, 'http://127.0.0.1:8080');
  assert.is(engine.process, undefined);
  assert.is(await engine.fund(['00'.repeat(32)], { DOT: 1n }), false);
  await engine.stop();
});

test.run();
