// SCALE bytes <-> the XCM model, through the shared @polkadot/types registry.
// Encoding composes registry-encoded fragments (each distinct location is encoded by the
// registry once and cached; enum indices are read from the registry at start-up), because
// building a whole message through createType costs ~40 µs per deposit, too slow for netting a
// million fills. `encodeXcmWithRegistry` is the plain whole-message path; tests hold the two
// byte-identical. Decoding always goes through the registry and accepts only canonical bytes:
// the decoded model must re-encode to exactly the input.
import { Enum, Struct } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { CodedError, isCodedError } from '../errors/index.js';
import type { AccountHex } from './connector.js';
import {
  XCM_MAX_ASSETS, XCM_MAX_INSTRUCTIONS, XCM_MAX_MESSAGE_BYTES, allAssets, allCounted, asset, assetList, compareLocation, definite, checkAccount, checkAmount, checkJunction, checkTopic, location, locationKey, xcm,
  type Asset, type AssetFilter, type Instruction, type Junction, type Location, type WeightLimit, type Xcm, type XcmVersion,
} from './xcm-model.js';
import { xcmRegistry } from './xcm-registry.js';

/** Bounds the fragment cache; when full it is cleared rather than grown (entries are cheap to rebuild). */
export const XCM_LOCATION_CACHE_MAX = 100_000;

type PolkadotJsJson = null | boolean | number | string | bigint | Uint8Array | readonly PolkadotJsJson[] | { readonly [key: string]: PolkadotJsJson };
/** A value in the shape @polkadot/types and @polkadot/api accept for XCM arguments (createType / tx params). */
export type PolkadotJsValue = PolkadotJsJson;

function junctionToJs(junction: Junction): PolkadotJsValue {
  switch (junction.kind) {
    case 'Parachain': return { Parachain: junction.id };
    case 'AccountId32': return { AccountId32: { network: null, id: junction.id } };
    case 'PalletInstance': return { PalletInstance: junction.index };
    case 'GeneralIndex': return { GeneralIndex: junction.index };
  }
}

export function locationToJs(value: Location): PolkadotJsValue {
  const interior = value.interior.length === 0 ? { Here: null } : { [`X${value.interior.length}`]: value.interior.map(junctionToJs) };
  return { parents: value.parents, interior };
}

export function assetToJs(value: Asset): PolkadotJsValue {
  return { id: locationToJs(value.id), fun: { Fungible: value.amount } };
}

function filterToJs(filter: AssetFilter): PolkadotJsValue {
  switch (filter.kind) {
    case 'Definite': return { Definite: filter.assets.map(assetToJs) };
    case 'AllCounted': return { Wild: { AllCounted: filter.count } };
    case 'All': return { Wild: { All: null } };
  }
}

export function weightLimitToJs(limit: WeightLimit): PolkadotJsValue {
  return limit.kind === 'Unlimited' ? { Unlimited: null } : { Limited: { refTime: limit.refTime, proofSize: limit.proofSize } };
}

function instructionToJs(instruction: Instruction): PolkadotJsValue {
  switch (instruction.type) {
    case 'WithdrawAsset': return { WithdrawAsset: instruction.assets.map(assetToJs) };
    case 'BuyExecution': return { BuyExecution: { fees: assetToJs(instruction.fees), weightLimit: weightLimitToJs(instruction.weightLimit) } };
    case 'PayFees': return { PayFees: { asset: assetToJs(instruction.asset) } };
    case 'DepositAsset': return { DepositAsset: { assets: filterToJs(instruction.assets), beneficiary: locationToJs(instruction.beneficiary) } };
    case 'TransferAsset': return { TransferAsset: { assets: instruction.assets.map(assetToJs), beneficiary: locationToJs(instruction.beneficiary) } };
    case 'RefundSurplus': return { RefundSurplus: null };
    case 'SetTopic': return { SetTopic: instruction.topic };
  }
}

/** The VersionedXcm value for @polkadot/api, e.g. `api.tx.polkadotXcm.execute(xcmToJs(m), maxWeight)`. */
export function xcmToJs(message: Xcm): PolkadotJsValue {
  return { [`V${message.version}`]: message.instructions.map(instructionToJs) };
}

