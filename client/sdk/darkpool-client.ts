// DarkpoolClient: the trader's handle on the venue, with the method names CCXT users expect.
// connect() fetches the markets and the attestation bundle from the gateway, verifies the
// bundle under the caller's policy (a development bundle only with explicit opt-in, and the
// verdict then says insecure), opens the encrypted session with the trader's Ed25519 key and
// learns where the execution stream stands. Every call after that is one sealed request,
// answered by envelope id. Reports flow, in seq order and each once, into the local store
// and the watch* Observables — also across reconnects, which resume the stream where it
// stopped and then reconcile the store with the server.
//
// Deposits: depositAddress(asset) asks the enclave (over the encrypted channel, not the gateway)
// where to deposit: the pool account on the settlement chain and the asset's location there. The
// trader transfers from the account whose AccountId32 is this client's accountId; the enclave
// credits it once the transfer is final and a "deposit" report arrives.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import type { Collateral } from '@phala/dcap-qvl';
import { filter, Subject, type Observable } from 'rxjs';
import { verifyAttestation, type AcceptedAttestation, type AttestationPolicy, type AttestationVerdictCache } from '../attestation/index.js';
import { ATTESTATION_BUNDLE_LIMITS } from '../../src/protocol/attestation-bundle.js';
import type { ChannelMessage, JsonObject } from '../../src/protocol/message-codec.js';
import type { RequestBodies, RequestType } from '../../src/protocol/trading-messages.js';
import { readBalances, readDepositAddress, readList, readOpenOrders, readReport, readTrades, resultInt, resultIntList, resultString } from './answers.js';
import { checkAssetAmount } from './decimals.js';
import { DarkpoolError, isDarkpoolError } from './errors.js';
import { assetDecimals, parseMarkets, type Market } from './markets.js';
import { buildAmendBody, buildPlaceRequest, buildQuoteLevels, checkDeadManMs, orderRef } from './order-requests.js';
import { followPages, type ListRequestType, type ReceivedPage } from './query-pages.js';
import { ReportSequencer, type SeqRange } from './report-sequencer.js';
import { ResilientSession, SESSION_DEFAULTS, SESSION_LIMITS, type ReconnectOptions, type RequestOptions } from './resilient-session.js';
import type { SessionTarget } from './session-link.js';
import { DarkpoolStore } from './store.js';
import { defaultTransport, type Transport } from './transport.js';
import type {
  Balances, CancelOrderParams, ConnectionState, CreateOrderParams, DepositAddress, EditOrderChanges, ExecutionReport, MassQuoteResult, Order,
  OrderSide, OrderType, QuoteInput, Trade, WithdrawResult,
} from './types.js';

/** The part of fetch the client uses; the global fetch fits. */
export type FetchLike = (url: string, init: { readonly signal: AbortSignal; readonly headers: Readonly<Record<string, string>> }) => Promise<{
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}>;

export interface DarkpoolClientOptions {
  /** The gateway's base URL, e.g. "https://venue.example" or "http://127.0.0.1:8080". */
  readonly url: string;
  /** The trader's 32-byte Ed25519 seed (their Polkadot ed25519 account's secret), as bytes or hex. */
  readonly secretKey: Uint8Array | string;
  /** What enclave evidence to accept. A dev section with allowInsecureDevAttestation: true is the only way to accept a development enclave. */
  readonly policy: AttestationPolicy;
  /** DCAP collateral for TDX verification, fetched by the client itself. */
  readonly collateral?: Collateral;
  readonly attestationCache?: AttestationVerdictCache;
  /** Defaults to the platform WebSocket; in Node pass nodeTransport from client/sdk/node-transport.ts. */
  readonly transport?: Transport;
  /** Defaults to the global fetch. */
  readonly fetch?: FetchLike;
  /** Default 10000. */
  readonly requestTimeoutMs?: number;
  /** Default 10000. */
  readonly handshakeTimeoutMs?: number;
  /** Default 10000. */
  readonly httpTimeoutMs?: number;
  readonly reconnect?: ReconnectOptions;
  /** Continue a stream from a seq persisted earlier; by default only reports after connect() are delivered. */
  readonly resumeAfterSeq?: number;
  /** After reports that move funds, refetch balances (and unknown orders) into the store this much later; 0 turns it off. Default 200. */
  readonly storeRefreshMs?: number;
  /** Uniform in [0, 1), for reconnect jitter. Default Math.random. */
  readonly random?: () => number;
  /** One shard of a sharded venue (client/sdk/sharded-client.ts): its endpoints, and a check of each verified attestation. */
  readonly shard?: ShardEndpoint;
}

