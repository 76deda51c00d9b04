// INVARIANT: message state only moves along pending → submitted → confirmed | failed → retried →
// pending (→ abandoned only once attempts are exhausted and the last deadline has passed), a
// record that would break that is refused, and replaying records rebuilds the state.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import type { Batch } from '../../src/settlement/batch.js';
import { SettlementState, outflowOf } from '../../src/settlement/lifecycle.js';
import type { SettlementRecord } from '../../src/settlement/records.js';
import type { AccountHex } from '../../src/xcmp/connector.js';

const account = (n: number): AccountHex => `0x${n.toString(16).padStart(64, '0')}`;
const id = `0x${'cd'.repeat(32)}` as const;
const batch: Batch = {
  id, windowNumber: 0, openedAtMs: 0, closedAtMs: 1, fillCount: 1, lastTradeId: 't9',
  withdrawals: [{ requestId: 'w1', account: account(1), chain: 'relay', asset: 'DOT', amount: 2n }],
  ledgerChanges: [{ chain: 'relay', asset: 'DOT', account: account(1), delta: -10n }],
  messages: [{ index: 0, origin: 'relay', destination: 'relay', kind: 'execute', xcmVersion: 5, payouts: [{ chain: 'relay', asset: 'DOT', account: account(2), amount: 8n }], feeAsset: 'DOT', feeAtoms: 2n, topic: id, message: new Uint8Array(2) }],
  signature: new Uint8Array(64),
};
const deposit: SettlementRecord = { type: 'deposit', deposit: { chain: 'relay', asset: 'DOT', from: account(1), amount: 10n, reference: 'r' } };
const ref = { batchId: id, index: 0 } as const;

function refused(state: SettlementState, record: SettlementRecord): void {
  try { state.apply(record); assert.unreachable(record.type); } catch (error) { assert.ok(isCodedError(error, 'SETTLEMENT_RECORD_INVALID'), String(error)); }
}

test('a full life: deposit, batch, submit, fail, retry, confirm', () => {
  const state = new SettlementState(2, account(9));
  state.apply(deposit);
  state.apply({ type: 'batch', batch });
  assert.is(state.ledger.balance('relay', 'DOT', account(1)), 0n);
  assert.is(state.pendingOutflow('relay', 'DOT'), 10n);
  assert.is(outflowOf(batch.messages[0]!, 'DOT'), 10n);
  assert.equal(state.withdrawalIds, new Set(['w1']));
  assert.is(state.lastTradeId, 't9');
  state.apply({ type: 'submitted', ...ref, attempt: 1, atMs: 2 });
  state.apply({ type: 'failed', ...ref, attempt: 1, error: 'SETTLEMENT_EXECUTION_FAILED', reason: 'x', reference: 'f1', atMs: 3 });
  assert.ok(state.message(id, 0).seenFailures.has('f1'));
  state.apply({ type: 'retried', ...ref, attempt: 2, atMs: 4 });
  assert.is(state.message(id, 0).status, 'pending');
  state.apply({ type: 'submitted', ...ref, attempt: 2, atMs: 5 });
  state.apply({ type: 'confirmed', ...ref, reference: 'ok', atMs: 6 });
  assert.is(state.pendingOutflow('relay', 'DOT'), 0n);
  assert.equal(state.unconfirmed(), []);
});

