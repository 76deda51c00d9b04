// ChainConnector for real Substrate nodes over WebSocket (@polkadot/api): settlement's XCM bytes
// go into pallet-xcm `execute` or `send` extrinsics signed by the settlement key, submission waits
// for finality, and outcomes are found by topic in the chains' own blocks — the pool's `execute`
// extrinsics for local execution, `messageQueue.Processed { id }` on a destination (after checking
// that the pool's own `send` on the origin carried that id). Real runtimes do not refuse a second
// message with a known topic, so the exactly-once guarantee rests on settlement calling findTopic
// before every resend (README.md in this folder). A dispatch with a deadline (validUntil) is signed
// with a mortal era born at the finalized head, the longest power-of-two period that ends by the
// deadline: the runtime's CheckMortality refuses it in any later block. A 'send' that left the
// origin is reported 'unknown' with inFlight until its destination processes it.
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SignerOptions, SubmittableExtrinsic } from '@polkadot/api/types';
import type { ISubmittableResult, Codec, IExtrinsicEra } from '@polkadot/types/types';
import { CodedError, isCodedError } from '../../errors/index.js';
import type { AccountHex, ChainConnector, ChainId, DepositObserved, SubmitReceipt, TopicOutcome, XcmDispatch } from '../connector.js';
import { chainLocation } from '../xcm-builder.js';
import { versionedLocationToJs } from '../xcm-codec.js';
import { checkAccount, checkTopic } from '../xcm-model.js';
import { authoredBlocks, type BlockProducer } from './block-production.js';
import { describeDispatchError, topicOfVersionedXcm, XCM_PALLET_SECTIONS } from './block-scan.js';
import { resolvePolkadotOptions, type PolkadotConnectorOptions, type ResolvedEndpoint, type Weight } from './chain-config.js';
import { ChainIndex, type DepositFact, type TopicFact } from './chain-index.js';
import { accountHexOf, settlementKeyPair, type SettlementKeyPair } from './settlement-key.js';

export const POLKADOT_MAX_DEPOSIT_LISTENERS = 64;
/** Delay before @polkadot/api reconnects a dropped WebSocket. */
export const POLKADOT_RECONNECT_MS = 2_500;
/** Mortal eras span a power of two of blocks in this range (sp_runtime::generic::Era). */
export const POLKADOT_MIN_ERA_PERIOD = 4;
export const POLKADOT_MAX_ERA_PERIOD = 65_536;

/** The birth block and period of the mortal era that ends by `validUntil`: last valid block = birth + period − 1. */
export function mortalEraFor(birth: number, validUntil: number, blockHashCount: number): { readonly period: number; readonly lastValidBlock: number } {
  if (!Number.isSafeInteger(validUntil) || validUntil < 0) throw new CodedError('XCMP_DEADLINE_UNENFORCEABLE', 'validUntil must be a block number');
  const room = Math.min(validUntil - birth + 1, blockHashCount, POLKADOT_MAX_ERA_PERIOD);
  if (room < POLKADOT_MIN_ERA_PERIOD) throw new CodedError('XCMP_DEADLINE_PASSED', `valid until block ${validUntil}, the finalized head is ${birth}: no mortal era of ${POLKADOT_MIN_ERA_PERIOD}+ blocks fits`);
  let period = POLKADOT_MIN_ERA_PERIOD;
  while (period * 2 <= room) period *= 2;
  return { period, lastValidBlock: birth + period - 1 };
}

interface Chain {
  readonly endpoint: ResolvedEndpoint;
  readonly provider: WsProvider;
  readonly api: ApiPromise;
  readonly pallet: string;
  readonly escrow: AccountHex;
  readonly index: ChainIndex;
  /** Submissions on one chain go one at a time, so nonces never collide. */
  lock: Promise<unknown>;
  unsubscribe: (() => void) | undefined;
}

/** Signing options of a mortal extrinsic and the last block it can be included in. */
interface Mortality {
  readonly era: IExtrinsicEra;
  readonly blockHash: string;
  readonly lastValidBlock: number;
}

