// What the page knows about money leaving or entering the pool for this trader: the reports
// of kind settlement, deposit and withdrawal exactly as the enclave sent them, newest first,
// and from them the settlement status shown next to each fill. Fills settle when their
// settlement window closes (netted per account and asset, paid out on-chain); until a
// settlement report names one of a fill's assets after the fill, the fill is shown as
// awaiting its settlement window.
import type { Market } from '../sdk/markets.js';
import type { ExecutionReport, Trade } from '../sdk/types.js';

export const FUNDS_FEED_LIMITS = { maxEvents: 200 } as const;

export type FundsKind = 'settlement' | 'deposit' | 'withdrawal';

export interface FundsEvent {
  readonly seq: number;
  readonly kind: FundsKind;
  readonly timestamp: number;
  readonly asset: string;
  readonly amount: string;
  readonly status: string;
  readonly batchId: string | undefined;
}

export const AWAITING_SETTLEMENT = 'awaiting settlement window';

export function fundsEventOf(report: ExecutionReport): FundsEvent | undefined {
  if (report.kind !== 'settlement' && report.kind !== 'deposit' && report.kind !== 'withdrawal') return undefined;
  return {
    seq: report.seq, kind: report.kind, timestamp: report.timestamp, asset: report.asset ?? '—', amount: report.amount ?? '—',
    status: report.status ?? '—', batchId: report.batchId,
  };
}

/** The feed with one more event: newest first, each seq once, at most maxEvents. */
export function withEvent(feed: readonly FundsEvent[], event: FundsEvent): FundsEvent[] {
  if (feed.some((known) => known.seq === event.seq)) return [...feed];
  return [event, ...feed].sort((a, b) => b.seq - a.seq).slice(0, FUNDS_FEED_LIMITS.maxEvents);
}

/** The newest settlement report at or after the fill that concerns one of its market's assets, else "awaiting settlement window". */
export function settlementStatusOf(trade: Trade, market: Market | undefined, feed: readonly FundsEvent[]): string {
  const assets = market === undefined ? [] : [market.base, market.quote];
  const report = feed.find((event) => event.kind === 'settlement' && event.timestamp >= trade.timestamp && assets.includes(event.asset));
  if (report === undefined) return AWAITING_SETTLEMENT;
  return `${report.status}: ${report.amount} ${report.asset}${report.batchId === undefined ? '' : ` (batch ${report.batchId})`}`;
}
