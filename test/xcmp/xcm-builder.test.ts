// INVARIANT: a settlement message withdraws exactly the payouts plus the fee budget, deposits each
// payout once with a Definite filter, returns the fee surplus, and ends with SetTopic(topic).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError, type ErrorName } from '../../src/errors/index.js';
import type { AccountHex } from '../../src/xcmp/connector.js';
import {
  SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE, buildSettlementDispatch, buildSettlementXcm, buildTransferAssetsArgs, chainLocation, encodeSettlementXcm, paraChainId, parseChainId,
  type Payout,
} from '../../src/xcmp/xcm-builder.js';
import { decodeXcm, encodeXcm, encodeXcmWithRegistry } from '../../src/xcmp/xcm-codec.js';
import {
  XCM_MAX_INSTRUCTIONS, accountLocation, asset, assetHubAssetFromSibling, assetHubAssetLocal, childParachain, here, limitedWeight, relay, siblingParachain, topicOf,
  type Location,
} from '../../src/xcmp/xcm-model.js';
import { xcmRegistry } from '../../src/xcmp/xcm-registry.js';

function expectCode(run: () => unknown, name: ErrorName): void {
  try { run(); } catch (error) { assert.ok(isCodedError(error, name), `expected ${name}, got ${String(error)}`); return; }
  assert.unreachable(`expected ${name}`);
}

const account = (n: number): AccountHex => `0x${n.toString(16).padStart(64, '0')}`;
const topic = new Uint8Array(32).fill(0x5e);
const usdt = assetHubAssetLocal(1984n);
const pool = account(0xfee);

test('chain ids and the locations between chains', () => {
  assert.equal(parseChainId('relay'), { kind: 'relay' });
  assert.equal(parseChainId('para:1004'), { kind: 'para', paraId: 1004 });
  for (const bad of ['', 'para:', 'para:01', 'para:-1', 'para:4294967296', 'Relay', 'para:1 ']) expectCode(() => parseChainId(bad), 'XCM_INVALID_CHAIN_ID');
  assert.is(paraChainId(4883), 'para:4883');
  assert.equal(chainLocation('relay', 'relay'), here());
  assert.equal(chainLocation('relay', 'para:1004'), childParachain(1004));
  assert.equal(chainLocation('para:1004', 'relay'), relay());
  assert.equal(chainLocation('para:1004', 'para:4883'), siblingParachain(4883));
  assert.equal(chainLocation('para:1004', 'para:1004'), here());
});

test('V5 settlement message: totals per asset include the fee, one Definite deposit per payout, surplus, topic last', () => {
  const payouts: Payout[] = [
    { beneficiary: account(1), asset: usdt, amount: 500n },
    { beneficiary: account(2), asset: relay(), amount: 70n },
    { beneficiary: account(3), asset: usdt, amount: 25n },
  ];
  const message = buildSettlementXcm({ version: 5, payouts, fee: asset(relay(), 30n), surplusTo: pool, topic });
  const [withdraw, fee, ...rest] = message.instructions;
  assert.equal(withdraw, { type: 'WithdrawAsset', assets: [asset(usdt, 525n), asset(relay(), 100n)] }, 'sorted by id; relay token total = 70 payout + 30 fee');
  assert.equal(fee, { type: 'PayFees', asset: asset(relay(), 30n) });
  const deposits = rest.slice(0, 3);
  assert.equal(deposits.map((d) => (d.type === 'DepositAsset' && d.assets.kind === 'Definite' ? [d.beneficiary, d.assets.assets] : undefined)),
    payouts.map((p) => [accountLocation(p.beneficiary), [asset(p.asset, p.amount)]]));
  assert.equal(rest.slice(3, 5), [{ type: 'RefundSurplus' }, { type: 'DepositAsset', assets: { kind: 'AllCounted', count: 2 }, beneficiary: accountLocation(pool) }]);
  assert.equal(topicOf(message), topic);
});

test('V4 uses BuyExecution and the message survives encode/decode', () => {
  const dispatch = buildSettlementDispatch({
    kind: 'send', origin: 'para:4883', destination: 'para:1000', version: 4,
    payouts: [{ beneficiary: account(9), asset: usdt, amount: 1n }], fee: asset(relay(), 10n), surplusTo: pool, topic,
  });
  const decoded = decodeXcm(dispatch.message);
  assert.is(decoded.version, 4);
  assert.is(decoded.instructions[1]!.type, 'BuyExecution');
  assert.equal(dispatch.topic, topic);
  assert.equal(topicOf(decoded), topic);
});

