// Replays a dstack event log into the four RTMRs and reads the app identity that dstack
// measured at boot. Runtime event digests are recomputed from their content, never taken
// from the log (dstack 0.6 leaves them empty, and a stated digest could lie); only firmware
// events, whose content the log does not carry in full, contribute their stated digest.
import { sha384 } from '@noble/hashes/sha2';
import { bytesToHex, bytesToUtf8, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { CodedError } from '../../src/errors/index.js';
import { DSTACK_RUNTIME_EVENT_TYPE, EVENT_DIGEST_BYTES, type DstackEventLogEntry } from '../../src/protocol/attestation-bundle.js';

export const RTMR_COUNT = 4;
/** The RTMR that dstack's guest agent extends with runtime events. */
export const APP_RTMR_INDEX = 3;
export const SYSTEM_READY_EVENT = 'system-ready';

/** sha384(le32(event_type) || ":" || name || ":" || payload): dstack's digest of a runtime event. */
export function runtimeEventDigest(eventType: number, name: string, payload: Uint8Array): Uint8Array {
  const typeBytes = new Uint8Array(4);
  new DataView(typeBytes.buffer).setUint32(0, eventType, true);
  return sha384(concatBytes(typeBytes, utf8ToBytes(':'), utf8ToBytes(name), utf8ToBytes(':'), payload));
}

/**
 * The four RTMRs the log produces: RTMR[imr] = sha384(RTMR[imr] || digest), from zero.
 * Throws ATTESTATION_EVENT_LOG_MISMATCH when a runtime event states a digest other than its
 * content's, or a firmware event has none.
 */
export function replayEventLog(events: readonly DstackEventLogEntry[]): string[] {
  const registers: Uint8Array[] = Array.from({ length: RTMR_COUNT }, () => new Uint8Array(EVENT_DIGEST_BYTES));
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    let digest: Uint8Array;
    if (event.event_type === DSTACK_RUNTIME_EVENT_TYPE) {
      digest = runtimeEventDigest(event.event_type, event.event, hexToBytes(event.event_payload));
      if (event.digest !== '' && event.digest !== bytesToHex(digest)) mismatch(`event ${index} (${event.event}) states a digest that is not its content's`);
    } else {
      if (event.digest.length !== EVENT_DIGEST_BYTES * 2) mismatch(`firmware event ${index} has no digest`);
      digest = hexToBytes(event.digest);
    }
    registers[event.imr] = sha384(concatBytes(registers[event.imr]!, digest));
  }
  return registers.map((register) => bytesToHex(register));
}

/** The app identity dstack measured into RTMR3 before it declared the system ready. */
export interface DstackAppEvents {
  readonly composeHashHex: string;
  readonly appIdHex: string;
  readonly keyProvider: { readonly name: string; readonly idHex: string } | null;
  readonly keyProviderPayloadHex: string;
  readonly instanceIdHex: string | null;
  readonly osImageHashHex: string | null;
}

const PINNED_EVENT_NAMES = ['compose-hash', 'app-id', 'key-provider', 'instance-id', 'os-image-hash'] as const;
type PinnedEventName = (typeof PINNED_EVENT_NAMES)[number];

/**
 * Reads compose-hash, app-id, key-provider (and instance-id, os-image-hash when present)
 * from the RTMR3 runtime events before system-ready; events after it are the app's own and
 * cannot speak for the boot. Throws ATTESTATION_APP_EVENT_MISSING when system-ready or a
 * required event is absent, ATTESTATION_EVENT_LOG_MISMATCH when one appears twice.
 */
export function appEventsBeforeSystemReady(events: readonly DstackEventLogEntry[]): DstackAppEvents {
  const found = new Map<PinnedEventName, string>();
  let ready = false;
  for (let index = 0; index < events.length && !ready; index++) {
    const event = events[index]!;
    if (event.imr !== APP_RTMR_INDEX || event.event_type !== DSTACK_RUNTIME_EVENT_TYPE) continue;
    if (event.event === SYSTEM_READY_EVENT) {
      ready = true;
      continue;
    }
    const name = PINNED_EVENT_NAMES.find((candidate) => candidate === event.event);
    if (name === undefined) continue;
    if (found.has(name)) mismatch(`${name} appears twice before system-ready`);
    found.set(name, event.event_payload);
  }
  if (!ready) throw new CodedError('ATTESTATION_APP_EVENT_MISSING', 'no system-ready event in RTMR3.');
  const required = (name: PinnedEventName): string => {
    const payload = found.get(name);
    if (payload === undefined) throw new CodedError('ATTESTATION_APP_EVENT_MISSING', `no ${name} event before system-ready.`);
    return payload;
  };
  const keyProviderPayloadHex = required('key-provider');
  return {
    composeHashHex: required('compose-hash'),
    appIdHex: required('app-id'),
    keyProvider: decodeKeyProvider(keyProviderPayloadHex),
    keyProviderPayloadHex,
    instanceIdHex: found.get('instance-id') ?? null,
    osImageHashHex: found.get('os-image-hash') ?? null,
  };
}

/** dstack's key-provider payload is JSON {"name": ..., "id": <hex>}; null when it is not. */
function decodeKeyProvider(payloadHex: string): { name: string; idHex: string } | null {
  try {
    const parsed: unknown = JSON.parse(bytesToUtf8(hexToBytes(payloadHex)));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { name, id } = parsed as Record<string, unknown>;
    if (typeof name !== 'string' || typeof id !== 'string') return null;
    return { name, idHex: id.toLowerCase() };
  } catch {
    return null;
  }
}

function mismatch(reason: string): never {
  throw new CodedError('ATTESTATION_EVENT_LOG_MISMATCH', `${reason}.`);
}
