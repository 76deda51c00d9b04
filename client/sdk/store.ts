// The trader's local picture — open orders, recent fills, balances — kept as immutable immer
// state and fed by the execution stream, so a UI or a bot can read it without asking the
// enclave. Reports say what changed (remaining sizes, fills, ends); what a report does not
// carry (an order's price and type) comes from the client's own placements or from a fetch.
// Balances are not derived from fills (fees and worst-case reservations are the enclave's
// business): balance-moving reports mark them stale and the client refetches them. After a
// reconnect the client reconciles the store with fetchOpenOrders / fetchBalance /
// fetchMyTrades, which also repairs any hole in the stream. Each trade carries its settlement
// status: settlement reports name the window and the exact range of this account's trade ids it
// holds, and move every trade in that range to the status they report.
import { produce, type Draft } from 'immer';
import { BehaviorSubject, type Observable } from 'rxjs';
import { addDecimals, compareDecimals } from './decimals.js';
import { SETTLEMENT_STATUSES } from '../../src/protocol/trading-messages.js';
import type { BalanceEntry, Balances, ExecutionReport, Order, OrderSide, OrderType, SettlementStatus, TimeInForce, Trade } from './types.js';

export const STORE_LIMITS = {
  maxOpenOrders: 10_000,
  maxClosedOrders: 1_000,
  maxTrades: 1_000,
  maxPendingPlacements: 1_000,
} as const;

/** What the client knows about an order it sent, before the enclave accepts it. */
export interface Placement {
  readonly symbol: string;
  readonly type: OrderType;
  readonly side: OrderSide;
  readonly price: string | undefined;
  readonly amount: string;
  readonly timeInForce: TimeInForce;
}

export interface StoreState {
  /** Open orders by order id. */
  readonly openOrders: Readonly<Record<string, Order>>;
  /** Orders that ended, oldest first, the last STORE_LIMITS.maxClosedOrders. */
  readonly closedOrders: readonly Order[];
  /** This account's fills, oldest first, the last STORE_LIMITS.maxTrades. */
  readonly trades: readonly Trade[];
  readonly balances: Readonly<Record<string, BalanceEntry>>;
  /** True when a report moved funds after the balances were last fetched. */
  readonly balancesStale: boolean;
  /** True when a report named an order whose price or type this store does not know. */
  readonly ordersIncomplete: boolean;
  /** Placements by client order id, waiting for their accepted report. */
  readonly placements: Readonly<Record<string, Placement>>;
  /** The last report seq applied. */
  readonly lastSeq: number;
  /** When the store was last reconciled with the server, ms since the epoch. */
  readonly reconciledAtMs: number | undefined;
}

/** Any part of a server snapshot; each part present replaces or merges its part of the store. */
export interface ReconcileSnapshot {
  /** The server's open orders, of `symbol` only when it is given. */
  readonly openOrders?: readonly Order[];
  readonly symbol?: string;
  /**
   * Set when openOrders is one page of a paged fetch: the order ids the page speaks for,
   * afterId < id ≤ throughId (throughId undefined: to the end). Local open orders outside the
   * range are left alone; without it openOrders is the whole list.
   */
  readonly orderIdRange?: OrderIdRange;
  readonly balances?: Balances;
  readonly trades?: readonly Trade[];
}

export interface OrderIdRange {
  readonly afterId: number;
  readonly throughId: number | undefined;
}

const EMPTY: StoreState = {
  openOrders: {}, closedOrders: [], trades: [], balances: {}, balancesStale: false, ordersIncomplete: false,
  placements: {}, lastSeq: 0, reconciledAtMs: undefined,
};

const DONE_STATUS = { filled: 'closed', cancelled: 'canceled', expired: 'expired' } as const;
const BALANCE_MOVING = new Set<ExecutionReport['kind']>(['accepted', 'fill', 'amended', 'cancelled', 'done', 'deposit', 'withdrawal', 'settlement']);

function tradeKey(trade: Trade): string {
  return `${trade.id}:${trade.order}`;
}

