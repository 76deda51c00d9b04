// Moves raw 32-byte X25519 and Ed25519 keys in and out of node's KeyObjects. Secret keys
// enter through PKCS#8 DER so the temporary copy is a buffer we can wipe; public keys
// through JWK, which node parses about fifteen times faster than DER.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

const PKCS8_PREFIX = {
  x25519: Buffer.from('302e020100300506032b656e04220420', 'hex'),
  ed25519: Buffer.from('302e020100300506032b657004220420', 'hex'),
} as const;
const JWK_CURVE = { x25519: 'X25519', ed25519: 'Ed25519' } as const;

export type CurveName = keyof typeof PKCS8_PREFIX;

export function importSecretKey(curve: CurveName, secret: Uint8Array): KeyObject {
  const der = Buffer.concat([PKCS8_PREFIX[curve], secret]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/** Throws when node refuses the bytes; callers turn that into their coded error. */
export function importPublicKey(curve: CurveName, publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: JWK_CURVE[curve], x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
}

/** The raw 32-byte public key of a public or private KeyObject. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('rawPublicKey: not an OKP key');
  return new Uint8Array(Buffer.from(jwk.x, 'base64url'));
}

/** A fresh X25519 pair whose secret never leaves OpenSSL. */
export function generateX25519KeyPair(): { readonly privateKey: KeyObject; readonly publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, publicKey: rawPublicKey(publicKey) };
}