/** VersionedLocation for extrinsic arguments (dest, beneficiary). */
export function versionedLocationToJs(version: XcmVersion, value: Location): PolkadotJsValue {
  return { [`V${version}`]: locationToJs(value) };
}

/** VersionedAssets for extrinsic arguments; the list must already be sorted (use assetList). */
export function versionedAssetsToJs(version: XcmVersion, assets: readonly Asset[]): PolkadotJsValue {
  return { [`V${version}`]: assets.map(assetToJs) };
}

const LOCATION_TYPE: Readonly<Record<XcmVersion, string>> = { 4: 'MultiLocationV4', 5: 'MultiLocationV5' };
const INSTRUCTION_TYPE: Readonly<Record<XcmVersion, string>> = { 4: 'InstructionV4', 5: 'InstructionV5' };

/** Reference path: the whole message through createType. */
export function encodeXcmWithRegistry(message: Xcm): Uint8Array {
  const checked = xcm(message.version, message.instructions);
  return xcmRegistry.createType('VersionedXcm', xcmToJs(checked)).toU8a();
}

function enumIndex(type: string, value: PolkadotJsValue): number {
  const codec = xcmRegistry.createType(type, value);
  if (!(codec instanceof Enum)) throw new Error(`${type} is not an enum in the registry`);
  return codec.index;
}

const SAMPLE_ASSET = { id: { parents: 0, interior: { Here: null } }, fun: { Fungible: 1 } };
const SAMPLE_LOCATION = { parents: 0, interior: { Here: null } };

interface VersionIndices {
  readonly versioned: number;
  readonly instruction: Readonly<Record<Instruction['type'], number>>;
}

function readIndices(version: XcmVersion): VersionIndices {
  const type = INSTRUCTION_TYPE[version];
  const sample: Record<Instruction['type'], PolkadotJsValue> = {
    WithdrawAsset: { WithdrawAsset: [] },
    BuyExecution: { BuyExecution: { fees: SAMPLE_ASSET, weightLimit: { Unlimited: null } } },
    PayFees: version === 5 ? { PayFees: { asset: SAMPLE_ASSET } } : { WithdrawAsset: [] },
    DepositAsset: { DepositAsset: { assets: { Definite: [] }, beneficiary: SAMPLE_LOCATION } },
    TransferAsset: { TransferAsset: { assets: [], beneficiary: SAMPLE_LOCATION } },
    RefundSurplus: { RefundSurplus: null },
    SetTopic: { SetTopic: new Uint8Array(32) },
  };
  const instruction = {} as Record<Instruction['type'], number>;
  for (const name of Object.keys(sample) as Instruction['type'][]) instruction[name] = enumIndex(type, sample[name]);
  if (version === 4) instruction.PayFees = -1;
  return { versioned: enumIndex('VersionedXcm', { [`V${version}`]: [] }), instruction };
}

const INDICES: Readonly<Record<XcmVersion, VersionIndices>> = { 4: readIndices(4), 5: readIndices(5) };
const FUNGIBLE = Uint8Array.of(enumIndex('FungibilityV5', { Fungible: 1 }));
const FILTER_DEFINITE = Uint8Array.of(enumIndex('MultiAssetFilterV5', { Definite: [] }));
const FILTER_WILD = Uint8Array.of(enumIndex('MultiAssetFilterV5', { Wild: { All: null } }));
const WILD_ALL = Uint8Array.of(enumIndex('WildMultiAssetV5', { All: null }));
const WILD_ALL_COUNTED = Uint8Array.of(enumIndex('WildMultiAssetV5', { AllCounted: 1 }));
const WEIGHT_UNLIMITED = Uint8Array.of(enumIndex('WeightLimitV3', { Unlimited: null }));
const WEIGHT_LIMITED = Uint8Array.of(enumIndex('WeightLimitV3', { Limited: { refTime: 0, proofSize: 0 } }));

const locationCache = new Map<string, Uint8Array>();

/** Locations are immutable values; the same object (an asset id from config) hits this first. */
const locationByObject: Readonly<Record<XcmVersion, WeakMap<Location, Uint8Array>>> = { 4: new WeakMap(), 5: new WeakMap() };

