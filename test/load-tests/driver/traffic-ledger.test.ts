// The ledger that pairs answers with requests: a first answer is an ack timed from the
// request's scheduled time, a second one a duplicate, one after the request was counted lost
// a late answer; a crossing order's first TAKER fill is timed, a maker fill is not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LoadSession } from '../../../load-tests/driver/load-session.js';
import { RunMeasure } from '../../../load-tests/driver/measure.js';
import { TrafficLedger } from '../../../load-tests/driver/traffic-ledger.js';
import type { ChannelMessage } from '../../../src/protocol/message-codec.js';

/** A session stand-in that records what it would seal. */
function fakeSession(index: number): LoadSession & { readonly sentTypes: string[]; open: boolean } {
  let next = 1;
  const fake = {
    index, open: true, sentTypes: [] as string[],
    get isOpen() { return fake.open; },
    get sentCount() { return next - 1; },
    send(t: string) { fake.sentTypes.push(t); return next++; },
  };
  return fake as unknown as LoadSession & { readonly sentTypes: string[]; open: boolean };
}

function answer(id: number, t = 'result', body: object = { request: 'order.place', result: {} }): ChannelMessage {
  return { t, id: `q${id}`, body } as ChannelMessage;
}

test('acks, duplicates, lost and late answers are told apart', () => {
  let nowMs = 1_000;
  const ledger = new TrafficLedger(() => nowMs);
  const measure = new RunMeasure();
  ledger.current = measure;
  const session = fakeSession(0);
  assert.ok(ledger.send(session, measure, 'passivePlace', 'order.place', {}, 900));
  assert.ok(ledger.send(session, measure, 'cancel', 'order.cancel', {}, 950));
  assert.ok(ledger.send(session, measure, 'passivePlace', 'order.place', {}, 990));
  assert.is(ledger.outstanding(measure), 3);
  nowMs = 1_002;
  ledger.onAnswer(session, 1, answer(1));
  ledger.onAnswer(session, 2, answer(2, 'error', { code: 2001, name: 'REQUEST_REFUSED', message: 'x' }));
  assert.is(measure.acked, 2);
  assert.equal(measure.errors, { REQUEST_REFUSED: 1 });
  assert.is(measure.ack.maxValue >= 101_000 && measure.ack.maxValue <= 102_200, true, 'latency counts from the scheduled time (102 ms), not the send');
  ledger.onAnswer(session, 1, answer(1));
  assert.is(measure.duplicated, 1, 'a second answer is a duplicate');
  ledger.closeRun(measure);
  assert.is(measure.lost, 1, 'the unanswered one is lost');
  assert.is(ledger.outstanding(measure), 0);
  ledger.onAnswer(session, 3, answer(3));
  assert.is(measure.lateAnswers, 1, 'an answer after the run is late, not a duplicate');
  assert.is(measure.duplicated, 1);
  ledger.onAnswer(session, 99, answer(99));
  assert.is(measure.faults, 1, 'an answer to a request never sent is a fault');
  assert.is(measure.ack.totalCount, measure.acked);
});

test('a closed session sends nothing and counts the order unsent', () => {
  const ledger = new TrafficLedger();
  const measure = new RunMeasure();
  const session = fakeSession(1);
  session.open = false;
  assert.not.ok(ledger.send(session, measure, 'passivePlace', 'order.place', {}, 0));
  assert.is(measure.unsent, 1);
  assert.is(measure.sent, 0);
  assert.equal(session.sentTypes, []);
});

test('the first taker fill of a crossing order is timed; maker fills and other reports are not', () => {
  let nowMs = 0;
  const ledger = new TrafficLedger(() => nowMs);
  const measure = new RunMeasure();
  ledger.current = measure;
  const taker = fakeSession(0);
  const maker = fakeSession(1);
  ledger.send(maker, measure, 'crossingPlace', 'order.place', {}, 0, 'm1');
  ledger.send(taker, measure, 'crossingPlace', 'order.place', {}, 10, 't1');
  nowMs = 15;
  const fill = (clientOrderId: string, liquidity: string): ChannelMessage => ({ t: 'report', id: 's1', body: { seq: 1, kind: 'fill', timeMs: 0, clientOrderId, trade: { liquidity } } } as unknown as ChannelMessage);
  ledger.onReport(maker, fill('m1', 'maker'));
  ledger.onReport(taker, fill('t1', 'taker'));
  ledger.onReport(taker, fill('t1', 'taker'));
  ledger.onReport(taker, { t: 'report', id: 's2', body: { seq: 2, kind: 'accepted', timeMs: 0 } } as unknown as ChannelMessage);
  assert.is(measure.fill.totalCount, 1, 'one fill timed');
  assert.ok(measure.fill.maxValue >= 4_990 && measure.fill.maxValue <= 5_010, 'from the taker\'s scheduled time');
  assert.is(measure.reports, 4);
});

test.run();
