// The shared engine launcher: the child reports its URL, serves real SDK clients, reports its
// memory, dies on SIGKILL and comes back on the same data dir, port and dev root with the
// acknowledged order still resting.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DarkpoolClient } from '../../client/sdk/index.js';
import { nodeTransport } from '../../client/sdk/node-transport.js';
import { ENGINE_MARKET, EngineProcess } from '../../load-tests/engine-process.js';
import { Prng } from '../support/prng.js';
import { seedFrom } from '../support/enclave-trader.js';

test('start, trade, SIGKILL, restart: the acked order is still open', async () => {
  const engine = await EngineProcess.start({ chain: 'none', stderr: 'ignore', limits: { maxSessions: 64 } });
  try {
    assert.match(engine.url, /^http:\/\/127\.0\.0\.1:[0-9]+$/);
    assert.ok(engine.port > 0, 'port 0 became a real port');
    assert.ok(engine.rssBytes() > 10_000_000, `rss ${engine.rssBytes()}`);
    const secretKey = seedFrom(new Prng(7));
    const client = new DarkpoolClient({ url: engine.url, secretKey, policy: engine.policy, transport: nodeTransport, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    await client.connect();
    await engine.deposit(client.accountId, 'USDC', 1_000_000_000n);
    const order = await client.createOrder(ENGINE_MARKET.id, 'limit', 'buy', '1', '5.00');
    await client.close();
    const { signal } = await engine.kill('SIGKILL');
    assert.is(signal, 'SIGKILL');
    assert.not.ok(engine.alive);
    const { url, devRootHex } = engine;
    await engine.restart();
    assert.is(engine.url, url, 'same URL after restart');
    assert.is(engine.devRootHex, devRootHex, 'same dev root after restart');
    const again = new DarkpoolClient({ url: engine.url, secretKey, policy: engine.policy, transport: nodeTransport });
    await again.connect();
    const open = await again.fetchOpenOrders(ENGINE_MARKET.id);
    assert.equal(open.map((o) => o.id), [order.id]);
    await again.close();
    const stats = await engine.stats();
    assert.ok(stats.durableSequence >= 2, 'the journal holds the deposit and the order');
    assert.equal(engine.fatalMessages, []);
  } finally {
    await engine.stop();
  }
});

test.run();