/** Where one shard's attestation and stream live on the gateway, and what must hold of its enclave. */
export interface ShardEndpoint {
  /** e.g. "/v1/shards/a/attestation". */
  readonly attestationPath: string;
  /** e.g. "/v1/shards/a/stream". */
  readonly streamPath: string;
  /** Runs after every accepted attestation (connect and each reconnect); throws a DarkpoolError to refuse the enclave. */
  vouch(verdict: AcceptedAttestation, bundle: string): Promise<void>;
}

export const CLIENT_DEFAULTS = {
  httpTimeoutMs: 10_000,
  storeRefreshMs: 200,
  maxMarketsBodyChars: 1_000_000,
} as const;

/** Resume from the newest report: the enclave answers with the current last seq and replays nothing. */
const RESUME_FROM_NOW = Number.MAX_SAFE_INTEGER;
const SECRET_KEY_BYTES = 32;
const HEX_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

export class DarkpoolClient {
  /** The local store of orders, trades and balances, fed by the report stream. */
  readonly store = new DarkpoolStore();
  /** The trader's account: the Ed25519 public key (AccountId32) as lowercase hex. */
  readonly accountId: string;
  readonly #options: DarkpoolClientOptions;
  readonly #baseUrl: URL;
  readonly #secretKey: Uint8Array;
  readonly #fetch: FetchLike;
  readonly #session: ResilientSession;
  readonly #reports = new Subject<ExecutionReport>();
  readonly #orders = new Subject<Order>();
  readonly #trades = new Subject<Trade>();
  readonly #gaps = new Subject<SeqRange>();
  readonly #faults = new Subject<DarkpoolError>();
  readonly #state = new Subject<ConnectionState>();
  #markets = new Map<string, Market>();
  #assets = new Map<string, number>();
  #attestation: AcceptedAttestation | undefined;
  #sequencer: ReportSequencer<ExecutionReport>;
  #deadManMs = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #heartbeatInFlight = false;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #connected = false;

  constructor(options: DarkpoolClientOptions) {
    this.#options = options;
    this.#baseUrl = parseBaseUrl(options.url);
    this.#secretKey = parseSecretKey(options.secretKey);
    this.accountId = bytesToHex(ed25519.getPublicKey(this.#secretKey));
    this.#fetch = options.fetch ?? globalFetch();
    const resumeAfterSeq = options.resumeAfterSeq;
    if (resumeAfterSeq !== undefined && (!Number.isSafeInteger(resumeAfterSeq) || resumeAfterSeq < 0)) throw new DarkpoolError('CLIENT_OPTIONS_INVALID', 'resumeAfterSeq must be a non-negative integer');
    this.#sequencer = new ReportSequencer<ExecutionReport>(resumeAfterSeq);
    const reconnect = { ...SESSION_DEFAULTS.reconnect, ...options.reconnect };
    checkRange(reconnect.initialDelayMs, 1, SESSION_LIMITS.maxReconnectDelayMs, 'reconnect.initialDelayMs');
    checkRange(reconnect.maxDelayMs, reconnect.initialDelayMs, SESSION_LIMITS.maxReconnectDelayMs, 'reconnect.maxDelayMs');
    checkRange(reconnect.maxAttempts, 1, SESSION_LIMITS.maxReconnectAttempts, 'reconnect.maxAttempts');
    const requestTimeoutMs = checkRange(options.requestTimeoutMs ?? SESSION_DEFAULTS.requestTimeoutMs, 1, SESSION_LIMITS.maxTimeoutMs, 'requestTimeoutMs');
    const handshakeTimeoutMs = checkRange(options.handshakeTimeoutMs ?? SESSION_DEFAULTS.handshakeTimeoutMs, 1, SESSION_LIMITS.maxTimeoutMs, 'handshakeTimeoutMs');
    checkRange(options.httpTimeoutMs ?? CLIENT_DEFAULTS.httpTimeoutMs, 1, SESSION_LIMITS.maxTimeoutMs, 'httpTimeoutMs');
    checkRange(options.storeRefreshMs ?? CLIENT_DEFAULTS.storeRefreshMs, 0, SESSION_LIMITS.maxTimeoutMs, 'storeRefreshMs');
    this.#session = new ResilientSession({
      transport: options.transport ?? defaultTransport(),
      secretKey: this.#secretKey,
      prepare: () => this.#prepare(),
      requestTimeoutMs,
      handshakeTimeoutMs,
      maxPendingRequests: SESSION_DEFAULTS.maxPendingRequests,
      reconnect,
      random: options.random ?? Math.random,
    }, {
      onEstablished: (first) => this.#established(first),
      onMessage: (message) => this.#message(message),
      onFault: (error) => this.#faults.next(error),
      onStateChange: (state) => this.#state.next(state),
      onGiveUp: (error) => {
        this.#stopTimers();
        this.#faults.next(error);
      },
    });
  }

