// Reads one finalised block of a real runtime for what settlement needs to know: the pool's own
// `execute` and `send` extrinsics with the topic their message ends in, the destination's
// processed-message events (matched by id, which is the message's SetTopic), and transfers into
// the pool's escrow. Runtimes differ in pallet names and error shapes; everything here goes by
// section/method names and field names from the runtime's own metadata.
import type { GenericExtrinsic } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import { CodedError } from '../../errors/index.js';
import type { AccountHex, ChainId } from '../connector.js';
import { paraChainId } from '../xcm-builder.js';

/** pallet-xcm is `xcmPallet` on relay chains and `polkadotXcm` on parachains. */
export const XCM_PALLET_SECTIONS: readonly string[] = ['polkadotXcm', 'xcmPallet'];
/** A block with more extrinsics or events than this is refused rather than scanned partially. */
export const SCAN_MAX_EXTRINSICS = 10_000;
export const SCAN_MAX_EVENTS = 100_000;

/** Errors after which the message queue keeps the message and may still execute it later (not a final failure). */
const QUEUE_KEEPS_MESSAGE: readonly string[] = ['Overweight', 'Yield', 'StackLimitReached', 'QueueFull'];

export type Fact =
  /** The pool's `execute`: ok when dispatch succeeded and the XCM completed. */
  | { readonly kind: 'execute'; readonly topic: string; readonly reference: string; readonly ok: boolean; readonly reason: string }
  /** The pool's `send` left the origin with this message id. */
  | { readonly kind: 'sent'; readonly topic: string; readonly reference: string }
  /** A message with this id was processed here; `final` is false when the queue keeps it for later. */
  | { readonly kind: 'processed'; readonly topic: string; readonly reference: string; readonly from: ChainId | undefined; readonly ok: boolean; readonly final: boolean; readonly reason: string }
  | { readonly kind: 'deposit'; readonly asset: string; readonly from: AccountHex; readonly amount: bigint; readonly reference: string };

export interface AssetWatch {
  /** Symbol of the chain's native (pallet-balances) asset, if settlement uses it. */
  readonly native: string | undefined;
  /** pallet-assets id (decimal string) -> symbol. */
  readonly assets: ReadonlyMap<string, string>;
}

export interface BlockInput {
  readonly number: number;
  readonly hash: string;
  readonly extrinsics: readonly GenericExtrinsic[];
  readonly events: readonly EventRecord[];
  /** The settlement key's account as this chain's registry prints it (compared with extrinsic signers). */
  readonly poolAddress: string;
  /** Where deposits for the pool arrive on this chain. */
  readonly escrow: AccountHex;
  readonly watch: AssetWatch;
}

const hexOf = (value: Codec): string => value.toHex().toLowerCase();

/** A named field of an event, failing loudly when the runtime shapes the event differently. */
function field(record: EventRecord, name: string): Codec {
  const { event } = record;
  const index = event.data.names?.indexOf(name) ?? -1;
  const value = index >= 0 ? event.data[index] : undefined;
  if (value === undefined) throw new CodedError('XCMP_RUNTIME_UNSUPPORTED', `${event.section}.${event.method} has no field ${name}`);
  return value;
}

/** The SetTopic that ends a VersionedXcm argument, as lower-case hex, or undefined. */
export function topicOfVersionedXcm(message: Codec): string | undefined {
  const json = message.toJSON();
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const instructions = Object.values(json)[0];
  if (!Array.isArray(instructions) || instructions.length === 0) return undefined;
  const last = instructions[instructions.length - 1];
  if (last === null || typeof last !== 'object' || Array.isArray(last)) return undefined;
  const topic = (last as Record<string, unknown>)['setTopic'];
  return typeof topic === 'string' ? topic.toLowerCase() : undefined;
}

/** A dispatch error as "pallet.Error" (with its fields when the runtime gives them), for reasons. */
export function describeDispatchError(error: DispatchError): string {
  if (!error.isModule) return error.type;
  const module = error.asModule;
  try {
    const meta = error.registry.findMetaError(module);
    return `${meta.section}.${meta.name}`;
  } catch {
    return `module ${module.index.toString()} error ${module.error.toHex()}`;
  }
}

const isParaId = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= 0xffff_ffff;

/** AggregateMessageOrigin -> the chain that sent the message (Parent, Sibling(id), Ump(Para(id))). */
export function originChain(origin: Codec): ChainId | undefined {
  const json = origin.toJSON();
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const entry = json as Record<string, unknown>;
  if ('parent' in entry) return 'relay';
  const sibling = entry['sibling'];
  if (isParaId(sibling)) return paraChainId(sibling);
  const ump = entry['ump'];
  if (ump !== null && typeof ump === 'object' && !Array.isArray(ump)) {
    const para = (ump as Record<string, unknown>)['para'];
    if (isParaId(para)) return paraChainId(para);
  }
  return undefined;
}

function accountHex(value: Codec): AccountHex {
  return hexOf(value) as AccountHex;
}

