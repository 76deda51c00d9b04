// End to end over real enclave workers and one real gateway: a client routes each market to its
// shard, verifies every shard's attestation and statement on its own, refuses a forged shard
// map, trades on two shards at once, and moves USDC between shards exactly once — across a
// client crash between debit and credit, a replayed voucher and a restart of both enclaves —
// with the sum over shards conserved.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDarkpoolError, type FetchLike, type ShardedDarkpoolClient } from '../../client/sdk/index.js';
import { accountOf, atomsOf, SHARD_A_MARKET, SHARD_B_MARKET, shardedClient, startShardedVenue, type ShardedVenue } from './support/sharded-venue.js';

const ALICE = 7101;
const BOB = 7102;
const CAROL = 7103;

let venue: ShardedVenue;

test.before(async () => {
  venue = await startShardedVenue();
});

test.after(async () => {
  await venue.close();
});

/** USDC held by the account on one shard: available + reserved, in atoms. */
async function usdcAtoms(client: ShardedDarkpoolClient, shard: string): Promise<bigint> {
  const balances = await (await client.shard(shard)).fetchBalance();
  const entry = balances.assets.USDC;
  return entry === undefined ? 0n : atomsOf(entry.total, 'USDC');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

test('the shard map routes each market to its shard, and sessions open lazily per shard', async () => {
  const client = await shardedClient(venue, ALICE);
  try {
    assert.is(client.shardOf(SHARD_A_MARKET.id), 'a');
    assert.is(client.shardOf(SHARD_B_MARKET.id), 'b');
    assert.equal(client.openShardIds, []);
    const error = await rejection(client.createOrder('XYZ/USDC', 'limit', 'buy', '1', '1'));
    assert.ok(isDarkpoolError(error, 'CLIENT_SHARD_UNKNOWN'));
    await venue.fund('a', client.accountId, { USDC: '1000' });
    await client.createOrder(SHARD_A_MARKET.id, 'limit', 'buy', '1', '5.00');
    assert.equal(client.openShardIds, ['a']);
  } finally {
    await client.close();
  }
});

test('each shard attestation is verified on its own and names its own enclave', async () => {
  const client = await shardedClient(venue, ALICE, { openAllShards: true });
  try {
    const [a, b] = [await client.shard('a'), await client.shard('b')];
    assert.ok(a.attestation?.insecure);
    assert.ok(b.attestation?.insecure);
    const bundleA = JSON.parse(venue.hosts.a.bundle) as { enclaveKeys: { ed25519Hex: string } };
    const bundleB = JSON.parse(venue.hosts.b.bundle) as { enclaveKeys: { ed25519Hex: string } };
    assert.is(a.attestation?.enclaveKeys.ed25519Hex, bundleA.enclaveKeys.ed25519Hex);
    assert.is(b.attestation?.enclaveKeys.ed25519Hex, bundleB.enclaveKeys.ed25519Hex);
    assert.is.not(bundleA.enclaveKeys.ed25519Hex, bundleB.enclaveKeys.ed25519Hex);
    assert.equal([...client.openShardIds].sort(), ['a', 'b']);
  } finally {
    await client.close();
  }
});

/** A fetch that hands the client a shard map the gateway could have forged. */
function forgingFetch(forge: (map: { shards: { id: string; route: string; identityHex: string; markets: string[] }[] }) => void): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (!url.endsWith('/v1/shards')) return response;
    const map = JSON.parse(await response.text()) as { version: number; shards: { id: string; route: string; identityHex: string; markets: string[] }[] };
    forge(map);
    return { ok: true, status: 200, text: async () => JSON.stringify(map) };
  };
}

test('a forged shard map that routes a market to the wrong shard is refused with a coded error', async () => {
  // The gateway swaps the markets: DOT/USDC (served by shard a) is routed to shard b.
  const swapped = await shardedClient(venue, BOB, {
    fetch: forgingFetch((map) => {
      const [a, b] = [map.shards[0]!, map.shards[1]!];
      [a.markets, b.markets] = [b.markets, a.markets];
    }),
  });
  try {
    assert.is(swapped.shardOf(SHARD_A_MARKET.id), 'b');
    const error = await rejection(swapped.createOrder(SHARD_A_MARKET.id, 'limit', 'buy', '1', '5.00'));
    assert.ok(isDarkpoolError(error, 'CLIENT_SHARD_MAP_MISMATCH'), String(error));
    assert.equal(swapped.openShardIds, []);
  } finally {
    await swapped.close();
  }
  // The gateway points shard b's route at shard a's enclave: a's statement says it is shard a.
  const rerouted = await shardedClient(venue, BOB, {
    fetch: forgingFetch((map) => {
      const [a, b] = [map.shards[0]!, map.shards[1]!];
      b.route = a.route;
      b.identityHex = a.identityHex;
    }),
  });
  try {
    const error = await rejection(rerouted.createOrder(SHARD_B_MARKET.id, 'limit', 'buy', '1', '5.00'));
    assert.ok(isDarkpoolError(error, 'CLIENT_SHARD_MAP_MISMATCH'), String(error));
  } finally {
    await rerouted.close();
  }
});

