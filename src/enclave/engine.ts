// The enclave's deterministic state machine: every journaled command goes through `apply`,
// which runs risk, the matcher and the escrow ledger and says what each party should be told.
// Nothing here reads a clock, a random source or the disk, so replaying the journal from a
// snapshot rebuilds the same state and the same state hash, report for report.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { CodedError, isCodedError, type ErrorName } from '../errors/index.js';
import { DecimalEdge } from '../matching/decimal-edge.js';
import { Matcher } from '../matching/matcher.js';
import type { MatcherSnapshot } from '../matching/snapshot.js';
import type { Command, FillEvent, MarketSpec, MatchEvent, OpenOrderView, PlaceCommand, Stamp } from '../matching/types.js';
import type { BalanceWire, OpenOrderWire, ReportBody, TradeWire, WireOrderType, WireSettlementStatus } from '../protocol/trading-messages.js';
import { CachedDecimalEdge } from './cached-decimal-edge.js';
import { EscrowLedger, type EscrowSnapshot, type ReservationQuote, type WindowNet } from './escrow.js';
import { ReportRing } from './report-ring.js';
import type { OrderSpec, TradingRequest } from './requests.js';
import { ShardTransfers, type IssuedVoucher, type ShardEngineConfig, type ShardTransfersSnapshot } from './shard/shard-transfers.js';

/** Bounds on what the engine remembers per account. */
export const ENGINE_LIMITS = {
  /** Execution reports kept per account for resume after a reconnect. */
  reportsPerAccount: 1024,
  /** Bytes of encoded reports kept per account for resume (headers included); the older are dropped first. */
  reportBytesPerAccount: 1024 * 1024,
  /** Trades kept per account for query.trades. */
  tradesPerAccount: 500,
  /** Deposit references remembered so a deposit is never credited twice. */
  depositReferences: 1_000_000,
  /** Closed settlement windows remembered per account (each holds at least one of its kept trades). */
  settlementWindowsPerAccount: 500,
  /** Accounts one settlementStep command may name; settlement splits larger windows. */
  accountsPerSettlementStep: 10_000,
} as const;

/** A settlement step after netting, as settlement reports it back for the accounts of one window. */
export type SettlementStepStatus = Exclude<WireSettlementStatus, 'pending' | 'netted'>;

/** One closed window as one account sees it: its trades in the window and where their settlement stands. */
interface SettledWindow {
  readonly window: number;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly tradeCount: number;
  status: Exclude<WireSettlementStatus, 'pending'>;
}

/** An account's trades in the open window: trade ids are global and increasing, so a range says which. */
interface OpenWindowTrades {
  readonly firstTradeId: number;
  lastTradeId: number;
  tradeCount: number;
}

/** What a command says, before the sequencer stamps it. */
export type EnclaveCommandBody = (
  | { readonly kind: 'trade'; readonly account: string; readonly requestId: string; readonly request: TradingRequest }
  | { readonly kind: 'cancelAll'; readonly account: string; readonly reason: 'deadMan' | 'disconnect' }
  | { readonly kind: 'deposit'; readonly account: string; readonly asset: string; readonly atoms: bigint; readonly reference: string }
  | { readonly kind: 'reference'; readonly market: string; readonly bidTicks: number; readonly askTicks: number }
  | { readonly kind: 'auction'; readonly market: string }
  | { readonly kind: 'tick' }
  | { readonly kind: 'closeWindow' }
  | { readonly kind: 'settlementStep'; readonly window: number; readonly status: SettlementStepStatus; readonly batchId: string; readonly accounts: readonly string[] }
  /** Settlement gave up on a payout (every attempt provably dead): credited back once per reference. */
  | { readonly kind: 'payoutFailed'; readonly account: string; readonly asset: string; readonly atoms: bigint; readonly reference: string }
  | { readonly kind: 'withdrawalFailed'; readonly account: string; readonly asset: string; readonly atoms: bigint; readonly withdrawalId: string }
);

/** A command as the sequencer journals it: stamped, integer-only, self-contained. */
export type EnclaveCommand = Stamp & EnclaveCommandBody;

