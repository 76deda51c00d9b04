// A session that survives socket loss. It correlates requests with answers by envelope id,
// times them out, and when the link drops it reconnects with backoff (re-fetching and
// re-verifying the attestation each time, since the enclave may have restarted), then lets
// the caller resume its report stream before anything else is sent.
//
// What happens to a request during an outage:
//   - sent on the lost link: its outcome is unknown, so it fails CLIENT_CONNECTION_LOST
//     (retryable; resend with the same clientOrderId, which the enclave refuses to apply twice);
//   - not yet sent (issued while reconnecting): it is provably not applied, so it waits and is
//     sent on the new session, or fails CLIENT_NOT_CONNECTED if its timeout passes first.
import type { ChannelMessage, JsonObject } from '../../src/protocol/message-codec.js';
import { DarkpoolError, errorFromServer, isDarkpoolError } from './errors.js';
import { SessionLink, type SessionTarget } from './session-link.js';
import type { Transport } from './transport.js';
import type { ConnectionState } from './types.js';

export interface ReconnectOptions {
  /** Default true. */
  readonly enabled?: boolean;
  /** First delay; each failed attempt doubles it (with jitter) up to maxDelayMs. Default 100. */
  readonly initialDelayMs?: number;
  /** Default 5000. */
  readonly maxDelayMs?: number;
  /** Consecutive failed attempts before giving up (CLIENT_RECONNECT_EXHAUSTED). Default 60. */
  readonly maxAttempts?: number;
}

export const SESSION_DEFAULTS = {
  requestTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  maxPendingRequests: 1_000,
  reconnect: { enabled: true, initialDelayMs: 100, maxDelayMs: 5_000, maxAttempts: 60 },
} as const;

export const SESSION_LIMITS = {
  maxTimeoutMs: 600_000,
  maxReconnectAttempts: 10_000,
  maxReconnectDelayMs: 600_000,
} as const;

export interface ResilientSessionConfig {
  readonly transport: Transport;
  readonly secretKey: Uint8Array;
  /** Fetches and verifies the attestation; runs before every connection attempt. */
  readonly prepare: () => Promise<SessionTarget>;
  readonly requestTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly maxPendingRequests: number;
  readonly reconnect: Required<ReconnectOptions>;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random: () => number;
}

export interface SessionEvents {
  /** A session is up. Runs before requests queued during the outage are sent, so it can resume first. */
  onEstablished(first: boolean): void;
  /** A message that is not an answer to a request: execution reports. */
  onMessage(message: ChannelMessage): void;
  /** A frame or channel error that did not end the session. */
  onFault(error: DarkpoolError): void;
  onStateChange(state: ConnectionState): void;
  /** Reconnecting stopped for good (attestation refused, too many attempts); the session is closed. */
  onGiveUp(error: DarkpoolError): void;
}

export interface RequestOptions {
  readonly timeoutMs?: number;
  /**
   * Runs synchronously when the result is routed, before any later message of the stream is
   * handled, so a snapshot can be applied at exactly its place among the reports. A throw
   * rejects the request with that error.
   */
  readonly onResult?: (result: JsonObject) => void;
}

