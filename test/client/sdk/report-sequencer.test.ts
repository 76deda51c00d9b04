// INVARIANT: across any sequence of sessions, live reports, replays and duplicates, the
// sequencer delivers each seq at most once, in increasing order, and every seq up to the
// enclave's last is either delivered or reported missing (never silently skipped).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReportSequencer, type SeqRange } from '../../../client/sdk/report-sequencer.js';
import { Prng } from '../../support/prng.js';

interface R { readonly seq: number }
const r = (seq: number): R => ({ seq });

test('in-order reports pass through; duplicates and stale seqs are dropped', () => {
  const sequencer = new ReportSequencer<R>(0);
  assert.equal(sequencer.accept(r(1)).delivered.map((x) => x.seq), [1]);
  assert.equal(sequencer.accept(r(1)).delivered, []);
  assert.equal(sequencer.accept(r(2)).delivered.map((x) => x.seq), [2]);
  assert.equal(sequencer.accept(r(0)).delivered, []);
  assert.equal(sequencer.accept(r(-3)).delivered, []);
  assert.is(sequencer.lastSeq, 2);
});

test('a report ahead of a gap waits until the gap fills', () => {
  const sequencer = new ReportSequencer<R>(5);
  assert.equal(sequencer.accept(r(8)).delivered, []);
  assert.equal(sequencer.accept(r(7)).delivered, []);
  assert.is(sequencer.bufferedCount, 2);
  assert.equal(sequencer.accept(r(6)).delivered.map((x) => x.seq), [6, 7, 8]);
  assert.is(sequencer.lastSeq, 8);
});

test('the resume answer declares what the enclave no longer has', () => {
  const sequencer = new ReportSequencer<R>(3);
  sequencer.accept(r(9));
  const out = sequencer.resumed(10);
  assert.equal(out.delivered.map((x) => x.seq), [9]);
  assert.equal(out.missing, [{ fromSeq: 4, toSeq: 8 }, { fromSeq: 10, toSeq: 10 }]);
  assert.is(sequencer.lastSeq, 10);
  assert.equal(sequencer.resumed(7), { delivered: [], missing: [] });
});

test('before the baseline everything waits; the baseline answer releases it in order', () => {
  const sequencer = new ReportSequencer<R>();
  assert.is(sequencer.lastSeq, undefined);
  assert.equal(sequencer.accept(r(12)).delivered, []);
  assert.equal(sequencer.accept(r(11)).delivered, []);
  const out = sequencer.resumed(11);
  assert.equal(out.delivered.map((x) => x.seq), [11, 12]);
  assert.is(sequencer.lastSeq, 12);
  assert.equal(sequencer.accept(r(13)).delivered.map((x) => x.seq), [13]);
});

test('a full buffer gives up on the gap instead of growing', () => {
  const sequencer = new ReportSequencer<R>(0, 3);
  for (const seq of [5, 6, 7]) assert.equal(sequencer.accept(r(seq)).delivered, []);
  const out = sequencer.accept(r(8));
  assert.equal(out.missing, [{ fromSeq: 1, toSeq: 4 }]);
  assert.equal(out.delivered.map((x) => x.seq), [5, 6, 7, 8]);
});

test('property: sessions, outages, replays and duplicates never lose or repeat a seq', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const prng = new Prng(seed);
    const memory = prng.int(1, 40);
    let produced = prng.int(0, 20);
    const sequencer = new ReportSequencer<R>();
    const delivered: number[] = [];
    const missing: SeqRange[] = [];
    const received = new Set<number>();
    const take = (out: { delivered: readonly R[]; missing: readonly SeqRange[] }): void => {
      delivered.push(...out.delivered.map((x) => x.seq));
      missing.push(...out.missing);
    };
    const feed = (seq: number): void => {
      received.add(seq);
      take(sequencer.accept(r(seq)));
      if (prng.chance(0.2)) take(sequencer.accept(r(seq)));
    };
    const baseline = produced;
    let sessions = prng.int(1, 6);
    let first = true;
    while (sessions-- > 0) {
      // Reports released between the handshake and the resume answer reach the new session live.
      const early = prng.int(0, 5);
      for (let i = 0; i < early; i++) feed(++produced);
      const replayFrom = first ? produced + 1 : Math.max((sequencer.lastSeq ?? 0) + 1, produced - memory + 1);
      for (let seq = replayFrom; seq <= produced; seq++) feed(seq);
      take(sequencer.resumed(produced));
      first = false;
      const live = prng.int(0, 30);
      for (let i = 0; i < live; i++) feed(++produced);
      produced += prng.int(0, 60);
    }
    const context = `seed ${seed}`;
    for (let i = 1; i < delivered.length; i++) assert.ok(delivered[i]! > delivered[i - 1]!, `${context}: increasing`);
    const missed = new Set<number>();
    for (const range of missing) for (let seq = range.fromSeq; seq <= range.toSeq; seq++) missed.add(seq);
    for (const seq of delivered) assert.not.ok(missed.has(seq), `${context}: ${seq} both delivered and missing`);
    const expectedDelivered = [...received].filter((seq) => seq > baseline).sort((a, b) => a - b);
    assert.equal(delivered, expectedDelivered, `${context}: delivered exactly what arrived after the baseline`);
    const last = sequencer.lastSeq!;
    for (let seq = baseline + 1; seq <= last; seq++) assert.ok(missed.has(seq) || delivered.includes(seq), `${context}: seq ${seq} accounted for`);
  }
});

test.run();
