// Settlement inside the enclave: the runtime's durable windows become netted, signed batches on
// the chain, and final deposits on the chain become credits in the engine. It is the one place
// that maps matcher fills to settlement fills (ticks and lots to atoms, account hex to AccountId32)
// and chain deposits to engine deposit commands, and delivers the engine's withdrawals (refunding
// them in the engine when settlement refuses one). When settlement gives a message up — every
// attempt provably dead: its deadline passed on a finalized block, its topic absent — the message's
// payouts go back to their traders inside the engine through journaled commands the engine applies
// once per reference: withdrawals refunded, trade proceeds credited back to the balance (to be
// withdrawn later); after a restart the given-up messages are credited again and the engine
// ignores what it already applied. It also follows
// each sealed batch through its lifecycle and tells the engine, per closed window and account,
// when the account's part went out (submitted), executed (confirmed) or failed, so the trader's
// stream says where each trade stands; and it names where a trader deposits. The default chain
// is the embedded local network (src/settlement/local-setup.ts), which lives in this isolate:
// nothing to install or start; real Substrate chains go through the PolkadotConnector.
import { createHash, randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/api';
import { CodedError, isCodedError } from '../errors/index.js';
import type { FillEvent, MarketSpec } from '../matching/types.js';
import type { EmbeddedSettlementPolicy, PolkadotChainSettings, SettlementLogEntry } from '../protocol/enclave-port.js';
import type { DepositAddressWire, JunctionWire } from '../protocol/trading-messages.js';
import type { Batch, Hex32 } from '../settlement/batch.js';
import type { Fill } from '../settlement/fill.js';
import { DEFAULT_SETTLEMENT_POLICY, type SettlementConfig } from '../settlement/config.js';
import { createLocalSetup, type LocalSetup } from '../settlement/local-setup.js';
import { MemorySettlementStore, type SettlementStore } from '../settlement/records.js';
import { SettlementService, type SettlementEvent } from '../settlement/service.js';
import type { AccountHex, ChainConnector, ChainId } from '../xcmp/connector.js';
import type { LocalFault, LocalNetwork } from '../xcmp/local-chain.js';
import { chopsticksNewBlock } from '../xcmp/polkadot/block-production.js';
import { PolkadotConnector } from '../xcmp/polkadot/polkadot-connector.js';
import { accountHexOf, settlementKeyPair } from '../xcmp/polkadot/settlement-key.js';
import { here, relay, type Location } from '../xcmp/xcm-model.js';
import { ENGINE_LIMITS, type SettlementStepStatus, type WithdrawalOrder } from './engine.js';

export const BRIDGE_DEFAULTS = {
  /** How often open settlement messages move one step along their lifecycle. */
  tickMs: 200,
  /** Block time of the embedded chains. */
  blockTimeMs: 100,
  /** The chain whose escrow holds every engine asset. */
  chain: 'para:1000',
  /** DOT atoms the embedded chain's genesis gives the fee account to pay XCM fees with. */
  feeFundingAtoms: 1_000_000_000_000n,
  /** SS58 address prefix shown for deposit addresses: the generic Substrate one. */
  ss58Prefix: 42,
  /**
   * Fills a window hands to settlement per turn of the event loop. Settlement shares the
   * enclave's thread with the order path, so a window of thousands of fills is taken in slices
   * of well under a millisecond, and commands arriving meanwhile are not held up behind it.
   */
  fillsPerTurn: 128,
} as const;

export const BRIDGE_LIMITS = {
  /** Largest faucet amount the embedded chain hands out per request. */
  faucetAtomsMax: 10n ** 30n,
  /** Withdrawals handed to settlement and not yet confirmed or refunded; beyond it new ones are refunded at once. */
  pendingWithdrawalsMax: 100_000,
  /** Batches followed for per-account settlement reports until every account's part is confirmed; the oldest is let go beyond it. */
  trackedBatchesMax: 10_000,
  /** AccountIds of named (non-key) engine accounts remembered, so a given-up payout to one is never credited to a key account. */
  namedAccountsMax: 100_000,
} as const;

/** What the bridge needs of the runtime (src/enclave/runtime.ts EnclaveRuntime). */
export interface BridgeRuntime {
  readonly identityPublicKey: Uint8Array;
  signWithIdentity(digest: Uint8Array): Uint8Array;
  creditDeposit(account: string, asset: string, atoms: bigint, reference: string): Promise<void>;
  refundWithdrawal(withdrawal: WithdrawalOrder): Promise<void>;
  /** Credits a given-up trade payout back to the account's balance, once per reference. */
  refundPayout(account: string, asset: string, atoms: bigint, reference: string): Promise<void>;
  reportSettlement(step: { readonly window: number; readonly status: SettlementStepStatus; readonly batchId: string; readonly accounts: readonly string[] }): Promise<void>;
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
  /** Embedded chain only: retry and confirmation timing (fault drills shorten it). */
  readonly embeddedPolicy?: EmbeddedSettlementPolicy;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Resolves after the event loop has handled what arrived meanwhile (I/O, port messages). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

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

type MessageProgress = 'pending' | 'submitted' | 'confirmed' | 'failed';

/** A sealed batch followed for its traders: which engine windows it settles and whose part rides in which message. */
interface TrackedBatch {
  /** Engine window -> its trader accounts (64 hex) in this batch. */
  readonly windows: Map<number, Set<string>>;
  /** Account -> the messages carrying its payouts (all of the batch's when none does). */
  readonly messagesOf: Map<string, readonly number[]>;
  readonly progress: Map<number, MessageProgress>;
  /** Account -> the last status reported for it. */
  readonly reported: Map<string, SettlementStepStatus>;
}

/** An account's status from the messages carrying its part; undefined while some are still waiting to go out. */
function accountStatus(indexes: readonly number[], progress: ReadonlyMap<number, MessageProgress>): SettlementStepStatus | undefined {
  const states = indexes.map((index) => progress.get(index) ?? 'pending');
  if (states.includes('failed')) return 'failed';
  if (states.every((state) => state === 'confirmed')) return 'confirmed';
  return states.includes('pending') ? undefined : 'submitted';
}

function junctionWire(junction: Location['interior'][number]): JunctionWire {
  return junction.kind === 'GeneralIndex' ? { kind: 'GeneralIndex', index: junction.index.toString() } : junction;
}

const TRADER_ACCOUNT = /^[0-9a-f]{64}$/;

export class SettlementBridge {
  readonly #runtime: BridgeRuntime;
  readonly #service: SettlementService;
  readonly #chain: BridgeChain;
  readonly #log: (entry: SettlementLogEntry) => void;
  readonly #clock: () => number;
  readonly #timer: NodeJS.Timeout;
  /** Withdrawal id -> the engine's order, until its batch confirms or the engine refunds it. */
  readonly #pendingWithdrawals = new Map<string, WithdrawalOrder>();
  /** Engine windows whose fills entered settlement's open window, not yet sealed into a batch. */
  #unsealed: { readonly window: number; readonly accounts: Set<string> }[] = [];
  readonly #tracked = new Map<Hex32, TrackedBatch>();
  /** AccountIds that stand for named engine accounts (hashed names), not trader keys. */
  readonly #namedAccountIds = new Set<string>();
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
    // Given up before a restart: credited again; the engine applies each refund once.
    for (const { batchId, index } of service.abandonedMessages()) bridge.#giveBack(batchId, index);
    return bridge;
  }

  /**
   * Opens settlement on the embedded chain: the pool account is the enclave's identity key, the
   * fee account is funded at genesis, and every final deposit into the pool is credited once.
   */
  static async openEmbedded(options: SettlementBridgeOptions): Promise<SettlementBridge> {
    const pool: AccountHex = `0x${Buffer.from(options.runtime.identityPublicKey).toString('hex')}`;
    const feeAccount = accountIdOf(options.feeAccount);
    const setup = createLocalSetup({ pool, feeAccount, blockTimeMs: options.blockTimeMs ?? BRIDGE_DEFAULTS.blockTimeMs, policy: options.embeddedPolicy });
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
      const settling = new Set<string>();
      const refusedAccounts = new Set<string>();
      for (let index = 0; index < window.fills.length; index++) {
        // Bridge work runs one task at a time (#serial), so no other settlement step runs between slices.
        if (index > 0 && index % BRIDGE_DEFAULTS.fillsPerTurn === 0) await nextTurn();
        const event = window.fills[index]!;
        const market = markets.get(event.market);
        if (market === undefined) throw new Error(`assertion: a fill in unknown market ${event.market}`);
        try {
          this.#service.addFill(settlementFillOf(event, market, this.#chain.chain));
          settling.add(event.makerAccount).add(event.takerAccount);
          for (const account of [event.makerAccount, event.takerAccount]) {
            if (!TRADER_ACCOUNT.test(account) && this.#namedAccountIds.size < BRIDGE_LIMITS.namedAccountsMax) this.#namedAccountIds.add(accountIdOf(account));
          }
        } catch (error) {
          if (!isCodedError(error)) throw error;
          refusedAccounts.add(event.makerAccount).add(event.takerAccount);
          this.#log({ event: 'fill-refused', windowNumber: window.number, code: error.code });
        }
      }
      // A trader with a refused fill in the window is told its window failed; it is not followed further.
      const failed = [...refusedAccounts].filter((account) => TRADER_ACCOUNT.test(account));
      if (failed.length > 0) this.#report(window.number, 'failed', 'refused', failed);
      const followed = new Set([...settling].filter((account) => TRADER_ACCOUNT.test(account) && !refusedAccounts.has(account)));
      if (settling.size > 0) {
        this.#unsealed.push({ window: window.number, accounts: followed });
        await this.#service.closeWindow(window.timeMs);
      }
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
   * The embedded chain's faucet: mints atoms to an account and transfers them to `to` (0x hex,
   * the pool by default), a deposit the bridge credits to that account once the next block makes
   * it final when `to` is the pool.
   */
  faucetDeposit(account: string, asset: string, atoms: bigint, to?: string): string {
    const network = this.#chain.network;
    if (network === undefined) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'the faucet exists only on the embedded chain');
    if (atoms <= 0n || atoms > BRIDGE_LIMITS.faucetAtomsMax) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'faucet amount out of range');
    if (to !== undefined && !/^0x[0-9a-f]{64}$/.test(to)) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'faucet destination must be 0x and 64 hex');
    const from = accountIdOf(account);
    network.mint(this.#chain.chain, asset, from, atoms);
    return network.transfer(this.#chain.chain, asset, from, (to ?? this.#chain.pool) as AccountHex, atoms);
  }

  /** Fault drills on the embedded chain: its next `times` submissions meet this fault. */
  injectChainFault(fault: LocalFault, times: number): void {
    const network = this.#chain.network;
    if (network === undefined) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'faults exist only on the embedded chain');
    network.injectFault(fault, {}, times);
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
      case 'retries-exhausted': return event.abandoned ? this.#giveBack(event.batchId, event.index) : undefined;
      case 'batch-sealed': return this.#follow(event.batchId);
      case 'message-submitted': return this.#progress(event.batchId, event.index, 'submitted');
      case 'message-confirmed': return this.#progress(event.batchId, event.index, 'confirmed');
      case 'message-failed': return this.#progress(event.batchId, event.index, 'failed');
      case 'message-retried': return this.#progress(event.batchId, event.index, 'pending');
      default: return;
    }
  }

  /**
   * Where a trader deposits `asset`: the pool account on the settlement chain and the asset's
   * location there. A final transfer into the pool is credited to the engine account whose
   * AccountId32 sent it (see #credit): the trader's own key, no memo.
   */
  depositAddress(account: string, asset: string): DepositAddressWire {
    const chain = this.#chain.config.chains.find((entry) => entry.chain === this.#chain.chain);
    const location = chain === undefined || !Object.hasOwn(chain.assets, asset) ? undefined : chain.assets[asset];
    if (location === undefined) throw new CodedError('RUNTIME_DEPOSIT_ADDRESS_UNAVAILABLE', `${asset.slice(0, 16)} is not held on ${this.#chain.chain}`);
    if (!TRADER_ACCOUNT.test(account)) throw new CodedError('RUNTIME_DEPOSIT_ADDRESS_UNAVAILABLE', 'only a trader key can deposit');
    const keyring = new Keyring({ type: 'ed25519', ss58Format: BRIDGE_DEFAULTS.ss58Prefix });
    const sender = accountIdOf(account);
    return {
      chain: this.#chain.chain, asset,
      assetLocation: { parents: location.parents, interior: location.interior.map(junctionWire) },
      poolAccountHex: this.#chain.pool, poolAccountSs58: keyring.encodeAddress(this.#chain.pool), ss58Prefix: BRIDGE_DEFAULTS.ss58Prefix,
      senderAccountHex: sender, senderAccountSs58: keyring.encodeAddress(sender), creditedAccount: account, convention: 'sender', memo: null,
    };
  }

  /** A batch was sealed: it settles every engine window whose fills entered since the last one. */
  #follow(batchId: Hex32): void {
    const windows = this.#unsealed;
    this.#unsealed = [];
    const batch = this.#service.batch(batchId);
    if (batch === undefined || windows.length === 0) return;
    const tracked: TrackedBatch = { windows: new Map(), messagesOf: new Map(), progress: new Map(), reported: new Map() };
    for (const { window, accounts } of windows) {
      tracked.windows.set(window, accounts);
      for (const account of accounts) tracked.messagesOf.set(account, messagesCarrying(batch, accountIdOf(account)));
    }
    if (batch.messages.length === 0) {
      // Everything netted to nothing on chain: the window is settled as it is sealed.
      for (const [window, accounts] of tracked.windows) if (accounts.size > 0) this.#report(window, 'confirmed', batchId, [...accounts]);
      return;
    }
    this.#tracked.set(batchId, tracked);
    if (this.#tracked.size > BRIDGE_LIMITS.trackedBatchesMax) {
      this.#tracked.delete(this.#tracked.keys().next().value!);
      this.#log({ event: 'settlement-untracked', code: new CodedError('SETTLEMENT_LIMIT_EXCEEDED').code });
    }
  }

  /** One message moved: each account whose status that changes is told, per window. */
  #progress(batchId: Hex32, index: number, progress: MessageProgress): void {
    const tracked = this.#tracked.get(batchId);
    if (tracked === undefined) return;
    tracked.progress.set(index, progress);
    let open = false;
    for (const [window, accounts] of tracked.windows) {
      const changed = new Map<SettlementStepStatus, string[]>();
      for (const account of accounts) {
        const status = accountStatus(tracked.messagesOf.get(account)!, tracked.progress);
        if (status !== 'confirmed') open = true;
        if (status === undefined || tracked.reported.get(account) === status) continue;
        const list = changed.get(status) ?? [];
        list.push(account);
        changed.set(status, list);
      }
      for (const [status, list] of changed) {
        for (const account of list) tracked.reported.set(account, status);
        this.#report(window, status, batchId, list);
      }
    }
    if (!open) this.#tracked.delete(batchId);
  }

  #report(window: number, status: SettlementStepStatus, batchId: string, accounts: readonly string[]): void {
    for (let start = 0; start < accounts.length; start += ENGINE_LIMITS.accountsPerSettlementStep) {
      this.#runtime.reportSettlement({ window, status, batchId, accounts: accounts.slice(start, start + ENGINE_LIMITS.accountsPerSettlementStep) }).catch((error: unknown) => {
        this.#log({ event: 'settlement-not-reported', code: isCodedError(error) ? error.code : new CodedError('ENCLAVE_INTERNAL').code });
      });
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

  /**
   * Settlement gave the message up (nothing of it ever executes): each payout goes back to its
   * trader in the engine — the batch's withdrawals refunded, the rest (trade proceeds) credited
   * back. Both commands are applied once (by withdrawal id, by payout reference), so calling this
   * again after a restart changes nothing.
   */
  #giveBack(batchId: Hex32, index: number): void {
    const batch = this.#service.batch(batchId);
    const message = batch?.messages.find((m) => m.index === index);
    if (batch === undefined || message === undefined) throw new Error(`assertion: gave up an unknown message ${batchId}:${index}`);
    for (const payout of message.payouts) {
      const account = payout.account.slice(2);
      if (this.#namedAccountIds.has(payout.account) || !TRADER_ACCOUNT.test(account)) {
        this.#log({ event: 'payout-not-refunded', batchId, code: new CodedError('SETTLEMENT_GIVEN_UP').code });
        continue;
      }
      let proceeds = payout.amount;
      for (const withdrawal of batch.withdrawals) {
        if (withdrawal.chain !== message.destination || withdrawal.asset !== payout.asset || withdrawal.account !== payout.account) continue;
        proceeds -= withdrawal.amount;
        this.#pendingWithdrawals.delete(withdrawal.requestId);
        this.#refund({ withdrawalId: withdrawal.requestId, account, asset: withdrawal.asset, atoms: withdrawal.amount });
      }
      if (proceeds < 0n) throw new Error(`assertion: a payout of ${batchId}:${index} smaller than its withdrawals`);
      if (proceeds === 0n) continue;
      const reference = `gu:${createHash('sha256').update(`${batchId}|${index}|${payout.account}|${payout.asset}`).digest('hex')}`;
      this.#runtime.refundPayout(account, payout.asset, proceeds, reference).then(
        () => this.#log({ event: 'payout-refunded', batchId }),
        (error: unknown) => this.#log({ event: 'payout-not-refunded', batchId, code: isCodedError(error) ? error.code : new CodedError('ENCLAVE_INTERNAL').code }),
      );
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

/** The indexes of the batch's messages that pay the account; every message's when none does. */
function messagesCarrying(batch: Batch, accountId: string): readonly number[] {
  const carrying = batch.messages.filter((message) => message.payouts.some((payout) => payout.account === accountId)).map((message) => message.index);
  return carrying.length > 0 ? carrying : batch.messages.map((message) => message.index);
}
