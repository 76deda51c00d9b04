// The REST form of a session: the full path through the real enclave over real HTTP, the
// long-poll rule, and every REST limit answered with its coded HTTP error while the session
// (or the gateway) survives: unknown and expired tokens, per-call frame count, frame size and
// shape (all or nothing), rate, body size and type, hello size, session limit, a silent
// enclave, a slow consumer, an enclave-closed session and an enclave failure.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FastifyInstance } from 'fastify';
import { ERRORS, type ErrorName } from '../../src/errors/index.js';
import { createGateway, startGateway, type GatewayLimits, type RunningGateway } from '../../src/gateway/index.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/channel-wire.js';
import { CLIENT_HELLO_BYTES } from '../../src/protocol/hello.js';
import { Prng } from '../support/prng.js';
import { seedFrom } from '../support/enclave-trader.js';
import { FakeLink } from './support/fake-link.js';
import { RestTrader, TEST_MARKET, fetchPost, fund, limitOrder, sleep, startEnclave, until, type RunningEnclave } from './support/harness.js';

let enclave: RunningEnclave;
let gateway: RunningGateway;
let bundle: string;
const prng = new Prng(91);
const HELLO_BASE64 = Buffer.alloc(CLIENT_HELLO_BYTES, 9).toString('base64');

/** A header-valid frame of the smallest bucket (its body is noise; only the enclave could tell). */
function frameBytes(): Uint8Array {
  const frame = new Uint8Array(31 + 1024 + 16);
  frame.set([1, 3], 0);
  frame[18] = 1;
  new DataView(frame.buffer).setUint32(27, 1024 + 16);
  return frame;
}
const FRAME_BASE64 = Buffer.from(frameBytes()).toString('base64');

function fakeGateway(limits: Partial<GatewayLimits> = {}): { app: FastifyInstance; link: FakeLink } {
  const link = new FakeLink();
  return { app: createGateway({ host: link, markets: [TEST_MARKET], limits }), link };
}

async function open(app: FastifyInstance): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello: HELLO_BASE64 } });
  assert.is(response.statusCode, 200, response.body);
  return (response.json() as { sessionToken: string }).sessionToken;
}

async function exchange(app: FastifyInstance, token: string, frames: string[], query = '?waitMs=0') {
  return app.inject({ method: 'POST', url: `/v1/sessions/${token}/frames${query}`, payload: { frames } });
}

function expectError(response: { statusCode: number; json: () => unknown }, status: number, name: ErrorName): void {
  assert.is(response.statusCode, status, `status for ${name}`);
  const body = response.json() as { error: { code: number; name: string; message: string } };
  assert.is(body.error.code, ERRORS[name].code);
  assert.is(body.error.name, name);
  assert.ok(body.error.message.length > 0);
}

test.before(async () => {
  enclave = await startEnclave('gateway-rest-');
  gateway = await startGateway({ host: enclave.host, markets: [TEST_MARKET], logger: { level: 'silent' } });
  bundle = await (await fetch(`${gateway.url}/v1/attestation`)).text();
});

test.after(async () => {
  await gateway.app.close();
  await enclave.stop();
});

test('over real HTTP: REST maker and REST taker trade through the enclave', async () => {
  const maker = new RestTrader(fetchPost(gateway.url), seedFrom(prng));
  const taker = new RestTrader(fetchPost(gateway.url), seedFrom(prng));
  await maker.connect(bundle);
  await taker.connect(bundle);
  await fund(enclave.host, maker.trader.account);
  await fund(enclave.host, taker.trader.account);
  assert.is((await maker.ask('order.place', limitOrder('sell', '3.00', '2.0', 'http-m1'))).t, 'result');
  assert.is((await taker.ask('order.place', limitOrder('buy', '3.00', '2.0', 'http-t1'))).t, 'result');
  assert.is((await maker.pumpUntil((m) => m.t === 'report' && m.body.kind === 'fill')).body.side, 'sell');
  assert.is((await taker.pumpUntil((m) => m.t === 'report' && m.body.kind === 'fill')).body.side, 'buy');
  const deleted = await fetch(`${gateway.url}/v1/sessions/${maker.token}`, { method: 'DELETE' });
  assert.is(deleted.status, 204);
});

