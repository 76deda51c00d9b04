// Benchmark of the fast matcher against nodejs-order-book, the most used TypeScript order book, on
// one fixed-seed workload run through both in the same process: throughput, per-operation latency
// percentiles, agreement on traded volume, and heap held per resting order. Run with
// `npm run bench:matching` (bundled by esbuild and run by plain node, see run-bundled.mjs); it
// prints a table and writes bench/results/matching.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { OrderBook, Side as PeerSide, type LimitOrderOptions } from 'nodejs-order-book';
import { buildMarketSpec } from '../src/matching/market-spec.js';
import { Matcher } from '../src/matching/matcher.js';
import type { Command, MarketSpec, MatchEvent } from '../src/matching/types.js';

const SEED = 20_251_125;
const WARMUP_SEED = 7;
const OPS = 1_000_000;
const WARMUP_OPS = 300_000;
const PEER_WARMUP_OPS = 100_000;
/** Untimed passes of our matcher over the warm-up workload, before one timed pass. */
const WARMUP_ROUNDS = 3;
const PREFILL_ORDERS = 5_000;
const MEMORY_ORDERS = 1_000_000;
const MEMORY_LEVELS_PER_SIDE = 25_000;
const TIMER_SAMPLES = 1_000_000;
/** Fresh full runs of our matcher for throughput; the median counts. */
const THROUGHPUT_RUNS = 5;
/** Mid price in ticks; passive orders rest within PASSIVE_DEPTH ticks of it, crossing ones reach CROSS_DEPTH ticks past it. */
const MID_TICKS = 100_000;
const PASSIVE_DEPTH_TICKS = 20;
/** Crossing orders reach this far past the mid, or further while the book holds more than RESTING_TARGET orders. */
const CROSS_DEPTH_TICKS = 5;
const DEEP_CROSS_DEPTH_TICKS = 20;
const RESTING_TARGET = 5_000;
const MAX_ORDER_LOTS = 10;
const SHARE_PASSIVE = 0.4;
const SHARE_CROSSING = 0.4;
const MARKET_ID = 'DOT/USDC';
const BUYER = 'buyer';
const SELLER = 'seller';
const RESULTS_URL = new URL('./results/matching.json', import.meta.url);

const OP_PASSIVE = 0;
const OP_CROSSING = 1;
const OP_CANCEL = 2;
const SIDE_BUY = 0;

// ───────────────────────────── workload ─────────────────────────────

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Operations as parallel arrays, so the workload costs no objects while it runs. Passive orders rest
 * on their own side of the mid (the book never crosses at rest); crossing orders are IOC limit
 * orders reaching a few ticks into the other side (further while the book is above RESTING_TARGET,
 * which keeps it at a few thousand orders); cancels name an order that is resting at that
 * point. To know which orders rest, the generator feeds every operation through a model book (our
 * matcher, whose agreement with the reference book the property suite checks); the finished list is
 * then replayed identically through both benchmarked engines.
 */
interface Workload {
  readonly count: number;
  readonly kind: Uint8Array;
  readonly side: Uint8Array;
  readonly priceTicks: Int32Array;
  readonly sizeLots: Int32Array;
  /** For cancels: the index of the order to cancel. */
  readonly target: Int32Array;
  /** Order ids as strings: the peer's order id and our client order id. */
  readonly ids: string[];
}

/** Indexes of resting orders with O(1) add, remove and uniform pick. */
class LiveSet {
  private readonly items: Int32Array;
  private readonly position: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.items = new Int32Array(capacity);
    this.position = new Int32Array(capacity).fill(-1);
  }

  add(index: number): void {
    this.position[index] = this.size;
    this.items[this.size++] = index;
  }

  remove(index: number): void {
    const at = this.position[index]!;
    if (at < 0) return;
    const last = this.items[--this.size]!;
    this.items[at] = last;
    this.position[last] = at;
    this.position[index] = -1;
  }

  pick(random: () => number): number {
    return this.items[Math.floor(random() * this.size)]!;
  }
}

