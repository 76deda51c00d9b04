// The embedded chain network: an in-process ledger of balances per (chain, asset, account) that
// decodes the same SCALE bytes a real runtime would receive and executes the XCM instructions
// against its ledger, with topic dedup and fault injection. It lets `npm start` and the tests run
// the full settlement lifecycle with nothing to set up. Time is blocks, advanced by produceBlock(),
// so tests are deterministic; a connector may drive blocks from a timer.
//
// Semantics, and where they are stricter or simpler than the xcm executor:
// - A message executes atomically: on any error nothing moves (the executor keeps earlier effects).
// - Fees: feePerInstruction × instruction count in the chain's fee asset, charged by BuyExecution /
//   PayFees and credited to the chain's fee collector; no weight refunds.
// - A Definite DepositAsset needs the full amount in holding (the executor takes what is there).
// - Assets left in holding or the fees register at the end are trapped (recorded, out of circulation).
// - A topic that already executed on the destination is not executed again.
// - A dispatch with a deadline (validUntil, a block number of the network's one clock) is refused
//   at submit once that block is past, and a queued copy (delayed) that comes due after it is
//   dropped unexecuted ('expired'): its topic stays unknown forever. All blocks are final.
// - 'send' runs on the destination with origin = the origin chain's location + AccountId32(signer),
//   as pallet-xcm's DescendOrigin makes it; non-account origins map to a hashed account.
import { blake2b } from '@noble/hashes/blake2';
import { CodedError } from '../errors/index.js';
import type { AccountHex, ChainId, DepositObserved, DispatchKind, SubmitReceipt, TopicOutcome, XcmDispatch } from './connector.js';
import { chainLocation, parseChainId } from './xcm-builder.js';
import { decodeXcm, encodeLocation } from './xcm-codec.js';
import {
  accountId32, checkAccount, checkAmount, checkTopic, location, locationKey, topicOf,
  type Asset, type Instruction, type Location, type WeightLimit, type Xcm,
} from './xcm-model.js';

export const LOCAL_CHAIN_MAX_CHAINS = 16;
export const LOCAL_CHAIN_MAX_ASSETS_PER_CHAIN = 64;
export const LOCAL_CHAIN_MAX_ACCOUNTS = 1_000_000;
export const LOCAL_CHAIN_MAX_TOPICS = 1_000_000;
export const LOCAL_CHAIN_MAX_QUEUED = 10_000;
export const LOCAL_CHAIN_MAX_FAULTS = 1_000;
export const LOCAL_CHAIN_MAX_DELAY_BLOCKS = 10_000;
export const LOCAL_CHAIN_MAX_TRAPPED = 10_000;
/** Weight the local chain assigns to one instruction (ref time), checked against BuyExecution limits. */
export const LOCAL_CHAIN_WEIGHT_PER_INSTRUCTION = 1_000_000_000n;

export interface LocalAssetSpec {
  /** Settlement's name for the asset, e.g. "USDT". */
  readonly symbol: string;
  /** The asset's id as this chain names it (e.g. PalletInstance(50)/GeneralIndex(1984) on Asset Hub). */
  readonly location: Location;
}

export interface LocalChainSpec {
  readonly id: ChainId;
  readonly assets: readonly LocalAssetSpec[];
  /** Symbol of the asset that pays XCM execution. */
  readonly feeAsset: string;
  readonly feePerInstruction: bigint;
  /** Receives execution fees. */
  readonly feeCollector: AccountHex;
}

/** Faults apply to the next `times` matching submissions, in the order they were injected. */
export type LocalFault =
  /** Accepted by the origin, never executed: findTopic stays 'unknown'. */
  | { readonly kind: 'drop' }
  /** Executes `blocks` blocks later than it otherwise would. */
  | { readonly kind: 'delay'; readonly blocks: number }
  /** Executes and fails with this reason; nothing moves. */
  | { readonly kind: 'fail'; readonly reason: string }
  /** The origin refuses the extrinsic: submit throws XCM_SUBMIT_REFUSED. */
  | { readonly kind: 'refuse'; readonly reason: string };

export interface FaultMatch {
  readonly destination?: ChainId;
  readonly kind?: DispatchKind;
}

