// The enclave's half of the handshake (docs/protocol.md §3): one ClientHello in, one
// ServerHello and a ServerSession out. A rejected hello leaves the handshake untouched and
// reports one coded error; a successful one consumes it.
import {
  createDecipheriv, createHash, diffieHellman, hkdfSync, randomBytes as nodeRandomBytes, sign, verify, type KeyObject,
} from 'node:crypto';
import { CodedError } from '../../errors/index.js';
import { asciiBytes, bytesEqual, concatBytes, copyBytes, isAllZero, zeroize } from '../../protocol/bytes.js';
import { channelError } from '../../protocol/channel-faults.js';
import {
  AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES, ATTESTATION_HASH_BYTES, DEFAULT_FRAMES_PER_EPOCH, DIRECTION,
  ED25519_PUBLIC_KEY_BYTES, HANDSHAKE_NONCE_BYTES, LABELS, MAX_FRAMES_PER_EPOCH, SESSION_ID_BYTES, X25519_KEY_BYTES,
} from '../../protocol/channel-wire.js';
import { isSmallOrderEd25519PublicKey } from '../../protocol/ed25519-small-order.js';
import { decodeClientHello, encodeServerHello, SEALED_IDENTITY_PLAINTEXT_BYTES } from '../../protocol/hello.js';
import { encodeClientTranscript, encodeServerTranscript } from '../../protocol/transcript.js';
import type { EnclaveChannelKeys } from './enclave-channel-keys.js';
import { ENCLAVE_CHANNEL_FAULTS as FAULTS } from './faults.js';
import { importTrafficKey, nodeFrameCipher } from './node-frame-cipher.js';
import { generateX25519KeyPair, importPublicKey, importSecretKey, rawPublicKey } from './node-keys.js';
import { ServerSession } from './server-session.js';

const HELLO_KEY_INFO = asciiBytes(LABELS.helloKey);
const TRAFFIC_KEYS_INFO = asciiBytes(LABELS.trafficKeys);
const HELLO_NONCE = new Uint8Array(AEAD_NONCE_BYTES);

export interface ServerHandshakeOptions {
  /** Rekey interval announced in the ServerHello: 1 to 2^24, default 2^20. */
  readonly framesPerEpoch?: number;
  /**
   * Pins the handshake's randomness — the ephemeral secret (32), the session id (16) and the
   * server nonce (32), requested in that order — for reproducible test vectors. Without it the
   * ephemeral key is generated inside OpenSSL and never enters the JavaScript heap.
   */
  readonly randomBytes?: (byteLength: number) => Uint8Array;
}

export interface AcceptedClientHello {
  readonly serverHello: Uint8Array;
  readonly session: ServerSession;
}

type ServerHandshakeState = 'awaitingClientHello' | 'accepted';

export class ServerHandshake {
  readonly #keys: EnclaveChannelKeys;
  readonly #attestationHash: Uint8Array;
  readonly #framesPerEpoch: number;
  readonly #randomBytes: ((byteLength: number) => Uint8Array) | undefined;
  #state: ServerHandshakeState = 'awaitingClientHello';

  constructor(keys: EnclaveChannelKeys, attestationHash: Uint8Array, options: ServerHandshakeOptions) {
    if (attestationHash.length !== ATTESTATION_HASH_BYTES) throw new CodedError('CHANNEL_HANDSHAKE_BAD_INPUT', 'attestation hash must be 32 bytes');
    const framesPerEpoch = options.framesPerEpoch ?? DEFAULT_FRAMES_PER_EPOCH;
    if (!Number.isInteger(framesPerEpoch) || framesPerEpoch < 1 || framesPerEpoch > MAX_FRAMES_PER_EPOCH) {
      throw new CodedError('CHANNEL_HANDSHAKE_BAD_INPUT', `framesPerEpoch ${framesPerEpoch} is outside 1..${MAX_FRAMES_PER_EPOCH}`);
    }
    this.#keys = keys;
    this.#attestationHash = copyBytes(attestationHash);
    this.#framesPerEpoch = framesPerEpoch;
    this.#randomBytes = options.randomBytes;
  }

