// The attestation bundle as it travels from the enclave to the client: its types, the
// report-data binding of the enclave keys, the signed message of a development report, and
// one strict parser. Both sides import this neutral module, so it uses only @noble (it must
// also run in a browser) and throws coded errors for every malformed input.
import { sha256, sha512 } from '@noble/hashes/sha2';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { CodedError } from '../errors/index.js';

export const ATTESTATION_BUNDLE_VERSION = 1;

/** dstack's convention: report_data = sha512("<tag>:" || key bytes). Ours binds both enclave keys. */
export const ENCLAVE_KEYS_REPORT_DATA_TAG = 'darkpool-enclave-keys-v1:';
/** Domain separation for the message a development root key signs. */
export const DEV_REPORT_SIGNING_TAG = 'darkpool-dev-report-v1:';
/** Carried verbatim in every development report so no reader can mistake it for a TEE attestation. */
export const DEV_REPORT_LABEL = 'INSECURE DEVELOPMENT ATTESTATION: no TEE, signed by a local dev root key';

export const ENCLAVE_PUBLIC_KEY_BYTES = 32;
export const REPORT_DATA_BYTES = 64;
export const DEV_SIGNATURE_BYTES = 64;
export const EVENT_DIGEST_BYTES = 48;
/** dstack's runtime events (extended into RTMR3 by the guest agent): DSTACK_RUNTIME_EVENT_TYPE. */
export const DSTACK_RUNTIME_EVENT_TYPE = 0x08000001;

/** Every bound the parser enforces; a bundle over any of them is refused before it is read further. */
export const ATTESTATION_BUNDLE_LIMITS = {
  maxBundleChars: 256 * 1024,
  maxQuoteBytes: 32 * 1024,
  maxEvents: 256,
  maxEventNameChars: 128,
  maxEventPayloadBytes: 8 * 1024,
} as const;

export type AttestationKind = 'dstack-tdx' | 'dev';

/** The enclave's public keys as the enclave holds them. */
export interface EnclavePublicKeys {
  readonly ed25519PublicKey: Uint8Array;
  readonly x25519PublicKey: Uint8Array;
}

/** The enclave's public keys on the wire: lowercase hex, 32 bytes each. */
export interface EnclaveKeysHex {
  readonly ed25519Hex: string;
  readonly x25519Hex: string;
}

/** One entry of a dstack event log, with dstack's own field names so logs pass through unchanged. */
export interface DstackEventLogEntry {
  /** Which RTMR the event extends: 0..3. */
  readonly imr: number;
  readonly event_type: number;
  /** sha384 of the event, lowercase hex; dstack 0.6 leaves it empty for runtime events. */
  readonly digest: string;
  /** The event name; empty for firmware events. */
  readonly event: string;
  /** The event payload, lowercase hex. */
  readonly event_payload: string;
}

export interface DstackAttestationBundle {
  readonly version: typeof ATTESTATION_BUNDLE_VERSION;
  readonly kind: 'dstack-tdx';
  readonly enclaveKeys: EnclaveKeysHex;
  /** The raw DCAP quote from the dstack guest agent, lowercase hex. */
  readonly quoteHex: string;
  readonly eventLog: readonly DstackEventLogEntry[];
}

export interface DevAttestationReport {
  readonly label: typeof DEV_REPORT_LABEL;
  readonly rootPublicKeyHex: string;
  readonly reportDataHex: string;
  /** Ed25519 signature by the dev root over devReportMessage(reportData). */
  readonly signatureHex: string;
}

export interface DevAttestationBundle {
  readonly version: typeof ATTESTATION_BUNDLE_VERSION;
  readonly kind: 'dev';
  readonly insecure: true;
  readonly enclaveKeys: EnclaveKeysHex;
  readonly devReport: DevAttestationReport;
}

export type AttestationBundle = DstackAttestationBundle | DevAttestationBundle;

