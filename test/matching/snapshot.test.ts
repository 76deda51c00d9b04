// INVARIANT: the matcher is a function of its commands. The same commands give the same events and
// state hash; a snapshot taken anywhere, serialised, restored and fed the remaining commands gives
// the same events and hash as the straight run; a damaged snapshot is refused with a coded error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { Matcher } from '../../src/matching/matcher.js';
import type { MatcherSnapshot } from '../../src/matching/snapshot.js';
import type { Command, MatchEvent } from '../../src/matching/types.js';
import { mixedMarkets, prng, randomCommands } from './fixtures.js';

const RUNS = 40;
const COMMANDS_PER_RUN = 300;

function serialise(events: readonly MatchEvent[]): string {
  return JSON.stringify(events, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
}

function runAll(matcher: Matcher, commands: readonly Command[]): MatchEvent[] {
  const events: MatchEvent[] = [];
  const sink = (event: MatchEvent): void => { events.push(event); };
  for (const command of commands) matcher.apply(command, sink);
  return events;
}

test('the same commands give the same events and the same state hash', () => {
  for (let seed = 1; seed <= RUNS; seed++) {
    const commands = randomCommands(seed, COMMANDS_PER_RUN);
    const first = new Matcher({ markets: mixedMarkets() });
    const second = new Matcher({ markets: mixedMarkets() });
    assert.is(serialise(runAll(first, commands)), serialise(runAll(second, commands)), `seed ${seed}`);
    assert.is(first.stateHash(), second.stateHash(), `seed ${seed}`);
  }
});

test('snapshot, JSON round trip, restore and replay of the rest equals the straight run', () => {
  for (let seed = 1; seed <= RUNS; seed++) {
    const commands = randomCommands(seed, COMMANDS_PER_RUN);
    const cut = 1 + Math.floor(prng(seed * 7919)() * (commands.length - 1));
    const straight = new Matcher({ markets: mixedMarkets() });
    const straightEvents = runAll(straight, commands);
    const before = new Matcher({ markets: mixedMarkets() });
    const head = runAll(before, commands.slice(0, cut));
    const snapshot = JSON.parse(JSON.stringify(before.snapshot())) as MatcherSnapshot;
    const restored = Matcher.restore(snapshot);
    assert.is(restored.stateHash(), before.stateHash(), `seed ${seed}: restore reproduces the hash`);
    const tail = runAll(restored, commands.slice(cut));
    assert.is(serialise([...head, ...tail]), serialise(straightEvents), `seed ${seed} cut ${cut}: events`);
    assert.is(restored.stateHash(), straight.stateHash(), `seed ${seed} cut ${cut}: hash`);
    restored.checkInvariants();
  }
});

test('the state hash changes with the state', () => {
  const commands = randomCommands(3, 50);
  const matcher = new Matcher({ markets: mixedMarkets() });
  const hashes = new Set<string>([matcher.stateHash()]);
  for (const command of commands) {
    matcher.apply(command, () => {});
    hashes.add(matcher.stateHash());
  }
  assert.is(hashes.size, commands.length + 1, 'every command at least moves lastSeq');
  assert.match(matcher.stateHash(), /^[0-9a-f]{64}$/);
});

function refused(snapshot: unknown, why: string): void {
  try {
    Matcher.restore(snapshot as MatcherSnapshot);
    assert.unreachable(why);
  } catch (error) {
    assert.ok(isCodedError(error, 'SNAPSHOT_INVALID'), `${why}: ${String(error)}`);
  }
}

test('damaged snapshots are refused with SNAPSHOT_INVALID', () => {
  const matcher = new Matcher({ markets: mixedMarkets() });
  runAll(matcher, randomCommands(11, 200));
  const good = matcher.snapshot();
  assert.ok(good.books[0]!.orders.length + good.books[1]!.orders.length > 0, 'the snapshot holds orders');
  const copy = (): Record<string, unknown> => JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
  refused(null, 'null');
  refused({ ...copy(), version: 2 }, 'version');
  refused({ ...copy(), lastSeq: -0.5 }, 'counter');
  const unknownAccount = JSON.parse(JSON.stringify(good)) as { books: { orders: { account: string }[] }[] };
  const withOrders = unknownAccount.books.find((book) => book.orders.length > 0)!;
  withOrders.orders[0]!.account = 'stranger';
  refused(unknownAccount, 'unknown account');
  const duplicated = JSON.parse(JSON.stringify(good)) as { books: { orders: unknown[] }[] };
  const target = duplicated.books.find((book) => book.orders.length > 0)!;
  target.orders.push(target.orders[0]);
  refused(duplicated, 'repeated order');
  const badSize = JSON.parse(JSON.stringify(good)) as { books: { orders: { remainingLots: number }[] }[] };
  badSize.books.find((book) => book.orders.length > 0)!.orders[0]!.remainingLots = 0;
  refused(badSize, 'zero size');
  const badSpec = JSON.parse(JSON.stringify(good)) as { books: { spec: { tickSize: string } }[] };
  badSpec.books[0]!.spec.tickSize = '1e-2';
  refused(badSpec, 'bad spec');
});

test.run();
