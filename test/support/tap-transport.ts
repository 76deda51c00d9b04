// A transport for client tests that plays the untrusted network: it wraps the real ws
// transport and lets a test swallow outgoing frames (a black hole), rewrite or drop incoming
// ones (tampering, loss), or inject messages before the genuine ones.
import { nodeTransport } from '../../client/sdk/node-transport.js';
import type { Transport, TransportConnection } from '../../client/sdk/transport.js';

export interface Tap {
  readonly transport: Transport;
  /** When true, frames the client sends vanish (the socket stays up). */
  swallowOutgoing: boolean;
  /** Rewrites each incoming message; return undefined to drop it. */
  incoming: (bytes: Uint8Array, index: number) => Uint8Array | undefined;
  /** Messages delivered to the client right after the socket opens, before anything genuine. */
  injectOnOpen: Uint8Array[];
  /**
   * When true, each connection's first message (the ServerHello) is held back and delivered in
   * the same turn as the second, as when both arrive in one TCP read.
   */
  coalesceHello: boolean;
  /** The live connections, newest last. */
  readonly connections: TransportConnection[];
}

export function tapTransport(): Tap {
  const tap: Tap = {
    swallowOutgoing: false,
    incoming: (bytes) => bytes,
    injectOnOpen: [],
    coalesceHello: false,
    connections: [],
    transport: (url, handlers) => {
      let index = 0;
      let held: Uint8Array | undefined;
      const connection = nodeTransport(url, {
        onOpen: () => {
          handlers.onOpen();
          for (const bytes of tap.injectOnOpen) handlers.onMessage(bytes);
        },
        onMessage: (bytes) => {
          const passed = tap.incoming(bytes, index++);
          if (passed === undefined) return;
          if (index === 1 && tap.coalesceHello) {
            held = passed;
            return;
          }
          if (held !== undefined) {
            const hello = held;
            held = undefined;
            handlers.onMessage(hello);
          }
          handlers.onMessage(passed);
        },
        onClose: (code, reason) => handlers.onClose(code, reason),
      });
      const wrapped: TransportConnection = {
        send: (bytes) => { if (!tap.swallowOutgoing) connection.send(bytes); },
        close: (code, reason) => connection.close(code, reason),
      };
      tap.connections.push(wrapped);
      return wrapped;
    },
  };
  return tap;
}
