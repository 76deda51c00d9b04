// The engine as a child process, for load drivers and fault drills that must measure or kill
// the real thing (the enclave worker and the gateway in their own process, reached only over
// loopback sockets) rather than call it in-process.
//
//   const engine = await EngineProcess.start({ limits: { maxSessions: 20_000 }, chain: 'none' });
//   engine.url;            // http://127.0.0.1:PORT (port 0 = a free one, reported by the child)
//   engine.policy;         // AttestationPolicy pinning the engine's dev root, for DarkpoolClient
//   await engine.deposit(accountHex, 'USDC', 1_000_000n);   // credit inside the enclave only
//   await engine.chainDeposit(accountHex, 'DOT', 10n ** 12n); // embedded chain: pay into the pool
//   engine.rssBytes();     // VmRSS of the engine process (enclave worker + gateway)
//   await engine.kill('SIGKILL');  // resolves once the process is gone
//   await engine.restart();        // same data dir, same port, same dev root
//   await engine.stop();           // SIGTERM, graceful; SIGKILL after a grace period
//
// The child is load-tests/engine-main.ts (no demo market maker or feed; ENGINE_MARKET only).
// The embedded chain lives in the child's memory, so every start begins a new chain: a drill
// that restarts the engine should run with chain 'none' (deposits are then enclave credits,
// which the journal keeps) unless it means to test exactly that.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AttestationPolicy } from '../client/attestation/index.js';
import type { EmbeddedSettlementPolicy, EnclaveStats } from '../src/protocol/enclave-port.js';
import type { GatewayLimits } from '../src/gateway/index.js';
import { ENGINE_CONFIG_ENV, type ChainFault, type ControlRequest, type EngineConfig, type EngineLine } from './engine-config.js';

export { ENGINE_MARKET, type ChainFault } from './engine-config.js';

export interface EngineProcessOptions {
  /** Left out: a fresh temporary directory, removed by stop(). */
  readonly dataDir?: string;
  /** 0 (the default) picks a free port; restart() keeps the port first bound. */
  readonly port?: number;
  /** Gateway limits (src/gateway/config.ts); the gateway's defaults for the rest. */
  readonly limits?: Partial<GatewayLimits>;
  /** 'embedded' (default): the in-memory chain, new on each start; 'none': no settlement. */
  readonly chain?: 'embedded' | 'none';
  readonly settlementWindowMs?: number;
  readonly tickMs?: number;
  readonly snapshotEveryCommands?: number;
  /** Embedded chain: settlement retry and confirmation timing (defaults: retry after 5 s, confirm within 30 s, 10 attempts). */
  readonly settlementPolicy?: EmbeddedSettlementPolicy;
  /** Start-up (tsx load, key unsealing, journal replay) must finish within this. Default 120 s. */
  readonly readyTimeoutMs?: number;
  /** Where the child's stderr goes; default 'inherit'. */
  readonly stderr?: 'inherit' | 'ignore';
}

export type SettlementLine = Extract<EngineLine, { event: 'settlement' }>['entry'];

const ENTRY = new URL('./engine-main.ts', import.meta.url).pathname;
const DEFAULT_READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 30_000;
const CONTROL_TIMEOUT_MS = 30_000;

interface Pending { readonly resolve: (value: unknown) => void; readonly reject: (error: Error) => void; readonly timer: NodeJS.Timeout }

export class EngineProcess {
  readonly dataDir: string;
  readonly #options: EngineProcessOptions;
  readonly #config: EngineConfig;
  readonly #ownsDataDir: boolean;
  readonly #pending = new Map<number, Pending>();
  readonly #settlementListeners = new Set<(entry: SettlementLine) => void>();
  readonly #fatalMessages: string[] = [];
  #child: ChildProcess | undefined;
  #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });
  #alive = false;
  #nextId = 1;
  #url = '';
  #port = 0;
  #devRootHex = '';