interface Pending {
  readonly id: string;
  readonly type: string;
  readonly body: object;
  readonly onResult: ((result: JsonObject) => void) | undefined;
  sent: boolean;
  readonly resolve: (result: JsonObject) => void;
  readonly reject: (error: DarkpoolError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Errors after which reconnecting cannot help: the enclave's evidence or the client's own setup is wrong. */
function isFinal(error: DarkpoolError): boolean {
  return error.errorName.startsWith('ATTESTATION_') || error.errorName === 'CLIENT_KEY_INVALID' || error.errorName === 'CLIENT_OPTIONS_INVALID';
}

/** Exponential backoff with equal jitter: half the step fixed, half random. */
export function backoffDelayMs(attempt: number, options: Required<ReconnectOptions>, random: () => number): number {
  const step = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (step / 2) * random());
}

export class ResilientSession {
  readonly #config: ResilientSessionConfig;
  readonly #events: SessionEvents;
  readonly #pending = new Map<string, Pending>();
  #link: SessionLink | undefined;
  #linkToken: symbol | undefined;
  #state: ConnectionState = 'idle';
  #nextId = 1;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(config: ResilientSessionConfig, events: SessionEvents) {
    this.#config = config;
    this.#events = events;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The first connection: one attempt, its failure thrown to the caller. */
  async connect(): Promise<void> {
    if (this.#state !== 'idle') throw new DarkpoolError('CLIENT_OPTIONS_INVALID', `connect() called in state ${this.#state}`);
    this.#setState('connecting');
    try {
      await this.#establish(true);
    } catch (error) {
      this.#shutdown(isDarkpoolError(error) ? error : new DarkpoolError('CLIENT_INTERNAL', String(error)));
      throw error;
    }
  }

  /** Sends one request and resolves with its result object, or rejects with a DarkpoolError. */
  request(type: string, body: object, options: RequestOptions = {}): Promise<JsonObject> {
    const timeoutMs = options.timeoutMs ?? this.#config.requestTimeoutMs;
    if (this.#state === 'closed') return Promise.reject(new DarkpoolError('CLIENT_CLOSED'));
    if (this.#state === 'idle') return Promise.reject(new DarkpoolError('CLIENT_NOT_CONNECTED'));
    if (this.#pending.size >= this.#config.maxPendingRequests) return Promise.reject(new DarkpoolError('CLIENT_TOO_MANY_PENDING', `${this.#pending.size} waiting`));
    const id = `r${(this.#nextId++).toString(36)}`;
    return new Promise<JsonObject>((resolve, reject) => {
      const timer = setTimeout(() => {
        const entry = this.#pending.get(id);
        if (entry === undefined) return;
        this.#pending.delete(id);
        entry.reject(entry.sent
          ? new DarkpoolError('CLIENT_REQUEST_TIMEOUT', `${type} after ${timeoutMs} ms`)
          : new DarkpoolError('CLIENT_NOT_CONNECTED', `${type} was not sent: no session within ${timeoutMs} ms`));
      }, timeoutMs);
      const entry: Pending = { id, type, body, onResult: options.onResult, sent: false, resolve, reject, timer };
      this.#pending.set(id, entry);
      if (this.#state === 'open') this.#send(entry);
    });
  }

  /** Closes for good: pending requests fail CLIENT_CLOSED. */
  close(): void {
    this.#shutdown(new DarkpoolError('CLIENT_CLOSED'));
  }

  async #establish(first: boolean): Promise<void> {
    const target = await this.#config.prepare();
    if (this.#isClosed()) return;
    // Messages can arrive in the same turn as the ServerHello, before the await below resumes,
    // so the handlers recognise their link by a token set now rather than by the link itself.
    const token = Symbol('link');
    this.#linkToken = token;
    const link = await SessionLink.open(this.#config.transport, target, this.#config.secretKey, this.#config.handshakeTimeoutMs, {
      onMessage: (message) => { if (this.#linkToken === token) this.#route(message); },
      onFault: (error) => { if (this.#linkToken === token) this.#events.onFault(error); },
      onClose: (error) => { if (this.#linkToken === token && this.#link !== undefined) this.#lost(error); },
    });
    if (this.#isClosed()) {
      link.close();
      return;
    }
    if (!link.isOpen) throw new DarkpoolError('CLIENT_CONNECTION_LOST', 'the socket closed right after the handshake');
    this.#link = link;
    this.#attempt = 0;
    this.#setState('open');
    this.#events.onEstablished(first);
    for (const entry of [...this.#pending.values()]) {
      if (!entry.sent && this.#link === link && link.isOpen) this.#send(entry);
    }
  }

  #send(entry: Pending): void {
    try {
      this.#link!.send({ t: entry.type, id: entry.id, body: entry.body });
      entry.sent = true;
    } catch (error) {
      this.#settle(entry.id)?.reject(isDarkpoolError(error) ? error : new DarkpoolError('CLIENT_INTERNAL', String(error)));
    }
  }

  #route(message: ChannelMessage): void {
    if (message.t !== 'result' && message.t !== 'error') {
      this.#events.onMessage(message);
      return;
    }
    const entry = this.#pending.get(message.id);
    if (entry === undefined) {
      if (message.t === 'error') this.#events.onFault(errorFromServer(message.body));
      return;
    }
    this.#settle(message.id);
    if (message.t === 'error') {
      entry.reject(errorFromServer(message.body));
      return;
    }
    const { request, result } = message.body;
    if (request !== entry.type || typeof result !== 'object' || result === null || Array.isArray(result)) {
      entry.reject(new DarkpoolError('CLIENT_BAD_ANSWER', `expected a result for ${entry.type}`, { origin: 'enclave' }));
      return;
    }
    try {
      entry.onResult?.(result as JsonObject);
    } catch (error) {
      entry.reject(isDarkpoolError(error) ? error : new DarkpoolError('CLIENT_BAD_ANSWER', String(error), { origin: 'enclave' }));
      return;
    }
    entry.resolve(result as JsonObject);
  }

  #settle(id: string): Pending | undefined {
    const entry = this.#pending.get(id);
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    this.#pending.delete(id);
    return entry;
  }

  #lost(error: DarkpoolError | undefined): void {
    this.#link = undefined;
    this.#linkToken = undefined;
    for (const entry of [...this.#pending.values()]) {
      if (!entry.sent) continue;
      this.#settle(entry.id);
      entry.reject(new DarkpoolError('CLIENT_CONNECTION_LOST', `${entry.type}${error === undefined ? '' : `: ${error.message}`}`));
    }
    if (!this.#config.reconnect.enabled) {
      this.#giveUp(error ?? new DarkpoolError('CLIENT_CONNECTION_LOST', 'the socket closed and reconnecting is off'));
      return;
    }
    this.#setState('reconnecting');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const delayMs = backoffDelayMs(this.#attempt, this.#config.reconnect, this.#config.random);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#establish(false).catch((error: unknown) => {
        if (this.#state === 'closed') return;
        const coded = isDarkpoolError(error) ? error : new DarkpoolError('CLIENT_INTERNAL', String(error));
        if (isFinal(coded)) {
          this.#giveUp(coded);
          return;
        }
        this.#attempt += 1;
        if (this.#attempt >= this.#config.reconnect.maxAttempts) {
          this.#giveUp(new DarkpoolError('CLIENT_RECONNECT_EXHAUSTED', `${this.#attempt} attempts; last: ${coded.message}`));
          return;
        }
        this.#scheduleReconnect();
      });
    }, delayMs);
  }

  #giveUp(error: DarkpoolError): void {
    this.#shutdown(error);
    this.#events.onGiveUp(error);
  }

  #shutdown(error: DarkpoolError): void {
    if (this.#state === 'closed') return;
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const link = this.#link;
    this.#link = undefined;
    this.#linkToken = undefined;
    link?.close();
    for (const entry of [...this.#pending.values()]) {
      this.#settle(entry.id);
      entry.reject(error);
    }
    this.#setState('closed');
  }

  /** A method, not a field read, so the check is not narrowed away across an await. */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#events.onStateChange(state);
  }
}
