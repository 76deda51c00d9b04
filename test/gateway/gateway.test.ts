// The gateway's HTTP and websocket contract end to end through the real worker enclave:
// every public endpoint, and the whole path of an order (attestation → hello → ServerHello →
// sealed order frames → execution reports to each side) over an injected websocket and over
// REST, plus the coded answers to a hello the enclave refuses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../src/errors/index.js';
import { createGateway } from '../../src/gateway/index.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { parseAttestationBundle } from '../../src/protocol/attestation-bundle.js';
import { CLIENT_HELLO_BYTES } from '../../src/protocol/hello.js';
import { Prng } from '../support/prng.js';
import { seedFrom } from '../support/enclave-trader.js';
import { RestTrader, TEST_MARKET, closeOf, fund, injectPost, limitOrder, startEnclave, traderOverSocket, until, type RunningEnclave } from './support/harness.js';

let enclave: RunningEnclave;
let app: FastifyInstance;
let bundle: string;

test.before(async () => {
  enclave = await startEnclave('gateway-');
  app = createGateway({ host: enclave.host, markets: [TEST_MARKET] });
  await app.ready();
  bundle = (await app.inject('/v1/attestation')).body;
});

test.after(async () => {
  await app.close();
  await enclave.stop();
});

test('GET /v1/attestation serves the enclave bundle verbatim, cacheable, with an ETag', async () => {
  const response = await app.inject('/v1/attestation');
  assert.is(response.statusCode, 200);
  assert.is(response.body, enclave.host.bundle);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  assert.match(String(response.headers['cache-control']), /public, max-age=\d+/);
  const parsed = parseAttestationBundle(response.body);
  assert.match(parsed.enclaveKeys.ed25519Hex, /^[0-9a-f]{64}$/);
  assert.match(parsed.enclaveKeys.x25519Hex, /^[0-9a-f]{64}$/);
  const etag = String(response.headers.etag);
  const again = await app.inject({ method: 'GET', url: '/v1/attestation', headers: { 'if-none-match': etag } });
  assert.is(again.statusCode, 304);
  assert.is(again.body, '');
});

test('GET /v1/markets serves the public fields of the configured specs, with the matcher\'s defaults', async () => {
  const response = await app.inject('/v1/markets');
  assert.is(response.statusCode, 200);
  const built = buildMarketSpec(TEST_MARKET);
  const expected = [{
    id: built.id, base: built.base, quote: built.quote, baseDecimals: built.baseDecimals, quoteDecimals: built.quoteDecimals,
    tickSize: built.tickSize, lotSize: built.lotSize, minSizeLots: built.minSizeLots, makerFeeBps: built.makerFeeBps,
    takerFeeBps: built.takerFeeBps, mode: built.mode,
  }];
  assert.equal(response.json(), expected);
});

test('GET /v1/health reports the enclave and the live sessions', async () => {
  const before = (await app.inject('/v1/health')).json() as { status: string; enclave: string; sessions: number; uptimeS: number };
  assert.is(before.status, 'ok');
  assert.is(before.enclave, 'ready');
  assert.ok(Number.isInteger(before.uptimeS) && before.uptimeS >= 0);
  const socket = await app.injectWS('/v1/stream');
  const during = (await app.inject('/v1/health')).json() as { sessions: number };
  assert.is(during.sessions, before.sessions + 1, 'an open websocket is a live session');
  socket.terminate();
  assert.ok(await until(async () => ((await app.inject('/v1/health')).json() as { sessions: number }).sessions === before.sessions), 'the session ends with its socket');
});

test('an order\'s whole path over the websocket: hello, ServerHello, orders, a fill to each side', async () => {
  const prng = new Prng(51);
  const maker = await traderOverSocket(await app.injectWS('/v1/stream'), seedFrom(prng), bundle);
  const taker = await traderOverSocket(await app.injectWS('/v1/stream'), seedFrom(prng), bundle);
  assert.ok(maker.trader.session !== undefined && taker.trader.session !== undefined, 'both handshakes completed through the gateway');
  await fund(enclave.host, maker.trader.account);
  await fund(enclave.host, taker.trader.account);
  assert.is((await maker.trader.ask('order.place', limitOrder('sell', '5.00', '2.0', 'ws-m1'))).t, 'result');
  assert.is((await taker.trader.ask('order.place', limitOrder('buy', '5.00', '1.0', 'ws-t1'))).t, 'result');
  const makerFill = await maker.trader.waitFor((m) => m.t === 'report' && m.body.kind === 'fill');
  const takerFill = await taker.trader.waitFor((m) => m.t === 'report' && m.body.kind === 'fill');
  assert.is(makerFill.body.side, 'sell');
  assert.is(takerFill.body.side, 'buy');
  assert.not.ok(taker.trader.received.some((m) => m.body.clientOrderId === 'ws-m1'), 'the taker learns nothing of the maker\'s order');
  maker.socket.close(1000);
  taker.socket.close(1000);
});

