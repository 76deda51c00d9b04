// The example market maker against the real enclave: it quotes the ladder buildLadder
// computes around the reference, re-quotes on a fill and on a reference move past its
// threshold (not below it), pulls its quotes and disarms on stop, and — when its client dies
// without stopping it — halts, and the dead-man switch it armed cancels its quotes.
import { Subject, filter, firstValueFrom, take, timeout } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildLadder, MarketMaker, randomWalkReference, type MarketMakerConfig, type MarketMakerEvent } from '../../../client/examples/market-maker.js';
import { isDarkpoolError, type DarkpoolClient, type Market } from '../../../client/sdk/index.js';
import { eventually, startVenue, venueClient, VENUE_MARKET, type Venue } from '../../support/client-venue.js';

const SYMBOL = VENUE_MARKET.id;
const MARKET: Market = { ...VENUE_MARKET };
const CONFIG: MarketMakerConfig = { symbol: SYMBOL, levels: 2, spreadTicks: 2, stepTicks: 3, levelSize: '1', requoteThresholdTicks: 5, deadManMs: 1_500 };
let venue: Venue;
const open: DarkpoolClient[] = [];

async function client(seed: number): Promise<DarkpoolClient> {
  const created = await venueClient(venue, seed);
  open.push(created);
  await venue.fund(created.accountId, { DOT: '100', USDC: '1000' });
  return created;
}

function next(bot: MarketMaker, kind: MarketMakerEvent['kind']): Promise<MarketMakerEvent> {
  return firstValueFrom(bot.events$.pipe(filter((event) => event.kind === kind), take(1), timeout(5_000)));
}

test.before(async () => {
  venue = await startVenue();
});

const prices = (orders: readonly { side: string | undefined; price: string | undefined }[]): string[] => orders.map((o) => `${o.side}@${o.price}`).sort();

test('the ladder sits on the tick grid, bids rounded down and asks up, ids fresh per round', () => {
  const ladder = buildLadder(MARKET, '5.005', CONFIG, 's1', 7);
  assert.equal(ladder.map((q) => `${q.side}@${q.price}`), ['buy@4.98', 'sell@5.03', 'buy@4.95', 'sell@5.06']);
  assert.equal(ladder.map((q) => q.clientOrderId), ['mm-s1-7-b0', 'mm-s1-7-a0', 'mm-s1-7-b1', 'mm-s1-7-a1']);
  assert.ok(ladder.every((q) => q.amount === '1'));
  assert.equal(buildLadder(MARKET, '0.02', CONFIG, 's1', 1).map((q) => q.side), ['sell', 'sell'], 'no bid at or below zero');
});

test('a bad configuration is refused with BOT_CONFIG_INVALID', async () => {
  const trader = await client(601);
  for (const bad of [{ levels: 0 }, { levels: 33 }, { spreadTicks: 0 }, { levelSize: '0.05' }, { deadManMs: 10 }, { clientOrderIdPrefix: 'has space' }]) {
    assert.throws(() => new MarketMaker(trader, new Subject<string>(), { ...CONFIG, ...bad }), (error: unknown) => isDarkpoolError(error, 'BOT_CONFIG_INVALID'), JSON.stringify(bad));
  }
});

test('quotes, re-quotes on a fill and on a reference move, ignores small moves, stops cleanly', async () => {
  const maker = await client(611);
  const taker = await client(612);
  const reference = new Subject<string>();
  const bot = new MarketMaker(maker, reference, CONFIG);
  await bot.start();
  const first = next(bot, 'quoted');
  reference.next('5.00');
  const round1 = await first;
  assert.is(round1.kind === 'quoted' && round1.orderIds.length, 4);
  assert.equal(prices(await maker.fetchOpenOrders(SYMBOL)), prices(buildLadder(MARKET, '5.00', CONFIG, 'x', 1).map((q) => ({ side: q.side, price: q.price }))));

  const filled = next(bot, 'fill');
  const requoted = next(bot, 'quoted');
  await taker.createOrder(SYMBOL, 'limit', 'buy', '1', '5.02');
  const fill = await filled;
  assert.equal(fill.kind === 'fill' && [fill.side, fill.price, fill.amount], ['sell', '5.02', '1']);
  const round2 = await requoted;
  assert.is(round2.kind === 'quoted' && round2.round, 2);
  const after = await maker.fetchOpenOrders(SYMBOL);
  assert.is(after.length, 4, 'the ladder is whole again');
  assert.ok(after.every((order) => order.clientOrderId.includes('-2-')), 'all quotes are from the new round');

  const moved = next(bot, 'quoted');
  reference.next('5.50');
  const round3 = await moved;
  assert.equal(round3.kind === 'quoted' && [round3.round, round3.reference], [3, '5.50']);
  assert.equal(prices(await maker.fetchOpenOrders(SYMBOL)), prices(buildLadder(MARKET, '5.50', CONFIG, 'x', 3).map((q) => ({ side: q.side, price: q.price }))));
  reference.next('5.53');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.is(bot.round, 3, 'a move of 3 ticks is below the 5-tick threshold');

  const stopped = next(bot, 'stopped');
  await bot.stop();
  await stopped;
  assert.equal(await maker.fetchOpenOrders(SYMBOL), []);
  await maker.createOrder(SYMBOL, 'limit', 'buy', '1', '1.00');
  await new Promise((resolve) => setTimeout(resolve, CONFIG.deadManMs! + 400));
  assert.is((await maker.fetchOpenOrders(SYMBOL)).length, 1, 'the dead-man switch was disarmed by stop()');
  await maker.cancelAllOrders();
});

test('a bot that dies without stopping loses its quotes to the dead-man switch', async () => {
  const maker = await client(621);
  const observer = await venueClient(venue, 621);
  open.push(observer);
  const bot = new MarketMaker(maker, randomWalkReference(MARKET, '5.00', 10_000, 1, 3), CONFIG);
  const quoted = next(bot, 'quoted');
  await bot.start();
  await quoted;
  assert.is((await observer.fetchOpenOrders(SYMBOL)).length, 4);
  const halted = next(bot, 'stopped');
  await maker.close();
  await halted;
  await eventually(async () => (await observer.fetchOpenOrders(SYMBOL)).length === 0, 'the dead-man switch cancelled the ladder', 6_000);
});

test.after(async () => {
  for (const trader of open) await trader.close();
  await venue.close();
});

test.run();