export class DarkpoolStore {
  readonly #subject = new BehaviorSubject<StoreState>(EMPTY);

  get state(): StoreState {
    return this.#subject.value;
  }

  /** Every new state, starting with the current one. */
  get changes$(): Observable<StoreState> {
    return this.#subject.asObservable();
  }

  /** Open orders, optionally of one symbol, oldest id first. */
  openOrders(symbol?: string): Order[] {
    return Object.values(this.state.openOrders)
      .filter((order) => symbol === undefined || order.symbol === symbol)
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** An order by id: open, or among the recently closed. */
  order(id: string): Order | undefined {
    return this.state.openOrders[id] ?? lastClosed(this.state.closedOrders, id);
  }

  /** Remembers what the client sent under a client order id, to complete the accepted report. */
  notePlacement(clientOrderId: string, placement: Placement): void {
    this.#update((draft) => {
      draft.placements[clientOrderId] = placement;
      const ids = Object.keys(draft.placements);
      for (let i = 0; i < ids.length - STORE_LIMITS.maxPendingPlacements; i++) delete draft.placements[ids[i]!];
    });
  }

  forgetPlacement(clientOrderId: string): void {
    if (this.state.placements[clientOrderId] === undefined) return;
    this.#update((draft) => { delete draft.placements[clientOrderId]; });
  }

  /** An amend to a new price succeeded (the amended report does not carry the price). */
  notePrice(orderId: string, price: string): void {
    if (this.state.openOrders[orderId] === undefined) return;
    this.#update((draft) => { draft.openOrders[orderId]!.price = price; });
  }

  /**
   * The trades a settlement report covers (this account's trades with ids in its range), as the
   * store holds them; empty for any other report.
   */
  tradesSettledBy(report: ExecutionReport): Trade[] {
    const range = settlementRange(report);
    if (range === undefined) return [];
    return this.state.trades.filter((trade) => inRange(trade, range));
  }

  /** The trade a fill report carried, as the store holds it (with its settlement status). */
  tradeOf(trade: Trade): Trade | undefined {
    const key = tradeKey(trade);
    return this.state.trades.find((known) => tradeKey(known) === key);
  }

  /** Applies one report in stream order; returns the order it changed, if any. */
  applyReport(report: ExecutionReport): Order | undefined {
    let changed: Order | undefined;
    this.#update((draft) => {
      draft.lastSeq = Math.max(draft.lastSeq, report.seq);
      if (BALANCE_MOVING.has(report.kind)) draft.balancesStale = true;
      const range = settlementRange(report);
      if (range !== undefined) {
        for (const trade of draft.trades) {
          if (!inRange(trade, range)) continue;
          trade.settlement = range.status;
          trade.settlementWindow = range.window;
        }
        return;
      }
      // A fill already applied (the same trade under another seq) must not count twice.
      if (report.kind === 'fill' && report.trade !== undefined && !addTrade(draft, report.trade)) return;
      const order = orderFromReport(draft, report);
      if (order !== undefined) changed = order;
    });
    if (changed === undefined) return undefined;
    return this.order(changed.id);
  }

  /** Replaces the balances with a fresh fetch. */
  setBalances(balances: Balances): void {
    this.#update((draft) => {
      draft.balances = balances.assets as Draft<Record<string, BalanceEntry>>;
      draft.balancesStale = false;
    });
  }

  /**
   * Makes the store agree with the server: open orders as fetched (keeping what only this client
   * knows, such as amounts and fills), local open orders the server no longer has moved to the
   * closed list with reason "reconciled", balances replaced, trades merged.
   */
  reconcile(snapshot: ReconcileSnapshot, nowMs: number): void {
    this.#update((draft) => {
      if (snapshot.openOrders !== undefined) reconcileOrders(draft, snapshot.openOrders, snapshot.symbol, snapshot.orderIdRange, nowMs);
      if (snapshot.balances !== undefined) {
        draft.balances = snapshot.balances.assets as Draft<Record<string, BalanceEntry>>;
        draft.balancesStale = false;
      }
      if (snapshot.trades !== undefined) {
        for (const trade of snapshot.trades) {
          if (addTrade(draft, trade)) continue;
          const known = draft.trades.find((entry) => tradeKey(entry) === tradeKey(trade))!;
          known.settlement = trade.settlement;
          known.settlementWindow = trade.settlementWindow;
        }
        draft.trades.sort((a, b) => a.timestamp - b.timestamp || Number(a.id) - Number(b.id));
      }
      draft.reconciledAtMs = nowMs;
    });
  }

  /** Ends the changes$ stream. */
  complete(): void {
    this.#subject.complete();
  }

  #update(recipe: (draft: Draft<StoreState>) => void): void {
    const next = produce(this.state, recipe);
    if (next !== this.state) this.#subject.next(next);
  }
}

