// The handshake transcripts both signatures cover (docs/protocol.md §3.1). Each field is
// length-prefixed and each transcript opens with its own label, so no field boundary can
// shift and no transcript can pass for the other.
import { asciiBytes, concatBytes, u32Bytes } from './bytes.js';
import { LABELS } from './channel-wire.js';

const CLIENT_LABEL = asciiBytes(LABELS.clientTranscript);
const SERVER_LABEL = asciiBytes(LABELS.serverTranscript);

/** lp(a) || lp(b) || ...: each part as a u32 big-endian length followed by its bytes. */
export function lengthPrefixed(...fields: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of fields) parts.push(u32Bytes(field.length), field);
  return concatBytes(...parts);
}

export interface ClientTranscriptFields {
  readonly version: number;
  readonly enclaveKeyAgreementPublicKey: Uint8Array;
  readonly enclaveIdentityPublicKey: Uint8Array;
  readonly attestationHash: Uint8Array;
  readonly clientEphemeralPublicKey: Uint8Array;
  readonly clientNonce: Uint8Array;
  readonly traderIdentityPublicKey: Uint8Array;
}

/** What the trader signs: its identity bound to this enclave, its attestation and its fresh key. */
export function encodeClientTranscript(fields: ClientTranscriptFields): Uint8Array {
  return lengthPrefixed(
    CLIENT_LABEL,
    Uint8Array.of(fields.version),
    fields.enclaveKeyAgreementPublicKey,
    fields.enclaveIdentityPublicKey,
    fields.attestationHash,
    fields.clientEphemeralPublicKey,
    fields.clientNonce,
    fields.traderIdentityPublicKey,
  );
}

export interface ServerTranscriptFields {
  readonly clientTranscript: Uint8Array;
  readonly clientSignature: Uint8Array;
  readonly serverEphemeralPublicKey: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly framesPerEpoch: number;
}

/** What the enclave signs, and whose SHA-256 salts the traffic keys: the whole handshake. */
export function encodeServerTranscript(fields: ServerTranscriptFields): Uint8Array {
  return lengthPrefixed(
    SERVER_LABEL,
    fields.clientTranscript,
    fields.clientSignature,
    fields.serverEphemeralPublicKey,
    fields.sessionId,
    fields.serverNonce,
    u32Bytes(fields.framesPerEpoch),
  );
}
