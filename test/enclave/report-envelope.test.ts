// The report message text built from the engine's own JSON is byte for byte what the checked
// encoder makes of the report, and the client's strict decoder takes it back unchanged, for
// every report a seeded random flow produces (fills, partials, cancels, expiries, deposits,
// withdrawals, settlement). A failing run prints its seed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENCLAVE_CHANNEL_FAULTS } from '../../src/enclave/channel/faults.js';
import { EnclaveEngine, type EnclaveCommand, type EnclaveCommandBody, type EngineOutput } from '../../src/enclave/engine.js';
import { reportMessageText } from '../../src/enclave/report-envelope.js';
import type { OrderSpec } from '../../src/enclave/requests.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { decodeMessage, encodeMessageText } from '../../src/protocol/message-codec.js';
import { TEST_MARKET } from '../support/enclave-trader.js';
import { Prng } from '../support/prng.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5e9);
const MARKET = buildMarketSpec(TEST_MARKET);
const ACCOUNTS = ['alice', 'bob', 'carol'];

function order(prng: Prng, step: number): OrderSpec {
  const gtt = prng.chance(0.2);
  return {
    market: MARKET.id, clientOrderId: `o${step}`, side: prng.chance(0.5) ? 'buy' : 'sell', orderType: 'limit', priceTicks: prng.int(490, 510), sizeLots: prng.int(1, 30),
    timeInForce: gtt ? 'GTT' : prng.pick(['GTC', 'IOC'] as const), expireAtMs: gtt ? 1_000 + step * 3 + prng.int(1, 30) : undefined,
    postOnly: false, minQtyLots: 0, selfTradePrevention: 'cancelNewest',
  } as OrderSpec;
}

test(`every report's message text equals the checked encoding and decodes back to the report (seed ${SEED})`, () => {
  const prng = new Prng(SEED);
  const engine = new EnclaveEngine({ markets: [MARKET], feeAccount: 'fees' });
  const kinds = new Set<string>();
  let seq = 0;
  let checked = 0;
  const run = (body: EnclaveCommandBody): EngineOutput => {
    const output = engine.apply({ ...body, seq: ++seq, timeMs: 1_000 + seq * 3 } as EnclaveCommand);
    for (const { report, json } of output.reports) {
      const text = reportMessageText(report.seq, json);
      assert.is(text, encodeMessageText({ t: 'report', id: `s${report.seq}`, body: report }, ENCLAVE_CHANNEL_FAULTS), `seed ${SEED} command ${seq}`);
      assert.equal(decodeMessage(new TextEncoder().encode(text), ENCLAVE_CHANNEL_FAULTS).body, JSON.parse(JSON.stringify(report)), `seed ${SEED} command ${seq}`);
      kinds.add(report.kind);
      checked += 1;
    }
    return output;
  };
  for (const account of ACCOUNTS) {
    run({ kind: 'deposit', account, asset: 'USDC', atoms: 10_000_000_000n, reference: `u-${account}` });
    run({ kind: 'deposit', account, asset: 'DOT', atoms: 1_000_000_000_000n, reference: `d-${account}` });
  }
  for (let step = 0; step < 600; step++) {
    const account = prng.pick(ACCOUNTS);
    const roll = prng.next();
    if (roll < 0.6) run({ kind: 'trade', account, requestId: `r${step}`, request: { type: 'order.place', order: order(prng, step) } });
    else if (roll < 0.75) run({ kind: 'trade', account, requestId: `r${step}`, request: { type: 'order.cancelAll', market: undefined } });
    else if (roll < 0.85) run({ kind: 'tick' });
    else if (roll < 0.9) run({ kind: 'closeWindow' });
    else run({ kind: 'trade', account, requestId: `r${step}`, request: { type: 'funds.withdraw', asset: 'USDC', atoms: BigInt(prng.int(1, 1_000_000)) } });
  }
  for (const kind of ['accepted', 'fill', 'done', 'cancelled', 'expired', 'deposit', 'withdrawal']) assert.ok(kinds.has(kind), `the flow produced a ${kind} report (seed ${SEED})`);
  assert.ok(checked > 1_000, `${checked} reports checked`);
});

test('a report seq must be a positive safe integer', () => {
  assert.throws(() => reportMessageText(0, '{}'), /assertion/);
  assert.throws(() => reportMessageText(1.5, '{}'), /assertion/);
});

test.run();