/** The 64 bytes of report data that bind the enclave keys: sha512(tag || ed25519 pub || x25519 pub). */
export function enclaveKeysReportData(keys: EnclavePublicKeys): Uint8Array {
  if (keys.ed25519PublicKey.length !== ENCLAVE_PUBLIC_KEY_BYTES || keys.x25519PublicKey.length !== ENCLAVE_PUBLIC_KEY_BYTES) {
    throw new CodedError('ATTESTATION_BUNDLE_MALFORMED', 'enclave public keys must be 32 bytes each');
  }
  return sha512(concatBytes(utf8ToBytes(ENCLAVE_KEYS_REPORT_DATA_TAG), keys.ed25519PublicKey, keys.x25519PublicKey));
}

/** The exact bytes a development root key signs for a report. */
export function devReportMessage(reportData: Uint8Array): Uint8Array {
  if (reportData.length !== REPORT_DATA_BYTES) throw new CodedError('ATTESTATION_BUNDLE_MALFORMED', 'dev report data must be 64 bytes');
  return concatBytes(utf8ToBytes(DEV_REPORT_SIGNING_TAG), reportData);
}

export function enclaveKeysToHex(keys: EnclavePublicKeys): EnclaveKeysHex {
  return { ed25519Hex: bytesToHex(keys.ed25519PublicKey), x25519Hex: bytesToHex(keys.x25519PublicKey) };
}

export function enclaveKeysFromHex(keys: EnclaveKeysHex): EnclavePublicKeys {
  return { ed25519PublicKey: hexToBytes(keys.ed25519Hex), x25519PublicKey: hexToBytes(keys.x25519Hex) };
}

const QUOTE_HEADER_BYTES = 48;
const QUOTE_V5_BODY_DESCRIPTOR_BYTES = 6;
const TEE_TYPE_SGX = 0x00000000;
const TEE_TYPE_TDX = 0x00000081;
const SGX_REPORT_DATA_OFFSET = 320;
const TD_REPORT_DATA_OFFSET = 520;

/**
 * The report_data field of a DCAP quote (SGX v3/v4, TDX v4/v5), read from its fixed layout
 * without verifying anything; undefined when the layout is not one of those. The enclave
 * uses it to check that the quote it was handed carries the data it asked for.
 */
export function quoteReportData(quote: Uint8Array): Uint8Array | undefined {
  if (quote.length < QUOTE_HEADER_BYTES) return undefined;
  const view = new DataView(quote.buffer, quote.byteOffset, quote.byteLength);
  const version = view.getUint16(0, true);
  const teeType = view.getUint32(4, true);
  let reportStart = QUOTE_HEADER_BYTES;
  if (version === 5) {
    if (quote.length < QUOTE_HEADER_BYTES + QUOTE_V5_BODY_DESCRIPTOR_BYTES) return undefined;
    reportStart += QUOTE_V5_BODY_DESCRIPTOR_BYTES;
  } else if (version !== 3 && version !== 4) {
    return undefined;
  }
  let offset: number;
  if (teeType === TEE_TYPE_TDX && version !== 3) offset = reportStart + TD_REPORT_DATA_OFFSET;
  else if (teeType === TEE_TYPE_SGX) offset = reportStart + SGX_REPORT_DATA_OFFSET;
  else return undefined;
  if (quote.length < offset + REPORT_DATA_BYTES) return undefined;
  return quote.slice(offset, offset + REPORT_DATA_BYTES);
}

/** The canonical JSON of a bundle: fixed key order, lowercase hex. Parsing it gives the same bundle. */
export function serializeAttestationBundle(bundle: AttestationBundle): string {
  return JSON.stringify(canonicalBundle(bundle));
}

/** sha256 of the canonical JSON; the handshake transcript names the attestation by it. */
export function attestationBundleDigest(bundle: AttestationBundle): Uint8Array {
  return sha256(utf8ToBytes(serializeAttestationBundle(bundle)));
}

