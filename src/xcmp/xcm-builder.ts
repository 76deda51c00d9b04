// Builds the messages settlement sends: one message pays many beneficiaries (one Definite
// DepositAsset each) from the pool's account, ends with SetTopic so the outcome can be matched,
// and comes in the 'execute' form (run by the pool's account on the chain that holds the
// escrow) and the 'send' form (shipped from the pool's chain to a sibling or the relay).
// Also the chain-id <-> location mapping and `transferAssets`-style extrinsic arguments.
import { CodedError } from '../errors/index.js';
import type { AccountHex, ChainId, DispatchKind, XcmDispatch } from './connector.js';
import { XcmWriter, versionedAssetsToJs, versionedLocationToJs, weightLimitToJs, type PolkadotJsValue } from './xcm-codec.js';
import {
  XCM_MAX_ASSETS, XCM_MAX_INSTRUCTIONS, accountLocation, allCounted, asset, assetList, buyExecution, checkAccount, checkAmount, checkTopic,
  childParachain, compareLocation, definite, depositAsset, here, location, locationKey, payFees, refundSurplus, relay, setTopic, siblingParachain,
  unlimitedWeight, withdrawAsset, xcm, type Asset, type Instruction, type Location, type WeightLimit, type Xcm, type XcmVersion,
} from './xcm-model.js';

/** Instructions besides the deposits: WithdrawAsset, PayFees/BuyExecution, RefundSurplus, surplus DepositAsset, SetTopic. */
export const SETTLEMENT_OVERHEAD_INSTRUCTIONS = 5;
/** Most payouts one settlement message can carry and still decode on-chain. */
export const SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE = XCM_MAX_INSTRUCTIONS - SETTLEMENT_OVERHEAD_INSTRUCTIONS;

export type ParsedChainId = { readonly kind: 'relay' } | { readonly kind: 'para'; readonly paraId: number };

const PARA_ID = /^para:(0|[1-9][0-9]{0,9})$/;

/** "relay" or "para:<u32>". */
export function parseChainId(chain: ChainId): ParsedChainId {
  if (chain === 'relay') return { kind: 'relay' };
  const match = typeof chain === 'string' ? PARA_ID.exec(chain) : null;
  const paraId = match ? Number(match[1]) : NaN;
  if (!match || paraId > 0xffff_ffff) throw new CodedError('XCM_INVALID_CHAIN_ID', `got ${JSON.stringify(String(chain)).slice(0, 40)}`);
  return { kind: 'para', paraId };
}

export const paraChainId = (paraId: number): ChainId => {
  const chain = `para:${paraId}`;
  parseChainId(chain);
  return chain;
};

/** Where `to` is, seen from `from` (Here, relay, child or sibling parachain). */
export function chainLocation(from: ChainId, to: ChainId): Location {
  const source = parseChainId(from);
  const target = parseChainId(to);
  if (source.kind === 'relay') return target.kind === 'relay' ? here() : childParachain(target.paraId);
  if (target.kind === 'relay') return relay();
  return target.paraId === source.paraId ? here() : siblingParachain(target.paraId);
}

/** One beneficiary's net receipt of one asset; `asset` is the asset's location as the executing chain names it. */
export interface Payout {
  readonly beneficiary: AccountHex;
  readonly asset: Location;
  readonly amount: bigint;
}

export interface SettlementXcmInput {
  readonly version: XcmVersion;
  /** 1..SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE payouts; at most one per (beneficiary, asset). */
  readonly payouts: readonly Payout[];
  /** Fee budget, withdrawn on top of the payouts and handed to PayFees (V5) or BuyExecution (V4). */
  readonly fee: Asset;
  /** Receives what is left of the fee budget, so the pool's account always drops by exactly payouts + fee. */
  readonly surplusTo: AccountHex;
  readonly topic: Uint8Array;
  readonly weightLimit?: WeightLimit;
}

interface CheckedSettlement {
  readonly fee: Asset;
  readonly totals: readonly Asset[];
  readonly surplusTo: AccountHex;
}

/** Validates a settlement input once for both encoders: counts, accounts, amounts, repeats, distinct assets. */
function checkSettlement(input: SettlementXcmInput): CheckedSettlement {
  const { payouts } = input;
  if (payouts.length === 0 || payouts.length > SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE) {
    throw new CodedError('XCM_MESSAGE_TOO_LARGE', `a settlement message carries 1..${SETTLEMENT_MAX_PAYOUTS_PER_MESSAGE} payouts, got ${payouts.length}`);
  }
  checkTopic(input.topic);
  const fee = asset(input.fee.id, input.fee.amount);
  const totals = new Map<string, { id: Location; amount: bigint; paid: Set<string> }>([[locationKey(fee.id), { id: fee.id, amount: fee.amount, paid: new Set() }]]);
  let lastId: Location | undefined;
  let last: { id: Location; amount: bigint; paid: Set<string> } | undefined;
  for (const payout of payouts) {
    const beneficiary = checkAccount(payout.beneficiary);
    checkAmount(payout.amount);
    // Netted payouts come grouped by asset, so the previous entry usually matches by identity.
    let total = payout.asset === lastId ? last : undefined;
    if (total === undefined) {
      const key = locationKey(location(payout.asset.parents, ...payout.asset.interior));
      total = totals.get(key);
      if (total === undefined) {
        if (totals.size >= XCM_MAX_ASSETS) throw new CodedError('XCM_MESSAGE_TOO_LARGE', `at most ${XCM_MAX_ASSETS} distinct assets per message`);
        total = { id: payout.asset, amount: 0n, paid: new Set() };
        totals.set(key, total);
      }
    }
    if (total.paid.has(beneficiary)) throw new CodedError('XCM_INVALID_MESSAGE', 'two payouts for the same (beneficiary, asset); net them first');
    total.paid.add(beneficiary);
    total.amount += payout.amount;
    lastId = payout.asset;
    last = total;
  }
  return { fee, totals: assetList([...totals.values()].map((t) => ({ id: t.id, amount: t.amount }))), surplusTo: checkAccount(input.surplusTo) };
}