  // ─────────────────────────── connection ───────────────────────────

  /**
   * Fetches the markets and the attestation, verifies it, opens the session, learns the stream
   * position and fills the store. Resolves with the accepted verdict (check its `insecure`);
   * rejects with a DarkpoolError (an ATTESTATION_* code when the enclave is refused).
   */
  async connect(): Promise<AcceptedAttestation> {
    await this.fetchMarkets();
    await this.#session.connect();
    try {
      await this.#afterSession(true);
    } catch (error) {
      this.#session.close();
      throw error;
    }
    this.#connected = true;
    return this.#attestation!;
  }

  /** The verdict of the last verified attestation (insecure: true for a development enclave). */
  get attestation(): AcceptedAttestation | undefined {
    return this.#attestation;
  }

  get connectionState(): ConnectionState {
    return this.#session.state;
  }

  /** Connection state changes: connecting, open, reconnecting, closed. */
  get connectionState$(): Observable<ConnectionState> {
    return this.#state.asObservable();
  }

  /** The last report seq delivered; persist it and pass it back as resumeAfterSeq to continue later. */
  get lastSeq(): number | undefined {
    return this.#sequencer.lastSeq;
  }

  /** Disarms nothing on the server: a dead-man switch keeps running, by design. Pending calls fail CLIENT_CLOSED. */
  async close(): Promise<void> {
    this.#stopTimers();
    this.#session.close();
    this.#secretKey.fill(0);
    this.#reports.complete();
    this.#orders.complete();
    this.#trades.complete();
    this.#gaps.complete();
    this.#faults.complete();
    this.#state.complete();
    this.store.complete();
  }

  // ─────────────────────────── markets ───────────────────────────