function canonicalBundle(bundle: AttestationBundle): AttestationBundle {
  const enclaveKeys = { ed25519Hex: bundle.enclaveKeys.ed25519Hex, x25519Hex: bundle.enclaveKeys.x25519Hex };
  if (bundle.kind === 'dev') {
    const { label, rootPublicKeyHex, reportDataHex, signatureHex } = bundle.devReport;
    return { version: bundle.version, kind: 'dev', insecure: true, enclaveKeys, devReport: { label, rootPublicKeyHex, reportDataHex, signatureHex } };
  }
  const eventLog = bundle.eventLog.map((e) => ({ imr: e.imr, event_type: e.event_type, digest: e.digest, event: e.event, event_payload: e.event_payload }));
  return { version: bundle.version, kind: 'dstack-tdx', enclaveKeys, quoteHex: bundle.quoteHex, eventLog };
}

/**
 * Parses and validates a bundle given as JSON text or as an already-parsed value. Returns a
 * fresh, canonical bundle (lowercase hex, known fields only). Throws ATTESTATION_BUNDLE_TOO_LARGE
 * or ATTESTATION_BUNDLE_MALFORMED with the offending field named; never anything else.
 */
export function parseAttestationBundle(input: unknown): AttestationBundle {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > ATTESTATION_BUNDLE_LIMITS.maxBundleChars) tooLarge(`bundle is ${input.length} chars, limit ${ATTESTATION_BUNDLE_LIMITS.maxBundleChars}`);
    try {
      value = JSON.parse(input);
    } catch {
      malformed('bundle', 'is not valid JSON');
    }
  }
  const root = record(value, 'bundle');
  if (root.version !== ATTESTATION_BUNDLE_VERSION) malformed('version', `must be ${ATTESTATION_BUNDLE_VERSION}`);
  if (root.kind === 'dstack-tdx') {
    onlyKeys(root, ['version', 'kind', 'enclaveKeys', 'quoteHex', 'eventLog'], 'bundle');
    return {
      version: ATTESTATION_BUNDLE_VERSION,
      kind: 'dstack-tdx',
      enclaveKeys: parseEnclaveKeys(root.enclaveKeys),
      quoteHex: hexField(root.quoteHex, 'quoteHex', { maxBytes: ATTESTATION_BUNDLE_LIMITS.maxQuoteBytes, minBytes: QUOTE_HEADER_BYTES }),
      eventLog: parseEventLog(root.eventLog),
    };
  }
  if (root.kind === 'dev') {
    onlyKeys(root, ['version', 'kind', 'insecure', 'enclaveKeys', 'devReport'], 'bundle');
    if (root.insecure !== true) malformed('insecure', 'a dev bundle must say insecure: true');
    return { version: ATTESTATION_BUNDLE_VERSION, kind: 'dev', insecure: true, enclaveKeys: parseEnclaveKeys(root.enclaveKeys), devReport: parseDevReport(root.devReport) };
  }
  return malformed('kind', "must be 'dstack-tdx' or 'dev'");
}

function parseEnclaveKeys(value: unknown): EnclaveKeysHex {
  const keys = record(value, 'enclaveKeys');
  onlyKeys(keys, ['ed25519Hex', 'x25519Hex'], 'enclaveKeys');
  return {
    ed25519Hex: hexField(keys.ed25519Hex, 'enclaveKeys.ed25519Hex', { exactBytes: ENCLAVE_PUBLIC_KEY_BYTES }),
    x25519Hex: hexField(keys.x25519Hex, 'enclaveKeys.x25519Hex', { exactBytes: ENCLAVE_PUBLIC_KEY_BYTES }),
  };
}