function buildWorkload(seed: number, prefill: number, ops: number): Workload {
  const random = prng(seed);
  const count = prefill + ops;
  const workload: Workload = {
    count,
    kind: new Uint8Array(count),
    side: new Uint8Array(count),
    priceTicks: new Int32Array(count),
    sizeLots: new Int32Array(count),
    target: new Int32Array(count),
    ids: new Array<string>(count),
  };
  const live = new LiveSet(count);
  const model = new Matcher({ markets: [marketSpec()] });
  const track = (event: MatchEvent): void => {
    if (event.type === 'done') live.remove(event.orderId - 1);
  };
  for (let i = 0; i < count; i++) {
    const roll = random();
    const buy = random() < 0.5;
    workload.ids[i] = `o${i}`;
    let kind = i < prefill ? OP_PASSIVE : roll < SHARE_PASSIVE ? OP_PASSIVE : roll < SHARE_PASSIVE + SHARE_CROSSING ? OP_CROSSING : OP_CANCEL;
    if (kind === OP_CANCEL && live.size === 0) kind = OP_PASSIVE;
    workload.kind[i] = kind;
    if (kind === OP_CANCEL) {
      const target = live.pick(random);
      workload.target[i] = target;
      workload.side[i] = workload.side[target]!;
    } else {
      const passive = kind === OP_PASSIVE;
      const reach = passive ? PASSIVE_DEPTH_TICKS : live.size > RESTING_TARGET ? DEEP_CROSS_DEPTH_TICKS : CROSS_DEPTH_TICKS;
      const depth = 1 + Math.floor(random() * reach);
      workload.side[i] = buy ? SIDE_BUY : 1;
      workload.priceTicks[i] = passive === buy ? MID_TICKS - depth : MID_TICKS + depth;
      workload.sizeLots[i] = 1 + Math.floor(random() * MAX_ORDER_LOTS);
      if (passive) live.add(i);
    }
    model.apply(commandFor(workload, i), track);
  }
  return workload;
}

// ───────────────────────────── our matcher ─────────────────────────────

function marketSpec(): MarketSpec {
  return buildMarketSpec({
    id: MARKET_ID,
    base: 'DOT',
    quote: 'USDC',
    baseDecimals: 10,
    quoteDecimals: 6,
    tickSize: '0.0001',
    lotSize: '0.1',
    makerFeeBps: 1,
    takerFeeBps: 5,
    limits: { maxOrdersPerBook: 2_000_000, maxOrdersPerAccount: 2_000_000, maxLevelsPerSide: 100_000, maxGttOrders: 1 },
  });
}

interface Tally { volumeLots: number; rejected: number }

function newMatcher(): { matcher: Matcher; tally: Tally; sink: (event: MatchEvent) => void } {
  const tally: Tally = { volumeLots: 0, rejected: 0 };
  const sink = (event: MatchEvent): void => {
    const type = event.type;
    if (type === 'fill') tally.volumeLots += event.sizeLots;
    else if (type === 'rejected') tally.rejected++;
  };
  return { matcher: new Matcher({ markets: [marketSpec()] }), tally, sink };
}

/** The command for operation i; orderId of the order placed by operation i is i + 1 (its seq). */
function commandFor(workload: Workload, i: number): Command {
  const seq = i + 1;
  const timeMs = seq >>> 10;
  const buy = workload.side[i] === SIDE_BUY;
  if (workload.kind[i] === OP_CANCEL) {
    return { type: 'cancel', seq, timeMs, account: buy ? BUYER : SELLER, market: MARKET_ID, order: { orderId: workload.target[i]! + 1 } };
  }
  return {
    type: 'place',
    seq,
    timeMs,
    account: buy ? BUYER : SELLER,
    clientOrderId: workload.ids[i]!,
    market: MARKET_ID,
    side: buy ? 'buy' : 'sell',
    sizeLots: workload.sizeLots[i]!,
    timeInForce: workload.kind[i] === OP_CROSSING ? 'IOC' : 'GTC',
    expireAtMs: undefined,
    postOnly: false,
    minQtyLots: 0,
    selfTradePrevention: 'cancelNewest',
    orderType: 'limit',
    priceTicks: workload.priceTicks[i]!,
  };
}

