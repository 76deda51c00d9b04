// INVARIANT: a batch id is a pure function of window number and contents, every topic derives
// from it, the signature covers the exact XCM bytes, and any change is detected on read-back.
import { ed25519 } from '@noble/curves/ed25519';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { batchDigest, buildBatch, fromHex, messageTopic, verifyBatch, type Batch } from '../../src/settlement/batch.js';
import { DEFAULT_SETTLEMENT_POLICY, resolveConfig, type SettlementConfig } from '../../src/settlement/config.js';
import { SettlementLedger } from '../../src/settlement/ledger.js';
import type { WindowResult } from '../../src/settlement/netting.js';
import type { AccountHex } from '../../src/xcmp/connector.js';
import { decodeXcm } from '../../src/xcmp/xcm-codec.js';
import { assetHubAssetLocal, relay, topicOf } from '../../src/xcmp/xcm-model.js';

const account = (n: number): AccountHex => `0x${n.toString(16).padStart(64, '0')}`;
const FEE = account(0xfee);
const config: SettlementConfig = {
  chains: [{ chain: 'para:1000', route: { kind: 'execute' }, xcmVersion: 5, assets: { DOT: relay(), USDT: assetHubAssetLocal(1984n) }, feeAsset: 'DOT', feeBudgetPerMessage: 7n }],
  escrowAccounts: { 'para:1000': account(0xb001) },
  feeAccount: FEE,
  ...DEFAULT_SETTLEMENT_POLICY,
  maxPayoutsPerMessage: 2,
};
const resolved = resolveConfig(config);
const secretKey = ed25519.utils.randomPrivateKey();
const publicKey = ed25519.getPublicKey(secretKey);
const sign = (digest: Uint8Array): Uint8Array => ed25519.sign(digest, secretKey);

function fundedLedger(): SettlementLedger {
  const ledger = new SettlementLedger();
  ledger.apply('para:1000', 'DOT', FEE, 100n);
  return ledger;
}

const result: WindowResult = {
  windowNumber: 4, openedAtMs: 10, closedAtMs: 20, fillCount: 3, lastTradeId: 't3', withdrawals: [],
  payouts: [
    { chain: 'para:1000', asset: 'DOT', account: account(1), amount: 5n },
    { chain: 'para:1000', asset: 'USDT', account: account(2), amount: 6n },
    { chain: 'para:1000', asset: 'USDT', account: account(3), amount: 7n },
  ],
  ledgerChanges: [
    { chain: 'para:1000', asset: 'DOT', account: account(2), delta: -5n },
    { chain: 'para:1000', asset: 'USDT', account: account(1), delta: -14n },
    { chain: 'para:1000', asset: 'USDT', account: FEE, delta: 1n },
  ],
};

test('messages: chunked by maxPayoutsPerMessage, topics derived from the id, bytes end with SetTopic(topic)', () => {
  const batch = buildBatch(resolved, fundedLedger(), result, sign);
  assert.is(batch.messages.length, 2);
  assert.equal(batch.messages.map((m) => m.payouts.length), [2, 1]);
  batch.messages.forEach((message, index) => {
    assert.is(message.topic, messageTopic(batch.id, index));
    assert.equal(topicOf(decodeXcm(message.message)), fromHex(message.topic));
  });
  assert.is.not(batch.messages[0]!.topic, batch.messages[1]!.topic);
  assert.ok(batch.ledgerChanges.some((c) => c.account === FEE && c.asset === 'DOT' && c.delta === -14n), 'two fee budgets charged to the fee account');
  verifyBatch(resolved, batch, publicKey);
  assert.ok(ed25519.verify(batch.signature, batchDigest(batch), publicKey));
});

test('the id is deterministic and depends on the window number and every content field', () => {
  const a = buildBatch(resolved, fundedLedger(), result, sign);
  const b = buildBatch(resolved, fundedLedger(), result, sign);
  assert.is(a.id, b.id);
  assert.equal(a.messages.map((m) => m.message), b.messages.map((m) => m.message));
  const variants: WindowResult[] = [
    { ...result, windowNumber: 5 },
    { ...result, lastTradeId: 't4' },
    { ...result, payouts: [{ ...result.payouts[0]!, amount: 4n }, ...result.payouts.slice(1)] },
    { ...result, ledgerChanges: result.ledgerChanges.slice(1) },
  ];
  for (const variant of variants) assert.is.not(buildBatch(resolved, fundedLedger(), variant, sign).id, a.id);
});

test('read-back verification catches changed contents, bytes, topics and signatures', () => {
  const batch = buildBatch(resolved, fundedLedger(), result, sign);
  const expectCode = (tampered: Batch, name: 'SETTLEMENT_RECORD_INVALID' | 'SETTLEMENT_SIGNATURE_INVALID'): void => {
    try { verifyBatch(resolved, tampered, publicKey); assert.unreachable(name); } catch (error) { assert.ok(isCodedError(error, name), String(error)); }
  };
  expectCode({ ...batch, fillCount: 4 }, 'SETTLEMENT_RECORD_INVALID');
  const bytes = Uint8Array.from(batch.messages[0]!.message);
  bytes[10] ^= 1;
  expectCode({ ...batch, messages: [{ ...batch.messages[0]!, message: bytes }, batch.messages[1]!] }, 'SETTLEMENT_RECORD_INVALID');
  expectCode({ ...batch, messages: [batch.messages[1]!, batch.messages[0]!] }, 'SETTLEMENT_RECORD_INVALID');
  const signature = Uint8Array.from(batch.signature);
  signature[0] ^= 1;
  expectCode({ ...batch, signature }, 'SETTLEMENT_SIGNATURE_INVALID');
  expectCode(buildBatch(resolved, fundedLedger(), result, (d) => ed25519.sign(d, ed25519.utils.randomPrivateKey())), 'SETTLEMENT_SIGNATURE_INVALID');
});

test('an unfunded fee account stops the batch before anything is built', () => {
  const ledger = new SettlementLedger();
  ledger.apply('para:1000', 'DOT', FEE, 13n);
  try { buildBatch(resolved, ledger, result, sign); assert.unreachable('unfunded'); } catch (error) { assert.ok(isCodedError(error, 'SETTLEMENT_FEE_UNFUNDED')); }
  ledger.apply('para:1000', 'DOT', FEE, 1n);
  assert.is(buildBatch(resolved, ledger, result, sign).messages.length, 2);
});

test('a window with no payouts still yields a signed batch of its ledger changes', () => {
  const quiet: WindowResult = { ...result, payouts: [], ledgerChanges: [{ chain: 'para:1000', asset: 'USDT', account: FEE, delta: 2n }, { chain: 'para:1000', asset: 'USDT', account: account(1), delta: -2n }] };
  const batch = buildBatch(resolved, fundedLedger(), quiet, sign);
  assert.is(batch.messages.length, 0);
  verifyBatch(resolved, batch, publicKey);
});

test.run();
