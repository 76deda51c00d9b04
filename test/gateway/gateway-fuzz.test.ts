// A seeded fuzzer throws more than 20,000 malformed inputs at a gateway in front of the real
// enclave — JSON bodies of every wrong shape and type, mutated and random frames inside a
// live REST session, hellos of every size and content, and websocket messages of every kind —
// while two real traders keep trading through it. Every malformed input must get a coded
// answer (never a 5xx, never GATEWAY_INTERNAL), every trading round must succeed, and the
// gateway must be healthy at the end. A failure prints the seed (FUZZ_SEED replays it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ERRORS } from '../../src/errors/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway/index.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/channel-wire.js';
import { CLIENT_HELLO_BYTES } from '../../src/protocol/hello.js';
import { Prng } from '../support/prng.js';
import { seedFrom } from '../support/enclave-trader.js';
import { RestTrader, TEST_MARKET, fund, injectPost, limitOrder, openSocket, startEnclave, traderOverSocket, type RunningEnclave, type SocketTrader } from './support/harness.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_501);
const COUNTS = { jsonBodies: 9_000, restFrames: 7_500, hellos: 2_500, socketMessages: 2_000 } as const;
const TRADE_EVERY = 400;
const SOCKET_PARALLELISM = 12;
const SOCKET_CLOSE_TIMEOUT_MS = 5_000;

const prng = new Prng(SEED);
let enclave: RunningEnclave;
let gateway: RunningGateway;
let bundle: string;
let maker: SocketTrader;
let taker: SocketTrader;
let tradingRounds = 0;
const thrown = { jsonBodies: 0, restFrames: 0, hellos: 0, socketMessages: 0 };
const statuses = new Map<number, number>();

const where = (): string => `FUZZ_SEED=${SEED}`;
const bytes = (length: number): Uint8Array => new Uint8Array(length).map(() => prng.int(0, 255));
const b64 = (data: Uint8Array): string => Buffer.from(data).toString('base64');

function randomJson(depth = 0): unknown {
  switch (prng.int(0, depth > 3 ? 4 : 7)) {
    case 0: return prng.int(-1e9, 1e9) / prng.pick([1, 3, 7]);
    case 1: return prng.pick(['', 'hello', 'AAAA', '\u0000', '\u{1F600}', 'x'.repeat(prng.int(0, 3_000)), b64(bytes(prng.int(0, 300)))]);
    case 2: return prng.chance(0.5);
    case 3: return null;
    case 4: return prng.pick([Number.MAX_SAFE_INTEGER, -0, 1e308]);
    case 5: return Array.from({ length: prng.int(0, 6) }, () => randomJson(depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let index = prng.int(0, 4); index > 0; index--) object[prng.pick(['hello', 'frames', 'waitMs', '__proto__', 'constructor', 'x', ''])] = randomJson(depth + 1);
      return object;
    }
  }
}

/** A body that is wrong in syntax, shape, type, size or media type. */
function malformedBody(): { payload: string; contentType: string | undefined } {
  const contentType = prng.pick([ 'application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', undefined]);
  switch (prng.int(0, 5)) {
    case 0: return { payload: Buffer.from(bytes(prng.int(0, 200))).toString('latin1'), contentType };
    case 1: return { payload: JSON.stringify(randomJson()).slice(0, prng.int(0, 400)), contentType };
    case 2: return { payload: JSON.stringify({ hello: randomJson() }), contentType };
    case 3: return { payload: JSON.stringify({ frames: prng.chance(0.5) ? randomJson() : [randomJson(), randomJson()] }), contentType };
    case 4: return { payload: `{"frames":[${'"AAAA",'.repeat(prng.int(1, 300_000))}"AAAA"]}`, contentType: 'application/json' };
    default: return { payload: JSON.stringify({ hello: b64(bytes(CLIENT_HELLO_BYTES)), extra: randomJson() }), contentType };
  }
}

function recordStatus(status: number, body: string, what: string): void {
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  assert.ok(status < 500, `${where()}: ${what} answered ${status} ${body.slice(0, 200)}`);
  if (status >= 400) {
    const parsed = JSON.parse(body) as { error: { code: number; name: string } };
    assert.ok(parsed.error.code > 1000 && parsed.error.code < 2000, `${where()}: ${what} gave a gateway code, got ${body.slice(0, 200)}`);
    assert.is.not(parsed.error.name, 'GATEWAY_INTERNAL', `${where()}: ${what}`);
  }
}

let tradeChain: Promise<void> = Promise.resolve();

/** One crossing pair of orders; rounds run one at a time so each buy meets its own sell. */
function tradeRound(): Promise<void> {
  tradeChain = tradeChain.then(tradeOnce);
  return tradeChain;
}

