// The load driver's websocket transport: the SDK's Transport interface on the `ws` package,
// like client/sdk/node-transport.ts, with two differences that matter only at load rates.
// Messages arrive as Buffers (no copy into an ArrayBuffer), and every frame a session sends
// within one event-loop turn leaves in one write: the socket is corked at the turn's first
// send and uncorked on the next tick. A loopback write costs the sender the receiver's TCP
// work too (tens of µs here), so one syscall per frame would make the driver measure itself.
// Frames and their order on the wire are exactly what the SDK's transport sends.
import { connect, type NetConnectOpts, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { Transport } from '../../client/sdk/transport.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/channel-wire.js';

const NORMAL_CLOSE = 1000;
const ABNORMAL_CLOSE = 1006;

export const corkedTransport: Transport = (url, handlers) => {
  let socket: Socket | undefined;
  let corked = false;
  let closed = false;
  const uncork = (): void => {
    corked = false;
    socket?.uncork();
  };
  const finish = (code: number, reason: string): void => {
    if (closed) return;
    closed = true;
    handlers.onClose(code, reason);
  };
  const createConnection = (options: NetConnectOpts): Socket => {
    socket = connect(options);
    socket.setNoDelay(true);
    return socket;
  };
  const ws = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, createConnection: createConnection as never });
  ws.binaryType = 'nodebuffer';
  ws.on('open', () => { if (!closed) handlers.onOpen(); });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (closed) return;
    if (!isBinary) {
      ws.close(NORMAL_CLOSE, 'protocol fault');
      finish(ABNORMAL_CLOSE, 'the peer sent a text message');
      return;
    }
    handlers.onMessage(data);
  });
  ws.on('close', (code: number, reason: Buffer) => finish(code, reason.toString('utf8')));
  ws.on('error', () => undefined);
  return {
    send(bytes) {
      if (closed || ws.readyState !== WebSocket.OPEN) return;
      if (!corked && socket !== undefined) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      ws.send(bytes, { binary: true });
    },
    close(code, reason) {
      ws.close(code, reason);
      finish(code, reason);
    },
  };
};
