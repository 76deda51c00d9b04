// GET /v1/stream: one websocket per session, one binary websocket message per channel
// message. The first message is the ClientHello; after it every message is a sealed frame.
// Each socket is a RelaySession plus what only a socket has: a hello deadline, pings, a send
// buffer that must not grow past its limit, and coded closes that never throw.
import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { isCodedError } from '../errors/index.js';
import type { GatewayLimits } from './config.js';
import { ENCLAVE_CLOSE_CODE, gatewayCloseCode, gatewayCloseReason, isGatewayErrorName } from './coded-close.js';
import type { GatewayErrorName } from './metrics.js';
import type { EnclaveRelay, RelaySession } from './relay.js';

interface SocketState {
  readonly socket: WebSocket;
  session: RelaySession | undefined;
  closing: boolean;
  unansweredPings: number;
  helloTimer: NodeJS.Timeout | undefined;
  graceTimer: NodeJS.Timeout | undefined;
  readonly openedMs: number;
  messagesIn: number;
  messagesOut: number;
}

export class StreamHub {
  readonly #relay: EnclaveRelay;
  readonly #limits: GatewayLimits;
  readonly #log: FastifyBaseLogger;
  readonly #sockets = new Map<WebSocket, SocketState>();
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(relay: EnclaveRelay, limits: GatewayLimits, log: FastifyBaseLogger) {
    this.#relay = relay;
    this.#limits = limits;
    this.#log = log;
  }

  startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    this.#heartbeat = setInterval(() => this.#beat(), this.#limits.heartbeatIntervalMs);
    this.#heartbeat.unref();
  }

  stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /** Closes every socket with a coded reason (the gateway is shutting down). */
  closeAll(name: GatewayErrorName): void {
    for (const state of [...this.#sockets.values()]) this.#fail(state, name);
  }

  accept(socket: WebSocket): void {
    const state: SocketState = {
      socket, session: undefined, closing: false, unansweredPings: 0,
      helloTimer: undefined, graceTimer: undefined, openedMs: this.#relay.nowMs(), messagesIn: 0, messagesOut: 0,
    };
    this.#sockets.set(socket, state);
    socket.on('close', (code: number) => this.#closed(state, code));
    socket.on('pong', () => { state.unansweredPings = 0; });
    try {
      state.session = this.#relay.open('ws', { deliver: (bytes) => this.#deliver(state, bytes), ended: (reason) => {
        if (reason.by === 'enclave') this.#close(state, ENCLAVE_CLOSE_CODE, String(reason.code));
        else this.#closeCoded(state, reason.name);
      } });
    } catch (error) {
      this.#refuse(state, error);
      return;
    }
    state.helloTimer = setTimeout(() => { if (state.session?.hasHello === false) this.#fail(state, 'GATEWAY_HELLO_TIMEOUT'); }, this.#limits.helloTimeoutMs);
    state.helloTimer.unref();
    socket.on('message', (data: RawData, isBinary: boolean) => this.#message(state, data, isBinary));
  }

  /** A websocket-level error (ws closes the socket itself); counted, then the close event cleans up. */
  socketError(socket: WebSocket, error: Error): void {
    const state = this.#sockets.get(socket);
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('WS_ERR_')) this.#relay.metrics.reject('GATEWAY_WEBSOCKET_PROTOCOL');
    if (state !== undefined) {
      state.closing = true;
      state.session?.end();
      this.#scheduleTerminate(state);
    }
  }

  #message(state: SocketState, data: RawData, isBinary: boolean): void {
    if (state.closing || state.session === undefined) return;
    try {
      if (!isBinary) {
        this.#fail(state, 'GATEWAY_TEXT_MESSAGE');
        return;
      }
      const bytes = messageBytes(data);
      state.messagesIn += 1;
      if (!state.session.hasHello) {
        state.session.sendHello(bytes);
        clearTimeout(state.helloTimer);
      } else {
        state.session.sendFrames([bytes]);
      }
    } catch (error) {
      this.#refuse(state, error);
    }
  }

  #deliver(state: SocketState, bytes: Uint8Array): void {
    if (state.closing) return;
    if (state.socket.bufferedAmount + bytes.length > this.#limits.maxQueuedOutboundBytes) {
      state.session?.drop('GATEWAY_SLOW_CONSUMER');
      return;
    }
    state.messagesOut += 1;
    state.socket.send(bytes, { binary: true });
  }

  /** A refusal from the relay or the checks: a coded close for coded errors, GATEWAY_INTERNAL for anything else. */
  #refuse(state: SocketState, error: unknown): void {
    if (isCodedError(error) && isGatewayErrorName(error.errorName)) {
      this.#fail(state, error.errorName);
      return;
    }
    this.#log.error({ err: error }, 'stream handler failed');
    this.#fail(state, 'GATEWAY_INTERNAL');
  }

  #fail(state: SocketState, name: GatewayErrorName): void {
    if (state.closing) return;
    if (state.session !== undefined && !state.session.isEnded) {
      state.session.drop(name);
      return;
    }
    this.#closeCoded(state, name);
  }

  /** Every coded close passes here, so each is counted once, when the client is told. */
  #closeCoded(state: SocketState, name: GatewayErrorName): void {
    if (state.closing) return;
    this.#relay.metrics.reject(name);
    this.#close(state, gatewayCloseCode(name), gatewayCloseReason(name));
  }

  #close(state: SocketState, code: number, reason: string): void {
    if (state.closing) return;
    state.closing = true;
    clearTimeout(state.helloTimer);
    try {
      state.socket.close(code, reason);
    } catch (error) {
      this.#log.warn({ err: error }, 'websocket close failed');
      state.socket.terminate();
    }
    this.#scheduleTerminate(state);
  }

  /** A peer that does not complete the close handshake (a slow or dead one) is cut off. */
  #scheduleTerminate(state: SocketState): void {
    if (state.graceTimer !== undefined) return;
    state.graceTimer = setTimeout(() => state.socket.terminate(), this.#limits.closeGraceMs);
    state.graceTimer.unref();
  }

  #closed(state: SocketState, code: number): void {
    clearTimeout(state.helloTimer);
    clearTimeout(state.graceTimer);
    state.closing = true;
    state.session?.release();
    this.#sockets.delete(state.socket);
    this.#log.info({
      transport: 'ws', closeCode: code, messagesIn: state.messagesIn, messagesOut: state.messagesOut,
      durationMs: Math.round(this.#relay.nowMs() - state.openedMs),
    }, 'stream closed');
  }

  #beat(): void {
    for (const state of this.#sockets.values()) {
      if (state.closing) continue;
      if (state.unansweredPings >= this.#limits.maxMissedPongs) {
        this.#fail(state, 'GATEWAY_HEARTBEAT_TIMEOUT');
        continue;
      }
      state.unansweredPings += 1;
      state.socket.ping();
    }
  }
}

/** ws hands binary messages over as a Buffer, fragments or an ArrayBuffer depending on binaryType. */
function messageBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