async function tradeOnce(): Promise<void> {
  tradingRounds += 1;
  const id = `r${tradingRounds}`;
  const price = `8.${String(tradingRounds % 50).padStart(2, '0')}`;
  const sell = await maker.trader.ask('order.place', limitOrder('sell', price, '0.1', `s-${id}`));
  const buy = await taker.trader.ask('order.place', limitOrder('buy', price, '0.1', `b-${id}`));
  assert.is(sell.t, 'result', `${where()}: round ${tradingRounds} sell ${JSON.stringify(sell.body)}`);
  assert.is(buy.t, 'result', `${where()}: round ${tradingRounds} buy ${JSON.stringify(buy.body)}`);
  await taker.trader.waitFor((m) => m.t === 'report' && m.body.kind === 'fill' && m.body.clientOrderId === `b-${id}`);
}

test.before(async () => {
  enclave = await startEnclave('gateway-fuzz-');
  gateway = await startGateway({
    host: enclave.host, markets: [TEST_MARKET], logger: { level: 'silent' },
    limits: { framesPerSecond: 100_000, burstFrames: 100_000, maxSessions: 4_096, closeGraceMs: 500, maxFramesPerRestCall: 8 },
  });
  bundle = await (await fetch(`${gateway.url}/v1/attestation`)).text();
  maker = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  taker = await traderOverSocket(await openSocket(gateway.url), seedFrom(prng), bundle);
  await fund(enclave.host, maker.trader.account);
  await fund(enclave.host, taker.trader.account);
});

test.after(async () => {
  maker.socket.close(1000);
  taker.socket.close(1000);
  await gateway.app.close();
  await enclave.stop();
});

test('malformed JSON bodies, query strings and paths', async () => {
  const holder = new RestTrader(injectPost(gateway.app), seedFrom(prng));
  await holder.connect(bundle);
  for (let index = 0; index < COUNTS.jsonBodies; index++) {
    const { payload, contentType } = malformedBody();
    const url = prng.pick([
      '/v1/sessions', `/v1/sessions/${holder.token}/frames`, `/v1/sessions/${holder.token}/frames?waitMs=${prng.pick(['-1', 'abc', '1e3', '99999', '0x10', ''])}`,
      `/v1/sessions/${b64(bytes(prng.int(0, 40))).replace(/[+/=]/g, '_')}/frames`, `/v1/${prng.pick(['session', 'frames', 'stream', '..'])}`,
    ]);
    const response = await gateway.app.inject({ method: prng.pick(['POST', 'POST', 'POST', 'PUT', 'DELETE', 'GET']) as 'POST', url, payload, headers: contentType === undefined ? {} : { 'content-type': contentType } });
    recordStatus(response.statusCode, response.body, `body ${index}`);
    if (url === '/v1/sessions' && response.statusCode === 200) {
      await gateway.app.inject({ method: 'DELETE', url: `/v1/sessions/${(response.json() as { sessionToken: string }).sessionToken}` });
    }
    thrown.jsonBodies += 1;
    if (index % TRADE_EVERY === 0) await tradeRound();
  }
  assert.is(thrown.jsonBodies, COUNTS.jsonBodies);
});

test('malformed, mutated and random frames inside a live REST session', async () => {
  let victim = new RestTrader(injectPost(gateway.app), seedFrom(prng));
  await victim.connect(bundle);
  let sessions = 1;
  while (thrown.restFrames < COUNTS.restFrames) {
    const frames: string[] = [];
    for (let count = prng.int(1, 3); count > 0; count--) {
      const sealed = victim.trader.request('session.heartbeat', {}, true).frame.slice();
      let frame: Uint8Array = sealed;
      switch (prng.int(0, 5)) {
        case 0: sealed[prng.int(31, sealed.length - 1)] ^= 1 << prng.int(0, 7); break;
        case 1: sealed[prng.int(0, 30)] = prng.int(0, 255); break;
        case 2: frame = sealed.subarray(0, prng.int(0, sealed.length - 1)); break;
        case 3: frame = Uint8Array.from([...sealed, ...bytes(prng.int(1, 64))]); break;
        case 4: frame = bytes(prng.pick([0, 1, 30, 31, 1071, 4143, prng.int(0, 5_000)])); break;
        default: frame = bytes(MAX_FRAME_BYTES + prng.int(1, 2_000)); break;
      }
      frames.push(b64(frame));
    }
    const response = await gateway.app.inject({ method: 'POST', url: `/v1/sessions/${victim.token}/frames?waitMs=0`, payload: { frames } });
    recordStatus(response.statusCode, response.body, `frames ${thrown.restFrames}`);
    thrown.restFrames += frames.length;
    const closed = response.statusCode === 200 && (response.json() as { closed?: unknown }).closed !== undefined;
    if (closed || response.statusCode === 404) {
      victim = new RestTrader(injectPost(gateway.app), seedFrom(prng));
      await victim.connect(bundle);
      sessions += 1;
    }
    if (thrown.restFrames % TRADE_EVERY < 3) await tradeRound();
  }
  assert.ok(sessions > 1, `${where()}: sequence-breaking frames ended sessions (the enclave closed them) and new ones opened`);
  const fresh = new RestTrader(injectPost(gateway.app), seedFrom(prng));
  await fresh.connect(bundle);
  assert.is((await fresh.ask('session.heartbeat', {})).t, 'result', `${where()}: a REST session after the fuzzing works`);
});

