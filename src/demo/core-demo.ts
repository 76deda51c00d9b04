// `npm run demo:core`: runs the engine's trusted core in-process (deterministic: no worker, no
// network) on its embedded defaults with a short demo — a
// market maker quoting a ladder around a moving reference price, traders sending limit,
// midpoint and IOC orders, the matcher filling them, escrow moving funds, and settlement
// windows netting the results — and prints what each party would be told.
import { EnclaveEngine, type EnclaveCommand, type EnclaveCommandBody } from '../enclave/engine.js';
import type { OrderSpec, TradingRequest } from '../enclave/requests.js';
import { buildMarketSpec } from '../matching/market-spec.js';
import { formatAtoms } from '../matching/decimal-edge.js';

const MARKET = buildMarketSpec({
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6,
  tickSize: '0.001', lotSize: '0.1', makerFeeBps: 1, takerFeeBps: 4, referenceStalenessMs: 5_000, priceBandBps: 500,
});
const DECIMALS: Readonly<Record<string, number>> = { DOT: 10, USDC: 6 };
const TRADERS = ['maker', 'alice', 'bob'] as const;

let seq = 0;
let timeMs = Date.UTC(2026, 10, 25, 12, 0, 0);
const engine = new EnclaveEngine({ markets: [MARKET], feeAccount: 'venue-fees' });

function run(body: EnclaveCommandBody): ReturnType<EnclaveEngine['apply']> {
  seq += 1;
  timeMs += 250;
  const output = engine.apply({ ...body, seq, timeMs } as EnclaveCommand);
  for (const { account, report } of output.reports) {
    if (report.kind === 'fill' && report.trade) {
      const t = report.trade;
      console.log(`  → ${account.padEnd(6)} fill   ${t.side.padEnd(4)} ${t.size} DOT @ ${t.price} (${t.liquidity}, fee ${t.fee} ${t.feeAsset})`);
    } else if (report.kind === 'done' || report.kind === 'cancelled' || report.kind === 'accepted') {
      console.log(`  → ${account.padEnd(6)} ${report.kind.padEnd(8)} order ${report.orderId} ${report.clientOrderId ?? ''} ${report.reason ?? ''}`);
    }
  }
  if (output.outcome?.ok === false) console.log(`  ✗ rejected ${output.outcome.name} (${output.outcome.code})`);
  return output;
}

function trade(account: string, request: TradingRequest): void {
  run({ kind: 'trade', account, requestId: `r${seq + 1}`, request });
}

function limit(side: 'buy' | 'sell', priceTicks: number, sizeLots: number, clientOrderId: string, extra: Partial<OrderSpec> = {}): OrderSpec {
  return { market: MARKET.id, clientOrderId, side, orderType: 'limit', priceTicks, sizeLots, timeInForce: 'GTC', expireAtMs: undefined, postOnly: false, minQtyLots: 0, selfTradePrevention: 'cancelNewest', ...extra } as OrderSpec;
}

function ladder(midTicks: number, round: number): OrderSpec[] {
  return [1, 2, 3].flatMap((level) => [
    limit('buy', midTicks - 5 * level, 50 * level, `mq${round}b${level}`, { postOnly: true, selfTradePrevention: 'cancelOldest' }),
    limit('sell', midTicks + 5 * level, 50 * level, `mq${round}s${level}`, { postOnly: true, selfTradePrevention: 'cancelOldest' }),
  ]);
}

console.log('darkpool engine demo — deterministic core (matcher + escrow + settlement netting)\n');
console.log('deposits');
for (const account of TRADERS) {
  run({ kind: 'deposit', account, asset: 'USDC', atoms: 100_000_000_000n, reference: `${account}-usdc` });
  run({ kind: 'deposit', account, asset: 'DOT', atoms: 10_000_000_000_000n, reference: `${account}-dot` });
}

const path = [7_000, 7_010, 6_990, 7_020];
path.forEach((midTicks, round) => {
  console.log(`\nround ${round + 1}: reference ${(midTicks - 2) / 1000}/${(midTicks + 2) / 1000}`);
  run({ kind: 'reference', market: MARKET.id, bidTicks: midTicks - 2, askTicks: midTicks + 2 });
  console.log(' market maker replaces its ladder (massQuote)');
  trade('maker', { type: 'order.massQuote', market: MARKET.id, quotes: ladder(midTicks, round) });
  console.log(' alice buys 80 lots IOC through the ladder');
  trade('alice', { type: 'order.place', order: limit('buy', midTicks + 10, 80, `a${round}`, { timeInForce: 'IOC' }) });
  console.log(' bob rests a midpoint sell, alice meets it at the mid');
  trade('bob', { type: 'order.place', order: { market: MARKET.id, clientOrderId: `bm${round}`, side: 'sell', orderType: 'midpoint', capTicks: undefined, sizeLots: 30, timeInForce: 'GTC', expireAtMs: undefined, postOnly: false, minQtyLots: 10, selfTradePrevention: 'cancelNewest' } });
  trade('alice', { type: 'order.place', order: { market: MARKET.id, clientOrderId: `am${round}`, side: 'buy', orderType: 'midpoint', capTicks: midTicks + 5, sizeLots: 30, timeInForce: 'IOC', expireAtMs: undefined, postOnly: false, minQtyLots: 0, selfTradePrevention: 'cancelNewest' } });
  const closed = run({ kind: 'closeWindow' });
  console.log(` settlement window ${closed.window?.number}: one net transfer per (account, asset)`);
  for (const net of closed.window?.nets ?? []) {
    if (net.payoutAtoms > 0n) console.log(`   pay ${formatAtoms(net.payoutAtoms, DECIMALS[net.asset]!).padStart(14)} ${net.asset.padEnd(4)} → ${net.account}`);
  }
  engine.checkInvariants();
});

console.log('\nbalances after the demo (available / reserved)');
for (const account of [...TRADERS, 'venue-fees']) {
  const parts = engine.balances(account).map((b) => `${formatAtoms(BigInt(b.available), DECIMALS[b.asset]!)} / ${formatAtoms(BigInt(b.reserved), DECIMALS[b.asset]!)} ${b.asset}`);
  console.log(`  ${account.padEnd(10)} ${parts.join('   ')}`);
}
console.log(`\nescrow conserved; state hash ${engine.stateHash().slice(0, 16)}… (replaying the same commands reproduces it)`);
