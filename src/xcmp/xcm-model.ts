// The subset of XCM (V4 and V5) the engine speaks, as plain immutable values with validating
// factories. Settlement, the local chain and the real connector all build and read messages in
// this form; xcm-codec.ts turns it into SCALE bytes with @polkadot/types and back.
import { CodedError } from '../errors/index.js';
import type { AccountHex } from './connector.js';

export type XcmVersion = 4 | 5;
export const XCM_VERSIONS: readonly XcmVersion[] = [4, 5];

/** Junctions Here..X8, as in the xcm crate. */
export const XCM_MAX_JUNCTIONS = 8;
/** The xcm crate's MAX_ITEMS_IN_ASSETS: an Assets list longer than this fails to decode on-chain. */
export const XCM_MAX_ASSETS = 20;
/** The xcm crate's MAX_INSTRUCTIONS_TO_DECODE: a longer message is refused on-chain. */
export const XCM_MAX_INSTRUCTIONS = 100;
/** Our own cap on one encoded message, well under HRMP/DMP message size limits. */
export const XCM_MAX_MESSAGE_BYTES = 32_768;
export const XCM_TOPIC_BYTES = 32;
/** Asset Hub's pallet-assets instance (PalletInstance(50)) on Polkadot, Kusama and Paseo. */
export const ASSET_HUB_ASSETS_PALLET = 50;
export const ASSET_HUB_PARA_ID = 1000;

const U128_MAX = (1n << 128n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffff_ffff;
const ACCOUNT_HEX = /^0x[0-9a-fA-F]{64}$/;

export type Junction =
  | { readonly kind: 'Parachain'; readonly id: number }
  | { readonly kind: 'AccountId32'; readonly id: AccountHex }
  | { readonly kind: 'PalletInstance'; readonly index: number }
  | { readonly kind: 'GeneralIndex'; readonly index: bigint };

export interface Location {
  readonly parents: number;
  readonly interior: readonly Junction[];
}

/** A fungible asset: its id is a location, amount in the asset's smallest unit. */
export interface Asset {
  readonly id: Location;
  readonly amount: bigint;
}

export type AssetFilter =
  | { readonly kind: 'Definite'; readonly assets: readonly Asset[] }
  | { readonly kind: 'AllCounted'; readonly count: number }
  | { readonly kind: 'All' };

export type WeightLimit =
  | { readonly kind: 'Unlimited' }
  | { readonly kind: 'Limited'; readonly refTime: bigint; readonly proofSize: bigint };

/** Instructions the engine emits and the local chain executes; every variant maps 1:1 to the xcm crate's. */
export type Instruction =
  /** Moves assets from the origin's account into the holding register. */
  | { readonly type: 'WithdrawAsset'; readonly assets: readonly Asset[] }
  /** V4 (also valid in V5): pays execution from holding; the unspent part stays in holding. */
  | { readonly type: 'BuyExecution'; readonly fees: Asset; readonly weightLimit: WeightLimit }
  /** V5 only: moves the fee asset into the fees register and pays execution from it. */
  | { readonly type: 'PayFees'; readonly asset: Asset }
  /** Moves assets matching the filter from holding to the beneficiary. */
  | { readonly type: 'DepositAsset'; readonly assets: AssetFilter; readonly beneficiary: Location }
  /** Moves assets directly from the origin's account to the beneficiary. */
  | { readonly type: 'TransferAsset'; readonly assets: readonly Asset[]; readonly beneficiary: Location }
  /** Returns unspent fees (fees register, unused weight) to holding. */
  | { readonly type: 'RefundSurplus' }
  /** Tags the message; processed-message events carry it, so settlement matches outcomes by it. */
  | { readonly type: 'SetTopic'; readonly topic: Uint8Array };

export interface Xcm {
  readonly version: XcmVersion;
  readonly instructions: readonly Instruction[];
}

function checkU32(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > U32_MAX) throw new CodedError('XCM_INVALID_LOCATION', `${what} must be a u32, got ${String(value)}`);
}

function checkU8(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > 255) throw new CodedError('XCM_INVALID_LOCATION', `${what} must be a u8, got ${String(value)}`);
}

export function checkAccount(account: string): AccountHex {
  if (typeof account !== 'string' || !ACCOUNT_HEX.test(account)) throw new CodedError('XCM_INVALID_ACCOUNT', `got ${JSON.stringify(String(account)).slice(0, 80)}`);
  return account.toLowerCase() as AccountHex;
}

export function checkAmount(amount: bigint): bigint {
  if (typeof amount !== 'bigint' || amount <= 0n || amount > U128_MAX) throw new CodedError('XCM_INVALID_AMOUNT', `got ${String(amount)}`);
  return amount;
}