/** A location's SCALE bytes for one version, from the registry once, then from the caches. */
export function encodeLocation(version: XcmVersion, value: Location): Uint8Array {
  const known = locationByObject[version].get(value);
  if (known !== undefined) return known;
  const key = `${version}:${locationKey(value)}`;
  let bytes = locationCache.get(key);
  if (bytes === undefined) {
    const checked = location(value.parents, ...value.interior);
    bytes = xcmRegistry.createType(LOCATION_TYPE[version], locationToJs(checked)).toU8a();
    if (locationCache.size >= XCM_LOCATION_CACHE_MAX) locationCache.clear();
    locationCache.set(key, bytes);
  }
  locationByObject[version].set(value, bytes);
  return bytes;
}

const U128_LIMIT = 1n << 128n;

/** A growable output buffer with SCALE's compact integer encoding (tests hold it equal to the registry's). */
class ByteSink {
  private buffer: Uint8Array;
  private length = 0;

  constructor(capacityBytes = 256) {
    this.buffer = new Uint8Array(Math.min(Math.max(capacityBytes, 16), XCM_MAX_MESSAGE_BYTES));
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  push(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** Compact<u128>: 1, 2 or 4 bytes below 2^30, else a length-prefixed little-endian integer. */
  compact(value: bigint | number): void {
    const big = typeof value === 'bigint' ? value : BigInt(value);
    if (big < 0n || big >= U128_LIMIT) throw new CodedError('XCM_INVALID_AMOUNT', `compact value ${big} outside u128`);
    if (big < 0x4000_0000n) {
      const small = Number(big);
      if (small < 0x40) return this.byte(small << 2);
      if (small < 0x4000) { const word = (small << 2) | 1; this.byte(word & 0xff); return this.byte(word >>> 8); }
      const word = small * 4 + 2;
      this.reserve(4);
      for (let i = 0; i < 4; i++) this.buffer[this.length++] = Math.floor(word / 2 ** (8 * i)) & 0xff;
      return;
    }
    const digits: number[] = [];
    if (big <= BigInt(Number.MAX_SAFE_INTEGER)) {
      for (let rest = Number(big); rest > 0; rest = Math.floor(rest / 256)) digits.push(rest % 256);
    } else {
      for (let rest = big; rest > 0n; rest >>= 8n) digits.push(Number(rest & 0xffn));
    }
    this.byte(((digits.length - 4) << 2) | 3);
    this.reserve(digits.length);
    for (const digit of digits) this.buffer[this.length++] = digit;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

function pushAsset(sink: ByteSink, version: XcmVersion, value: Asset): void {
  sink.push(encodeLocation(version, value.id));
  sink.push(FUNGIBLE);
  sink.compact(checkAmount(value.amount));
}

function pushAssets(sink: ByteSink, version: XcmVersion, assets: readonly Asset[]): void {
  if (assets.length > XCM_MAX_ASSETS) throw new CodedError('XCM_MESSAGE_TOO_LARGE', `at most ${XCM_MAX_ASSETS} assets in one list, got ${assets.length}`);
  for (let i = 1; i < assets.length; i++) {
    if (compareLocation(assets[i - 1]!.id, assets[i]!.id) >= 0) throw new CodedError('XCM_INVALID_MESSAGE', 'an asset list must be sorted by id with no repeats (build it with assetList)');
  }
  sink.compact(assets.length);
  for (const value of assets) pushAsset(sink, version, value);
}

function pushInstruction(sink: ByteSink, version: XcmVersion, instruction: Instruction): void {
  const index = INDICES[version].instruction[instruction.type];
  if (index < 0) throw new CodedError('XCM_INVALID_MESSAGE', `${instruction.type} does not exist in XCM V${version}`);
  sink.byte(index);
  switch (instruction.type) {
    case 'WithdrawAsset': pushAssets(sink, version, instruction.assets); return;
    case 'BuyExecution':
      pushAsset(sink, version, instruction.fees);
      if (instruction.weightLimit.kind === 'Unlimited') sink.push(WEIGHT_UNLIMITED);
      else { sink.push(WEIGHT_LIMITED); sink.compact(instruction.weightLimit.refTime); sink.compact(instruction.weightLimit.proofSize); }
      return;
    case 'PayFees': pushAsset(sink, version, instruction.asset); return;
    case 'DepositAsset': {
      const filter = instruction.assets;
      if (filter.kind === 'Definite') { sink.push(FILTER_DEFINITE); pushAssets(sink, version, filter.assets); }
      else if (filter.kind === 'AllCounted') { sink.push(FILTER_WILD); sink.push(WILD_ALL_COUNTED); sink.compact(filter.count); }
      else { sink.push(FILTER_WILD); sink.push(WILD_ALL); }
      sink.push(encodeLocation(version, instruction.beneficiary));
      return;
    }
    case 'TransferAsset': pushAssets(sink, version, instruction.assets); sink.push(encodeLocation(version, instruction.beneficiary)); return;
    case 'RefundSurplus': return;
    case 'SetTopic': sink.push(checkTopic(instruction.topic)); return;
  }
}

/** SCALE-encodes a VersionedXcm; byte-identical to encodeXcmWithRegistry. */
export function encodeXcm(message: Xcm): Uint8Array {
  const checked = xcm(message.version, message.instructions);
  const sink = new ByteSink();
  sink.byte(INDICES[checked.version].versioned);
  sink.compact(checked.instructions.length);
  for (const instruction of checked.instructions) pushInstruction(sink, checked.version, instruction);
  const bytes = sink.finish();
  if (bytes.length > XCM_MAX_MESSAGE_BYTES) throw new CodedError('XCM_MESSAGE_TOO_LARGE', `${bytes.length} bytes, limit ${XCM_MAX_MESSAGE_BYTES}`);
  return bytes;
}

const ACCOUNT_LOCATION_PREFIX: Readonly<Record<XcmVersion, Uint8Array>> = {
  4: accountPrefix(4),
  5: accountPrefix(5),
};

/** The registry's bytes for {parents: 0, X1[AccountId32{network: None, id}]} minus the 32-byte id. */
function accountPrefix(version: XcmVersion): Uint8Array {
  const probe = encodeLocation(version, { parents: 0, interior: [{ kind: 'AccountId32', id: `0x${'ff'.repeat(32)}` }] });
  if (!probe.subarray(probe.length - 32).every((b) => b === 0xff)) throw new Error('registry shape changed: AccountId32 location does not end with its id');
  return probe.slice(0, probe.length - 32);
}

/** Accounts recur window after window; their 32 bytes are parsed from hex once. */
const accountBytesCache = new Map<AccountHex, Uint8Array>();

function accountBytes(account: AccountHex): Uint8Array {
  let bytes = accountBytesCache.get(account);
  if (bytes === undefined) {
    bytes = Uint8Array.from(Buffer.from(account.slice(2), 'hex'));
    if (accountBytesCache.size >= XCM_LOCATION_CACHE_MAX) accountBytesCache.clear();
    accountBytesCache.set(account, bytes);
  }
  return bytes;
}

/**
 * Streams one message for hot paths that hold already-validated values (settlement's netted
 * payouts): no model objects, account bytes written straight from hex. Output is identical to
 * encodeXcm of the same instructions; the builder's tests hold the two equal.
 */
/** Rough size of one DepositAsset to an AccountId32 (index, filter, asset id, amount, beneficiary), to size the buffer once. */
const DEPOSIT_BYTES_ESTIMATE = 96;

export class XcmWriter {
  private readonly sink: ByteSink;
  private readonly version: XcmVersion;
  private readonly declared: number;
  private written = 0;

  constructor(version: XcmVersion, instructionCount: number) {
    if (version !== 4 && version !== 5) throw new CodedError('XCM_VERSION_UNSUPPORTED', `got ${String(version)}`);
    if (instructionCount > XCM_MAX_INSTRUCTIONS) throw new CodedError('XCM_MESSAGE_TOO_LARGE', `at most ${XCM_MAX_INSTRUCTIONS} instructions, got ${instructionCount}`);
    this.version = version;
    this.declared = instructionCount;
    this.sink = new ByteSink(64 + instructionCount * DEPOSIT_BYTES_ESTIMATE);
    this.sink.byte(INDICES[version].versioned);
    this.sink.compact(instructionCount);
  }

  /** Writes one instruction given in model form. */
  instruction(instruction: Instruction): void {
    this.written++;
    pushInstruction(this.sink, this.version, instruction);
  }

  /** DepositAsset(Definite([asset]), {0, X1[AccountId32(beneficiary)]}); the account must already be checked. */
  depositToAccount(assetId: Location, amount: bigint, beneficiary: AccountHex): void {
    this.written++;
    this.sink.byte(INDICES[this.version].instruction.DepositAsset);
    this.sink.push(FILTER_DEFINITE);
    this.sink.compact(1);
    this.sink.push(encodeLocation(this.version, assetId));
    this.sink.push(FUNGIBLE);
    this.sink.compact(checkAmount(amount));
    this.sink.push(ACCOUNT_LOCATION_PREFIX[this.version]);
    this.sink.push(accountBytes(beneficiary));
  }

  finish(): Uint8Array {
    if (this.written !== this.declared) throw new Error(`XcmWriter declared ${this.declared} instructions and wrote ${this.written}`);
    const bytes = this.sink.finish();
    if (bytes.length > XCM_MAX_MESSAGE_BYTES) throw new CodedError('XCM_MESSAGE_TOO_LARGE', `${bytes.length} bytes, limit ${XCM_MAX_MESSAGE_BYTES}`);
    return bytes;
  }
}

function unsupported(what: string): CodedError {
  return new CodedError('XCM_INSTRUCTION_UNSUPPORTED', what);
}

function asEnum(codec: Codec): Enum {
  if (!(codec instanceof Enum)) throw new Error('registry shape changed: expected an enum');
  return codec;
}

function field(codec: Codec, name: string): Codec {
  if (!(codec instanceof Struct)) throw new Error('registry shape changed: expected a struct');
  const value = codec.get(name);
  if (value === undefined) throw new Error(`registry shape changed: struct has no ${name}`);
  return value;
}

function items(codec: Codec): readonly Codec[] {
  if (!Array.isArray(codec)) throw new Error('registry shape changed: expected a vector');
  return codec as readonly Codec[];
}

function bigintOf(codec: Codec): bigint {
  const candidate = codec as Codec & { toBigInt?: () => bigint };
  if (typeof candidate.toBigInt !== 'function') throw new Error('registry shape changed: expected an integer');
  return candidate.toBigInt();
}

function junctionFromCodec(codec: Codec): Junction {
  const junction = asEnum(codec);
  switch (junction.type) {
    case 'Parachain': return checkJunction({ kind: 'Parachain', id: Number(bigintOf(junction.inner)) });
    case 'PalletInstance': return checkJunction({ kind: 'PalletInstance', index: Number(bigintOf(junction.inner)) });
    case 'GeneralIndex': return checkJunction({ kind: 'GeneralIndex', index: bigintOf(junction.inner) });
    case 'AccountId32': {
      if (!asOptionNone(field(junction.inner, 'network'))) throw unsupported('AccountId32 with a network');
      const id = field(junction.inner, 'id').toU8a();
      return checkJunction({ kind: 'AccountId32', id: checkAccount(hexOf(id)) });
    }
    default: throw unsupported(`junction ${junction.type}`);
  }
}

function asOptionNone(codec: Codec): boolean {
  return (codec as Codec & { isNone?: boolean }).isNone === true;
}

function hexOf(bytes: Uint8Array): AccountHex {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

function locationFromCodec(codec: Codec): Location {
  const parents = Number(bigintOf(field(codec, 'parents')));
  const interior = asEnum(field(codec, 'interior'));
  const junctions = interior.type === 'Here' ? [] : items(interior.inner).map(junctionFromCodec);
  return location(parents, ...junctions);
}

function assetFromCodec(codec: Codec): Asset {
  const fun = asEnum(field(codec, 'fun'));
  if (fun.type !== 'Fungible') throw unsupported('non-fungible asset');
  return asset(locationFromCodec(field(codec, 'id')), bigintOf(fun.inner));
}

function filterFromCodec(codec: Codec): AssetFilter {
  const filter = asEnum(codec);
  if (filter.type === 'Definite') return definite(items(filter.inner).map(assetFromCodec));
  const wild = asEnum(filter.inner);
  if (wild.type === 'All') return allAssets();
  if (wild.type === 'AllCounted') return allCounted(Number(bigintOf(wild.inner)));
  throw unsupported(`wild filter ${wild.type}`);
}

function weightLimitFromCodec(codec: Codec): WeightLimit {
  const limit = asEnum(codec);
  if (limit.type === 'Unlimited') return { kind: 'Unlimited' };
  return { kind: 'Limited', refTime: bigintOf(field(limit.inner, 'refTime')), proofSize: bigintOf(field(limit.inner, 'proofSize')) };
}

function instructionFromCodec(codec: Codec): Instruction {
  const instruction = asEnum(codec);
  const inner = instruction.inner;
  switch (instruction.type) {
    case 'WithdrawAsset': return { type: 'WithdrawAsset', assets: assetList(items(inner).map(assetFromCodec)) };
    case 'BuyExecution': return { type: 'BuyExecution', fees: assetFromCodec(field(inner, 'fees')), weightLimit: weightLimitFromCodec(field(inner, 'weightLimit')) };
    case 'PayFees': return { type: 'PayFees', asset: assetFromCodec(field(inner, 'asset')) };
    case 'DepositAsset': return { type: 'DepositAsset', assets: filterFromCodec(field(inner, 'assets')), beneficiary: locationFromCodec(field(inner, 'beneficiary')) };
    case 'TransferAsset': return { type: 'TransferAsset', assets: assetList(items(field(inner, 'assets')).map(assetFromCodec)), beneficiary: locationFromCodec(field(inner, 'beneficiary')) };
    case 'RefundSurplus': return { type: 'RefundSurplus' };
    case 'SetTopic': return { type: 'SetTopic', topic: Uint8Array.from(inner.toU8a()) };
    default: throw unsupported(`instruction ${instruction.type}`);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The value of a leading compact integer, or Infinity for the big-integer mode (always over our limits); missing bytes read as 0. */
function compactPrefix(bytes: Uint8Array): number {
  const first = bytes[0] ?? 0;
  switch (first & 3) {
    case 0: return first >>> 2;
    case 1: return (first | ((bytes[1] ?? 0) << 8)) >>> 2;
    case 2: return ((first | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16)) >>> 2) + (bytes[3] ?? 0) * 2 ** 22;
    default: return Infinity;
  }
}

/**
 * Decodes a SCALE VersionedXcm (V4 or V5) into the model. Throws a CodedError for anything
 * else: XCM_DECODE_FAILED (malformed, truncated, trailing or non-canonical bytes),
 * XCM_VERSION_UNSUPPORTED, XCM_INSTRUCTION_UNSUPPORTED, XCM_MESSAGE_TOO_LARGE, or a
 * validation code for out-of-range values.
 */
export function decodeXcm(bytes: Uint8Array): Xcm {
  if (!(bytes instanceof Uint8Array) || bytes.length < 2) throw new CodedError('XCM_DECODE_FAILED', 'fewer than 2 bytes');
  if (bytes.length > XCM_MAX_MESSAGE_BYTES) throw new CodedError('XCM_MESSAGE_TOO_LARGE', `${bytes.length} bytes, limit ${XCM_MAX_MESSAGE_BYTES}`);
  const version = bytes[0] === INDICES[4].versioned ? 4 : bytes[0] === INDICES[5].versioned ? 5 : undefined;
  if (version === undefined) throw new CodedError('XCM_VERSION_UNSUPPORTED', `version byte ${bytes[0]}`);
  const count = compactPrefix(bytes.subarray(1));
  if (count > XCM_MAX_INSTRUCTIONS) throw new CodedError('XCM_MESSAGE_TOO_LARGE', `${count} instructions, limit ${XCM_MAX_INSTRUCTIONS}`);
  let message: Xcm;
  try {
    const versioned = asEnum(xcmRegistry.createType('VersionedXcm', bytes));
    if (versioned.encodedLength !== bytes.length) throw new CodedError('XCM_DECODE_FAILED', `the message spans ${versioned.encodedLength} bytes, got ${bytes.length} (truncated or trailing data)`);
    message = xcm(version, items(versioned.inner).map(instructionFromCodec));
  } catch (error) {
    if (isCodedError(error)) throw error;
    throw new CodedError('XCM_DECODE_FAILED', error instanceof Error ? error.message.slice(0, 160) : 'decoder threw');
  }
  if (!sameBytes(encodeXcm(message), bytes)) throw new CodedError('XCM_DECODE_FAILED', 'bytes are truncated, have trailing data, or are not canonical (e.g. unsorted assets)');
  return message;
}
