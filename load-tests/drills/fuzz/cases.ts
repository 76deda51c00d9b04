// The malformed inputs, by family. Each family sends malformed input(s) one way and returns
// one Answer per malformed input it sent: websocket messages (text, wrong-size hellos, random
// hellos, bad headers, truncated and oversize frames), broken raw HTTP and websocket framing,
// malformed REST bodies, paths and tokens, and — inside genuine encrypted sessions — tampered,
// replayed and cross-session frames and sealed garbage and malformed requests. Lengths are
// edge-biased (each boundary, one either side). All choices come from the seeded PRNG.
import { randomBytes } from 'node:crypto';
import type WebSocket from 'ws';
import { AEAD_TAG_BYTES, DIRECTION, FRAME_HEADER_BYTES, MAX_FRAME_BYTES, MESSAGE_KIND, PADDING_BUCKETS_BYTES, PROTOCOL_VERSION, SESSION_ID_BYTES } from '../../../src/protocol/channel-wire.js';
import { CLIENT_HELLO_BYTES } from '../../../src/protocol/hello.js';
import type { Prng } from '../../../test/support/prng.js';
import { channelAnswer, type Answer } from './answers.js';
import { httpProbe, rawProbe, wsProbe } from './probes.js';
import { RealSession, type SessionTarget } from './real-session.js';

export interface FuzzContext {
  readonly port: number;
  readonly streamUrl: string;
  readonly target: SessionTarget;
  /** The gateway's maxFrameBytes and the websocket library's hard cap above it. */
  readonly maxFrameBytes: number;
  readonly socketCapBytes: number;
  /** Malformed channel messages sent per genuine session by the batch families. */
  readonly messagesPerSession: number;
}

export interface FuzzFamily {
  readonly name: string;
  /** Relative share of the inputs. */
  readonly weight: number;
  run(context: FuzzContext, prng: Prng): Promise<readonly Answer[]>;
}

function bytes(prng: Prng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let index = 0; index < length; index++) out[index] = prng.int(0, 255);
  return out;
}

/** A length near one of the edges, or anywhere up to max. */
function edgyLength(prng: Prng, edges: readonly number[], max: number): number {
  if (prng.chance(0.3)) return prng.int(0, max);
  return Math.max(0, Math.min(max, prng.pick(edges) + prng.int(-1, 1)));
}

const FRAME_SIZES = PADDING_BUCKETS_BYTES.map((bucket) => FRAME_HEADER_BYTES + bucket + AEAD_TAG_BYTES);

/** A frame-shaped message with one thing wrong in its public header or length. */
function malformedFrame(prng: Prng, context: FuzzContext): Uint8Array {
  const size = prng.pick(FRAME_SIZES);
  const frame = bytes(prng, size);
  frame[0] = PROTOCOL_VERSION;
  frame[1] = MESSAGE_KIND.frame;
  frame[2 + SESSION_ID_BYTES] = DIRECTION.clientToServer;
  new DataView(frame.buffer).setUint32(2 + SESSION_ID_BYTES + 9, size - FRAME_HEADER_BYTES);
  switch (prng.int(0, 7)) {
    case 0: frame[0] = prng.pick([0, 2, 255]); return frame;
    case 1: frame[1] = prng.pick([0, MESSAGE_KIND.clientHello, MESSAGE_KIND.serverHello, 4, 255]); return frame;
    case 2: frame[2 + SESSION_ID_BYTES] = prng.pick([0, 3, 255]); return frame;
    case 3: new DataView(frame.buffer).setUint32(2 + SESSION_ID_BYTES + 9, prng.int(0, 0xffff_ffff)); return frame;
    case 4: return frame.subarray(0, prng.int(0, size - 1));
    case 5: return bytes(prng, edgyLength(prng, [0, 1, FRAME_HEADER_BYTES, ...FRAME_SIZES], MAX_FRAME_BYTES));
    case 6: {
      const grown = new Uint8Array(size + prng.int(1, 64));
      grown.set(frame);
      return grown;
    }
    default: return new Uint8Array(prng.int(context.maxFrameBytes + 1, context.socketCapBytes));
  }
}

