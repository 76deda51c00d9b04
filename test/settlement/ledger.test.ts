// INVARIANT: internal balances never go negative and totals are the sums of their entries.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SettlementLedger } from '../../src/settlement/ledger.js';
import type { AccountHex } from '../../src/xcmp/connector.js';

const a = `0x${'01'.repeat(32)}` as AccountHex;
const b = `0x${'02'.repeat(32)}` as AccountHex;

test('balances, totals and slots', () => {
  const ledger = new SettlementLedger();
  ledger.apply('relay', 'DOT', a, 10n);
  ledger.apply('relay', 'DOT', b, 5n);
  ledger.apply('relay', 'DOT', a, -4n);
  ledger.apply('para:1000', 'DOT', a, 1n);
  assert.is(ledger.balance('relay', 'DOT', a), 6n);
  assert.is(ledger.total('relay', 'DOT'), 11n);
  assert.is(ledger.total('para:1000', 'DOT'), 1n);
  assert.is(ledger.total('relay', 'USDT'), 0n);
  assert.is(ledger.slot('relay', 'DOT').get(b), 5n, 'slot is the live map the netting hot path reads');
});

test('an overdraft is a bug and throws without changing the balance', () => {
  const ledger = new SettlementLedger();
  ledger.apply('relay', 'DOT', a, 3n);
  assert.throws(() => ledger.apply('relay', 'DOT', a, -4n), /ledger invariant/);
  assert.is(ledger.balance('relay', 'DOT', a), 3n);
});

test('batch changes: the first overdraft is found before anything is applied', () => {
  const ledger = new SettlementLedger();
  ledger.apply('relay', 'DOT', a, 5n);
  const changes = [
    { chain: 'relay', asset: 'DOT', account: a, delta: -5n },
    { chain: 'relay', asset: 'DOT', account: b, delta: 3n },
    { chain: 'relay', asset: 'USDT', account: b, delta: -1n },
  ];
  assert.is(ledger.firstOverdraft(changes), changes[2]);
  assert.is(ledger.firstOverdraft(changes.slice(0, 2)), undefined);
  ledger.applyAll(changes.slice(0, 2));
  assert.is(ledger.balance('relay', 'DOT', a), 0n);
  assert.is(ledger.total('relay', 'DOT'), 3n);
  assert.throws(() => ledger.applyAll([changes[2]!]), /ledger invariant/);
});

test.run();