  private constructor(options: EngineProcessOptions) {
    this.#options = options;
    this.#ownsDataDir = options.dataDir === undefined;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'engine-process-'));
    this.#port = options.port ?? 0;
    this.#config = {
      dataDir: this.dataDir, port: this.#port, limits: options.limits ?? {}, chain: options.chain ?? 'embedded',
      devRootSeedHex: randomBytes(32).toString('hex'), settlementWindowMs: options.settlementWindowMs, tickMs: options.tickMs,
      snapshotEveryCommands: options.snapshotEveryCommands, settlementPolicy: options.settlementPolicy,
    };
  }

  /** Spawns the engine and resolves once its gateway listens. */
  static async start(options: EngineProcessOptions = {}): Promise<EngineProcess> {
    const engine = new EngineProcess(options);
    await engine.#spawn();
    return engine;
  }

  get url(): string { return this.#url; }
  get port(): number { return this.#port; }
  get pid(): number { return this.#child?.pid ?? 0; }
  get alive(): boolean { return this.#alive; }
  /** The dev attestation root the engine signs with (the same across restarts). */
  get devRootHex(): string { return this.#devRootHex; }
  /** An SDK attestation policy that accepts exactly this engine's dev root. */
  get policy(): AttestationPolicy { return { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: this.#devRootHex } }; }
  /** Fatal messages the engine reported (enclave worker errors); a healthy run has none. */
  get fatalMessages(): readonly string[] { return this.#fatalMessages; }

  /** The engine process's resident set (VmRSS), in bytes. */
  rssBytes(): number {
    if (!this.#alive || this.#child?.pid === undefined) throw new Error('the engine is not running');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.#child.pid}/status`, 'utf8'));
    if (match === null) throw new Error('no VmRSS in /proc status');
    return Number(match[1]) * 1_024;
  }

  /** Sends the signal and resolves with how the process ended. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.#alive) this.#child?.kill(signal);
    return this.#exited;
  }

  /** Stops the engine if it runs (SIGTERM), then starts it again on the same data dir and port. */
  async restart(): Promise<void> {
    if (this.#alive) await this.#terminate();
    await this.#spawn();
  }

  /** Graceful stop (SIGTERM, then SIGKILL after a grace period); removes a temporary data dir. */
  async stop(): Promise<void> {
    if (this.#alive) await this.#terminate();
    if (this.#ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Credits atoms to an account inside the enclave (journaled; survives restarts). */
  async deposit(account: string, asset: string, atoms: bigint, reference = `deposit-${randomBytes(8).toString('hex')}`): Promise<void> {
    await this.#control({ op: 'deposit', account, asset, atoms: atoms.toString(), reference });
  }

  /** Embedded chain: mints atoms to the account and pays them into the pool; credited at the next block. */
  async chainDeposit(account: string, asset: string, atoms: bigint): Promise<string> {
    return String(await this.#control({ op: 'chainDeposit', account, asset, atoms: atoms.toString() }));
  }

  async chainBalance(account: string, asset: string): Promise<bigint> {
    return BigInt(String(await this.#control({ op: 'chainBalance', account, asset })));
  }

  /** The pool's account (0x AccountId32) on the settlement chain. */
  async settlementAccount(): Promise<string> {
    return String(await this.#control({ op: 'settlementAccount' }));
  }

  async setReference(market: string, bid: string, ask: string): Promise<void> {
    await this.#control({ op: 'reference', market, bid, ask });
  }

  /** Embedded chain: the next `times` settlement submissions meet this fault. */
  async chainFault(fault: ChainFault, times = 1): Promise<void> {
    await this.#control({ op: 'chainFault', fault, times });
  }

  async stats(): Promise<EnclaveStats> {
    return await this.#control({ op: 'stats' }) as EnclaveStats;
  }

  /** Every settlement log line (batch ids, events, codes; never order content). */
  onSettlement(listener: (entry: SettlementLine) => void): () => void {
    this.#settlementListeners.add(listener);
    return () => { this.#settlementListeners.delete(listener); };
  }

  async #terminate(): Promise<void> {
    const child = this.#child;
    const grace = setTimeout(() => child?.kill('SIGKILL'), STOP_GRACE_MS);
    child?.kill('SIGTERM');
    await this.#exited;
    clearTimeout(grace);
  }

  #control(body: DistributiveOmit<ControlRequest, 'id'>): Promise<unknown> {
    const child = this.#child;
    if (!this.#alive || child?.stdin === null || child === undefined) return Promise.reject(new Error('the engine is not running'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.#pending.delete(id); reject(new Error(`control ${body.op} timed out`)); }, CONTROL_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      child.stdin!.write(`${JSON.stringify({ ...body, id })}\n`);
    });
  }

  #spawn(): Promise<void> {
    const config: EngineConfig = { ...this.#config, port: this.#port };
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
      env: { ...process.env, [ENGINE_CONFIG_ENV]: JSON.stringify(config) },
      stdio: ['pipe', 'pipe', this.#options.stderr ?? 'inherit'],
    });
    this.#child = child;
    this.#alive = true;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#alive = false;
        for (const [id, pending] of this.#pending) {
          clearTimeout(pending.timer);
          pending.reject(new Error(`the engine exited (control ${id} unanswered)`));
        }
        this.#pending.clear();
        resolve({ code, signal });
      });
    });
    child.stdin!.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the engine did not become ready in time')); }, this.#options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
      void this.#exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`the engine exited before ready (code ${code}, signal ${signal}): ${this.#fatalMessages.at(-1) ?? ''}`)); });
      createInterface({ input: child.stdout! }).on('line', (text) => {
        let line: EngineLine;
        try {
          line = JSON.parse(text) as EngineLine;
        } catch {
          return;
        }
        switch (line.event) {
          case 'ready':
            clearTimeout(timer);
            this.#url = line.url;
            this.#port = line.port;
            this.#devRootHex = line.devRootHex;
            return resolve();
          case 'reply': {
            const pending = this.#pending.get(line.id);
            if (pending === undefined) return;
            this.#pending.delete(line.id);
            clearTimeout(pending.timer);
            return line.ok ? pending.resolve(line.result) : pending.reject(new Error(line.error));
          }
          case 'settlement':
            for (const listener of this.#settlementListeners) listener(line.entry);
            return;
          case 'fatal':
            this.#fatalMessages.push(line.message);
            return;
        }
      });
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
