// Fault drill 1: SIGKILL the engine under order load and restart it. SDK traders send orders
// through the real gateway over real sockets; at seeded random moments the engine process is
// SIGKILLed and started again on the same data directory (same port, same dev root), while the
// traders reconnect and resend what the dead link left unanswered. Checked after every kill,
// on a copy of the dead engine's data dir (journal-verifier.ts, inside the trust boundary):
// the state a restart recovers equals a replay of the whole journal from scratch, the engine's
// invariants hold, and every order acknowledged so far is journaled. Checked at the end, over
// the channel, as each trader's enclave reports it: every acknowledged order is open or traded,
// no order the drill never got acknowledged is open, no order traded twice, and each balance
// equals its deposit moved by exactly the trades reported (nothing half-applied).
// Restarts use chain 'none': the embedded chain lives in the engine's memory and would start
// empty, so deposits are enclave credits (journaled) and the drill is about the journal alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomsOf } from './amounts.js';
import { ENGINE_MARKET, EngineProcess } from '../engine-process.js';
import { verifyDataDir } from './journal-verifier.js';
import { TRADER_FUNDING, TraderPool, percentile } from './traders.js';
import { Prng } from '../../test/support/prng.js';

export interface KillDrillOptions {
  readonly seed: number;
  readonly traders: number;
  readonly inFlightPerTrader: number;
  /**
   * Orders one trader sends at most. Keep it under ~60: an account's trades answer must fit one
   * channel frame (16 KB; a trade is ~220 bytes), or the balance check cannot read them.
   */
  readonly maxOrdersPerTrader: number;
  /** Pause between one slot's orders, so the budget lasts across the kills. */
  readonly pauseMs: number;
  readonly kills: number;
  /** Load runs this long (uniform, seeded) before each kill. */
  readonly loadBeforeKillMs: readonly [number, number];
  readonly snapshotEveryCommands: number;
  readonly log?: (line: string) => void;
}

export interface KillDrillResult {
  readonly seed: number;
  readonly traders: number;
  readonly kills: number;
  readonly ordersSent: number;
  readonly ordersAcked: number;
  readonly ordersRefused: Readonly<Record<string, number>>;
  /** Orders whose first answer the kill swallowed (resent with the same client order id). */
  readonly ordersInDoubt: number;
  /** Kills that struck while traders still had orders to send. */
  readonly killsMidLoad: number;
  readonly journalRecords: number;
  readonly hashChecks: number;
  readonly restartMsMax: number;
  readonly ackLatencyUsP50: number;
  readonly ackLatencyUsP99: number;
  readonly durationMs: number;
  /** Empty when the drill passed; each entry names the seed. */
  readonly failures: readonly string[];
}

const MAX_FAILURES = 50;

