// The load generator of bench/enclave.ts, run as a worker thread of its own so the traders'
// crypto does not share a thread with the host's relay: a set of traders, each with a real
// client channel (the shared record layer on node's AES-256-GCM), that send a seeded command
// mix and open every frame that comes back (answers and execution reports alike, in order,
// as a real client must). A trader's commands sent in one turn of its event loop (one burst,
// or the refills after one batch of answers) travel packed in as few frames as hold them
// (docs/protocol.md §5.1), as the enclave packs its answers. Frames cross to the main thread,
// which plays the untrusted host, in batches (src/protocol/enclave-port.ts), addressed by
// trader index.
//
// Two ways to drive the enclave:
// - open loop: sends are scheduled at fixed intervals (every SEND_INTERVAL_MS a burst of
//   rate × interval commands) and each answer's latency is measured from its burst's scheduled
//   time, so a stall anywhere (enclave, host, or this thread being late) shows up as latency
//   instead of silently delaying the next send (no coordinated omission);
// - closed loop: a fixed number of commands in flight, a new one sent per answer, to find the
//   throughput the whole path sustains.
import { readlinkSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import * as hdr from 'hdr-histogram-js';
import { createClientHandshake, type ClientHandshake, type ClientSession } from '../client/channel/index.js';
import type { ChannelMessage, OutgoingMessage } from '../src/protocol/message-codec.js';
import { attestationBundleDigest, parseAttestationBundle } from '../src/protocol/attestation-bundle.js';
import { FramePortOutbox, readFrameBatch } from '../src/protocol/enclave-port.js';
import { TEST_MARKET, seedFrom } from '../test/support/enclave-trader.js';
import { nodeClientFrameCipher } from '../test/support/node-client-frame-cipher.js';
import { Prng } from '../test/support/prng.js';
import { SEND_INTERVAL_MS, type CommandKind, type LatencySummary, type LoadConfig, type LoadToMain, type MainToLoad, type Phase, type PhaseResult, type Workload } from './enclave-load-messages.js';

/** Per-trader bounds on the resting passive orders the mixed workload keeps (cancel targets). */
const PASSIVE_ORDERS_MIN = 4;
const PASSIVE_ORDERS_MAX = 256;
/** Mixed workload: the share of each kind (the rest are cancels). */
const MIXED_PASSIVE_SHARE = 0.4;
const MIXED_CROSSING_SHARE = 0.2;
/** Commands a trader may have unanswered; the closed loop's window divides among traders. */
const OUTSTANDING_PER_TRADER_MAX = 1 << 16;
/** Longest wait for the answers still in flight when a phase ends. */
const DRAIN_TIMEOUT_MS = 30_000;
const HISTOGRAM_MAX_US = 120_000_000;

/** A trader's side of the bench: its session, its unanswered requests in order, and its resting passive orders. */
class LoadTrader {
  readonly account: string;
  session: ClientSession | undefined;
  #handshake: ClientHandshake | undefined;
  #nextRequest = 1;
  /** Unanswered requests, oldest first: request number and start time (ring buffer). */
  readonly #numbers = new Float64Array(OUTSTANDING_PER_TRADER_MAX);
  readonly #startsMs = new Float64Array(OUTSTANDING_PER_TRADER_MAX);
  #head = 0;
  #count = 0;
  /** Client order ids of this trader's resting passive orders, oldest first. */
  readonly passive: string[] = [];
  /** Requests counted as sent but not yet sealed: they leave packed at the next flush. */
  #unsealed: OutgoingMessage[] = [];

  constructor(readonly index: number, readonly seed: Uint8Array) {
    this.account = bytesToHex(ed25519.getPublicKey(seed));
  }

  get outstanding(): number {
    return this.#count;
  }

  hello(bundleJson: string): Uint8Array {
    const bundle = parseAttestationBundle(bundleJson);
    this.#handshake = createClientHandshake({
      enclaveKeyAgreementPublicKey: hexToBytes(bundle.enclaveKeys.x25519Hex),
      enclaveIdentityPublicKey: hexToBytes(bundle.enclaveKeys.ed25519Hex),
      attestationHash: attestationBundleDigest(bundle),
      traderIdentitySecretKey: this.seed,
      frameCipher: nodeClientFrameCipher,
    });
    return this.#handshake.clientHello;
  }

  finish(serverHello: Uint8Array): void {
    this.session = this.#handshake!.finish(serverHello);
    this.#handshake = undefined;
  }

  /** Queues a request for the next flush and remembers when it counts from; whether it is the first queued since the last flush. */
  request(t: string, body: object, startMs: number): boolean {
    if (this.#count === OUTSTANDING_PER_TRADER_MAX) throw new Error(`trader ${this.index}: more than ${OUTSTANDING_PER_TRADER_MAX} requests unanswered`);
    const number = this.#nextRequest++;
    this.#unsealed.push({ t, id: `q${number}`, body });
    const slot = (this.#head + this.#count) % OUTSTANDING_PER_TRADER_MAX;
    this.#numbers[slot] = number;
    this.#startsMs[slot] = startMs;
    this.#count += 1;
    return this.#unsealed.length === 1;
  }

  /** The queued requests sealed, packed into as few frames as hold them. */
  flush(): Uint8Array[] {
    const unsealed = this.#unsealed;
    this.#unsealed = [];
    return this.session!.sealMessages(unsealed);
  }

  /** The start time of the oldest unanswered request, which must be the one `id` names: answers come back in order. */
  answered(id: string): number {
    if (this.#count === 0 || id !== `q${this.#numbers[this.#head]}`) throw new Error(`trader ${this.index}: answer ${id} out of order (expected q${this.#numbers[this.#head]})`);
    const startMs = this.#startsMs[this.#head]!;
    this.#head = (this.#head + 1) % OUTSTANDING_PER_TRADER_MAX;
    this.#count -= 1;
    return startMs;
  }
}

/** The seeded command stream: which trader sends what. */
class CommandMix {
  readonly #prng: Prng;
  readonly #traders: readonly LoadTrader[];
  #passiveRound = 0;
  #crossing = 0;
  #orderNumber = 0;

  constructor(seed: number, traders: readonly LoadTrader[]) {
    this.#prng = new Prng(seed);
    this.#traders = traders;
  }

  /**
   * The next command. Passive orders rest far from the crossing price (buys 4.00–4.49, sells
   * 5.51–6.00) and are later cancelled by their owner; crossing orders alternate sell and buy
   * at 5.00 between consecutive traders, so every second one fills the one before.
   */
  next(workload: Workload): { trader: LoadTrader; kind: CommandKind; t: string; body: object } {
    const roll = workload === 'crossing' ? 0 : this.#prng.next();
    if (workload === 'crossing' || roll < MIXED_CROSSING_SHARE) {
      const count = this.#crossing++;
      const trader = this.#traders[count % this.#traders.length]!;
      const side = count % 2 === 0 ? 'sell' : 'buy';
      return { trader, kind: 'crossingPlace', t: 'order.place', body: this.#limit(side, '5.00') };
    }
    const trader = this.#traders[this.#passiveRound++ % this.#traders.length]!;
    const wantsPlace = roll < MIXED_CROSSING_SHARE + MIXED_PASSIVE_SHARE;
    if ((wantsPlace || trader.passive.length <= PASSIVE_ORDERS_MIN) && trader.passive.length < PASSIVE_ORDERS_MAX) {
      const side = this.#prng.chance(0.5) ? 'buy' : 'sell';
      const price = side === 'buy' ? `4.${String(this.#prng.int(0, 49)).padStart(2, '0')}` : `${this.#prng.int(551, 600) / 100}`;
      const body = this.#limit(side, price);
      trader.passive.push(body.clientOrderId);
      return { trader, kind: 'passivePlace', t: 'order.place', body };
    }
    const clientOrderId = trader.passive.shift()!;
    return { trader, kind: 'cancel', t: 'order.cancel', body: { market: TEST_MARKET.id, clientOrderId } };
  }

  #limit(side: 'buy' | 'sell', price: string): { market: string; clientOrderId: string; side: string; type: string; price: string; size: string } {
    return { market: TEST_MARKET.id, clientOrderId: `c${++this.#orderNumber}`, side, type: 'limit', price, size: '1.0' };
  }
}

function summarize(histogram: hdr.Histogram): LatencySummary {
  return {
    samples: histogram.totalCount,
    p50Us: histogram.getValueAtPercentile(50),
    p90Us: histogram.getValueAtPercentile(90),
    p99Us: histogram.getValueAtPercentile(99),
    p999Us: histogram.getValueAtPercentile(99.9),
    maxUs: histogram.maxValue,
    meanUs: Math.round(histogram.mean),
  };
}

if (parentPort === null) throw new Error('enclave-load runs only as a worker thread');
const port: MessagePort = parentPort;
const config = workerData as LoadConfig;
const outbox = new FramePortOutbox<LoadToMain>((message, transfer) => port.postMessage(message, transfer), setImmediate);
const seeds = new Prng(config.seed);
const traders = Array.from({ length: config.traders }, (_, index) => new LoadTrader(index, seedFrom(seeds)));
const mix = new CommandMix(config.seed + 1, traders);

/** What the phase under way counts; replaced at each phase. */
interface PhaseState {
  readonly histogram: hdr.Histogram;
  readonly lag: hdr.Histogram;
  readonly startMs: number;
  readonly windowEndMs: number;
  sent: number;
  answered: number;
  answeredInWindow: number;
  framesReceived: number;
  reportsReceived: number;
  readonly errors: Record<string, number>;
  readonly mix: Record<CommandKind, number>;
  /** Closed loop: send one more per answer while true. */
  refill: boolean;
  workload: Workload;
}

let state: PhaseState | undefined;
let connectedTraders = 0;
/** Traders with requests queued since the last flushSends, in the order they first queued one. */
const sending: LoadTrader[] = [];

function newState(phase: Phase): PhaseState {
  const startMs = performance.now();
  return {
    histogram: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HISTOGRAM_MAX_US, numberOfSignificantValueDigits: 3 }),
    lag: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HISTOGRAM_MAX_US, numberOfSignificantValueDigits: 3 }),
    startMs, windowEndMs: startMs + phase.durationMs,
    sent: 0, answered: 0, answeredInWindow: 0, framesReceived: 0, reportsReceived: 0,
    errors: {}, mix: { passivePlace: 0, cancel: 0, crossingPlace: 0 }, refill: phase.kind === 'closed', workload: phase.workload,
  };
}

