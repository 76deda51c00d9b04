// Settlement inside the enclave: the runtime's durable windows become netted, signed batches on
// the chain, and final deposits on the chain become credits in the engine. It is the one place
// that maps matcher fills to settlement fills (ticks and lots to atoms, account hex to AccountId32)
// and chain deposits to engine deposit commands. The default chain is the embedded local network
// (src/settlement/local-setup.ts), which lives in this isolate: nothing to install or start.
import { createHash, randomBytes } from 'node:crypto';
import { CodedError, isCodedError } from '../errors/index.js';
import type { FillEvent, MarketSpec } from '../matching/types.js';
import type { SettlementLogEntry } from '../protocol/enclave-port.js';
import type { Fill } from '../settlement/fill.js';
import { createLocalSetup } from '../settlement/local-setup.js';
import { MemorySettlementStore } from '../settlement/records.js';
import { SettlementService, type SettlementEvent } from '../settlement/service.js';
import type { AccountHex, ChainId } from '../xcmp/connector.js';
import type { LocalNetwork } from '../xcmp/local-chain.js';

export const BRIDGE_DEFAULTS = {
  /** How often open settlement messages move one step along their lifecycle. */
  tickMs: 200,
  /** Block time of the embedded chains. */
  blockTimeMs: 100,
  /** The chain whose escrow holds every engine asset. */
  chain: 'para:1000',
  /** DOT atoms the embedded chain's genesis gives the fee account to pay XCM fees with. */
  feeFundingAtoms: 1_000_000_000_000n,
} as const;

export const BRIDGE_LIMITS = {
  /** Largest faucet amount the embedded chain hands out per request. */
  faucetAtomsMax: 10n ** 30n,
} as const;

/** What the bridge needs of the runtime (src/enclave/runtime.ts EnclaveRuntime). */
export interface BridgeRuntime {
  readonly identityPublicKey: Uint8Array;
  signWithIdentity(digest: Uint8Array): Uint8Array;
  creditDeposit(account: string, asset: string, atoms: bigint, reference: string): Promise<void>;
  readonly engine: { readonly marketSpecs: ReadonlyMap<string, MarketSpec> };
}

/** A settlement window as the runtime's onWindow hook reports it. */
export interface DurableWindow {
  readonly number: number;
  readonly fills: readonly FillEvent[];
  readonly timeMs: number;
}