export async function runKillDrill(options: KillDrillOptions): Promise<KillDrillResult> {
  const startedMs = performance.now();
  const log = options.log ?? (() => undefined);
  const prng = new Prng(options.seed);
  const failures: string[] = [];
  const fail = (message: string): void => { if (failures.length < MAX_FAILURES) failures.push(`seed ${options.seed}: ${message}`); };
  const dataDir = mkdtempSync(join(tmpdir(), 'kill-drill-'));
  const engine = await EngineProcess.start({
    dataDir, chain: 'none', stderr: 'ignore', tickMs: 0, settlementWindowMs: 0, snapshotEveryCommands: options.snapshotEveryCommands,
    limits: { maxSessions: options.traders * 4 + 16, framesPerSecond: 1_000_000, burstFrames: 1_000_000 },
  });
  let pool: TraderPool | undefined;
  let hashChecks = 0;
  let journalRecords = 0;
  let restartMsMax = 0;
  let killsMidLoad = 0;
  const inDoubt = new Set<string>();
  try {
    pool = await TraderPool.open({
      url: engine.url, policy: engine.policy, seed: options.seed, traders: options.traders, inFlightPerTrader: options.inFlightPerTrader,
      maxOrdersPerTrader: options.maxOrdersPerTrader, pauseMs: options.pauseMs, fund: (account, asset, atoms) => engine.deposit(account, asset, atoms),
    });
    pool.start();
    for (let kill = 0; kill < options.kills; kill++) {
      await new Promise((resolve) => setTimeout(resolve, prng.int(options.loadBeforeKillMs[0], options.loadBeforeKillMs[1])));
      if (pool.sent < options.traders * options.maxOrdersPerTrader) killsMidLoad += 1;
      await engine.kill('SIGKILL');
      const ackedAtDeath = [...pool.outcomes].filter(([, outcome]) => outcome.kind === 'acked').map(([id]) => id);
      for (const id of pool.unknown) inDoubt.add(id);
      const verdict = await verifyDataDir(engine.dataDir);
      hashChecks += 1;
      journalRecords = verdict.journalRecords;
      if (verdict.recoveredHash !== verdict.scratchHash) fail(`kill ${kill}: recovered hash ${verdict.recoveredHash} != replay ${verdict.scratchHash}`);
      if (verdict.invariantError !== undefined) fail(`kill ${kill}: invariant broken after replay: ${verdict.invariantError}`);
      const missing = ackedAtDeath.filter((id) => !verdict.placedClientOrderIds.has(id));
      if (missing.length > 0) fail(`kill ${kill}: ${missing.length} acked orders not journaled, e.g. ${missing.slice(0, 3).join(', ')}`);
      const restartStartedMs = performance.now();
      await engine.restart();
      restartMsMax = Math.max(restartMsMax, performance.now() - restartStartedMs);
      log(`kill ${kill + 1}/${options.kills}: ${ackedAtDeath.length} acked before death, ${verdict.journalRecords} journal records, hashes ${verdict.recoveredHash === verdict.scratchHash ? 'equal' : 'DIFFER'}, restarted in ${Math.round(performance.now() - restartStartedMs)} ms`);
    }
    // Load keeps running on the last incarnation before the traders stop and the checks begin.
    await new Promise((resolve) => setTimeout(resolve, prng.int(options.loadBeforeKillMs[0], options.loadBeforeKillMs[1])));
    await pool.stop();
    for (const id of inDoubt) if (!pool.outcomes.has(id)) fail(`order ${id} never got an answer`);
    await checkThroughChannel(pool, fail);
    await engine.stop();
    const final = await verifyDataDir(engine.dataDir);
    hashChecks += 1;
    journalRecords = final.journalRecords;
    if (final.recoveredHash !== final.scratchHash) fail(`final: recovered hash != replay`);
    if (final.invariantError !== undefined) fail(`final: invariant broken: ${final.invariantError}`);
    for (const [id, outcome] of pool.outcomes) {
      if (outcome.kind === 'acked' && !final.placedClientOrderIds.has(id)) fail(`acked ${id} not journaled`);
    }
  } finally {
    await pool?.close();
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const refused: Record<string, number> = {};
  for (const outcome of pool.outcomes.values()) if (outcome.kind === 'refused') refused[outcome.errorName] = (refused[outcome.errorName] ?? 0) + 1;
  return {
    seed: options.seed, traders: options.traders, kills: options.kills, ordersSent: pool.sent, ordersAcked: pool.acked, ordersRefused: refused,
    ordersInDoubt: inDoubt.size, killsMidLoad, journalRecords, hashChecks, restartMsMax: Math.round(restartMsMax),
    ackLatencyUsP50: percentile(pool.ackLatenciesUs, 50), ackLatencyUsP99: percentile(pool.ackLatenciesUs, 99),
    durationMs: Math.round(performance.now() - startedMs), failures,
  };
}

/** What each trader's enclave reports after the drill, against what the trader was told. */
async function checkThroughChannel(pool: TraderPool, fail: (message: string) => void): Promise<void> {
  const market = ENGINE_MARKET;
  for (let trader = 0; trader < pool.clients.length; trader++) {
    const client = pool.clients[trader]!;
    const open = await client.fetchOpenOrders(market.id);
    const trades = await client.fetchMyTrades(market.id);
    const balances = await client.fetchBalance();
    const openIds = new Set(open.map((order) => order.clientOrderId));
    const tradedIds = new Set<string>();
    for (const trade of trades) {
      if (tradedIds.has(trade.clientOrderId)) fail(`trader ${trader}: ${trade.clientOrderId} traded twice (orders are one fill each)`);
      tradedIds.add(trade.clientOrderId);
    }
    for (const [id, outcome] of pool.outcomes) {
      if (pool.owner.get(id) !== trader) continue;
      const present = openIds.has(id) || tradedIds.has(id);
      if (outcome.kind === 'acked' && !present) fail(`trader ${trader}: acked ${id} is neither open nor traded`);
      if (outcome.kind === 'refused' && outcome.errorName !== 'CLIENT_ORDER_ID_DUPLICATE' && present) fail(`trader ${trader}: refused ${id} (${outcome.errorName}) is present`);
    }
    for (const id of [...openIds, ...tradedIds]) if (!pool.owner.has(id)) fail(`trader ${trader}: ${id} is present but was never sent`);
    let base = TRADER_FUNDING.DOT;
    let quote = TRADER_FUNDING.USDC;
    for (const trade of trades) {
      const baseAtoms = atomsOf(trade.amount, market.baseDecimals);
      const costAtoms = atomsOf(trade.cost, market.quoteDecimals);
      const feeAtoms = atomsOf(trade.fee.cost, trade.fee.currency === market.base ? market.baseDecimals : market.quoteDecimals);
      base += trade.side === 'buy' ? baseAtoms : -baseAtoms;
      quote += trade.side === 'buy' ? -costAtoms : costAtoms;
      if (trade.fee.currency === market.base) base -= feeAtoms;
      else quote -= feeAtoms;
    }
    const held = (asset: string, decimals: number): bigint => {
      const entry = balances.assets[asset];
      return entry === undefined ? 0n : atomsOf(entry.total, decimals) + atomsOf(entry.settling, decimals);
    };
    if (held(market.base, market.baseDecimals) !== base) fail(`trader ${trader}: ${market.base} ${held(market.base, market.baseDecimals)} atoms, trades imply ${base}`);
    if (held(market.quote, market.quoteDecimals) !== quote) fail(`trader ${trader}: ${market.quote} ${held(market.quote, market.quoteDecimals)} atoms, trades imply ${quote}`);
  }
}
