// Refuses Ed25519 public keys of small order. Under such a key (the identity point, for
// one) a signature can be forged for any message, so a trader identity or an enclave
// identity must never be one. The eight torsion points have just five y-coordinates; a
// point is small-order exactly when its y (mod p, in any encoding) is one of them.
import { ED25519_PUBLIC_KEY_BYTES } from './channel-wire.js';

const FIELD_PRIME = 2n ** 255n - 19n;
const ORDER_EIGHT_Y = 0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n;
const TORSION_Y = new Set<bigint>([0n, 1n, FIELD_PRIME - 1n, ORDER_EIGHT_Y, FIELD_PRIME - ORDER_EIGHT_Y]);

export function isSmallOrderEd25519PublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) throw new Error('isSmallOrderEd25519PublicKey: expects 32 bytes');
  let y = 0n;
  for (let i = ED25519_PUBLIC_KEY_BYTES - 1; i >= 0; i--) {
    const byte = i === ED25519_PUBLIC_KEY_BYTES - 1 ? publicKey[i]! & 0x7f : publicKey[i]!;
    y = (y << 8n) | BigInt(byte);
  }
  return TORSION_Y.has(y % FIELD_PRIME);
}
