// INVARIANT: kill -9 loses nothing acknowledged and half-applies nothing. A child process runs
// the runtime under order load and is SIGKILLed at a seeded random moment, 20 times on the
// same data directory. After each kill the runtime recovers (snapshot + journal), every order
// the child printed as acknowledged is in the journal and in the recovered state, and the
// recovered state hash equals a replay of the whole journal from scratch into a fresh engine.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DevAttestationProvider } from '../../src/enclave/attestation/dev-provider.js';
import { decodeStamped } from '../../src/enclave/command-codec.js';
import { EnclaveEngine } from '../../src/enclave/engine.js';
import { FileJournal } from '../../src/enclave/journal/file-journal.js';
import { decodeStampedRecord } from '../../src/enclave/sequencer.js';
import { DevSealingKeySource, loadOrCreateEnclaveKeys } from '../../src/enclave/keys.js';
import { EnclaveRuntime } from '../../src/enclave/runtime.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { Prng } from '../support/prng.js';
import { TEST_MARKET } from '../support/enclave-trader.js';

const SEED = Number(process.env.CRASH_SEED ?? 4_242);
const RUNS = Number(process.env.CRASH_RUNS ?? 20);
const ORDERS_PER_RUN = 2_000;
const CHILD = new URL('../support/enclave-crash-child.ts', import.meta.url).pathname;

interface ChildRun { readonly acked: string[]; readonly finished: boolean; readonly killed: boolean }

/** Runs the child until it prints READY, then SIGKILLs it after `killAfterMs`. */
function runChild(dataDir: string, seed: number, killAfterMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(seed), String(ORDERS_PER_RUN)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    const guard = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const before = out.length;
      out += chunk.toString();
      if (before === 0 || !out.slice(0, before).includes('READY')) {
        if (out.includes('READY\n')) setTimeout(() => { killed = true; child.kill('SIGKILL'); }, killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      if (!out.includes('READY')) return reject(new Error(`child failed before READY (code ${code}): ${err.slice(0, 2_000)}`));
      const acked = [...out.matchAll(/^ACK (\S+)$/gm)].map((match) => match[1]!);
      resolve({ acked, finished: out.includes('DONE'), killed });
    });
  });
}

async function replayFromScratch(dataDir: string): Promise<{ hash: string; clientOrderIds: Set<string> }> {
  const keys = await loadOrCreateEnclaveKeys(join(dataDir, 'keys'), new DevSealingKeySource({ directory: dataDir, production: false }));
  const journal = await FileJournal.open({ directory: join(dataDir, 'journal'), sealingKey: keys.journalSealingKey });
  const engine = new EnclaveEngine({ markets: [buildMarketSpec(TEST_MARKET)], feeAccount: 'fees' });
  const clientOrderIds = new Set<string>();
  for await (const record of journal.readFrom(journal.firstSequence)) {
    const command = decodeStamped(decodeStampedRecord(record.sequence, record.payload));
    if (command.kind === 'trade' && command.request.type === 'order.place') clientOrderIds.add(command.request.order.clientOrderId);
    engine.apply(command);
  }
  await journal.close();
  return { hash: engine.stateHash(), clientOrderIds };
}

test(`${RUNS} seeded SIGKILLs: acked orders survive, recovered hash = replay from scratch (seed ${SEED})`, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'enclave-crash-'));
  const prng = new Prng(SEED);
  let totalAcked = 0;
  let killedMidRun = 0;
  try {
    for (let run = 0; run < RUNS; run++) {
      const killAfterMs = prng.int(5, 250);
      const child = await runChild(dataDir, SEED * 1_000 + run, killAfterMs);
      if (child.killed && !child.finished) killedMidRun += 1;
      totalAcked += child.acked.length;
      const runtime = await EnclaveRuntime.boot({
        dataDir, markets: [TEST_MARKET], feeAccount: 'fees', tickMs: 0, settlementWindowMs: 0, snapshotEveryCommands: 64,
        sealingKeySource: new DevSealingKeySource({ directory: dataDir, production: false }),
        attestation: new DevAttestationProvider({ production: false }),
      }, { sendFrame: () => undefined, closeConnection: () => undefined, fatal: (error) => { throw error; } });
      const recoveredHash = runtime.stateHash();
      const engine = runtime.engine;
      await runtime.stop();
      const scratch = await replayFromScratch(dataDir);
      const context = `seed ${SEED} run ${run} (kill after ${killAfterMs} ms)`;
      assert.is(recoveredHash, scratch.hash, `recovered state equals a replay from scratch: ${context}`);
      for (const clientOrderId of child.acked) {
        assert.ok(scratch.clientOrderIds.has(clientOrderId), `acked ${clientOrderId} is journaled: ${context}`);
      }
      assert.is(new Set(child.acked).size, child.acked.length, `each order acked once: ${context}`);
      assert.ok(engine.stateHash() === scratch.hash, `the recovered state holds exactly the journal, so every acked order: ${context}`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  assert.ok(totalAcked > 0, 'the children acknowledged orders before dying');
  assert.ok(killedMidRun >= RUNS / 2, `most runs were killed under load (${killedMidRun}/${RUNS})`);
});

test.run();
