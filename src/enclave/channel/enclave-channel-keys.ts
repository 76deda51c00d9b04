// The enclave's two long-term channel keys, loaded once into node KeyObjects so that each
// handshake pays no key-parsing cost. The keys themselves are generated and sealed by the
// enclave's key module; this module only holds them for the channel.
import type { KeyObject } from 'node:crypto';
import { CodedError } from '../../errors/index.js';
import { ED25519_SECRET_KEY_BYTES, X25519_KEY_BYTES } from '../../protocol/channel-wire.js';
import { importSecretKey, rawPublicKey } from './node-keys.js';

export interface RawEnclaveChannelKeys {
  /** The 32-byte Ed25519 seed of the enclave identity (signs ServerHellos). */
  readonly identitySecretKey: Uint8Array;
  /** The 32-byte X25519 secret of the attested key-agreement key. */
  readonly keyAgreementSecretKey: Uint8Array;
}

export interface EnclaveChannelKeys {
  readonly identityPublicKey: Uint8Array;
  readonly keyAgreementPublicKey: Uint8Array;
  readonly identityPrivateKey: KeyObject;
  readonly keyAgreementPrivateKey: KeyObject;
}

/** Imports the secrets (the caller keeps and wipes its own copies) and derives both public keys. */
export function loadEnclaveChannelKeys(raw: RawEnclaveChannelKeys): EnclaveChannelKeys {
  if (raw.identitySecretKey.length !== ED25519_SECRET_KEY_BYTES) throw new CodedError('CHANNEL_HANDSHAKE_BAD_INPUT', 'identity secret key must be 32 bytes');
  if (raw.keyAgreementSecretKey.length !== X25519_KEY_BYTES) throw new CodedError('CHANNEL_HANDSHAKE_BAD_INPUT', 'key-agreement secret key must be 32 bytes');
  const identityPrivateKey = importSecretKey('ed25519', raw.identitySecretKey);
  const keyAgreementPrivateKey = importSecretKey('x25519', raw.keyAgreementSecretKey);
  return Object.freeze({
    identityPublicKey: rawPublicKey(identityPrivateKey),
    keyAgreementPublicKey: rawPublicKey(keyAgreementPrivateKey),
    identityPrivateKey,
    keyAgreementPrivateKey,
  });
}
