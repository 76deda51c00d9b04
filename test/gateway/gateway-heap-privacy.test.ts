// INVARIANT: the untrusted host never holds order plaintext. A trading client in a separate
// process sends orders whose client order ids carry a unique marker through the gateway and
// the real worker enclave; while they flow, heap snapshots are taken of the host's (main)
// isolate and of the enclave worker. The marker must be absent from the host snapshot and
// present in the enclave's — the positive control that proves the search can find it. The
// marker is derived from a seed and computed here only after both snapshots are written.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { writeHeapSnapshot } from 'node:v8';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startGateway, type RunningGateway } from '../../src/gateway/index.js';
import { TEST_MARKET, startEnclave, type RunningEnclave } from './support/harness.js';
import { heapMarker } from './support/heap-marker.js';

const SEED = Number(process.env.FUZZ_SEED ?? 31_337);
const ROUNDS_BEFORE_SNAPSHOT = 15;
const CHILD_TIMEOUT_MS = 40_000;
const CLIENT = new URL('./support/privacy-client.ts', import.meta.url).pathname;

let enclave: RunningEnclave;
let gateway: RunningGateway;
let child: ChildProcessWithoutNullStreams;
const snapshotDir = mkdtempSync(join(tmpdir(), 'gateway-heap-'));
let rounds = 0;

/** Streams the file looking for the needle, keeping an overlap so a match across chunks is found. */
async function fileContains(path: string, needle: string): Promise<boolean> {
  const target = Buffer.from(needle);
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    if (window.includes(target)) return true;
    tail = window.subarray(Math.max(0, window.length - target.length + 1));
  }
  return false;
}

test.before(async () => {
  enclave = await startEnclave('gateway-heap-');
  gateway = await startGateway({ host: enclave.host, markets: [TEST_MARKET], logger: { level: 'silent' } });
});

test.after(async () => {
  if (child.exitCode === null) child.kill();
  await gateway.app.close();
  await enclave.stop();
  rmSync(snapshotDir, { recursive: true, force: true });
});

test('order plaintext is in the enclave\'s heap and never in the host\'s', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', CLIENT, gateway.url, String(SEED)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill(), CHILD_TIMEOUT_MS);
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => { stderr += data.toString(); });
  const enoughRounds = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as { accounts?: string[]; rounds?: number; error?: string };
      if (message.accounts !== undefined) {
        void Promise.all(message.accounts.map(async (account) => {
          await enclave.host.deposit(account, 'USDC', 100_000_000_000n, `usdc-${account.slice(0, 16)}`);
          await enclave.host.deposit(account, 'DOT', 10_000_000_000_000n, `dot-${account.slice(0, 16)}`);
        })).then(() => child.stdin.write('funded\n'), reject);
      }
      if (message.rounds !== undefined) rounds = message.rounds;
      if (rounds >= ROUNDS_BEFORE_SNAPSHOT) resolve();
      if (message.error !== undefined) reject(new Error(`client failed: ${message.error}`));
    });
    child.on('exit', (code) => reject(new Error(`client exited early (${code}): ${stderr.slice(-500)}`)));
  });
  await enoughRounds;

  const hostPath = writeHeapSnapshot(join(snapshotDir, 'host.heapsnapshot'));
  const enclavePath = join(snapshotDir, 'enclave.heapsnapshot');
  await pipeline(await enclave.host.heapSnapshot(), createWriteStream(enclavePath));
  const roundsDuringSnapshots = rounds;
  child.stdin.write('stop\n');
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.is(await exited, 0, `the client traded without a refusal: ${stderr.slice(-500)}`);
  clearTimeout(killer);
  assert.ok(roundsDuringSnapshots >= ROUNDS_BEFORE_SNAPSHOT && rounds >= roundsDuringSnapshots, 'orders were flowing while the snapshots were taken');
  assert.ok(statSync(hostPath).size > 1_000_000 && statSync(enclavePath).size > 1_000_000, 'both snapshots are real heaps');

  const marker = heapMarker(SEED);
  assert.ok(await fileContains(enclavePath, marker), `positive control: the enclave heap holds the marked client order ids (seed ${SEED})`);
  assert.not.ok(await fileContains(hostPath, marker), `the host heap holds no order plaintext (seed ${SEED})`);
  assert.ok(await fileContains(hostPath, 'darkpool_gateway_frames_in_total'), 'the host snapshot is searchable: it holds the gateway\'s own strings');
});

test.run();
