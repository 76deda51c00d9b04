// INVARIANT: the shared registry encodes XCM V5 as the xcm crate does where @polkadot/types'
// built-in definitions differ (NetworkId gaps, BuyExecution's asset, Transact's weight).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { xcmRegistry } from '../../src/xcmp/xcm-registry.js';

const hex = (value: { toHex(): string }): string => value.toHex().slice(2);

test('NetworkId V5 keeps Ethereum at index 7 and leaves 4-6 unused', () => {
  assert.is(hex(xcmRegistry.createType('NetworkIdV5', { Ethereum: { chainId: 1 } })), '0704');
  assert.is(hex(xcmRegistry.createType('NetworkIdV5', { PolkadotBulletin: null })), '0a');
  assert.is(hex(xcmRegistry.createType('JunctionV5', { GlobalConsensus: { Kusama: null } })), '0903');
  // Index 4 was Westend up to V4; in V5 it is a placeholder, never a network.
  assert.is((xcmRegistry.createType('NetworkIdV3', Uint8Array.of(4)) as unknown as { type: string }).type, 'Westend');
  assert.ok((xcmRegistry.createType('NetworkIdV5', Uint8Array.of(4)) as unknown as { type: string }).type.startsWith('__Unused'));
});

test('BuyExecution V5 pays with a V5 asset: network 4 inside its fees is not Westend', () => {
  // BuyExecution(19), fees {parents 1, X1[GlobalConsensus(network 4)]}, Fungible(1), Unlimited
  const bytes = Uint8Array.of(0x13, 0x01, 0x01, 0x09, 0x04, 0x00, 0x04, 0x00);
  const networkOf = (type: string): string => {
    const json = xcmRegistry.createType(type, bytes).toJSON() as { buyExecution: { fees: { id: { interior: { x1: [{ globalConsensus: Record<string, unknown> }] } } } } };
    return Object.keys(json.buyExecution.fees.id.interior.x1[0].globalConsensus)[0]!;
  };
  assert.is(networkOf('InstructionV4'), 'westend');
  assert.is.not(networkOf('InstructionV5'), 'westend');
});

test('Transact V5 carries Option<Weight> (fallback_max_weight)', () => {
  const none = xcmRegistry.createType('InstructionV5', { Transact: { originKind: 'SovereignAccount', fallbackMaxWeight: null, call: { encoded: '0x0102' } } });
  assert.is(hex(none), '06' + '01' + '00' + '08' + '0102');
  const some = xcmRegistry.createType('InstructionV5', { Transact: { originKind: 'Superuser', fallbackMaxWeight: { refTime: 1, proofSize: 2 }, call: { encoded: '0x' } } });
  assert.is(hex(some), '06' + '02' + '01' + '04' + '08' + '00');
});

test('instruction indices of V5 follow the xcm crate', () => {
  const index = (value: Record<string, unknown>): number => (xcmRegistry.createType('InstructionV5', value) as unknown as { index: number }).index;
  assert.is(index({ WithdrawAsset: [] }), 0);
  assert.is(index({ DepositAsset: { assets: { Wild: { All: null } }, beneficiary: { parents: 0, interior: 'Here' } } }), 13);
  assert.is(index({ RefundSurplus: null }), 20);
  assert.is(index({ SetTopic: new Uint8Array(32) }), 44);
  assert.is(index({ PayFees: { asset: { id: { parents: 0, interior: 'Here' }, fun: { Fungible: 1 } } } }), 48);
  assert.is(index({ SetHints: { hints: [] } }), 51);
});

test.run();
