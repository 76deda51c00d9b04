// INVARIANT: at most one holder trusts the leadership lease at a time. A second contender cannot
// take a held lease; a holder that keeps renewing keeps it past its TTL; once the holder stops
// renewing (crash), a contender takes it within the TTL plus a bounded delay; a holder whose key
// was taken learns it at its next renewal and stops trusting the lease.
// Needs nats-server (CI installs it); without it these tests fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { LeaderLease } from '../../src/cluster/leader-lease.js';
import { isCodedError } from '../../src/errors/index.js';
import { testClusterFixture } from '../support/nats-cluster.js';

const LEASE_MS = 1_000;
/** Expiry is checked by the server on its own timer: a takeover may lag the TTL by this much. */
const TAKEOVER_SLACK_MS = 1_500;
const fixture = testClusterFixture();
const leases: LeaderLease[] = [];

test.after(async () => {
  for (const lease of leases) await lease.close().catch(() => undefined);
  await fixture.stop();
});

async function lease(bucket: string, holder: string): Promise<LeaderLease> {
  const { cluster } = await fixture.get();
  const opened = await LeaderLease.connect({ servers: cluster.servers, bucket, holder, leaseMs: LEASE_MS, renewEveryMs: 150, acquireEveryMs: 50 });
  leases.push(opened);
  return opened;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** currentHolder() reads from any replica, so a read right after a write may see the state before it. */
async function holderBecomes(lease: LeaderLease, expected: string, withinMs = 2_000): Promise<string | undefined> {
  const deadline = performance.now() + withinMs;
  let holder = await lease.currentHolder();
  while (holder !== expected && performance.now() < deadline) {
    await sleep(50);
    holder = await lease.currentHolder();
  }
  return holder;
}

test('configuration is checked', async () => {
  try {
    await LeaderLease.connect({ servers: ['nats://127.0.0.1:1'], bucket: 'bad name', holder: 'a' });
    assert.unreachable('a bad bucket name was accepted');
  } catch (error) {
    assert.ok(isCodedError(error, 'LEASE_CONFIG_INVALID'), String(error));
  }
});

test('one holder at a time; renewals keep it; a crashed holder\'s lease passes to the contender', async () => {
  const active = await lease('LEASE_A', 'active');
  const standby = await lease('LEASE_A', 'standby');
  assert.ok(await active.tryAcquire(), 'the first contender takes the free lease');
  assert.not.ok(await standby.tryAcquire(), 'a held lease cannot be taken');
  const lost: string[] = [];
  active.keep((detail) => lost.push(detail));
  await sleep(LEASE_MS * 2);
  assert.ok(active.held, 'renewals keep the lease past its TTL');
  assert.not.ok(await standby.tryAcquire(), 'still held after two TTLs');
  assert.is(await holderBecomes(standby, 'active'), 'active');
  // A crash: the holder's renewals stop without a release.
  await active.close();
  const crashedAt = performance.now();
  assert.ok(await standby.acquire());
  const takeoverMs = performance.now() - crashedAt;
  assert.ok(takeoverMs >= LEASE_MS - 300 && takeoverMs <= LEASE_MS + TAKEOVER_SLACK_MS, `takeover after ${Math.round(takeoverMs)} ms`);
  assert.is(await holderBecomes(standby, 'standby'), 'standby');
  assert.equal(lost, [], 'a closed holder reports nothing');
});

test('a holder whose key was overwritten learns it at its next renewal; release hands over at once', async () => {
  const { cluster } = await fixture.get();
  const holder = await lease('LEASE_B', 'holder');
  assert.ok(await holder.tryAcquire());
  const lost: string[] = [];
  holder.keep((detail) => lost.push(detail));
  const connection = await connect({ servers: cluster.servers });
  try {
    const kv = await new Kvm(connection).open('LEASE_B');
    await kv.put('leader', 'intruder');
  } finally {
    await connection.close();
  }
  const deadline = Date.now() + 3_000;
  while (lost.length === 0 && Date.now() < deadline) await sleep(20);
  assert.is(lost.length, 1, 'the loss is reported once');
  assert.not.ok(holder.held, 'the holder no longer trusts the lease');

  const next = await lease('LEASE_C', 'first');
  const other = await lease('LEASE_C', 'second');
  assert.ok(await next.tryAcquire());
  await next.release();
  assert.ok(await other.tryAcquire(), 'a released lease is free at once');
});

test.run();