/** What happened to one delivered message; kept per destination chain. */
export interface ExecutionRecord {
  readonly chain: ChainId;
  readonly block: number;
  readonly topic: `0x${string}` | undefined;
  readonly outcome: 'executed' | 'failed' | 'duplicate' | 'expired';
  readonly reason?: string;
  readonly reference: string;
}

interface QueuedMessage {
  readonly dispatch: XcmDispatch;
  readonly message: Xcm;
  readonly origin: Location;
  readonly dueBlock: number;
  readonly injectedFailure: string | undefined;
  /** Last block at which it may execute; undefined: no deadline. */
  readonly validUntil: number | undefined;
}

interface ChainState {
  readonly spec: LocalChainSpec;
  readonly symbolByLocation: Map<string, string>;
  readonly balances: Map<string, Map<AccountHex, bigint>>;
  readonly topics: Map<string, { executed?: string; failed?: { reference: string; reason: string } }>;
  readonly pendingDeposits: { readonly deposit: DepositObserved; readonly to: AccountHex }[];
  readonly trapped: { readonly topic: string | undefined; readonly symbol: string; readonly amount: bigint }[];
  accounts: number;
  eventIndex: number;
}

/** An execution error inside the local XCM executor; becomes a 'failed' outcome, never escapes. */
class ExecutionFailure extends Error {}

const SYMBOL = /^[A-Za-z0-9._-]{1,16}$/;
const hexOf = (bytes: Uint8Array): `0x${string}` => `0x${Buffer.from(bytes).toString('hex')}`;

export class LocalNetwork {
  private readonly chains = new Map<ChainId, ChainState>();
  private readonly queue: QueuedMessage[] = [];
  private readonly faults: { fault: LocalFault; match: FaultMatch; remaining: number }[] = [];
  private readonly depositListeners = new Set<(deposit: DepositObserved, to: AccountHex) => void>();
  private readonly executions: ExecutionRecord[] = [];
  private height = 0;
  private extrinsics = 0;

  constructor(specs: readonly LocalChainSpec[]) {
    if (specs.length === 0 || specs.length > LOCAL_CHAIN_MAX_CHAINS) throw new CodedError('XCM_LEDGER_LIMIT', `1..${LOCAL_CHAIN_MAX_CHAINS} chains, got ${specs.length}`);
    for (const spec of specs) {
      parseChainId(spec.id);
      if (this.chains.has(spec.id)) throw new CodedError('XCM_UNKNOWN_CHAIN', `${spec.id} is listed twice`);
      if (spec.assets.length > LOCAL_CHAIN_MAX_ASSETS_PER_CHAIN) throw new CodedError('XCM_LEDGER_LIMIT', `at most ${LOCAL_CHAIN_MAX_ASSETS_PER_CHAIN} assets on ${spec.id}`);
      const symbolByLocation = new Map<string, string>();
      const balances = new Map<string, Map<AccountHex, bigint>>();
      for (const asset of spec.assets) {
        if (!SYMBOL.test(asset.symbol)) throw new CodedError('XCM_UNKNOWN_ASSET', `symbol ${JSON.stringify(asset.symbol).slice(0, 40)} must match ${String(SYMBOL)}`);
        const key = locationKey(location(asset.location.parents, ...asset.location.interior));
        if (symbolByLocation.has(key) || balances.has(asset.symbol)) throw new CodedError('XCM_UNKNOWN_ASSET', `${asset.symbol} is listed twice on ${spec.id}`);
        symbolByLocation.set(key, asset.symbol);
        balances.set(asset.symbol, new Map());
      }
      if (!balances.has(spec.feeAsset)) throw new CodedError('XCM_UNKNOWN_ASSET', `fee asset ${spec.feeAsset} is not an asset of ${spec.id}`);
      if (spec.feePerInstruction < 0n) throw new CodedError('XCM_INVALID_AMOUNT', 'feePerInstruction must not be negative');
      checkAccount(spec.feeCollector);
      this.chains.set(spec.id, { spec, symbolByLocation, balances, topics: new Map(), pendingDeposits: [], trapped: [], accounts: 0, eventIndex: 0 });
    }
  }

  get blockHeight(): number {
    return this.height;
  }

  chainIds(): ChainId[] {
    return [...this.chains.keys()];
  }

  private chain(id: ChainId): ChainState {
    const state = this.chains.get(id);
    if (state === undefined) throw new CodedError('XCM_UNKNOWN_CHAIN', id);
    return state;
  }

