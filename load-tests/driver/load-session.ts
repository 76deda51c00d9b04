// One trader's encrypted session for the load driver, built from the SDK's own parts: its
// Transport interface (served by corked-transport.ts, which sends a turn's frames in one
// write), the client handshake (client/channel) against keys from an attestation the driver
// verified, and the shared record layer on node's AES-256-GCM
// (test/support/node-client-frame-cipher.ts), so the driver's crypto costs a tenth of
// @noble's and measures the venue, not itself. It skips the SDK's conveniences (store,
// reconnects, per-call promises): requests are numbered, answers and reports go to one
// handler, and a lost socket is reported, never retried. Like the SDK, the requests sent in one
// event-loop turn are sealed together at its end, packed into as few frames as hold them.
import { hexToBytes } from '@noble/hashes/utils';
import { CLIENT_CHANNEL_FAULTS, createClientHandshake, type ClientSession } from '../../client/channel/index.js';
import type { TransportConnection } from '../../client/sdk/transport.js';
import { CodedError, isCodedError } from '../../src/errors/index.js';
import type { EnclaveKeysHex } from '../../src/protocol/attestation-bundle.js';
import { encodeMessageText, type ChannelMessage } from '../../src/protocol/message-codec.js';
import { nodeClientFrameCipher } from '../../test/support/node-client-frame-cipher.js';
import { corkedTransport } from './corked-transport.js';

/** Where sessions connect, from one verified attestation. */
export interface LoadTarget {
  readonly streamUrl: string;
  readonly enclaveKeys: EnclaveKeysHex;
  readonly attestationHash: Uint8Array;
}

export interface LoadSessionHandlers {
  /** The answer ("result" or "error") to request number `requestNumber`. */
  onAnswer(session: LoadSession, requestNumber: number, message: ChannelMessage): void;
  /** An execution report (or any message that answers no request). */
  onReport(session: LoadSession, message: ChannelMessage): void;
  /** A frame that did not open; the session goes on. */
  onFault(session: LoadSession, error: CodedError): void;
  /** The socket is gone (not called after close()). */
  onClosed(session: LoadSession, code: number, reason: string): void;
}

const REQUEST_ID = /^q([0-9]{1,15})$/;
const NORMAL_CLOSE = 1000;

export class LoadSession {
  readonly index: number;
  readonly #connection: TransportConnection;
  readonly #channel: ClientSession;
  #nextRequest = 1;
  #open = true;
  /** Encoded requests of this turn, sealed together at its end. */
  #queuedTexts: string[] = [];
  #flushScheduled = false;

  private constructor(index: number, connection: TransportConnection, channel: ClientSession) {
    this.index = index;
    this.#connection = connection;
    this.#channel = channel;
  }

  /** Opens the socket, runs the handshake; rejects with LOAD_SESSION_FAILED. */
  static open(index: number, target: LoadTarget, secretKey: Uint8Array, timeoutMs: number, handlers: LoadSessionHandlers): Promise<LoadSession> {
    return new Promise((resolve, reject) => {
      const handshake = createClientHandshake({
        enclaveKeyAgreementPublicKey: hexToBytes(target.enclaveKeys.x25519Hex),
        enclaveIdentityPublicKey: hexToBytes(target.enclaveKeys.ed25519Hex),
        attestationHash: target.attestationHash,
        traderIdentitySecretKey: secretKey,
        frameCipher: nodeClientFrameCipher,
      });
      let session: LoadSession | undefined;
      let settled = false;
      const fail = (detail: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        handshake.close();
        connection.close(NORMAL_CLOSE, 'handshake failed');
        reject(new CodedError('LOAD_SESSION_FAILED', `session ${index}: ${detail}`));
      };
      const timer = setTimeout(() => fail(`no ServerHello within ${timeoutMs} ms`), timeoutMs);
      const connection = corkedTransport(target.streamUrl, {
        onOpen: () => connection.send(handshake.clientHello),
        onMessage: (bytes) => {
          if (session !== undefined) {
            session.#receive(bytes, handlers);
            return;
          }
          if (settled) return;
          let channel: ClientSession;
          try {
            channel = handshake.finish(bytes);
          } catch (error) {
            fail(error instanceof Error ? error.message : String(error));
            return;
          }
          settled = true;
          clearTimeout(timer);
          session = new LoadSession(index, connection, channel);
          resolve(session);
        },
        onClose: (code, reason) => {
          if (session === undefined) {
            fail(`socket closed during the handshake (${code} ${reason.slice(0, 120)})`);
            return;
          }
          if (!session.#open) return;
          session.#open = false;
          session.#channel.close();
          handlers.onClosed(session, code, reason);
        },
      });
    });
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Requests sent so far: numbers 1..sentCount were used. */
  get sentCount(): number {
    return this.#nextRequest - 1;
  }

  /** Seals and sends one request; returns its number (the answer carries id "q<number>"). */
  send(t: string, body: object): number {
    if (!this.#open) throw new CodedError('LOAD_SESSION_FAILED', `session ${this.index} is closed`);
    const text = encodeMessageText({ t, id: `q${this.#nextRequest}`, body }, CLIENT_CHANNEL_FAULTS);
    const number = this.#nextRequest++;
    this.#queuedTexts.push(text);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return number;
  }

  /** Seals this turn's requests, packed, and sends the frames in order; a session past its use closes the socket. */
  #flush(): void {
    this.#flushScheduled = false;
    const texts = this.#queuedTexts;
    this.#queuedTexts = [];
    if (!this.#open || texts.length === 0) return;
    let frames: Uint8Array[];
    try {
      frames = this.#channel.sealMessageTexts(texts);
    } catch (error) {
      if (!isCodedError(error)) throw error;
      this.#connection.close(NORMAL_CLOSE, `session broken: ${error.errorName}`);
      return;
    }
    for (const frame of frames) this.#connection.send(frame);
  }

  close(): void {
    if (!this.#open) return;
    this.#flush();
    this.#open = false;
    this.#channel.close();
    this.#connection.close(NORMAL_CLOSE, 'load run finished');
  }

  #receive(bytes: Uint8Array, handlers: LoadSessionHandlers): void {
    if (!this.#open) return;
    let messages: ChannelMessage[];
    try {
      messages = this.#channel.openMessages(bytes);
    } catch (error) {
      if (!isCodedError(error)) throw error;
      handlers.onFault(this, error);
      return;
    }
    for (const message of messages) {
      const match = message.t === 'result' || message.t === 'error' ? REQUEST_ID.exec(message.id) : null;
      if (match === null) handlers.onReport(this, message);
      else handlers.onAnswer(this, Number(match[1]), message);
    }
  }
}