function inOrderRange(id: string, range: OrderIdRange | undefined): boolean {
  if (range === undefined) return true;
  const value = Number(id);
  return value > range.afterId && (range.throughId === undefined || value <= range.throughId);
}

function reconcileOrders(draft: Draft<StoreState>, orders: readonly Order[], symbol: string | undefined, range: OrderIdRange | undefined, nowMs: number): void {
  const fetched = new Map(orders.map((order) => [order.id, order]));
  for (const [id, local] of Object.entries(draft.openOrders)) {
    if (fetched.has(id) || (symbol !== undefined && local.symbol !== symbol) || !inOrderRange(id, range)) continue;
    delete draft.openOrders[id];
    pushClosed(draft, { ...local, status: 'closed', reason: 'reconciled', lastUpdateTimestamp: nowMs });
  }
  let incomplete = false;
  for (const order of fetched.values()) {
    const local = draft.openOrders[order.id];
    const filled = local?.filled ?? order.filled;
    draft.openOrders[order.id] = {
      ...order,
      type: order.type ?? local?.type,
      price: order.price ?? local?.price,
      timeInForce: order.timeInForce ?? local?.timeInForce,
      filled,
      amount: filled === undefined ? order.amount : addDecimals(filled, order.remaining),
    };
    if (order.type === undefined || order.side === undefined) incomplete = true;
  }
  // A whole list (or the first page of one) over every symbol says afresh whether any order is incomplete.
  const fresh = symbol === undefined && (range === undefined || range.afterId === 0);
  draft.ordersIncomplete = fresh ? incomplete : draft.ordersIncomplete || incomplete;
}

function lastClosed(closed: readonly Order[], id: string): Order | undefined {
  for (let index = closed.length - 1; index >= 0; index -= 1) if (closed[index]!.id === id) return closed[index];
  return undefined;
}

/** Adds a trade unless it is known; returns whether it was new. */
function addTrade(draft: Draft<StoreState>, trade: Trade): boolean {
  const key = tradeKey(trade);
  if (draft.trades.some((known) => tradeKey(known) === key)) return false;
  draft.trades.push(trade as Draft<Trade>);
  if (draft.trades.length > STORE_LIMITS.maxTrades) draft.trades.splice(0, draft.trades.length - STORE_LIMITS.maxTrades);
  return true;
}

/** What a settlement report says: every trade of this account with an id in [first, last] is now at status. */
interface SettlementRange {
  readonly window: number;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly status: SettlementStatus;
}

function settlementRange(report: ExecutionReport): SettlementRange | undefined {
  if (report.kind !== 'settlement' || report.window === undefined || report.firstTradeId === undefined || report.lastTradeId === undefined) return undefined;
  const status = report.status as SettlementStatus;
  if (!SETTLEMENT_STATUSES.includes(status)) return undefined;
  return { window: report.window, firstTradeId: Number(report.firstTradeId), lastTradeId: Number(report.lastTradeId), status };
}

function inRange(trade: Trade, range: SettlementRange): boolean {
  const id = Number(trade.id);
  return id >= range.firstTradeId && id <= range.lastTradeId;
}