test('impossible transitions are refused', () => {
  const state = new SettlementState(1, account(9));
  refused(state, { type: 'submitted', ...ref, attempt: 1, atMs: 0 });
  refused(state, { type: 'batch', batch: { ...batch, windowNumber: 1 } });
  refused(state, { type: 'batch', batch }); // overdraws: no deposit yet
  state.apply(deposit);
  refused(state, deposit);
  state.apply({ type: 'batch', batch });
  refused(state, { type: 'batch', batch: { ...batch, windowNumber: 1 } });
  refused(state, { type: 'submitted', ...ref, attempt: 2, atMs: 0 });
  refused(state, { type: 'retried', ...ref, attempt: 2, atMs: 0 });
  state.apply({ type: 'submitted', ...ref, attempt: 1, atMs: 0 });
  refused(state, { type: 'submitted', ...ref, attempt: 1, atMs: 0 });
  state.apply({ type: 'failed', ...ref, attempt: 1, error: 'SETTLEMENT_DELIVERY_REFUSED', reason: '', reference: null, atMs: 1 });
  refused(state, { type: 'retried', ...ref, attempt: 2, atMs: 2 }); // maxAttempts 1: needs a re-arm
  state.apply({ type: 'rearmed', ...ref, atMs: 3 });
  refused(state, { type: 'rearmed', ...ref, atMs: 3 });
  state.apply({ type: 'retried', ...ref, attempt: 2, atMs: 4 });
  state.apply({ type: 'confirmed', ...ref, reference: 'r', atMs: 5 });
  refused(state, { type: 'confirmed', ...ref, reference: 'r', atMs: 5 });
  try { state.message(id, 7); assert.unreachable(); } catch (error) { assert.ok(isCodedError(error, 'SETTLEMENT_UNKNOWN_MESSAGE')); }
});

test('abandoned: only exhausted and past the last deadline; payouts and fee budget return to the ledger once', () => {
  const records: SettlementRecord[] = [
    deposit, { type: 'batch', batch },
    { type: 'submitted', ...ref, attempt: 1, atMs: 1, validUntil: 10 },
    { type: 'failed', ...ref, attempt: 1, error: 'SETTLEMENT_CONFIRM_TIMEOUT', reason: '', reference: null, atMs: 2 },
  ];
  const state = new SettlementState(1, account(9));
  for (const record of records) state.apply(record);
  assert.is(state.message(id, 0).validUntil, 10);
  refused(state, { type: 'abandoned', ...ref, attempt: 1, finalizedHeight: 10, atMs: 3 }); // deadline not passed yet
  refused(state, { type: 'abandoned', ...ref, attempt: 2, finalizedHeight: 11, atMs: 3 });
  const abandoned: SettlementRecord = { type: 'abandoned', ...ref, attempt: 1, finalizedHeight: 11, atMs: 3 };
  state.apply(abandoned);
  assert.is(state.message(id, 0).status, 'abandoned');
  assert.is(state.ledger.balance('relay', 'DOT', account(2)), 8n, 'the payout is back with its account');
  assert.is(state.ledger.balance('relay', 'DOT', account(9)), 2n, 'the fee budget is back with the fee account');
  assert.is(state.ledger.total('relay', 'DOT'), 10n, 'the deposit, whole again');
  assert.is(state.pendingOutflow('relay', 'DOT'), 0n);
  assert.equal(state.unconfirmed(), []);
  assert.is(state.abandoned().length, 1);
  refused(state, abandoned);
  refused(state, { type: 'confirmed', ...ref, reference: 'late', atMs: 4 });
  refused(state, { type: 'rearmed', ...ref, atMs: 4 });
  const replayed = new SettlementState(1, account(9));
  for (const record of [...records, abandoned]) replayed.apply(record);
  assert.is(replayed.ledger.balance('relay', 'DOT', account(2)), 8n, 'replay rebuilds the same ledger');
});

test('an attempt without a deadline (records from before deadlines) is never taken for dead', () => {
  const state = new SettlementState(1, account(9));
  state.apply(deposit);
  state.apply({ type: 'batch', batch });
  state.apply({ type: 'submitted', ...ref, attempt: 1, atMs: 1 });
  state.apply({ type: 'failed', ...ref, attempt: 1, error: 'SETTLEMENT_CONFIRM_TIMEOUT', reason: '', reference: null, atMs: 2 });
  assert.ok(state.message(id, 0).undated);
  refused(state, { type: 'abandoned', ...ref, attempt: 1, finalizedHeight: 1_000_000, atMs: 3 });
});

test.run();