/** The answer to the request a command carried. */
export type RequestOutcome =
  | { readonly ok: true; readonly result: Record<string, unknown> }
  | { readonly ok: false; readonly code: number; readonly name: ErrorName; readonly message: string };

/** A withdrawal the engine debited and settlement must deliver. */
export interface WithdrawalOrder {
  readonly withdrawalId: string;
  readonly account: string;
  readonly asset: string;
  readonly atoms: bigint;
}

/** One execution report for one account's stream, with its canonical JSON (serialized once, here). */
export interface AccountReport {
  readonly account: string;
  readonly report: ReportBody;
  /** JSON.stringify(report): what the account's stream keeps and what is sealed to its sessions. */
  readonly json: string;
}

export interface EngineOutput {
  /** Set when the command carried a request. */
  readonly outcome: RequestOutcome | undefined;
  /** Execution reports, each for one account's stream, in order. */
  readonly reports: readonly AccountReport[];
  /** The fills this command produced, for settlement's records. */
  readonly fills: readonly FillEvent[];
  /** Set by closeWindow: one net per (account, asset) that traded. */
  readonly window: { readonly number: number; readonly nets: readonly WindowNet[] } | undefined;
  readonly withdrawals: readonly WithdrawalOrder[];
}

export interface EngineConfig {
  readonly markets: readonly MarketSpec[];
  readonly feeAccount: string;
  /** Set when the enclave is one shard of several: it then issues and redeems transfer vouchers (docs/shards.md). */
  readonly shard?: ShardEngineConfig;
}

/**
 * An account's recent streams. Reports are kept as encoded bytes off the JavaScript heap (a
 * report outlives many young-generation collections); trades as JSON text, one string each.
 */
interface AccountState {
  reportSeq: number;
  reports: ReportRing;
  trades: string[];
  /** Closed windows holding this account's trades, oldest first. */
  windows: SettledWindow[];
}

/** The snapshot form of an account's streams: parsed, so the snapshot bytes do not depend on how they are held. */
interface AccountSnapshot {
  readonly reportSeq: number;
  readonly reports: ReportBody[];
  readonly trades: TradeWire[];
  readonly windows: SettledWindow[];
}

interface EngineSnapshotBody {
  readonly matcher: MatcherSnapshot;
  readonly escrow: EscrowSnapshot;
  readonly accounts: [string, AccountSnapshot][];
  readonly massQuotes: [string, number[]][];
  readonly deposits: string[];
  readonly nextMatcherSeq: number;
  readonly window: number;
  readonly windowTrades: [string, OpenWindowTrades][];
  readonly withdrawals: number;
  /** Absent in snapshots of an unsharded enclave. */
  readonly shardTransfers?: ShardTransfersSnapshot;
}

/** A report ring under the engine's bounds, holding `reports` (consecutive seqs, oldest first). */
function keptReports(reports: readonly ReportBody[]): ReportRing {
  const ring = new ReportRing(ENGINE_LIMITS.reportsPerAccount, ENGINE_LIMITS.reportBytesPerAccount);
  for (const report of reports) ring.push(report.seq, JSON.stringify(report));
  return ring;
}

function wireOrderType(type: OpenOrderView['orderType']): WireOrderType {
  return type === 'primaryPeg' ? 'peg' : type;
}

export class EnclaveEngine {
  private readonly markets: ReadonlyMap<string, MarketSpec>;
  private readonly edges: ReadonlyMap<string, DecimalEdge>;
  private matcher: Matcher;
  private escrow: EscrowLedger;
  private accounts = new Map<string, AccountState>();
  /** account + market → order ids of its live mass-quote ladder. */
  private massQuotes = new Map<string, number[]>();
  private deposits = new Set<string>();
  private nextMatcherSeq = 1;
  private window = 0;
  private windowTrades = new Map<string, OpenWindowTrades>();
  private withdrawalCount = 0;
  private readonly shard: ShardEngineConfig | undefined;
  private shardTransfers: ShardTransfers | undefined;

  private events: MatchEvent[] = [];
  private readonly sink = (event: MatchEvent): void => { this.events.push(event); };