export function checkTopic(topic: Uint8Array): Uint8Array {
  if (!(topic instanceof Uint8Array) || topic.length !== XCM_TOPIC_BYTES) throw new CodedError('XCM_INVALID_TOPIC', `got ${topic instanceof Uint8Array ? topic.length : typeof topic} bytes`);
  return topic;
}

export function checkJunction(junction: Junction): Junction {
  switch (junction.kind) {
    case 'Parachain': checkU32(junction.id, 'Parachain id'); return { kind: 'Parachain', id: junction.id };
    case 'AccountId32': return { kind: 'AccountId32', id: checkAccount(junction.id) };
    case 'PalletInstance': checkU8(junction.index, 'PalletInstance'); return { kind: 'PalletInstance', index: junction.index };
    case 'GeneralIndex':
      if (typeof junction.index !== 'bigint' || junction.index < 0n || junction.index > U128_MAX) throw new CodedError('XCM_INVALID_LOCATION', `GeneralIndex must be a u128, got ${String(junction.index)}`);
      return { kind: 'GeneralIndex', index: junction.index };
    default: throw new CodedError('XCM_INVALID_LOCATION', `unknown junction ${JSON.stringify((junction as { kind?: unknown }).kind)}`);
  }
}

/** Validates and normalises (lower-case account hex) a location. */
export function location(parents: number, ...interior: Junction[]): Location {
  checkU8(parents, 'parents');
  if (interior.length > XCM_MAX_JUNCTIONS) throw new CodedError('XCM_INVALID_LOCATION', `at most ${XCM_MAX_JUNCTIONS} junctions, got ${interior.length}`);
  return { parents, interior: interior.map(checkJunction) };
}

export const parachain = (id: number): Junction => checkJunction({ kind: 'Parachain', id });
export const accountId32 = (account: AccountHex): Junction => checkJunction({ kind: 'AccountId32', id: account });
export const palletInstance = (index: number): Junction => checkJunction({ kind: 'PalletInstance', index });
export const generalIndex = (index: bigint): Junction => checkJunction({ kind: 'GeneralIndex', index });

/** The executing chain itself; as an asset id, its native token. */
export const here = (): Location => location(0);
/** The relay chain seen from a parachain; as an asset id, the relay's token (DOT, PAS). */
export const relay = (): Location => location(1);
/** A sibling parachain seen from a parachain. */
export const siblingParachain = (paraId: number): Location => location(1, parachain(paraId));
/** A child parachain seen from the relay. */
export const childParachain = (paraId: number): Location => location(0, parachain(paraId));
/** An AccountId32 on the executing chain (network None), the usual beneficiary. */
export const accountLocation = (account: AccountHex): Location => location(0, accountId32(account));

/** A pallet-assets asset on Asset Hub as Asset Hub itself names it: PalletInstance(50), GeneralIndex(id). */
export const assetHubAssetLocal = (assetId: bigint): Location => location(0, palletInstance(ASSET_HUB_ASSETS_PALLET), generalIndex(assetId));
/** The same asset as a sibling parachain names it: ../Parachain(1000)/PalletInstance(50)/GeneralIndex(id). */
export const assetHubAssetFromSibling = (assetId: bigint, assetHubParaId = ASSET_HUB_PARA_ID): Location =>
  location(1, parachain(assetHubParaId), palletInstance(ASSET_HUB_ASSETS_PALLET), generalIndex(assetId));

export function asset(id: Location, amount: bigint): Asset {
  return { id: location(id.parents, ...id.interior), amount: checkAmount(amount) };
}

function junctionKey(junction: Junction): string {
  switch (junction.kind) {
    case 'Parachain': return `p${junction.id}`;
    case 'AccountId32': return `a${junction.id}`;
    case 'PalletInstance': return `i${junction.index}`;
    case 'GeneralIndex': return `g${junction.index}`;
  }
}

