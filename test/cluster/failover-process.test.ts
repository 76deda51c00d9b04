// INVARIANT: SIGKILL of the process holding the active enclave, under load, leaves a standby
// (in another process) that takes the lease and the stream and acknowledges commands again;
// every command the killed enclave acknowledged is in the stream exactly once, and the new
// leader's history is exactly the stream's.
// Needs nats-server (CI installs it); without it this test fails.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { provisionStandbyDataDir } from '../../src/cluster/standby-provisioning.js';
import { decodeStamped } from '../../src/enclave/command-codec.js';
import { ReplicatedJournal } from '../../src/enclave/journal/replicated-journal.js';
import { DevSealingKeySource, loadOrCreateEnclaveKeys } from '../../src/enclave/keys.js';
import { decodeStampedRecord } from '../../src/enclave/sequencer.js';
import { EnclaveHost } from '../../src/host/enclave-host.js';
import type { ClusterJournalSettings } from '../../src/protocol/enclave-port.js';
import { TEST_MARKET } from '../support/enclave-trader.js';
import { eventually } from '../support/client-venue.js';
import { testClusterFixture } from '../support/nats-cluster.js';

const ACKS_BEFORE_KILL = 1_500;
/** From SIGKILL to the first command the standby acknowledged as leader. */
const FAILOVER_BOUND_MS = 6_000;
const ACCOUNT = 'cd'.repeat(32);
const STREAM = 'PROCESS_FAILOVER';
/** The subject the test fixture's logs use for this stream. */
const SUBJECT = `darkpool.test.${STREAM.toLowerCase()}`;
const fixture = testClusterFixture();
const root = mkdtempSync(join(tmpdir(), 'failover-process-'));

test.after(async () => {
  await fixture.stop();
  rmSync(root, { recursive: true, force: true });
});

test('SIGKILL of the active enclave\'s process under load: the standby takes over, nothing acknowledged is lost or doubled', async () => {
  const { cluster, log: openLog } = await fixture.get();
  const settings = (holder: string): ClusterJournalSettings => ({
    servers: cluster.servers, stream: STREAM, subject: SUBJECT, replicas: 3, lease: { bucket: 'PROCESS_LEASE', holder, leaseMs: 1_000, renewEveryMs: 200 },
  });
  const devRootSeedHex = randomBytes(32).toString('hex');
  const activeDir = join(root, 'active');
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../support/active-enclave-process.ts', import.meta.url).pathname, JSON.stringify({
    dataDir: activeDir, devRootSeedHex, cluster: settings('active'), account: ACCOUNT, depositsPerMs: 2, lifetimeMs: 60_000,
  })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Set<number>();
  let leading = false;
  const output: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line === 'leading') leading = true;
    else if (line.startsWith('ack ')) acked.add(Number(line.slice(4)));
    else output.push(line);
  });
  let standby: EnclaveHost | undefined;
  try {
    await eventually(() => leading, `the child enclave leads (${output.join('; ')})`, 30_000);
    await provisionStandbyDataDir(activeDir, join(root, 'standby'), { devSealingKey: true });
    standby = await EnclaveHost.start({
      dataDir: join(root, 'standby'), markets: [TEST_MARKET], feeAccount: 'fees', production: false, devRootSeedHex,
      tickMs: 0, settlementWindowMs: 0, chain: 'none', cluster: settings('standby'),
    });
    assert.not.ok(standby.leading);
    await eventually(() => acked.size >= ACKS_BEFORE_KILL, 'the child acknowledged commands', 30_000);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    const killedAt = performance.now();
    await exited;
    const ackedBeforeKill = new Set(acked);
    await eventually(() => standby!.leading, 'the standby leads', FAILOVER_BOUND_MS);
    await standby.deposit(ACCOUNT, 'USDC', 1n, 'after-kill');
    const failoverMs = performance.now() - killedAt;
    assert.ok(failoverMs < FAILOVER_BOUND_MS, `first acknowledged command ${Math.round(failoverMs)} ms after SIGKILL`);
    const leaderEnd = (await standby.stats()).durableSequence;

    const material = await loadOrCreateEnclaveKeys(join(root, 'standby', 'keys'), new DevSealingKeySource({ directory: join(root, 'standby'), production: false }));
    const reader = await ReplicatedJournal.follow({ log: await openLog(STREAM), sealingKey: material.journalSealingKey });
    const seen = new Map<string, number>();
    for await (const record of reader.readFrom(1)) {
      const command = decodeStamped(decodeStampedRecord(record.sequence, record.payload));
      if (command.kind === 'deposit') seen.set(command.reference, (seen.get(command.reference) ?? 0) + 1);
    }
    assert.is(reader.durableSequence, leaderEnd, 'the new leader\'s history is the stream');
    await reader.close();
    for (const reference of ackedBeforeKill) assert.is(seen.get(`k-${reference}`), 1, `acknowledged deposit k-${reference} is in the stream once`);
    assert.ok([...seen.values()].every((count) => count === 1), 'no command twice');
    assert.is(seen.get('after-kill'), 1);
  } finally {
    child.kill('SIGKILL');
    await standby?.stop();
  }
});

test.run();