function send(startMs: number): void {
  const current = state!;
  const command = mix.next(current.workload);
  current.mix[command.kind] += 1;
  current.sent += 1;
  if (command.trader.request(command.t, command.body, startMs)) sending.push(command.trader);
}

/** Seals and sends what each trader queued in this turn: one packed frame per trader where it fits. */
function flushSends(): void {
  for (const trader of sending) for (const frame of trader.flush()) outbox.sendFrame(trader.index, frame);
  sending.length = 0;
}

function onFrame(index: number, frame: Uint8Array): void {
  const trader = traders[index];
  if (trader === undefined) throw new Error(`frame for unknown trader ${index}`);
  if (trader.session === undefined) {
    trader.finish(frame);
    connectedTraders += 1;
    if (connectedTraders === traders.length) port.postMessage({ type: 'connected' } satisfies LoadToMain);
    return;
  }
  const messages = trader.session.openMessages(frame);
  const current = state;
  if (current === undefined) {
    // Between phases only reports arrive (the deposits' credits); answers belong to a phase.
    if (messages.some((message) => message.t !== 'report')) throw new Error(`trader ${index}: an answer arrived outside a phase`);
    return;
  }
  current.framesReceived += 1;
  const nowMs = performance.now();
  for (const message of messages) onMessage(current, trader, message, nowMs);
}

