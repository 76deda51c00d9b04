// Reads the enclave's answers and reports (src/protocol/trading-messages.ts) into the SDK's
// CCXT-style types. The envelope codec already guarantees JSON of bounded shape; this checks
// each field the SDK relies on and turns the enclave's integer atoms into decimal strings, so
// a malformed answer becomes CLIENT_BAD_ANSWER rather than a crash deep in a caller.
import type { JsonObject } from '../../src/protocol/message-codec.js';
import { SETTLEMENT_STATUSES, type JunctionWire, type ReportKind, type WireSettlementStatus } from '../../src/protocol/trading-messages.js';
import { formatAtoms, multiplyDecimals } from './decimals.js';
import { DarkpoolError } from './errors.js';
import type { BalanceEntry, Balances, DepositAddress, ExecutionReport, Order, OrderSide, OrderType, TimeInForce, Trade } from './types.js';

const REPORT_KINDS: readonly ReportKind[] = ['accepted', 'fill', 'amended', 'cancelled', 'expired', 'done', 'rejected', 'settlement', 'deposit', 'withdrawal'];
const ORDER_TYPES: readonly OrderType[] = ['limit', 'market', 'midpoint', 'peg'];
const TIMES_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'GTT'];
const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const ACCOUNT_HEX = /^0x[0-9a-f]{64}$/;
const SS58 = /^[1-9A-HJ-NP-Za-km-z]{40,60}$/;
const GENERAL_INDEX = /^(0|[1-9][0-9]{0,38})$/;
/** Junctions in an asset location; XCM allows eight. */
const MAX_JUNCTIONS = 8;
/** Payout entries in one netted report: one per asset. */
const MAX_PAYOUTS = 64;

function bad(detail: string): DarkpoolError {
  return new DarkpoolError('CLIENT_BAD_ANSWER', detail, { origin: 'enclave' });
}

function object(value: unknown, title: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`${title} is not an object`);
  return value as JsonObject;
}

function list(value: unknown, title: string): readonly unknown[] {
  if (!Array.isArray(value)) throw bad(`${title} is not an array`);
  return value;
}

function int(value: unknown, title: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw bad(`${title} is not a non-negative integer`);
  return value;
}

function str(value: unknown, title: string): string {
  if (typeof value !== 'string') throw bad(`${title} is not a string`);
  return value;
}

function decimal(value: unknown, title: string): string {
  if (typeof value !== 'string' || value.length > 130 || !DECIMAL.test(value)) throw bad(`${title} is not a decimal string`);
  return value;
}

function side(value: unknown, title: string): OrderSide {
  if (value !== 'buy' && value !== 'sell') throw bad(`${title} is not buy or sell`);
  return value;
}

function optional<T>(value: unknown, read: (value: unknown, title: string) => T, title: string): T | undefined {
  return value === undefined ? undefined : read(value, title);
}

/** A result's single field, checked as an integer (order ids, counts). */
export function resultInt(result: JsonObject, field: string): number {
  return int(result[field], field);
}

export function resultString(result: JsonObject, field: string): string {
  return str(result[field], field);
}

export function resultIntList(result: JsonObject, field: string): number[] {
  return list(result[field], field).map((value, index) => int(value, `${field}[${index}]`));
}

/** One TradeWire as a Trade. */
export function readTrade(value: unknown): Trade {
  const wire = object(value, 'trade');
  const price = decimal(wire.price, 'trade price');
  const amount = decimal(wire.size, 'trade size');
  return {
    id: String(int(wire.tradeId, 'tradeId')),
    order: String(int(wire.orderId, 'trade orderId')),
    clientOrderId: str(wire.clientOrderId, 'trade clientOrderId'),
    symbol: str(wire.market, 'trade market'),
    side: side(wire.side, 'trade side'),
    takerOrMaker: wire.liquidity === 'maker' || wire.liquidity === 'taker' ? wire.liquidity : failWith('trade liquidity is not maker or taker'),
    price,
    amount,
    cost: multiplyDecimals(price, amount),
    fee: { cost: decimal(wire.fee, 'trade fee'), currency: str(wire.feeAsset, 'trade feeAsset') },
    timestamp: int(wire.timeMs, 'trade timeMs'),
    settlement: wire.settlement === undefined ? 'pending' : settlementStatus(wire.settlement, 'trade settlement'),
    settlementWindow: optional(wire.settlementWindow, int, 'trade settlementWindow'),
  };
}

