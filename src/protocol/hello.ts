// Byte layouts of the two handshake messages (docs/protocol.md §2.1, §2.2). Structural
// checks only — version, kind, length — with the detecting side's error codes; the
// cryptographic checks belong to each side's handshake.
import { concatBytes, copyBytes, readU32, writeU32 } from './bytes.js';
import { channelError, type ChannelFaultTable } from './channel-faults.js';
import {
  AEAD_TAG_BYTES, ATTESTATION_HASH_BYTES, ED25519_PUBLIC_KEY_BYTES, HANDSHAKE_NONCE_BYTES, MESSAGE_KIND,
  MESSAGE_PREFIX_BYTES, SESSION_ID_BYTES, SIGNATURE_BYTES, SUPPORTED_VERSIONS, X25519_KEY_BYTES, type MessageKind,
} from './channel-wire.js';

/** The cleartext part of a ClientHello, which is also the associated data of its sealed identity. */
export const CLIENT_HELLO_CLEARTEXT_BYTES = MESSAGE_PREFIX_BYTES + ATTESTATION_HASH_BYTES + X25519_KEY_BYTES + HANDSHAKE_NONCE_BYTES;
export const SEALED_IDENTITY_PLAINTEXT_BYTES = ED25519_PUBLIC_KEY_BYTES + SIGNATURE_BYTES;
export const SEALED_IDENTITY_BYTES = SEALED_IDENTITY_PLAINTEXT_BYTES + AEAD_TAG_BYTES;
export const CLIENT_HELLO_BYTES = CLIENT_HELLO_CLEARTEXT_BYTES + SEALED_IDENTITY_BYTES;
export const SERVER_HELLO_BYTES = MESSAGE_PREFIX_BYTES + X25519_KEY_BYTES + SESSION_ID_BYTES + HANDSHAKE_NONCE_BYTES + 4 + SIGNATURE_BYTES;

export interface ClientHelloCleartext {
  readonly version: number;
  readonly attestationHash: Uint8Array;
  readonly clientEphemeralPublicKey: Uint8Array;
  readonly clientNonce: Uint8Array;
}

export interface ClientHello extends ClientHelloCleartext {
  /** Bytes 0..98 exactly as received: the AEAD associated data and the hello-key salt input. */
  readonly cleartext: Uint8Array;
  readonly sealedIdentity: Uint8Array;
}

export interface ServerHello {
  readonly version: number;
  readonly serverEphemeralPublicKey: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly framesPerEpoch: number;
  readonly serverSignature: Uint8Array;
}

export function encodeClientHelloCleartext(fields: ClientHelloCleartext): Uint8Array {
  return concatBytes(
    Uint8Array.of(fields.version, MESSAGE_KIND.clientHello),
    fields.attestationHash,
    fields.clientEphemeralPublicKey,
    fields.clientNonce,
  );
}

export function encodeClientHello(cleartext: Uint8Array, sealedIdentity: Uint8Array): Uint8Array {
  if (cleartext.length !== CLIENT_HELLO_CLEARTEXT_BYTES || sealedIdentity.length !== SEALED_IDENTITY_BYTES) {
    throw new Error('encodeClientHello: wrong part lengths');
  }
  return concatBytes(cleartext, sealedIdentity);
}

export function decodeClientHello(bytes: Uint8Array, faults: ChannelFaultTable): ClientHello {
  checkPrefix(bytes, MESSAGE_KIND.clientHello, CLIENT_HELLO_BYTES, faults);
  let offset = MESSAGE_PREFIX_BYTES;
  const take = (length: number): Uint8Array => copyBytes(bytes, offset, (offset += length));
  const attestationHash = take(ATTESTATION_HASH_BYTES);
  const clientEphemeralPublicKey = take(X25519_KEY_BYTES);
  const clientNonce = take(HANDSHAKE_NONCE_BYTES);
  const sealedIdentity = take(SEALED_IDENTITY_BYTES);
  return {
    version: bytes[0]!, attestationHash, clientEphemeralPublicKey, clientNonce, sealedIdentity,
    cleartext: copyBytes(bytes, 0, CLIENT_HELLO_CLEARTEXT_BYTES),
  };
}

export function encodeServerHello(fields: ServerHello): Uint8Array {
  const framesPerEpoch = new Uint8Array(4);
  writeU32(framesPerEpoch, 0, fields.framesPerEpoch);
  return concatBytes(
    Uint8Array.of(fields.version, MESSAGE_KIND.serverHello),
    fields.serverEphemeralPublicKey,
    fields.sessionId,
    fields.serverNonce,
    framesPerEpoch,
    fields.serverSignature,
  );
}

export function decodeServerHello(bytes: Uint8Array, faults: ChannelFaultTable): ServerHello {
  checkPrefix(bytes, MESSAGE_KIND.serverHello, SERVER_HELLO_BYTES, faults);
  let offset = MESSAGE_PREFIX_BYTES;
  const take = (length: number): Uint8Array => copyBytes(bytes, offset, (offset += length));
  const serverEphemeralPublicKey = take(X25519_KEY_BYTES);
  const sessionId = take(SESSION_ID_BYTES);
  const serverNonce = take(HANDSHAKE_NONCE_BYTES);
  const framesPerEpoch = readU32(bytes, offset);
  offset += 4;
  const serverSignature = take(SIGNATURE_BYTES);
  return { version: bytes[0]!, serverEphemeralPublicKey, sessionId, serverNonce, framesPerEpoch, serverSignature };
}

/** Version before length, so a newer and longer hello is reported as a version mismatch. */
function checkPrefix(bytes: Uint8Array, kind: MessageKind, length: number, faults: ChannelFaultTable): void {
  if (bytes.length < MESSAGE_PREFIX_BYTES) throw channelError(faults, 'HELLO_BAD_LENGTH', `${bytes.length} bytes, expected ${length}`);
  if (!SUPPORTED_VERSIONS.includes(bytes[0]!)) throw channelError(faults, 'UNSUPPORTED_VERSION', `version ${bytes[0]}`);
  if (bytes[1] !== kind) throw channelError(faults, 'UNEXPECTED_KIND', `kind ${bytes[1]}, expected ${kind}`);
  if (bytes.length !== length) throw channelError(faults, 'HELLO_BAD_LENGTH', `${bytes.length} bytes, expected ${length}`);
}
