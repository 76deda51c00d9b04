// One trader's encrypted session inside a k6 VU, over k6/websockets: the same channel as the
// SDK (client/channel: ClientHello from the checked attestation and the trader's key, the
// ServerHello's signature checked, AES-256-GCM frames on @noble), with every enclave frame
// decoded by ChannelSession.openMessages because one frame may carry several messages.
// Answers and reports go to the caller's handlers with the time their frame arrived, taken
// before decryption so the client's own AEAD cost stays out of the latencies.
import { WebSocket, type K6CloseEvent, type K6MessageEvent } from 'k6/websockets';
import { hexToBytes } from '@noble/hashes/utils';
import { createClientHandshake, type ClientHandshake, type ClientSession } from '../../../client/channel/index.js';
import { CodedError, isCodedError } from '../../../src/errors/index.js';
import type { ChannelMessage, JsonObject } from '../../../src/protocol/message-codec.js';
import type { ErrorBody } from '../../../src/protocol/trading-messages.js';
import { protocolErrors, sessionErrors, sessionOpenLatency, sessionsOpened } from './metrics.js';
import type { VenueData } from './venue.js';

export interface SessionHandlers {
  onOpen(): void;
  onResult(id: string, request: string, result: JsonObject, arrivedAtMs: number): void;
  /** A coded error answering the request `id` (or the channel's own id for a frame that did not open). */
  onError(id: string, error: ErrorBody, arrivedAtMs: number): void;
  onReport(report: JsonObject, arrivedAtMs: number): void;
  /** The socket is closed; `expected` when this side closed it. */
  onClose(code: number, reason: string, expected: boolean): void;
}

/** Client faults after which the session cannot continue (as the SDK's SessionLink treats them). */
const SESSION_ENDING = new Set(['CLIENT_CHANNEL_FRAME_OUT_OF_ORDER', 'CLIENT_CHANNEL_SESSION_CLOSED', 'CLIENT_CHANNEL_SESSION_EXHAUSTED']);
const NORMAL_CLOSE_CODE = 1000;
const WEBSOCKET_OPEN = 1;

/** Milliseconds with the best resolution the runtime offers (k6 may only have Date.now). */
export function nowMs(): number {
  const performance = (globalThis as { performance?: { now?: () => number } }).performance;
  return typeof performance?.now === 'function' ? performance.now() : Date.now();
}

/** Exactly the frame's bytes as an ArrayBuffer, the binary type every k6 version's send accepts. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer;
}

export class TraderSession {
  readonly #socket: WebSocket;
  readonly #handlers: SessionHandlers;
  readonly #idPrefix: string;
  #handshake: ClientHandshake | undefined;
  #session: ClientSession | undefined;
  #nextRequest = 0;
  #closing = false;

  constructor(venue: VenueData, seedHex: string, idPrefix: string, handlers: SessionHandlers) {
    this.#handlers = handlers;
    this.#idPrefix = idPrefix;
    const seed = hexToBytes(seedHex);
    this.#handshake = createClientHandshake({
      enclaveKeyAgreementPublicKey: hexToBytes(venue.enclaveKeys.x25519Hex),
      enclaveIdentityPublicKey: hexToBytes(venue.enclaveKeys.ed25519Hex),
      attestationHash: hexToBytes(venue.attestationHashHex),
      traderIdentitySecretKey: seed,
    });
    seed.fill(0);
    const startedAtMs = nowMs();
    this.#socket = new WebSocket(venue.streamUrl);
    this.#socket.binaryType = 'arraybuffer';
    this.#socket.addEventListener('open', () => this.#socket.send(toArrayBuffer(this.#handshake!.clientHello)));
    this.#socket.addEventListener('message', (event) => this.#message(event, startedAtMs));
    this.#socket.addEventListener('error', () => sessionErrors.add(1, { cause: 'socket-error' }));
    this.#socket.addEventListener('close', (event) => this.#closed(event));
  }

  get isOpen(): boolean {
    return this.#session !== undefined && !this.#closing && this.#socket.readyState === WEBSOCKET_OPEN;
  }

  /** Seals and sends one request; returns its envelope id. */
  send(type: string, body: object): string {
    if (!this.isOpen) throw new CodedError('K6_CONFIG_INVALID', `send ${type} on a session that is not open`);
    this.#nextRequest += 1;
    const id = `${this.#idPrefix}${this.#nextRequest.toString(36)}`;
    this.#socket.send(toArrayBuffer(this.#session!.sealMessage({ t: type, id, body })));
    return id;
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#handshake?.close();
    this.#session?.close();
    this.#socket.close(NORMAL_CLOSE_CODE, 'k6 done');
  }

  #message(event: K6MessageEvent, startedAtMs: number): void {
    const arrivedAtMs = nowMs();
    if (this.#closing) return;
    if (!(event.data instanceof ArrayBuffer)) {
      protocolErrors.add(1, { cause: 'text-message' });
      return;
    }
    const bytes = new Uint8Array(event.data);
    if (this.#session === undefined) {
      this.#finishHandshake(bytes, arrivedAtMs - startedAtMs);
      return;
    }
    let messages: ChannelMessage[];
    try {
      messages = this.#session.openMessages(bytes);
    } catch (error) {
      if (!isCodedError(error)) throw error;
      protocolErrors.add(1, { cause: error.errorName });
      if (SESSION_ENDING.has(error.errorName)) this.close();
      return;
    }
    for (const message of messages) this.#dispatch(message, arrivedAtMs);
  }

  #finishHandshake(bytes: Uint8Array, elapsedMs: number): void {
    try {
      this.#session = this.#handshake!.finish(bytes);
    } catch (error) {
      // A forged ServerHello leaves the handshake as it was; the genuine one may still come.
      if (!isCodedError(error)) throw error;
      protocolErrors.add(1, { cause: error.errorName });
      return;
    }
    this.#handshake = undefined;
    sessionOpenLatency.add(elapsedMs);
    sessionsOpened.add(1);
    this.#handlers.onOpen();
  }

  #dispatch(message: ChannelMessage, arrivedAtMs: number): void {
    const body = message.body;
    if (message.t === 'report') {
      this.#handlers.onReport(body, arrivedAtMs);
      return;
    }
    if (message.t === 'result' && typeof body.request === 'string' && isObject(body.result)) {
      this.#handlers.onResult(message.id, body.request, body.result, arrivedAtMs);
      return;
    }
    if (message.t === 'error' && typeof body.code === 'number' && typeof body.name === 'string' && typeof body.message === 'string') {
      this.#handlers.onError(message.id, { code: body.code, name: body.name, message: body.message }, arrivedAtMs);
      return;
    }
    protocolErrors.add(1, { cause: 'K6_ANSWER_INVALID' });
  }

  #closed(event: K6CloseEvent): void {
    const expected = this.#closing;
    this.#closing = true;
    this.#handshake?.close();
    this.#session?.close();
    if (!expected) sessionErrors.add(1, { cause: `close-${event.code}` });
    this.#handlers.onClose(event.code, event.reason, expected);
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