/** Runs operations [from, to); with latencyNs, times each one into latencyNs[firstSample + i − from]. Returns elapsed ns. */
function runOurs(run: ReturnType<typeof newMatcher>, workload: Workload, from: number, to: number, latencyNs: Float64Array | undefined, firstSample = 0): number {
  const { matcher, sink } = run;
  const started = process.hrtime.bigint();
  if (latencyNs === undefined) {
    for (let i = from; i < to; i++) matcher.apply(commandFor(workload, i), sink);
  } else {
    for (let i = from; i < to; i++) {
      const command = commandFor(workload, i);
      const t0 = process.hrtime.bigint();
      matcher.apply(command, sink);
      const t1 = process.hrtime.bigint();
      latencyNs[firstSample + i - from] = Number(t1 - t0);
    }
  }
  return Number(process.hrtime.bigint() - started);
}

// ───────────────────────────── the peer ─────────────────────────────

interface PeerRun { book: OrderBook; volumeLots: number; missingCancels: number }

const PEER_IOC = 'IOC' as LimitOrderOptions['timeInForce'];

function peerOp(run: PeerRun, workload: Workload, i: number): void {
  const book = run.book;
  if (workload.kind[i] === OP_CANCEL) {
    if (book.cancel(workload.ids[workload.target[i]!]!) === undefined) run.missingCancels++;
    return;
  }
  const crossing = workload.kind[i] === OP_CROSSING;
  const size = workload.sizeLots[i]!;
  const result = book.limit({
    id: workload.ids[i]!,
    side: workload.side[i] === SIDE_BUY ? PeerSide.BUY : PeerSide.SELL,
    size,
    price: workload.priceTicks[i]!,
    ...(crossing ? { timeInForce: PEER_IOC } : {}),
  });
  if (result.err !== null) throw new Error(`nodejs-order-book rejected op ${i}: ${result.err.message}`);
  run.volumeLots += size - result.quantityLeft;
}

function runPeer(run: PeerRun, workload: Workload, from: number, to: number, latencyNs: Float64Array | undefined, firstSample = 0): number {
  const started = process.hrtime.bigint();
  if (latencyNs === undefined) {
    for (let i = from; i < to; i++) peerOp(run, workload, i);
  } else {
    for (let i = from; i < to; i++) {
      const t0 = process.hrtime.bigint();
      peerOp(run, workload, i);
      const t1 = process.hrtime.bigint();
      latencyNs[firstSample + i - from] = Number(t1 - t0);
    }
  }
  return Number(process.hrtime.bigint() - started);
}

// ───────────────────────────── measuring ─────────────────────────────

interface Percentiles { p50Ns: number; p99Ns: number; p999Ns: number; maxNs: number; meanNs: number }

function percentiles(samples: Float64Array): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  let sum = 0;
  for (const value of sorted) sum += value;
  return { p50Ns: at(0.5), p99Ns: at(0.99), p999Ns: at(0.999), maxNs: sorted[sorted.length - 1]!, meanNs: Math.round(sum / sorted.length) };
}

/** Cost of one process.hrtime.bigint() pair with nothing between, which every latency sample includes. */
function timerOverhead(): Percentiles {
  const samples = new Float64Array(TIMER_SAMPLES);
  for (let i = 0; i < TIMER_SAMPLES; i++) {
    const t0 = process.hrtime.bigint();
    const t1 = process.hrtime.bigint();
    samples[i] = Number(t1 - t0);
  }
  return percentiles(samples);
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:matching does)');
  for (let i = 0; i < 3; i++) gc();
}

interface MemoryUse { heapUsedBytes: number; arrayBuffersBytes: number }

function memoryNow(): MemoryUse {
  collectGarbage();
  const usage = process.memoryUsage();
  return { heapUsedBytes: usage.heapUsed, arrayBuffersBytes: usage.arrayBuffers };
}