  private ledger(state: ChainState, symbol: string): Map<AccountHex, bigint> {
    const ledger = state.balances.get(symbol);
    if (ledger === undefined) throw new CodedError('XCM_UNKNOWN_ASSET', `${symbol} on ${state.spec.id}`);
    return ledger;
  }

  balanceOf(chain: ChainId, symbol: string, account: AccountHex): bigint {
    return this.ledger(this.chain(chain), symbol).get(checkAccount(account)) ?? 0n;
  }

  /** Sum of all balances of an asset on a chain (conservation checks in tests). */
  totalIssuance(chain: ChainId, symbol: string): bigint {
    let total = 0n;
    for (const amount of this.ledger(this.chain(chain), symbol).values()) total += amount;
    return total;
  }

  trappedAssets(chain: ChainId): readonly { readonly topic: string | undefined; readonly symbol: string; readonly amount: bigint }[] {
    return this.chain(chain).trapped;
  }

  executionLog(): readonly ExecutionRecord[] {
    return this.executions;
  }

  /** The account a location controls on `chain`: an AccountId32 directly, anything else hashed (like HashedDescription). */
  accountOf(chain: ChainId, controller: Location): AccountHex {
    this.chain(chain);
    const only = controller.interior[0];
    if (controller.parents === 0 && controller.interior.length === 1 && only?.kind === 'AccountId32') return only.id;
    const encoded = encodeLocation(5, controller);
    return hexOf(blake2b(Uint8Array.from([...new TextEncoder().encode('local-chain/location'), ...encoded]), { dkLen: 32 }));
  }

  /** Where `signer` on `origin` acts when its 'send' executes on `destination`. */
  sendOrigin(origin: ChainId, destination: ChainId, signer: AccountHex): Location {
    const base = chainLocation(destination, origin);
    return location(base.parents, ...base.interior, accountId32(checkAccount(signer)));
  }

  private credit(state: ChainState, symbol: string, account: AccountHex, amount: bigint, overlay?: Map<string, bigint>): void {
    const ledger = this.ledger(state, symbol);
    if (overlay) {
      const key = `${symbol}|${account}`;
      overlay.set(key, (overlay.get(key) ?? ledger.get(account) ?? 0n) + amount);
      return;
    }
    const before = ledger.get(account);
    if (before === undefined) {
      if (state.accounts >= LOCAL_CHAIN_MAX_ACCOUNTS) throw new CodedError('XCM_LEDGER_LIMIT', `more than ${LOCAL_CHAIN_MAX_ACCOUNTS} accounts on ${state.spec.id}`);
      state.accounts++;
    }
    ledger.set(account, (before ?? 0n) + amount);
  }

  /** Genesis-style funding (no deposit event). */
  mint(chain: ChainId, symbol: string, account: AccountHex, amount: bigint): void {
    this.credit(this.chain(chain), symbol, checkAccount(account), checkAmount(amount));
  }

  /**
   * A signed balances transfer on one chain, applied now; a transfer into a watched account is
   * reported to deposit listeners when the next block is produced (our finality).
   */
  transfer(chain: ChainId, symbol: string, from: AccountHex, to: AccountHex, amount: bigint): string {
    const state = this.chain(chain);
    const sender = checkAccount(from);
    const receiver = checkAccount(to);
    checkAmount(amount);
    const ledger = this.ledger(state, symbol);
    const balance = ledger.get(sender) ?? 0n;
    if (balance < amount) throw new CodedError('XCM_SUBMIT_REFUSED', `${sender} holds ${balance} ${symbol} on ${chain}, tried to send ${amount}`);
    ledger.set(sender, balance - amount);
    this.credit(state, symbol, receiver, amount);
    const reference = `${chain}#${this.height + 1}-${state.eventIndex++}`;
    state.pendingDeposits.push({ deposit: { chain, asset: symbol, from: sender, amount, reference }, to: receiver });
    return reference;
  }

  onDeposit(listener: (deposit: DepositObserved, to: AccountHex) => void): () => void {
    this.depositListeners.add(listener);
    return () => { this.depositListeners.delete(listener); };
  }