function feeInstruction(input: SettlementXcmInput, fee: Asset): Instruction {
  return input.version === 5 ? payFees(fee) : buyExecution(fee, input.weightLimit ?? unlimitedWeight());
}

/**
 * [WithdrawAsset(total per asset incl. fee), PayFees | BuyExecution(fee),
 *  DepositAsset(Definite(amount_i), beneficiary_i)..., RefundSurplus,
 *  DepositAsset(Wild(AllCounted(n)), surplusTo), SetTopic(topic)].
 * The same instructions serve 'execute' and 'send': they run on the destination with the pool
 * (or its location there) as origin.
 */
export function buildSettlementXcm(input: SettlementXcmInput): Xcm {
  const checked = checkSettlement(input);
  return xcm(input.version, [
    withdrawAsset(checked.totals),
    feeInstruction(input, checked.fee),
    ...input.payouts.map((p) => depositAsset(definite([asset(p.asset, p.amount)]), accountLocation(checkAccount(p.beneficiary)))),
    refundSurplus(),
    depositAsset(allCounted(checked.totals.length), accountLocation(checked.surplusTo)),
    setTopic(input.topic),
  ]);
}

/** The bytes of buildSettlementXcm(input), streamed without building the model (settlement's hot path). */
export function encodeSettlementXcm(input: SettlementXcmInput): Uint8Array {
  const checked = checkSettlement(input);
  const writer = new XcmWriter(input.version, input.payouts.length + SETTLEMENT_OVERHEAD_INSTRUCTIONS);
  writer.instruction(withdrawAsset(checked.totals));
  writer.instruction(feeInstruction(input, checked.fee));
  for (const payout of input.payouts) writer.depositToAccount(payout.asset, payout.amount, payout.beneficiary.toLowerCase() as AccountHex);
  writer.instruction(refundSurplus());
  writer.instruction(depositAsset(allCounted(checked.totals.length), accountLocation(checked.surplusTo)));
  writer.instruction(setTopic(input.topic));
  return writer.finish();
}

export interface SettlementDispatchInput extends SettlementXcmInput {
  readonly kind: DispatchKind;
  /** The chain whose pallet-xcm receives the extrinsic (the pool's chain for 'send'). */
  readonly origin: ChainId;
  /** Where the message executes; must equal origin for 'execute' and differ for 'send'. */
  readonly destination: ChainId;
}

/** The connector-ready dispatch: the encoded message with its topic. */
export function buildSettlementDispatch(input: SettlementDispatchInput): XcmDispatch {
  parseChainId(input.origin);
  parseChainId(input.destination);
  if ((input.kind === 'execute') !== (input.origin === input.destination)) {
    throw new CodedError('XCM_INVALID_MESSAGE', `'${input.kind}' from ${input.origin} to ${input.destination}: execute runs on its origin, send goes elsewhere`);
  }
  const message = encodeSettlementXcm(input);
  return { origin: input.origin, destination: input.destination, kind: input.kind, message, topic: Uint8Array.from(input.topic) };
}

/** Arguments of pallet-xcm `transferAssets(dest, beneficiary, assets, feeAssetItem, weightLimit)`, in @polkadot/api shape. */
export interface TransferAssetsArgs {
  readonly dest: PolkadotJsValue;
  readonly beneficiary: PolkadotJsValue;
  readonly assets: PolkadotJsValue;
  readonly feeAssetItem: number;
  readonly weightLimit: PolkadotJsValue;
}

export interface TransferAssetsInput {
  readonly version: XcmVersion;
  /** The destination chain as the origin chain names it (see chainLocation). */
  readonly dest: Location;
  readonly beneficiary: AccountHex;
  /** Asset ids as the origin chain names them. */
  readonly assets: readonly Asset[];
  /** The asset (by location) that pays fees on the destination; must be one of `assets`. */
  readonly feeAsset: Location;
  readonly weightLimit?: WeightLimit;
}

/** For runtimes that filter `execute` (withdrawals to another chain): the pallet sorts out teleport vs reserve. */
export function buildTransferAssetsArgs(input: TransferAssetsInput): TransferAssetsArgs {
  const assets = assetList(input.assets);
  if (assets.length === 0) throw new CodedError('XCM_INVALID_MESSAGE', 'transferAssets needs at least one asset');
  const feeAssetItem = assets.findIndex((candidate) => compareLocation(candidate.id, input.feeAsset) === 0);
  if (feeAssetItem < 0) throw new CodedError('XCM_INVALID_MESSAGE', 'the fee asset is not among the transferred assets');
  return {
    dest: versionedLocationToJs(input.version, input.dest),
    beneficiary: versionedLocationToJs(input.version, accountLocation(checkAccount(input.beneficiary))),
    assets: versionedAssetsToJs(input.version, assets),
    feeAssetItem,
    weightLimit: weightLimitToJs(input.weightLimit ?? unlimitedWeight()),
  };
}