/** A string equal for equal locations and different otherwise; for maps and caches. */
export function locationKey(value: Location): string {
  let key = String(value.parents);
  for (const junction of value.interior) key += `/${junctionKey(junction)}`;
  return key;
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const JUNCTION_ORDER: Readonly<Record<Junction['kind'], number>> = { Parachain: 0, AccountId32: 1, PalletInstance: 4, GeneralIndex: 5 };

function compareJunction(a: Junction, b: Junction): number {
  const byKind = JUNCTION_ORDER[a.kind] - JUNCTION_ORDER[b.kind];
  if (byKind !== 0) return Math.sign(byKind);
  if (a.kind === 'Parachain' && b.kind === 'Parachain') return Math.sign(a.id - b.id);
  if (a.kind === 'PalletInstance' && b.kind === 'PalletInstance') return Math.sign(a.index - b.index);
  if (a.kind === 'GeneralIndex' && b.kind === 'GeneralIndex') return compareBigint(a.index, b.index);
  if (a.kind === 'AccountId32' && b.kind === 'AccountId32') return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  throw new Error('unreachable: junction kinds already compared');
}

/** The xcm crate's derived Ord on Location (parents, then junction count, then junctions); Assets must be sorted by it. */
export function compareLocation(a: Location, b: Location): number {
  if (a.parents !== b.parents) return Math.sign(a.parents - b.parents);
  if (a.interior.length !== b.interior.length) return Math.sign(a.interior.length - b.interior.length);
  for (let i = 0; i < a.interior.length; i++) {
    const order = compareJunction(a.interior[i]!, b.interior[i]!);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * An Assets list as the chain requires it: validated, sorted by id, one entry per id, at most
 * XCM_MAX_ASSETS. Duplicates are refused rather than merged so no amount changes silently.
 */
export function assetList(assets: readonly Asset[]): readonly Asset[] {
  if (assets.length > XCM_MAX_ASSETS) throw new CodedError('XCM_MESSAGE_TOO_LARGE', `at most ${XCM_MAX_ASSETS} assets in one list, got ${assets.length}`);
  const sorted = assets.map((a) => asset(a.id, a.amount)).sort((a, b) => compareLocation(a.id, b.id));
  for (let i = 1; i < sorted.length; i++) {
    if (compareLocation(sorted[i - 1]!.id, sorted[i]!.id) === 0) throw new CodedError('XCM_INVALID_MESSAGE', 'the same asset id appears twice in one list');
  }
  return sorted;
}

export const unlimitedWeight = (): WeightLimit => ({ kind: 'Unlimited' });
export function limitedWeight(refTime: bigint, proofSize: bigint): WeightLimit {
  for (const value of [refTime, proofSize]) {
    if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) throw new CodedError('XCM_INVALID_MESSAGE', `weight components are u64, got ${String(value)}`);
  }
  return { kind: 'Limited', refTime, proofSize };
}

export const definite = (assets: readonly Asset[]): AssetFilter => ({ kind: 'Definite', assets: assetList(assets) });
export function allCounted(count: number): AssetFilter {
  if (!Number.isSafeInteger(count) || count < 1 || count > XCM_MAX_ASSETS) throw new CodedError('XCM_INVALID_MESSAGE', `AllCounted takes 1..${XCM_MAX_ASSETS}, got ${String(count)}`);
  return { kind: 'AllCounted', count };
}
export const allAssets = (): AssetFilter => ({ kind: 'All' });

export const withdrawAsset = (assets: readonly Asset[]): Instruction => ({ type: 'WithdrawAsset', assets: assetList(assets) });
export const buyExecution = (fees: Asset, weightLimit: WeightLimit = unlimitedWeight()): Instruction => ({ type: 'BuyExecution', fees: asset(fees.id, fees.amount), weightLimit });
export const payFees = (fee: Asset): Instruction => ({ type: 'PayFees', asset: asset(fee.id, fee.amount) });
export const depositAsset = (assets: AssetFilter, beneficiary: Location): Instruction => ({ type: 'DepositAsset', assets, beneficiary: location(beneficiary.parents, ...beneficiary.interior) });
export const transferAsset = (assets: readonly Asset[], beneficiary: Location): Instruction => ({ type: 'TransferAsset', assets: assetList(assets), beneficiary: location(beneficiary.parents, ...beneficiary.interior) });
export const refundSurplus = (): Instruction => ({ type: 'RefundSurplus' });
export const setTopic = (topic: Uint8Array): Instruction => ({ type: 'SetTopic', topic: Uint8Array.from(checkTopic(topic)) });

/** Validates a whole message: version, instruction count, and V5-only instructions. */
export function xcm(version: XcmVersion, instructions: readonly Instruction[]): Xcm {
  if (version !== 4 && version !== 5) throw new CodedError('XCM_VERSION_UNSUPPORTED', `got ${String(version)}`);
  if (instructions.length > XCM_MAX_INSTRUCTIONS) throw new CodedError('XCM_MESSAGE_TOO_LARGE', `at most ${XCM_MAX_INSTRUCTIONS} instructions, got ${instructions.length}`);
  for (const instruction of instructions) {
    if (instruction.type === 'PayFees' && version === 4) throw new CodedError('XCM_INVALID_MESSAGE', 'PayFees exists only in XCM V5; use BuyExecution for V4');
  }
  return { version, instructions };
}

/** The topic of a message, or undefined when its last instruction is not SetTopic. */
export function topicOf(message: Xcm): Uint8Array | undefined {
  const last = message.instructions[message.instructions.length - 1];
  return last?.type === 'SetTopic' ? last.topic : undefined;
}