test('long poll: returns once the enclave answered, well before waitMs; waitMs=0 returns at once; waitMs is bounded', async () => {
  const who = new RestTrader(fetchPost(gateway.url), seedFrom(prng));
  await who.connect(bundle);
  who.trader.request('session.heartbeat', {});
  const started = performance.now();
  const got = await who.pump(1_000);
  assert.is(got, 1, 'the answer came back in the same call');
  assert.ok(performance.now() - started < 900, 'the call ended when the answer arrived');
  const quick = performance.now();
  assert.is(await who.pump(0), 0);
  assert.ok(performance.now() - quick < 500);
  const tooLong = await fetch(`${gateway.url}/v1/sessions/${who.token}/frames?waitMs=1001`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"frames":[]}' });
  assert.is(tooLong.status, 400);
  assert.is(((await tooLong.json()) as { error: { code: number } }).error.code, ERRORS.GATEWAY_BAD_REQUEST.code);
});

test('a newer call ends a pending wait at once, and output is delivered exactly once, in order', async () => {
  const { app, link } = fakeGateway();
  const token = await open(app);
  const connectionId = [...link.open][0]!;
  const pending = exchange(app, token, [], '?waitMs=1000');
  await sleep(20);
  const started = performance.now();
  const second = exchange(app, token, [], '?waitMs=1000');
  const first = await pending;
  assert.ok(performance.now() - started < 500, 'the first call ended when the second arrived');
  assert.equal(first.json(), { frames: [] });
  link.emitFrame(connectionId, Uint8Array.of(1, 2, 3));
  link.emitFrame(connectionId, Uint8Array.of(4, 5));
  assert.equal((await second).json(), { frames: ['AQID', 'BAU='] }, 'the wait ends with the output, all of it, in order');
  link.emitFrame(connectionId, Uint8Array.of(6));
  assert.equal((await exchange(app, token, [])).json(), { frames: ['Bg=='] }, 'later output comes with the next call');
  assert.equal((await exchange(app, token, [])).json(), { frames: [] }, 'and only once');
  await app.close();
});

test('unknown token → 404; DELETE → 204 then 404; idle sessions expire → 404 and their enclave connection closes', async () => {
  const { app, link } = fakeGateway({ restSessionIdleMs: 1_000 });
  await app.ready();
  expectError(await exchange(app, 'x'.repeat(43), []), 404, 'GATEWAY_SESSION_NOT_FOUND');
  expectError(await app.inject({ method: 'DELETE', url: '/v1/sessions/nope' }), 404, 'GATEWAY_SESSION_NOT_FOUND');
  const deleted = await open(app);
  assert.is((await app.inject({ method: 'DELETE', url: `/v1/sessions/${deleted}` })).statusCode, 204);
  expectError(await app.inject({ method: 'DELETE', url: `/v1/sessions/${deleted}` }), 404, 'GATEWAY_SESSION_NOT_FOUND');
  const idle = await open(app);
  const idleId = Math.max(...link.received.keys());
  assert.ok(await until(() => link.closedByHost.includes(idleId), 3_000), 'the idle session was closed');
  expectError(await exchange(app, idle, []), 404, 'GATEWAY_SESSION_NOT_FOUND');
  await app.close();
});

test('frames are checked all or nothing: too many, too large, malformed, bad base64', async () => {
  const { app, link } = fakeGateway({ maxFramesPerRestCall: 2 });
  const token = await open(app);
  const connectionId = [...link.open][0]!;
  const relayed = (): number => link.received.get(connectionId)!.length - 1;
  expectError(await exchange(app, token, [FRAME_BASE64, FRAME_BASE64, FRAME_BASE64]), 413, 'GATEWAY_TOO_MANY_FRAMES');
  expectError(await exchange(app, token, [FRAME_BASE64, Buffer.alloc(MAX_FRAME_BYTES + 1).toString('base64')]), 413, 'GATEWAY_FRAME_TOO_LARGE');
  expectError(await exchange(app, token, [FRAME_BASE64, Buffer.from(frameBytes().subarray(0, 1070)).toString('base64')]), 400, 'GATEWAY_BAD_FRAME');
  expectError(await exchange(app, token, [FRAME_BASE64, 'not*base64']), 400, 'GATEWAY_BAD_REQUEST');
  expectError(await exchange(app, token, [FRAME_BASE64, 'AQ']), 400, 'GATEWAY_BAD_REQUEST');
  expectError(await exchange(app, token, [FRAME_BASE64, 'AR==']), 400, 'GATEWAY_BAD_REQUEST');
  assert.is(relayed(), 0, 'no frame of a refused call reached the enclave');
  assert.is((await exchange(app, token, [FRAME_BASE64, FRAME_BASE64])).statusCode, 200);
  assert.is(relayed(), 2, 'an accepted call relays its frames in order');
  await app.close();
});

