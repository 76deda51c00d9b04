// INVARIANT: the gateway's logs and metrics carry no order content. Everything the logger
// writes (at trace level) and everything /metrics returns is captured while marked orders
// flow through the real enclave over the websocket and REST, and while malformed requests
// carry the same markers in bodies, paths and queries. No marker may appear: not the client
// order ids, prices or sizes, not the accounts, not the sides, not a frame, not a token.
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startGateway, type RunningGateway } from '../../src/gateway/index.js';
import { Prng } from '../support/prng.js';
import { seedFrom } from '../support/enclave-trader.js';
import { RestTrader, TEST_MARKET, fetchPost, openSocket, startEnclave, traderOverSocket, type RunningEnclave } from './support/harness.js';

/** Prices and sizes no timing, byte count or code can spell by chance (four digits before the point). */
const PRICE = '8642.97';
const SIZE = '3179.3';
const ORDER_MARKER = `lgm${randomBytes(12).toString('hex')}`;
const ROUNDS = 12;

let enclave: RunningEnclave;
let gateway: RunningGateway;
const logLines: string[] = [];
const metricsSnapshots: string[] = [];

async function scrapeMetrics(): Promise<void> {
  metricsSnapshots.push(await (await fetch(`${gateway.url}/metrics`)).text());
}

test.before(async () => {
  enclave = await startEnclave('gateway-privacy-');
  gateway = await startGateway({
    host: enclave.host, markets: [TEST_MARKET],
    logger: { level: 'trace', stream: { write: (line) => { logLines.push(line); } } },
  });
});

test.after(async () => {
  await gateway.app.close();
  await enclave.stop();
});

test('logs and metrics captured while marked orders flow hold none of their fields', async () => {
  const prng = new Prng(8642);
  const bundle = await (await fetch(`${gateway.url}/v1/attestation`)).text();
  const maker = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  const restFrames: string[] = [];
  const post = fetchPost(gateway.url);
  const taker = new RestTrader(async (url, body) => {
    const frames = (body as { frames?: string[] }).frames;
    if (frames !== undefined) restFrames.push(...frames.slice(0, 2));
    return post(url, body);
  }, seedFrom(prng));
  await taker.connect(bundle);
  for (const account of [maker.trader.account, taker.trader.account]) {
    await enclave.host.deposit(account, 'USDC', 1_000_000_000_000_000n, `usdc-${account.slice(0, 16)}`);
    await enclave.host.deposit(account, 'DOT', 10_000_000_000_000_000n, `dot-${account.slice(0, 16)}`);
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = (side: 'buy' | 'sell', who: string) => ({ market: TEST_MARKET.id, clientOrderId: `${ORDER_MARKER}-${who}${round}`, side, type: 'limit', price: PRICE, size: SIZE });
    const placed = await maker.trader.ask('order.place', order('sell', 'm'));
    assert.is(placed.t, 'result', JSON.stringify(placed.body));
    const taken = await taker.ask('order.place', order('buy', 't'));
    assert.is(taken.t, 'result', JSON.stringify(taken.body));
    const fill = await taker.pumpUntil((m) => m.t === 'report' && m.body.kind === 'fill' && m.body.clientOrderId === `${ORDER_MARKER}-t${round}`);
    assert.is((fill.body.trade as { price: string }).price, PRICE, 'the marked values really flowed');
    await scrapeMetrics();
  }
  const marked = { hello: ORDER_MARKER, frames: [ORDER_MARKER, PRICE], side: 'sell', price: PRICE };
  await fetch(`${gateway.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(marked) });
  await fetch(`${gateway.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"hello":"${ORDER_MARKER}` });
  await fetch(`${gateway.url}/v1/sessions/${taker.token}/frames?waitMs=${ORDER_MARKER}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ frames: [] }) });
  await fetch(`${gateway.url}/v1/${ORDER_MARKER}/${PRICE}?size=${SIZE}`);
  await fetch(`${gateway.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: ORDER_MARKER });
  const textSocket = await openSocket(gateway.url);
  textSocket.send(JSON.stringify(marked));
  await new Promise((resolve) => textSocket.on('close', resolve));
  maker.socket.close(1000);
  await fetch(`${gateway.url}/v1/sessions/${taker.token}`, { method: 'DELETE' });
  await scrapeMetrics();

  const logs = logLines.join('');
  const metrics = metricsSnapshots.join('\n');
  assert.ok(logLines.length > 2 * ROUNDS, `the logger wrote (${logLines.length} lines)`);
  assert.match(logs, '"route":"/v1/sessions/:token/frames"', 'requests are logged by route pattern');
  assert.match(metrics, 'darkpool_gateway_frames_in_total');
  const secrets: Record<string, string> = {
    'client order id': ORDER_MARKER, price: PRICE, size: SIZE,
    'maker account': maker.trader.account, 'taker account': taker.trader.account,
    'side buy': 'buy', 'side sell': 'sell', 'session token': taker.token,
  };
  restFrames.slice(0, 6).forEach((frame, index) => { secrets[`frame ${index}`] = frame.slice(0, 64); });
  assert.ok(restFrames.length >= 2, 'frames were captured to look for');
  for (const [what, value] of Object.entries(secrets)) {
    assert.not.ok(logs.includes(value), `the logs contain the ${what}`);
    assert.not.ok(metrics.includes(value), `the metrics contain the ${what}`);
  }
});

test.run();
