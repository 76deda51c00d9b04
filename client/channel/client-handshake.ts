// The trader's half of the handshake (docs/protocol.md §3) on @noble, for Node and the
// browser: build the ClientHello from the attested enclave keys and the trader's identity,
// then check the ServerHello and derive the session. A rejected ServerHello leaves the
// handshake untouched (a forgery injected by the host cannot spoil the genuine reply).
import { gcm } from '@noble/ciphers/aes';
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { randomBytes as defaultRandomBytes } from '@noble/hashes/utils';
import { CodedError } from '../../src/errors/index.js';
import { asciiBytes, concatBytes, copyBytes, isAllZero, zeroize } from '../../src/protocol/bytes.js';
import { channelError } from '../../src/protocol/channel-faults.js';
import {
  AEAD_KEY_BYTES, AEAD_NONCE_BYTES, ATTESTATION_HASH_BYTES, DIRECTION, ED25519_PUBLIC_KEY_BYTES, ED25519_SECRET_KEY_BYTES,
  HANDSHAKE_NONCE_BYTES, LABELS, MAX_FRAMES_PER_EPOCH, PROTOCOL_VERSION, X25519_KEY_BYTES,
} from '../../src/protocol/channel-wire.js';
import type { FrameCipher } from '../../src/protocol/channel-session.js';
import { isSmallOrderEd25519PublicKey } from '../../src/protocol/ed25519-small-order.js';
import { decodeServerHello, encodeClientHello, encodeClientHelloCleartext } from '../../src/protocol/hello.js';
import { encodeClientTranscript, encodeServerTranscript } from '../../src/protocol/transcript.js';
import { ClientSession } from './client-session.js';
import { CLIENT_CHANNEL_FAULTS as FAULTS } from './faults.js';
import { nobleFrameCipher } from './noble-frame-cipher.js';

const HELLO_KEY_INFO = asciiBytes(LABELS.helloKey);
const TRAFFIC_KEYS_INFO = asciiBytes(LABELS.trafficKeys);
const HELLO_NONCE = new Uint8Array(AEAD_NONCE_BYTES);

export interface ClientHandshakeInput {
  /** The enclave's X25519 key, from an attestation bundle the client has verified. */
  readonly enclaveKeyAgreementPublicKey: Uint8Array;
  /** The enclave's Ed25519 identity key, from the same verified bundle. */
  readonly enclaveIdentityPublicKey: Uint8Array;
  /** The 32-byte hash of that verified bundle. */
  readonly attestationHash: Uint8Array;
  /** The trader's 32-byte Ed25519 seed: the secret of their Polkadot ed25519 account. */
  readonly traderIdentitySecretKey: Uint8Array;
  /**
   * Pins the handshake's randomness — the ephemeral secret (32) then the client nonce (32) —
   * for reproducible test vectors. Defaults to the platform CSPRNG (crypto.getRandomValues).
   */
  readonly randomBytes?: (byteLength: number) => Uint8Array;
  /**
   * The AEAD of the established session's frames. Defaults to @noble's, which runs in a
   * browser; a Node process may inject one on node:crypto (same keys, same bytes on the wire).
   */
  readonly frameCipher?: FrameCipher<Uint8Array>;
}

type ClientHandshakeState = 'awaitingServerHello' | 'finished' | 'closed';

export class ClientHandshake {
  /** Send this to the enclave. */
  readonly clientHello: Uint8Array;
  readonly traderIdentityPublicKey: Uint8Array;
  readonly #enclaveIdentityPublicKey: Uint8Array;
  readonly #clientTranscript: Uint8Array;
  readonly #clientSignature: Uint8Array;
  readonly #ephemeralSecret: Uint8Array;
  readonly #dhStatic: Uint8Array;
  readonly #frameCipher: FrameCipher<Uint8Array>;
  #state: ClientHandshakeState = 'awaitingServerHello';