/**
 * Heap held per resting order: a fresh matcher with MEMORY_ORDERS orders resting over
 * 2 × MEMORY_LEVELS_PER_SIDE price levels, measured after forced GC. The matcher keeps its orders in
 * typed arrays, whose backing stores Node counts under arrayBuffers rather than heapUsed, so both
 * count; client order id strings and index maps are in heapUsed.
 */
function measureMemory(): { bytesPerRestingOrder: number; heapBytesPerOrder: number; arrayBufferBytesPerOrder: number; restingOrders: number; levels: number } {
  const before = memoryNow();
  const { matcher, sink, tally } = newMatcher();
  for (let i = 0; i < MEMORY_ORDERS; i++) {
    const buy = (i & 1) === 0;
    const level = 1 + ((i >>> 1) % MEMORY_LEVELS_PER_SIDE);
    matcher.apply({
      type: 'place', seq: i + 1, timeMs: 0, account: buy ? BUYER : SELLER, clientOrderId: `m${i}`, market: MARKET_ID,
      side: buy ? 'buy' : 'sell', sizeLots: 1 + (i % MAX_ORDER_LOTS), timeInForce: 'GTC', expireAtMs: undefined, postOnly: false,
      minQtyLots: 0, selfTradePrevention: 'cancelNewest', orderType: 'limit', priceTicks: buy ? MID_TICKS - level : MID_TICKS + level,
    }, sink);
  }
  const after = memoryNow();
  // Read after the measurement, which also keeps the matcher alive through it.
  const restingOrders = matcher.restingOrderCount();
  if (restingOrders !== MEMORY_ORDERS || tally.volumeLots !== 0 || tally.rejected !== 0) throw new Error(`memory book holds ${restingOrders} orders`);
  const heap = after.heapUsedBytes - before.heapUsedBytes;
  const buffers = after.arrayBuffersBytes - before.arrayBuffersBytes;
  const result = {
    bytesPerRestingOrder: Math.round(((heap + buffers) / MEMORY_ORDERS) * 10) / 10,
    heapBytesPerOrder: Math.round((heap / MEMORY_ORDERS) * 10) / 10,
    arrayBufferBytesPerOrder: Math.round((buffers / MEMORY_ORDERS) * 10) / 10,
    restingOrders,
    levels: 2 * MEMORY_LEVELS_PER_SIDE,
  };
  return result;
}

// ───────────────────────────── the run ─────────────────────────────