  acceptClientHello(clientHelloBytes: Uint8Array): AcceptedClientHello {
    if (this.#state !== 'awaitingClientHello') throw channelError(FAULTS, 'HANDSHAKE_ALREADY_USED');
    const hello = decodeClientHello(clientHelloBytes, FAULTS);
    if (!bytesEqual(hello.attestationHash, this.#attestationHash)) throw new CodedError('CHANNEL_HELLO_ATTESTATION_MISMATCH');

    const clientEphemeral = importX25519PublicKey(hello.clientEphemeralPublicKey);
    const dhStatic = keyAgreement(this.#keys.keyAgreementPrivateKey, clientEphemeral);
    let dhEphemeral: Uint8Array | undefined;
    try {
      const { traderIdentityPublicKey, clientSignature } = openSealedIdentity(dhStatic, hello.cleartext, hello.sealedIdentity);
      if (isSmallOrderEd25519PublicKey(traderIdentityPublicKey)) throw channelError(FAULTS, 'HELLO_BAD_PUBLIC_KEY', 'small-order trader identity key');
      const clientTranscript = encodeClientTranscript({
        version: hello.version,
        enclaveKeyAgreementPublicKey: this.#keys.keyAgreementPublicKey,
        enclaveIdentityPublicKey: this.#keys.identityPublicKey,
        attestationHash: this.#attestationHash,
        clientEphemeralPublicKey: hello.clientEphemeralPublicKey,
        clientNonce: hello.clientNonce,
        traderIdentityPublicKey,
      });
      if (!verifyTraderSignature(traderIdentityPublicKey, clientTranscript, clientSignature)) throw channelError(FAULTS, 'HELLO_BAD_SIGNATURE');

      const serverEphemeral = this.#ephemeralKeyPair();
      const sessionId = this.#random(SESSION_ID_BYTES);
      const serverNonce = this.#random(HANDSHAKE_NONCE_BYTES);
      dhEphemeral = keyAgreement(serverEphemeral.privateKey, clientEphemeral);
      const serverTranscript = encodeServerTranscript({
        clientTranscript, clientSignature, serverEphemeralPublicKey: serverEphemeral.publicKey, sessionId, serverNonce,
        framesPerEpoch: this.#framesPerEpoch,
      });
      const serverSignature = new Uint8Array(sign(null, serverTranscript, this.#keys.identityPrivateKey));
      const { clientToServer, serverToClient } = deriveTrafficKeys(dhStatic, dhEphemeral, serverTranscript);
      const serverHello = encodeServerHello({
        version: hello.version, serverEphemeralPublicKey: serverEphemeral.publicKey, sessionId, serverNonce,
        framesPerEpoch: this.#framesPerEpoch, serverSignature,
      });
      const session = new ServerSession({
        cipher: nodeFrameCipher, faults: FAULTS, sessionId, sendDirection: DIRECTION.serverToClient,
        sendKey: serverToClient, receiveKey: clientToServer, framesPerEpoch: this.#framesPerEpoch,
        peerIdentityPublicKey: traderIdentityPublicKey,
      });
      this.#state = 'accepted';
      return { serverHello, session };
    } finally {
      zeroize(dhStatic, dhEphemeral);
    }
  }

  #random(byteLength: number): Uint8Array {
    const bytes = this.#randomBytes === undefined ? new Uint8Array(nodeRandomBytes(byteLength)) : this.#randomBytes(byteLength);
    if (bytes.length !== byteLength) throw new Error(`randomBytes returned ${bytes.length} bytes, asked for ${byteLength}`);
    return bytes;
  }

  #ephemeralKeyPair(): { readonly privateKey: KeyObject; readonly publicKey: Uint8Array } {
    if (this.#randomBytes === undefined) return generateX25519KeyPair();
    const secret = this.#random(X25519_KEY_BYTES);
    const privateKey = importSecretKey('x25519', secret);
    secret.fill(0);
    return { privateKey, publicKey: rawPublicKey(privateKey) };
  }
}

export function createServerHandshake(keys: EnclaveChannelKeys, attestationHash: Uint8Array, options: ServerHandshakeOptions = {}): ServerHandshake {
  return new ServerHandshake(keys, attestationHash, options);
}

function importX25519PublicKey(publicKey: Uint8Array): KeyObject {
  try {
    return importPublicKey('x25519', publicKey);
  } catch {
    throw channelError(FAULTS, 'HELLO_BAD_PUBLIC_KEY', 'client ephemeral key refused');
  }
}

/** X25519; OpenSSL refuses an all-zero result (a low-order peer key), and so do we. */
function keyAgreement(privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = new Uint8Array(diffieHellman({ privateKey, publicKey }));
  } catch {
    throw channelError(FAULTS, 'HELLO_BAD_PUBLIC_KEY', 'client ephemeral key is low-order');
  }
  if (isAllZero(shared)) throw channelError(FAULTS, 'HELLO_BAD_PUBLIC_KEY', 'client ephemeral key is low-order');
  return shared;
}

function openSealedIdentity(dhStatic: Uint8Array, cleartext: Uint8Array, sealedIdentity: Uint8Array): { traderIdentityPublicKey: Uint8Array; clientSignature: Uint8Array } {
  const salt = createHash('sha256').update(cleartext).digest();
  const helloKey = new Uint8Array(hkdfSync('sha256', dhStatic, salt, HELLO_KEY_INFO, AEAD_KEY_BYTES));
  const decipher = createDecipheriv('aes-256-gcm', helloKey, HELLO_NONCE, { authTagLength: AEAD_TAG_BYTES });
  helloKey.fill(0);
  decipher.setAAD(cleartext);
  decipher.setAuthTag(sealedIdentity.subarray(SEALED_IDENTITY_PLAINTEXT_BYTES));
  const plaintext = decipher.update(sealedIdentity.subarray(0, SEALED_IDENTITY_PLAINTEXT_BYTES));
  try {
    decipher.final();
  } catch {
    throw new CodedError('CHANNEL_HELLO_AUTH_FAILED');
  }
  return {
    traderIdentityPublicKey: new Uint8Array(plaintext.subarray(0, ED25519_PUBLIC_KEY_BYTES)),
    clientSignature: new Uint8Array(plaintext.subarray(ED25519_PUBLIC_KEY_BYTES)),
  };
}

function verifyTraderSignature(traderIdentityPublicKey: Uint8Array, transcript: Uint8Array, signature: Uint8Array): boolean {
  let publicKey: KeyObject;
  try {
    publicKey = importPublicKey('ed25519', traderIdentityPublicKey);
  } catch {
    throw channelError(FAULTS, 'HELLO_BAD_PUBLIC_KEY', 'trader identity key refused');
  }
  try {
    return verify(null, transcript, publicKey, signature);
  } catch {
    return false;
  }
}

function deriveTrafficKeys(dhStatic: Uint8Array, dhEphemeral: Uint8Array, serverTranscript: Uint8Array): { clientToServer: KeyObject; serverToClient: KeyObject } {
  const inputKeyMaterial = concatBytes(dhStatic, dhEphemeral);
  const transcriptHash = createHash('sha256').update(serverTranscript).digest();
  const okm = new Uint8Array(hkdfSync('sha256', inputKeyMaterial, transcriptHash, TRAFFIC_KEYS_INFO, 2 * AEAD_KEY_BYTES));
  inputKeyMaterial.fill(0);
  const keys = {
    clientToServer: importTrafficKey(okm.slice(0, AEAD_KEY_BYTES)),
    serverToClient: importTrafficKey(okm.slice(AEAD_KEY_BYTES)),
  };
  okm.fill(0);
  return keys;
}
