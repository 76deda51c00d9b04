// Writes test/vectors/channel.json: a complete channel run from fixed keys and nonces,
// derived here step by step from the spec (docs/protocol.md) on node's primitives, without
// either side's handshake or session code. The enclave (node:crypto) and the client
// (@noble) must each reproduce every byte, packed frames (§5.1) included. Usage: npx tsx scripts/gen-channel-vectors.ts
import { createCipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, sign, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { asciiBytes, concatBytes } from '../src/protocol/bytes.js';
import { AEAD_TAG_BYTES, DIRECTION, FRAME_HEADER_BYTES, LABELS, PROTOCOL_VERSION, type Direction } from '../src/protocol/channel-wire.js';
import { encodeFrameHeader, frameNonce } from '../src/protocol/frame-header.js';
import { encodeClientHello, encodeClientHelloCleartext, encodeServerHello } from '../src/protocol/hello.js';
import { encodeMessage } from '../src/protocol/message-codec.js';
import { padPayload } from '../src/protocol/padding.js';
import { encodeClientTranscript, encodeServerTranscript } from '../src/protocol/transcript.js';
import { ENCLAVE_CHANNEL_FAULTS } from '../src/enclave/channel/faults.js';

export const VECTOR_FRAMES_PER_EPOCH = 3;

/** A frame; `messages` is set when its payload is a packed list (§5.1) and lists the messages it packs. */
export interface FrameVector { readonly epoch: number; readonly counter: number; readonly payload: string; readonly frame: string; readonly messages?: readonly VectorMessage[] }

export interface VectorMessage { readonly t: string; readonly id: string; readonly body: Readonly<Record<string, string | number | boolean>> }

export interface ChannelVectors {
  readonly description: string;
  readonly protocolVersion: number;
  readonly inputs: Readonly<Record<'enclaveIdentitySecretKey' | 'enclaveKeyAgreementSecretKey' | 'traderIdentitySecretKey' | 'attestationHash'
    | 'clientEphemeralSecretKey' | 'clientNonce' | 'serverEphemeralSecretKey' | 'sessionId' | 'serverNonce', string>> & { readonly framesPerEpoch: number };
  readonly derived: Readonly<Record<'enclaveIdentityPublicKey' | 'enclaveKeyAgreementPublicKey' | 'traderIdentityPublicKey' | 'clientEphemeralPublicKey'
    | 'serverEphemeralPublicKey' | 'dhStatic' | 'dhEphemeral' | 'helloKey' | 'clientTranscript' | 'clientSignature' | 'serverTranscript'
    | 'serverSignature' | 'transcriptHash', string>> & { readonly clientToServerKeys: readonly string[]; readonly serverToClientKeys: readonly string[] };
  readonly clientHello: string;
  readonly serverHello: string;
  readonly clientToServerFrames: readonly FrameVector[];
  readonly serverToClientFrames: readonly FrameVector[];
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());
const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Uint8Array =>
  new Uint8Array(hkdfSync('sha256', ikm, salt, asciiBytes(info), length));
/** Fixed inputs: SHA-256 of a name, so anyone can re-derive them. */
const fixed = (name: string, length: number): Uint8Array => sha256(asciiBytes(`darkpool-channel/v1 test vector: ${name}`)).subarray(0, length);

function secretKey(curve: 'x25519' | 'ed25519', secret: Uint8Array): KeyObject {
  const prefix = curve === 'x25519' ? '302e020100300506032b656e04220420' : '302e020100300506032b657004220420';
  return createPrivateKey({ key: Buffer.concat([Buffer.from(prefix, 'hex'), secret]), format: 'der', type: 'pkcs8' });
}
function publicOf(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(12));
}
function publicKey(curve: 'x25519' | 'ed25519', raw: Uint8Array): KeyObject {
  const prefix = curve === 'x25519' ? '302a300506032b656e032100' : '302a300506032b6570032100';
  return createPublicKey({ key: Buffer.concat([Buffer.from(prefix, 'hex'), raw]), format: 'der', type: 'spki' });
}
function aesGcm(key: Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: AEAD_TAG_BYTES });
  cipher.setAAD(associatedData);
  return concatBytes(cipher.update(plaintext), cipher.final(), cipher.getAuthTag());
}