function pushClosed(draft: Draft<StoreState>, order: Order): void {
  draft.closedOrders.push(order as Draft<Order>);
  if (draft.closedOrders.length > STORE_LIMITS.maxClosedOrders) draft.closedOrders.splice(0, draft.closedOrders.length - STORE_LIMITS.maxClosedOrders);
}

/** Applies an order report to the draft; returns the order's new state, undefined for non-order reports. */
function orderFromReport(draft: Draft<StoreState>, report: ExecutionReport): Order | undefined {
  if (report.orderId === undefined || report.symbol === undefined) return undefined;
  const id = report.orderId;
  const at = report.timestamp;
  const known = draft.openOrders[id] as Order | undefined;
  if (report.kind === 'accepted') {
    const placement = report.clientOrderId === undefined ? undefined : draft.placements[report.clientOrderId];
    if (report.clientOrderId !== undefined) delete draft.placements[report.clientOrderId];
    if (placement === undefined) draft.ordersIncomplete = true;
    const remaining = report.remaining ?? placement?.amount ?? '0';
    return putOpen(draft, {
      id, clientOrderId: report.clientOrderId ?? '', symbol: report.symbol, type: placement?.type, side: report.side ?? placement?.side,
      price: placement?.price, amount: remaining, filled: '0', remaining, status: 'open', timeInForce: placement?.timeInForce,
      reason: undefined, lastUpdateTimestamp: at,
    });
  }
  const base: Order = known ?? {
    id, clientOrderId: report.clientOrderId ?? '', symbol: report.symbol, type: undefined, side: report.side, price: undefined,
    amount: undefined, filled: undefined, remaining: report.remaining ?? '0', status: 'open', timeInForce: undefined, reason: undefined, lastUpdateTimestamp: at,
  };
  if (known === undefined) draft.ordersIncomplete = true;
  switch (report.kind) {
    case 'fill': {
      const remaining = report.remaining ?? base.remaining;
      const filled = base.filled === undefined || report.trade === undefined ? base.filled : addDecimals(base.filled, report.trade.amount);
      return putOpen(draft, { ...base, side: base.side ?? report.side, filled, remaining, amount: filled === undefined ? base.amount : addDecimals(filled, remaining), lastUpdateTimestamp: at });
    }
    case 'amended': {
      const remaining = report.remaining ?? base.remaining;
      return putOpen(draft, { ...base, remaining, amount: base.filled === undefined ? base.amount : addDecimals(base.filled, remaining), lastUpdateTimestamp: at });
    }
    case 'cancelled': {
      const remaining = report.remaining ?? '0';
      if (compareDecimals(remaining, '0') > 0) {
        return putOpen(draft, { ...base, remaining, amount: base.filled === undefined ? base.amount : addDecimals(base.filled, remaining), reason: report.reason, lastUpdateTimestamp: at });
      }
      return putOpen(draft, { ...base, reason: report.reason, lastUpdateTimestamp: at });
    }
    case 'expired':
      return putOpen(draft, { ...base, reason: 'expired', lastUpdateTimestamp: at });
    case 'done': {
      const status = DONE_STATUS[report.reason as keyof typeof DONE_STATUS] ?? 'canceled';
      const closed: Order = { ...base, status, remaining: report.remaining ?? base.remaining, reason: base.reason ?? report.reason, lastUpdateTimestamp: at };
      delete draft.openOrders[id];
      pushClosed(draft, closed);
      return closed;
    }
    case 'rejected': {
      if (report.clientOrderId !== undefined) delete draft.placements[report.clientOrderId];
      const closed: Order = { ...base, status: 'rejected', reason: report.reason, lastUpdateTimestamp: at };
      delete draft.openOrders[id];
      pushClosed(draft, closed);
      return closed;
    }
    default:
      return undefined;
  }
}

function putOpen(draft: Draft<StoreState>, order: Order): Order {
  if (draft.openOrders[order.id] === undefined && Object.keys(draft.openOrders).length >= STORE_LIMITS.maxOpenOrders) return order;
  draft.openOrders[order.id] = order as Draft<Order>;
  return order;
}
