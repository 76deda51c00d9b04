// ShardedDarkpoolClient: one trader's handle on a venue whose markets are split across several
// enclaves (docs/shards.md). It reads the gateway's shard map, and opens a DarkpoolClient per
// shard only when the trader first uses that shard (or all at once with openAllShards, which
// hides from the host which shards the trader uses). Every shard's attestation is verified on
// its own, and its signed statement must vouch for the markets the map routes to it, so an
// untrusted gateway cannot route a market to the wrong enclave. Market calls go to the market's
// shard; account-wide calls fan out over the open shards and merge. Each shard session
// reconnects and resumes on its own. Funds move between shards by transferBetweenShards: a
// voucher debited and signed by one shard, credited exactly once by the other.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { filter, Subject, type Observable } from 'rxjs';
import type { JsonObject } from '../../src/protocol/message-codec.js';
import { voucherId } from '../../src/protocol/shard-voucher.js';
import { addDecimals, checkAssetAmount } from './decimals.js';
import { DarkpoolClient, CLIENT_DEFAULTS, parseSecretKey, type DarkpoolClientOptions, type FetchLike } from './darkpool-client.js';
import { DarkpoolError, isDarkpoolError } from './errors.js';
import { assetDecimals } from './markets.js';
import { newClientOrderId } from './order-requests.js';
import { followPages } from './query-pages.js';
import { checkShardStatement, parseShardMap, SHARD_MAP_LIMITS, type ClientShardMap, type ShardInfo } from './shard-map.js';
import type { Balances, CancelOrderParams, CreateOrderParams, EditOrderChanges, ExecutionReport, MassQuoteResult, Order, OrderSide, OrderType, QuoteInput, Trade } from './types.js';

export interface ShardedClientOptions extends Omit<DarkpoolClientOptions, 'shard' | 'resumeAfterSeq'> {
  /** Open a session to every shard at connect, so the host cannot tell which shards this trader uses. Default false. */
  readonly openAllShards?: boolean;
  /** Attempts per transfer step on a retryable failure (each retry is idempotent). Default 5. */
  readonly transferAttempts?: number;
}

export const SHARDED_CLIENT_LIMITS = {
  maxTransferAttempts: 20,
  transferRetryDelayMs: 100,
  maxStatementChars: 16_384,
} as const;

/** One shard's report, tagged with its shard (seq numbers are per shard). */
export interface ShardReport {
  readonly shardId: string;
  readonly report: ExecutionReport;
}

export interface ShardBalances {
  /** Per asset, summed over the shards asked. */
  readonly total: Readonly<Record<string, { readonly free: string; readonly used: string; readonly total: string; readonly settling: string }>>;
  readonly byShard: Readonly<Record<string, Balances>>;
}

export interface ShardTransferResult {
  readonly transferId: string;
  readonly voucherId: string;
  readonly asset: string;
  /** Atoms, as the voucher states them. */
  readonly amountAtoms: string;
  readonly fromShard: string;
  readonly toShard: string;
  /** credited: by this call; alreadyCredited: the target shard had credited this voucher before (a retry or a recovery). */
  readonly status: 'credited' | 'alreadyCredited';
}

interface Voucher {
  readonly payload: string;
  readonly signatureHex: string;
}

export class ShardedDarkpoolClient {
  readonly accountId: string;
  readonly #options: ShardedClientOptions;
  readonly #secretKey: Uint8Array;
  readonly #baseUrl: string;
  readonly #fetch: FetchLike;
  #map: ClientShardMap | undefined;
  readonly #clients = new Map<string, Promise<DarkpoolClient>>();
  /** The attestation bundle text each shard's last accepted verdict was computed from. */
  readonly #bundles = new Map<string, string>();
  readonly #orders = new Subject<Order>();
  readonly #trades = new Subject<Trade>();
  readonly #reports = new Subject<ShardReport>();
  readonly #faults = new Subject<{ readonly shardId: string; readonly error: DarkpoolError }>();
  #closed = false;

