// The settlement key signs every extrinsic the real connector submits. It is an ed25519 key made
// from a 32-byte seed held by the enclave; its public key is the pool's AccountId32 on every chain
// that executes settlement locally.
import { Keyring } from '@polkadot/api';
import { CodedError } from '../../errors/index.js';
import type { AccountHex } from '../connector.js';

export const SETTLEMENT_SEED_BYTES = 32;

export type SettlementKeyPair = ReturnType<Keyring['addFromSeed']>;

/** An ed25519 signing pair from a 32-byte seed; the caller's seed buffer is left untouched. */
export function settlementKeyPair(seed: Uint8Array): SettlementKeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== SETTLEMENT_SEED_BYTES) {
    throw new CodedError('XCMP_SETTLEMENT_KEY_INVALID', `got ${seed instanceof Uint8Array ? `${seed.length} bytes` : typeof seed}`);
  }
  const copy = Uint8Array.from(seed);
  try {
    return new Keyring({ type: 'ed25519' }).addFromSeed(copy);
  } finally {
    copy.fill(0);
  }
}

/** The pair's AccountId32 as lower-case 0x hex. */
export const accountHexOf = (pair: SettlementKeyPair): AccountHex => `0x${Buffer.from(pair.publicKey).toString('hex')}`;