test('rate: a call over the allowance → 429 with nothing relayed; the session recovers', async () => {
  const { app, link } = fakeGateway({ framesPerSecond: 10, burstFrames: 3 });
  const token = await open(app);
  const connectionId = [...link.open][0]!;
  assert.is((await exchange(app, token, [FRAME_BASE64, FRAME_BASE64])).statusCode, 200);
  expectError(await exchange(app, token, [FRAME_BASE64, FRAME_BASE64]), 429, 'GATEWAY_RATE_LIMITED');
  assert.is(link.received.get(connectionId)!.length, 3, 'hello and two frames');
  await sleep(250);
  assert.is((await exchange(app, token, [FRAME_BASE64])).statusCode, 200, 'tokens refill');
  await app.close();
});

test('body too large → 413, not JSON → 415, malformed JSON or fields → 400, bad hello size → 400, session limit → 503', async () => {
  const { app } = fakeGateway({ maxRestBodyBytes: 2_048, maxSessions: 1 });
  expectError(await app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello: 'A'.repeat(4_000) } }), 413, 'GATEWAY_BODY_TOO_LARGE');
  expectError(await app.inject({ method: 'POST', url: '/v1/sessions', payload: 'hello', headers: { 'content-type': 'text/plain' } }), 415, 'GATEWAY_UNSUPPORTED_MEDIA_TYPE');
  expectError(await app.inject({ method: 'POST', url: '/v1/sessions', payload: '{"hello":', headers: { 'content-type': 'application/json' } }), 400, 'GATEWAY_BAD_REQUEST');
  expectError(await app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello: HELLO_BASE64, extra: 1 } }), 400, 'GATEWAY_BAD_REQUEST');
  expectError(await app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello: Buffer.alloc(CLIENT_HELLO_BYTES + 3).toString('base64') } }), 400, 'GATEWAY_BAD_HELLO');
  await open(app);
  expectError(await app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello: HELLO_BASE64 } }), 503, 'GATEWAY_SESSION_LIMIT');
  await app.close();
});

test('an enclave that never answers the hello → 504, and its connection is closed', async () => {
  const { app, link } = fakeGateway({ helloTimeoutMs: 50 });
  link.answerHellos = false;
  expectError(await app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello: HELLO_BASE64 } }), 504, 'GATEWAY_ENCLAVE_TIMEOUT');
  assert.equal(link.closedByHost, [1]);
  assert.is(((await app.inject('/v1/health')).json() as { sessions: number }).sessions, 0);
  await app.close();
});

test('a REST slow consumer: output past the queue limit → 410 once, then 404; enclave connection closed', async () => {
  const { app, link } = fakeGateway({ maxQueuedOutboundBytes: MAX_FRAME_BYTES });
  const token = await open(app);
  const connectionId = [...link.open][0]!;
  link.emitFrame(connectionId, new Uint8Array(MAX_FRAME_BYTES));
  link.emitFrame(connectionId, new Uint8Array(1));
  assert.ok(link.closedByHost.includes(connectionId));
  expectError(await exchange(app, token, []), 410, 'GATEWAY_SLOW_CONSUMER');
  expectError(await exchange(app, token, []), 404, 'GATEWAY_SESSION_NOT_FOUND');
  await app.close();
});

test('the enclave closes a session: the next call gets its last output and the code, then 404', async () => {
  const { app, link } = fakeGateway();
  const token = await open(app);
  const connectionId = [...link.open][0]!;
  link.emitFrame(connectionId, Uint8Array.of(7));
  link.emitClose(connectionId, ERRORS.CHANNEL_FRAME_OUT_OF_ORDER.code);
  assert.equal((await exchange(app, token, [FRAME_BASE64])).json(), { frames: [Buffer.from([7]).toString('base64')], closed: { enclaveCode: ERRORS.CHANNEL_FRAME_OUT_OF_ORDER.code } });
  expectError(await exchange(app, token, []), 404, 'GATEWAY_SESSION_NOT_FOUND');
  assert.not.ok(link.closedByHost.includes(connectionId), 'the gateway does not close what the enclave closed');
  await app.close();
});

test('an enclave failure: the pending call ends, sessions answer 503, new ones are refused, health is 503', async () => {
  const { app, link } = fakeGateway();
  const token = await open(app);
  const pending = exchange(app, token, [], '?waitMs=1000');
  await sleep(20);
  link.emitFatal('journal failed');
  expectError(await pending, 503, 'GATEWAY_ENCLAVE_UNAVAILABLE');
  expectError(await app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello: HELLO_BASE64 } }), 503, 'GATEWAY_ENCLAVE_UNAVAILABLE');
  assert.is((await app.inject('/v1/health')).statusCode, 503);
  await app.close();
});

test.run();