  /** GET /v1/markets; also refreshes the specs the client checks orders against. */
  async fetchMarkets(): Promise<Market[]> {
    const text = await this.#getText('/v1/markets', CLIENT_DEFAULTS.maxMarketsBodyChars);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new DarkpoolError('CLIENT_HTTP_BAD_RESPONSE', 'GET /v1/markets: not JSON', { origin: 'gateway' });
    }
    const markets = parseMarkets(json);
    this.#assets = assetDecimals(markets);
    this.#markets = new Map(markets.map((market) => [market.id, market]));
    return markets;
  }

  get markets(): ReadonlyMap<string, Market> {
    return this.#markets;
  }

  market(symbol: string): Market {
    const market = this.#markets.get(symbol);
    if (market === undefined) throw new DarkpoolError('CLIENT_MARKET_UNKNOWN', String(symbol).slice(0, 64));
    return market;
  }

  // ─────────────────────────── trading ───────────────────────────

  /**
   * Places an order. type: limit (price), market (params.protectionPrice), midpoint (params.cap
   * optional for sells), peg (params.offsetTicks, params.cap). Resolves once the enclave has
   * accepted it durably; fills follow on watchOrders / watchMyTrades.
   */
  async createOrder(symbol: string, type: OrderType, side: OrderSide, amount: string, price?: string, params: CreateOrderParams = {}): Promise<Order> {
    const { body, placement } = buildPlaceRequest(this.market(symbol), type, side, amount, price, params);
    this.store.notePlacement(body.clientOrderId, placement);
    let result: JsonObject;
    try {
      result = await this.#request('order.place', body);
    } catch (error) {
      if (isDarkpoolError(error) && error.origin === 'enclave') this.store.forgetPlacement(body.clientOrderId);
      throw error;
    }
    const id = String(resultInt(result, 'orderId'));
    return this.store.order(id) ?? {
      id, clientOrderId: body.clientOrderId, symbol, type: placement.type, side: placement.side, price: placement.price,
      amount: placement.amount, filled: '0', remaining: placement.amount, status: 'open', timeInForce: placement.timeInForce,
      reason: undefined, lastUpdateTimestamp: Date.now(),
    };
  }

  /** Cancels one order by id (or by params.clientOrderId with id ''). Resolves with the cancelled order id. */
  async cancelOrder(id: string, symbol: string, params: CancelOrderParams = {}): Promise<{ readonly id: string }> {
    const result = await this.#request('order.cancel', orderRef(this.market(symbol), id, params.clientOrderId));
    return { id: String(resultInt(result, 'orderId')) };
  }

  /** Changes an open order's remaining amount and/or limit price (a price change loses time priority). */
  async editOrder(id: string, symbol: string, changes: EditOrderChanges, params: CancelOrderParams = {}): Promise<{ readonly id: string }> {
    const body = buildAmendBody(this.market(symbol), id, changes, params.clientOrderId);
    const result = await this.#request('order.amend', body);
    const orderId = String(resultInt(result, 'orderId'));
    if (body.price !== undefined) this.store.notePrice(orderId, body.price);
    return { id: orderId };
  }

  /** Cancels every open order of the account, in one market or in all. */
  async cancelAllOrders(symbol?: string): Promise<{ readonly cancelled: number }> {
    const result = await this.#request('order.cancelAll', { market: symbol === undefined ? undefined : this.market(symbol).id });
    return { cancelled: resultInt(result, 'cancelled') };
  }

  /**
   * The dead-man switch: unless a heartbeat arrives within ms, the enclave cancels all the
   * account's orders. While armed, the client heartbeats every ms/3 (and re-arms after a
   * reconnect); 0 disarms.
   */
  async cancelAllOrdersAfter(ms: number): Promise<{ readonly afterMs: number }> {
    const afterMs = checkDeadManMs(ms);
    const result = await this.#request('session.deadMan', { afterMs });
    this.#deadManMs = afterMs;
    this.#startHeartbeat();
    return { afterMs: resultInt(result, 'afterMs') };
  }

  /** Replaces this account's mass-quote ladder in the market atomically (all levels or none). */
  async massQuote(symbol: string, quotes: readonly QuoteInput[]): Promise<MassQuoteResult> {
    const market = this.market(symbol);
    const { levels, placements } = buildQuoteLevels(market, quotes);
    levels.forEach((level, index) => this.store.notePlacement(level.clientOrderId, placements[index]!));
    let result: JsonObject;
    try {
      result = await this.#request('order.massQuote', { market: market.id, quotes: levels });
    } catch (error) {
      if (isDarkpoolError(error) && error.origin === 'enclave') for (const level of levels) this.store.forgetPlacement(level.clientOrderId);
      throw error;
    }
    return { orderIds: resultIntList(result, 'orderIds').map(String), clientOrderIds: levels.map((level) => level.clientOrderId) };
  }

  /** Debits the amount now and pays it out on the settlement chain to the trader's account. */
  async withdraw(asset: string, amount: string): Promise<WithdrawResult> {
    const decimals = this.#assets.get(asset);
    if (decimals === undefined) throw new DarkpoolError('CLIENT_ASSET_UNKNOWN', String(asset).slice(0, 64));
    const canonical = checkAssetAmount(amount, decimals);
    const result = await this.#request('funds.withdraw', { asset, amount: canonical });
    return { id: resultString(result, 'withdrawalId'), asset, amount: canonical };
  }

  /**
   * Where to deposit `asset`, as the enclave states it over the encrypted channel (the gateway
   * cannot alter it): the chain, the pool account, the asset's location, and the convention —
   * transfer from this client's own account (sendFrom); no memo. Rejects with
   * CLIENT_DEPOSIT_ADDRESS_MISMATCH when the answer names another asset or account.
   */
  async depositAddress(asset: string): Promise<DepositAddress> {
    if (!this.#assets.has(asset)) throw new DarkpoolError('CLIENT_ASSET_UNKNOWN', String(asset).slice(0, 64));
    const { creditedAccount, ...address } = readDepositAddress(await this.#request('query.depositAddress', { asset }));
    if (address.asset !== asset || creditedAccount !== this.accountId || address.sendFrom.hex !== `0x${this.accountId}`) {
      throw new DarkpoolError('CLIENT_DEPOSIT_ADDRESS_MISMATCH', `asked ${asset.slice(0, 16)} for ${this.accountId.slice(0, 16)}…`, { origin: 'enclave', retryable: false });
    }
    return address;
  }

  // ─────────────────────────── queries (each also reconciles the store) ───────────────────────────

  /**
   * Every open order of the account (of one symbol when given), page after page to the end.
   * Each page reconciles the store for the order ids it covers, at its place in the stream.
   */
  async fetchOpenOrders(symbol?: string): Promise<Order[]> {
    const market = symbol === undefined ? undefined : this.market(symbol).id;
    await this.#pages('query.orders', { market }, ({ result, cursor, nextCursor }) => {
      const range = { afterId: cursor === undefined ? 0 : Number(cursor), throughId: nextCursor === null ? undefined : Number(nextCursor) };
      this.store.reconcile({ openOrders: readOpenOrders(result, Date.now()), symbol, orderIdRange: range }, Date.now());
    });
    return symbol === undefined ? this.store.openOrders() : this.store.openOrders(symbol);
  }

  /**
   * This account's recent fills (the enclave keeps the last 500) with their settlement status
   * now, oldest first, read page after page. CCXT-style filters: of one symbol; since a time
   * (ms, inclusive); at most `limit` of them (the first `limit` from `since`, else the newest).
   */
  async fetchMyTrades(symbol?: string, since?: number, limit?: number): Promise<Trade[]> {
    if (since !== undefined) checkRange(since, 0, Number.MAX_SAFE_INTEGER, 'since');
    if (limit !== undefined) checkRange(limit, 1, Number.MAX_SAFE_INTEGER, 'limit');
    const trades: Trade[] = [];
    await this.#pages('query.trades', {}, ({ result }) => {
      const page = readTrades(result);
      trades.push(...page);
      this.store.reconcile({ trades: page }, Date.now());
    });
    const matching = trades.filter((trade) => (symbol === undefined || trade.symbol === symbol) && (since === undefined || trade.timestamp >= since));
    if (limit === undefined || matching.length <= limit) return matching;
    return since === undefined ? matching.slice(matching.length - limit) : matching.slice(0, limit);
  }

  async fetchBalance(): Promise<Balances> {
    const entries: unknown[] = [];
    let balances: Balances | undefined;
    await this.#pages('query.balances', {}, ({ result, nextCursor }) => {
      entries.push(...readList(result, 'balances'));
      if (nextCursor !== null) return;
      balances = readBalances({ balances: entries as JsonObject[] }, this.#assets, Date.now());
      this.store.setBalances(balances);
    });
    return balances!;
  }

  // ─────────────────────────── streams ───────────────────────────

  /** Every execution report, in seq order, each exactly once (across reconnects too). */
  watchReports(): Observable<ExecutionReport> {
    return this.#reports.asObservable();
  }

  /** Each change to one of this account's orders, as the store now sees it. */
  watchOrders(symbol?: string): Observable<Order> {
    return this.#orders.pipe(filter((order) => symbol === undefined || order.symbol === symbol));
  }

  /**
   * This account's fills as they happen (settlement 'pending'), and each again whenever its
   * settlement status changes (same id, new settlement): filter on settlement to tell them apart.
   */
  watchMyTrades(symbol?: string): Observable<Trade> {
    return this.#trades.pipe(filter((trade) => symbol === undefined || trade.symbol === symbol));
  }

  /** Holes in the stream the enclave could no longer fill after an outage (the store is reconciled then). */
  watchGaps(): Observable<SeqRange> {
    return this.#gaps.asObservable();
  }

  /** Errors that belong to no call: tampered frames, a failed heartbeat or refresh, giving up on reconnecting. */
  watchFaults(): Observable<DarkpoolError> {
    return this.#faults.asObservable();
  }

  /**
   * Sends one request as given, without the client-side checks (for tools and tests that want
   * the enclave's own verdict). Resolves with the raw result object.
   */
  request<T extends RequestType>(type: T, body: RequestBodies[T], options?: RequestOptions): Promise<JsonObject> {
    return this.#request(type, body, options);
  }

  // ─────────────────────────── internals ───────────────────────────

  /** Follows a list query to its last page (a bounded number of them). */
  #pages(type: ListRequestType, body: object, onPage: (page: ReceivedPage) => void): Promise<void> {
    return followPages((pageType, pageBody, options) => this.#request(pageType, pageBody, options), type, body, onPage);
  }

  #request(type: RequestType, body: object, options?: RequestOptions): Promise<JsonObject> {
    if (!this.#connected && this.#session.state !== 'open') return Promise.reject(new DarkpoolError('CLIENT_NOT_CONNECTED'));
    return this.#session.request(type, body, options);
  }

  async #prepare(): Promise<SessionTarget> {
    const shard = this.#options.shard;
    const bundle = await this.#getText(shard?.attestationPath ?? '/v1/attestation', ATTESTATION_BUNDLE_LIMITS.maxBundleChars + 1024);
    const verdict = await verifyAttestation(bundle, this.#options.policy, { collateral: this.#options.collateral, cache: this.#options.attestationCache });
    if (!verdict.ok) throw new DarkpoolError(verdict.failure.name, verdict.failure.detail, { message: verdict.failure.message, retryable: false });
    await shard?.vouch(verdict, bundle);
    this.#attestation = verdict;
    const streamUrl = new URL(shard?.streamPath ?? '/v1/stream', this.#baseUrl);
    streamUrl.protocol = this.#baseUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    return { streamUrl: streamUrl.toString(), enclaveKeys: verdict.enclaveKeys, attestationHash: hexToBytes(verdict.bundleDigestHex) };
  }

  /** A session is up: resume the stream first (this request goes out before anything queued). */
  #established(first: boolean): void {
    if (first) return;
    this.#afterSession(false).catch((error: unknown) => this.#faults.next(isDarkpoolError(error) ? error : new DarkpoolError('CLIENT_INTERNAL', String(error))));
  }

  async #afterSession(first: boolean): Promise<void> {
    const afterSeq = this.#sequencer.lastSeq ?? RESUME_FROM_NOW;
    const resumed = this.#session.request('session.resume', { afterSeq }, {
      onResult: (result) => this.#deliver(this.#sequencer.resumed(resultInt(result, 'lastSeq')), !first),
    });
    const rearmed = !first && this.#deadManMs > 0 ? this.#session.request('session.deadMan', { afterMs: this.#deadManMs }) : undefined;
    await resumed;
    await rearmed;
    await this.#reconcile();
  }

  /** Refetches open orders, balances and trades into the store, each at its place in the stream. */
  async #reconcile(): Promise<void> {
    await Promise.all([this.fetchOpenOrders(), this.fetchBalance(), this.fetchMyTrades()]);
  }

  #message(message: ChannelMessage): void {
    if (message.t !== 'report') {
      this.#faults.next(new DarkpoolError('CLIENT_BAD_ANSWER', `unexpected message type ${message.t}`, { origin: 'enclave' }));
      return;
    }
    let report: ExecutionReport;
    try {
      report = readReport(message.body, this.#assets);
    } catch (error) {
      this.#faults.next(isDarkpoolError(error) ? error : new DarkpoolError('CLIENT_INTERNAL', String(error)));
      return;
    }
    this.#deliver(this.#sequencer.accept(report), false);
  }

  #deliver(output: { readonly delivered: readonly ExecutionReport[]; readonly missing: readonly SeqRange[] }, afterOutage: boolean): void {
    for (const report of output.delivered) {
      const order = this.store.applyReport(report);
      this.#reports.next(report);
      if (order !== undefined) this.#orders.next(order);
      if (report.kind === 'fill' && report.trade !== undefined) this.#trades.next(this.store.tradeOf(report.trade) ?? report.trade);
      for (const trade of this.store.tradesSettledBy(report)) this.#trades.next(trade);
    }
    for (const range of output.missing) {
      this.#gaps.next(range);
      this.#faults.next(new DarkpoolError('CLIENT_REPORTS_GAP', `seq ${range.fromSeq} to ${range.toSeq}`));
    }
    if (!afterOutage) this.#scheduleRefresh();
  }

  #scheduleRefresh(): void {
    const delayMs = this.#options.storeRefreshMs ?? CLIENT_DEFAULTS.storeRefreshMs;
    if (delayMs === 0 || this.#refreshTimer !== undefined || !this.#connected) return;
    const { balancesStale, ordersIncomplete } = this.store.state;
    if (!balancesStale && !ordersIncomplete) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      const refresh = this.store.state.ordersIncomplete ? Promise.all([this.fetchOpenOrders(), this.fetchBalance()]) : this.fetchBalance();
      refresh.catch((error: unknown) => this.#faults.next(isDarkpoolError(error) ? error : new DarkpoolError('CLIENT_INTERNAL', String(error))));
    }, delayMs);
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat();
    if (this.#deadManMs === 0) return;
    this.#heartbeat = setInterval(() => {
      if (this.#heartbeatInFlight || this.#session.state !== 'open') return;
      this.#heartbeatInFlight = true;
      this.#session.request('session.heartbeat', {}, { timeoutMs: Math.max(this.#deadManMs, 1_000) })
        .catch((error: unknown) => this.#faults.next(isDarkpoolError(error) ? error : new DarkpoolError('CLIENT_INTERNAL', String(error))))
        .finally(() => { this.#heartbeatInFlight = false; });
    }, Math.max(Math.floor(this.#deadManMs / 3), 30));
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #stopTimers(): void {
    this.#stopHeartbeat();
    if (this.#refreshTimer !== undefined) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
  }

  async #getText(path: string, maxChars: number): Promise<string> {
    const controller = new AbortController();
    const timeoutMs = this.#options.httpTimeoutMs ?? CLIENT_DEFAULTS.httpTimeoutMs;
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const url = new URL(path, this.#baseUrl).toString();
    try {
      let response: Awaited<ReturnType<FetchLike>>;
      try {
        response = await this.#fetch(url, { signal: controller.signal, headers: { accept: 'application/json' } });
      } catch (error) {
        throw new DarkpoolError('CLIENT_HTTP_FAILED', `GET ${path}: ${error instanceof Error ? error.message : String(error)}`, { origin: 'gateway' });
      }
      if (!response.ok) throw new DarkpoolError('CLIENT_HTTP_FAILED', `GET ${path}: status ${response.status}`, { origin: 'gateway' });
      const text = await response.text().catch((error: unknown) => {
        throw new DarkpoolError('CLIENT_HTTP_FAILED', `GET ${path}: ${error instanceof Error ? error.message : String(error)}`, { origin: 'gateway' });
      });
      if (text.length > maxChars) throw new DarkpoolError('CLIENT_HTTP_BAD_RESPONSE', `GET ${path}: ${text.length} characters, at most ${maxChars}`, { origin: 'gateway' });
      return text;
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseBaseUrl(url: unknown): URL {
  if (typeof url !== 'string') throw new DarkpoolError('CLIENT_OPTIONS_INVALID', 'url must be a string');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DarkpoolError('CLIENT_OPTIONS_INVALID', `url ${JSON.stringify(url.slice(0, 200))} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new DarkpoolError('CLIENT_OPTIONS_INVALID', 'url must be http: or https:');
  return parsed;
}

/** The seed as a private copy; the caller's bytes are left alone. */
export function parseSecretKey(key: unknown): Uint8Array {
  if (key instanceof Uint8Array) {
    if (key.length !== SECRET_KEY_BYTES) throw new DarkpoolError('CLIENT_KEY_INVALID', `${key.length} bytes`);
    return key.slice();
  }
  if (typeof key === 'string' && HEX_KEY.test(key.trim())) return hexToBytes(key.trim().replace(/^0x/, ''));
  throw new DarkpoolError('CLIENT_KEY_INVALID');
}

function checkRange(value: number, min: number, max: number, title: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw new DarkpoolError('CLIENT_OPTIONS_INVALID', `${title} must be an integer in [${min}, ${max}]`);
  return value;
}

function globalFetch(): FetchLike {
  const fetchFunction = (globalThis as { fetch?: FetchLike }).fetch;
  if (fetchFunction === undefined) throw new DarkpoolError('CLIENT_TRANSPORT_UNAVAILABLE', 'no global fetch; pass options.fetch');
  return (url, init) => fetchFunction(url, init);
}