test('limits and inconsistent input', () => {
  const many = (n: number): Payout[] => Array.from({ length: n }, (_, i) => ({ beneficiary: account(i + 1), asset: usdt, amount: 1n }));
  const full = buildSettlementXcm({ version: 5, payouts: many(SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE), fee: asset(relay(), 1n), surplusTo: pool, topic });
  assert.is(full.instructions.length, XCM_MAX_INSTRUCTIONS);
  expectCode(() => buildSettlementXcm({ version: 5, payouts: many(SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE + 1), fee: asset(relay(), 1n), surplusTo: pool, topic }), 'XCM_MESSAGE_TOO_LARGE');
  expectCode(() => buildSettlementXcm({ version: 5, payouts: [], fee: asset(relay(), 1n), surplusTo: pool, topic }), 'XCM_MESSAGE_TOO_LARGE');
  const twice = [...many(1), ...many(1)];
  expectCode(() => buildSettlementXcm({ version: 5, payouts: twice, fee: asset(relay(), 1n), surplusTo: pool, topic }), 'XCM_INVALID_MESSAGE');
  expectCode(() => buildSettlementXcm({ version: 5, payouts: many(1), fee: asset(relay(), 1n), surplusTo: pool, topic: new Uint8Array(8) }), 'XCM_INVALID_TOPIC');
  const base = { version: 5 as const, payouts: many(1), fee: asset(relay(), 1n), surplusTo: pool, topic };
  expectCode(() => buildSettlementDispatch({ ...base, kind: 'execute', origin: 'para:1', destination: 'para:2' }), 'XCM_INVALID_MESSAGE');
  expectCode(() => buildSettlementDispatch({ ...base, kind: 'send', origin: 'para:1', destination: 'para:1' }), 'XCM_INVALID_MESSAGE');
});

test('transferAssets arguments encode with the registry to hand-computed bytes', () => {
  const args = buildTransferAssetsArgs({ version: 5, dest: chainLocation('para:4883', 'para:1004'), beneficiary: account(1), assets: [asset(relay(), 10n)], feeAsset: relay() });
  assert.is(xcmRegistry.createType('VersionedMultiLocation', args.dest).toHex(), '0x05' + '01' + '01' + '00' + 'b10f'); // V5 {1, X1[Parachain(compact 1004)]}
  assert.is(xcmRegistry.createType('VersionedMultiAssets', args.assets).toHex(), '0x05' + '04' + '0100' + '00' + '28');
  assert.is(xcmRegistry.createType('VersionedMultiLocation', args.beneficiary).toHex(), '0x05' + '00' + '01' + '01' + '00' + account(1).slice(2));
  assert.is(args.feeAssetItem, 0);
  assert.is(xcmRegistry.createType('WeightLimitV3', args.weightLimit).toHex(), '0x00');
  expectCode(() => buildTransferAssetsArgs({ version: 5, dest: relay(), beneficiary: account(1), assets: [asset(relay(), 10n)], feeAsset: here() }), 'XCM_INVALID_MESSAGE');
});

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env['SEED'] ?? Date.now() % 1_000_000);

test('property: the streamed settlement encoder equals the model encoder and the registry', () => {
  const random = mulberry32(SEED);
  const ids: Location[] = [relay(), here(), usdt, assetHubAssetLocal(1337n), assetHubAssetFromSibling(7n), siblingParachain(2004)];
  for (let i = 0; i < 200; i++) {
    const version = random() < 0.5 ? 4 : 5;
    const payouts: Payout[] = [];
    const used = new Set<string>();
    const count = 1 + Math.floor(random() * (random() < 0.1 ? SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE : 8));
    while (payouts.length < count) {
      const beneficiary = account(1 + Math.floor(random() * 200));
      const id = ids[Math.floor(random() * ids.length)]!;
      if (used.has(`${beneficiary}${ids.indexOf(id)}`)) continue;
      used.add(`${beneficiary}${ids.indexOf(id)}`);
      const amount = random() < 0.2 ? (1n << 128n) - 1n - BigInt(payouts.length) : BigInt(1 + Math.floor(random() * 2 ** 52)) * BigInt(1 + Math.floor(random() * 1_000_000));
      payouts.push({ beneficiary, asset: id, amount });
    }
    const input = {
      version: version as 4 | 5, payouts, fee: asset(relay(), BigInt(1 + Math.floor(random() * 1e9))), surplusTo: pool, topic: Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256)),
      ...(random() < 0.5 ? { weightLimit: limitedWeight(BigInt(Math.floor(random() * 2 ** 40)), 65_536n) } : {}),
    };
    let expected: string;
    try { expected = Buffer.from(encodeXcm(buildSettlementXcm(input))).toString('hex'); } catch (error) {
      assert.ok(isCodedError(error, 'XCM_INVALID_AMOUNT'), `seed ${SEED}: only totals beyond u128 may fail, got ${String(error)}`);
      assert.throws(() => encodeSettlementXcm(input), (thrown: unknown) => isCodedError(thrown, 'XCM_INVALID_AMOUNT'));
      continue;
    }
    assert.is(Buffer.from(encodeSettlementXcm(input)).toString('hex'), expected, `seed ${SEED}, case ${i}`);
    assert.is(Buffer.from(encodeXcmWithRegistry(buildSettlementXcm(input))).toString('hex'), expected, `seed ${SEED}, case ${i}`);
  }
});

test.run();
