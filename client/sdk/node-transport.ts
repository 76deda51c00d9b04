// The Node transport: the `ws` package behind the SDK's Transport interface. Kept in its own
// module so that browser bundles of the SDK never pull it in; Node callers pass it as the
// `transport` option (the CLI and the example bots do).
import WebSocket from 'ws';
import { MAX_FRAME_BYTES } from '../../src/protocol/channel-wire.js';
import { webSocketTransport, type Transport, type WebSocketLike } from './transport.js';

/** Refuses incoming messages larger than one frame at the socket, before they are buffered. */
export const nodeTransport: Transport = webSocketTransport(
  (url) => new WebSocket(url, { maxPayload: MAX_FRAME_BYTES }) as unknown as WebSocketLike,
);
