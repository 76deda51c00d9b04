// Shared set-up for gateway tests against the real enclave: a worker enclave on a temporary
// data dir, traders speaking the real @noble client channel through the gateway over a
// websocket (real socket or injectWS) or over the REST API (inject or real HTTP), and funding
// through the embedded chain's deposit path.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { EnclaveHost } from '../../../src/host/enclave-host.js';
import type { ChannelMessage } from '../../../src/protocol/message-codec.js';
import { TEST_MARKET, TestTrader } from '../../support/enclave-trader.js';

export { TEST_MARKET };

/** Every wait in these tests is bounded, so a broken enclave or gateway fails a test instead of hanging it. */
export const WAIT_LIMIT_MS = 15_000;

export function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = WAIT_LIMIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs); });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

export interface RunningEnclave {
  readonly host: EnclaveHost;
  stop(): Promise<void>;
}

export async function startEnclave(prefix: string): Promise<RunningEnclave> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const host = await EnclaveHost.start({ dataDir, markets: [TEST_MARKET], feeAccount: 'fees', production: false, tickMs: 0, settlementWindowMs: 0 });
  return {
    host,
    stop: async () => {
      await host.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Credits a trader with enough of both assets to trade for the whole test. */
export async function fund(host: EnclaveHost, account: string): Promise<void> {
  await host.deposit(account, 'USDC', 100_000_000_000n, `usdc-${account.slice(0, 16)}`);
  await host.deposit(account, 'DOT', 10_000_000_000_000n, `dot-${account.slice(0, 16)}`);
}

export const limitOrder = (side: 'buy' | 'sell', price: string, size: string, clientOrderId: string) => ({
  market: TEST_MARKET.id, clientOrderId, side, type: 'limit', price, size,
});

export interface SocketTrader {
  readonly trader: TestTrader;
  readonly socket: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
}

/** Wraps an open websocket (real or injected) as a trader and completes the handshake. */
export async function traderOverSocket(socket: WebSocket, seed: Uint8Array, bundle: string): Promise<SocketTrader> {
  const trader = new TestTrader(seed, (frame) => socket.send(frame));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  socket.on('message', (data) => trader.onFrame(new Uint8Array(data as Buffer)));
  await withTimeout(trader.connect(bundle), 'the ServerHello over the websocket');
  return { trader, socket, get closed() { return withTimeout(closed, 'the websocket close'); } };
}

/** A websocket to a listening gateway; resolves once open. */
export async function openSocket(baseUrl: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/stream`, options);
  await withTimeout(once(socket, 'open'), 'the websocket to open');
  return socket;
}

export function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return withTimeout(new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))), 'the websocket close');
}

/** One HTTP exchange, by inject or by fetch: the harness does not care which. */
export type Post = (url: string, body: unknown) => Promise<{ status: number; json: () => unknown }>;

export function fetchPost(baseUrl: string): Post {
  return async (url, body) => {
    const response = await fetch(`${baseUrl}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, json: () => JSON.parse(text) };
  };
}

const MAX_PUMPS_PER_ANSWER = 100;

/** A trader over the REST API: frames queue locally and travel with the next exchange. */
export class RestTrader {
  readonly trader: TestTrader;
  readonly #outbox: Uint8Array[] = [];
  readonly #post: Post;
  token = '';
  closedCode: number | undefined;

  constructor(post: Post, seed: Uint8Array) {
    this.#post = post;
    this.trader = new TestTrader(seed, (frame) => this.#outbox.push(frame));
  }

  async connect(bundle: string): Promise<void> {
    const ready = this.trader.connect(bundle);
    const hello = this.#outbox.shift()!;
    const response = await this.#post('/v1/sessions', { hello: Buffer.from(hello).toString('base64') });
    if (response.status !== 200) throw new Error(`session refused: ${response.status} ${JSON.stringify(response.json())}`);
    const body = response.json() as { sessionToken: string; serverHello: string };
    this.token = body.sessionToken;
    this.trader.onFrame(new Uint8Array(Buffer.from(body.serverHello, 'base64')));
    await withTimeout(ready, 'the REST handshake');
  }

  /** Sends what is queued and feeds back what the enclave sent; returns the number of frames received. */
  async pump(waitMs = 200): Promise<number> {
    const frames = this.#outbox.splice(0).map((frame) => Buffer.from(frame).toString('base64'));
    const response = await this.#post(`/v1/sessions/${this.token}/frames?waitMs=${waitMs}`, { frames });
    if (response.status !== 200) throw new Error(`exchange refused: ${response.status} ${JSON.stringify(response.json())}`);
    const body = response.json() as { frames: string[]; closed?: { enclaveCode: number } };
    for (const frame of body.frames) this.trader.onFrame(new Uint8Array(Buffer.from(frame, 'base64')));
    if (body.closed !== undefined) this.closedCode = body.closed.enclaveCode;
    return body.frames.length;
  }

  /** Sends a request and pumps until its answer arrives. */
  async ask(t: string, body: object): Promise<ChannelMessage> {
    const { id } = this.trader.request(t, body);
    return this.pumpUntil((m) => m.id === id && (m.t === 'result' || m.t === 'error'));
  }

  async pumpUntil(match: (m: ChannelMessage) => boolean): Promise<ChannelMessage> {
    for (let round = 0; round < MAX_PUMPS_PER_ANSWER; round++) {
      const seen = this.trader.received.find(match);
      if (seen !== undefined) return seen;
      await this.pump();
    }
    throw new Error(`no matching message after ${MAX_PUMPS_PER_ANSWER} exchanges`);
  }
}

/** A Post over fastify's inject. */
export function injectPost(app: { inject: (options: { method: 'POST'; url: string; payload: object }) => Promise<{ statusCode: number; json: () => unknown }> }): Post {
  return async (url, body) => {
    const response = await app.inject({ method: 'POST', url, payload: body as object });
    return { status: response.statusCode, json: () => response.json() };
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a condition every few milliseconds until it holds or the time is up. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}
