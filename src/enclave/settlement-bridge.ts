// Settlement inside the enclave: the runtime's durable windows become netted, signed batches on
// the chain, and final deposits on the chain become credits in the engine. It is the one place
// that maps matcher fills to settlement fills (ticks and lots to atoms, account hex to AccountId32)
// and chain deposits to engine deposit commands, and delivers the engine's withdrawals (refunding
// them in the engine when settlement refuses one or its message fails for good). The default chain
// is the embedded local network (src/settlement/local-setup.ts), which lives in this isolate:
// nothing to install or start; real Substrate chains go through the PolkadotConnector.
import { createHash, randomBytes } from 'node:crypto';
import { CodedError, isCodedError } from '../errors/index.js';
import type { FillEvent, MarketSpec } from '../matching/types.js';
import type { PolkadotChainSettings, SettlementLogEntry } from '../protocol/enclave-port.js';
import type { Hex32 } from '../settlement/batch.js';
import type { Fill } from '../settlement/fill.js';
import { DEFAULT_SETTLEMENT_POLICY, type SettlementConfig } from '../settlement/config.js';
import { createLocalSetup, type LocalSetup } from '../settlement/local-setup.js';
import { MemorySettlementStore, type SettlementStore } from '../settlement/records.js';
import { SettlementService, type SettlementEvent } from '../settlement/service.js';
import type { AccountHex, ChainConnector, ChainId } from '../xcmp/connector.js';
import type { LocalNetwork } from '../xcmp/local-chain.js';
import { chopsticksNewBlock } from '../xcmp/polkadot/block-production.js';
import { PolkadotConnector } from '../xcmp/polkadot/polkadot-connector.js';
import { accountHexOf, settlementKeyPair } from '../xcmp/polkadot/settlement-key.js';
import { here, relay } from '../xcmp/xcm-model.js';
import type { WithdrawalOrder } from './engine.js';

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
  /** Withdrawals handed to settlement and not yet confirmed or refunded; beyond it new ones are refunded at once. */
  pendingWithdrawalsMax: 100_000,
} as const;

/** What the bridge needs of the runtime (src/enclave/runtime.ts EnclaveRuntime). */
export interface BridgeRuntime {
  readonly identityPublicKey: Uint8Array;
  signWithIdentity(digest: Uint8Array): Uint8Array;
  creditDeposit(account: string, asset: string, atoms: bigint, reference: string): Promise<void>;
  refundWithdrawal(withdrawal: WithdrawalOrder): Promise<void>;
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
  /**
   * Where settlement's lifecycle records are persisted before each step. Real chains outlive the
   * enclave, so they take the sealed file store; the embedded chain lives and dies with the
   * process, and so may its records (the default, in memory).
   */
  readonly store?: SettlementStore;
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

/** Where settlement runs: the chain holding the escrow, its connector, and the embedded network if any. */
interface BridgeChain {
  readonly chain: ChainId;
  readonly config: SettlementConfig;
  readonly connector: ChainConnector;
  readonly pool: AccountHex;
  /** Deposit references are unique per chain; this prefix keeps them unique in the enclave's journal. */
  readonly referencePrefix: string;
  readonly network: LocalNetwork | undefined;
}

const LOCATIONS = { relay, here } as const;

export class SettlementBridge {
  readonly #runtime: BridgeRuntime;
  readonly #service: SettlementService;
  readonly #chain: BridgeChain;
  readonly #log: (entry: SettlementLogEntry) => void;
  readonly #clock: () => number;
  readonly #timer: NodeJS.Timeout;
  /** Withdrawal id -> the engine's order, until its batch confirms or the engine refunds it. */
  readonly #pendingWithdrawals = new Map<string, WithdrawalOrder>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: SettlementBridgeOptions, service: SettlementService, chain: BridgeChain) {
    this.#runtime = options.runtime;
    this.#service = service;
    this.#chain = chain;
    this.#log = options.log;
    this.#clock = options.clock ?? Date.now;
    this.#timer = setInterval(() => this.#serial(() => this.#service.tick(this.#clock())), options.tickMs ?? BRIDGE_DEFAULTS.tickMs);
    this.#timer.unref();
  }

  static async #open(options: SettlementBridgeOptions, chain: BridgeChain): Promise<SettlementBridge> {
    const clock = options.clock ?? Date.now;
    let bridge: SettlementBridge | undefined;
    const early: SettlementEvent[] = [];
    const service = await SettlementService.open(
      { config: chain.config, connector: chain.connector, store: options.store ?? new MemorySettlementStore(), sign: (digest) => options.runtime.signWithIdentity(digest), publicKey: options.runtime.identityPublicKey },
      clock(),
      (event) => { if (bridge === undefined) early.push(event); else bridge.#onEvent(event); },
    );
    bridge = new SettlementBridge(options, service, chain);
    for (const event of early) bridge.#onEvent(event);
    return bridge;
  }