test('one client trades on two shards; account-wide calls fan out and merge', async () => {
  const maker = await shardedClient(venue, BOB);
  const taker = await shardedClient(venue, CAROL);
  try {
    await venue.fund('a', maker.accountId, { DOT: '100', USDC: '1000' });
    await venue.fund('b', maker.accountId, { KSM: '100', USDC: '1000' });
    await venue.fund('a', taker.accountId, { USDC: '1000' });
    await venue.fund('b', taker.accountId, { USDC: '1000' });
    const fills: string[] = [];
    maker.watchMyTrades().subscribe((trade) => fills.push(trade.symbol));
    await maker.createOrder(SHARD_A_MARKET.id, 'limit', 'sell', '2', '7.00');
    await maker.createOrder(SHARD_B_MARKET.id, 'limit', 'sell', '3', '20.00');
    const open = await maker.fetchOpenOrders();
    assert.equal(open.map((order) => order.symbol).sort(), [SHARD_A_MARKET.id, SHARD_B_MARKET.id]);
    await taker.createOrder(SHARD_A_MARKET.id, 'limit', 'buy', '1', '7.00');
    await taker.createOrder(SHARD_B_MARKET.id, 'limit', 'buy', '1', '20.00');
    const deadline = Date.now() + 5_000;
    while (fills.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal([...fills].sort(), [SHARD_A_MARKET.id, SHARD_B_MARKET.id]);
    const balances = await maker.fetchBalance();
    assert.ok(balances.byShard.a?.assets.DOT !== undefined && balances.byShard.a.assets.KSM === undefined);
    assert.ok(balances.byShard.b?.assets.KSM !== undefined && balances.byShard.b.assets.DOT === undefined);
    const usdcA = atomsOf(balances.byShard.a!.assets.USDC!.total, 'USDC');
    const usdcB = atomsOf(balances.byShard.b!.assets.USDC!.total, 'USDC');
    assert.is(atomsOf(balances.total.USDC!.total, 'USDC'), usdcA + usdcB);
    const cancelled = await maker.cancelAllOrders();
    assert.is(cancelled.cancelled, 2);
    assert.equal(await maker.fetchOpenOrders(), []);
  } finally {
    await maker.close();
    await taker.close();
  }
});

test('after the network drops, every shard session reconnects and resumes its own report stream', async () => {
  const maker = await shardedClient(venue, 7401, { openAllShards: true });
  const taker = await shardedClient(venue, 7402, { openAllShards: true });
  try {
    await venue.fund('a', maker.accountId, { DOT: '10' });
    await venue.fund('b', maker.accountId, { KSM: '10' });
    await venue.fund('a', taker.accountId, { USDC: '100' });
    await venue.fund('b', taker.accountId, { USDC: '100' });
    const reports: string[] = [];
    const gaps: string[] = [];
    maker.watchReports().subscribe(({ shardId, report }) => reports.push(`${shardId}:${report.seq}:${report.kind}`));
    maker.watchFaults().subscribe(({ shardId, error }) => { if (error.errorName === 'CLIENT_REPORTS_GAP') gaps.push(shardId); });
    await maker.createOrder(SHARD_A_MARKET.id, 'limit', 'sell', '1', '7.00');
    await maker.createOrder(SHARD_B_MARKET.id, 'limit', 'sell', '1', '20.00');
    const states: string[] = [];
    for (const [who, client] of [['maker', maker], ['taker', taker]] as const) {
      for (const id of ['a', 'b']) (await client.shard(id)).connectionState$.subscribe((state) => states.push(`${who}:${id}:${state}`));
    }
    venue.dropConnections();
    // Every session of both traders is cut; once they are all back, the taker fills both resting
    // orders and the maker's fills reach it on each shard's resumed stream, in seq order, no gap.
    const back = (who: string, id: string): boolean => {
      const own = states.filter((entry) => entry.startsWith(`${who}:${id}:`));
      return own.includes(`${who}:${id}:reconnecting`) && own.at(-1) === `${who}:${id}:open`;
    };
    const reconnectDeadline = Date.now() + 10_000;
    while (!(back('maker', 'a') && back('maker', 'b') && back('taker', 'a') && back('taker', 'b')) && Date.now() < reconnectDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await taker.createOrder(SHARD_A_MARKET.id, 'limit', 'buy', '1', '7.00');
    await taker.createOrder(SHARD_B_MARKET.id, 'limit', 'buy', '1', '20.00');
    const deadline = Date.now() + 10_000;
    const fillsOf = (shard: string): number => reports.filter((entry) => entry.startsWith(`${shard}:`) && entry.endsWith(':fill')).length;
    while ((fillsOf('a') < 1 || fillsOf('b') < 1) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(back('maker', 'a') && back('maker', 'b'), states.join(' '));
    assert.is(fillsOf('a'), 1, reports.join(' '));
    assert.is(fillsOf('b'), 1, reports.join(' '));
    assert.equal(gaps, []);
    for (const shard of ['a', 'b']) {
      const seqs = reports.filter((entry) => entry.startsWith(`${shard}:`)).map((entry) => Number(entry.split(':')[1]));
      assert.equal(seqs, seqs.map((_, index) => seqs[0]! + index), `${shard} seqs ${seqs.join(',')}`);
    }
  } finally {
    await maker.close();
    await taker.close();
  }
});

test('a transfer between shards debits one and credits the other exactly once; a replayed voucher credits nothing', async () => {
  const seed = 7201;
  await venue.fund('a', accountOf(seed), { USDC: '500' });
  const client = await shardedClient(venue, seed, { openAllShards: true });
  try {
    const before = (await usdcAtoms(client, 'a')) + (await usdcAtoms(client, 'b'));
    const result = await client.transferBetweenShards('USDC', '125.5', 'a', 'b');
    assert.is(result.status, 'credited');
    assert.is(result.amountAtoms, '125500000');
    assert.is(await usdcAtoms(client, 'a'), atomsOf('374.5', 'USDC'));
    assert.is(await usdcAtoms(client, 'b'), atomsOf('125.5', 'USDC'));
    // The same transferId again: shard a returns the same voucher (no second debit), shard b refuses to credit twice.
    const again = await client.transferBetweenShards('USDC', '125.5', 'a', 'b', { transferId: result.transferId });
    assert.is(again.status, 'alreadyCredited');
    const vouchers = await (await client.shard('a')).request('query.transfers', {});
    const [voucher] = vouchers.vouchers as { payload: string; signatureHex: string; voucherId: string }[];
    assert.is(result.voucherId, voucher!.voucherId);
    assert.is(again.voucherId, voucher!.voucherId);
    const replay = await rejection((await client.shard('b')).request('funds.transferIn', { voucher: { payload: voucher!.payload, signatureHex: voucher!.signatureHex }, issuerBundle: venue.hosts.a.bundle }));
    assert.ok(isDarkpoolError(replay, 'SHARD_VOUCHER_REDEEMED'), String(replay));
    // A voucher with its amount changed no longer verifies.
    const forged = voucher!.payload.replace('"amountAtoms":"125500000"', '"amountAtoms":"999500000"');
    const tampered = await rejection((await client.shard('b')).request('funds.transferIn', { voucher: { payload: forged, signatureHex: voucher!.signatureHex }, issuerBundle: venue.hosts.a.bundle }));
    assert.ok(isDarkpoolError(tampered, 'SHARD_VOUCHER_SIGNATURE_INVALID'), String(tampered));
    // More than the shard holds is refused and moves nothing.
    const tooMuch = await rejection(client.transferBetweenShards('USDC', '10000', 'a', 'b'));
    assert.ok(isDarkpoolError(tooMuch, 'ESCROW_INSUFFICIENT_FUNDS'), String(tooMuch));
    const after = (await usdcAtoms(client, 'a')) + (await usdcAtoms(client, 'b'));
    assert.is(after, before);
  } finally {
    await client.close();
  }
});

test('a crash between debit and credit: recovery redeems the voucher once, even after both enclaves restart', async () => {
  const seed = 7301;
  const dataDirs = venue.dataDirs;
  await venue.fund('a', accountOf(seed), { USDC: '300' });
  const crashing = await shardedClient(venue, seed, { openAllShards: true });
  const toIdentity = (await crashing.shard('b')).attestation!.enclaveKeys.ed25519Hex;
  // Debit on shard a, then the client dies before it reaches shard b.
  await (await crashing.shard('a')).request('funds.transferOut', { asset: 'USDC', amount: '80', toShard: 'b', toIdentity, transferId: 't-crash-1' });
  await crashing.close();

  // Both enclaves stop and recover from their own journals; the debit is durable on a, nothing is credited on b.
  await venue.close({ keepData: true });
  venue = await startShardedVenue({ dataDirs });
  const recovering = await shardedClient(venue, seed, { openAllShards: true });
  try {
    assert.is(await usdcAtoms(recovering, 'a'), atomsOf('220', 'USDC'));
    assert.is(await usdcAtoms(recovering, 'b'), 0n);
    const first = await recovering.recoverTransfers();
    assert.equal(first.map((entry) => [entry.transferId, entry.status]), [['t-crash-1', 'credited']]);
    assert.is(await usdcAtoms(recovering, 'b'), atomsOf('80', 'USDC'));
    const second = await recovering.recoverTransfers();
    assert.equal(second.map((entry) => entry.status), ['alreadyCredited']);
    assert.is(await usdcAtoms(recovering, 'b'), atomsOf('80', 'USDC'));
  } finally {
    await recovering.close();
  }
  // Shard b remembers the redemption across its own restart: the voucher stays spent.
  await venue.close({ keepData: true });
  venue = await startShardedVenue({ dataDirs });
  const later = await shardedClient(venue, seed, { openAllShards: true });
  try {
    const third = await later.recoverTransfers();
    assert.equal(third.map((entry) => entry.status), ['alreadyCredited']);
    assert.is((await usdcAtoms(later, 'a')) + (await usdcAtoms(later, 'b')), atomsOf('300', 'USDC'));
  } finally {
    await later.close();
  }
});

test.run();
