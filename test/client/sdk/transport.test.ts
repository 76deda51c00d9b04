// INVARIANT: the SDK is browser-safe — everything client/sdk/index.ts reaches, file by file
// through its relative imports, uses no node built-in, no `ws`, no Buffer and no process.
// And the WebSocket adapter: binary in and out, text or oversized messages end the socket,
// close is reported once.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDarkpoolError } from '../../../client/sdk/errors.js';
import { defaultTransport, webSocketTransport, type WebSocketLike } from '../../../client/sdk/transport.js';
import { MAX_FRAME_BYTES } from '../../../src/protocol/channel-wire.js';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

test('client/sdk/index.ts and everything it imports are browser-safe', () => {
  const seen = new Set<string>();
  const queue = [resolve(ROOT, 'client/sdk/index.ts')];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const rel = relative(ROOT, file);
    assert.not.match(code, /\bBuffer\b|\bprocess\./, `${rel} uses Buffer or process`);
    for (const match of source.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2]!;
      assert.not.ok(spec.startsWith('node:') || ['fs', 'crypto', 'path', 'os', 'ws', 'worker_threads'].includes(spec), `${rel} imports ${spec}`);
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  }
  assert.ok(seen.has(resolve(ROOT, 'client/sdk/darkpool-client.ts')) && seen.has(resolve(ROOT, 'client/channel/client-handshake.ts')), 'the walk reached the client and the channel');
  assert.not.ok(seen.has(resolve(ROOT, 'client/sdk/node-transport.ts')), 'the ws transport stays out of the browser import graph');
  assert.ok(seen.size > 25, `${seen.size} files scanned`);
});

class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  sent: Uint8Array[] = [];
  closedWith: [number | undefined, string | undefined][] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: Uint8Array): void { this.sent.push(data); }
  close(code?: number, reason?: string): void { this.closedWith.push([code, reason]); }
}

function harness() {
  const socket = new FakeSocket();
  const events: string[] = [];
  const connection = webSocketTransport(() => socket)('ws://x', {
    onOpen: () => events.push('open'),
    onMessage: (bytes) => events.push(`message ${bytes.length}`),
    onClose: (code, reason) => events.push(`close ${code} ${reason}`),
  });
  return { socket, events, connection };
}

test('binary messages pass; the adapter asks for array buffers', () => {
  const { socket, events, connection } = harness();
  assert.is(socket.binaryType, 'arraybuffer');
  socket.onopen!({});
  socket.onmessage!({ data: new ArrayBuffer(31) });
  connection.send(new Uint8Array(3));
  socket.onclose!({ code: 1006, reason: '' });
  socket.onclose!({ code: 1006, reason: '' });
  socket.onmessage!({ data: new ArrayBuffer(31) });
  connection.send(new Uint8Array(3));
  assert.equal(events, ['open', 'message 31', 'close 1006 ']);
  assert.is(socket.sent.length, 1, 'nothing is sent after the close');
});

test('a text or oversized message ends the socket as a protocol fault', () => {
  for (const data of ['hello', new ArrayBuffer(MAX_FRAME_BYTES + 1)]) {
    const { socket, events } = harness();
    socket.onmessage!({ data });
    assert.is(socket.closedWith.length, 1);
    assert.is(events.length, 1);
    assert.match(events[0]!, /^close 1006 /);
  }
});

test('closing from this side reports once, with the given code', () => {
  const { socket, events, connection } = harness();
  connection.close(1000, 'bye');
  socket.onclose!({ code: 1000, reason: 'bye' });
  assert.equal(events, ['close 1000 bye']);
  assert.equal(socket.closedWith, [[1000, 'bye']]);
});

test('without a global WebSocket (Node 20) the default transport names the alternative', () => {
  const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
  try {
    assert.throws(() => defaultTransport(), (error: unknown) => isDarkpoolError(error, 'CLIENT_TRANSPORT_UNAVAILABLE'));
  } finally {
    if (saved !== undefined) (globalThis as { WebSocket?: unknown }).WebSocket = saved;
  }
  (globalThis as { WebSocket?: unknown }).WebSocket = FakeSocket;
  try {
    assert.type(defaultTransport(), 'function');
  } finally {
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    if (saved !== undefined) (globalThis as { WebSocket?: unknown }).WebSocket = saved;
  }
});

test.run();
