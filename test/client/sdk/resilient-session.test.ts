// Reconnect and resume against the real enclave: sockets cut while reports flow, the client
// reconnects with backoff, resumes after its last seq, and the stream has every seq exactly
// once. Requests caught by an outage fail with a coded, retryable error when they were sent,
// and wait for the new session when they provably were not; the dead-man switch is re-armed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type DarkpoolClient, isDarkpoolError } from '../../../client/sdk/index.js';
import { backoffDelayMs, SESSION_DEFAULTS } from '../../../client/sdk/resilient-session.js';
import type { ErrorName } from '../../../src/errors/index.js';
import { eventually, startVenue, venueClient, VENUE_MARKET, type Venue } from '../../support/client-venue.js';
import { tapTransport } from '../../support/tap-transport.js';

let venue: Venue;
const open: DarkpoolClient[] = [];

async function client(seed: number, options: Parameters<typeof venueClient>[2] = {}): Promise<DarkpoolClient> {
  const created = await venueClient(venue, seed, options);
  open.push(created);
  return created;
}

async function rejects(promise: Promise<unknown>, name: ErrorName, retryable: boolean): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isDarkpoolError(error, name), `expected ${name}, got ${String(error)}`);
    assert.is(error.retryable, retryable, `${name} retryable`);
    return;
  }
  assert.unreachable(`expected ${name}`);
}

test.before(async () => {
  venue = await startVenue();
});

test('backoff grows from the initial delay to the cap, with jitter inside each step', () => {
  const options = { ...SESSION_DEFAULTS.reconnect, initialDelayMs: 100, maxDelayMs: 1_000 };
  assert.is(backoffDelayMs(0, options, () => 0), 50);
  assert.is(backoffDelayMs(0, options, () => 0.999999), 100);
  assert.is(backoffDelayMs(3, options, () => 0), 400);
  assert.is(backoffDelayMs(50, options, () => 0.999999), 1_000);
  for (let attempt = 0; attempt < 40; attempt++) {
    const delay = backoffDelayMs(attempt, options, Math.random);
    assert.ok(delay >= 50 && delay <= 1_000, `attempt ${attempt}: ${delay}`);
  }
});

test('sockets cut while reports flow: every seq arrives exactly once, in order', async () => {
  const watcher = await client(81);
  const seen: number[] = [];
  const gaps: unknown[] = [];
  watcher.watchReports().subscribe((report) => seen.push(report.seq));
  watcher.watchGaps().subscribe((gap) => gaps.push(gap));
  const baseline = watcher.lastSeq!;
  const total = 400;
  let produced = 0;
  const producer = (async () => {
    for (let batch = 0; produced < total; batch++) {
      const size = Math.min(10, total - produced);
      await Promise.all(Array.from({ length: size }, (_, i) => venue.host.deposit(watcher.accountId, 'USDC', 1n, `resume-${produced + i}`)));
      produced += size;
      await new Promise((resolve) => setTimeout(resolve, 8));
    }
  })();
  const drops = 6;
  let dropsWhileFlowing = 0;
  for (let i = 0; i < drops; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    if (produced > 0 && produced < total) dropsWhileFlowing += 1;
    if (i % 2 === 1) venue.refuseConnections(true);
    venue.dropConnections();
    await new Promise((resolve) => setTimeout(resolve, 40));
    venue.refuseConnections(false);
    await eventually(() => watcher.connectionState === 'open', `reconnected after drop ${i}`);
  }
  await producer;
  await eventually(() => watcher.lastSeq === baseline + total, `all ${total} reports delivered (at ${watcher.lastSeq})`, 15_000);
  assert.equal(seen, Array.from({ length: total }, (_, i) => baseline + 1 + i), 'no seq missing, none twice, all in order');
  assert.equal(gaps, []);
  assert.ok(dropsWhileFlowing >= 3, `${dropsWhileFlowing} cuts landed while reports were flowing`);
  assert.ok(venue.connectionsOpened() >= drops + 1, `reconnected ${venue.connectionsOpened()} times`);
  assert.is((await watcher.fetchBalance()).assets.USDC!.free, '0.0004', '400 atoms credited once each');
});

test('reports arriving in the same turn as the ServerHello of a new session are kept', async () => {
  const tap = tapTransport();
  const watcher = await client(86, { transport: tap.transport });
  const seen: number[] = [];
  watcher.watchReports().subscribe((report) => seen.push(report.seq));
  const baseline = watcher.lastSeq!;
  tap.coalesceHello = true;
  venue.dropConnections();
  let deposits = 0;
  while (watcher.connectionState !== 'open' || seen.length === 0) {
    await venue.host.deposit(watcher.accountId, 'USDC', 1n, `coalesced-${deposits}`);
    deposits += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(deposits < 2_000, 'reconnected');
  }
  tap.coalesceHello = false;
  await eventually(() => watcher.lastSeq === baseline + deposits, 'every deposit report delivered');
  assert.equal(seen, Array.from({ length: deposits }, (_, i) => baseline + 1 + i));
});

test('a request sent before the cut fails retryably; one issued during the outage is sent after it', async () => {
  const tap = tapTransport();
  const trader = await client(82, { transport: tap.transport });
  tap.swallowOutgoing = true;
  const lost = trader.fetchBalance();
  await new Promise((resolve) => setTimeout(resolve, 30));
  tap.swallowOutgoing = false;
  venue.refuseConnections(true);
  venue.dropConnections();
  await rejects(lost, 'CLIENT_CONNECTION_LOST', true);
  await eventually(() => trader.connectionState === 'reconnecting', 'reconnecting');
  const queued = trader.fetchBalance();
  const expires = trader.request('query.trades', {}, { timeoutMs: 100 });
  await rejects(expires, 'CLIENT_NOT_CONNECTED', true);
  venue.refuseConnections(false);
  const balances = await queued;
  assert.equal(balances.assets, {}, 'the queued request was answered by the new session');
  assert.is(trader.connectionState, 'open');
});

test('an unanswered request times out with a coded, retryable error', async () => {
  const tap = tapTransport();
  const trader = await client(83, { transport: tap.transport });
  tap.swallowOutgoing = true;
  await rejects(trader.request('query.balances', {}, { timeoutMs: 150 }), 'CLIENT_REQUEST_TIMEOUT', true);
  tap.swallowOutgoing = false;
});

test('the dead-man switch is re-armed and kept alive across a reconnect', async () => {
  const trader = await client(84);
  await venue.fund(trader.accountId, { USDC: '100' });
  await trader.createOrder(VENUE_MARKET.id, 'limit', 'buy', '1', '1.00');
  await trader.cancelAllOrdersAfter(2_000);
  venue.dropConnections();
  await eventually(() => trader.connectionState === 'open', 'reconnected');
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  assert.is((await trader.fetchOpenOrders()).length, 1, 'heartbeats resumed on the new session');
  await trader.cancelAllOrdersAfter(0);
});

test('reconnecting gives up after the attempt limit; the client is then closed', async () => {
  const trader = await client(85, { reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 } });
  const faults: string[] = [];
  trader.watchFaults().subscribe((error) => faults.push(error.errorName));
  venue.refuseConnections(true);
  venue.dropConnections();
  await eventually(() => trader.connectionState === 'closed', 'gave up', 5_000);
  venue.refuseConnections(false);
  assert.ok(faults.includes('CLIENT_RECONNECT_EXHAUSTED'), faults.join(','));
  await rejects(trader.fetchBalance(), 'CLIENT_CLOSED', false);
});

test.after(async () => {
  for (const trader of open) await trader.close();
  await venue.close();
});

test.run();
