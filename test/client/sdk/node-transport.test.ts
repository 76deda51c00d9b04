// The Node transport (the ws package) against a local websocket server: binary frames both
// ways, and a message larger than one channel frame refused at the socket.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocketServer } from 'ws';
import { nodeTransport } from '../../../client/sdk/node-transport.js';
import { MAX_FRAME_BYTES } from '../../../src/protocol/channel-wire.js';

let server: WebSocketServer;
let url = '';

test.before(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  url = `ws://127.0.0.1:${address.port}`;
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      if (data.length === 1) socket.send(new Uint8Array(MAX_FRAME_BYTES + 1));
      else socket.send(data);
    });
  });
});

function session(): { events: string[]; closed: Promise<void>; opened: Promise<void>; next: () => Promise<Uint8Array>; connection: ReturnType<typeof nodeTransport> } {
  const events: string[] = [];
  const inbox: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let opened!: () => void;
  let closed!: () => void;
  const openedPromise = new Promise<void>((resolve) => { opened = resolve; });
  const closedPromise = new Promise<void>((resolve) => { closed = resolve; });
  const connection = nodeTransport(url, {
    onOpen: () => opened(),
    onMessage: (bytes) => { events.push(`message ${bytes.length}`); inbox.push(bytes); wake?.(); },
    onClose: (code) => { events.push(`close ${code}`); closed(); },
  });
  const next = async (): Promise<Uint8Array> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => { wake = resolve; });
    return inbox.shift()!;
  };
  return { events, closed: closedPromise, opened: openedPromise, next, connection };
}

test('binary frames travel both ways unchanged', async () => {
  const { opened, next, connection } = session();
  await opened;
  const frame = Uint8Array.from({ length: 1071 }, (_, i) => i & 0xff);
  connection.send(frame);
  assert.equal(await next(), frame);
  connection.close(1000, 'done');
});

test('a message larger than a frame closes the socket before it is delivered', async () => {
  const { opened, closed, events, connection } = session();
  await opened;
  connection.send(new Uint8Array(1));
  await closed;
  assert.is(events.length, 1, `nothing delivered: ${events.join(', ')}`);
  assert.match(events[0]!, /^close 100[69]$/, 'ws aborts the oversized message (1009 to the peer, 1006 locally)');
});

test.after(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test.run();