/** A packed payload (§5.1) written from the spec: '[' + each message's JSON.stringify joined by ',' + ']'. */
function packed(messages: readonly VectorMessage[]): { payload: Uint8Array; messages: readonly VectorMessage[] } {
  return { payload: asciiBytes(`[${messages.map((message) => JSON.stringify({ t: message.t, id: message.id, body: message.body })).join(',')}]`), messages };
}

/** Two packed payloads per direction: one in the smallest bucket, one in the next. */
function packedPayloads(direction: 'clientToServer' | 'serverToClient'): { payload: Uint8Array; messages: readonly VectorMessage[] }[] {
  if (direction === 'clientToServer') {
    return [
      packed([
        { t: 'order.place', id: 'r-8', body: { market: 'DOT-USDC', side: 'buy', type: 'limit', price: '7.10', size: '3' } },
        { t: 'order.cancel', id: 'r-9', body: { market: 'DOT-USDC', clientOrderId: 'c-8' } },
        { t: 'session.heartbeat', id: 'r-10', body: {} },
      ]),
      packed(Array.from({ length: 12 }, (_, i) => ({ t: 'order.place', id: `r-${11 + i}`, body: { market: 'DOT-USDC', side: i % 2 === 0 ? 'buy' : 'sell', type: 'limit', price: `7.${10 + i}`, size: '1.5', clientOrderId: `ladder-${i}` } }))),
    ];
  }
  return [
    packed([
      { t: 'result', id: 'r-8', body: { request: 'order.place', orderId: 9 } },
      { t: 'report', id: 's5', body: { seq: 5, kind: 'fill', market: 'DOT-USDC', price: '7.10', size: '3', remaining: '0' } },
    ]),
    packed(Array.from({ length: 12 }, (_, i) => ({ t: 'report', id: `s${6 + i}`, body: { seq: 6 + i, kind: 'accepted', market: 'DOT-USDC', orderId: 20 + i, clientOrderId: `ladder-${i}`, price: `7.${10 + i}`, size: '1.5' } }))),
  ];
}

/** The payloads of each direction: an order and a cancel (same bucket), a larger report, an empty payload, and more to cross two rekeys. */
function payloads(direction: 'clientToServer' | 'serverToClient'): Uint8Array[] {
  const m = (t: string, id: string, body: Record<string, string | number | boolean>): Uint8Array => encodeMessage({ t, id, body }, ENCLAVE_CHANNEL_FAULTS);
  if (direction === 'clientToServer') {
    return [
      m('order.place', 'r-1', { market: 'DOT-USDC', side: 'buy', type: 'limit', price: '7.1234', size: '1500.25', clientOrderId: 'c7b1e0a2-5d0e-4c4f-9a51-3f1d2e6b8a90', timeInForce: 'gtc' }),
      m('order.cancel', 'r-2', { market: 'DOT-USDC', clientOrderId: 'c7b1e0a2-5d0e-4c4f-9a51-3f1d2e6b8a90' }),
      m('session.heartbeat', 'r-3', {}),
      m('order.place', 'r-4', { market: 'DOT-USDC', side: 'sell', type: 'midpoint', size: '20', minQuantity: '5' }),
      new Uint8Array(0),
      m('order.mass_quote', 'r-6', { market: 'DOT-USDC', ladder: 'x'.repeat(1500) }),
      m('order.cancel_all', 'r-7', { market: 'DOT-USDC' }),
    ];
  }
  return [
    m('order.ack', 'r-1', { orderId: '1', sequence: 41 }),
    m('order.fill', 'r-1', { orderId: '1', price: '7.1234', size: '100', fee: '0.0712', liquidity: 'maker', note: 'y'.repeat(1100) }),
    m('order.ack', 'r-2', { orderId: '1', canceled: true }),
    m('session.heartbeat', 'r-3', {}),
    m('order.ack', 'r-4', { orderId: '2', sequence: 43 }),
    new Uint8Array(0),
    m('order.ack', 'r-7', { canceled: 0 }),
  ];
}

