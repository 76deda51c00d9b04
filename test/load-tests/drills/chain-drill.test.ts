// INVARIANT: chain connector failures during settlement lose nothing and pay nothing twice.
// The CI size of `npm run drill:chain` (load-tests/drills/chain-drill.ts): SDK traders funded on
// the embedded chain trade and withdraw through the real gateway while the chain drops, delays,
// fails and refuses settlement submissions. With 2 attempts per message, batches really give up:
// every attempt provably dead (deadline passed, topic absent), their payouts credited back in the
// enclave — and still, per trader and asset, chain + enclave equals deposits moved by the trades.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChainDrill } from '../../../load-tests/drills/chain-drill.js';

const SEED = Number(process.env.DRILL_SEED ?? Date.now() % 1_000_000);

/** Low enough that faults exhaust attempts: batches give up, the case that used to lose proceeds. */
const MAX_ATTEMPTS = 2;

test(`chain drill: every batch confirmed once or given up and credited back, chain + enclave = deposits + trades (seed ${SEED})`, async () => {
  const result = await runChainDrill({
    seed: SEED, traders: 8, maxOrdersPerTrader: 40, loadMs: 8_000, settlementWindowMs: 400, withdrawalsPerTrader: 2, quiesceTimeoutMs: 20_000,
    maxAttempts: MAX_ATTEMPTS, faultGapMs: [300, 900], faultTimesMax: 3,
  });
  console.log(`chain drill (seed ${SEED}): ${JSON.stringify(result)}`);
  assert.equal(result.failures, [], `drill failures (seed ${SEED})`);
  assert.ok(result.trades > 20, `trades settled under faults: ${result.trades} (seed ${SEED})`);
  assert.ok(result.batchesSealed >= 3, `batches sealed: ${result.batchesSealed}`);
  assert.ok(result.messagesFailed + result.messagesRetried > 0, `the faults made settlement fail and retry (seed ${SEED})`);
  assert.ok(result.batchesExhausted > 0, `faults exhausted ${MAX_ATTEMPTS} attempts of some batch (seed ${SEED})`);
  assert.ok(result.payoutsRefunded + result.withdrawalsRefunded > 0, `given-up payouts were credited back (seed ${SEED})`);
  assert.is(result.balanceChecks, 16, 'both assets of every trader checked');
  assert.is(result.withdrawals, 16, 'every withdrawal was debited');
});

test.run();
