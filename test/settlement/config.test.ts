// INVARIANT: a configuration that could produce an unpayable or ambiguous message never starts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { DEFAULT_SETTLEMENT_POLICY, resolveConfig, type SettlementConfig } from '../../src/settlement/config.js';
import type { AccountHex } from '../../src/xcmp/connector.js';
import { relay, siblingParachain } from '../../src/xcmp/xcm-model.js';

const account = (n: number): AccountHex => `0x${n.toString(16).padStart(64, '0')}`;
const good: SettlementConfig = {
  chains: [
    { chain: 'para:1000', route: { kind: 'execute' }, xcmVersion: 5, assets: { DOT: relay() }, feeAsset: 'DOT', feeBudgetPerMessage: 1n },
    { chain: 'para:2000', route: { kind: 'send', from: 'para:1000' }, xcmVersion: 4, assets: { DOT: relay() }, feeAsset: 'DOT', feeBudgetPerMessage: 1n },
  ],
  escrowAccounts: { 'para:1000': account(1), 'para:2000': account(2) },
  feeAccount: account(3),
  ...DEFAULT_SETTLEMENT_POLICY,
};

test('resolves routes and escrow accounts', () => {
  const resolved = resolveConfig(good);
  assert.equal(resolved.chains.get('para:2000'), { config: good.chains[1], origin: 'para:1000', kind: 'send', escrow: account(2) });
  assert.is(resolved.chains.get('para:1000')?.kind, 'execute');
});

test('invalid configurations are refused', () => {
  const chain = good.chains[0]!;
  const bad: SettlementConfig[] = [
    { ...good, chains: [] },
    { ...good, feeAccount: account(1) },
    { ...good, feeAccount: 'nope' as AccountHex },
    { ...good, windowMs: 0 },
    { ...good, windowMaxFills: 2_000_000 },
    { ...good, maxPayoutsPerMessage: 96 },
    { ...good, maxAttempts: 0 },
    { ...good, chains: [chain, chain] },
    { ...good, chains: [{ ...chain, chain: 'para:x' }] },
    { ...good, chains: [{ ...chain, route: { kind: 'send', from: 'para:1000' } }] },
    { ...good, chains: [{ ...chain, feeAsset: 'USDT' }] },
    { ...good, chains: [{ ...chain, feeBudgetPerMessage: 0n }] },
    { ...good, chains: [{ ...chain, assets: {} }] },
    { ...good, chains: [{ ...chain, assets: { 'bad symbol': relay() } }] },
    { ...good, chains: [{ ...chain, assets: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`A${i}`, siblingParachain(i)])) }] },
    { ...good, chains: [{ ...chain, assets: { DOT: { parents: 300, interior: [] } } }] },
    { ...good, chains: [{ ...chain, chain: 'para:3000' }] },
  ];
  for (const config of bad) {
    try { resolveConfig(config); assert.unreachable(JSON.stringify(config, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))); } catch (error) {
      assert.ok(isCodedError(error, 'SETTLEMENT_INVALID_CONFIG'), String(error));
    }
  }
});

test.run();
