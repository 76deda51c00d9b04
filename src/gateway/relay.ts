// The gateway's core: the sessions it holds and the enclave connections behind them. A
// session is reserved when a client arrives (websocket connect or REST hello), opens its
// enclave connection with the ClientHello, relays size-checked, rate-limited byte frames
// in order both ways, and ends from either side. Nothing here looks past a frame's public
// header or keeps a frame after handing it on.
import { CodedError } from '../errors/index.js';
import type { GatewayLimits } from './config.js';
import type { EnclaveLink } from './enclave-link.js';
import type { GatewayErrorName, GatewayMetrics, Transport } from './metrics.js';
import { TokenBucket } from './token-bucket.js';
import { checkClientFrame, checkClientHello } from './wire-checks.js';

/** Why a session ended when its transport did not end it itself. */
export type EndReason =
  | { readonly by: 'enclave'; readonly code: number }
  | { readonly by: 'gateway'; readonly name: GatewayErrorName };

/** What a transport (websocket or REST) provides to receive a session's output. */
export interface SessionPeer {
  /** One message from the enclave, in the enclave's order. */
  deliver(bytes: Uint8Array): void;
  /** The session ended from the enclave's or the gateway's side; the transport tells its client. */
  ended(reason: EndReason): void;
}

export class RelaySession {
  readonly transport: Transport;
  readonly #relay: EnclaveRelay;
  readonly #peer: SessionPeer;
  readonly #bucket: TokenBucket;
  #connectionId: number | undefined;
  #ended = false;
  #released = false;
  #helloSentMs: number | undefined;
  /** When the oldest client message not yet followed by enclave output was relayed. */
  #awaitingSinceMs: number | undefined;

  constructor(relay: EnclaveRelay, transport: Transport, peer: SessionPeer, bucket: TokenBucket) {
    this.#relay = relay;
    this.transport = transport;
    this.#peer = peer;
    this.#bucket = bucket;
  }

  get isEnded(): boolean {
    return this.#ended;
  }

  get hasHello(): boolean {
    return this.#connectionId !== undefined;
  }

