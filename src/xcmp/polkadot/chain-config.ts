// What the real connector needs to know about each chain: its WebSocket endpoint, where the
// settlement assets live in its runtime, and where the pool's escrow is. Validated once, so the
// connector can trust it afterwards.
import { CodedError } from '../../errors/index.js';
import type { AccountHex, ChainId } from '../connector.js';
import { parseChainId } from '../xcm-builder.js';
import { checkAccount } from '../xcm-model.js';
import type { BlockProducer } from './block-production.js';

export const POLKADOT_MAX_CHAINS = 16;
export const POLKADOT_MAX_ASSETS_PER_CHAIN = 32;
export const POLKADOT_MAX_HISTORY_BLOCKS = 14_400;
export const POLKADOT_DEFAULT_HISTORY_BLOCKS = 1_200;
export const POLKADOT_DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const POLKADOT_DEFAULT_INCLUSION_TIMEOUT_MS = 60_000;
export const POLKADOT_MAX_TIMEOUT_MS = 3_600_000;
/** FixedWeightBounds' unit in the parachain template: used when a runtime has no XcmPaymentApi. */
export const POLKADOT_DEFAULT_WEIGHT_PER_INSTRUCTION = { refTime: 1_000_000_000n, proofSize: 65_536n } as const;

/** Where an asset's balances live: pallet-balances (the native token) or a pallet-assets instance. */
export type PolkadotAssetSource =
  | { readonly kind: 'native' }
  | { readonly kind: 'assets'; readonly id: bigint; /** Storage name of the pallet instance; default "assets". */ readonly pallet?: string };

export interface Weight {
  readonly refTime: bigint;
  readonly proofSize: bigint;
}

export interface PolkadotChainEndpoint {
  readonly chain: ChainId;
  /** ws:// or wss:// endpoint of a node of this chain. */
  readonly url: string;
  /** Settlement symbol -> where its balances live on this chain. */
  readonly assets: Readonly<Record<string, PolkadotAssetSource>>;
  /** The pool's account here when it is not the settlement key's own (e.g. its hashed location on a 'send' destination). */
  readonly escrow?: AccountHex;
  /** Max weight per instruction for `execute` when the runtime has no XcmPaymentApi. */
  readonly weightPerInstruction?: Weight;
}

export interface PolkadotConnectorOptions {
  readonly chains: readonly PolkadotChainEndpoint[];
  /** 32-byte ed25519 seed of the settlement key; copied, never kept. */
  readonly settlementSeed: Uint8Array;
  /** Default: live nodes author blocks themselves. Chopsticks in manual mode: chopsticksNewBlock. */
  readonly blocks?: BlockProducer;
  readonly connectTimeoutMs?: number;
  /** How long submit waits for finality before answering with a pending reference. */
  readonly inclusionTimeoutMs?: number;
  /** Finalised blocks looked back at after connecting, for topics and deposits. */
  readonly historyBlocks?: number;
}

export interface ResolvedEndpoint extends PolkadotChainEndpoint {
  readonly weightPerInstruction: Weight;
}

export interface ResolvedPolkadotOptions {
  readonly chains: ReadonlyMap<ChainId, ResolvedEndpoint>;
  readonly connectTimeoutMs: number;
  readonly inclusionTimeoutMs: number;
  readonly historyBlocks: number;
}

const SYMBOL = /^[A-Za-z0-9._-]{1,16}$/;
const PALLET = /^[a-z][A-Za-z0-9]{0,63}$/;
const U128_MAX = (1n << 128n) - 1n;

const bad = (detail: string): CodedError => new CodedError('XCMP_CONNECTOR_CONFIG_INVALID', detail);

function boundedInteger(value: number | undefined, fallback: number, max: number, what: string): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < 1 || chosen > max) throw bad(`${what} must be an integer in 1..${max}`);
  return chosen;
}

function checkEndpoint(endpoint: PolkadotChainEndpoint): ResolvedEndpoint {
  parseChainId(endpoint.chain);
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch {
    throw bad(`${endpoint.chain}: url is not a URL`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw bad(`${endpoint.chain}: url must be ws:// or wss://`);
  const symbols = Object.keys(endpoint.assets);
  if (symbols.length === 0 || symbols.length > POLKADOT_MAX_ASSETS_PER_CHAIN) throw bad(`${endpoint.chain}: 1..${POLKADOT_MAX_ASSETS_PER_CHAIN} assets`);
  let natives = 0;
  for (const symbol of symbols) {
    if (!SYMBOL.test(symbol)) throw bad(`${endpoint.chain}: asset symbol ${JSON.stringify(symbol).slice(0, 40)}`);
    const source = endpoint.assets[symbol]!;
    if (source.kind === 'native') natives++;
    else if (source.kind !== 'assets' || typeof source.id !== 'bigint' || source.id < 0n || source.id > U128_MAX || (source.pallet !== undefined && !PALLET.test(source.pallet))) {
      throw bad(`${endpoint.chain}: asset ${symbol} must be native or a pallet-assets id`);
    }
  }
  if (natives > 1) throw bad(`${endpoint.chain}: one native asset at most`);
  const weight = endpoint.weightPerInstruction ?? POLKADOT_DEFAULT_WEIGHT_PER_INSTRUCTION;
  if (weight.refTime < 1n || weight.proofSize < 1n || weight.refTime > U128_MAX || weight.proofSize > U128_MAX) throw bad(`${endpoint.chain}: weightPerInstruction must be positive`);
  return {
    ...endpoint,
    ...(endpoint.escrow === undefined ? {} : { escrow: checkAccount(endpoint.escrow) }),
    weightPerInstruction: weight,
  };
}

export function resolvePolkadotOptions(options: PolkadotConnectorOptions): ResolvedPolkadotOptions {
  if (options.chains.length === 0 || options.chains.length > POLKADOT_MAX_CHAINS) throw bad(`1..${POLKADOT_MAX_CHAINS} chains`);
  const chains = new Map<ChainId, ResolvedEndpoint>();
  for (const endpoint of options.chains) {
    if (chains.has(endpoint.chain)) throw bad(`${endpoint.chain} appears twice`);
    chains.set(endpoint.chain, checkEndpoint(endpoint));
  }
  return {
    chains,
    connectTimeoutMs: boundedInteger(options.connectTimeoutMs, POLKADOT_DEFAULT_CONNECT_TIMEOUT_MS, POLKADOT_MAX_TIMEOUT_MS, 'connectTimeoutMs'),
    inclusionTimeoutMs: boundedInteger(options.inclusionTimeoutMs, POLKADOT_DEFAULT_INCLUSION_TIMEOUT_MS, POLKADOT_MAX_TIMEOUT_MS, 'inclusionTimeoutMs'),
    historyBlocks: boundedInteger(options.historyBlocks, POLKADOT_DEFAULT_HISTORY_BLOCKS, POLKADOT_MAX_HISTORY_BLOCKS, 'historyBlocks'),
  };
}
