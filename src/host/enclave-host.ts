// The host's handle on the enclave isolate: it spawns the worker and exchanges port messages
// (src/protocol/enclave-port.ts), nothing else. It imports no enclave or matcher module, so
// the untrusted side never holds a key, a session or plaintext; it relays opaque frames.
// Frames sent during one turn of the event loop travel to the enclave as one batch.
import type { Readable } from 'node:stream';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { FramePortOutbox, readFrameBatch, type EmbeddedChainFault, type EnclaveStats, type EnclaveToHost, type EnclaveWorkerConfig, type HostToEnclave, type SettlementLogEntry } from '../protocol/enclave-port.js';

export const HOST_LIMITS = {
  /** Start-up (key unsealing, attestation, journal replay) must finish within this. */
  bootTimeoutMs: 120_000,
  stopTimeoutMs: 30_000,
} as const;

/**
 * The worker's entry (src/enclave/worker-entry.mjs registers tsx, then loads worker-main.ts):
 * a file path, not an import, so no enclave module is loaded into the host.
 */
const WORKER_ENTRY = new URL('../enclave/worker-entry.mjs', import.meta.url);
/**
 * The enclave thread's young generation. Nearly everything a command allocates (parsed
 * messages, answers, journal records) dies once its journal group is durable; the resume
 * history lives off the heap (report-ring.ts). A larger nursery means fewer scavenges but
 * longer ones, since each copies every survivor: through the gateway (npm run load, 64
 * sessions, quiet machine) 384 MB gave ack p99 29 ms at 2,000/s and 663 ms at 20,000/s,
 * 32 MB 11 ms and 444 ms; 16 and 64 MB were no better than 32.
 */
const ENCLAVE_YOUNG_GENERATION_MB = 32;

export type FrameListener = (connectionId: number, frame: Uint8Array) => void;
export type CloseListener = (connectionId: number, code: number) => void;

export class EnclaveHost {
  readonly #worker: Worker;
  readonly #outbox: FramePortOutbox<HostToEnclave>;
  readonly #bundle: string;
  readonly #shardStatement: string | undefined;
  readonly #production: boolean;
  #nextConnectionId = 1;
  #nextRequestId = 1;
  #frameListeners: FrameListener[] = [];
  #closeListeners: CloseListener[] = [];
  #fatalListeners: ((message: string) => void)[] = [];
  #settlementListeners: ((entry: SettlementLogEntry) => void)[] = [];
  #leaderListeners: (() => void)[] = [];
  #leading = false;
  readonly #pending = new Map<number, (message: EnclaveToHost) => void>();
  #stopped: Promise<void> | undefined;
  #onStopped: (() => void) | undefined;

