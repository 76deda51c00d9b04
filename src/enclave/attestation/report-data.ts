// The enclave's own computation of the report data that binds its public keys, on node's
// native crypto. The client computes the same value with @noble in the shared protocol
// module; a test holds the two to common vectors so they cannot drift apart.
import { createHash } from 'node:crypto';
import { CodedError } from '../../errors/index.js';
import { ENCLAVE_KEYS_REPORT_DATA_TAG, ENCLAVE_PUBLIC_KEY_BYTES, type EnclavePublicKeys } from '../../protocol/attestation-bundle.js';

/** Throws ATTESTATION_ENCLAVE_KEY_INVALID unless both public keys are 32 bytes. */
export function assertEnclavePublicKeys(keys: EnclavePublicKeys): void {
  if (!(keys.ed25519PublicKey instanceof Uint8Array) || keys.ed25519PublicKey.length !== ENCLAVE_PUBLIC_KEY_BYTES) {
    throw new CodedError('ATTESTATION_ENCLAVE_KEY_INVALID', 'ed25519PublicKey must be 32 bytes.');
  }
  if (!(keys.x25519PublicKey instanceof Uint8Array) || keys.x25519PublicKey.length !== ENCLAVE_PUBLIC_KEY_BYTES) {
    throw new CodedError('ATTESTATION_ENCLAVE_KEY_INVALID', 'x25519PublicKey must be 32 bytes.');
  }
}

/** sha512("darkpool-enclave-keys-v1:" || ed25519 public key || x25519 public key): 64 bytes. */
export function reportDataForEnclaveKeys(keys: EnclavePublicKeys): Uint8Array {
  assertEnclavePublicKeys(keys);
  const hash = createHash('sha512');
  hash.update(ENCLAVE_KEYS_REPORT_DATA_TAG, 'utf8');
  hash.update(keys.ed25519PublicKey);
  hash.update(keys.x25519PublicKey);
  return new Uint8Array(hash.digest());
}