const wsText: FuzzFamily = {
  name: 'ws.text', weight: 3,
  run: async (context, prng) => [await wsProbe(context.streamUrl, (socket) => socket.send(Buffer.from(bytes(prng, prng.int(0, 300))).toString('latin1')))],
};

const wsBadHelloSize: FuzzFamily = {
  name: 'ws.badHelloSize', weight: 5,
  run: async (context, prng) => {
    let length = edgyLength(prng, [0, 1, CLIENT_HELLO_BYTES, ...FRAME_SIZES], 4_096);
    if (length === CLIENT_HELLO_BYTES) length += 1;
    const message = bytes(prng, length);
    return [await wsProbe(context.streamUrl, (socket) => socket.send(message, { binary: true }))];
  },
};

const wsRandomHello: FuzzFamily = {
  name: 'ws.randomHello', weight: 4,
  run: async (context, prng) => {
    const hello = bytes(prng, CLIENT_HELLO_BYTES);
    if (prng.chance(0.5)) {
      hello[0] = PROTOCOL_VERSION;
      hello[1] = MESSAGE_KIND.clientHello;
    }
    return [await wsProbe(context.streamUrl, (socket) => socket.send(hello, { binary: true }))];
  },
};

const wsBadFrame: FuzzFamily = {
  name: 'ws.badFrame', weight: 8,
  run: async (context, prng) => {
    const hello = bytes(prng, CLIENT_HELLO_BYTES);
    const frame = malformedFrame(prng, context);
    return [await wsProbe(context.streamUrl, (socket: WebSocket) => {
      socket.send(hello, { binary: true });
      socket.send(frame, { binary: true });
    })];
  },
};

const wsOversize: FuzzFamily = {
  name: 'ws.oversize', weight: 1,
  run: async (context, prng) => {
    const size = prng.chance(0.5) ? prng.int(context.maxFrameBytes + 1, context.socketCapBytes) : prng.int(context.socketCapBytes + 1, context.socketCapBytes + 65_536);
    const message = new Uint8Array(size);
    return [await wsProbe(context.streamUrl, (socket) => socket.send(message, { binary: true }))];
  },
};

const HTTP_GARBAGE = [
  'GARBAGE\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'POST /v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', '\u0000\u0001\u0002\r\n\r\n',
];

const rawGarbageHttp: FuzzFamily = {
  name: 'raw.garbageHttp', weight: 4,
  run: async (context, prng) => {
    const text = prng.chance(0.5) ? Buffer.from(prng.pick(HTTP_GARBAGE), 'latin1') : Buffer.concat([Buffer.from(bytes(prng, prng.int(1, 200))), Buffer.from('\r\n\r\n')]);
    return [await rawProbe(context.port, text, false)];
  },
};

const UPGRADE_VARIANTS: readonly ((key: string) => string)[] = [
  (key) => `GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 8\r\n\r\n`,
  () => 'GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
  () => 'GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n',
  (key) => `GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n\r\n`,
  (key) => `GET /v1/stream HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  (key) => `GET /v1/nowhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  (key) => `GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; bogus=\r\n\r\n`,
  (key) => `GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: a,,b\r\n\r\n`,
];

const rawBadUpgrade: FuzzFamily = {
  name: 'raw.badUpgrade', weight: 4,
  run: async (context, prng) => {
    const key = Buffer.from(bytes(prng, 16)).toString('base64');
    return [await rawProbe(context.port, Buffer.from(prng.pick(UPGRADE_VARIANTS)(key), 'latin1'), false)];
  },
};

/** A client websocket frame (masked unless told) with the given first byte and payload. */
function wsFrame(first: number, payload: Uint8Array, masked: boolean): Uint8Array {
  const header = payload.length < 126 ? [first, (masked ? 0x80 : 0) | payload.length] : [first, (masked ? 0x80 : 0) | 126, payload.length >> 8, payload.length & 0xff];
  const mask = masked ? [1, 2, 3, 4] : [];
  const body = masked ? payload.map((byte, index) => byte ^ mask[index % 4]!) : payload;
  return new Uint8Array([...header, ...mask, ...body]);
}