function parseDevReport(value: unknown): DevAttestationReport {
  const report = record(value, 'devReport');
  onlyKeys(report, ['label', 'rootPublicKeyHex', 'reportDataHex', 'signatureHex'], 'devReport');
  if (report.label !== DEV_REPORT_LABEL) malformed('devReport.label', 'must be the fixed insecure-development label');
  return {
    label: DEV_REPORT_LABEL,
    rootPublicKeyHex: hexField(report.rootPublicKeyHex, 'devReport.rootPublicKeyHex', { exactBytes: ENCLAVE_PUBLIC_KEY_BYTES }),
    reportDataHex: hexField(report.reportDataHex, 'devReport.reportDataHex', { exactBytes: REPORT_DATA_BYTES }),
    signatureHex: hexField(report.signatureHex, 'devReport.signatureHex', { exactBytes: DEV_SIGNATURE_BYTES }),
  };
}

function parseEventLog(value: unknown): DstackEventLogEntry[] {
  if (!Array.isArray(value)) malformed('eventLog', 'must be an array');
  const entries = value as unknown[];
  if (entries.length > ATTESTATION_BUNDLE_LIMITS.maxEvents) tooLarge(`eventLog has ${entries.length} events, limit ${ATTESTATION_BUNDLE_LIMITS.maxEvents}`);
  const events: DstackEventLogEntry[] = [];
  for (let index = 0; index < entries.length; index++) events.push(parseEvent(entries[index], `eventLog[${index}]`));
  return events;
}

function parseEvent(value: unknown, path: string): DstackEventLogEntry {
  const entry = record(value, path);
  onlyKeys(entry, ['imr', 'event_type', 'digest', 'event', 'event_payload'], path);
  const imr = entry.imr;
  if (typeof imr !== 'number' || !Number.isInteger(imr) || imr < 0 || imr > 3) malformed(`${path}.imr`, 'must be an integer 0..3');
  const eventType = entry.event_type;
  if (typeof eventType !== 'number' || !Number.isInteger(eventType) || eventType < 0 || eventType > 0xffffffff) malformed(`${path}.event_type`, 'must be a 32-bit unsigned integer');
  const name = entry.event;
  if (typeof name !== 'string') malformed(`${path}.event`, 'must be a string');
  if (name.length > ATTESTATION_BUNDLE_LIMITS.maxEventNameChars) tooLarge(`${path}.event is longer than ${ATTESTATION_BUNDLE_LIMITS.maxEventNameChars} chars`);
  const digest = entry.digest === '' ? '' : hexField(entry.digest, `${path}.digest`, { exactBytes: EVENT_DIGEST_BYTES });
  const payload = hexField(entry.event_payload, `${path}.event_payload`, { maxBytes: ATTESTATION_BUNDLE_LIMITS.maxEventPayloadBytes });
  return { imr, event_type: eventType, digest, event: name, event_payload: payload };
}

interface HexBounds { readonly exactBytes?: number; readonly minBytes?: number; readonly maxBytes?: number }

const HEX_PATTERN = /^[0-9a-fA-F]*$/;

function hexField(value: unknown, path: string, bounds: HexBounds): string {
  if (typeof value !== 'string') return malformed(path, 'must be a hex string');
  if (bounds.maxBytes !== undefined && value.length > bounds.maxBytes * 2) tooLarge(`${path} exceeds ${bounds.maxBytes} bytes`);
  if (bounds.exactBytes !== undefined && value.length !== bounds.exactBytes * 2) malformed(path, `must be ${bounds.exactBytes} bytes of hex`);
  if (value.length % 2 !== 0 || !HEX_PATTERN.test(value)) malformed(path, 'must be hex digits, two per byte, without 0x');
  if (bounds.minBytes !== undefined && value.length < bounds.minBytes * 2) malformed(path, `must be at least ${bounds.minBytes} bytes`);
  return value.toLowerCase();
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) malformed(path, 'must be an object');
  return value as Record<string, unknown>;
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) malformed(path, `has unknown field ${JSON.stringify(key.slice(0, 64))}`);
}

function malformed(path: string, reason: string): never {
  throw new CodedError('ATTESTATION_BUNDLE_MALFORMED', `${path} ${reason}.`);
}

function tooLarge(reason: string): never {
  throw new CodedError('ATTESTATION_BUNDLE_TOO_LARGE', `${reason}.`);
}