const toHex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString('hex')}`;

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T | Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => { Promise.resolve().then(onTimeout).then(resolve, reject); }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function openApi(endpoint: ResolvedEndpoint, timeoutMs: number): Promise<{ provider: WsProvider; api: ApiPromise }> {
  const provider = new WsProvider(endpoint.url, POLKADOT_RECONNECT_MS);
  const unreachable = async (): Promise<never> => {
    await provider.disconnect().catch(() => undefined);
    throw new CodedError('XCMP_NODE_UNREACHABLE', `${endpoint.chain} at ${endpoint.url} after ${timeoutMs} ms`);
  };
  const api = await withTimeout(ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true }), timeoutMs, unreachable).catch(async (error: unknown) => {
    if (isCodedError(error)) throw error;
    await provider.disconnect().catch(() => undefined);
    throw new CodedError('XCMP_NODE_UNREACHABLE', `${endpoint.chain} at ${endpoint.url}: ${messageOf(error)}`);
  });
  return { provider, api };
}

/** pallet-xcm under whichever name the runtime gives it, with execute and send. */
function xcmPalletOf(api: ApiPromise, chain: ChainId): string {
  for (const section of XCM_PALLET_SECTIONS) {
    const calls = api.tx[section];
    if (calls !== undefined && typeof calls['execute'] === 'function' && typeof calls['send'] === 'function') return section;
  }
  throw new CodedError('XCMP_RUNTIME_UNSUPPORTED', `${chain} has no pallet-xcm with execute and send`);
}

function checkAssetPallets(api: ApiPromise, endpoint: ResolvedEndpoint): void {
  for (const [symbol, source] of Object.entries(endpoint.assets)) {
    const pallet = source.kind === 'native' ? 'system' : source.pallet ?? 'assets';
    const entry = source.kind === 'native' ? api.query.system?.['account'] : api.query[pallet]?.['account'];
    if (entry === undefined) throw new CodedError('XCMP_RUNTIME_UNSUPPORTED', `${endpoint.chain} has no ${pallet}.account for ${symbol}`);
  }
}

export class PolkadotConnector implements ChainConnector {
  readonly name = 'polkadot';
  /** The settlement key's AccountId32: signer of every extrinsic and the pool's account where it executes. */
  readonly pool: AccountHex;
  private readonly pair: SettlementKeyPair;
  private readonly chains: ReadonlyMap<ChainId, Chain>;
  private readonly blocks: BlockProducer;
  private readonly inclusionTimeoutMs: number;
  private readonly listeners = new Set<(deposit: DepositObserved) => void>();
  private closed = false;

  private constructor(pair: SettlementKeyPair, chains: ReadonlyMap<ChainId, Chain>, blocks: BlockProducer, inclusionTimeoutMs: number) {
    this.pair = pair;
    this.pool = accountHexOf(pair);
    this.chains = chains;
    this.blocks = blocks;
    this.inclusionTimeoutMs = inclusionTimeoutMs;
  }

  /** Connects to every chain, checks each runtime has what settlement needs, and starts following finalised blocks. */
  static async connect(options: PolkadotConnectorOptions): Promise<PolkadotConnector> {
    const resolved = resolvePolkadotOptions(options);
    const pair = settlementKeyPair(options.settlementSeed);
    const pool = accountHexOf(pair);
    const chains = new Map<ChainId, Chain>();
    const opened: { provider: WsProvider; api: ApiPromise }[] = [];
    let connector: PolkadotConnector | undefined;
    try {
      const endpoints = [...resolved.chains.values()];
      const connections = await Promise.allSettled(endpoints.map((endpoint) => openApi(endpoint, resolved.connectTimeoutMs)));
      for (const connection of connections) if (connection.status === 'fulfilled') opened.push(connection.value);
      for (const connection of connections) if (connection.status === 'rejected') throw connection.reason;
      for (const [position, endpoint] of endpoints.entries()) {
        const { api, provider } = opened[position]!;
        const pallet = xcmPalletOf(api, endpoint.chain);
        checkAssetPallets(api, endpoint);
        const escrow = endpoint.escrow ?? pool;
        let native: string | undefined;
        const assets = new Map<string, string>();
        for (const [symbol, source] of Object.entries(endpoint.assets)) {
          if (source.kind === 'native') native = symbol;
          else assets.set(source.id.toString(), symbol);
        }
        const index = new ChainIndex({
          chain: endpoint.chain, api, escrow, historyBlocks: resolved.historyBlocks, watch: { native, assets },
          poolAddress: api.createType('AccountId32', pool).toString(),
          onDeposit: (deposit) => connector?.emitDeposit(endpoint.chain, deposit),
        });
        chains.set(endpoint.chain, { endpoint, provider, api, pallet, escrow, index, lock: Promise.resolve(), unsubscribe: undefined });
      }
      connector = new PolkadotConnector(pair, chains, options.blocks ?? authoredBlocks, resolved.inclusionTimeoutMs);
      await Promise.all([...chains.values()].map((chain) => chain.index.catchUp()));
      for (const chain of chains.values()) {
        // Background catch-up errors resurface on the next findTopic, which runs its own catch-up.
        chain.unsubscribe = await chain.api.rpc.chain.subscribeFinalizedHeads(() => { chain.index.catchUp().catch(() => undefined); });
      }
      return connector;
    } catch (error) {
      for (const chain of chains.values()) { chain.index.close(); chain.unsubscribe?.(); }
      for (const { api } of opened) await api.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private open(): void {
    if (this.closed) throw new CodedError('XCM_CONNECTOR_CLOSED');
  }

  private chain(id: ChainId): Chain {
    const chain = this.chains.get(id);
    if (chain === undefined) throw new CodedError('XCM_UNKNOWN_CHAIN', `${String(id).slice(0, 40)} is not configured`);
    return chain;
  }

  /** The pool's escrow account on a chain (deposits into it are reported). */
  escrowAccount(chain: ChainId): AccountHex {
    return this.chain(chain).escrow;
  }

  /** The account a 'send' from `origin` acts as on `destination`, by the destination runtime's LocationToAccountApi. */
  async remoteAccount(origin: ChainId, destination: ChainId, network: 'Polkadot' | 'Kusama' | null = 'Polkadot'): Promise<AccountHex> {
    this.open();
    const { api } = this.chain(destination);
    this.chain(origin);
    const convert = api.call['locationToAccountApi']?.['convertLocation'];
    if (convert === undefined) throw new CodedError('XCMP_RUNTIME_UNSUPPORTED', `${destination} has no LocationToAccountApi`);
    const originLocation = chainLocation(destination, origin);
    const interior: unknown[] = originLocation.interior.map((junction) => {
      if (junction.kind !== 'Parachain') throw new CodedError('XCMP_RUNTIME_UNSUPPORTED', `origin junction ${junction.kind}`);
      return { Parachain: junction.id };
    });
    interior.push({ AccountId32: { network, id: this.pool } });
    const result = (await convert({ V5: { parents: originLocation.parents, interior: { [`X${interior.length}`]: interior } } })) as Codec;
    const converted = result as unknown as { isOk?: boolean; asOk?: Codec };
    if (converted.isOk !== true || converted.asOk === undefined) throw new CodedError('XCMP_RUNTIME_UNSUPPORTED', `${destination} cannot convert the pool's location: ${JSON.stringify(result.toJSON())}`);
    return checkAccount(converted.asOk.toHex());
  }

  async submit(dispatch: XcmDispatch): Promise<SubmitReceipt> {
    this.open();
    const origin = this.chain(dispatch.origin);
    this.chain(dispatch.destination);
    if ((dispatch.kind === 'execute') !== (dispatch.origin === dispatch.destination) || (dispatch.kind !== 'execute' && dispatch.kind !== 'send')) {
      throw new CodedError('XCM_DISPATCH_INVALID', `'${String(dispatch.kind)}' from ${dispatch.origin} to ${dispatch.destination}`);
    }
    const topic = toHex(checkTopic(dispatch.topic));
    const call = origin.api.tx[origin.pallet]![dispatch.kind]!;
    const argIndex = dispatch.kind === 'execute' ? 0 : 1;
    let message: Codec;
    try {
      message = origin.api.createType(call.meta.args[argIndex]!.type.toString(), dispatch.message);
    } catch (error) {
      throw new CodedError('XCM_DECODE_FAILED', `${dispatch.origin}'s runtime: ${messageOf(error)}`);
    }
    if (toHex(message.toU8a()) !== toHex(dispatch.message)) throw new CodedError('XCM_DECODE_FAILED', `${dispatch.origin}'s runtime reads the bytes differently`);
    if (topicOfVersionedXcm(message) !== topic) throw new CodedError('XCM_DISPATCH_INVALID', 'the message does not end in SetTopic(topic)');
    const extrinsic = dispatch.kind === 'execute'
      ? call(message, await this.maxWeight(origin, message))
      : call(this.destinationArg(dispatch, message), message);
    const run = origin.lock.catch(() => undefined).then(async () => this.signAndFollow(origin, extrinsic, dispatch, dispatch.validUntil === undefined ? undefined : await this.mortality(origin, dispatch.validUntil)));
    origin.lock = run;
    return run;
  }

  private destinationArg(dispatch: XcmDispatch, message: Codec): unknown {
    const version = Number(Object.keys(message.toJSON() as Record<string, unknown>)[0]?.slice(1));
    if (version !== 4 && version !== 5) throw new CodedError('XCM_VERSION_UNSUPPORTED', `send with XCM v${version}`);
    return versionedLocationToJs(version, chainLocation(dispatch.origin, dispatch.destination));
  }

  /** The runtime's own weight for the message (XcmPaymentApi), else instructions x the configured unit. */
  private async maxWeight(chain: Chain, message: Codec): Promise<Weight> {
    const query = chain.api.call['xcmPaymentApi']?.['queryXcmWeight'];
    if (query !== undefined) {
      const result = ((await query(message)) as Codec).toJSON() as { ok?: { refTime: number | string; proofSize: number | string } } | null;
      if (result?.ok !== undefined) return { refTime: BigInt(result.ok.refTime), proofSize: BigInt(result.ok.proofSize) };
      throw new CodedError('XCMP_DISPATCH_FAILED', `${chain.endpoint.chain} cannot weigh the message: ${JSON.stringify(result)}`);
    }
    const instructions = Object.values(message.toJSON() as Record<string, unknown[]>)[0]?.length ?? 0;
    const unit = chain.endpoint.weightPerInstruction;
    return { refTime: unit.refTime * BigInt(instructions), proofSize: unit.proofSize * BigInt(instructions) };
  }

  /** A mortal era born at the finalized head that ends by `validUntil`, as signing options. */
  private async mortality(chain: Chain, validUntil: number): Promise<Mortality> {
    const { api } = chain;
    const blockHash = await api.rpc.chain.getFinalizedHead();
    const birth = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
    const hashCount = api.consts.system?.['blockHashCount'] as unknown as { toNumber(): number } | undefined;
    const { period, lastValidBlock } = mortalEraFor(birth, validUntil, hashCount?.toNumber() ?? POLKADOT_MIN_ERA_PERIOD);
    return { era: api.createType('ExtrinsicEra', { current: birth, period }), blockHash: blockHash.toHex(), lastValidBlock };
  }

  private async signAndFollow(chain: Chain, extrinsic: SubmittableExtrinsic<'promise'>, dispatch: XcmDispatch, mortality: Mortality | undefined): Promise<SubmitReceipt> {
    let settle: ((result: ISubmittableResult) => void) | undefined;
    let refuse: ((error: CodedError) => void) | undefined;
    const finalized = new Promise<ISubmittableResult>((resolve, reject) => { settle = resolve; refuse = reject; });
    let unsubscribe: () => void;
    try {
      const options: Partial<SignerOptions> = mortality === undefined ? { nonce: -1 } : { nonce: -1, era: mortality.era, blockHash: mortality.blockHash };
      unsubscribe = await extrinsic.signAndSend(this.pair, options, (result) => {
        const { status } = result;
        if (status.isFinalized) settle?.(result);
        else if (status.isInvalid || status.isDropped || status.isUsurped) refuse?.(new CodedError('XCM_SUBMIT_REFUSED', `${dispatch.origin}: ${status.type}`));
      });
    } catch (error) {
      throw new CodedError('XCM_SUBMIT_REFUSED', `${dispatch.origin}: ${messageOf(error)}`);
    }
    const pending = `${dispatch.origin}:pending:${extrinsic.hash.toHex()}`;
    const deadline = mortality === undefined ? {} : { validUntil: mortality.lastValidBlock };
    try {
      await this.blocks.afterSubmit(dispatch.origin, chain.provider);
      const result = await withTimeout<ISubmittableResult | undefined>(finalized, this.inclusionTimeoutMs, () => undefined);
      // Accepted by the pool but not seen final in time: findTopic will tell what became of it.
      if (result === undefined) return { reference: pending, ...deadline };
      const reference = `${dispatch.origin}:${result.status.asFinalized.toHex()}-x${result.txIndex ?? -1}`;
      if (result.dispatchError !== undefined) {
        const why = describeDispatchError(result.dispatchError);
        // A message that ran and stopped is an outcome of its topic (findTopic reports it failed); anything else never ran.
        if (dispatch.kind === 'execute' && /LocalExecutionIncomplete/.test(why)) return { reference, ...deadline };
        throw new CodedError('XCMP_DISPATCH_FAILED', `${why} (${reference})`);
      }
      return { reference, ...deadline };
    } finally {
      unsubscribe();
    }
  }

  async findTopic(destination: ChainId, topic: Uint8Array): Promise<TopicOutcome> {
    this.open();
    const chain = this.chain(destination);
    const topicHex = toHex(checkTopic(topic));
    await chain.index.catchUp();
    let failed: TopicFact | undefined;
    for (const fact of chain.index.factsOf(topicHex)) {
      if (fact.kind === 'sent') continue;
      if (fact.kind === 'processed') {
        if (!fact.final || !(await this.sentByPool(fact.from, topicHex))) continue;
      }
      if (fact.ok) return { status: 'executed', reference: `${destination}:${fact.reference}` };
      failed = fact;
    }
    if (failed !== undefined && failed.kind !== 'sent') return { status: 'failed', reference: `${destination}:${failed.reference}`, reason: failed.reason };
    return (await this.sentElsewhere(destination, topicHex)) ? { status: 'unknown', inFlight: true } : { status: 'unknown' };
  }

  /** The pool's 'send' of this topic left some other origin: the destination may still process it. */
  private async sentElsewhere(destination: ChainId, topicHex: string): Promise<boolean> {
    for (const [id, origin] of this.chains) {
      if (id === destination) continue;
      await origin.index.catchUp();
      if (origin.index.factsOf(topicHex).some((fact) => fact.kind === 'sent')) return true;
    }
    return false;
  }

  async finalizedHeight(chain: ChainId): Promise<number> {
    this.open();
    const { api } = this.chain(chain);
    const head = await api.rpc.chain.getFinalizedHead();
    return (await api.rpc.chain.getHeader(head)).number.toNumber();
  }

  /** A destination's processed id counts only if the pool's own `send` on that origin carried it. */
  private async sentByPool(from: ChainId | undefined, topicHex: string): Promise<boolean> {
    const origin = from === undefined ? undefined : this.chains.get(from);
    if (origin === undefined) return false;
    await origin.index.catchUp();
    return origin.index.factsOf(topicHex).some((fact) => fact.kind === 'sent');
  }

  async balanceOf(chain: ChainId, asset: string, account: AccountHex): Promise<bigint> {
    this.open();
    const { api, endpoint } = this.chain(chain);
    const who = checkAccount(account);
    const source = Object.hasOwn(endpoint.assets, asset) ? endpoint.assets[asset] : undefined;
    if (source === undefined) throw new CodedError('XCM_UNKNOWN_ASSET', `${String(asset).slice(0, 20)} on ${chain}`);
    if (source.kind === 'native') {
      const info = (await api.query.system.account(who)).toJSON() as { data?: { free?: number | string } };
      return BigInt(info.data?.free ?? 0);
    }
    const entry = (await api.query[source.pallet ?? 'assets']!['account']!(source.id, who)) as Codec;
    const value = entry.toJSON() as { balance?: number | string } | null;
    return BigInt(value?.balance ?? 0);
  }

  onDeposit(listener: (deposit: DepositObserved) => void): () => void {
    this.open();
    if (this.listeners.size >= POLKADOT_MAX_DEPOSIT_LISTENERS) throw new CodedError('XCMP_INDEX_LIMIT', `more than ${POLKADOT_MAX_DEPOSIT_LISTENERS} deposit listeners`);
    this.listeners.add(listener);
    for (const chain of this.chains.values()) for (const deposit of chain.index.recentDeposits()) listener(this.observed(chain.endpoint.chain, deposit));
    return () => { this.listeners.delete(listener); };
  }

  private observed(chain: ChainId, deposit: DepositFact): DepositObserved {
    return { chain, asset: deposit.asset, from: deposit.from, amount: deposit.amount, reference: deposit.reference };
  }

  private emitDeposit(chain: ChainId, deposit: DepositFact): void {
    for (const listener of [...this.listeners]) listener(this.observed(chain, deposit));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    for (const chain of this.chains.values()) {
      chain.index.close();
      chain.unsubscribe?.();
    }
    for (const chain of this.chains.values()) {
      await chain.lock.catch(() => undefined);
      await chain.api.disconnect().catch(() => undefined);
    }
  }
}