function settlementStatus(value: unknown, title: string): WireSettlementStatus {
  if (typeof value !== 'string' || !(SETTLEMENT_STATUSES as readonly string[]).includes(value)) throw bad(`${title} is not a settlement status`);
  return value as WireSettlementStatus;
}

function junction(value: unknown, title: string): JunctionWire {
  const wire = object(value, title);
  switch (wire.kind) {
    case 'Parachain': return { kind: 'Parachain', id: int(wire.id, `${title} id`) };
    case 'PalletInstance': return { kind: 'PalletInstance', index: int(wire.index, `${title} index`) };
    case 'AccountId32': {
      const id = str(wire.id, `${title} id`);
      if (!ACCOUNT_HEX.test(id)) throw bad(`${title} id is not 0x and 64 hex`);
      return { kind: 'AccountId32', id };
    }
    case 'GeneralIndex': {
      const index = str(wire.index, `${title} index`);
      if (!GENERAL_INDEX.test(index)) throw bad(`${title} index is not a decimal integer`);
      return { kind: 'GeneralIndex', index };
    }
    default: throw bad(`${title} kind is unknown`);
  }
}

function accountHex(value: unknown, title: string): string {
  const hex = str(value, title);
  if (!ACCOUNT_HEX.test(hex)) throw bad(`${title} is not 0x and 64 hex`);
  return hex;
}

function ss58(value: unknown, title: string): string {
  const address = str(value, title);
  if (!SS58.test(address)) throw bad(`${title} is not an SS58 address`);
  return address;
}

/** A query.depositAddress result, checked field by field. */
export function readDepositAddress(result: JsonObject): DepositAddress & { readonly creditedAccount: string } {
  const location = object(result.assetLocation, 'assetLocation');
  const interior = list(location.interior, 'assetLocation interior');
  if (interior.length > MAX_JUNCTIONS) throw bad(`assetLocation has more than ${MAX_JUNCTIONS} junctions`);
  if (result.convention !== 'sender' || result.memo !== null) throw bad('the deposit convention is not "sender" without a memo');
  const creditedAccount = str(result.creditedAccount, 'creditedAccount');
  return {
    chain: str(result.chain, 'chain'),
    asset: str(result.asset, 'asset'),
    assetLocation: { parents: int(location.parents, 'assetLocation parents'), interior: interior.map((entry, index) => junction(entry, `assetLocation interior[${index}]`)) },
    poolAccount: { hex: accountHex(result.poolAccountHex, 'poolAccountHex'), ss58: ss58(result.poolAccountSs58, 'poolAccountSs58') },
    ss58Prefix: int(result.ss58Prefix, 'ss58Prefix'),
    sendFrom: { hex: accountHex(result.senderAccountHex, 'senderAccountHex'), ss58: ss58(result.senderAccountSs58, 'senderAccountSs58') },
    convention: 'sender',
    memo: null,
    creditedAccount,
  };
}

/** The list a page answer carries under `field`, unchecked item by item. */
export function readList(result: JsonObject, field: string): readonly unknown[] {
  return list(result[field], field);
}

export function readTrades(result: JsonObject): Trade[] {
  return list(result.trades, 'trades').map(readTrade);
}

/** One OpenOrderWire as an open Order (amount and filled unknown: the enclave reports what remains). */
export function readOpenOrder(value: unknown, nowMs: number): Order {
  const wire = object(value, 'order');
  const type = wire.type;
  if (typeof type !== 'string' || !(ORDER_TYPES as readonly string[]).includes(type)) throw bad('order type is unknown');
  const timeInForce = wire.timeInForce;
  if (typeof timeInForce !== 'string' || !(TIMES_IN_FORCE as readonly string[]).includes(timeInForce)) throw bad('order timeInForce is unknown');
  return {
    id: String(int(wire.orderId, 'orderId')),
    clientOrderId: str(wire.clientOrderId, 'clientOrderId'),
    symbol: str(wire.market, 'market'),
    type: type as OrderType,
    side: side(wire.side, 'side'),
    price: wire.price === null ? undefined : decimal(wire.price, 'price'),
    amount: undefined,
    filled: undefined,
    remaining: decimal(wire.remaining, 'remaining'),
    status: 'open',
    timeInForce: timeInForce as TimeInForce,
    reason: undefined,
    lastUpdateTimestamp: nowMs,
  };
}