  constructor(input: ClientHandshakeInput) {
    checkLength(input.enclaveKeyAgreementPublicKey, X25519_KEY_BYTES, 'enclave key-agreement key');
    checkLength(input.enclaveIdentityPublicKey, ED25519_PUBLIC_KEY_BYTES, 'enclave identity key');
    checkLength(input.attestationHash, ATTESTATION_HASH_BYTES, 'attestation hash');
    checkLength(input.traderIdentitySecretKey, ED25519_SECRET_KEY_BYTES, 'trader identity secret key');
    if (isSmallOrderEd25519PublicKey(input.enclaveIdentityPublicKey)) throw channelError(FAULTS, 'HANDSHAKE_BAD_INPUT', 'small-order enclave identity key');
    const random = (byteLength: number): Uint8Array => {
      const bytes = (input.randomBytes ?? defaultRandomBytes)(byteLength);
      if (bytes.length !== byteLength) throw new Error(`randomBytes returned ${bytes.length} bytes, asked for ${byteLength}`);
      return bytes;
    };

    this.#ephemeralSecret = random(X25519_KEY_BYTES);
    const clientNonce = random(HANDSHAKE_NONCE_BYTES);
    const clientEphemeralPublicKey = x25519.getPublicKey(this.#ephemeralSecret);
    this.#dhStatic = keyAgreement(this.#ephemeralSecret, input.enclaveKeyAgreementPublicKey, 'HANDSHAKE_BAD_INPUT');
    this.traderIdentityPublicKey = ed25519.getPublicKey(input.traderIdentitySecretKey);
    this.#enclaveIdentityPublicKey = copyBytes(input.enclaveIdentityPublicKey);
    this.#frameCipher = input.frameCipher ?? nobleFrameCipher;

    const cleartext = encodeClientHelloCleartext({
      version: PROTOCOL_VERSION, attestationHash: input.attestationHash, clientEphemeralPublicKey, clientNonce,
    });
    this.#clientTranscript = encodeClientTranscript({
      version: PROTOCOL_VERSION,
      enclaveKeyAgreementPublicKey: input.enclaveKeyAgreementPublicKey,
      enclaveIdentityPublicKey: input.enclaveIdentityPublicKey,
      attestationHash: input.attestationHash,
      clientEphemeralPublicKey,
      clientNonce,
      traderIdentityPublicKey: this.traderIdentityPublicKey,
    });
    this.#clientSignature = ed25519.sign(this.#clientTranscript, input.traderIdentitySecretKey);
    const helloKey = hkdf(sha256, this.#dhStatic, sha256(cleartext), HELLO_KEY_INFO, AEAD_KEY_BYTES);
    const sealedIdentity = gcm(helloKey, HELLO_NONCE, cleartext).encrypt(concatBytes(this.traderIdentityPublicKey, this.#clientSignature));
    helloKey.fill(0);
    this.clientHello = encodeClientHello(cleartext, sealedIdentity);
  }

  /** Checks the enclave's reply and returns the established session. */
  finish(serverHelloBytes: Uint8Array): ClientSession {
    if (this.#state !== 'awaitingServerHello') throw channelError(FAULTS, 'HANDSHAKE_ALREADY_USED');
    const hello = decodeServerHello(serverHelloBytes, FAULTS);
    if (hello.version !== PROTOCOL_VERSION) throw channelError(FAULTS, 'UNSUPPORTED_VERSION', `ServerHello version ${hello.version}, sent ${PROTOCOL_VERSION}`);
    if (hello.framesPerEpoch < 1 || hello.framesPerEpoch > MAX_FRAMES_PER_EPOCH) {
      throw new CodedError('CLIENT_CHANNEL_HELLO_BAD_PARAMETER', `framesPerEpoch ${hello.framesPerEpoch}`);
    }
    const serverTranscript = encodeServerTranscript({
      clientTranscript: this.#clientTranscript, clientSignature: this.#clientSignature,
      serverEphemeralPublicKey: hello.serverEphemeralPublicKey, sessionId: hello.sessionId, serverNonce: hello.serverNonce,
      framesPerEpoch: hello.framesPerEpoch,
    });
    if (!verifyEnclaveSignature(hello.serverSignature, serverTranscript, this.#enclaveIdentityPublicKey)) throw channelError(FAULTS, 'HELLO_BAD_SIGNATURE');
    const dhEphemeral = keyAgreement(this.#ephemeralSecret, hello.serverEphemeralPublicKey, 'HELLO_BAD_PUBLIC_KEY');
    const inputKeyMaterial = concatBytes(this.#dhStatic, dhEphemeral);
    const okm = hkdf(sha256, inputKeyMaterial, sha256(serverTranscript), TRAFFIC_KEYS_INFO, 2 * AEAD_KEY_BYTES);
    const session = new ClientSession({
      cipher: this.#frameCipher, faults: FAULTS, sessionId: hello.sessionId, sendDirection: DIRECTION.clientToServer,
      sendKey: okm.slice(0, AEAD_KEY_BYTES), receiveKey: okm.slice(AEAD_KEY_BYTES), framesPerEpoch: hello.framesPerEpoch,
      peerIdentityPublicKey: this.#enclaveIdentityPublicKey,
    });
    zeroize(dhEphemeral, inputKeyMaterial, okm);
    this.#forgetSecrets();
    this.#state = 'finished';
    return session;
  }

  /** Abandons the handshake and wipes its secrets; later calls are HANDSHAKE_ALREADY_USED. */
  close(): void {
    if (this.#state !== 'awaitingServerHello') return;
    this.#forgetSecrets();
    this.#state = 'closed';
  }

  #forgetSecrets(): void {
    zeroize(this.#ephemeralSecret, this.#dhStatic);
  }
}

export function createClientHandshake(input: ClientHandshakeInput): ClientHandshake {
  return new ClientHandshake(input);
}

function checkLength(bytes: Uint8Array, length: number, label: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) throw channelError(FAULTS, 'HANDSHAKE_BAD_INPUT', `${label} must be ${length} bytes`);
}

/** X25519 that refuses a low-order peer key (an all-zero result). */
function keyAgreement(secret: Uint8Array, peerPublicKey: Uint8Array, fault: 'HANDSHAKE_BAD_INPUT' | 'HELLO_BAD_PUBLIC_KEY'): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, peerPublicKey);
  } catch {
    throw channelError(FAULTS, fault, 'low-order X25519 key');
  }
  if (isAllZero(shared)) throw channelError(FAULTS, fault, 'low-order X25519 key');
  return shared;
}

/** Strict RFC 8032 verification (no ZIP-215 leniency): the enclave signs canonically. */
function verifyEnclaveSignature(signature: Uint8Array, transcript: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, transcript, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
