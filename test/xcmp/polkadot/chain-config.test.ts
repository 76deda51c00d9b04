// INVARIANT: the real connector starts only from a configuration it can honour: known chain
// ids, ws endpoints, bounded assets and limits; every refusal is XCMP_CONNECTOR_CONFIG_INVALID
// (or the builder's chain-id error), never a crash.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../../src/errors/index.js';
import {
  POLKADOT_DEFAULT_HISTORY_BLOCKS, POLKADOT_DEFAULT_WEIGHT_PER_INSTRUCTION, POLKADOT_MAX_ASSETS_PER_CHAIN, POLKADOT_MAX_CHAINS,
  resolvePolkadotOptions, type PolkadotChainEndpoint, type PolkadotConnectorOptions,
} from '../../../src/xcmp/polkadot/chain-config.js';

const SEED = new Uint8Array(32).fill(1);
const endpoint = (chain: string, extra: Partial<PolkadotChainEndpoint> = {}): PolkadotChainEndpoint => ({ chain, url: 'ws://127.0.0.1:9944', assets: { PAS: { kind: 'native' } }, ...extra });
const options = (chains: readonly PolkadotChainEndpoint[], extra: Partial<PolkadotConnectorOptions> = {}): PolkadotConnectorOptions => ({ chains, settlementSeed: SEED, ...extra });

function refused(input: PolkadotConnectorOptions, name: 'XCMP_CONNECTOR_CONFIG_INVALID' | 'XCM_INVALID_CHAIN_ID' | 'XCM_INVALID_ACCOUNT' = 'XCMP_CONNECTOR_CONFIG_INVALID'): void {
  try { resolvePolkadotOptions(input); assert.unreachable(JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))); } catch (error) { assert.ok(isCodedError(error, name), String(error)); }
}

test('a good configuration resolves with defaults', () => {
  const resolved = resolvePolkadotOptions(options([endpoint('relay'), endpoint('para:4883', { assets: { PAS: { kind: 'native' }, USDT: { kind: 'assets', id: 1984n } }, escrow: `0x${'AB'.repeat(32)}` })]));
  assert.is(resolved.chains.size, 2);
  assert.is(resolved.historyBlocks, POLKADOT_DEFAULT_HISTORY_BLOCKS);
  assert.equal(resolved.chains.get('relay')!.weightPerInstruction, POLKADOT_DEFAULT_WEIGHT_PER_INSTRUCTION);
  assert.is(resolved.chains.get('para:4883')!.escrow, `0x${'ab'.repeat(32)}`, 'escrow normalised to lower case');
});

test('bad chains, endpoints, assets and limits are refused with coded errors', () => {
  refused(options([]));
  refused(options(Array.from({ length: POLKADOT_MAX_CHAINS + 1 }, (_, i) => endpoint(`para:${i + 1}`))));
  refused(options([endpoint('relay'), endpoint('relay')]));
  refused(options([endpoint('parachain-7')]), 'XCM_INVALID_CHAIN_ID');
  refused(options([endpoint('relay', { url: 'http://127.0.0.1:9944' })]));
  refused(options([endpoint('relay', { url: 'not a url' })]));
  refused(options([endpoint('relay', { assets: {} })]));
  refused(options([endpoint('relay', { assets: Object.fromEntries(Array.from({ length: POLKADOT_MAX_ASSETS_PER_CHAIN + 1 }, (_, i) => [`A${i}`, { kind: 'native' as const }])) })]));
  refused(options([endpoint('relay', { assets: { PAS: { kind: 'native' }, KSM: { kind: 'native' } } })]));
  refused(options([endpoint('relay', { assets: { 'bad symbol!': { kind: 'native' } } })]));
  refused(options([endpoint('relay', { assets: { USDT: { kind: 'assets', id: -1n } } })]));
  refused(options([endpoint('relay', { assets: { USDT: { kind: 'assets', id: 1n << 128n } } })]));
  refused(options([endpoint('relay', { assets: { USDT: { kind: 'assets', id: 1n, pallet: 'Drop Table' } } })]));
  refused(options([endpoint('relay', { weightPerInstruction: { refTime: 0n, proofSize: 1n } })]));
  refused(options([endpoint('relay', { escrow: '0x1234' as `0x${string}` })]), 'XCM_INVALID_ACCOUNT');
  refused(options([endpoint('relay')], { historyBlocks: 0 }));
  refused(options([endpoint('relay')], { historyBlocks: 1e9 }));
  refused(options([endpoint('relay')], { inclusionTimeoutMs: 1.5 }));
  refused(options([endpoint('relay')], { connectTimeoutMs: -1 }));
});

test.run();
