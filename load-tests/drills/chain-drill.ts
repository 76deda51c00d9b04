// Fault drill 2: chain connector failures during settlement under load. SDK traders deposit on
// the embedded chain (into the pool), trade through the real gateway and withdraw, while the
// drill makes the chain drop, delay (past the confirmation timeout, so a message is resubmitted
// while its first copy is still pending), fail or refuse settlement submissions at seeded
// moments. Once the load stops and settlement is quiet, it checks:
//   - every sealed batch ends confirmed exactly once, or given up (retries exhausted and every
//     attempt provably dead) with its payouts credited back in the enclave — withdrawals
//     refunded, trade proceeds back in the balance (no refund refused) — and none is both;
//   - nothing lost, nothing paid twice: for every trader and asset, the chain balance (paid
//     out) plus the enclave balance (total + settling, as the trader's session reports it)
//     equals the deposit moved by exactly the trades the enclave reports; a double payout
//     would leave more on chain, a lost one less.
// Each submission carries a deadline the embedded chain enforces (20 blocks of 100 ms): a copy
// delayed past it is refused, so "unknown after the deadline" means "never executed", and a batch
// is resent or given up only then. `--max-attempts 4` (or lower) makes batches give up for real.
import { atomsOf } from './amounts.js';
import { ENGINE_MARKET, EngineProcess, type ChainFault, type SettlementLine } from '../engine-process.js';
import { TRADER_FUNDING, TraderPool } from './traders.js';
import { Prng } from '../../test/support/prng.js';

export interface ChainDrillOptions {
  readonly seed: number;
  readonly traders: number;
  /** Orders per trader (at most ~60: the trades answer must fit one frame). */
  readonly maxOrdersPerTrader: number;
  /** Load runs this long while faults are injected. */
  readonly loadMs: number;
  readonly settlementWindowMs: number;
  /** Withdrawals each trader makes during the load. */
  readonly withdrawalsPerTrader: number;
  /** Settlement must be quiet within this after the load stops. */
  readonly quiesceTimeoutMs: number;
  /** Settlement attempts per message before it gives up (exhaustion; see the drill's notes). */
  readonly maxAttempts: number;
  /** Pause between injected faults (uniform, seeded); each fault hits the next 1..faultTimesMax submissions. */
  readonly faultGapMs: readonly [number, number];
  readonly faultTimesMax: number;
  readonly log?: (line: string) => void;
}

export interface ChainDrillResult {
  readonly seed: number;
  readonly traders: number;
  readonly ordersAcked: number;
  readonly trades: number;
  readonly withdrawals: number;
  readonly faultsInjected: Readonly<Record<string, number>>;
  readonly batchesSealed: number;
  readonly batchesConfirmed: number;
  readonly batchesExhausted: number;
  readonly messagesFailed: number;
  readonly messagesRetried: number;
  readonly withdrawalsRefunded: number;
  /** Trade payouts of given-up messages credited back to their traders in the enclave. */
  readonly payoutsRefunded: number;
  readonly balanceChecks: number;
  readonly durationMs: number;
  readonly failures: readonly string[];
}

const MAX_FAILURES = 50;
/** Blocks are 100 ms; a delay of up to 30 outlasts the drill's 1.5 s confirmation timeout and the 20-block deadline. */
const SETTLEMENT_TIMING = { retryDelayMs: 300, confirmTimeoutMs: 1_500 } as const;
const WITHDRAWAL = { DOT: '0.5', USDC: '3' } as const;
const POLL_MS = 100;

function randomFault(prng: Prng): ChainFault {
  switch (prng.int(0, 3)) {
    case 0: return { kind: 'drop' };
    case 1: return { kind: 'delay', blocks: prng.int(1, 30) };
    case 2: return { kind: 'fail', reason: 'drill: execution failed' };
    default: return { kind: 'refuse', reason: 'drill: origin refused' };
  }
}