  constructor(config: EngineConfig) {
    this.markets = new Map(config.markets.map((market) => [market.id, market]));
    this.edges = new Map(config.markets.map((market) => [market.id, new CachedDecimalEdge(market)]));
    this.matcher = new Matcher({ markets: config.markets });
    this.escrow = new EscrowLedger(this.markets, config.feeAccount);
    this.shard = config.shard;
    this.shardTransfers = config.shard === undefined ? undefined : new ShardTransfers(config.shard);
  }

  get marketSpecs(): ReadonlyMap<string, MarketSpec> { return this.markets; }
  get decimalEdges(): ReadonlyMap<string, DecimalEdge> { return this.edges; }
  get ledger(): EscrowLedger { return this.escrow; }

  /** Applies one journaled command. Deterministic: same state + same command → same output. */
  apply(command: EnclaveCommand): EngineOutput {
    const out: MutableOutput = { outcome: undefined, reports: [], fills: [], window: undefined, withdrawals: [] };
    const stamp = { seq: 0, timeMs: command.timeMs };
    switch (command.kind) {
      case 'trade':
        out.outcome = this.trade(command.account, command.request, command.timeMs, out);
        break;
      case 'cancelAll':
        this.runMatcher((seq) => ({ type: 'cancelAll', seq, timeMs: stamp.timeMs, account: command.account, market: undefined }), undefined, out);
        break;
      case 'deposit':
        if (!this.deposits.has(command.reference) && this.deposits.size < ENGINE_LIMITS.depositReferences) {
          this.deposits.add(command.reference);
          this.escrow.deposit(command.account, command.asset, command.atoms);
          this.report(out, command.account, { kind: 'deposit', timeMs: command.timeMs, asset: command.asset, amount: command.atoms.toString(), status: 'credited' });
        }
        break;
      case 'reference':
        this.runMatcher((seq) => ({ type: 'setReference', seq, timeMs: stamp.timeMs, market: command.market, bidTicks: command.bidTicks, askTicks: command.askTicks }), undefined, out);
        break;
      case 'auction':
        this.runMatcher((seq) => ({ type: 'auction', seq, timeMs: stamp.timeMs, market: command.market }), undefined, out);
        break;
      case 'tick':
        this.runMatcher((seq) => ({ type: 'advanceTime', seq, timeMs: stamp.timeMs }), undefined, out);
        break;
      case 'closeWindow': {
        this.window += 1;
        const nets = this.escrow.closeWindow();
        out.window = { number: this.window, nets };
        this.nettedReports(nets, command.timeMs, out);
        break;
      }
      case 'settlementStep':
        this.settlementStep(command, out);
        break;
      case 'payoutFailed':
        if (!this.firstRefund(`payout:${command.reference}`)) break;
        this.escrow.refundPayout(command.account, command.asset, command.atoms);
        this.report(out, command.account, { kind: 'settlement', timeMs: command.timeMs, asset: command.asset, amount: command.atoms.toString(), status: 'refunded' });
        break;
      case 'withdrawalFailed':
        if (!this.firstRefund(`withdrawal:${command.withdrawalId}`)) break;
        this.escrow.refundWithdrawal(command.account, command.asset, command.atoms);
        this.report(out, command.account, { kind: 'withdrawal', timeMs: command.timeMs, asset: command.asset, amount: command.atoms.toString(), status: 'refunded', batchId: command.withdrawalId });
        break;
    }
    return out;
  }

  /**
   * A settlement refund is applied once per key (kept with deposit references, so snapshots carry
   * it): false when it was applied before. Past the limit it is applied and not remembered.
   */
  private firstRefund(key: string): boolean {
    if (this.deposits.has(key)) return false;
    if (this.deposits.size < ENGINE_LIMITS.depositReferences) this.deposits.add(key);
    return true;
  }

  /**
   * The earliest expiry of a resting GTT order across markets (Infinity when none): the only
   * state that changes with time alone, so a tick is worth journaling only once it has passed.
   */
  nextExpiryMs(): number {
    let earliest = Infinity;
    for (const id of this.markets.keys()) earliest = Math.min(earliest, this.matcher.entry(id)!.book.expiry.peekExpireAtMs());
    return earliest;
  }