function scanExtrinsic(input: BlockInput, index: number, extrinsic: GenericExtrinsic, events: readonly EventRecord[], out: Fact[]): void {
  if (!extrinsic.isSigned || extrinsic.signer.toString() !== input.poolAddress) return;
  const { section, method } = extrinsic.method;
  if (!XCM_PALLET_SECTIONS.includes(section) || (method !== 'execute' && method !== 'send')) return;
  const message = extrinsic.method.args[method === 'execute' ? 0 : 1];
  const topic = message === undefined ? undefined : topicOfVersionedXcm(message);
  if (topic === undefined) return;
  const reference = `${input.hash}-x${index}`;
  const failed = events.find((r) => r.event.section === 'system' && r.event.method === 'ExtrinsicFailed');
  if (method === 'send') {
    if (failed !== undefined) return;
    for (const record of events) {
      if (XCM_PALLET_SECTIONS.includes(record.event.section) && record.event.method === 'Sent' && hexOf(field(record, 'messageId')) === topic) {
        out.push({ kind: 'sent', topic, reference });
      }
    }
    return;
  }
  if (failed !== undefined) {
    const why = describeDispatchError(field(failed, 'dispatchError') as DispatchError);
    const code = /LocalExecutionIncomplete/.test(why) ? 'XCMP_EXECUTION_INCOMPLETE' : 'XCMP_DISPATCH_FAILED';
    out.push({ kind: 'execute', topic, reference, ok: false, reason: new CodedError(code, why).message });
    return;
  }
  const attempted = events.find((r) => XCM_PALLET_SECTIONS.includes(r.event.section) && r.event.method === 'Attempted');
  const outcome = attempted === undefined ? undefined : field(attempted, 'outcome').toJSON();
  const complete = outcome === undefined || (outcome !== null && typeof outcome === 'object' && 'complete' in outcome);
  out.push({ kind: 'execute', topic, reference, ok: complete, reason: complete ? '' : new CodedError('XCMP_EXECUTION_INCOMPLETE', JSON.stringify(outcome)).message });
}

function scanEvent(input: BlockInput, index: number, record: EventRecord, out: Fact[]): void {
  const { section, method } = record.event;
  const reference = `${input.hash}-e${index}`;
  if (section === 'messageQueue' && (method === 'Processed' || method === 'ProcessingFailed')) {
    const topic = hexOf(field(record, 'id'));
    const from = originChain(field(record, 'origin'));
    if (method === 'Processed') {
      const ok = field(record, 'success').toJSON() === true;
      out.push({ kind: 'processed', topic, reference, from, ok, final: true, reason: ok ? '' : new CodedError('XCMP_EXECUTION_INCOMPLETE', `on the destination (${reference}); assets it withdrew may be trapped there`).message });
      return;
    }
    const error = field(record, 'error').toString();
    out.push({ kind: 'processed', topic, reference, from, ok: false, final: !QUEUE_KEEPS_MESSAGE.includes(error), reason: new CodedError('XCMP_DESTINATION_REJECTED', `${error} (${reference})`).message });
    return;
  }
  const deposit = `${input.number}-${index}`;
  if (section === 'balances' && method === 'Transfer' && input.watch.native !== undefined) {
    if (accountHex(field(record, 'to')) !== input.escrow) return;
    out.push({ kind: 'deposit', asset: input.watch.native, from: accountHex(field(record, 'from')), amount: BigInt(field(record, 'amount').toString()), reference: deposit });
    return;
  }
  if (section === 'assets' && method === 'Transferred') {
    const symbol = input.watch.assets.get(field(record, 'assetId').toString());
    if (symbol === undefined || accountHex(field(record, 'to')) !== input.escrow) return;
    out.push({ kind: 'deposit', asset: symbol, from: accountHex(field(record, 'from')), amount: BigInt(field(record, 'amount').toString()), reference: deposit });
  }
}

/** Everything settlement cares about in one block, in block order. */
export function scanBlock(input: BlockInput): Fact[] {
  if (input.extrinsics.length > SCAN_MAX_EXTRINSICS || input.events.length > SCAN_MAX_EVENTS) {
    throw new CodedError('XCMP_INDEX_LIMIT', `block ${input.number} has ${input.extrinsics.length} extrinsics and ${input.events.length} events`);
  }
  const byExtrinsic = new Map<number, EventRecord[]>();
  for (const record of input.events) {
    if (!record.phase.isApplyExtrinsic) continue;
    const index = record.phase.asApplyExtrinsic.toNumber();
    const list = byExtrinsic.get(index);
    if (list === undefined) byExtrinsic.set(index, [record]);
    else list.push(record);
  }
  const out: Fact[] = [];
  input.extrinsics.forEach((extrinsic, index) => scanExtrinsic(input, index, extrinsic, byExtrinsic.get(index) ?? [], out));
  input.events.forEach((record, index) => scanEvent(input, index, record, out));
  return out;
}