  /**
   * Opens settlement on the embedded chain: the pool account is the enclave's identity key, the
   * fee account is funded at genesis, and every final deposit into the pool is credited once.
   */
  static async openEmbedded(options: SettlementBridgeOptions): Promise<SettlementBridge> {
    const pool: AccountHex = `0x${Buffer.from(options.runtime.identityPublicKey).toString('hex')}`;
    const feeAccount = accountIdOf(options.feeAccount);
    const setup = createLocalSetup({ pool, feeAccount, blockTimeMs: options.blockTimeMs ?? BRIDGE_DEFAULTS.blockTimeMs });
    const bridge = await SettlementBridge.openLocal(options, setup);
    setup.network.mint(BRIDGE_DEFAULTS.chain, 'DOT', feeAccount, BRIDGE_DEFAULTS.feeFundingAtoms);
    setup.network.transfer(BRIDGE_DEFAULTS.chain, 'DOT', feeAccount, pool, BRIDGE_DEFAULTS.feeFundingAtoms);
    return bridge;
  }

  /**
   * Opens settlement on a given local set-up (its pool must be the identity key's account); the
   * caller keeps the network, e.g. to inject faults or fund the fee account its own way.
   */
  static openLocal(options: SettlementBridgeOptions, setup: LocalSetup): Promise<SettlementBridge> {
    const pool = setup.config.escrowAccounts[BRIDGE_DEFAULTS.chain];
    if (pool === undefined) throw new Error(`assertion: the local set-up has no escrow on ${BRIDGE_DEFAULTS.chain}`);
    // Each embedded network is a new chain: its deposit references restart, so they are prefixed
    // with this instance's genesis id to stay unique in the enclave's journal across restarts.
    const referencePrefix = `emb-${randomBytes(8).toString('hex')}`;
    return SettlementBridge.#open(options, { chain: BRIDGE_DEFAULTS.chain, config: setup.config, connector: setup.connector, pool, referencePrefix, network: setup.network });
  }

  /**
   * Opens settlement on real chains: the pool account is the settlement key's (derived from the
   * sealing key; the seed is zeroed here once the connector imported it). Payouts and withdrawals
   * execute on the settlement chain; deposits into the pool there are credited once final. The
   * fee account funds fees by depositing the fee asset into the pool like any trader.
   */
  static async openPolkadot(options: SettlementBridgeOptions & { readonly settings: PolkadotChainSettings; readonly settlementSeed: Uint8Array }): Promise<SettlementBridge> {
    const { settings } = options;
    let pool: AccountHex;
    let connector: PolkadotConnector;
    try {
      pool = accountHexOf(settlementKeyPair(options.settlementSeed));
      connector = await PolkadotConnector.connect({ chains: settings.chains, settlementSeed: options.settlementSeed, ...(settings.manualBlocks === true ? { blocks: chopsticksNewBlock } : {}) });
    } finally {
      options.settlementSeed.fill(0);
    }
    const assets = Object.fromEntries(Object.entries(settings.locations).map(([symbol, where]) => {
      if (!Object.hasOwn(LOCATIONS, where)) throw new CodedError('XCMP_CONNECTOR_CONFIG_INVALID', `location of ${symbol.slice(0, 16)} must be relay or here`);
      return [symbol, LOCATIONS[where]()];
    }));
    const config: SettlementConfig = {
      chains: [{ chain: settings.settlementChain, route: { kind: 'execute' }, xcmVersion: 5, assets, feeAsset: settings.feeAsset, feeBudgetPerMessage: settings.feeBudgetPerMessageAtoms }],
      escrowAccounts: { [settings.settlementChain]: pool },
      feeAccount: accountIdOf(options.feeAccount),
      ...DEFAULT_SETTLEMENT_POLICY,
    };
    // A real chain's deposit references (block-event) are stable, so a restart credits nothing twice.
    const referencePrefix = `pd-${settings.settlementChain}`;
    try {
      return await SettlementBridge.#open(options, { chain: settings.settlementChain, config, connector, pool, referencePrefix, network: undefined });
    } catch (error) {
      await connector.close();
      throw error;
    }
  }