function frames(direction: Direction, keys: Uint8Array[], sessionId: Uint8Array, list: readonly { payload: Uint8Array; messages?: readonly VectorMessage[] }[]): FrameVector[] {
  return list.map(({ payload, messages }, index) => {
    const epoch = Math.floor(index / VECTOR_FRAMES_PER_EPOCH);
    const counter = index % VECTOR_FRAMES_PER_EPOCH;
    const padded = padPayload(payload, ENCLAVE_CHANNEL_FAULTS);
    const header = new Uint8Array(FRAME_HEADER_BYTES);
    encodeFrameHeader(header, { version: PROTOCOL_VERSION, sessionId, direction, epoch, counter, bodyLength: padded.length + AEAD_TAG_BYTES });
    const body = aesGcm(keys[epoch]!, frameNonce(direction, epoch, counter), header, padded);
    return { epoch, counter, payload: hex(payload), frame: hex(concatBytes(header, body)), ...(messages === undefined ? {} : { messages }) };
  });
}

export function buildChannelVectors(): ChannelVectors {
  const inputs = {
    enclaveIdentitySecretKey: fixed('enclave identity secret key', 32),
    enclaveKeyAgreementSecretKey: fixed('enclave key-agreement secret key', 32),
    traderIdentitySecretKey: fixed('trader identity secret key', 32),
    attestationHash: fixed('attestation bundle', 32),
    clientEphemeralSecretKey: fixed('client ephemeral secret key', 32),
    clientNonce: fixed('client nonce', 32),
    serverEphemeralSecretKey: fixed('server ephemeral secret key', 32),
    sessionId: fixed('session id', 16),
    serverNonce: fixed('server nonce', 32),
  };
  const enclaveIdentity = secretKey('ed25519', inputs.enclaveIdentitySecretKey);
  const enclaveKeyAgreement = secretKey('x25519', inputs.enclaveKeyAgreementSecretKey);
  const traderIdentity = secretKey('ed25519', inputs.traderIdentitySecretKey);
  const clientEphemeral = secretKey('x25519', inputs.clientEphemeralSecretKey);
  const serverEphemeral = secretKey('x25519', inputs.serverEphemeralSecretKey);
  const [enclaveIdentityPublicKey, enclaveKeyAgreementPublicKey, traderIdentityPublicKey, clientEphemeralPublicKey, serverEphemeralPublicKey] =
    [enclaveIdentity, enclaveKeyAgreement, traderIdentity, clientEphemeral, serverEphemeral].map(publicOf) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];

  // §2.1 ClientHello: the identity travels sealed under a key from the static exchange.
  const dhStatic = new Uint8Array(diffieHellman({ privateKey: clientEphemeral, publicKey: publicKey('x25519', enclaveKeyAgreementPublicKey) }));
  const cleartext = encodeClientHelloCleartext({ version: PROTOCOL_VERSION, attestationHash: inputs.attestationHash, clientEphemeralPublicKey, clientNonce: inputs.clientNonce });
  const clientTranscript = encodeClientTranscript({
    version: PROTOCOL_VERSION, enclaveKeyAgreementPublicKey, enclaveIdentityPublicKey, attestationHash: inputs.attestationHash,
    clientEphemeralPublicKey, clientNonce: inputs.clientNonce, traderIdentityPublicKey,
  });
  const clientSignature = new Uint8Array(sign(null, clientTranscript, traderIdentity));
  const helloKey = hkdf(dhStatic, sha256(cleartext), LABELS.helloKey, 32);
  const sealedIdentity = aesGcm(helloKey, new Uint8Array(12), cleartext, concatBytes(traderIdentityPublicKey, clientSignature));
  const clientHello = encodeClientHello(cleartext, sealedIdentity);

  // §2.2 ServerHello and §3.2 key schedule.
  const serverTranscript = encodeServerTranscript({
    clientTranscript, clientSignature, serverEphemeralPublicKey, sessionId: inputs.sessionId, serverNonce: inputs.serverNonce,
    framesPerEpoch: VECTOR_FRAMES_PER_EPOCH,
  });
  const serverSignature = new Uint8Array(sign(null, serverTranscript, enclaveIdentity));
  const serverHello = encodeServerHello({
    version: PROTOCOL_VERSION, serverEphemeralPublicKey, sessionId: inputs.sessionId, serverNonce: inputs.serverNonce,
    framesPerEpoch: VECTOR_FRAMES_PER_EPOCH, serverSignature,
  });
  const dhEphemeral = new Uint8Array(diffieHellman({ privateKey: clientEphemeral, publicKey: publicKey('x25519', serverEphemeralPublicKey) }));
  const transcriptHash = sha256(serverTranscript);
  const okm = hkdf(concatBytes(dhStatic, dhEphemeral), transcriptHash, LABELS.trafficKeys, 64);

  // §4.3 rekey: three epochs per direction.
  const epochKeys = (first: Uint8Array): Uint8Array[] => {
    const keys = [first];
    for (let epoch = 1; epoch < 3; epoch++) keys.push(hkdf(keys[epoch - 1]!, new Uint8Array(0), LABELS.rekey, 32));
    return keys;
  };
  const clientToServerKeys = epochKeys(okm.slice(0, 32));
  const serverToClientKeys = epochKeys(okm.slice(32));

  return {
    description: 'darkpool encrypted channel v1 (docs/protocol.md): fixed inputs are SHA-256("darkpool-channel/v1 test vector: <name>"), truncated to the field size. Generated by scripts/gen-channel-vectors.ts; every value is hex.',
    protocolVersion: PROTOCOL_VERSION,
    inputs: {
      enclaveIdentitySecretKey: hex(inputs.enclaveIdentitySecretKey), enclaveKeyAgreementSecretKey: hex(inputs.enclaveKeyAgreementSecretKey),
      traderIdentitySecretKey: hex(inputs.traderIdentitySecretKey), attestationHash: hex(inputs.attestationHash),
      clientEphemeralSecretKey: hex(inputs.clientEphemeralSecretKey), clientNonce: hex(inputs.clientNonce),
      serverEphemeralSecretKey: hex(inputs.serverEphemeralSecretKey), sessionId: hex(inputs.sessionId), serverNonce: hex(inputs.serverNonce),
      framesPerEpoch: VECTOR_FRAMES_PER_EPOCH,
    },
    derived: {
      enclaveIdentityPublicKey: hex(enclaveIdentityPublicKey), enclaveKeyAgreementPublicKey: hex(enclaveKeyAgreementPublicKey),
      traderIdentityPublicKey: hex(traderIdentityPublicKey), clientEphemeralPublicKey: hex(clientEphemeralPublicKey),
      serverEphemeralPublicKey: hex(serverEphemeralPublicKey), dhStatic: hex(dhStatic), dhEphemeral: hex(dhEphemeral), helloKey: hex(helloKey),
      clientTranscript: hex(clientTranscript), clientSignature: hex(clientSignature), serverTranscript: hex(serverTranscript),
      serverSignature: hex(serverSignature), transcriptHash: hex(transcriptHash),
      clientToServerKeys: clientToServerKeys.map(hex), serverToClientKeys: serverToClientKeys.map(hex),
    },
    clientHello: hex(clientHello),
    serverHello: hex(serverHello),
    clientToServerFrames: frames(DIRECTION.clientToServer, clientToServerKeys, inputs.sessionId, [...payloads('clientToServer').map((payload) => ({ payload })), ...packedPayloads('clientToServer')]),
    serverToClientFrames: frames(DIRECTION.serverToClient, serverToClientKeys, inputs.sessionId, [...payloads('serverToClient').map((payload) => ({ payload })), ...packedPayloads('serverToClient')]),
  };
}

export const CHANNEL_VECTORS_URL = new URL('../test/vectors/channel.json', import.meta.url);

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(CHANNEL_VECTORS_URL, JSON.stringify(buildChannelVectors(), null, 2) + '\n');
  console.log(`wrote ${CHANNEL_VECTORS_URL.pathname}`);
}