test('hellos of every size and content', async () => {
  const sent: Uint8Array[] = [];
  const capture = new RestTrader(async (_url, body) => { sent.push(Buffer.from((body as { hello: string }).hello, 'base64')); return { status: 599, json: () => ({}) }; }, seedFrom(prng));
  await capture.connect(bundle).catch(() => undefined);
  const template = sent[0]!;
  assert.is(template.length, CLIENT_HELLO_BYTES, 'a genuine ClientHello to mutate');
  for (let index = 0; index < COUNTS.hellos; index++) {
    let hello: Uint8Array;
    switch (prng.int(0, 3)) {
      case 0: hello = bytes(prng.pick([0, 1, 2, 209, 211, 420, prng.int(0, 600)])); break;
      case 1: hello = bytes(CLIENT_HELLO_BYTES); break;
      case 2: hello = template.slice(); hello[prng.int(0, CLIENT_HELLO_BYTES - 1)] ^= 1 << prng.int(0, 7); break;
      default: hello = template.slice(); hello[0] = prng.int(2, 255); break;
    }
    const response = await gateway.app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello: b64(hello) } });
    recordStatus(response.statusCode, response.body, `hello ${index}`);
    if (hello.length === CLIENT_HELLO_BYTES) assert.is(response.statusCode, 422, `${where()}: hello ${index} reached the enclave and was refused`);
    thrown.hellos += 1;
    if (index % TRADE_EVERY === 0) await tradeRound();
  }
});

test('websocket messages of every kind over real sockets', async () => {
  const allowed = new Set([4001, 4002, 4003, 4004, 4005, 4006, 4021, 4900]);
  let next = 0;
  const runOne = async (): Promise<void> => {
    const socket = await openSocket(gateway.url);
    const closed = new Promise<number>((resolve) => {
      const timer = setTimeout(() => { socket.terminate(); resolve(-1); }, SOCKET_CLOSE_TIMEOUT_MS);
      socket.on('close', (code) => { clearTimeout(timer); resolve(code); });
    });
    const kind = prng.int(0, 4);
    if (kind === 0) socket.send(JSON.stringify(randomJson()) ?? 'null');
    else if (kind === 1) socket.send(bytes(prng.pick([0, 1, 209, 211, 1071, prng.int(0, 3_000)])));
    else if (kind === 2) socket.send(bytes(CLIENT_HELLO_BYTES));
    else if (kind === 3) socket.send(bytes(4 * MAX_FRAME_BYTES + prng.int(1, 100)));
    else { socket.send(bytes(CLIENT_HELLO_BYTES)); socket.send(bytes(MAX_FRAME_BYTES + 1)); }
    const code = await closed;
    assert.ok(allowed.has(code), `${where()}: socket kind ${kind} closed with ${code}`);
    thrown.socketMessages += kind === 4 ? 2 : 1;
  };
  const workers = Array.from({ length: SOCKET_PARALLELISM }, async () => {
    while (next < COUNTS.socketMessages) {
      next += 1;
      await runOne();
      if (next % TRADE_EVERY === 0) await tradeRound();
    }
  });
  await Promise.all(workers);
});

test('more than 20,000 malformed inputs, every trading round filled, the gateway healthy', async () => {
  const total = thrown.jsonBodies + thrown.restFrames + thrown.hellos + thrown.socketMessages;
  assert.ok(total >= 20_000, `${where()}: ${total} malformed inputs`);
  assert.ok(tradingRounds >= 40, `${where()}: ${tradingRounds} trading rounds`);
  await tradeRound();
  const health = (await (await fetch(`${gateway.url}/v1/health`)).json()) as { status: string };
  assert.is(health.status, 'ok');
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  assert.not.match(metrics, `name="GATEWAY_INTERNAL"`, `${where()}: no internal errors`);
  for (const name of ['GATEWAY_BAD_REQUEST', 'GATEWAY_BAD_FRAME', 'GATEWAY_BAD_HELLO', 'GATEWAY_HELLO_REFUSED', 'GATEWAY_TEXT_MESSAGE', 'GATEWAY_FRAME_TOO_LARGE']) {
    assert.match(metrics, `code="${ERRORS[name as keyof typeof ERRORS].code}",name="${name}"}`, `${where()}: ${name} was exercised`);
  }
  console.log(`fuzz: ${total} malformed inputs (${JSON.stringify(thrown)}), ${tradingRounds} trading rounds, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
});

test.run();
