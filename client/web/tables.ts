// The page's tables, redrawn from the SDK's local store (client/sdk/store.ts) and the funds
// feed whenever either changes: my open orders (each with a cancel button), my fills with
// their settlement status, balances, the settlement / deposit / withdrawal reports, and the
// deposit address the enclave named.
import type { BalanceEntry, DepositAddress, Order, Trade } from '../sdk/types.js';
import { el, fillRows, row, timeOf } from './dom.js';
import { settlementTextOf, type FundsEvent } from './funds-feed.js';

/** Rows drawn per table; the store itself keeps at most 1000 trades and closed orders. */
export const TABLE_LIMITS = { maxRows: 200 } as const;

export function renderOpenOrders(body: HTMLTableSectionElement, orders: readonly Order[], onCancel: (order: Order) => void): void {
  const rows = orders.slice(-TABLE_LIMITS.maxRows).reverse().map((order) => {
    const cancel = el('button', { className: 'small', text: 'Cancel', attrs: { type: 'button', 'data-cancel': order.id } });
    cancel.addEventListener('click', () => {
      cancel.disabled = true;
      onCancel(order);
    });
    return row([
      order.id, order.symbol, sideCell(order.side), order.type ?? '—', numberCell(order.price ?? (order.type === 'midpoint' ? 'mid' : '—')),
      numberCell(order.amount ?? '—'), numberCell(order.filled ?? '—'), numberCell(order.remaining), order.timeInForce ?? '—', el('td', { className: 'actions' }, cancel),
    ], { attrs: { 'data-order-id': order.id } });
  });
  fillRows(body, rows, 10, 'No open orders.');
}

export function renderFills(body: HTMLTableSectionElement, trades: readonly Trade[]): void {
  const rows = trades.slice(-TABLE_LIMITS.maxRows).reverse().map((trade) => row([
    timeOf(trade.timestamp), trade.symbol, sideCell(trade.side), numberCell(trade.price), numberCell(trade.amount), numberCell(trade.cost),
    numberCell(`${trade.fee.cost} ${trade.fee.currency}`), trade.takerOrMaker,
    el('td', { className: `settlement settlement-${trade.settlement}`, text: settlementTextOf(trade), attrs: { 'data-settlement': trade.settlement } }),
  ], { attrs: { 'data-trade-id': trade.id, 'data-settlement': trade.settlement } }));
  fillRows(body, rows, 9, 'No fills yet.');
}

export function renderBalances(body: HTMLTableSectionElement, balances: Readonly<Record<string, BalanceEntry>>, stale: boolean): void {
  const rows = Object.entries(balances).sort(([a], [b]) => a.localeCompare(b)).slice(0, TABLE_LIMITS.maxRows).map(([asset, entry]) => row([
    el('td', { className: 'asset', text: asset }), numberCell(entry.free), numberCell(entry.used), numberCell(entry.total), numberCell(entry.settling),
  ], { attrs: { 'data-asset': asset }, className: stale ? 'stale' : '' }));
  fillRows(body, rows, 5, 'No balances: deposit on the settlement chain from this account.');
}

export function renderFundsFeed(body: HTMLTableSectionElement, feed: readonly FundsEvent[]): void {
  const rows = feed.slice(0, TABLE_LIMITS.maxRows).map((event) => row([
    timeOf(event.timestamp), event.kind, event.asset, numberCell(event.amount), event.status, event.batchId ?? '—',
  ], { attrs: { 'data-seq': String(event.seq) } }));
  fillRows(body, rows, 6, 'No settlement, deposit or withdrawal reports since this page connected.');
}

/** The deposit address as the enclave stated it, one labelled line per field. */
export function renderDepositAddress(target: HTMLElement, address: DepositAddress): void {
  const junctions = address.assetLocation.interior.map((junction) => `${junction.kind}(${'id' in junction ? junction.id : junction.index})`);
  const location = [`parents ${address.assetLocation.parents}`, ...junctions].join(' · ');
  const line = (field: string, label: string, value: string): HTMLElement => el('div', { className: 'deposit-line' },
    el('span', { className: 'label', text: label }), el('code', { text: value, attrs: { 'data-field': field } }));
  target.replaceChildren(
    line('chain', 'Chain', address.chain),
    line('asset', 'Asset location', `${address.asset}: ${location}`),
    line('pool-ss58', 'Pool account (SS58, prefix ' + String(address.ss58Prefix) + ')', address.poolAccount.ss58),
    line('pool-hex', 'Pool account (hex)', address.poolAccount.hex),
    line('send-from', 'Send from (your account)', address.sendFrom.ss58),
    line('send-from-hex', 'Send from (hex)', address.sendFrom.hex),
    el('p', { className: 'note', text: 'Transfer from your own account to the pool; no memo. The enclave credits it to you once the transfer is final. Stated by the enclave over the encrypted channel.' }),
  );
  target.hidden = false;
}

function sideCell(side: string | undefined): HTMLTableCellElement {
  return el('td', { className: side === undefined ? '' : `side-${side}`, text: side ?? '—' });
}

function numberCell(value: string): HTMLTableCellElement {
  return el('td', { className: 'num', text: value });
}