export interface SettlementBridgeOptions {
  readonly runtime: BridgeRuntime;
  /** The engine's fee account name; its AccountId32 on chain is derived from it unless it is hex. */
  readonly feeAccount: string;
  readonly log: (entry: SettlementLogEntry) => void;
  readonly tickMs?: number;
  readonly blockTimeMs?: number;
  /** Wall clock in ms; settlement takes time from its caller. */
  readonly clock?: () => number;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The AccountId32 of an engine account (64 lower-case hex, the trader's identity key). */
export function accountIdOf(account: string): AccountHex {
  if (HEX64.test(account)) return `0x${account}`;
  return `0x${createHash('sha256').update(`darkpool-account:${account}`).digest('hex')}`;
}

/** A durable matcher fill in settlement's neutral form: who owes whom how many atoms. */
export function settlementFillOf(event: FillEvent, market: MarketSpec, chain: ChainId): Fill {
  const takerBuys = event.takerSide === 'buy';
  return {
    tradeId: String(event.tradeId),
    market: event.market,
    buyer: accountIdOf(takerBuys ? event.takerAccount : event.makerAccount),
    seller: accountIdOf(takerBuys ? event.makerAccount : event.takerAccount),
    base: { chain, asset: market.base },
    quote: { chain, asset: market.quote },
    baseAtoms: BigInt(event.sizeLots) * market.baseAtomsPerLot,
    quoteAtoms: event.notionalQuoteAtoms,
    buyerFeeAtoms: takerBuys ? event.takerFeeQuoteAtoms : event.makerFeeQuoteAtoms,
    sellerFeeAtoms: takerBuys ? event.makerFeeQuoteAtoms : event.takerFeeQuoteAtoms,
  };
}

function logOf(event: SettlementEvent): SettlementLogEntry {
  switch (event.type) {
    case 'batch-sealed': return { event: event.type, batchId: event.batchId, windowNumber: event.windowNumber, messages: event.messages, payouts: event.payouts };
    case 'window-held': return { event: event.type, windowNumber: event.windowNumber, code: event.code };
    case 'message-failed':
    case 'retries-exhausted': return { event: event.type, batchId: event.batchId, code: event.code };
    case 'deposit-credited':
    case 'deposit-ignored': return { event: event.type };
    default: return { event: event.type, batchId: event.batchId };
  }
}

export class SettlementBridge {
  readonly #runtime: BridgeRuntime;
  readonly #service: SettlementService;
  readonly #network: LocalNetwork;
  readonly #pool: AccountHex;
  readonly #chainPrefix: string;
  readonly #log: (entry: SettlementLogEntry) => void;
  readonly #clock: () => number;
  readonly #close: () => Promise<void>;
  readonly #timer: NodeJS.Timeout;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: SettlementBridgeOptions, service: SettlementService, network: LocalNetwork, pool: AccountHex, chainPrefix: string, close: () => Promise<void>) {
    this.#runtime = options.runtime;
    this.#service = service;
    this.#network = network;
    this.#pool = pool;
    this.#chainPrefix = chainPrefix;
    this.#log = options.log;
    this.#clock = options.clock ?? Date.now;
    this.#close = close;
    this.#timer = setInterval(() => this.#serial(() => this.#service.tick(this.#clock())), options.tickMs ?? BRIDGE_DEFAULTS.tickMs);
    this.#timer.unref();
  }

  /**
   * Opens settlement on the embedded chain: the pool account is the enclave's identity key, the
   * fee account is funded at genesis, and every final deposit into the pool is credited once.
   */
  static async openEmbedded(options: SettlementBridgeOptions): Promise<SettlementBridge> {
    const pool: AccountHex = `0x${Buffer.from(options.runtime.identityPublicKey).toString('hex')}`;
    const feeAccount = accountIdOf(options.feeAccount);
    const setup = createLocalSetup({ pool, feeAccount, blockTimeMs: options.blockTimeMs ?? BRIDGE_DEFAULTS.blockTimeMs });
    // Each embedded network is a new chain: its deposit references restart, so they are prefixed
    // with this instance's genesis id to stay unique in the enclave's journal across restarts.
    const chainPrefix = `emb-${randomBytes(8).toString('hex')}`;
    const clock = options.clock ?? Date.now;
    let bridge: SettlementBridge | undefined;
    const service = await SettlementService.open(
      { config: setup.config, connector: setup.connector, store: new MemorySettlementStore(), sign: (digest) => options.runtime.signWithIdentity(digest), publicKey: options.runtime.identityPublicKey },
      clock(),
      (event) => { if (bridge !== undefined) bridge.#onEvent(event); },
    );
    bridge = new SettlementBridge(options, service, setup.network, pool, chainPrefix, async () => {
      await service.close();
      await setup.connector.close();
    });
    setup.network.mint(BRIDGE_DEFAULTS.chain, 'DOT', feeAccount, BRIDGE_DEFAULTS.feeFundingAtoms);
    setup.network.transfer(BRIDGE_DEFAULTS.chain, 'DOT', feeAccount, pool, BRIDGE_DEFAULTS.feeFundingAtoms);
    return bridge;
  }

  /** The pool's account on the settlement chain. */
  get poolAccount(): AccountHex {
    return this.#pool;
  }

  /** The runtime's onWindow hook: the window's fills enter settlement, then the window closes at the command's time. */
  onWindow(window: DurableWindow): void {
    this.#serial(async () => {
      const markets = this.#runtime.engine.marketSpecs;
      let refused = 0;
      for (const event of window.fills) {
        const market = markets.get(event.market);
        if (market === undefined) throw new Error(`assertion: a fill in unknown market ${event.market}`);
        try {
          this.#service.addFill(settlementFillOf(event, market, BRIDGE_DEFAULTS.chain));
        } catch (error) {
          if (!isCodedError(error)) throw error;
          refused += 1;
          this.#log({ event: 'fill-refused', windowNumber: window.number, code: error.code });
        }
      }
      if (refused < window.fills.length) await this.#service.closeWindow(window.timeMs);
    });
  }

  /**
   * The embedded chain's faucet: mints atoms to an account and transfers them into the pool, a
   * deposit the bridge credits to that account once the next block makes it final.
   */
  faucetDeposit(account: string, asset: string, atoms: bigint): string {
    if (atoms <= 0n || atoms > BRIDGE_LIMITS.faucetAtomsMax) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'faucet amount out of range');
    const from = accountIdOf(account);
    this.#network.mint(BRIDGE_DEFAULTS.chain, asset, from, atoms);
    return this.#network.transfer(BRIDGE_DEFAULTS.chain, asset, from, this.#pool, atoms);
  }

  /** An account's free balance on the embedded settlement chain. */
  chainBalance(account: string, asset: string): bigint {
    return this.#network.balanceOf(BRIDGE_DEFAULTS.chain, asset, accountIdOf(account));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#queue;
    await this.#close();
  }

  #onEvent(event: SettlementEvent): void {
    this.#log(logOf(event));
    if (event.type !== 'deposit-credited') return;
    const { deposit } = event;
    if (deposit.chain !== BRIDGE_DEFAULTS.chain) return;
    const account = deposit.from.slice(2);
    const reference = `${this.#chainPrefix}.${deposit.reference.replace(/[^A-Za-z0-9_.:-]/g, '.')}`;
    this.#runtime.creditDeposit(account, deposit.asset, deposit.amount, reference).catch((error: unknown) => {
      this.#log({ event: 'deposit-not-credited', code: isCodedError(error) ? error.code : new CodedError('ENCLAVE_INTERNAL').code });
    });
  }

  /** Settlement calls run one at a time; a failure is logged with its code and the next one runs. */
  #serial(task: () => Promise<void>): void {
    if (this.#closed) return;
    this.#queue = this.#queue.then(task).catch((error: unknown) => {
      this.#log({ event: 'settlement-error', code: isCodedError(error) ? error.code : new CodedError('ENCLAVE_INTERNAL').code });
    });
  }
}
