// One encrypted session over one websocket: open the socket, send the ClientHello built from
// the verified attestation and the trader's key, check the ServerHello, then seal and open
// one frame per websocket message. Messages sent in one event-loop turn leave packed in as few
// frames as hold them (docs/protocol.md §5.1), in the order they were sent. A frame that fails to open is reported and skipped (the
// channel stays usable: the host may inject garbage); a missing frame ends the link, because
// the session cannot recover from it and the caller must open a new one and resume.
import { CLIENT_CHANNEL_FAULTS, createClientHandshake, type ClientSession } from '../channel/index.js';
import type { EnclaveKeysHex } from '../../src/protocol/attestation-bundle.js';
import { MAX_PAYLOAD_BYTES } from '../../src/protocol/channel-wire.js';
import type { FrameCipher } from '../../src/protocol/channel-session.js';
import { encodeMessageText, utf8ByteLength, type ChannelMessage, type OutgoingMessage } from '../../src/protocol/message-codec.js';
import { hexToBytes } from '@noble/hashes/utils';
import { asDarkpoolError, DarkpoolError, errorFromClose } from './errors.js';
import { NORMAL_CLOSE_CODE, type Transport, type TransportConnection } from './transport.js';

/** Where and to whom a link connects: the stream URL and what the verified attestation established. */
export interface SessionTarget {
  readonly streamUrl: string;
  readonly enclaveKeys: EnclaveKeysHex;
  readonly attestationHash: Uint8Array;
}

export interface LinkHandlers {
  onMessage(message: ChannelMessage): void;
  /** A frame that did not open (tampered, replayed or injected by the host); the session continues. */
  onFault(error: DarkpoolError): void;
  /** The link is gone; error says why when the gateway or enclave stated it or the session broke. */
  onClose(error: DarkpoolError | undefined): void;
}

/** Faults after which the session cannot continue. */
const SESSION_ENDING = new Set(['CLIENT_CHANNEL_FRAME_OUT_OF_ORDER', 'CLIENT_CHANNEL_SESSION_CLOSED', 'CLIENT_CHANNEL_SESSION_EXHAUSTED']);

export class SessionLink {
  readonly #connection: TransportConnection;
  readonly #session: ClientSession;
  readonly #handlers: LinkHandlers;
  #open = true;
  /** Encoded messages sent this turn, sealed together at its end. */
  #queuedTexts: string[] = [];
  #flushScheduled = false;

  private constructor(connection: TransportConnection, session: ClientSession, handlers: LinkHandlers) {
    this.#connection = connection;
    this.#session = session;
    this.#handlers = handlers;
  }

  /**
   * Opens the socket and runs the handshake; resolves once the session is established.
   * `frameCipher` replaces @noble's AES-GCM (a Node load generator passes node's).
   */
  static open(
    transport: Transport, target: SessionTarget, secretKey: Uint8Array, handshakeTimeoutMs: number, handlers: LinkHandlers,
    frameCipher?: FrameCipher<Uint8Array>,
  ): Promise<SessionLink> {
    return new Promise((resolve, reject) => {
      const handshake = createClientHandshake({
        enclaveKeyAgreementPublicKey: hexToBytes(target.enclaveKeys.x25519Hex),
        enclaveIdentityPublicKey: hexToBytes(target.enclaveKeys.ed25519Hex),
        attestationHash: target.attestationHash,
        traderIdentitySecretKey: secretKey,
        ...(frameCipher === undefined ? {} : { frameCipher }),
      });
      let link: SessionLink | undefined;
      let settled = false;
      let rejectedHello: DarkpoolError | undefined;
      const fail = (error: DarkpoolError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        handshake.close();
        connection.close(NORMAL_CLOSE_CODE, 'handshake failed');
        reject(error);
      };
      const timer = setTimeout(() => fail(rejectedHello ?? new DarkpoolError('CLIENT_HANDSHAKE_TIMEOUT', `no ServerHello within ${handshakeTimeoutMs} ms`)), handshakeTimeoutMs);
      const connection: TransportConnection = transport(target.streamUrl, {
        onOpen: () => connection.send(handshake.clientHello),
        onMessage: (bytes) => {
          if (link !== undefined) {
            link.#receive(bytes);
            return;
          }
          if (settled) return;
          let session: ClientSession;
          try {
            session = handshake.finish(bytes);
          } catch (error) {
            // A forged ServerHello leaves the handshake as it was; the genuine one may still come.
            rejectedHello = asDarkpoolError(error);
            return;
          }
          settled = true;
          clearTimeout(timer);
          link = new SessionLink(connection, session, handlers);
          resolve(link);
        },
        onClose: (code, reason) => {
          if (link !== undefined) {
            link.#closed(errorFromClose(code, reason));
            return;
          }
          fail(errorFromClose(code, reason) ?? rejectedHello ?? new DarkpoolError('CLIENT_SOCKET_CLOSED', `closed before the handshake finished (${code} ${reason.slice(0, 120)})`));
        },
      });
    });
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /**
   * Queues one message; everything queued in this turn is sealed and sent at its end (a
   * microtask), packed. Throws a DarkpoolError (invalid, too large, link closed) and queues
   * nothing then.
   */
  send(message: OutgoingMessage): void {
    if (!this.#open) throw new DarkpoolError('CLIENT_CONNECTION_LOST', 'the link is closed');
    let text: string;
    try {
      text = encodeMessageText(message, CLIENT_CHANNEL_FAULTS);
      // Refused here exactly as sealing would refuse it; sealing a too-large text consumes nothing.
      if (text.length * 3 > MAX_PAYLOAD_BYTES && utf8ByteLength(text) > MAX_PAYLOAD_BYTES) this.#session.sealMessageTexts([text]);
    } catch (error) {
      throw asDarkpoolError(error);
    }
    this.#queuedTexts.push(text);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  /** Seals what this turn queued, packed, and sends the frames in order. */
  #flush(): void {
    this.#flushScheduled = false;
    const texts = this.#queuedTexts;
    this.#queuedTexts = [];
    if (!this.#open || texts.length === 0) return;
    let frames: Uint8Array[];
    try {
      frames = this.#session.sealMessageTexts(texts);
    } catch (error) {
      // Only a session past its use (closed, exhausted) refuses here: the link cannot continue.
      this.#open = false;
      this.#session.close();
      this.#connection.close(NORMAL_CLOSE_CODE, 'session broken');
      this.#handlers.onClose(asDarkpoolError(error));
      return;
    }
    for (const frame of frames) this.#connection.send(frame);
  }

  /** Ends the link from this side, after sending what was queued; onClose is not called. */
  close(): void {
    if (!this.#open) return;
    this.#flush();
    if (!this.#open) return;
    this.#open = false;
    this.#session.close();
    this.#connection.close(NORMAL_CLOSE_CODE, 'client closed');
  }

  #receive(bytes: Uint8Array): void {
    if (!this.#open) return;
    let messages: ChannelMessage[];
    try {
      messages = this.#session.openMessages(bytes);
    } catch (error) {
      const coded = asDarkpoolError(error);
      if (!SESSION_ENDING.has(coded.errorName)) {
        this.#handlers.onFault(coded);
        return;
      }
      this.#open = false;
      this.#session.close();
      this.#connection.close(NORMAL_CLOSE_CODE, 'session broken');
      this.#handlers.onClose(coded);
      return;
    }
    for (const message of messages) this.#handlers.onMessage(message);
  }

  #closed(error: DarkpoolError | undefined): void {
    if (!this.#open) return;
    this.#open = false;
    this.#session.close();
    this.#handlers.onClose(error);
  }
}