function main(): void {
  const wallStarted = Date.now();
  const loadAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
  const workload = buildWorkload(SEED, PREFILL_ORDERS, OPS);
  const warmup = buildWorkload(WARMUP_SEED, PREFILL_ORDERS, WARMUP_OPS);
  const end = PREFILL_ORDERS + OPS;

  // Warm-up: both engines run a different workload of the same shape first, so that measured code is optimised.
  for (let round = 0; round < WARMUP_ROUNDS; round++) runOurs(newMatcher(), warmup, 0, warmup.count, undefined);
  runOurs(newMatcher(), warmup, 0, warmup.count, new Float64Array(warmup.count));
  const warmPeer: PeerRun = { book: new OrderBook(), volumeLots: 0, missingCancels: 0 };
  runPeer(warmPeer, warmup, 0, PEER_WARMUP_OPS, undefined);

  const timer = timerOverhead();

  // Throughput: our matcher replays the workload on a fresh book THROUGHPUT_RUNS times without
  // timers inside the loop, and the median run counts (other load on a shared machine only ever
  // slows a run down, and the median ignores the unluckiest). Latency: one more fresh run with a
  // timer pair around every operation. The peer runs once, timed per operation: at its speed the
  // timer pair is well under 1% of an operation, and more million-operation passes would not fit
  // the time budget.
  const throughputRuns: number[] = [];
  let oursThroughput = newMatcher();
  let prefillResting = 0;
  for (let run = 0; run < THROUGHPUT_RUNS; run++) {
    if (run > 0) oursThroughput = newMatcher();
    runOurs(oursThroughput, workload, 0, PREFILL_ORDERS, undefined);
    prefillResting = oursThroughput.matcher.restingOrderCount();
    throughputRuns.push(Math.round(OPS / (runOurs(oursThroughput, workload, PREFILL_ORDERS, end, undefined) / 1e9)));
  }
  const oursLatency = newMatcher();
  runOurs(oursLatency, workload, 0, PREFILL_ORDERS, undefined);
  const oursSamples = new Float64Array(OPS);
  runOurs(oursLatency, workload, PREFILL_ORDERS, end, oursSamples);
  const peerRun: PeerRun = { book: new OrderBook(), volumeLots: 0, missingCancels: 0 };
  runPeer(peerRun, workload, 0, PREFILL_ORDERS, undefined);
  const peerSamples = new Float64Array(OPS);
  const peerElapsedNs = runPeer(peerRun, workload, PREFILL_ORDERS, end, peerSamples);

  const ours = percentiles(oursSamples);
  const byKind = (samples: Float64Array, kind: number): Percentiles => {
    const picked: number[] = [];
    for (let i = 0; i < OPS; i++) if (workload.kind[PREFILL_ORDERS + i] === kind) picked.push(samples[i]!);
    return percentiles(Float64Array.from(picked));
  };
  const oursByKind = { passiveLimit: byKind(oursSamples, OP_PASSIVE), crossingLimitIoc: byKind(oursSamples, OP_CROSSING), cancel: byKind(oursSamples, OP_CANCEL) };
  const peer = percentiles(peerSamples);
  const opsPerSec = [...throughputRuns].sort((a, b) => a - b)[Math.floor(THROUGHPUT_RUNS / 2)]!;
  const peerOpsPerSec = Math.round(OPS / (peerElapsedNs / 1e9));
  const ratio = Math.round((opsPerSec / peerOpsPerSec) * 10) / 10;

  // Agreement: same traded volume, same cancels that found nothing, same lots left resting.
  const [peerAsks, peerBids] = peerRun.book.depth();
  let peerRestingLots = 0;
  for (const [, size] of [...peerAsks, ...peerBids]) peerRestingLots += size;
  let oursRestingLots = 0;
  for (const book of oursThroughput.matcher.snapshot().books) for (const order of book.orders) oursRestingLots += order.remainingLots;
  const volumeAgrees = oursThroughput.tally.volumeLots === peerRun.volumeLots && oursLatency.tally.volumeLots === peerRun.volumeLots;
  const cancelsAgree = oursThroughput.tally.rejected === peerRun.missingCancels;
  const restingAgrees = oursRestingLots === peerRestingLots;

  const memory = measureMemory();

  let passive = 0;
  let crossing = 0;
  let cancels = 0;
  for (let i = PREFILL_ORDERS; i < end; i++) {
    const kind = workload.kind[i];
    if (kind === OP_PASSIVE) passive++;
    else if (kind === OP_CROSSING) crossing++;
    else cancels++;
  }

  const result = {
    opsPerSec,
    p50Ns: ours.p50Ns,
    p99Ns: ours.p99Ns,
    p999Ns: ours.p999Ns,
    maxNs: ours.maxNs,
    meanNs: ours.meanNs,
    byKind: oursByKind,
    peer: {
      name: 'nodejs-order-book',
      version: '10.1.1',
      opsPerSec: peerOpsPerSec,
      p50Ns: peer.p50Ns,
      p99Ns: peer.p99Ns,
      p999Ns: peer.p999Ns,
      maxNs: peer.maxNs,
    },
    ratio,
    volumeAgrees,
    cancelsAgree,
    restingAgrees,
    tradedLots: oursThroughput.tally.volumeLots,
    bytesPerRestingOrder: memory.bytesPerRestingOrder,
    memory,
    timerOverheadNs: { p50: timer.p50Ns, p99: timer.p99Ns, mean: timer.meanNs },
    targets: { opsPerSec: 3_000_000, p99Ns: 1_000, p999Ns: 5_000, ratio: 20, bytesPerRestingOrder: 200 },
    conditions: {
      build: `${process.env['BENCH_BUILD'] ?? 'tsx loader'}, node ${process.version}`,
      node: process.version,
      v8: process.versions.v8,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      platform: `${process.platform} ${process.arch}`,
      seed: SEED,
      warmupSeed: WARMUP_SEED,
      ops: OPS,
      warmupOps: WARMUP_OPS,
      warmupRounds: WARMUP_ROUNDS,
      peerWarmupOps: PEER_WARMUP_OPS,
      peerOpsPerSecFromTimedPass: true,
      throughputRuns,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100),
      prefillOrders: PREFILL_ORDERS,
      restingAfterPrefill: prefillResting,
      restingAtEnd: oursThroughput.matcher.restingOrderCount(),
      mix: { passiveLimit: passive, crossingLimitIoc: crossing, cancel: cancels },
      midTicks: MID_TICKS,
      passiveDepthTicks: PASSIVE_DEPTH_TICKS,
      crossDepthTicks: CROSS_DEPTH_TICKS,
      deepCrossDepthTicks: DEEP_CROSS_DEPTH_TICKS,
      restingTarget: RESTING_TARGET,
      memoryOrders: MEMORY_ORDERS,
      memoryLevels: memory.levels,
      latencyIncludesTimerPair: true,
      wallSeconds: (Date.now() - wallStarted) / 1000,
    },
  };

  const row = (name: string, value: string, target: string, ok: boolean | undefined): string =>
    `${name.padEnd(26)}${value.padStart(14)}   ${target.padEnd(12)}${ok === undefined ? '' : ok ? 'ok' : 'MISSED'}`;
  console.log(`matching benchmark: ${OPS.toLocaleString('en')} ops after ${PREFILL_ORDERS} prefill, seed ${SEED}, ${result.conditions.cpu}, node ${process.version}`);
  console.log(row('metric', 'value', 'target', undefined));
  console.log(row('ops/s', opsPerSec.toLocaleString('en'), '≥ 3,000,000', opsPerSec >= 3_000_000));
  console.log(row('p50 latency (ns)', String(ours.p50Ns), '', undefined));
  console.log(row('p99 latency (ns)', String(ours.p99Ns), '≤ 1,000', ours.p99Ns <= 1_000));
  console.log(row('p99.9 latency (ns)', String(ours.p999Ns), '≤ 5,000', ours.p999Ns <= 5_000));
  console.log(row('max latency (ns)', String(ours.maxNs), '', undefined));
  for (const [kind, stats] of Object.entries(oursByKind)) console.log(row(`  ${kind} p50 / p99`, `${stats.p50Ns} / ${stats.p99Ns}`, '', undefined));
  console.log(row('timer pair overhead p50', String(timer.p50Ns), '', undefined));
  console.log(row('peer ops/s', peerOpsPerSec.toLocaleString('en'), '', undefined));
  console.log(row('peer p50 / p99 (ns)', `${peer.p50Ns} / ${peer.p99Ns}`, '', undefined));
  console.log(row('ratio', `${ratio}×`, '≥ 20×', ratio >= 20));
  console.log(row('volume agrees', `${volumeAgrees} (${result.tradedLots})`, 'true', volumeAgrees));
  console.log(row('cancels / resting agree', `${cancelsAgree} / ${restingAgrees}`, 'true', cancelsAgree && restingAgrees));
  console.log(row('bytes per resting order', String(memory.bytesPerRestingOrder), '≤ 200', memory.bytesPerRestingOrder <= 200));
  console.log(row('  of which JS heap', String(memory.heapBytesPerOrder), '', undefined));
  console.log(row('  of which typed arrays', String(memory.arrayBufferBytesPerOrder), '', undefined));
  console.log(`throughput runs ${throughputRuns.join(', ')}; load average ${loadAtStart.join(' ')} → ${result.conditions.loadAverageAtEnd.join(' ')}`);
  console.log(`wall time ${result.conditions.wallSeconds} s`);

  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(RESULTS_URL, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${RESULTS_URL.pathname}`);
  if (!volumeAgrees || !cancelsAgree || !restingAgrees) process.exitCode = 1;
}

main();
