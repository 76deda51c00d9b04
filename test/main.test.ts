// Smoke tests of `npm start`: it comes up on a free port (PORT=0) with its data in a temporary
// directory, prints the page URL and a CLI one-liner; the health endpoint and the page answer;
// the printed command places an order through the encrypted channel; Ctrl-C (SIGINT to the
// process group, as a terminal sends it) stops everything cleanly. With SHARDS=2 the gateway
// publishes two shards, each enclave signs its own statement, and the one-liner still trades.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = new URL('..', import.meta.url).pathname;
const DEADLINE_MS = 60_000;

test('npm start serves the page, the printed CLI command places an order, SIGINT exits cleanly', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, PORT: '0', DARKPOOL_DATA_DIR: dataDir }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
  // 'close', not 'exit': npm may exit on the signal before the program under it has finished
  // shutting down; the pipes close only once every process holding them is gone.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const killTimer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } }, DEADLINE_MS);
  try {
    const started = Date.now();
    while (!/Place an order: .*\n/.test(out) && Date.now() - started < 45_000 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
    const page = /Trading page: (http:\/\/127\.0\.0\.1:\d+)\/\?devRoot=([0-9a-f]{64})/.exec(out);
    const command = /Place an order: (npx darkpool .*)\n/.exec(out);
    assert.ok(page !== null && command !== null, out);
    assert.match(out, 'INSECURE');
    const url = page![1]!;
    const health = await (await fetch(`${url}/v1/health`)).json() as { status: string };
    assert.is(health.status, 'ok');
    const html = await (await fetch(`${url}/`)).text();
    assert.match(html, '<!doctype html>');
    assert.match(command![1]!, `--dev-root ${page![2]}`);
    const args = command![1]!.split(' ').slice(1);
    const cli = spawnSync('npx', args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.is(cli.status, 0, `${cli.stdout}\n${cli.stderr}`);
    assert.match(cli.stdout, /placed:\s+\d+/);
    assert.match(cli.stdout, /side:\s+buy/);
    process.kill(-child.pid!, 'SIGINT');
    const exit = await exited;
    // npm itself ends by the signal it forwarded; the program under it must have shut down in order.
    assert.ok(exit.code === 0 || exit.signal === 'SIGINT', `${JSON.stringify(exit)}\n${out}`);
    assert.match(out, /stopping\n[\s\S]*stopped\n/, out);
    assert.not.match(out, /^error /m);
  } finally {
    clearTimeout(killTimer);
    if (child.exitCode === null) { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SHARDS=2 npm start runs two shards behind one gateway; each market trades on its own shard', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-shards-'));
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, PORT: '0', DARKPOOL_DATA_DIR: dataDir, SHARDS: '2' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const killTimer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } }, DEADLINE_MS);
  try {
    const started = Date.now();
    while (!/Place an order: .*\n/.test(out) && Date.now() - started < 45_000 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
    const page = /Trading page: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
    const command = /Place an order: (npx darkpool .*)\n/.exec(out);
    assert.ok(page !== null && command !== null, out);
    const url = page![1]!;
    const map = await (await fetch(`${url}/v1/shards`)).json() as { shards: { id: string; markets: string[]; identityHex: string }[] };
    assert.equal(map.shards.map((shard) => [shard.id, shard.markets]), [['a', ['DOT/USDC']], ['b', ['DOT/USDT']]]);
    assert.is.not(map.shards[0]!.identityHex, map.shards[1]!.identityHex);
    for (const shard of map.shards) {
      const statement = await (await fetch(`${url}/v1/shards/${shard.id}/statement`)).json() as { statement: { shardId: string; markets: string[] } };
      assert.equal([statement.statement.shardId, statement.statement.markets], [shard.id, shard.markets]);
    }
    const cli = spawnSync('npx', command![1]!.split(' ').slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.is(cli.status, 0, `${cli.stdout}\n${cli.stderr}`);
    assert.match(cli.stdout, /placed:\s+\d+/);
    process.kill(-child.pid!, 'SIGINT');
    const exit = await exited;
    assert.ok(exit.code === 0 || exit.signal === 'SIGINT', `${JSON.stringify(exit)}\n${out}`);
    assert.match(out, /stopping\n[\s\S]*stopped\n/, out);
    assert.not.match(out, /^error /m);
    assert.not.match(out, /market maker: /);
  } finally {
    clearTimeout(killTimer);
    if (child.exitCode === null) { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
