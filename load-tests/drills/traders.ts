// Real SDK traders for the fault drills: each holds a DarkpoolClient session through the real
// gateway and keeps a few limit orders in flight, buyers on even indices and sellers on odd
// ones (so no account crosses itself), all the same size (so a fill is always whole and each
// order makes at most one trade). Buyers bid at or above 7.00 and sellers ask at or below it,
// so every order crosses whatever rests on the other side: the books stay shallow (an account's
// open-order answer must fit one channel frame) and most orders fill. Every outcome is recorded by client order id: acknowledged,
// refused with a code, or unknown because the link died with the request on it — an unknown
// order is resent with the same client order id until the enclave answers it, so after the
// drill every order sent has exactly one known outcome.
import { DarkpoolClient, isDarkpoolError } from '../../client/sdk/index.js';
import { nodeTransport } from '../../client/sdk/node-transport.js';
import type { AttestationPolicy } from '../../client/attestation/index.js';
import { Prng } from '../../test/support/prng.js';
import { ENGINE_MARKET } from '../engine-config.js';

export const TRADER_LIMITS = {
  /** Resends of one order whose outcome the link lost. */
  maxResends: 100,
  resendDelayMs: 50,
  /** Ack latencies kept for percentiles. */
  maxLatencySamples: 1_000_000,
} as const;

/** Every trader's deposit: far more than the drill can spend. */
export const TRADER_FUNDING = { DOT: 100_000n * 10n ** 10n, USDC: 10_000_000n * 10n ** 6n } as const;
export const ORDER_SIZE = '1';

export interface TraderPoolOptions {
  readonly url: string;
  readonly policy: AttestationPolicy;
  readonly seed: number;
  readonly traders: number;
  readonly inFlightPerTrader: number;
  /** Orders one trader sends at most (keeps each trader's trade list inside the enclave's 500). */
  readonly maxOrdersPerTrader: number;
  /** Funds an account inside the enclave (the engine's deposit port). */
  readonly fund: (account: string, asset: 'DOT' | 'USDC', atoms: bigint) => Promise<void>;
  /** Pause between one trader's orders per slot, to offer a steady rather than saturating load. */
  readonly pauseMs?: number;
}

export type Outcome = { readonly kind: 'acked'; readonly orderId: string } | { readonly kind: 'refused'; readonly errorName: string };

export class TraderPool {
  readonly clients: DarkpoolClient[] = [];
  /** clientOrderId -> outcome, once known. */
  readonly outcomes = new Map<string, Outcome>();
  /** clientOrderId -> trader index, for every order sent. */
  readonly owner = new Map<string, number>();
  /** Sent while a link died: resent until known. */
  readonly unknown = new Set<string>();
  readonly ackLatenciesUs: number[] = [];
  #running = false;
  #loops: Promise<void>[] = [];
  readonly #options: TraderPoolOptions;
  readonly #prng: Prng;
  readonly #sent: number[];

  private constructor(options: TraderPoolOptions) {
    this.#options = options;
    this.#prng = new Prng(options.seed);
    this.#sent = new Array<number>(options.traders).fill(0);
  }

  /** Connects and funds every trader. */
  static async open(options: TraderPoolOptions): Promise<TraderPool> {
    const pool = new TraderPool(options);
    for (let index = 0; index < options.traders; index++) {
      const secretKey = new Uint8Array(32);
      for (let byte = 0; byte < 32; byte++) secretKey[byte] = pool.#prng.int(0, 255);
      const client = new DarkpoolClient({
        url: options.url, secretKey, policy: options.policy, transport: nodeTransport, requestTimeoutMs: 5_000,
        reconnect: { initialDelayMs: 50, maxDelayMs: 250, maxAttempts: 1_000 }, storeRefreshMs: 0,
      });
      await client.connect();
      await options.fund(client.accountId, 'DOT', TRADER_FUNDING.DOT);
      await options.fund(client.accountId, 'USDC', TRADER_FUNDING.USDC);
      pool.clients.push(client);
    }
    return pool;
  }

  get sent(): number { return this.owner.size; }
  get acked(): number { return [...this.outcomes.values()].filter((o) => o.kind === 'acked').length; }

  /** Starts the order flow; it runs until stop() or every trader's budget is spent. */
  start(): void {
    this.#running = true;
    for (let trader = 0; trader < this.clients.length; trader++) {
      for (let slot = 0; slot < this.#options.inFlightPerTrader; slot++) this.#loops.push(this.#loop(trader, slot));
    }
  }

  /** Stops sending new orders and waits until every order sent has a known outcome. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }

  async #loop(trader: number, slot: number): Promise<void> {
    const client = this.clients[trader]!;
    const side = trader % 2 === 0 ? 'buy' : 'sell';
    for (let n = 0; this.#running && this.#sent[trader]! < this.#options.maxOrdersPerTrader; n++) {
      this.#sent[trader]! += 1;
      const clientOrderId = `t${trader}s${slot}n${n}`;
      const cents = side === 'buy' ? 700 + this.#prng.int(0, 2) : 700 - this.#prng.int(0, 2);
      this.owner.set(clientOrderId, trader);
      await this.#place(client, clientOrderId, side, `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`);
      if (this.#options.pauseMs !== undefined) await new Promise((resolve) => setTimeout(resolve, this.#options.pauseMs));
    }
  }

  async #place(client: DarkpoolClient, clientOrderId: string, side: 'buy' | 'sell', price: string): Promise<void> {
    for (let attempt = 0; attempt <= TRADER_LIMITS.maxResends; attempt++) {
      const startedMs = performance.now();
      try {
        const order = await client.createOrder(ENGINE_MARKET.id, 'limit', side, ORDER_SIZE, price, { clientOrderId });
        if (attempt === 0 && this.ackLatenciesUs.length < TRADER_LIMITS.maxLatencySamples) this.ackLatenciesUs.push(Math.round((performance.now() - startedMs) * 1_000));
        this.unknown.delete(clientOrderId);
        this.outcomes.set(clientOrderId, { kind: 'acked', orderId: order.id });
        return;
      } catch (error) {
        if (!isDarkpoolError(error)) throw error;
        if (error.origin === 'enclave') {
          this.unknown.delete(clientOrderId);
          this.outcomes.set(clientOrderId, { kind: 'refused', errorName: error.errorName });
          return;
        }
        // The link died or is down: the outcome is unknown until a resend is answered.
        if (error.errorName === 'CLIENT_CONNECTION_LOST') this.unknown.add(clientOrderId);
        await new Promise((resolve) => setTimeout(resolve, TRADER_LIMITS.resendDelayMs));
      }
    }
    throw new Error(`order ${clientOrderId} had no answer after ${TRADER_LIMITS.maxResends} resends`);
  }
}

/** p-th percentile (0..100) of samples, nearest rank; 0 for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
