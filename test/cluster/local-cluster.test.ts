// The local JetStream cluster tooling: the shipped configs are what the renderer makes, a
// missing nats-server is a coded error naming the install command, and nodes can be killed,
// restarted and stopped, leaving no process behind. Needs nats-server (CI installs it).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalCluster, natsServerPath, renderNodeConfig } from '../../src/cluster/local-cluster.js';
import { isCodedError } from '../../src/errors/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('the shipped cluster configs are the rendered ones (ports 4222-4224, routes 6222-6224, stores under data/cluster)', () => {
  const ports = [1, 2, 3].map((index) => ({ clientPort: 4221 + index, clusterPort: 6221 + index }));
  for (const [index, pair] of ports.entries()) {
    const shipped = readFileSync(join(ROOT, 'cluster', `node-${index + 1}.conf`), 'utf8');
    assert.is(shipped, renderNodeConfig({ name: `n${index + 1}`, ...pair, storeDir: `data/cluster/n${index + 1}/store` }, ports));
    assert.match(shipped, /listen: "127\.0\.0\.1:/, 'loopback only');
  }
});

test('a missing nats-server is a coded error that says how to install it', () => {
  try {
    natsServerPath('/nonexistent');
    assert.unreachable('found nats-server on an empty path');
  } catch (error) {
    assert.ok(isCodedError(error, 'CLUSTER_NATS_SERVER_MISSING'));
    assert.match((error as Error).message, /apt-get install -y nats-server/);
  }
  assert.match(natsServerPath(), /nats-server$/, 'nats-server is installed (CI installs it)');
});

test('nodes start on free loopback ports, survive a SIGKILL and restart, and stop without leftovers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nats-local-cluster-test-'));
  const cluster = await LocalCluster.start(dir, { lifetimeSeconds: 120 });
  const pids: number[] = [];
  try {
    assert.equal(cluster.nodeNames, ['n1', 'n2', 'n3']);
    assert.is(new Set(cluster.servers).size, 3);
    for (const url of cluster.servers) assert.match(url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    const killed = cluster.pidOf('n2')!;
    await cluster.kill('n2');
    assert.not.ok(alive(killed), 'the killed node is gone');
    assert.is(cluster.pidOf('n2'), undefined);
    await cluster.restart('n2');
    for (const name of cluster.nodeNames) pids.push(cluster.pidOf(name)!);
    assert.ok(pids.every(alive));
    assert.match(cluster.logOf('n2'), /Listening for client connections/);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
  assert.not.ok(pids.some(alive), 'every node stopped');
});

test.run();
