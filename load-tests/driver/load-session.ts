// One trader's encrypted session for the load driver: the SDK's own SessionLink (handshake
// against keys from an attestation the driver verified, a turn's requests packed into as few
// frames as hold them) over corked-transport.ts, which sends a turn's frames in one write, and
// the shared record layer on node's AES-256-GCM (test/support/node-client-frame-cipher.ts), so
// the driver's crypto costs a tenth of @noble's and measures the venue, not itself. It skips
// the SDK client's conveniences (store, reconnects, per-call promises): requests are numbered,
// answers and reports go to one handler, and a lost socket is reported, never retried.
import { DarkpoolError } from '../../client/sdk/errors.js';
import { SessionLink, type SessionTarget } from '../../client/sdk/session-link.js';
import { CodedError } from '../../src/errors/index.js';
import type { ChannelMessage } from '../../src/protocol/message-codec.js';
import { nodeClientFrameCipher } from '../../test/support/node-client-frame-cipher.js';
import { corkedTransport } from './corked-transport.js';

/** Where sessions connect, from one verified attestation. */
export type LoadTarget = SessionTarget;

export interface LoadSessionHandlers {
  /** The answer ("result" or "error") to request number `requestNumber`. */
  onAnswer(session: LoadSession, requestNumber: number, message: ChannelMessage): void;
  /** An execution report (or any message that answers no request). */
  onReport(session: LoadSession, message: ChannelMessage): void;
  /** A frame that did not open; the session goes on. */
  onFault(session: LoadSession, error: DarkpoolError): void;
  /** The link is gone (not called after close()); `reason` says why when it was stated. */
  onClosed(session: LoadSession, reason: string): void;
}

const REQUEST_ID = /^q([0-9]{1,15})$/;

export class LoadSession {
  readonly index: number;
  #link: SessionLink | undefined;
  #nextRequest = 1;

  private constructor(index: number) {
    this.index = index;
  }

  /** Opens the socket, runs the handshake; rejects with LOAD_SESSION_FAILED. */
  static async open(index: number, target: LoadTarget, secretKey: Uint8Array, timeoutMs: number, handlers: LoadSessionHandlers): Promise<LoadSession> {
    const session = new LoadSession(index);
    try {
      session.#link = await SessionLink.open(corkedTransport, target, secretKey, timeoutMs, {
        onMessage: (message) => {
          const match = message.t === 'result' || message.t === 'error' ? REQUEST_ID.exec(message.id) : null;
          if (match === null) handlers.onReport(session, message);
          else handlers.onAnswer(session, Number(match[1]), message);
        },
        onFault: (error) => handlers.onFault(session, error),
        onClose: (error) => handlers.onClosed(session, error === undefined ? 'closed' : `${error.code} ${error.message.slice(0, 120)}`),
      }, nodeClientFrameCipher);
    } catch (error) {
      throw new CodedError('LOAD_SESSION_FAILED', `session ${index}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return session;
  }

  get isOpen(): boolean {
    return this.#link?.isOpen === true;
  }

  /** Requests sent so far: numbers 1..sentCount were used. */
  get sentCount(): number {
    return this.#nextRequest - 1;
  }

  /** Queues one request, sealed with the rest of this turn's; returns its number (the answer carries id "q<number>"). */
  send(t: string, body: object): number {
    if (!this.isOpen) throw new CodedError('LOAD_SESSION_FAILED', `session ${this.index} is closed`);
    this.#link!.send({ t, id: `q${this.#nextRequest}`, body });
    return this.#nextRequest++;
  }

  close(): void {
    this.#link?.close();
  }
}