async function waitFor(probe: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return probe();
}

export async function runChainDrill(options: ChainDrillOptions): Promise<ChainDrillResult> {
  const startedMs = performance.now();
  const log = options.log ?? (() => undefined);
  const prng = new Prng(options.seed);
  const failures: string[] = [];
  const fail = (message: string): void => { if (failures.length < MAX_FAILURES) failures.push(`seed ${options.seed}: ${message}`); };
  const engine = await EngineProcess.start({
    chain: 'embedded', stderr: 'ignore', tickMs: 0, settlementWindowMs: options.settlementWindowMs, settlementPolicy: { ...SETTLEMENT_TIMING, maxAttempts: options.maxAttempts },
    limits: { maxSessions: options.traders * 2 + 16, framesPerSecond: 100_000, burstFrames: 100_000 },
  });
  const settlement: SettlementLine[] = [];
  engine.onSettlement((entry) => settlement.push(entry));
  const faultsInjected: Record<string, number> = {};
  let withdrawals = 0;
  let trades = 0;
  let balanceChecks = 0;
  let pool: TraderPool | undefined;
  try {
    pool = await TraderPool.open({
      url: engine.url, policy: engine.policy, seed: options.seed, traders: options.traders, inFlightPerTrader: 1,
      maxOrdersPerTrader: options.maxOrdersPerTrader, pauseMs: Math.round(options.loadMs / options.maxOrdersPerTrader),
      fund: async (account, asset, atoms) => { await engine.chainDeposit(account, asset, atoms); },
    });
    const clients = pool.clients;
    const credited = await waitFor(async () => {
      for (const client of clients) {
        const balances = await client.fetchBalance();
        if (balances.assets.DOT === undefined || atomsOf(balances.assets.DOT.total, ENGINE_MARKET.baseDecimals) !== TRADER_FUNDING.DOT) return false;
        if (balances.assets.USDC === undefined || atomsOf(balances.assets.USDC.total, ENGINE_MARKET.quoteDecimals) !== TRADER_FUNDING.USDC) return false;
      }
      return true;
    }, 10_000);
    if (!credited) throw new Error(`seed ${options.seed}: chain deposits were not credited in time`);
    log(`chain drill: ${clients.length} traders funded on chain`);

    pool.start();
    const loadEndsMs = performance.now() + options.loadMs;
    const withdrawing = clients.map(async (client, index) => {
      for (let n = 0; n < options.withdrawalsPerTrader; n++) {
        await new Promise((resolve) => setTimeout(resolve, Math.round(options.loadMs / (options.withdrawalsPerTrader + 1))));
        const asset = (index + n) % 2 === 0 ? 'DOT' : 'USDC';
        await client.withdraw(asset, WITHDRAWAL[asset]);
        withdrawals += 1;
      }
    });
    while (performance.now() < loadEndsMs) {
      const fault = randomFault(prng);
      await engine.chainFault(fault, prng.int(1, options.faultTimesMax));
      faultsInjected[fault.kind] = (faultsInjected[fault.kind] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, prng.int(options.faultGapMs[0], options.faultGapMs[1])));
    }
    await Promise.all(withdrawing);
    await pool.stop();
    log(`chain drill: load done (${pool.acked} orders acked, ${withdrawals} withdrawals), waiting for settlement`);

    const allSettled = (): boolean => {
      const done = new Set(settlement.filter((e) => e.event === 'batch-confirmed' || e.event === 'retries-exhausted').map((e) => e.batchId));
      return settlement.every((e) => e.event !== 'batch-sealed' || done.has(e.batchId));
    };
    // The last window's fills seal after the load stops: wait, let two more windows close, wait again.
    const quiet = await waitFor(allSettled, options.quiesceTimeoutMs);
    await new Promise((resolve) => setTimeout(resolve, options.settlementWindowMs * 2));
    const settled = quiet && await waitFor(allSettled, options.quiesceTimeoutMs);
    if (!settled) fail('settlement did not finish every sealed batch in time');

    const confirmedCount = new Map<string, number>();
    for (const entry of settlement) if (entry.event === 'batch-confirmed') confirmedCount.set(entry.batchId!, (confirmedCount.get(entry.batchId!) ?? 0) + 1);
    for (const [batchId, count] of confirmedCount) if (count > 1) fail(`batch ${batchId} confirmed ${count} times`);
    const sealedIds = settlement.filter((e) => e.event === 'batch-sealed').map((e) => e.batchId!);
    if (new Set(sealedIds).size !== sealedIds.length) fail('a batch was sealed twice');
    const exhausted = new Set(settlement.filter((e) => e.event === 'retries-exhausted').map((e) => e.batchId!));
    for (const id of exhausted) if (confirmedCount.has(id)) fail(`batch ${id} both confirmed and exhausted`);
    for (const entry of settlement) {
      if (entry.event === 'withdrawal-not-refunded' || entry.event === 'payout-not-refunded') fail(`${entry.event} (code ${entry.code ?? '?'}) for batch ${entry.batchId ?? '?'}`);
    }

    for (let index = 0; index < clients.length; index++) {
      const client = clients[index]!;
      const held = await client.fetchBalance();
      const traded = await client.fetchMyTrades(ENGINE_MARKET.id);
      trades += traded.length;
      let base = TRADER_FUNDING.DOT;
      let quote = TRADER_FUNDING.USDC;
      for (const trade of traded) {
        const baseAtoms = atomsOf(trade.amount, ENGINE_MARKET.baseDecimals);
        const costAtoms = atomsOf(trade.cost, ENGINE_MARKET.quoteDecimals);
        base += trade.side === 'buy' ? baseAtoms : -baseAtoms;
        quote += trade.side === 'buy' ? -costAtoms : costAtoms;
        if (trade.fee.currency === ENGINE_MARKET.base) base -= atomsOf(trade.fee.cost, ENGINE_MARKET.baseDecimals);
        else quote -= atomsOf(trade.fee.cost, ENGINE_MARKET.quoteDecimals);
      }
      for (const [asset, decimals, expected] of [['DOT', ENGINE_MARKET.baseDecimals, base], ['USDC', ENGINE_MARKET.quoteDecimals, quote]] as const) {
        const entry = held.assets[asset];
        const inEnclave = entry === undefined ? 0n : atomsOf(entry.total, decimals) + atomsOf(entry.settling, decimals);
        const onChain = await engine.chainBalance(client.accountId, asset);
        balanceChecks += 1;
        if (onChain + inEnclave !== expected) fail(`trader ${index} ${asset}: chain ${onChain} + enclave ${inEnclave} = ${onChain + inEnclave} atoms, deposit and trades imply ${expected} (${onChain + inEnclave > expected ? 'paid twice' : 'lost'}; ${exhausted.size} batches exhausted their retries)`);
      }
    }
  } finally {
    await pool?.close();
    await engine.stop();
  }
  const count = (event: string): number => settlement.filter((e) => e.event === event).length;
  if (engine.fatalMessages.length > 0) fail(`engine fatal: ${engine.fatalMessages[0]}`);
  return {
    seed: options.seed, traders: options.traders, ordersAcked: pool.acked, trades, withdrawals, faultsInjected,
    batchesSealed: count('batch-sealed'), batchesConfirmed: count('batch-confirmed'), batchesExhausted: new Set(settlement.filter((e) => e.event === 'retries-exhausted').map((e) => e.batchId)).size,
    messagesFailed: count('message-failed'), messagesRetried: count('message-retried'), withdrawalsRefunded: count('withdrawal-refunded'), payoutsRefunded: count('payout-refunded'),
    balanceChecks, durationMs: Math.round(performance.now() - startedMs), failures,
  };
}
