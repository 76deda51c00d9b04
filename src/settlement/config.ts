// Settlement configuration: where each chain's escrow lives, how messages reach it, which assets
// it knows and what a message may spend on fees; plus the window and retry policy. Validated
// once at start-up into a form the hot path can use without further checks.
import { CodedError } from '../errors/index.js';
import type { AccountHex, ChainId, DispatchKind } from '../xcmp/connector.js';
import { SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE, parseChainId } from '../xcmp/xcm-builder.js';
import { XCM_MAX_ASSETS, location, type Location, type WeightLimit, type XcmVersion } from '../xcmp/xcm-model.js';
import { isAccountHex } from './fill.js';

export const SETTLEMENT_MAX_CHAINS = 16;
export const SETTLEMENT_MAX_ASSETS_PER_CHAIN = 32;
/** Hard ceiling on a window, whatever the configuration says. */
export const SETTLEMENT_MAX_WINDOW_FILLS = 1_000_000;
export const SETTLEMENT_MAX_ATTEMPTS = 100;

export interface SettlementChainConfig {
  /** The chain that holds the pool's escrow for these assets and where payouts execute. */
  readonly chain: ChainId;
  /** 'execute' by the pool's account on `chain`, or 'send' from the pool's account on `from`. */
  readonly route: { readonly kind: 'execute' } | { readonly kind: 'send'; readonly from: ChainId };
  readonly xcmVersion: XcmVersion;
  /** Symbol -> the asset's location as `chain` names it. */
  readonly assets: Readonly<Record<string, Location>>;
  /** Symbol of the asset paying execution on `chain`; the fee account funds it. */
  readonly feeAsset: string;
  /** Withdrawn per message for fees; what is left goes to the fee account on-chain. */
  readonly feeBudgetPerMessage: bigint;
  readonly weightLimit?: WeightLimit;
}

export interface SettlementConfig {
  readonly chains: readonly SettlementChainConfig[];
  /** The pool's escrow account per chain (where deposits arrive and payouts come from). */
  readonly escrowAccounts: Readonly<Record<ChainId, AccountHex>>;
  /** Trading fees accrue to it internally; it pays chain fees and receives their surplus on-chain. */
  readonly feeAccount: AccountHex;
  /** A window closes after this many ms (of caller time) with at least one entry ... */
  readonly windowMs: number;
  /** ... or once it holds this many fills. */
  readonly windowMaxFills: number;
  readonly maxPayoutsPerMessage: number;
  /** A submitted message with no outcome after this long is timed out, reconciled and retried. */
  readonly confirmTimeoutMs: number;
  /** Wait after a failure before reconciling and resubmitting. */
  readonly retryDelayMs: number;
  /** Attempts per message; once all are provably dead the message is given up and its payouts return to the traders. */
  readonly maxAttempts: number;
  /**
   * Each submission's deadline: validUntil = the origin's finalized height + this many blocks.
   * Default SETTLEMENT_DEFAULT_LIFETIME_BLOCKS; a resend waits until the previous one's has passed.
   */
  readonly submissionLifetimeBlocks?: number;
}

/** Submission lifetime when the configuration names none: 64 blocks (6.4 min at 6 s blocks). */
export const SETTLEMENT_DEFAULT_LIFETIME_BLOCKS = 64;
/** Longest submission lifetime: real chains keep 4096 block hashes, the longest mortal era they check. */
export const SETTLEMENT_MAX_LIFETIME_BLOCKS = 4_096;
/** Shortest: a mortal era spans at least 4 blocks. */
export const SETTLEMENT_MIN_LIFETIME_BLOCKS = 4;

export interface ResolvedChain {
  readonly config: SettlementChainConfig;
  readonly origin: ChainId;
  readonly kind: DispatchKind;
  readonly escrow: AccountHex;
}

export interface ResolvedConfig {
  readonly config: SettlementConfig;
  readonly lifetimeBlocks: number;
  readonly chains: ReadonlyMap<ChainId, ResolvedChain>;
}

const SYMBOL = /^[A-Za-z0-9._-]{1,16}$/;

function bad(detail: string): CodedError {
  return new CodedError('SETTLEMENT_INVALID_CONFIG', detail);
}

function positiveInteger(value: number, what: string, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) throw bad(`${what} must be an integer in 1..${max}`);
}

