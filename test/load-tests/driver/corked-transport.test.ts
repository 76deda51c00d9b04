// The driver's corked websocket transport against a real ws server on loopback: frames sent
// in one turn all arrive, in order, as binary messages (batched into few writes); messages
// from the server arrive as bytes; a text message is a protocol fault; close reports once.
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocketServer, type WebSocket } from 'ws';
import { corkedTransport } from '../../../load-tests/driver/corked-transport.js';

async function server(): Promise<{ wss: WebSocketServer; url: string; next: () => Promise<WebSocket> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const waiting: ((socket: WebSocket) => void)[] = [];
  wss.on('connection', (socket) => waiting.shift()?.(socket));
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/stream`, next: () => new Promise((resolve) => waiting.push(resolve)) };
}

test('a turn of frames arrives whole and in order; replies arrive as bytes', async () => {
  const { wss, url, next } = await server();
  try {
    const accepted = next();
    const replies: Uint8Array[] = [];
    const closes: string[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => { opened = resolve; });
    const connection = corkedTransport(url, { onOpen: () => opened(), onMessage: (bytes) => replies.push(bytes), onClose: (code, reason) => closes.push(`${code} ${reason}`) });
    const peer = await accepted;
    await open;
    const received: { bytes: Buffer; binary: boolean }[] = [];
    const all = new Promise<void>((resolve) => peer.on('message', (data: Buffer, binary: boolean) => {
      received.push({ bytes: data, binary });
      if (received.length === 200) resolve();
    }));
    for (let i = 0; i < 200; i++) connection.send(new Uint8Array([i & 0xff, i >> 8, 7, 7]));
    await all;
    received.forEach((message, i) => {
      assert.ok(message.binary);
      assert.equal([...message.bytes], [i & 0xff, i >> 8, 7, 7]);
    });
    const reply = new Promise<void>((resolve) => { const timer = setInterval(() => { if (replies.length === 1) { clearInterval(timer); resolve(); } }, 5); });
    peer.send(Buffer.from([1, 2, 3]), { binary: true });
    await reply;
    assert.equal([...replies[0]!], [1, 2, 3]);
    connection.close(1000, 'done');
    connection.close(1000, 'again');
    assert.equal(closes, ['1000 done'], 'close reported once');
  } finally {
    wss.close();
  }
});

test('a text message from the peer ends the connection as a protocol fault', async () => {
  const { wss, url, next } = await server();
  try {
    const accepted = next();
    const closes: number[] = [];
    let closed!: () => void;
    const done = new Promise<void>((resolve) => { closed = resolve; });
    corkedTransport(url, { onOpen: () => undefined, onMessage: () => assert.unreachable('text delivered'), onClose: (code) => { closes.push(code); closed(); } });
    const peer = await accepted;
    peer.send('not a frame');
    await done;
    assert.equal(closes, [1006]);
  } finally {
    wss.close();
  }
});

test.run();
