// One gateway routes several shards: it publishes the shard map (ids, routes, each enclave's
// identity, markets), serves each shard's attestation and statement, and relays a websocket on
// /v1/shards/<id>/stream to that shard's enclave only. Unknown shards are GATEWAY_SHARD_UNKNOWN
// (404, before any upgrade); a configuration with a market in two shards does not start.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { isCodedError } from '../../src/errors/index.js';
import { createGateway, shardMapOf, type GatewayShard } from '../../src/gateway/index.js';
import { CLIENT_HELLO_BYTES } from '../../src/protocol/hello.js';
import { closeProbes, rawProbe } from '../../load-tests/drills/fuzz/probes.js';
import { FakeLink } from './support/fake-link.js';
import { TEST_MARKET, until } from './support/harness.js';

const KSM = { ...TEST_MARKET, id: 'KSM/USDC', base: 'KSM', baseDecimals: 12 };

class FakeShardLink extends FakeLink {
  constructor(readonly shardStatement: string | undefined, identityByte: string) {
    super();
    // FakeLink's bundle is an own field; each fake shard gets its own identity key in it.
    Object.defineProperty(this, 'bundle', { value: JSON.stringify({ version: 1, kind: 'dev', insecure: true, enclaveKeys: { ed25519Hex: identityByte.repeat(32), x25519Hex: 'bb'.repeat(32) } }) });
  }
}

function shards(): { a: FakeShardLink; b: FakeShardLink; config: GatewayShard[] } {
  const a = new FakeShardLink('{"statement":"a"}', 'a1');
  const b = new FakeShardLink('{"statement":"b"}', 'b2');
  return { a, b, config: [{ id: 'a', host: a, markets: [TEST_MARKET] }, { id: 'b', host: b, markets: [KSM] }] };
}

/** A client hello of the protocol's size and first bytes, enough for the gateway's checks. */
function helloBytes(): Uint8Array {
  const hello = new Uint8Array(CLIENT_HELLO_BYTES);
  hello[0] = 1;
  hello[1] = 1;
  return hello;
}

test('GET /v1/shards publishes the map; each shard serves its own attestation and statement', async () => {
  const { a, b, config } = shards();
  const app = createGateway({ host: a, markets: [TEST_MARKET, KSM], shards: config });
  try {
    const map = (await app.inject({ method: 'GET', url: '/v1/shards' })).json();
    assert.equal(map, {
      version: 1,
      shards: [
        { id: 'a', route: '/v1/shards/a', identityHex: 'a1'.repeat(32), markets: ['DOT/USDC'] },
        { id: 'b', route: '/v1/shards/b', identityHex: 'b2'.repeat(32), markets: ['KSM/USDC'] },
      ],
    });
    assert.equal(map, shardMapOf(config));
    assert.is((await app.inject({ method: 'GET', url: '/v1/shards/b/attestation' })).body, b.bundle);
    assert.is((await app.inject({ method: 'GET', url: '/v1/shards/b/statement' })).body, b.shardStatement);
    assert.is((await app.inject({ method: 'GET', url: '/v1/attestation' })).body, a.bundle);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/shards/b/health' })).json(), { status: 'ok', enclave: 'ready', sessions: 0 });
    b.emitFatal('shard b failed');
    const down = await app.inject({ method: 'GET', url: '/v1/shards/b/health' });
    assert.equal([down.statusCode, down.json()], [503, { status: 'unavailable', enclave: 'down', sessions: 0 }]);
    assert.is((await app.inject({ method: 'GET', url: '/v1/shards/a/health' })).statusCode, 200);
    const unknown = await app.inject({ method: 'GET', url: '/v1/shards/zz/attestation' });
    assert.is(unknown.statusCode, 404);
    assert.is((unknown.json() as { error: { name: string } }).error.name, 'GATEWAY_SHARD_UNKNOWN');
  } finally {
    await app.close();
  }
});

test('a websocket on /v1/shards/b/stream reaches shard b only; an unknown shard is refused before the upgrade', async () => {
  const { a, b, config } = shards();
  const app = createGateway({ host: a, markets: [TEST_MARKET, KSM], shards: config });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    const socket = new WebSocket(`${base}/v1/shards/b/stream`);
    await once(socket, 'open');
    const answered = once(socket, 'message');
    socket.send(helloBytes());
    await answered;
    assert.ok(await until(() => b.open.size === 1));
    assert.is(a.open.size, 0);
    socket.close();
    const refused = new WebSocket(`${base}/v1/shards/zz/stream`);
    const status = await new Promise<number>((resolve) => {
      refused.once('unexpected-response', (_request, response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      refused.once('open', () => resolve(101));
      refused.once('error', () => resolve(-1));
    });
    assert.is(status, 404);
    refused.terminate();
  } finally {
    await app.close();
  }
});

test('a market in two shards, a repeated id or an unsharded enclave is GATEWAY_SHARD_CONFIG_INVALID', () => {
  const { a, b } = shards();
  const variants: GatewayShard[][] = [
    [{ id: 'a', host: a, markets: [TEST_MARKET] }, { id: 'b', host: b, markets: [TEST_MARKET] }],
    [{ id: 'a', host: a, markets: [TEST_MARKET] }, { id: 'a', host: b, markets: [KSM] }],
    [{ id: 'a', host: new FakeShardLink(undefined, 'c3'), markets: [TEST_MARKET] }],
    [{ id: 'a/b', host: a, markets: [TEST_MARKET] }],
  ];
  for (const variant of variants) {
    try {
      createGateway({ host: a, markets: [TEST_MARKET, KSM], shards: variant });
      assert.unreachable('started');
    } catch (error) {
      assert.ok(isCodedError(error, 'GATEWAY_SHARD_CONFIG_INVALID'), String(error));
    }
  }
});

test('a shard stream refuses a malformed upgrade with the code /v1/stream gives', async () => {
  const { a, config } = shards();
  const app = createGateway({ host: a, markets: [TEST_MARKET, KSM], shards: config });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  try {
    for (const path of ['/v1/stream', '/v1/shards/b/stream']) {
      const badVersion = `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n`;
      assert.equal(await rawProbe(port, Buffer.from(badVersion), false), { kind: 'coded', code: 1100 }, path);
    }
  } finally {
    closeProbes();
    await app.close();
  }
});

test.run();