  injectFault(fault: LocalFault, match: FaultMatch = {}, times = 1): void {
    if (this.faults.length >= LOCAL_CHAIN_MAX_FAULTS) throw new CodedError('XCM_LEDGER_LIMIT', `more than ${LOCAL_CHAIN_MAX_FAULTS} pending faults`);
    if (fault.kind === 'delay' && (!Number.isSafeInteger(fault.blocks) || fault.blocks < 1 || fault.blocks > LOCAL_CHAIN_MAX_DELAY_BLOCKS)) {
      throw new CodedError('XCM_LEDGER_LIMIT', `delay takes 1..${LOCAL_CHAIN_MAX_DELAY_BLOCKS} blocks`);
    }
    if (!Number.isSafeInteger(times) || times < 1) throw new CodedError('XCM_LEDGER_LIMIT', 'a fault applies at least once');
    this.faults.push({ fault, match, remaining: times });
  }

  private takeFault(dispatch: XcmDispatch): LocalFault | undefined {
    const index = this.faults.findIndex(({ match }) =>
      (match.destination === undefined || match.destination === dispatch.destination) && (match.kind === undefined || match.kind === dispatch.kind));
    if (index < 0) return undefined;
    const entry = this.faults[index]!;
    entry.remaining--;
    if (entry.remaining === 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  /** pallet-xcm `execute` / `send` signed by `signer` on the dispatch's origin chain. */
  submit(dispatch: XcmDispatch, signer: AccountHex): SubmitReceipt {
    const originState = this.chain(dispatch.origin);
    this.chain(dispatch.destination);
    if ((dispatch.kind === 'execute') !== (dispatch.origin === dispatch.destination)) {
      throw new CodedError('XCM_DISPATCH_INVALID', `'${dispatch.kind}' from ${dispatch.origin} to ${dispatch.destination}`);
    }
    const message = decodeXcm(dispatch.message);
    const topic = topicOf(message);
    if (topic === undefined || hexOf(topic) !== hexOf(checkTopic(dispatch.topic))) throw new CodedError('XCM_DISPATCH_INVALID', 'the message must end with SetTopic(dispatch.topic)');
    const validUntil = dispatch.validUntil;
    if (validUntil !== undefined) {
      if (!Number.isSafeInteger(validUntil) || validUntil < 0) throw new CodedError('XCMP_DEADLINE_UNENFORCEABLE', 'validUntil must be a block number');
      if (validUntil <= this.height) throw new CodedError('XCMP_DEADLINE_PASSED', `valid until block ${validUntil}, the chain is at ${this.height}`);
    }
    const fault = this.takeFault(dispatch);
    if (fault?.kind === 'refuse') throw new CodedError('XCM_SUBMIT_REFUSED', fault.reason);
    const reference = `${originState.spec.id}#${this.height + 1}-x${this.extrinsics++}`;
    if (fault?.kind === 'drop') return validUntil === undefined ? { reference } : { reference, validUntil };
    if (this.queue.length >= LOCAL_CHAIN_MAX_QUEUED) throw new CodedError('XCM_LEDGER_LIMIT', `more than ${LOCAL_CHAIN_MAX_QUEUED} queued messages`);
    const account = checkAccount(signer);
    const origin = dispatch.kind === 'execute' ? location(0, accountId32(account)) : this.sendOrigin(dispatch.origin, dispatch.destination, account);
    this.queue.push({
      dispatch: { ...dispatch, message: Uint8Array.from(dispatch.message), topic: Uint8Array.from(dispatch.topic) },
      message,
      origin,
      dueBlock: this.height + 1 + (fault?.kind === 'delay' ? fault.blocks : 0),
      injectedFailure: fault?.kind === 'fail' ? fault.reason : undefined,
      validUntil,
    });
    return validUntil === undefined ? { reference } : { reference, validUntil };
  }

  findTopic(destination: ChainId, topic: Uint8Array): TopicOutcome {
    const record = this.chain(destination).topics.get(hexOf(checkTopic(topic)));
    if (record?.executed !== undefined) return { status: 'executed', reference: record.executed };
    if (record?.failed !== undefined) return { status: 'failed', reference: record.failed.reference, reason: record.failed.reason };
    return { status: 'unknown' };
  }

  /** Seals a block: executes due messages in submission order, then reports that block's deposits. */
  produceBlock(): void {
    this.height++;
    const due = this.queue.filter((queued) => queued.dueBlock <= this.height);
    for (const queued of due) this.queue.splice(this.queue.indexOf(queued), 1);
    due.forEach((queued, index) => this.deliver(queued, index));
    for (const state of this.chains.values()) {
      for (const { deposit, to } of state.pendingDeposits.splice(0, state.pendingDeposits.length)) {
        for (const listener of [...this.depositListeners]) listener(deposit, to);
      }
    }
  }

  produceBlocks(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0 || count > LOCAL_CHAIN_MAX_DELAY_BLOCKS) throw new CodedError('XCM_LEDGER_LIMIT', `0..${LOCAL_CHAIN_MAX_DELAY_BLOCKS} blocks at once`);
    for (let i = 0; i < count; i++) this.produceBlock();
  }

  private deliver(queued: QueuedMessage, index: number): void {
    const state = this.chain(queued.dispatch.destination);
    const topic = topicOf(queued.message);
    const topicHex = topic === undefined ? undefined : hexOf(topic);
    const reference = `${state.spec.id}#${this.height}-m${index}`;
    if (queued.validUntil !== undefined && this.height > queued.validUntil) {
      this.executions.push({ chain: state.spec.id, block: this.height, topic: topicHex, outcome: 'expired', reason: `deadline ${queued.validUntil} passed`, reference });
      return;
    }
    const record = topicHex === undefined ? undefined : state.topics.get(topicHex);
    if (record?.executed !== undefined) {
      this.executions.push({ chain: state.spec.id, block: this.height, topic: topicHex, outcome: 'duplicate', reference });
      return;
    }
    if (topicHex !== undefined && record === undefined && state.topics.size >= LOCAL_CHAIN_MAX_TOPICS) throw new CodedError('XCM_LEDGER_LIMIT', `more than ${LOCAL_CHAIN_MAX_TOPICS} topics`);
    try {
      if (queued.injectedFailure !== undefined) throw new ExecutionFailure(queued.injectedFailure);
      this.execute(state, queued.message, queued.origin, topicHex);
      if (topicHex !== undefined) state.topics.set(topicHex, { ...record, executed: reference });
      this.executions.push({ chain: state.spec.id, block: this.height, topic: topicHex, outcome: 'executed', reference });
    } catch (error) {
      if (!(error instanceof ExecutionFailure)) throw error;
      if (topicHex !== undefined) state.topics.set(topicHex, { ...record, failed: { reference, reason: error.message } });
      this.executions.push({ chain: state.spec.id, block: this.height, topic: topicHex, outcome: 'failed', reason: error.message, reference });
    }
  }

  private symbolOf(state: ChainState, id: Location): string {
    const symbol = state.symbolByLocation.get(locationKey(id));
    if (symbol === undefined) throw new ExecutionFailure('AssetNotFound');
    return symbol;
  }

  /** Runs the instructions against an overlay and commits it only if all of them succeed. */
  private execute(state: ChainState, message: Xcm, origin: Location, topicHex: string | undefined): void {
    const overlay = new Map<string, bigint>();
    const holding = new Map<string, bigint>();
    const feesRegister = new Map<string, bigint>();
    const originAccount = this.accountOf(state.spec.id, origin);
    const balance = (symbol: string, account: AccountHex): bigint => overlay.get(`${symbol}|${account}`) ?? this.ledger(state, symbol).get(account) ?? 0n;
    const debit = (symbol: string, account: AccountHex, amount: bigint): void => {
      const have = balance(symbol, account);
      if (have < amount) throw new ExecutionFailure(`FailedToTransactAsset: ${account} holds ${have} ${symbol}, needs ${amount}`);
      overlay.set(`${symbol}|${account}`, have - amount);
    };
    const take = (register: Map<string, bigint>, symbol: string, amount: bigint, error: string): void => {
      const have = register.get(symbol) ?? 0n;
      if (have < amount) throw new ExecutionFailure(error);
      if (have === amount) register.delete(symbol); else register.set(symbol, have - amount);
    };
    const put = (register: Map<string, bigint>, symbol: string, amount: bigint): void => {
      if (amount > 0n) register.set(symbol, (register.get(symbol) ?? 0n) + amount);
    };
    const charge = (fees: Asset, weightLimit: WeightLimit | undefined): bigint => {
      const symbol = this.symbolOf(state, fees.id);
      if (symbol !== state.spec.feeAsset) throw new ExecutionFailure('TooExpensive: not the fee asset');
      const instructions = BigInt(message.instructions.length);
      if (weightLimit?.kind === 'Limited' && weightLimit.refTime < instructions * LOCAL_CHAIN_WEIGHT_PER_INSTRUCTION) throw new ExecutionFailure('Barrier: weight limit too low');
      const required = instructions * state.spec.feePerInstruction;
      if (fees.amount < required) throw new ExecutionFailure(`TooExpensive: needs ${required} ${symbol}`);
      take(holding, symbol, fees.amount, 'NotHoldingFees');
      this.credit(state, symbol, state.spec.feeCollector, required, overlay);
      return fees.amount - required;
    };
    const depositTo = (beneficiary: Location, symbol: string, amount: bigint): void => {
      this.credit(state, symbol, this.accountOf(state.spec.id, beneficiary), amount, overlay);
    };
    for (const instruction of message.instructions) this.step(instruction, { holding, feesRegister, originAccount, debit, take, put, charge, depositTo, state });
    for (const [symbol, amount] of [...holding, ...feesRegister]) {
      if (state.trapped.length < LOCAL_CHAIN_MAX_TRAPPED) state.trapped.push({ topic: topicHex, symbol, amount });
    }
    for (const [key, amount] of overlay) {
      const [symbol, account] = key.split('|') as [string, AccountHex];
      const ledger = this.ledger(state, symbol);
      if (!ledger.has(account)) {
        if (state.accounts >= LOCAL_CHAIN_MAX_ACCOUNTS) throw new CodedError('XCM_LEDGER_LIMIT', `more than ${LOCAL_CHAIN_MAX_ACCOUNTS} accounts on ${state.spec.id}`);
        state.accounts++;
      }
      ledger.set(account, amount);
    }
  }

  private step(instruction: Instruction, context: StepContext): void {
    const { holding, feesRegister, state } = context;
    switch (instruction.type) {
      case 'WithdrawAsset':
        for (const asset of instruction.assets) {
          const symbol = this.symbolOf(state, asset.id);
          context.debit(symbol, context.originAccount, asset.amount);
          context.put(holding, symbol, asset.amount);
        }
        return;
      case 'BuyExecution': context.put(holding, this.symbolOf(state, instruction.fees.id), context.charge(instruction.fees, instruction.weightLimit)); return;
      case 'PayFees': context.put(feesRegister, this.symbolOf(state, instruction.asset.id), context.charge(instruction.asset, undefined)); return;
      case 'DepositAsset': {
        const filter = instruction.assets;
        if (filter.kind === 'Definite') {
          for (const asset of filter.assets) {
            const symbol = this.symbolOf(state, asset.id);
            context.take(holding, symbol, asset.amount, `NotHoldingAssets: ${asset.amount} ${symbol}`);
            context.depositTo(instruction.beneficiary, symbol, asset.amount);
          }
          return;
        }
        const limit = filter.kind === 'AllCounted' ? filter.count : Number.MAX_SAFE_INTEGER;
        for (const [symbol, amount] of [...holding].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, limit)) {
          holding.delete(symbol);
          context.depositTo(instruction.beneficiary, symbol, amount);
        }
        return;
      }
      case 'TransferAsset':
        for (const asset of instruction.assets) {
          const symbol = this.symbolOf(state, asset.id);
          context.debit(symbol, context.originAccount, asset.amount);
          context.depositTo(instruction.beneficiary, symbol, asset.amount);
        }
        return;
      case 'RefundSurplus':
        for (const [symbol, amount] of [...feesRegister]) { feesRegister.delete(symbol); context.put(holding, symbol, amount); }
        return;
      case 'SetTopic': return;
    }
  }
}

interface StepContext {
  readonly state: ChainState;
  readonly holding: Map<string, bigint>;
  readonly feesRegister: Map<string, bigint>;
  readonly originAccount: AccountHex;
  debit(symbol: string, account: AccountHex, amount: bigint): void;
  take(register: Map<string, bigint>, symbol: string, amount: bigint, error: string): void;
  put(register: Map<string, bigint>, symbol: string, amount: bigint): void;
  charge(fees: Asset, weightLimit: WeightLimit | undefined): bigint;
  depositTo(beneficiary: Location, symbol: string, amount: bigint): void;
}