  private constructor(worker: Worker, bundle: string, production: boolean, shardStatement: string | undefined) {
    this.#worker = worker;
    this.#bundle = bundle;
    this.#shardStatement = shardStatement;
    this.#production = production;
    this.#outbox = new FramePortOutbox<HostToEnclave>((message, transfer) => worker.postMessage(message, transfer), setImmediate);
    worker.on('message', (message: EnclaveToHost) => this.#dispatch(message));
    worker.on('error', (error) => { for (const listener of this.#fatalListeners) listener(error.message); });
    // An exit nobody asked for (a crash, or crash()) is fatal to the listeners; stop() is not.
    worker.once('exit', (code) => { if (this.#onStopped === undefined) for (const listener of this.#fatalListeners) listener(`the enclave exited (${code})`); });
  }

  /** Spawns the enclave worker and resolves once it has recovered and attested. */
  static start(config: EnclaveWorkerConfig): Promise<EnclaveHost> {
    const worker = new Worker(WORKER_ENTRY, { workerData: config, resourceLimits: { maxYoungGenerationSizeMb: ENCLAVE_YOUNG_GENERATION_MB } });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { void worker.terminate(); reject(new Error('the enclave did not become ready in time')); }, HOST_LIMITS.bootTimeoutMs);
      const onMessage = (message: EnclaveToHost): void => {
        if (message.type !== 'ready' && message.type !== 'fatal') return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        if (message.type === 'fatal') {
          void worker.terminate();
          reject(new Error(`the enclave failed to start: ${message.message}`));
        } else {
          resolve(new EnclaveHost(worker, message.bundle, config.production, message.shardStatement));
        }
      };
      const onError = (error: Error): void => { clearTimeout(timer); reject(error); };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
  }

  /** The attestation bundle (canonical JSON) the enclave published at start-up. */
  get bundle(): string {
    return this.#bundle;
  }

  /** A sharded enclave's signed statement of its shard id and markets (JSON; src/protocol/shard-statement.ts); undefined when unsharded. */
  get shardStatement(): string | undefined {
    return this.#shardStatement;
  }

  openConnection(): number {
    const connectionId = this.#nextConnectionId++;
    this.#post({ type: 'open', connectionId });
    return connectionId;
  }

  /**
   * Queues a frame for the enclave; it is copied at once, so the caller's bytes stay usable.
   * Throws a RangeError for a frame above PORT_LIMITS.frameBytesMax (the gateway's own frame
   * limit must be lower).
   */
  sendFrame(connectionId: number, frame: Uint8Array): void {
    this.#outbox.sendFrame(connectionId, frame);
  }

  /** The enclave thread's event-loop utilization (since `previous`, if given): how busy the isolate is. */
  enclaveEventLoopUtilization(previous?: EventLoopUtilization): EventLoopUtilization {
    return this.#worker.performance.eventLoopUtilization(previous);
  }

  /** Frame batches and frames posted to the enclave so far. */
  get portStats(): { readonly batches: number; readonly frames: number } {
    return this.#outbox.stats;
  }

  close(connectionId: number): void {
    this.#post({ type: 'close', connectionId });
  }

  /** Frames from the enclave; each is a view into a received batch that nothing writes to again. */
  onFrame(listener: FrameListener): void {
    this.#frameListeners.push(listener);
  }

  /** The enclave closed a connection with a coded reason. */
  onClose(listener: CloseListener): void {
    this.#closeListeners.push(listener);
  }

  /** Settlement lines for the operator's log (batch ids, counts, codes; no order content). */
  onSettlement(listener: (entry: SettlementLogEntry) => void): void {
    this.#settlementListeners.push(listener);
  }

  onFatal(listener: (message: string) => void): void {
    this.#fatalListeners.push(listener);
  }

  /**
   * Test-only: a heap snapshot of the enclave isolate, the positive control of the privacy
   * tests (order plaintext lives there, never in the host's heap). Refused for a production
   * enclave, whose memory the host must not be handed a tool to read.
   */
  heapSnapshot(): Promise<Readable> {
    if (this.#production) return Promise.reject(new Error('heap snapshots of a production enclave are refused'));
    return this.#worker.getHeapSnapshot();
  }

  /** Asks the enclave for its current bundle. */
  fetchBundle(): Promise<string> {
    return this.#request((requestId) => ({ type: 'bundle', requestId }), (message) => (message.type === 'bundle' ? message.bundle : ''));
  }

  /** The enclave's operational counters (journal groups, port batches). */
  stats(): Promise<EnclaveStats> {
    return this.#request((requestId) => ({ type: 'stats', requestId }), (message) => {
      if (message.type !== 'stats') throw new Error(`expected stats, got ${message.type}`);
      return message.stats;
    });
  }

  /**
   * The embedded chain's deposit path: a deposit event observed on the settlement chain is
   * handed to the enclave, which journals and credits it. Resolves once durable.
   */
  deposit(account: string, asset: string, atoms: bigint, reference: string): Promise<void> {
    return this.#request((requestId) => ({ type: 'deposit', requestId, account, asset, atoms: atoms.toString(), reference }), (message) => {
      if (message.type === 'deposited' && message.error !== undefined) throw new Error(`deposit refused (${message.error.code}): ${message.error.message}`);
    });
  }

  /**
   * Public market data: the reference bid and ask (decimal strings) of one market, which midpoint
   * and pegged orders price from. Resolves once the enclave has journaled it.
   */
  setReference(market: string, bid: string, ask: string): Promise<void> {
    return this.#request((requestId) => ({ type: 'reference', requestId, market, bid, ask }), (message) => {
      if (message.type === 'referenced' && message.error !== undefined) throw new Error(`reference refused (${message.error.code}): ${message.error.message}`);
    });
  }

  /**
   * The embedded development chain's faucet: mints atoms to the account (64 hex, a trader's
   * identity key) and transfers them to `to` (0x hex; the pool when left out); the enclave credits
   * a deposit into the pool once the next block makes it final. Resolves with the chain's transfer
   * reference.
   */
  embeddedChainDeposit(account: string, asset: string, atoms: bigint, to?: string): Promise<string> {
    return this.#request((requestId) => ({ type: 'faucet', requestId, account, asset, atoms: atoms.toString(), ...(to === undefined ? {} : { to }) }), (message) => {
      if (message.type !== 'faucet') throw new Error(`expected faucet, got ${message.type}`);
      if (message.error !== undefined) throw new Error(`faucet refused (${message.error.code}): ${message.error.message}`);
      return message.reference;
    });
  }

  /** An account's free balance (atoms) on the settlement chain (embedded or real). */
  embeddedChainBalance(account: string, asset: string): Promise<bigint> {
    return this.#request((requestId) => ({ type: 'chainBalance', requestId, account, asset }), (message) => {
      if (message.type !== 'chainBalance') throw new Error(`expected chainBalance, got ${message.type}`);
      if (message.error !== undefined) throw new Error(`balance refused (${message.error.code}): ${message.error.message}`);
      return BigInt(message.atoms);
    });
  }

  /** The pool's account (0x AccountId32) on the settlement chain; deposits into it are credited to their sender. */
  settlementAccount(): Promise<string> {
    return this.#request((requestId) => ({ type: 'settlementAccount', requestId }), (message) => {
      if (message.type !== 'settlementAccount') throw new Error(`expected settlementAccount, got ${message.type}`);
      if (message.error !== undefined) throw new Error(`no settlement account (${message.error.code}): ${message.error.message}`);
      return message.account;
    });
  }

  /** Fault drills, embedded chain only: the chain's next `times` settlement submissions meet this fault. */
  embeddedChainFault(fault: EmbeddedChainFault, times: number): Promise<void> {
    return this.#request((requestId) => ({ type: 'chainFault', requestId, fault, times }), (message) => {
      if (message.type !== 'chainFaulted') throw new Error(`expected chainFaulted, got ${message.type}`);
      if (message.error !== undefined) throw new Error(`fault refused (${message.error.code}): ${message.error.message}`);
    });
  }

  /** A hot-standby enclave (cluster lease set) took over as leader; fires at once if it already leads. */
  onLeader(listener: () => void): void {
    this.#leaderListeners.push(listener);
    if (this.#leading) listener();
  }

  /** True once this hot-standby enclave leads (it never steps back: a lost lease is fatal). */
  get leading(): boolean {
    return this.#leading;
  }

  /**
   * Ends the enclave isolate at once, as a crash would: nothing more runs inside it, its
   * stream and lease connections drop without a goodbye (failover drills and tests).
   */
  async crash(): Promise<void> {
    this.#stopped ??= this.#worker.terminate().then(() => undefined);
    await this.#stopped;
  }

  /** Lets the enclave finish pending commands, then ends the worker. */
  stop(): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    this.#stopped = new Promise<void>((resolve) => {
      const timer = setTimeout(() => { void this.#worker.terminate().then(() => resolve()); }, HOST_LIMITS.stopTimeoutMs);
      this.#onStopped = () => { clearTimeout(timer); void this.#worker.terminate().then(() => resolve()); };
      this.#post({ type: 'stop' });
    });
    return this.#stopped;
  }

  #request<T>(build: (requestId: number) => HostToEnclave, read: (message: EnclaveToHost) => T): Promise<T> {
    const requestId = this.#nextRequestId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(requestId, (message) => {
        try {
          resolve(read(message));
        } catch (error) {
          reject(error);
        }
      });
      this.#post(build(requestId));
    });
  }

  #post(message: HostToEnclave): void {
    this.#outbox.send(message);
  }

  #dispatch(message: EnclaveToHost): void {
    switch (message.type) {
      case 'frames': {
        const listeners = this.#frameListeners;
        const whole = readFrameBatch(message, (connectionId, frame) => {
          for (const listener of listeners) listener(connectionId, frame);
        });
        if (!whole) for (const listener of this.#fatalListeners) listener('the enclave sent a malformed frame batch');
        return;
      }
      case 'close':
        for (const listener of this.#closeListeners) listener(message.connectionId, message.code);
        return;
      case 'bundle':
      case 'stats':
      case 'deposited':
      case 'referenced':
      case 'faucet':
      case 'chainBalance':
      case 'settlementAccount':
      case 'chainFaulted': {
        const waiter = this.#pending.get(message.requestId);
        this.#pending.delete(message.requestId);
        waiter?.(message);
        return;
      }
      case 'fatal':
        for (const listener of this.#fatalListeners) listener(message.message);
        return;
      case 'stopped':
        this.#onStopped?.();
        return;
      case 'settlement':
        for (const listener of this.#settlementListeners) listener(message.entry);
        return;
      case 'leader':
        this.#leading = true;
        for (const listener of this.#leaderListeners) listener();
        return;
      case 'ready':
        return;
    }
  }
}