  /** The reports of an account after `afterSeq` that are still remembered, and the last seq. */
  reportsAfter(account: string, afterSeq: number): { reports: readonly ReportBody[]; lastSeq: number; complete: boolean } {
    const state = this.accounts.get(account);
    if (state === undefined) return { reports: [], lastSeq: 0, complete: true };
    // The stream holds consecutive seqs ending at reportSeq.
    const reports = Array.from(state.reports.after(afterSeq), (kept) => JSON.parse(kept.json) as ReportBody);
    const complete = afterSeq >= state.reportSeq || (reports.length > 0 && reports[0]!.seq === afterSeq + 1);
    return { reports, lastSeq: state.reportSeq, complete };
  }

  openOrders(account: string, market: string | undefined): OpenOrderWire[] {
    return this.matcher.openOrders(account, market).map((order) => this.openOrderWire(order));
  }

  /** A page's candidates for query.orders: open orders with ids above afterOrderId, ascending, each converted only when taken. */
  *openOrdersAfter(account: string, market: string | undefined, afterOrderId: number): Generator<OpenOrderWire> {
    const views = this.matcher.openOrders(account, market).filter((order) => order.orderId > afterOrderId).sort((a, b) => a.orderId - b.orderId);
    for (const view of views) yield this.openOrderWire(view);
  }

  /** The account's kept trades, oldest first, each with its settlement status now. */
  trades(account: string): readonly TradeWire[] {
    return [...this.tradesAfter(account, 0)];
  }

  /** A page's candidates for query.trades: kept trades with ids above afterTradeId, ascending, each with its settlement status now. */
  *tradesAfter(account: string, afterTradeId: number): Generator<TradeWire> {
    const state = this.accounts.get(account);
    if (state === undefined) return;
    const windows = state.windows;
    let index = 0;
    for (const json of state.trades) {
      const trade = JSON.parse(json) as TradeWire;
      if (trade.tradeId <= afterTradeId) continue;
      // Both lists ascend by trade id, so one walk finds each trade's window.
      while (index < windows.length && windows[index]!.lastTradeId < trade.tradeId) index += 1;
      const window = windows[index];
      if (window === undefined || window.firstTradeId > trade.tradeId) yield { ...trade, settlement: 'pending' };
      else yield { ...trade, settlement: window.status, settlementWindow: window.window };
    }
  }

  private openOrderWire(order: OpenOrderView): OpenOrderWire {
    const edge = this.edges.get(order.market)!;
    return {
      market: order.market, orderId: order.orderId, clientOrderId: order.clientOrderId, side: order.side,
      type: wireOrderType(order.orderType), price: order.priceTicks === undefined ? null : edge.formatPriceTicks(order.priceTicks),
      remaining: edge.formatSizeLots(order.remainingLots), timeInForce: order.timeInForce,
    };
  }

  balances(account: string): BalanceWire[] {
    return [...this.escrow.balancesOf(account)].map(([asset, balance]) => ({
      asset, available: balance.available.toString(), reserved: balance.reserved.toString(), settling: balance.pendingReceipts.toString(),
    }));
  }

  /** sha256 over the canonical snapshot: equal hashes mean equal matcher, ledger and streams. */
  stateHash(): string {
    return bytesToHex(sha256(utf8ToBytes(this.serializeSnapshot())));
  }

  serializeSnapshot(): string {
    const body: EngineSnapshotBody = {
      matcher: this.matcher.snapshot(),
      escrow: this.escrow.snapshot(),
      accounts: [...this.accounts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([account, state]) => [account, {
        reportSeq: state.reportSeq,
        reports: Array.from(state.reports.after(0), (kept) => JSON.parse(kept.json) as ReportBody),
        trades: state.trades.map((json) => JSON.parse(json) as TradeWire),
        windows: state.windows,
      }]),
      massQuotes: [...this.massQuotes].sort(([a], [b]) => (a < b ? -1 : 1)),
      deposits: [...this.deposits].sort(),
      nextMatcherSeq: this.nextMatcherSeq,
      window: this.window,
      windowTrades: [...this.windowTrades].sort(([a], [b]) => (a < b ? -1 : 1)),
      withdrawals: this.withdrawalCount,
      ...(this.shardTransfers === undefined ? {} : { shardTransfers: this.shardTransfers.snapshot() }),
    };
    return JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
  }