  constructor(options: ShardedClientOptions) {
    this.#options = options;
    this.#secretKey = parseSecretKey(options.secretKey);
    this.accountId = bytesToHex(ed25519.getPublicKey(this.#secretKey));
    this.#baseUrl = checkBaseUrl(options.url);
    const fetchFunction = options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
    if (fetchFunction === undefined) throw new DarkpoolError('CLIENT_TRANSPORT_UNAVAILABLE', 'no global fetch; pass options.fetch');
    // Called as a plain function: a browser's fetch refuses any other `this`.
    this.#fetch = (url, init) => fetchFunction(url, init);
    const attempts = options.transferAttempts ?? 5;
    if (!Number.isSafeInteger(attempts) || attempts < 1 || attempts > SHARDED_CLIENT_LIMITS.maxTransferAttempts) {
      throw new DarkpoolError('CLIENT_OPTIONS_INVALID', `transferAttempts must be an integer in [1, ${SHARDED_CLIENT_LIMITS.maxTransferAttempts}]`);
    }
  }

  // ─────────────────────────── shards ───────────────────────────

  /** Fetches the shard map (and, with openAllShards, opens every shard). Sessions otherwise open on first use. */
  async connect(): Promise<ClientShardMap> {
    this.#map = parseShardMap(await this.#getText('/v1/shards', SHARD_MAP_LIMITS.maxMapChars));
    if (this.#options.openAllShards === true) await Promise.all([...this.#map.shards.keys()].map((id) => this.shard(id)));
    return this.#map;
  }

  get shardMap(): ClientShardMap {
    if (this.#map === undefined) throw new DarkpoolError('CLIENT_NOT_CONNECTED', 'call connect() first');
    return this.#map;
  }

  /** The shard the map routes this market to; CLIENT_SHARD_UNKNOWN when none. */
  shardOf(symbol: string): string {
    const shardId = this.shardMap.marketShard.get(symbol);
    if (shardId === undefined) throw new DarkpoolError('CLIENT_SHARD_UNKNOWN', `no shard serves ${String(symbol).slice(0, 64)}`);
    return shardId;
  }

  /** Shards with a session opened (or opening). */
  get openShardIds(): readonly string[] {
    return [...this.#clients.keys()];
  }

  /**
   * The shard's client, its session opened on first use: attestation verified under the policy,
   * then its statement checked against the map. A refused shard rejects (and is retried on the next call).
   */
  shard(shardId: string): Promise<DarkpoolClient> {
    if (this.#closed) return Promise.reject(new DarkpoolError('CLIENT_CLOSED'));
    const existing = this.#clients.get(shardId);
    if (existing !== undefined) return existing;
    const info = this.shardMap.shards.get(shardId);
    if (info === undefined) return Promise.reject(new DarkpoolError('CLIENT_SHARD_UNKNOWN', String(shardId).slice(0, 40)));
    const opening = this.#open(info);
    this.#clients.set(shardId, opening);
    opening.catch(() => { if (this.#clients.get(shardId) === opening) this.#clients.delete(shardId); });
    return opening;
  }

  // ─────────────────────────── trading, routed by market ───────────────────────────

  async createOrder(symbol: string, type: OrderType, side: OrderSide, amount: string, price?: string, params: CreateOrderParams = {}): Promise<Order> {
    return (await this.#forMarket(symbol)).createOrder(symbol, type, side, amount, price, params);
  }

  async cancelOrder(id: string, symbol: string, params: CancelOrderParams = {}): Promise<{ readonly id: string }> {
    return (await this.#forMarket(symbol)).cancelOrder(id, symbol, params);
  }

  async editOrder(id: string, symbol: string, changes: EditOrderChanges, params: CancelOrderParams = {}): Promise<{ readonly id: string }> {
    return (await this.#forMarket(symbol)).editOrder(id, symbol, changes, params);
  }

  async massQuote(symbol: string, quotes: readonly QuoteInput[]): Promise<MassQuoteResult> {
    return (await this.#forMarket(symbol)).massQuote(symbol, quotes);
  }

  // ─────────────────────────── account-wide: fan out over the open shards ───────────────────────────

  /** One market's shard, or every open shard; the counts are summed. */
  async cancelAllOrders(symbol?: string): Promise<{ readonly cancelled: number }> {
    if (symbol !== undefined) return (await this.#forMarket(symbol)).cancelAllOrders(symbol);
    const results = await this.#fanOut((client) => client.cancelAllOrders());
    return { cancelled: results.reduce((sum, [, result]) => sum + result.cancelled, 0) };
  }

  async fetchOpenOrders(symbol?: string): Promise<Order[]> {
    if (symbol !== undefined) return (await this.#forMarket(symbol)).fetchOpenOrders(symbol);
    return (await this.#fanOut((client) => client.fetchOpenOrders())).flatMap(([, orders]) => orders);
  }

  async fetchMyTrades(symbol?: string): Promise<Trade[]> {
    if (symbol !== undefined) return (await this.#forMarket(symbol)).fetchMyTrades(symbol);
    return (await this.#fanOut((client) => client.fetchMyTrades())).flatMap(([, trades]) => trades).sort((a, b) => a.timestamp - b.timestamp);
  }

  /** Balances per shard (each shard holds its own allocation) and their sum per asset. */
  async fetchBalance(): Promise<ShardBalances> {
    const balances = await this.#fanOut((client) => client.fetchBalance());
    const byShard: Record<string, Balances> = {};
    const total: Record<string, { free: string; used: string; total: string; settling: string }> = {};
    balances.forEach(([shardId, shardBalances]) => {
      byShard[shardId] = shardBalances;
      for (const [asset, entry] of Object.entries(shardBalances.assets)) {
        const sum = total[asset] ?? { free: '0', used: '0', total: '0', settling: '0' };
        total[asset] = {
          free: addDecimals(sum.free, entry.free), used: addDecimals(sum.used, entry.used),
          total: addDecimals(sum.total, entry.total), settling: addDecimals(sum.settling, entry.settling),
        };
      }
    });
    return { total, byShard };
  }

  /** Order changes from every open shard. */
  watchOrders(symbol?: string): Observable<Order> {
    return this.#orders.pipe(filter((order) => symbol === undefined || order.symbol === symbol));
  }

  /** Fills from every open shard. */
  watchMyTrades(symbol?: string): Observable<Trade> {
    return this.#trades.pipe(filter((trade) => symbol === undefined || trade.symbol === symbol));
  }

  /** Every shard's reports, each tagged with its shard (in seq order per shard). */
  watchReports(): Observable<ShardReport> {
    return this.#reports.asObservable();
  }

  /** Faults of the shard sessions (a refused reconnect, a gap), tagged with the shard. */
  watchFaults(): Observable<{ readonly shardId: string; readonly error: DarkpoolError }> {
    return this.#faults.asObservable();
  }

  // ─────────────────────────── moving funds between shards ───────────────────────────

  /**
   * Moves `amount` of `asset` from one shard's balance to another's. The source shard debits and
   * signs a voucher bound to the target shard's attested identity (a retry with the same
   * transferId returns the same voucher, debiting once); the target shard checks it under the
   * source's attestation and credits it once by voucher id. Pass your own params.transferId and
   * persist it to retry safely across a crash; recoverTransfers() redeems what a crash left.
   */
  async transferBetweenShards(asset: string, amount: string, fromShard: string, toShard: string, params: { readonly transferId?: string } = {}): Promise<ShardTransferResult> {
    if (fromShard === toShard) throw new DarkpoolError('CLIENT_SHARD_TRANSFER_INVALID', 'the shards must differ');
    const [source, target] = await Promise.all([this.shard(fromShard), this.shard(toShard)]);
    const decimals = assetDecimals([...source.markets.values()]).get(asset);
    if (decimals === undefined || assetDecimals([...target.markets.values()]).get(asset) !== decimals) {
      throw new DarkpoolError('CLIENT_SHARD_TRANSFER_INVALID', `${String(asset).slice(0, 16)} is not settled by both shards`);
    }
    const canonical = checkAssetAmount(amount, decimals);
    const transferId = params.transferId ?? `t${newClientOrderId().slice(1)}`;
    const toIdentity = target.attestation!.enclaveKeys.ed25519Hex;
    const issued = await this.#retrying(() => source.request('funds.transferOut', { asset, amount: canonical, toShard, toIdentity, transferId }));
    const voucher = readVoucher(issued.voucher);
    return this.#redeem(fromShard, toShard, voucher, transferId);
  }

  /**
   * Redeems every voucher the open shards (or the given ones) still remember issuing to this
   * account at its target shard: after a crash between debit and credit, this finishes the
   * transfer; vouchers already credited come back as alreadyCredited and credit nothing.
   */
  async recoverTransfers(shardIds: readonly string[] = this.openShardIds): Promise<ShardTransferResult[]> {
    const results: ShardTransferResult[] = [];
    for (const fromShard of shardIds) {
      const source = await this.shard(fromShard);
      const vouchers: unknown[] = [];
      await followPages((_type, body, options) => this.#retrying(() => source.request('query.transfers', body, options)), 'query.transfers', {}, ({ result }) => {
        if (Array.isArray(result.vouchers)) vouchers.push(...result.vouchers);
      });
      for (const entry of vouchers) {
        const voucher = readVoucher(entry);
        const payload = payloadOf(voucher);
        results.push(await this.#redeem(fromShard, payload.toShard, voucher, payload.transferId));
      }
    }
    return results;
  }

  /** Closes every shard session. */
  async close(): Promise<void> {
    this.#closed = true;
    const clients = await Promise.allSettled([...this.#clients.values()]);
    for (const client of clients) if (client.status === 'fulfilled') await client.value.close();
    this.#secretKey.fill(0);
    this.#orders.complete();
    this.#trades.complete();
    this.#reports.complete();
    this.#faults.complete();
  }

  // ─────────────────────────── internals ───────────────────────────

  /** Redeems at the target shard with the source shard's bundle as this client verified it (its session opened, so vouch recorded it). */
  async #redeem(fromShard: string, toShard: string, voucher: Voucher, transferId: string): Promise<ShardTransferResult> {
    const [target] = await Promise.all([this.shard(toShard), this.shard(fromShard)]);
    const issuerBundle = this.#bundles.get(fromShard);
    if (issuerBundle === undefined) throw new Error(`assertion: shard ${fromShard} is open without a verified bundle`);
    const payload = payloadOf(voucher);
    const result = { transferId, voucherId: voucherId(voucher.payload), asset: payload.asset, amountAtoms: payload.amountAtoms, fromShard, toShard };
    try {
      await this.#retrying(() => target.request('funds.transferIn', { voucher, issuerBundle }));
      return { ...result, status: 'credited' };
    } catch (error) {
      if (isDarkpoolError(error, 'SHARD_VOUCHER_REDEEMED')) return { ...result, status: 'alreadyCredited' };
      throw error;
    }
  }

  async #retrying(call: () => Promise<JsonObject>): Promise<JsonObject> {
    const attempts = this.#options.transferAttempts ?? 5;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (!isDarkpoolError(error) || !error.retryable || attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, SHARDED_CLIENT_LIMITS.transferRetryDelayMs * attempt));
      }
    }
  }

  async #forMarket(symbol: string): Promise<DarkpoolClient> {
    return this.shard(this.shardOf(symbol));
  }

  /** The call on every open shard, each result with its shard id. */
  async #fanOut<T>(call: (client: DarkpoolClient) => Promise<T>): Promise<[string, T][]> {
    return Promise.all([...this.#clients].map(async ([shardId, opening]) => [shardId, await call(await opening)] as [string, T]));
  }

  async #open(info: ShardInfo): Promise<DarkpoolClient> {
    const { openAllShards: _all, transferAttempts: _attempts, ...rest } = this.#options;
    const client = new DarkpoolClient({
      ...rest,
      secretKey: this.#secretKey,
      shard: {
        attestationPath: `${info.route}/attestation`,
        streamPath: `${info.route}/stream`,
        vouch: async (verdict, bundle) => {
          checkShardStatement(info, verdict, await this.#getText(`${info.route}/statement`, SHARDED_CLIENT_LIMITS.maxStatementChars));
          this.#bundles.set(info.id, bundle);
        },
      },
    });
    client.watchOrders().subscribe((order) => this.#orders.next(order));
    client.watchMyTrades().subscribe((trade) => this.#trades.next(trade));
    client.watchReports().subscribe((report) => this.#reports.next({ shardId: info.id, report }));
    client.watchFaults().subscribe((error) => this.#faults.next({ shardId: info.id, error }));
    try {
      await client.connect();
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  async #getText(path: string, maxChars: number): Promise<string> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#options.httpTimeoutMs ?? CLIENT_DEFAULTS.httpTimeoutMs);
    try {
      let response: Awaited<ReturnType<FetchLike>>;
      let text: string;
      try {
        response = await this.#fetch(new URL(path, this.#baseUrl).toString(), { signal: controller.signal, headers: { accept: 'application/json' } });
        text = await response.text();
      } catch (error) {
        throw new DarkpoolError('CLIENT_HTTP_FAILED', `GET ${path}: ${error instanceof Error ? error.message : String(error)}`, { origin: 'gateway' });
      }
      if (!response.ok) throw new DarkpoolError('CLIENT_HTTP_FAILED', `GET ${path}: status ${response.status}`, { origin: 'gateway' });
      if (text.length > maxChars) throw new DarkpoolError('CLIENT_HTTP_BAD_RESPONSE', `GET ${path}: ${text.length} characters, at most ${maxChars}`, { origin: 'gateway' });
      return text;
    } finally {
      clearTimeout(timer);
    }
  }
}

function checkBaseUrl(url: unknown): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw new DarkpoolError('CLIENT_OPTIONS_INVALID', 'url must be an http: or https: URL');
  return parsed.toString();
}

/** The voucher object of a transferOut or query.transfers answer, checked for shape only (the target shard verifies it). */
function readVoucher(value: unknown): Voucher {
  const { payload, signatureHex } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof payload !== 'string' || typeof signatureHex !== 'string') throw new DarkpoolError('CLIENT_BAD_ANSWER', 'a voucher without payload and signatureHex', { origin: 'enclave' });
  return { payload, signatureHex };
}

/** The fields of a voucher payload the client routes by. */
function payloadOf(voucher: Voucher): { readonly toShard: string; readonly transferId: string; readonly asset: string; readonly amountAtoms: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(voucher.payload);
  } catch {
    parsed = undefined;
  }
  const { toShard, transferId, asset, amountAtoms } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof toShard !== 'string' || typeof transferId !== 'string' || typeof asset !== 'string' || typeof amountAtoms !== 'string') {
    throw new DarkpoolError('CLIENT_BAD_ANSWER', 'a voucher payload without toShard, transferId, asset and amountAtoms', { origin: 'enclave' });
  }
  return { toShard, transferId, asset, amountAtoms };
}