  /** The pool's account on the settlement chain. */
  get poolAccount(): AccountHex {
    return this.#chain.pool;
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
          this.#service.addFill(settlementFillOf(event, market, this.#chain.chain));
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
   * The runtime's onWithdrawal hook: the engine already debited the trader; settlement pays the
   * amount out of escrow with the next window's batch. A withdrawal settlement refuses is refunded
   * in the engine at once, one whose message fails for good when its retries run out.
   */
  onWithdrawal(order: WithdrawalOrder): void {
    this.#serial(async () => {
      if (this.#pendingWithdrawals.size >= BRIDGE_LIMITS.pendingWithdrawalsMax) {
        this.#log({ event: 'withdrawal-refused', code: new CodedError('SETTLEMENT_LIMIT_EXCEEDED').code });
        return this.#refund(order);
      }
      try {
        this.#service.requestWithdrawal({ requestId: order.withdrawalId, account: accountIdOf(order.account), chain: this.#chain.chain, asset: order.asset, amount: order.atoms });
      } catch (error) {
        if (!isCodedError(error)) throw error;
        this.#log({ event: 'withdrawal-refused', code: error.code });
        return this.#refund(order);
      }
      this.#pendingWithdrawals.set(order.withdrawalId, order);
    });
  }

  /**
   * The embedded chain's faucet: mints atoms to an account and transfers them into the pool, a
   * deposit the bridge credits to that account once the next block makes it final.
   */
  faucetDeposit(account: string, asset: string, atoms: bigint): string {
    const network = this.#chain.network;
    if (network === undefined) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'the faucet exists only on the embedded chain');
    if (atoms <= 0n || atoms > BRIDGE_LIMITS.faucetAtomsMax) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'faucet amount out of range');
    const from = accountIdOf(account);
    network.mint(this.#chain.chain, asset, from, atoms);
    return network.transfer(this.#chain.chain, asset, from, this.#chain.pool, atoms);
  }

  /** An account's free balance on the settlement chain. */
  chainBalance(account: string, asset: string): Promise<bigint> {
    return this.#chain.connector.balanceOf(this.#chain.chain, asset, accountIdOf(account));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#queue;
    await this.#service.close();
    await this.#chain.connector.close();
  }

  #onEvent(event: SettlementEvent): void {
    this.#log(logOf(event));
    switch (event.type) {
      case 'deposit-credited': return this.#credit(event.deposit);
      case 'batch-confirmed':
        for (const withdrawal of this.#service.batch(event.batchId)?.withdrawals ?? []) this.#pendingWithdrawals.delete(withdrawal.requestId);
        return;
      case 'retries-exhausted': return this.#refundExhausted(event.batchId, event.index);
      default: return;
    }
  }

  #credit(deposit: Extract<SettlementEvent, { type: 'deposit-credited' }>['deposit']): void {
    if (deposit.chain !== this.#chain.chain) return;
    const account = deposit.from.slice(2);
    const reference = `${this.#chain.referencePrefix}.${deposit.reference.replace(/[^A-Za-z0-9_.:-]/g, '.')}`;
    this.#runtime.creditDeposit(account, deposit.asset, deposit.amount, reference).catch((error: unknown) => {
      this.#log({ event: 'deposit-not-credited', code: isCodedError(error) ? error.code : new CodedError('ENCLAVE_INTERNAL').code });
    });
  }

  /** A message failed for good: every withdrawal it carried goes back to its trader in the engine. */
  #refundExhausted(batchId: Hex32, index: number): void {
    const batch = this.#service.batch(batchId);
    const message = batch?.messages.find((m) => m.index === index);
    if (batch === undefined || message === undefined) return;
    for (const withdrawal of batch.withdrawals) {
      if (withdrawal.chain !== message.destination) continue;
      if (!message.payouts.some((p) => p.asset === withdrawal.asset && p.account === withdrawal.account)) continue;
      const order = this.#pendingWithdrawals.get(withdrawal.requestId);
      if (order === undefined) continue;
      this.#pendingWithdrawals.delete(withdrawal.requestId);
      this.#refund(order);
    }
  }

  #refund(order: WithdrawalOrder): void {
    this.#runtime.refundWithdrawal(order).then(
      () => this.#log({ event: 'withdrawal-refunded' }),
      (error: unknown) => this.#log({ event: 'withdrawal-not-refunded', code: isCodedError(error) ? error.code : new CodedError('ENCLAVE_INTERNAL').code }),
    );
  }

  /** Settlement calls run one at a time; a failure is logged with its code and the next one runs. */
  #serial(task: () => Promise<void>): void {
    if (this.#closed) return;
    this.#queue = this.#queue.then(task).catch((error: unknown) => {
      this.#log({ event: 'settlement-error', code: isCodedError(error) ? error.code : new CodedError('ENCLAVE_INTERNAL').code });
    });
  }
}