  static restore(config: EngineConfig, serialized: string): EnclaveEngine {
    const body = JSON.parse(serialized, (_key, value: unknown) => (typeof value === 'string' && /^-?\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value)) as EngineSnapshotBody;
    const engine = new EnclaveEngine(config);
    engine.matcher = Matcher.restore(body.matcher);
    engine.escrow = EscrowLedger.restore(body.escrow, engine.markets, config.feeAccount);
    engine.accounts = new Map(body.accounts.map(([account, state]) => [account, {
      reportSeq: state.reportSeq,
      reports: keptReports(state.reports),
      trades: state.trades.map((trade) => JSON.stringify(trade)),
      windows: state.windows,
    }]));
    engine.massQuotes = new Map(body.massQuotes);
    engine.deposits = new Set(body.deposits);
    engine.nextMatcherSeq = body.nextMatcherSeq;
    engine.window = body.window;
    engine.windowTrades = new Map(body.windowTrades);
    engine.withdrawalCount = body.withdrawals;
    if (config.shard !== undefined) engine.shardTransfers = ShardTransfers.restore(config.shard, body.shardTransfers);
    return engine;
  }

  /** The vouchers this shard issued to the account that it still remembers (query.transfers). */
  transfersIssued(account: string): readonly IssuedVoucher[] {
    return this.transfers().issuedTo(account);
  }

  /** The shard this engine is, when sharded. */
  get shardId(): string | undefined {
    return this.shard?.shardId;
  }

  private transfers(): ShardTransfers {
    if (this.shardTransfers === undefined) throw new CodedError('SHARD_NOT_SHARDED');
    return this.shardTransfers;
  }

  private assetSymbols(): ReadonlySet<string> {
    const assets = new Set<string>();
    for (const market of this.markets.values()) {
      assets.add(market.base);
      assets.add(market.quote);
    }
    return assets;
  }

  /** Test hook: the matcher's and the ledger's invariants. */
  checkInvariants(): void {
    this.matcher.checkInvariants();
    this.escrow.checkConservation();
  }

  private trade(account: string, request: TradingRequest, timeMs: number, out: MutableOutput): RequestOutcome {
    try {
      switch (request.type) {
        case 'order.place': {
          const orderId = this.place(account, request.order, timeMs, out);
          return { ok: true, result: { orderId, clientOrderId: request.order.clientOrderId } };
        }
        case 'order.cancel': {
          const rejected = this.runMatcher((seq) => ({ type: 'cancel', seq, timeMs, account, market: request.market, order: request.order }), undefined, out);
          if (rejected) throw rejected;
          return { ok: true, result: { orderId: this.lastOrderId(out) } };
        }
        case 'order.amend': {
          const open = this.findOpen(account, request.market, request.order);
          if (open !== undefined) this.escrow.checkAmend(open.orderId, request.newSizeLots, request.newPriceTicks, open.remainingLots);
          const rejected = this.runMatcher((seq) => ({
            type: 'amend', seq, timeMs, account, market: request.market, order: request.order, newSizeLots: request.newSizeLots, newPriceTicks: request.newPriceTicks,
          }), undefined, out);
          if (rejected) throw rejected;
          return { ok: true, result: { orderId: open?.orderId ?? this.lastOrderId(out) } };
        }
        case 'order.cancelAll': {
          const before = out.reports.length;
          this.runMatcher((seq) => ({ type: 'cancelAll', seq, timeMs, account, market: request.market }), undefined, out);
          const cancelled = out.reports.slice(before).filter((entry) => entry.report.kind === 'done').length;
          return { ok: true, result: { cancelled } };
        }
        case 'order.massQuote':
          return { ok: true, result: { orderIds: this.massQuote(account, request.market, request.quotes, timeMs, out) } };
        case 'funds.withdraw': {
          this.escrow.withdraw(account, request.asset, request.atoms);
          this.withdrawalCount += 1;
          const withdrawalId = `w${this.withdrawalCount}`;
          out.withdrawals.push({ withdrawalId, account, asset: request.asset, atoms: request.atoms });
          this.report(out, account, { kind: 'withdrawal', timeMs, asset: request.asset, amount: request.atoms.toString(), status: 'debited', batchId: withdrawalId });
          return { ok: true, result: { withdrawalId } };
        }
        case 'funds.transferOut': {
          const voucher = this.transfers().transferOut(account, request, this.escrow);
          this.report(out, account, { kind: 'withdrawal', timeMs, asset: request.asset, amount: request.atoms.toString(), status: 'transferred', batchId: voucher.voucherId });
          return { ok: true, result: { voucher: { payload: voucher.payload, signatureHex: voucher.signatureHex }, voucherId: voucher.voucherId } };
        }
        case 'funds.transferIn': {
          const { voucherId, payload } = this.transfers().transferIn(account, request.voucher, request.issuerBundle, this.escrow, this.assetSymbols());
          this.report(out, account, { kind: 'deposit', timeMs, asset: payload.asset, amount: payload.amountAtoms, status: 'transferred', batchId: voucherId });
          return { ok: true, result: { voucherId, asset: payload.asset, amountAtoms: payload.amountAtoms, fromShard: payload.fromShard } };
        }
      }
    } catch (error) {
      if (!isCodedError(error)) throw error;
      return { ok: false, code: error.code, name: error.errorName, message: error.message };
    }
  }