export function readOpenOrders(result: JsonObject, nowMs: number): Order[] {
  return list(result.orders, 'orders').map((order) => readOpenOrder(order, nowMs));
}

/** BalanceWire entries (atoms) as decimal balances; an asset no market lists keeps 0 decimals. */
export function readBalances(result: JsonObject, decimalsOf: ReadonlyMap<string, number>, nowMs: number): Balances {
  const assets: Record<string, BalanceEntry> = {};
  const free: Record<string, string> = {};
  const used: Record<string, string> = {};
  const total: Record<string, string> = {};
  const settling: Record<string, string> = {};
  for (const [index, value] of list(result.balances, 'balances').entries()) {
    const wire = object(value, `balances[${index}]`);
    const asset = str(wire.asset, 'asset');
    const decimals = decimalsOf.get(asset) ?? 0;
    const availableAtoms = str(wire.available, 'available');
    const reservedAtoms = str(wire.reserved, 'reserved');
    const entry: BalanceEntry = {
      free: formatAtoms(availableAtoms, decimals, `${asset} available`),
      used: formatAtoms(reservedAtoms, decimals, `${asset} reserved`),
      total: formatAtoms((BigInt(availableAtoms) + BigInt(reservedAtoms)).toString(), decimals, `${asset} total`),
      settling: formatAtoms(str(wire.settling, 'settling'), decimals, `${asset} settling`),
    };
    assets[asset] = entry;
    free[asset] = entry.free;
    used[asset] = entry.used;
    total[asset] = entry.total;
    settling[asset] = entry.settling;
  }
  return { assets, free, used, total, settling, timestamp: nowMs };
}

/** A "report" envelope body as an ExecutionReport, amounts in decimals of their asset. */
export function readReport(body: JsonObject, decimalsOf: ReadonlyMap<string, number>): ExecutionReport {
  const kind = body.kind;
  if (typeof kind !== 'string' || !(REPORT_KINDS as readonly string[]).includes(kind)) throw bad('report kind is unknown');
  const seq = int(body.seq, 'report seq');
  if (seq < 1) throw bad('report seq is below 1');
  const asset = optional(body.asset, str, 'report asset');
  const atoms = optional(body.amount, str, 'report amount');
  const orderId = optional(body.orderId, int, 'report orderId');
  const firstTradeId = optional(body.firstTradeId, int, 'report firstTradeId');
  const lastTradeId = optional(body.lastTradeId, int, 'report lastTradeId');
  const payouts = body.payouts === undefined ? undefined : list(body.payouts, 'report payouts');
  if (payouts !== undefined && payouts.length > MAX_PAYOUTS) throw bad(`more than ${MAX_PAYOUTS} payouts`);
  return {
    seq,
    kind: kind as ReportKind,
    timestamp: int(body.timeMs, 'report timeMs'),
    symbol: optional(body.market, str, 'report market'),
    orderId: orderId === undefined ? undefined : String(orderId),
    clientOrderId: optional(body.clientOrderId, str, 'report clientOrderId'),
    side: optional(body.side, side, 'report side'),
    remaining: optional(body.remaining, decimal, 'report remaining'),
    trade: body.trade === undefined ? undefined : readTrade(body.trade),
    reason: optional(body.reason, str, 'report reason'),
    code: optional(body.code, int, 'report code'),
    asset,
    amount: atoms === undefined ? undefined : formatAtoms(atoms, asset === undefined ? 0 : decimalsOf.get(asset) ?? 0, 'report amount'),
    batchId: optional(body.batchId, str, 'report batchId'),
    status: kind === 'settlement' && body.window !== undefined ? settlementStatus(body.status, 'report status') : optional(body.status, str, 'report status'),
    window: optional(body.window, int, 'report window'),
    firstTradeId: firstTradeId === undefined ? undefined : String(firstTradeId),
    lastTradeId: lastTradeId === undefined ? undefined : String(lastTradeId),
    tradeCount: optional(body.tradeCount, int, 'report tradeCount'),
    payouts: payouts?.map((value, index) => {
      const payout = object(value, `report payouts[${index}]`);
      const payoutAsset = str(payout.asset, `report payouts[${index}] asset`);
      return { asset: payoutAsset, amount: formatAtoms(str(payout.amount, `report payouts[${index}] amount`), decimalsOf.get(payoutAsset) ?? 0, 'payout amount') };
    }),
  };
}

function failWith(detail: string): never {
  throw bad(detail);
}
