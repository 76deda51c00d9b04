// The load driver's order flow: canonical prices on the tick grid, bounded resting orders per
// session however long it runs, crossing pairs between two different sessions, and the same
// flow for the same seed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FLOW_MIX, FlowRandom, OrderFlow, ticksToPrice } from '../../../load-tests/driver/order-flow.js';

const SEED = Number(process.env.SEED ?? 20261125);
const MARKET = 'DOT/USDC';

/** Reference: the decimal with two places, trailing zeros and a bare point removed. */
function referencePrice(ticks: number): string {
  return (ticks / 100).toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

test('ticksToPrice writes the canonical decimal for every tick the flow uses', () => {
  for (let ticks = 1; ticks <= 100_000; ticks++) assert.is(ticksToPrice(ticks), referencePrice(ticks), `ticks ${ticks}`);
  assert.is(ticksToPrice(500), '5');
  assert.is(ticksToPrice(410), '4.1');
  assert.is(ticksToPrice(405), '4.05');
});

test('resting passive orders stay within bounds and every cancel names one the session placed', () => {
  const sessions = 5;
  const flow = new OrderFlow(SEED, MARKET, sessions, 'T');
  const resting = Array.from({ length: sessions }, () => new Set<string>());
  const counts = { passivePlace: 0, crossingPlace: 0, cancel: 0 };
  for (let i = 0; i < 200_000; i++) {
    const command = flow.next();
    counts[command.kind] += 1;
    const body = command.body as { clientOrderId: string; price?: string; market: string };
    assert.is(body.market, MARKET);
    if (command.kind === 'passivePlace') resting[command.session]!.add(body.clientOrderId);
    if (command.kind === 'cancel') assert.ok(resting[command.session]!.delete(body.clientOrderId), `seed ${SEED}: cancel of an order session ${command.session} holds`);
    for (let s = 0; s < sessions; s++) {
      assert.ok(resting[s]!.size <= FLOW_MIX.passiveMax, `seed ${SEED}: session ${s} holds at most ${FLOW_MIX.passiveMax}`);
      assert.is(flow.restingPassive(s), resting[s]!.size);
    }
  }
  assert.ok(counts.crossingPlace > 0.15 * 200_000 && counts.crossingPlace < 0.25 * 200_000, `crossing share ${counts.crossingPlace}`);
  assert.ok(counts.cancel > 0.3 * 200_000, `cancels ${counts.cancel}`);
});

test('passive prices never cross the crossing price; consecutive crossing orders pair opposite sides across two sessions', () => {
  const flow = new OrderFlow(SEED, MARKET, 3, 'T');
  let previous: { session: number; side: string } | undefined;
  for (let i = 0; i < 50_000; i++) {
    const command = flow.next();
    const body = command.body as { side: string; price: string; clientOrderId: string };
    if (command.kind === 'passivePlace') {
      const price = Number(body.price);
      assert.ok(body.side === 'buy' ? price < 5 : price > 5, `${body.side} at ${body.price} rests away from 5`);
    }
    if (command.kind !== 'crossingPlace') continue;
    assert.is(body.price, '5');
    assert.is(command.crossingClientOrderId, body.clientOrderId);
    if (previous !== undefined) {
      assert.is.not(command.session, previous.session, 'a pair never trades with itself');
      assert.is.not(body.side, previous.side, 'sides alternate');
    }
    previous = { session: command.session, side: body.side };
  }
});

test('the same seed gives the same flow; client order ids are unique', () => {
  const a = new OrderFlow(SEED, MARKET, 4, 'R');
  const b = new OrderFlow(SEED, MARKET, 4, 'R');
  const ids = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const left = a.next();
    assert.equal(left, b.next());
    if (left.t === 'order.place') {
      const id = (left.body as { clientOrderId: string }).clientOrderId;
      assert.not.ok(ids.has(id));
      ids.add(id);
    }
  }
  const random = new FlowRandom(SEED);
  for (let i = 0; i < 1_000; i++) {
    const value = random.int(3, 9);
    assert.ok(Number.isInteger(value) && value >= 3 && value <= 9);
  }
});

test('a flow needs two sessions', () => {
  assert.throws(() => new OrderFlow(SEED, MARKET, 1, 'T'), /two sessions/);
});

test.run();