  /** Risk, then the matcher. A buy priced from the reference without a cap takes the reference ask as its cap. */
  private place(account: string, order: OrderSpec, timeMs: number, out: MutableOutput): number {
    const spec = this.withImplicitCap(order);
    const command = (seq: number): PlaceCommand => ({ ...spec, type: 'place', seq, timeMs, account });
    const quote = this.escrow.checkPlace(command(0));
    const rejected = this.runMatcher(command, quote, out);
    if (rejected) throw rejected;
    return this.nextMatcherSeq - 1;
  }

  private withImplicitCap(order: OrderSpec): OrderSpec {
    if (order.side !== 'buy' || (order.orderType !== 'midpoint' && order.orderType !== 'primaryPeg') || order.capTicks !== undefined) return order;
    const reference = this.matcher.reference(order.market);
    if (reference === undefined || reference.bidTicks > reference.askTicks) throw new CodedError('ESCROW_CAP_REQUIRED', `no usable reference in ${order.market}`);
    return { ...order, capTicks: reference.askTicks };
  }

  /**
   * Replaces the account's ladder in one market: the old quotes' reservations count as free
   * when checking the new ones, so the swap is all or nothing.
   */
  private massQuote(account: string, market: string, quotes: readonly OrderSpec[], timeMs: number, out: MutableOutput): number[] {
    const key = `${account}\u0000${market}`;
    const previous = this.massQuotes.get(key) ?? [];
    const live = new Set(this.matcher.openOrders(account, market).map((order) => order.orderId));
    const freed = new Map<string, bigint>();
    for (const orderId of previous) {
      if (!live.has(orderId)) continue;
      const held = this.escrow.reservationOf(orderId);
      if (held !== undefined) freed.set(held.asset, (freed.get(held.asset) ?? 0n) + held.atoms);
    }
    const needed = new Map<string, bigint>();
    const quotesFor = quotes.map((order) => {
      const quote = this.escrow.quoteReservation({ ...order, type: 'place', seq: 0, timeMs, account });
      needed.set(quote.asset, (needed.get(quote.asset) ?? 0n) + quote.atoms);
      return quote;
    });
    for (const [asset, atoms] of needed) {
      const available = this.escrow.balance(account, asset).available + (freed.get(asset) ?? 0n);
      if (available < atoms) throw new CodedError('ESCROW_INSUFFICIENT_FUNDS', `ladder needs ${atoms} ${asset} atoms, ${available} available after replacing the old one`);
    }
    for (const orderId of previous) {
      if (live.has(orderId)) this.runMatcher((seq) => ({ type: 'cancel', seq, timeMs, account, market, order: { orderId } }), undefined, out);
    }
    const placed: number[] = [];
    quotes.forEach((order, index) => {
      const rejected = this.runMatcher((seq) => ({ ...order, type: 'place', seq, timeMs, account }), quotesFor[index], out);
      if (rejected === undefined) placed.push(this.nextMatcherSeq - 1);
    });
    const stillLive = new Set(this.matcher.openOrders(account, market).map((order) => order.orderId));
    this.massQuotes.set(key, placed.filter((id) => stillLive.has(id)));
    return placed;
  }