export function resolveConfig(config: SettlementConfig): ResolvedConfig {
  if (config.chains.length === 0 || config.chains.length > SETTLEMENT_MAX_CHAINS) throw bad(`1..${SETTLEMENT_MAX_CHAINS} chains`);
  if (!isAccountHex(config.feeAccount)) throw bad('feeAccount must be lower-case 0x-prefixed 32-byte hex');
  positiveInteger(config.windowMs, 'windowMs');
  positiveInteger(config.windowMaxFills, 'windowMaxFills', SETTLEMENT_MAX_WINDOW_FILLS);
  positiveInteger(config.maxPayoutsPerMessage, 'maxPayoutsPerMessage', SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE);
  positiveInteger(config.confirmTimeoutMs, 'confirmTimeoutMs');
  positiveInteger(config.retryDelayMs, 'retryDelayMs');
  positiveInteger(config.maxAttempts, 'maxAttempts', SETTLEMENT_MAX_ATTEMPTS);
  const lifetimeBlocks = config.submissionLifetimeBlocks ?? SETTLEMENT_DEFAULT_LIFETIME_BLOCKS;
  positiveInteger(lifetimeBlocks, 'submissionLifetimeBlocks', SETTLEMENT_MAX_LIFETIME_BLOCKS);
  if (lifetimeBlocks < SETTLEMENT_MIN_LIFETIME_BLOCKS) throw bad(`submissionLifetimeBlocks must be at least ${SETTLEMENT_MIN_LIFETIME_BLOCKS}`);
  const chains = new Map<ChainId, ResolvedChain>();
  for (const chain of config.chains) {
    try {
      parseChainId(chain.chain);
      if (chain.route.kind === 'send') parseChainId(chain.route.from);
    } catch { throw bad(`bad chain id in ${JSON.stringify(chain.chain)}`); }
    if (chains.has(chain.chain)) throw bad(`${chain.chain} is configured twice`);
    if (chain.route.kind === 'send' && chain.route.from === chain.chain) throw bad(`${chain.chain}: 'send' must come from another chain`);
    if (chain.xcmVersion !== 4 && chain.xcmVersion !== 5) throw bad(`${chain.chain}: xcmVersion must be 4 or 5`);
    const symbols = Object.keys(chain.assets);
    // A message holds at most XCM_MAX_ASSETS distinct assets, the fee asset among them.
    if (symbols.length === 0 || symbols.length > Math.min(SETTLEMENT_MAX_ASSETS_PER_CHAIN, XCM_MAX_ASSETS)) throw bad(`${chain.chain}: 1..${XCM_MAX_ASSETS} assets`);
    for (const symbol of symbols) {
      if (!SYMBOL.test(symbol)) throw bad(`${chain.chain}: asset symbol ${JSON.stringify(symbol)}`);
      const id = chain.assets[symbol]!;
      try { location(id.parents, ...id.interior); } catch { throw bad(`${chain.chain}: location of ${symbol}`); }
    }
    if (!symbols.includes(chain.feeAsset)) throw bad(`${chain.chain}: fee asset ${chain.feeAsset} is not one of its assets`);
    if (typeof chain.feeBudgetPerMessage !== 'bigint' || chain.feeBudgetPerMessage < 1n) throw bad(`${chain.chain}: feeBudgetPerMessage must be a positive bigint`);
    const escrow = config.escrowAccounts[chain.chain];
    if (!isAccountHex(escrow)) throw bad(`${chain.chain}: no escrow account`);
    if (escrow === config.feeAccount) throw bad(`${chain.chain}: the escrow account cannot be the fee account`);
    chains.set(chain.chain, {
      config: chain,
      origin: chain.route.kind === 'send' ? chain.route.from : chain.chain,
      kind: chain.route.kind,
      escrow,
    });
  }
  return { config, chains, lifetimeBlocks };
}

/** A sensible policy for the embedded chain (`npm start`); tests override what they exercise. */
export const DEFAULT_SETTLEMENT_POLICY = {
  windowMs: 1_000,
  windowMaxFills: 10_000,
  maxPayoutsPerMessage: SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE,
  confirmTimeoutMs: 30_000,
  retryDelayMs: 5_000,
  maxAttempts: 10,
} as const;