  /** Checks the hello's size and the rate, opens the enclave connection and relays the hello. Throws CodedError. */
  sendHello(bytes: Uint8Array): void {
    if (this.#ended) throw new Error('assertion: hello on an ended session');
    if (this.#connectionId !== undefined) throw new Error('assertion: a session has one hello');
    checkClientHello(bytes);
    this.#takeTokens(1);
    this.#connectionId = this.#relay.attach(this);
    this.#helloSentMs = this.#relay.nowMs();
    this.#relay.metrics.messageIn(this.transport, bytes.length);
    this.#relay.link.sendFrame(this.#connectionId, bytes);
  }

  /** Checks every frame and the rate first, then relays them all in order, or none. Throws CodedError. */
  sendFrames(frames: readonly Uint8Array[]): void {
    if (this.#ended || this.#connectionId === undefined) throw new Error('assertion: frames before the hello or after the end');
    for (const frame of frames) checkClientFrame(frame, this.#relay.limits.maxFrameBytes);
    if (frames.length === 0) return;
    this.#takeTokens(frames.length);
    this.#awaitingSinceMs ??= this.#relay.nowMs();
    for (const frame of frames) {
      this.#relay.metrics.messageIn(this.transport, frame.length);
      this.#relay.link.sendFrame(this.#connectionId, frame);
    }
  }

  /** The transport ends the session: the enclave connection closes; the peer is not called back. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#connectionId !== undefined) this.#relay.detach(this.#connectionId, true);
  }

  /** The gateway drops the session with a coded reason and tells the peer (which reports it, and counts it). */
  drop(name: GatewayErrorName): void {
    if (this.#ended) return;
    this.end();
    this.#peer.ended({ by: 'gateway', name });
  }

  /** Frees the session's slot; the transport calls it once nothing of the session remains. */
  release(): void {
    this.end();
    if (this.#released) return;
    this.#released = true;
    this.#relay.forget(this);
  }

  /** @internal the relay routes enclave output here. */
  receive(bytes: Uint8Array): void {
    if (this.#ended) return;
    const now = this.#relay.nowMs();
    if (this.#helloSentMs !== undefined) {
      this.#relay.metrics.roundTrip('hello', (now - this.#helloSentMs) / 1_000);
      this.#helloSentMs = undefined;
    } else if (this.#awaitingSinceMs !== undefined) {
      this.#relay.metrics.roundTrip('frame', (now - this.#awaitingSinceMs) / 1_000);
      this.#awaitingSinceMs = undefined;
    }
    this.#relay.metrics.messageOut(this.transport, bytes.length);
    this.#peer.deliver(ownedBytes(bytes));
  }

  /** @internal the enclave closed the connection, or became unavailable. */
  endedBy(reason: EndReason, closeConnection: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#connectionId !== undefined) this.#relay.detach(this.#connectionId, closeConnection);
    if (reason.by === 'enclave') this.#relay.metrics.enclaveClosed(reason.code);
    this.#peer.ended(reason);
  }

  #takeTokens(count: number): void {
    if (!this.#bucket.take(count)) throw new CodedError('GATEWAY_RATE_LIMITED', `${count} frame(s) over ${this.#relay.limits.framesPerSecond}/s with a burst of ${this.#relay.limits.burstFrames}`);
  }
}

export class EnclaveRelay {
  readonly link: EnclaveLink;
  readonly limits: GatewayLimits;
  readonly metrics: GatewayMetrics;
  readonly nowMs: () => number;
  readonly #held = new Set<RelaySession>();
  readonly #byConnection = new Map<number, RelaySession>();
  #enclaveReady = true;
  #closed = false;

  constructor(link: EnclaveLink, limits: GatewayLimits, metrics: GatewayMetrics, nowMs: () => number) {
    this.link = link;
    this.limits = limits;
    this.metrics = metrics;
    this.nowMs = nowMs;
    link.onFrame((connectionId, frame) => this.#byConnection.get(connectionId)?.receive(frame));
    link.onClose((connectionId, code) => this.#byConnection.get(connectionId)?.endedBy({ by: 'enclave', code }, false));
    link.onFatal?.(() => {
      this.#enclaveReady = false;
      for (const session of [...this.#byConnection.values()]) session.endedBy({ by: 'gateway', name: 'GATEWAY_ENCLAVE_UNAVAILABLE' }, false);
    });
  }

  get enclaveReady(): boolean {
    return this.#enclaveReady;
  }

  /** Sessions held, ended or not, until their transport releases them: what maxSessions bounds. */
  get heldCount(): number {
    return this.#held.size;
  }

  liveCounts(): Record<Transport, number> {
    const counts: Record<Transport, number> = { ws: 0, rest: 0 };
    for (const session of this.#held) if (!session.isEnded) counts[session.transport] += 1;
    return counts;
  }

  /** Reserves a session slot (GATEWAY_SESSION_LIMIT, GATEWAY_ENCLAVE_UNAVAILABLE, GATEWAY_SHUTTING_DOWN). */
  open(transport: Transport, peer: SessionPeer): RelaySession {
    if (this.#closed) throw new CodedError('GATEWAY_SHUTTING_DOWN');
    if (!this.#enclaveReady) throw new CodedError('GATEWAY_ENCLAVE_UNAVAILABLE');
    if (this.#held.size >= this.limits.maxSessions) throw new CodedError('GATEWAY_SESSION_LIMIT', `${this.limits.maxSessions} sessions held`);
    const session = new RelaySession(this, transport, peer, new TokenBucket(this.limits.framesPerSecond, this.limits.burstFrames, this.nowMs));
    this.#held.add(session);
    this.metrics.sessionOpened(transport);
    return session;
  }

  /** Ends every session (the gateway is closing); their transports release them. */
  shutdown(): void {
    this.#closed = true;
    for (const session of [...this.#held]) session.drop('GATEWAY_SHUTTING_DOWN');
  }

  /** @internal */
  attach(session: RelaySession): number {
    const connectionId = this.link.openConnection();
    if (this.#byConnection.has(connectionId)) throw new Error(`assertion: enclave connection ${connectionId} is already attached`);
    this.#byConnection.set(connectionId, session);
    return connectionId;
  }

  /** @internal */
  detach(connectionId: number, closeConnection: boolean): void {
    this.#byConnection.delete(connectionId);
    if (closeConnection && this.#enclaveReady) this.link.close(connectionId);
  }

  /** @internal */
  forget(session: RelaySession): void {
    this.#held.delete(session);
  }
}

/**
 * The host hands enclave frames over as views into a shared batch buffer. A queued view would
 * keep its whole batch alive while the queue limits count only the view, so a slow peer could
 * pin far more memory than its limit; a frame that is a view is copied into a buffer of its own.
 */
function ownedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