  /**
   * Runs one matcher command, applies its events to the ledger and turns them into reports.
   * Returns the coded error when the matcher rejected the command.
   */
  private runMatcher(build: (seq: number) => Command, quote: ReservationQuote | undefined, out: MutableOutput): CodedError | undefined {
    const seq = this.nextMatcherSeq++;
    this.events = [];
    this.matcher.apply(build(seq), this.sink);
    let rejected: CodedError | undefined;
    for (const event of this.events) {
      this.escrow.apply(event, event.type === 'accepted' && event.orderId === seq ? quote : undefined);
      if (event.type === 'rejected') rejected = new CodedError(event.name, event.detail);
      else this.toReports(event, out);
    }
    return rejected;
  }

  private lastOrderId(out: MutableOutput): number {
    for (let index = out.reports.length - 1; index >= 0; index -= 1) {
      const orderId = out.reports[index]!.report.orderId;
      if (orderId !== undefined) return orderId;
    }
    return 0;
  }

  private findOpen(account: string, market: string, ref: { readonly orderId: number } | { readonly clientOrderId: string }): OpenOrderView | undefined {
    return this.matcher.openOrders(account, market).find((order) => ('orderId' in ref ? order.orderId === ref.orderId : order.clientOrderId === ref.clientOrderId));
  }

  private toReports(event: MatchEvent, out: MutableOutput): void {
    switch (event.type) {
      case 'fill': {
        out.fills.push(event);
        const market = this.markets.get(event.market)!;
        const edge = this.edges.get(event.market)!;
        const price = edge.formatPriceHalfTicks(event.priceHalfTicks);
        const size = edge.formatSizeLots(event.sizeLots);
        const makerSide = event.takerSide === 'buy' ? 'sell' : 'buy';
        for (const [role, account, orderId, clientOrderId, side, fee, remaining] of [
          ['maker', event.makerAccount, event.makerOrderId, event.makerClientOrderId, makerSide, event.makerFeeQuoteAtoms, event.makerRemainingLots],
          ['taker', event.takerAccount, event.takerOrderId, event.takerClientOrderId, event.takerSide, event.takerFeeQuoteAtoms, event.takerRemainingLots],
        ] as const) {
          const trade: TradeWire = {
            tradeId: event.tradeId, market: event.market, orderId, clientOrderId, side, liquidity: role, price, size,
            fee: edge.formatQuoteAtoms(fee), feeAsset: market.quote, timeMs: event.timeMs,
          };
          const state = this.account(account);
          state.trades.push(JSON.stringify(trade));
          if (state.trades.length > ENGINE_LIMITS.tradesPerAccount) state.trades.shift();
          const open = this.windowTrades.get(account);
          if (open === undefined) this.windowTrades.set(account, { firstTradeId: event.tradeId, lastTradeId: event.tradeId, tradeCount: 1 });
          else {
            open.lastTradeId = event.tradeId;
            open.tradeCount += 1;
          }
          this.report(out, account, { kind: 'fill', timeMs: event.timeMs, market: event.market, orderId, clientOrderId, side, remaining: edge.formatSizeLots(remaining), trade });
        }
        return;
      }
      case 'accepted':
        this.report(out, event.account, {
          kind: 'accepted', timeMs: event.timeMs, market: event.market, orderId: event.orderId, clientOrderId: event.clientOrderId,
          side: event.side, remaining: this.edges.get(event.market)!.formatSizeLots(event.sizeLots),
        });
        return;
      case 'amended':
        this.report(out, event.account, {
          kind: 'amended', timeMs: event.timeMs, market: event.market, orderId: event.orderId, clientOrderId: event.clientOrderId,
          remaining: this.edges.get(event.market)!.formatSizeLots(event.sizeLots), reason: event.cause,
        });
        return;
      case 'cancelled':
        this.report(out, event.account, {
          kind: 'cancelled', timeMs: event.timeMs, market: event.market, orderId: event.orderId, clientOrderId: event.clientOrderId,
          remaining: this.edges.get(event.market)!.formatSizeLots(event.remainingLots), reason: event.reason,
        });
        return;
      case 'expired':
        this.report(out, event.account, { kind: 'expired', timeMs: event.timeMs, market: event.market, orderId: event.orderId, clientOrderId: event.clientOrderId });
        return;
      case 'done':
        this.report(out, event.account, {
          kind: 'done', timeMs: event.timeMs, market: event.market, orderId: event.orderId, clientOrderId: event.clientOrderId,
          remaining: this.edges.get(event.market)!.formatSizeLots(event.remainingLots), reason: event.reason,
        });
        return;
      case 'rejected':
      case 'auctionRun':
        return;
    }
  }

