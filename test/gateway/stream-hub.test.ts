// GET /v1/stream over real sockets on 127.0.0.1 with the `ws` client: trading through the
// real enclave, and every websocket limit answered with its coded close (4000 + code − 1000,
// reason "<code> <NAME>") while the gateway keeps serving: session limit, oversize and
// malformed frames, rate, text, hello size and deadline, missed pongs, a slow consumer, an
// enclave-ended session (4900), an enclave failure and shutdown.
import type { Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { ERRORS } from '../../src/errors/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway/index.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/channel-wire.js';
import { CLIENT_HELLO_BYTES } from '../../src/protocol/hello.js';
import { Prng } from '../support/prng.js';
import { seedFrom } from '../support/enclave-trader.js';
import { FakeLink } from './support/fake-link.js';
import { TEST_MARKET, closeOf, fund, limitOrder, openSocket, sleep, startEnclave, traderOverSocket, until, type RunningEnclave } from './support/harness.js';

const SILENT = { level: 'silent' } as const;
let enclave: RunningEnclave;
let gateway: RunningGateway;
let bundle: string;
const prng = new Prng(77);

function expectCoded(close: { code: number; reason: string }, name: keyof typeof ERRORS): void {
  const code = ERRORS[name].code;
  assert.is(close.code, 4000 + (code - 1000), `close code for ${name}`);
  assert.is(close.reason, `${code} ${name}`);
}

async function health(url: string): Promise<{ status: string; enclave: string; sessions: number }> {
  return (await (await fetch(`${url}/v1/health`)).json()) as { status: string; enclave: string; sessions: number };
}

test.before(async () => {
  enclave = await startEnclave('gateway-stream-');
  gateway = await startGateway({ host: enclave.host, markets: [TEST_MARKET], logger: SILENT, limits: { maxSessions: 6, helloTimeoutMs: 3000, framesPerSecond: 50, burstFrames: 20 } });
  bundle = await (await fetch(`${gateway.url}/v1/attestation`)).text();
});

test.after(async () => {
  await gateway.app.close();
  await enclave.stop();
});

test('two traders over real sockets: hello, ServerHello, orders, a fill each', async () => {
  const maker = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  const taker = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  await fund(enclave.host, maker.trader.account);
  await fund(enclave.host, taker.trader.account);
  assert.is((await maker.trader.ask('order.place', limitOrder('sell', '7.00', '1.0', 'sock-m1'))).t, 'result');
  assert.is((await taker.trader.ask('order.place', limitOrder('buy', '7.00', '1.0', 'sock-t1'))).t, 'result');
  assert.is((await maker.trader.waitFor((m) => m.t === 'report' && m.body.kind === 'fill')).body.side, 'sell');
  assert.is((await taker.trader.waitFor((m) => m.t === 'report' && m.body.kind === 'fill')).body.side, 'buy');
  assert.is((await health(gateway.url)).sessions, 2);
  maker.socket.close(1000);
  taker.socket.close(1000);
  assert.ok(await until(async () => (await health(gateway.url)).sessions === 0), 'closed sockets free their sessions');
});

test('text message → 4004, bad hello size → 4005, no hello in time → 4009', async () => {
  const text = await openSocket(gateway.url);
  const textClosed = closeOf(text);
  text.send('{"t":"order.place"}');
  expectCoded(await textClosed, 'GATEWAY_TEXT_MESSAGE');
  const short = await openSocket(gateway.url);
  const shortClosed = closeOf(short);
  short.send(new Uint8Array(CLIENT_HELLO_BYTES - 1));
  expectCoded(await shortClosed, 'GATEWAY_BAD_HELLO');
  const silent = await openSocket(gateway.url);
  expectCoded(await closeOf(silent), 'GATEWAY_HELLO_TIMEOUT');
});

test('oversize frame → 4003, frame shorter than its header declares → 4006, past the hard cap → 4021', async () => {
  const big = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  big.socket.send(new Uint8Array(MAX_FRAME_BYTES + 1));
  expectCoded(await big.closed, 'GATEWAY_FRAME_TOO_LARGE');
  const cut = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  const frame = cut.trader.request('session.heartbeat', {}, true).frame;
  cut.socket.send(frame.subarray(0, frame.length - 1));
  expectCoded(await cut.closed, 'GATEWAY_BAD_FRAME');
  const huge = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  huge.socket.send(new Uint8Array(4 * MAX_FRAME_BYTES + 1));
  expectCoded(await huge.closed, 'GATEWAY_WEBSOCKET_PROTOCOL');
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  assert.match(metrics, `name="GATEWAY_WEBSOCKET_PROTOCOL"} 1`);
});

test('frames faster than the rate → 4002, and the enclave connection ends with the socket', async () => {
  const fast = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  for (let index = 0; index < 40; index++) fast.trader.request('session.heartbeat', {});
  expectCoded(await fast.closed, 'GATEWAY_RATE_LIMITED');
  assert.ok(await until(async () => (await health(gateway.url)).sessions === 0));
});

test('more sessions than the limit → 4001; the others keep working', async () => {
  const held = await Promise.all(Array.from({ length: 6 }, () => openSocket(gateway.url)));
  const extra = await openSocket(gateway.url);
  expectCoded(await closeOf(extra), 'GATEWAY_SESSION_LIMIT');
  for (const socket of held) socket.terminate();
  assert.ok(await until(async () => (await health(gateway.url)).sessions === 0));
});

test('a frame missing from the sequence: the enclave ends the session → 4900 with its code', async () => {
  const who = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  who.trader.request('session.heartbeat', {}, true);
  who.trader.request('session.heartbeat', {});
  const closed = await who.closed;
  assert.is(closed.code, 4900);
  assert.is(closed.reason, String(ERRORS.CHANNEL_FRAME_OUT_OF_ORDER.code));
});

test('a peer that stops answering pings is dropped → 4008; one that answers stays', async () => {
  const beating = await startGateway({ host: enclave.host, markets: [TEST_MARKET], logger: SILENT, limits: { heartbeatIntervalMs: 40 } });
  try {
    const deaf = await openSocket(beating.url, { autoPong: false });
    const alive = await traderOverSocket(await openSocket(beating.url), seedFrom(prng), bundle);
    expectCoded(await closeOf(deaf), 'GATEWAY_HEARTBEAT_TIMEOUT');
    await sleep(200);
    assert.is(alive.socket.readyState, WebSocket.OPEN, 'a peer answering pings is kept');
    assert.is((await alive.trader.ask('session.heartbeat', {})).t, 'result');
    alive.socket.close(1000);
  } finally {
    await beating.app.close();
  }
});

test('a slow consumer is dropped → 4007 and its enclave connection closed; others are unaffected', async () => {
  const link = new FakeLink();
  const slowGateway = await startGateway({ host: link, markets: [TEST_MARKET], logger: SILENT, limits: { maxQueuedOutboundBytes: MAX_FRAME_BYTES, closeGraceMs: 20_000 } });
  try {
    const slow = await openSocket(slowGateway.url);
    const brisk = await openSocket(slowGateway.url);
    const received = { slow: 0, brisk: 0 };
    slow.on('message', () => { received.slow += 1; });
    brisk.on('message', () => { received.brisk += 1; });
    slow.send(new Uint8Array(CLIENT_HELLO_BYTES));
    brisk.send(new Uint8Array(CLIENT_HELLO_BYTES));
    assert.ok(await until(() => received.slow === 1 && received.brisk === 1), 'both got their ServerHello');
    const [slowId, briskId] = [...link.open];
    (slow as unknown as { _socket: Socket })._socket.pause();
    const frame = new Uint8Array(MAX_FRAME_BYTES);
    for (let index = 0; index < 2_000 && link.open.has(slowId!); index++) {
      link.emitFrame(slowId!, frame);
      if (index % 50 === 0) await sleep(1);
    }
    assert.ok(link.closedByHost.includes(slowId!), 'the slow session\'s enclave connection was closed');
    assert.ok(link.open.has(briskId!), 'the brisk session is untouched');
    link.emitFrame(briskId!, frame);
    assert.ok(await until(() => received.brisk === 2), 'the brisk session still receives');
    const slowClosed = closeOf(slow);
    (slow as unknown as { _socket: Socket })._socket.resume();
    expectCoded(await slowClosed, 'GATEWAY_SLOW_CONSUMER');
    const metrics = await (await fetch(`${slowGateway.url}/metrics`)).text();
    assert.match(metrics, 'name="GATEWAY_SLOW_CONSUMER"} 1');
    brisk.close(1000);
  } finally {
    await slowGateway.app.close();
  }
});

test('an enclave failure closes every socket → 4011 and refuses new ones; shutdown closes with 4019', async () => {
  const link = new FakeLink();
  const failing = await startGateway({ host: link, markets: [TEST_MARKET], logger: SILENT });
  const open = await openSocket(failing.url);
  const openClosed = closeOf(open);
  open.send(new Uint8Array(CLIENT_HELLO_BYTES));
  await until(() => link.open.size === 1);
  link.emitFatal('journal failed');
  expectCoded(await openClosed, 'GATEWAY_ENCLAVE_UNAVAILABLE');
  const later = await openSocket(failing.url);
  expectCoded(await closeOf(later), 'GATEWAY_ENCLAVE_UNAVAILABLE');
  const down = await fetch(`${failing.url}/v1/health`);
  assert.is(down.status, 503);
  const downBody = (await down.json()) as { status: string; enclave: string; sessions: number };
  assert.equal([downBody.status, downBody.enclave, downBody.sessions], ['unavailable', 'down', 0]);
  await failing.app.close();

  const closing = await startGateway({ host: new FakeLink(), markets: [TEST_MARKET], logger: SILENT });
  const lingering = await openSocket(closing.url);
  const lingeringClosed = closeOf(lingering);
  await closing.app.close();
  expectCoded(await lingeringClosed, 'GATEWAY_SHUTTING_DOWN');
});

test('after all of that the gateway still serves a trader end to end', async () => {
  const who = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  await fund(enclave.host, who.trader.account);
  assert.is((await who.trader.ask('query.balances', {})).t, 'result');
  assert.is((await health(gateway.url)).status, 'ok');
  who.socket.close(1000);
});

test.run();