const rawWsProtocol: FuzzFamily = {
  name: 'raw.wsProtocol', weight: 4,
  run: async (context, prng) => {
    const payload = bytes(prng, prng.int(0, 40));
    const variants = [
      () => wsFrame(0x82, payload, false),
      () => wsFrame(0x80 | prng.pick([0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf]), payload, true),
      () => wsFrame(0x82 | prng.pick([0x40, 0x20, 0x10]), payload, true),
      () => wsFrame(0x89, bytes(prng, 126), true),
      () => wsFrame(0x09, payload, true),
      () => wsFrame(0x88, new Uint8Array([0x03, 0xe7]), true),
      () => wsFrame(0x88, new Uint8Array([0x03]), true),
      () => wsFrame(0x80, payload, true),
      () => wsFrame(0x81, new Uint8Array([0xff, 0xfe, 0xfd]), true),
      () => bytes(prng, prng.int(1, 64)),
    ];
    return [await rawProbe(context.port, prng.pick(variants)(), true)];
  },
};

const JSON_BODIES: readonly string[] = [
  '', '{', '}', 'null', '[]', '"x"', '1', 'true', '{"hello":1}', '{"hello":null}', '{"hello":""}', '{"hello":"!!!"}',
  '{"hello":"AAAA"}', '{"hello":"AAA="}', '{"hello":"AA==","x":1}', '{"frames":[]}', '{"__proto__":{"hello":"AA=="}}',
  '{"hello":"' + 'A'.repeat(400) + '"}', '{"hello":"' + Buffer.alloc(CLIENT_HELLO_BYTES).toString('base64') + '="}',
  '{"hello":"' + Buffer.alloc(CLIENT_HELLO_BYTES).toString('base64url') + '"}', '{"hello":"\\u0000"}', '{"hello":["AA=="]}',
];

const restCreateSession: FuzzFamily = {
  name: 'rest.createSession', weight: 30,
  run: async (context, prng) => {
    let body: Uint8Array;
    let type = 'application/json';
    // A body past maxRestBodyBytes costs a megabyte on the wire: one input in 200.
    switch (prng.chance(0.005) ? 5 : prng.int(0, 4)) {
      case 0: body = Buffer.from(prng.pick(JSON_BODIES)); break;
      case 1: body = bytes(prng, prng.int(0, 256)); break;
      case 2: body = Buffer.from(JSON.stringify({ hello: Buffer.from(bytes(prng, edgyLength(prng, [0, CLIENT_HELLO_BYTES - 1, CLIENT_HELLO_BYTES + 1], 600))).toString('base64') })); break;
      case 3: body = Buffer.from('{"hello":"AA=="}'); type = prng.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin9', 'multipart/form-data; boundary=x', 'application/xml']); break;
      case 4: body = Buffer.from(JSON.stringify({ hello: Buffer.from(bytes(prng, CLIENT_HELLO_BYTES)).toString('base64') }).replace('"hello"', prng.pick(['"Hello"', '"hello "', '"hello","hello":"x"']))); break;
      default: body = Buffer.from(`{"hello":"${'A'.repeat(prng.int(1_100_000, 1_200_000))}"}`); break;
    }
    return [await httpProbe(context.port, 'POST', '/v1/sessions', { 'content-type': type, 'content-length': String(body.length) }, body)];
  },
};

