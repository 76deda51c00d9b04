// Journal bytes of enclave commands: every kind round-trips exactly (bigints included), the
// decoded command drives the engine to the same state hash as the original, and malformed
// bytes are a coded error, never a crash (seeded fuzz; a failure prints its seed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeCommandBody, decodeStamped, encodeCommand, timeMsOf, type UnstampedCommand } from '../../src/enclave/command-codec.js';
import { EnclaveEngine } from '../../src/enclave/engine.js';
import { isCodedError } from '../../src/errors/index.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { Prng } from '../support/prng.js';
import { TEST_MARKET } from '../support/enclave-trader.js';

const SEED = 20_240_611;
const CONFIG = { markets: [buildMarketSpec(TEST_MARKET)], feeAccount: 'fees' };

function randomCommand(prng: Prng): UnstampedCommand {
  const account = prng.pick(['alice', 'bob']);
  switch (prng.int(0, 5)) {
    case 0: return { kind: 'deposit', account, asset: prng.pick(['USDC', 'DOT']), atoms: BigInt(prng.int(1, 2 ** 30)) * 1_000_000_000n, reference: `d${prng.int(0, 1e9)}` };
    case 1: return { kind: 'tick' };
    case 2: return { kind: 'cancelAll', account, reason: prng.pick(['deadMan', 'disconnect'] as const) };
    case 3: return { kind: 'trade', account, requestId: `r${prng.int(0, 1e6)}`, request: { type: 'funds.withdraw', asset: 'USDC', atoms: BigInt(prng.int(1, 1e6)) } };
    default: {
      const gtt = prng.chance(0.3);
      return {
        kind: 'trade', account, requestId: `r${prng.int(0, 1e6)}`,
        request: { type: 'order.place', order: {
          market: TEST_MARKET.id, clientOrderId: `${prng.int(0, 999)}n`, side: prng.pick(['buy', 'sell'] as const), orderType: 'limit',
          priceTicks: prng.int(90, 110), sizeLots: prng.int(1, 20), timeInForce: gtt ? 'GTT' : 'GTC', expireAtMs: gtt ? prng.int(1, 5_000) : undefined,
          postOnly: false, minQtyLots: 0, selfTradePrevention: 'cancelNewest',
        } },
      };
    }
  }
}

test('every command round-trips through its journal bytes and replays to the same state', () => {
  const prng = new Prng(SEED);
  const live = new EnclaveEngine(CONFIG);
  const replayed = new EnclaveEngine(CONFIG);
  for (let i = 1; i <= 2_000; i++) {
    const body = randomCommand(prng);
    const bytes = encodeCommand(body);
    const decoded = decodeCommandBody(bytes);
    assert.equal(JSON.parse(JSON.stringify(decoded, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))), JSON.parse(JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))), `seed ${SEED} command ${i}`);
    if ('atoms' in body) assert.is((decoded as typeof body).atoms, body.atoms);
    const logicalTimeNs = BigInt(i) * 1_000_000n + 999n;
    live.apply({ ...body, seq: i, timeMs: i } as Parameters<EnclaveEngine['apply']>[0]);
    replayed.apply(decodeStamped({ sequence: i, logicalTimeNs, command: bytes }));
  }
  assert.is(replayed.stateHash(), live.stateHash(), `seed ${SEED}`);
  assert.is(timeMsOf(1_999_999n), 1);
});

test('bytes are exactly the bigint-aware JSON, whichever path encodes them; a bigint elsewhere is a bug', () => {
  const prng = new Prng(SEED + 2);
  const reference = (body: UnstampedCommand): string => JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  const bodies: UnstampedCommand[] = [
    { kind: 'closeWindow' }, { kind: 'auction', market: TEST_MARKET.id }, { kind: 'reference', market: TEST_MARKET.id, bidTicks: 1, askTicks: 2 },
    { kind: 'settlementStep', window: 3, status: 'confirmed', batchId: `0x${'ab'.repeat(32)}`, accounts: ['cd'.repeat(32)] },
  ];
  for (let i = 0; i < 500; i++) bodies.push(randomCommand(prng));
  for (const body of bodies) assert.is(new TextDecoder().decode(encodeCommand(body)), reference(body), `seed ${SEED + 2} ${body.kind}`);
  assert.equal(decodeCommandBody(encodeCommand(bodies[3]!)), bodies[3], 'a settlement step decodes to itself');
  assert.throws(() => encodeCommand({ kind: 'trade', account: 'a', requestId: 'r', request: { type: 'funds.withdraw', asset: 'USDC', atoms: 1n, extra: 2n } as never }), /only "atoms" carries bigints/);
});

test('malformed journal bytes are RUNTIME_COMMAND_MALFORMED (seeded fuzz)', () => {
  const prng = new Prng(SEED + 1);
  const samples = ['', '{}', '[]', 'null', '{"kind":"nope"}', '{"kind":"deposit","atoms":"1.5"}', '{"kind":"deposit","atoms":7}', '\u00ff'];
  for (let i = 0; i < 500; i++) {
    const bytes = encodeCommand(randomCommand(prng));
    const cut = bytes.slice(0, prng.int(0, bytes.length - 1));
    samples.push(new TextDecoder().decode(cut));
  }
  for (const sample of samples) {
    try {
      decodeCommandBody(new TextEncoder().encode(sample));
      assert.unreachable(`accepted ${JSON.stringify(sample)} (seed ${SEED + 1})`);
    } catch (error) {
      assert.ok(isCodedError(error, 'RUNTIME_COMMAND_MALFORMED'), `${String(error)} for ${JSON.stringify(sample)} (seed ${SEED + 1})`);
    }
  }
});

test.run();