function onMessage(current: PhaseState, trader: LoadTrader, message: ChannelMessage, nowMs: number): void {
  if (message.t === 'report') {
    current.reportsReceived += 1;
    return;
  }
  const startMs = trader.answered(message.id);
  current.answered += 1;
  if (nowMs <= current.windowEndMs) current.answeredInWindow += 1;
  current.histogram.recordValue(Math.max(1, Math.round((nowMs - startMs) * 1_000)));
  if (message.t === 'error') {
    const name = typeof message.body.name === 'string' ? message.body.name : 'unnamed';
    current.errors[name] = (current.errors[name] ?? 0) + 1;
  }
  if (current.refill && nowMs < current.windowEndMs) send(nowMs);
}

async function drain(current: PhaseState): Promise<void> {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (current.answered < current.sent && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  if (current.answered < current.sent) throw new Error(`${current.sent - current.answered} commands unanswered ${DRAIN_TIMEOUT_MS} ms after the phase`);
}

async function runOpen(phase: Extract<Phase, { kind: 'open' }>): Promise<void> {
  const current = state!;
  const bursts = Math.floor(phase.durationMs / SEND_INTERVAL_MS);
  const perBurst = (phase.ratePerSec * SEND_INTERVAL_MS) / 1_000;
  let burst = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      const nowMs = performance.now();
      // Every burst whose time has come goes now, stamped with its scheduled time; bounded by `bursts`.
      while (burst < bursts && current.startMs + burst * SEND_INTERVAL_MS <= nowMs) {
        const scheduledMs = current.startMs + burst * SEND_INTERVAL_MS;
        current.lag.recordValue(Math.max(1, Math.round((nowMs - scheduledMs) * 1_000)));
        const due = Math.floor((burst + 1) * perBurst) - Math.floor(burst * perBurst);
        for (let i = 0; i < due; i++) send(scheduledMs);
        burst += 1;
      }
      flushSends();
      if (burst < bursts) setTimeout(pump, Math.max(0, current.startMs + burst * SEND_INTERVAL_MS - performance.now()));
      else resolve();
    };
    pump();
  });
  await drain(current);
}