const restFrames: FuzzFamily = {
  name: 'rest.frames', weight: 30,
  run: async (context, prng) => {
    const token = prng.chance(0.5) ? Buffer.from(bytes(prng, 32)).toString('base64url') : Buffer.from(bytes(prng, prng.int(0, 80))).toString('hex');
    const query = prng.pick(['', '?waitMs=-1', '?waitMs=1001', '?waitMs=abc', '?waitMs=0', '?waitMs=1e3', `?x=${prng.int(0, 9)}`]);
    const body = prng.pick([
      () => JSON.stringify({ frames: [Buffer.from(malformedFrame(prng, context)).toString('base64')] }),
      () => JSON.stringify({ frames: Array.from({ length: prng.int(33, 2_000) }, () => 'AA==') }),
      () => JSON.stringify({ frames: 'AA==' }),
      () => JSON.stringify({ frames: [1, 2] }),
      () => prng.pick(JSON_BODIES),
    ])();
    return [await httpProbe(context.port, 'POST', `/v1/sessions/${encodeURIComponent(token)}/frames${query}`, { 'content-type': 'application/json' }, Buffer.from(body))];
  },
};

const restPaths: FuzzFamily = {
  name: 'rest.paths', weight: 20,
  run: async (context, prng) => {
    const method = prng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
    const path = prng.pick([
      () => `/${Buffer.from(bytes(prng, prng.int(1, 40))).toString('hex')}`,
      () => '/v1/stream',
      () => `/v1/sessions/${Buffer.from(bytes(prng, 32)).toString('base64url')}`,
      () => `/v1/${prng.pick(['markets', 'health', 'attestation', 'openapi.json'])}/${prng.int(0, 99)}`,
      () => `/app/${prng.pick(['../package.json', '%2e%2e/x', 'app.js.map', 'x'.repeat(prng.int(1, 300))])}`,
      () => `/v1/sessions?${'a=1&'.repeat(prng.int(1, 200))}`,
    ])();
    // DELETE of a session token is well formed (and answers 204 whether or not the token exists).
    const malformedMethod = method === 'DELETE' && path.startsWith('/v1/sessions/') ? 'PATCH' : method;
    return [await httpProbe(context.port, malformedMethod, path, { 'content-type': 'application/json' }, method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(prng.pick(JSON_BODIES)))];
  },
};

/** A well-formed envelope with a malformed request: unknown types, wrong fields, bad decimals. */
function malformedRequest(prng: Prng, id: string): string {
  const market = prng.pick(['DOT/USDC', 'NOPE', '', 'x'.repeat(65)]);
  const bodies = [
    () => ({ t: prng.pick(['order.nope', 'x', 'order', 'query.all', 'admin.reset']), id, body: {} }),
    () => ({ t: 'order.place', id, body: { market, side: prng.pick(['buy', 'sell', 'up', '']), type: 'limit', size: prng.pick(['-1', '0', '1e3', 'NaN', '0.00000000001', '99999999999999999999999999999']), price: prng.pick(['7', '-7', '7.001', '', 'abc']), clientOrderId: prng.pick(['ok1', '', 'bad id', 'x'.repeat(65)]) } }),
    () => ({ t: 'order.cancel', id, body: { market, orderId: prng.pick([-1, 0, 2 ** 53, 'x']) } }),
    () => ({ t: 'order.amend', id, body: { market, orderId: 1, size: prng.pick(['0', '-1', 'x']) } }),
    () => ({ t: 'funds.withdraw', id, body: { asset: prng.pick(['DOT', 'BTC', '']), amount: prng.pick(['-1', '0', '1e9', 'x', '100000000000000000000000']) } }),
    () => ({ t: 'session.deadMan', id, body: { afterMs: prng.pick([-1, 1.5, 2 ** 40, 'x']) } }),
    () => ({ t: 'order.massQuote', id, body: { market, quotes: Array.from({ length: prng.int(1, 300) }, () => ({ side: 'buy', price: '1', amount: 'x' })) } }),
    () => ({ t: 'query.orders', id, body: { market, extra: true } }),
  ];
  return JSON.stringify(prng.pick(bodies)());
}

