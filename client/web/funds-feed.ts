// What the page knows about money leaving or entering the pool for this trader: the reports of
// kind settlement, deposit and withdrawal exactly as the enclave sent them, newest first. A
// settlement report names its window and the range of this trader's trade ids it covers; the
// per-fill status itself lives on each trade in the SDK's store (client/sdk/store.ts).
import type { ExecutionReport, SettlementStatus, Trade } from '../sdk/types.js';

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

/** What the fills table says for each settlement status. */
export const SETTLEMENT_TEXT: Readonly<Record<SettlementStatus, string>> = {
  pending: 'pending: settlement window open',
  netted: 'netted: batch sealed',
  submitted: 'submitted on-chain',
  confirmed: 'confirmed on-chain',
  failed: 'failed: will retry',
};

export function fundsEventOf(report: ExecutionReport): FundsEvent | undefined {
  if (report.kind !== 'settlement' && report.kind !== 'deposit' && report.kind !== 'withdrawal') return undefined;
  if (report.kind === 'settlement' && report.window !== undefined) {
    const payouts = report.payouts ?? [];
    const trades = report.firstTradeId === report.lastTradeId ? `trade ${report.firstTradeId}` : `trades ${report.firstTradeId}–${report.lastTradeId}`;
    return {
      seq: report.seq, kind: 'settlement', timestamp: report.timestamp,
      asset: payouts.length === 0 ? '—' : payouts.map((payout) => payout.asset).join(' / '),
      amount: payouts.length === 0 ? '—' : payouts.map((payout) => payout.amount).join(' / '),
      status: `${report.status ?? '—'} · window ${report.window} · ${trades}`, batchId: report.batchId,
    };
  }
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

/** The fill's settlement status as the page shows it, with its window once closed. */
export function settlementTextOf(trade: Trade): string {
  const text = SETTLEMENT_TEXT[trade.settlement] ?? trade.settlement;
  return trade.settlementWindow === undefined ? text : `${text} (window ${trade.settlementWindow})`;
}
