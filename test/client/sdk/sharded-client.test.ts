// The sharded client's own checks, without a venue (test/shards/sharded-venue.test.ts drives a
// real one): option bounds, the map fetched and parsed at connect, routing by market with a
// coded error for an unrouted market or unknown shard, and a transfer to the same shard refused
// before any request leaves.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDarkpoolError, ShardedDarkpoolClient, type FetchLike } from '../../../client/sdk/index.js';
import type { ErrorName } from '../../../src/errors/index.js';

const MAP = JSON.stringify({
  version: 1,
  shards: [
    { id: 'a', route: '/v1/shards/a', identityHex: 'a1'.repeat(32), markets: ['DOT/USDC'] },
    { id: 'b', route: '/v1/shards/b', identityHex: 'b2'.repeat(32), markets: ['KSM/USDC'] },
  ],
});
const POLICY = { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: '00'.repeat(32) } } as const;

function fakeFetch(answers: Readonly<Record<string, { status: number; body: string }>>, seen: string[] = []): FetchLike {
  return async (url) => {
    const path = new URL(url).pathname;
    seen.push(path);
    const answer = answers[path] ?? { status: 404, body: '{}' };
    return { ok: answer.status === 200, status: answer.status, text: async () => answer.body };
  };
}

function client(fetch: FetchLike, extra: Record<string, unknown> = {}): ShardedDarkpoolClient {
  return new ShardedDarkpoolClient({ url: 'http://127.0.0.1:9', secretKey: '11'.repeat(32), policy: POLICY, fetch, ...extra });
}

async function expectCode(action: () => unknown, name: ErrorName): Promise<void> {
  try {
    await action();
  } catch (error) {
    assert.ok(isDarkpoolError(error, name), `expected ${name}, got ${String(error)}`);
    return;
  }
  assert.unreachable(`expected ${name}`);
}

test('options are checked at construction', async () => {
  await expectCode(() => client(fakeFetch({}), { transferAttempts: 0 }), 'CLIENT_OPTIONS_INVALID');
  await expectCode(() => client(fakeFetch({}), { secretKey: 'short' }), 'CLIENT_KEY_INVALID');
  await expectCode(() => client(fakeFetch({}), { url: 'ftp://venue.example' }), 'CLIENT_OPTIONS_INVALID');
  await expectCode(() => client(fakeFetch({}), { url: 'not a url' }), 'CLIENT_OPTIONS_INVALID');
});

test('connect fetches the map; markets route to their shard, others are CLIENT_SHARD_UNKNOWN', async () => {
  const seen: string[] = [];
  const sharded = client(fakeFetch({ '/v1/shards': { status: 200, body: MAP } }, seen));
  await expectCode(() => sharded.shardOf('DOT/USDC'), 'CLIENT_NOT_CONNECTED');
  const map = await sharded.connect();
  assert.equal(seen, ['/v1/shards']);
  assert.is(map.shards.size, 2);
  assert.is(sharded.shardOf('KSM/USDC'), 'b');
  await expectCode(() => sharded.shardOf('XYZ/USDC'), 'CLIENT_SHARD_UNKNOWN');
  await expectCode(() => sharded.shard('zz'), 'CLIENT_SHARD_UNKNOWN');
  await expectCode(() => sharded.transferBetweenShards('USDC', '1', 'a', 'a'), 'CLIENT_SHARD_TRANSFER_INVALID');
  assert.equal(sharded.openShardIds, []);
  await sharded.close();
});

test('a bad or missing map fails connect with a coded error', async () => {
  await expectCode(() => client(fakeFetch({ '/v1/shards': { status: 200, body: '{"version":1,"shards":"x"}' } })).connect(), 'CLIENT_SHARD_MAP_INVALID');
  await expectCode(() => client(fakeFetch({})).connect(), 'CLIENT_HTTP_FAILED');
});

test.run();