  /**
   * Each account that traded in the window learns which of its trades the window holds and its
   * own net payout per asset: what leaves the pool for it in this window's batch.
   */
  private nettedReports(nets: readonly WindowNet[], timeMs: number, out: MutableOutput): void {
    const payouts = new Map<string, { asset: string; amount: string }[]>();
    for (const net of nets) {
      if (net.payoutAtoms === 0n) continue;
      const list = payouts.get(net.account) ?? [];
      list.push({ asset: net.asset, amount: net.payoutAtoms.toString() });
      payouts.set(net.account, list);
    }
    const accounts = [...this.windowTrades].sort(([a], [b]) => (a < b ? -1 : 1));
    this.windowTrades = new Map();
    for (const [account, trades] of accounts) {
      const state = this.account(account);
      state.windows.push({ window: this.window, ...trades, status: 'netted' });
      if (state.windows.length > ENGINE_LIMITS.settlementWindowsPerAccount) state.windows.shift();
      this.report(out, account, { kind: 'settlement', timeMs, status: 'netted', window: this.window, ...trades, payouts: payouts.get(account) ?? [] });
    }
  }

  /**
   * Settlement moved a window's batch along its lifecycle for some of the window's accounts. A
   * window the account no longer remembers, a repeated status and anything after 'confirmed'
   * change nothing, so settlement may report a step twice (after a restart) without harm.
   */
  private settlementStep(command: Extract<EnclaveCommand, { kind: 'settlementStep' }>, out: MutableOutput): void {
    for (const account of command.accounts.slice(0, ENGINE_LIMITS.accountsPerSettlementStep)) {
      const windows = this.accounts.get(account)?.windows;
      const settled = windows?.find((entry) => entry.window === command.window);
      if (settled === undefined || settled.status === command.status || settled.status === 'confirmed') continue;
      settled.status = command.status;
      this.report(out, account, {
        kind: 'settlement', timeMs: command.timeMs, status: command.status, window: settled.window, firstTradeId: settled.firstTradeId,
        lastTradeId: settled.lastTradeId, tradeCount: settled.tradeCount, batchId: command.batchId,
      });
    }
  }

  private report(out: MutableOutput, account: string, body: Omit<ReportBody, 'seq'>): void {
    const state = this.account(account);
    state.reportSeq += 1;
    const report: ReportBody = { seq: state.reportSeq, ...body };
    const json = JSON.stringify(report);
    state.reports.push(report.seq, json);
    out.reports.push({ account, report, json });
  }

  private account(account: string): AccountState {
    let state = this.accounts.get(account);
    if (state === undefined) {
      state = { reportSeq: 0, reports: keptReports([]), trades: [], windows: [] };
      this.accounts.set(account, state);
    }
    return state;
  }
}

interface MutableOutput {
  outcome: RequestOutcome | undefined;
  reports: AccountReport[];
  fills: FillEvent[];
  window: { number: number; nets: readonly WindowNet[] } | undefined;
  withdrawals: WithdrawalOrder[];
}
