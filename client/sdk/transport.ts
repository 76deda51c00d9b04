// How the SDK reaches the gateway's websocket, kept behind one small interface so the SDK
// itself stays browser-safe: in a browser the global WebSocket serves, in Node the `ws`
// package does (client/sdk/node-transport.ts), and tests may inject their own. Every wire
// message is binary; a text message or one larger than a frame is a protocol fault.
import { MAX_FRAME_BYTES } from '../../src/protocol/channel-wire.js';
import { DarkpoolError } from './errors.js';

export interface TransportHandlers {
  onOpen(): void;
  onMessage(bytes: Uint8Array): void;
  /** Called once, when the socket is gone for whatever reason. */
  onClose(code: number, reason: string): void;
}

export interface TransportConnection {
  send(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** Opens one websocket to `url` and reports its events to the handlers. */
export type Transport = (url: string, handlers: TransportHandlers) => TransportConnection;

/** The part of the WHATWG WebSocket API the SDK uses; the `ws` package implements it too. */
export interface WebSocketLike {
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Close code the client uses for its own orderly close. */
export const NORMAL_CLOSE_CODE = 1000;
/** Close code reported when the socket failed without a close frame. */
export const ABNORMAL_CLOSE_CODE = 1006;

/** A transport over any WebSocket-like constructor function. */
export function webSocketTransport(create: (url: string) => WebSocketLike): Transport {
  return (url, handlers) => {
    let closed = false;
    const finish = (code: number, reason: string): void => {
      if (closed) return;
      closed = true;
      handlers.onClose(code, reason);
    };
    const socket = create(url);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => { if (!closed) handlers.onOpen(); };
    socket.onmessage = (event) => {
      if (closed) return;
      const data = event.data;
      if (!(data instanceof ArrayBuffer) || data.byteLength > MAX_FRAME_BYTES) {
        socket.close(NORMAL_CLOSE_CODE, 'protocol fault');
        finish(ABNORMAL_CLOSE_CODE, 'the peer sent a text or oversized message');
        return;
      }
      handlers.onMessage(new Uint8Array(data));
    };
    socket.onclose = (event) => finish(event.code, event.reason);
    socket.onerror = () => undefined;
    return {
      send: (bytes) => { if (!closed) socket.send(bytes); },
      close: (code, reason) => {
        socket.close(code, reason);
        finish(code, reason);
      },
    };
  };
}

/** The platform's WebSocket (browsers, Deno, Node ≥ 22), or a coded error naming the Node alternative. */
export function defaultTransport(): Transport {
  const ctor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (ctor === undefined) throw new DarkpoolError('CLIENT_TRANSPORT_UNAVAILABLE');
  return webSocketTransport((url) => new ctor(url));
}
