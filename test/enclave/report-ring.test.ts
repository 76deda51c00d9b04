// The resume history ring against a reference (an array of strings under the same count and
// byte bounds): seeded random reports of random sizes, including non-ASCII text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReportRing } from '../../src/enclave/report-ring.js';

const HEADER_BYTES = 12;

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function recordBytes(json: string): number {
  return HEADER_BYTES + new TextEncoder().encode(json).length;
}

test('keeps exactly what a count- and byte-bounded reference keeps, for seeded random streams', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = rng(seed);
    const maxReports = 1 + Math.floor(random() * 64);
    const maxBytes = 400 + Math.floor(random() * 4000);
    const ring = new ReportRing(maxReports, maxBytes);
    const reference: { seq: number; json: string }[] = [];
    for (let seq = 1; seq <= 600; seq++) {
      const filler = random() < 0.2 ? 'é€😀'.repeat(Math.floor(random() * 10)) : 'x'.repeat(Math.floor(random() * 120));
      const json = JSON.stringify({ seq, kind: 'fill', note: filler });
      ring.push(seq, json);
      reference.push({ seq, json });
      while (reference.length > maxReports || reference.reduce((sum, kept) => sum + recordBytes(kept.json), 0) > maxBytes) reference.shift();
      if (seq % 37 === 0 || seq === 600) {
        assert.equal([...ring.after(0)], reference, `seed ${seed} seq ${seq}`);
        const afterSeq = Math.floor(random() * (seq + 2));
        assert.equal([...ring.after(afterSeq)], reference.filter((kept) => kept.seq > afterSeq), `seed ${seed} after ${afterSeq}`);
      }
    }
    assert.is(ring.size, reference.length);
    assert.is(ring.keptBytes, reference.reduce((sum, kept) => sum + recordBytes(kept.json), 0));
  }
});

test('a ring refilled from its own contents keeps the same reports', () => {
  const ring = new ReportRing(100, 3000);
  for (let seq = 1; seq <= 500; seq++) ring.push(seq, JSON.stringify({ seq, pad: 'p'.repeat(seq % 50) }));
  const kept = [...ring.after(0)];
  const refilled = new ReportRing(100, 3000);
  for (const report of kept) refilled.push(report.seq, report.json);
  assert.equal([...refilled.after(0)], kept);
});

test('refuses seqs that do not follow, reports over the budget and bad bounds', () => {
  const ring = new ReportRing(4, 64);
  ring.push(5, '{}');
  assert.throws(() => ring.push(7, '{}'), /does not follow/);
  assert.throws(() => ring.push(6, 'y'.repeat(100)), /exceeds/);
  assert.throws(() => new ReportRing(0, 64), /maxReports/);
  assert.throws(() => new ReportRing(4, 4), /maxBytes/);
  assert.equal([...ring.after(0)], [{ seq: 5, json: '{}' }]);
});

test.run();