/** Garbage plaintext inside a genuinely sealed frame: not JSON, wrong envelopes, deep nesting. */
function sealedGarbage(prng: Prng, id: string): Uint8Array {
  const variants = [
    () => bytes(prng, prng.int(0, 900)),
    () => Buffer.from(prng.pick(['{', '[]', '[{}]', 'null', '{"t":"order.place"}', `{"t":"query.orders","id":"${id}"}`, `{"id":"${id}","t":"query.orders","body":{}}`, `{"t":"query.orders","id":"${id}","body":{},"x":1}`])),
    () => Buffer.from(`{"t":"query.orders","id":"${id}","body":${'['.repeat(prng.int(9, 200))}${']'.repeat(prng.int(0, 9))}}`),
    () => Buffer.from(`{"t":"query.orders","id":"${id}","body":{"n":${prng.pick(['1e400', '9007199254740993', '-0', '0.5'])}}}`),
    () => Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from(`{"t":"query.orders","id":"${id}","body":{}}`)]),
    () => Buffer.from(`[${Array.from({ length: prng.int(0, 1) }, () => `{"t":"query.orders","id":"${id}","body":{}}`).join(',')}]`),
  ];
  return prng.pick(variants)();
}

/**
 * Sealed garbage and malformed requests in a genuine session: the enclave answers each with a
 * coded error and the session goes on, or ends it with a coded close (then the family stops).
 */
const sessionMessages: FuzzFamily = {
  name: 'session.malformedMessages', weight: 4,
  run: async (context, prng) => {
    const session = await RealSession.open(context.target);
    const answers: Answer[] = [];
    try {
      for (let index = 0; index < context.messagesPerSession && !session.isClosed; index++) {
        const id = `f${index}`;
        session.send(prng.chance(0.5) ? session.channel.seal(sealedGarbage(prng, id)) : session.channel.seal(Buffer.from(malformedRequest(prng, id))));
        const next = await session.next();
        answers.push('answer' in next ? next.answer : channelAnswer(next.message));
      }
    } finally {
      session.close();
    }
    return answers;
  },
};

/** One frame the enclave must refuse: tampered, replayed, sealed for another session, or injected. */
const sessionFrames: FuzzFamily = {
  name: 'session.badFrames', weight: 6,
  run: async (context, prng) => {
    const session = await RealSession.open(context.target);
    try {
      const valid = session.channel.seal(Buffer.from(JSON.stringify({ t: 'query.balances', id: 'ok', body: {} })));
      switch (prng.int(0, 3)) {
        case 0: {
          const tampered = valid.slice();
          const index = prng.int(FRAME_HEADER_BYTES, tampered.length - 1);
          tampered[index] = tampered[index]! ^ (1 << prng.int(0, 7));
          session.send(tampered);
          break;
        }
        case 1: {
          session.send(valid);
          const first = await session.next();
          if ('answer' in first) return [first.answer];
          session.send(valid);
          break;
        }
        case 2: {
          const other = await RealSession.open(context.target);
          const foreign = other.channel.seal(Buffer.from(JSON.stringify({ t: 'query.balances', id: 'x', body: {} })));
          other.close();
          session.send(foreign);
          break;
        }
        default: {
          const injected = valid.slice();
          injected.set(randomBytes(AEAD_TAG_BYTES), injected.length - AEAD_TAG_BYTES);
          session.send(injected);
          break;
        }
      }
      let next = await session.next();
      // A replay may first be answered by its own copy's result: read on to the refusal.
      for (let read = 0; read < 4 && 'message' in next && next.message.t !== 'error'; read++) next = await session.next();
      return ['answer' in next ? next.answer : channelAnswer(next.message)];
    } finally {
      session.close();
    }
  },
};

export const FUZZ_FAMILIES: readonly FuzzFamily[] = [
  wsText, wsBadHelloSize, wsRandomHello, wsBadFrame, wsOversize, rawGarbageHttp, rawBadUpgrade, rawWsProtocol,
  restCreateSession, restFrames, restPaths, sessionMessages, sessionFrames,
];

/** A family drawn by weight. */
export function pickFamily(prng: Prng, families: readonly FuzzFamily[]): FuzzFamily {
  const total = families.reduce((sum, family) => sum + family.weight, 0);
  let point = prng.next() * total;
  for (const family of families) {
    point -= family.weight;
    if (point < 0) return family;
  }
  return families[families.length - 1]!;
}