test('an order\'s whole path over REST, crossing a websocket trader', async () => {
  const prng = new Prng(52);
  const restMaker = new RestTrader(injectPost(app), seedFrom(prng));
  await restMaker.connect(bundle);
  assert.match(restMaker.token, /^[A-Za-z0-9_-]{43}$/);
  const taker = await traderOverSocket(await app.injectWS('/v1/stream'), seedFrom(prng), bundle);
  await fund(enclave.host, restMaker.trader.account);
  await fund(enclave.host, taker.trader.account);
  assert.is((await restMaker.ask('order.place', limitOrder('sell', '4.00', '3.0', 'rest-m1'))).t, 'result');
  assert.is((await taker.trader.ask('order.place', limitOrder('buy', '4.00', '1.0', 'rest-t1'))).t, 'result');
  const fill = await restMaker.pumpUntil((m) => m.t === 'report' && m.body.kind === 'fill');
  assert.is(fill.body.side, 'sell');
  assert.is(fill.body.clientOrderId, 'rest-m1');
  const balances = (await restMaker.ask('query.balances', {})).body.result as { balances: { asset: string }[] };
  assert.ok(balances.balances.some((b) => b.asset === 'DOT'));
  const removed = await app.inject({ method: 'DELETE', url: `/v1/sessions/${restMaker.token}` });
  assert.is(removed.statusCode, 204);
  const gone = await app.inject({ method: 'POST', url: `/v1/sessions/${restMaker.token}/frames`, payload: { frames: [] } });
  assert.is(gone.statusCode, 404);
  assert.is((gone.json() as { error: { code: number } }).error.code, ERRORS.GATEWAY_SESSION_NOT_FOUND.code);
  taker.socket.close(1000);
});

test('a hello the enclave refuses: websocket close 4900 with the enclave code, REST 422 with enclaveCode', async () => {
  const forged = new Uint8Array(CLIENT_HELLO_BYTES).fill(1);
  const socket = await app.injectWS('/v1/stream');
  const closed = closeOf(socket);
  socket.send(forged);
  const { code, reason } = await closed;
  assert.is(code, 4900);
  assert.ok(Number(reason) >= 2100 && Number(reason) < 2200, `an enclave channel code, got ${reason}`);
  const response = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello: Buffer.from(forged).toString('base64') } });
  assert.is(response.statusCode, 422);
  const body = response.json() as { error: { code: number; name: string; enclaveCode: number } };
  assert.is(body.error.code, ERRORS.GATEWAY_HELLO_REFUSED.code);
  assert.is(body.error.enclaveCode, Number(reason));
});

test('GET /metrics is Prometheus text that counts what flowed', async () => {
  const response = await app.inject('/metrics');
  assert.is(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const text = response.body;
  const value = (series: string): number => Number(new RegExp(`^${series.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  assert.ok(value('darkpool_gateway_frames_in_total{transport="ws"}') >= 4);
  assert.ok(value('darkpool_gateway_frames_out_total{transport="rest"}') >= 2);
  assert.ok(value('darkpool_gateway_bytes_in_total{size_class="frame_1024"}') > 0);
  assert.is(value('darkpool_gateway_bytes_in_total{size_class="frame_1024"}') % 1071, 0, 'frame bytes come in whole 1071-byte frames');
  assert.ok(value('darkpool_gateway_enclave_round_trip_seconds_count{kind="hello"}') >= 4);
  assert.ok(value(`darkpool_gateway_enclave_closes_total{code="${ERRORS.CHANNEL_HELLO_AUTH_FAILED.code}"}`) >= 1
    || /darkpool_gateway_enclave_closes_total\{code="21\d\d"\} [1-9]/.test(text), 'the refused hellos are counted by enclave code');
  assert.ok(value(`darkpool_gateway_rejects_total{code="${ERRORS.GATEWAY_HELLO_REFUSED.code}",name="GATEWAY_HELLO_REFUSED"}`) >= 1);
  for (const line of text.split('\n')) assert.ok(line === '' || line.startsWith('#') || /^[a-z_]+(\{[^}]*\})? -?[0-9.e+-]+$|^[a-z_]+(\{[^}]*\})? \+?Inf$/.test(line), `a valid sample line: ${line}`);
});

test('GET /v1/openapi.json, GET /v1/stream without an upgrade, and an unknown route', async () => {
  const document = await app.inject('/v1/openapi.json');
  assert.is(document.statusCode, 200);
  assert.is((document.json() as { openapi: string }).openapi, '3.1.0');
  const plain = await app.inject('/v1/stream');
  assert.is(plain.statusCode, 400);
  assert.is((plain.json() as { error: { code: number } }).error.code, ERRORS.GATEWAY_BAD_REQUEST.code);
  const missing = await app.inject('/v2/nothing');
  assert.is(missing.statusCode, 404);
  assert.is((missing.json() as { error: { code: number } }).error.code, ERRORS.GATEWAY_NOT_FOUND.code);
});

test.run();
