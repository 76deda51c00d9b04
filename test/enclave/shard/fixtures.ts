// Two development shards for the shard unit tests: identity keys from fixed seeds, dev
// attestation bundles signed by one dev root (and an outsider signed by another), and the
// engine-side shard configs that sign with those identities.
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { DevAttestationProvider } from '../../../src/enclave/attestation/dev-provider.js';
import { peerTrustOf } from '../../../src/enclave/shard/peer-trust.js';
import type { ShardEngineConfig } from '../../../src/enclave/shard/shard-transfers.js';
import { serializeAttestationBundle, type AttestationBundle } from '../../../src/protocol/attestation-bundle.js';
import { buildMarketSpec } from '../../../src/matching/market-spec.js';

export const DOT_MARKET = buildMarketSpec({ id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.1', makerFeeBps: 2, takerFeeBps: 5, referenceStalenessMs: 60_000 });
export const KSM_MARKET = buildMarketSpec({ id: 'KSM/USDC', base: 'KSM', quote: 'USDC', baseDecimals: 12, quoteDecimals: 6, tickSize: '0.01', lotSize: '0.1', makerFeeBps: 2, takerFeeBps: 5, referenceStalenessMs: 60_000 });

export const ALICE = 'a1'.repeat(32);
export const BOB = 'b0'.repeat(32);

export interface TestShard {
  readonly config: ShardEngineConfig;
  readonly bundle: AttestationBundle;
  readonly bundleJson: string;
}

function seed(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

export async function testShard(shardId: string, identityByte: number, rootByte = 0x42): Promise<TestShard> {
  const identitySeed = seed(identityByte);
  const provider = new DevAttestationProvider({ production: false, devRootSeed: seed(rootByte) });
  const bundle = await provider.attest({ ed25519PublicKey: ed25519.getPublicKey(identitySeed), x25519PublicKey: x25519.getPublicKey(seed(identityByte + 1)) });
  return {
    bundle,
    bundleJson: serializeAttestationBundle(bundle),
    config: {
      shardId,
      identityHex: bytesToHex(ed25519.getPublicKey(identitySeed)),
      sign: (message) => ed25519.sign(message, identitySeed),
      trust: peerTrustOf(bundle),
    },
  };
}