async function runClosed(phase: Extract<Phase, { kind: 'closed' }>): Promise<void> {
  const current = state!;
  for (let i = 0; i < phase.inFlight; i++) send(current.startMs);
  flushSends();
  await new Promise((resolve) => setTimeout(resolve, phase.durationMs));
  current.refill = false;
  await drain(current);
}

async function runPhase(phase: Phase): Promise<PhaseResult> {
  state = newState(phase);
  const current = state;
  if (phase.kind === 'open') await runOpen(phase);
  else await runClosed(phase);
  return {
    phase, sent: current.sent, answered: current.answered, answeredInWindow: current.answeredInWindow,
    elapsedMs: Math.round(performance.now() - current.startMs), latency: summarize(current.histogram),
    framesReceived: current.framesReceived, reportsReceived: current.reportsReceived, errors: current.errors, mix: current.mix,
    sendLagUsP99: phase.kind === 'open' ? current.lag.getValueAtPercentile(99) : 0,
  };
}

port.on('message', (message: MainToLoad) => {
  switch (message.type) {
    case 'frames':
      if (!readFrameBatch(message, onFrame)) throw new Error('malformed frame batch from the main thread');
      flushSends();
      return;
    case 'connect':
      for (const trader of traders) outbox.sendFrame(trader.index, trader.hello(config.bundle));
      return;
    case 'phase':
      void runPhase(message.phase).then(
        (result) => port.postMessage({ type: 'phaseDone', result } satisfies LoadToMain),
        (error: unknown) => { throw error; },
      );
      return;
    case 'stop':
      port.close();
      return;
  }
});
function linuxThreadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').at(-1));
  } catch {
    return undefined;
  }
}

port.postMessage({ type: 'accounts', accounts: traders.map((trader) => trader.account), linuxThreadId: linuxThreadId() } satisfies LoadToMain);
