// The neutral form in which trades reach settlement. The enclave maps matcher events to it, so
// settlement knows nothing of order books, ticks or lots: only who owes whom how many atoms of
// which asset on which chain.
import { CodedError } from '../errors/index.js';
import type { AccountHex, ChainId } from '../xcmp/connector.js';

export const SETTLEMENT_MAX_TRADE_ID_CHARS = 64;
export const SETTLEMENT_MAX_MARKET_CHARS = 32;
/** Fits u128 with room for sums of many fills. */
export const SETTLEMENT_MAX_ATOMS = (1n << 112n) - 1n;

/** An asset as settlement names it: the chain holding the escrow and the configured symbol. */
export interface AssetRef {
  readonly chain: ChainId;
  readonly asset: string;
}

/**
 * One trade. The buyer receives baseAtoms of base and pays quoteAtoms + buyerFeeAtoms of quote;
 * the seller delivers baseAtoms of base and receives quoteAtoms - sellerFeeAtoms of quote; both
 * fees (in quote) go to the fee account.
 */
export interface Fill {
  readonly tradeId: string;
  readonly market: string;
  readonly buyer: AccountHex;
  readonly seller: AccountHex;
  readonly base: AssetRef;
  readonly quote: AssetRef;
  readonly baseAtoms: bigint;
  readonly quoteAtoms: bigint;
  readonly buyerFeeAtoms: bigint;
  readonly sellerFeeAtoms: bigint;
}

const ACCOUNT_HEX = /^0x[0-9a-f]{64}$/;
const ID = /^[\x21-\x7e]+$/;

function invalid(detail: string): CodedError {
  return new CodedError('SETTLEMENT_INVALID_FILL', detail);
}

export function isAccountHex(value: unknown): value is AccountHex {
  return typeof value === 'string' && ACCOUNT_HEX.test(value);
}

function checkAtoms(value: bigint, what: string, allowZero: boolean): void {
  if (typeof value !== 'bigint' || value < (allowZero ? 0n : 1n) || value > SETTLEMENT_MAX_ATOMS) throw invalid(`${what} out of range`);
}

/** Shape and range checks; accounts must be lower-case 0x hex (the enclave normalises them). */
export function checkFill(fill: Fill): void {
  if (!isAccountHex(fill.buyer) || !isAccountHex(fill.seller)) throw invalid('buyer and seller must be lower-case 0x-prefixed 32-byte hex');
  checkFillFields(fill);
}

/** Everything checkFill checks except the account format (netting checks each account once per window). */
export function checkFillFields(fill: Fill): void {
  if (typeof fill.tradeId !== 'string' || fill.tradeId.length > SETTLEMENT_MAX_TRADE_ID_CHARS || !ID.test(fill.tradeId)) throw invalid('tradeId');
  if (typeof fill.market !== 'string' || fill.market.length > SETTLEMENT_MAX_MARKET_CHARS || !ID.test(fill.market)) throw invalid('market');
  checkAtoms(fill.baseAtoms, 'baseAtoms', false);
  checkAtoms(fill.quoteAtoms, 'quoteAtoms', false);
  checkAtoms(fill.buyerFeeAtoms, 'buyerFeeAtoms', true);
  checkAtoms(fill.sellerFeeAtoms, 'sellerFeeAtoms', true);
  if (fill.sellerFeeAtoms > fill.quoteAtoms) throw invalid('sellerFeeAtoms exceeds quoteAtoms');
  if (fill.base.chain === fill.quote.chain && fill.base.asset === fill.quote.asset) throw invalid('base and quote are the same asset');
}
