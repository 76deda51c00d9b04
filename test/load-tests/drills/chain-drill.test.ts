// INVARIANT: chain connector failures during settlement lose nothing and pay nothing twice.
// The CI size of `npm run drill:chain` (load-tests/drills/chain-drill.ts): SDK traders funded on
// the embedded chain trade and withdraw through the real gateway while the chain drops, delays,
// fails and refuses settlement submissions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChainDrill } from '../../../load-tests/drills/chain-drill.js';

const SEED = Number(process.env.DRILL_SEED ?? Date.now() % 1_000_000);

test(`chain drill: every batch confirmed once or refunded, chain + enclave = deposits + trades (seed ${SEED})`, async () => {
  const result = await runChainDrill({
    seed: SEED, traders: 8, maxOrdersPerTrader: 40, loadMs: 8_000, settlementWindowMs: 400, withdrawalsPerTrader: 2, quiesceTimeoutMs: 20_000,
    maxAttempts: 10, faultGapMs: [400, 1_200], faultTimesMax: 1,
  });
  console.log(`chain drill (seed ${SEED}): ${JSON.stringify(result)}`);
  assert.equal(result.failures, [], `drill failures (seed ${SEED})`);
  assert.ok(result.trades > 20, `trades settled under faults: ${result.trades} (seed ${SEED})`);
  assert.ok(result.batchesSealed >= 3, `batches sealed: ${result.batchesSealed}`);
  assert.ok(result.messagesFailed + result.messagesRetried > 0, `the faults made settlement fail and retry (seed ${SEED})`);
  assert.is(result.batchesExhausted, 0, `transient faults never exhaust 10 attempts (seed ${SEED})`);
  assert.is(result.balanceChecks, 16, 'both assets of every trader checked');
  assert.is(result.withdrawals, 16, 'every withdrawal was debited');
});

test.run();
