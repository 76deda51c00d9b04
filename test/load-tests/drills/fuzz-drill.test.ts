// INVARIANT: every malformed input at the gateway is answered with a coded error, the engine
// never crashes, and real clients keep being served meanwhile. The CI size of `npm run
// drill:fuzz` (load-tests/drills/fuzz-drill.ts): 20,000 seeded malformed frames, handshakes and
// REST bodies against a real engine process while SDK traders place orders.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runFuzzDrill } from '../../../load-tests/drills/fuzz-drill.js';
import { FUZZ_FAMILIES } from '../../../load-tests/drills/fuzz/cases.js';

const SEED = Number(process.env.DRILL_SEED ?? Date.now() % 1_000_000);
const INPUTS = 20_000;

test(`fuzz drill: ${INPUTS} malformed inputs, all coded, no crash, clients served (seed ${SEED})`, async () => {
  const result = await runFuzzDrill({ seed: SEED, inputs: INPUTS, concurrency: 24, traders: 2, traderPauseMs: 20, messagesPerSession: 20 });
  console.log(`fuzz drill (seed ${SEED}): ${JSON.stringify(result)}`);
  assert.ok(result.inputs >= INPUTS, `inputs sent: ${result.inputs}`);
  assert.is(result.engineCrashes, 0, `engine crashed (seed ${SEED})`);
  assert.equal(result.engineFatalMessages, [], `engine fatal (seed ${SEED})`);
  assert.equal(result.findings, {}, `uncoded or unanswered inputs (seed ${SEED})`);
  assert.is(result.answeredWithCode, result.inputs, `every input answered with a code (seed ${SEED})`);
  assert.is(result.internalErrors, 0, `internal errors (seed ${SEED})`);
  for (const family of FUZZ_FAMILIES) assert.ok((result.byFamily[family.name] ?? 0) > 0, `family ${family.name} ran (seed ${SEED})`);
  assert.ok(result.clientOrdersAcked > 50, `client orders acked during the fuzz: ${result.clientOrdersAcked}`);
  assert.is(result.clientOrdersFailed, 0, `client orders refused or lost during the fuzz (seed ${SEED})`);
});

test.run();
