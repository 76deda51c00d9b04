// The plaintext inside a frame: one JSON envelope { t, id, body }, or a packed list of 2 to
// 256 of them (docs/protocol.md §5, §5.1). The codec is generic — the enclave's command layer
// defines the bodies — but strict: the bytes must be the canonical JSON.stringify form,
// numbers only safe integers (money is a decimal string), and every shape bounded, so a
// message, and a packed list, has exactly one encoding.
import { channelError, type ChannelFaultTable } from './channel-faults.js';
import { MAX_PAYLOAD_BYTES } from './channel-wire.js';

export type JsonValue = string | number | boolean | null | JsonArray | JsonObject;
export type JsonArray = readonly JsonValue[];
export interface JsonObject { readonly [key: string]: JsonValue }

/** A decoded message: its body is checked JSON. */
export interface ChannelMessage {
  /** Message type, e.g. "order.place". */
  readonly t: string;
  /** Request id; a reply carries its request's id. */
  readonly id: string;
  readonly body: JsonObject;
}

/**
 * What encodeMessage accepts. The body may be any typed object (interfaces with optional
 * fields included); it is checked at run time by the same rules as a decoded one, and a
 * property left undefined is omitted, as JSON.stringify does.
 */
export interface OutgoingMessage {
  readonly t: string;
  readonly id: string;
  readonly body: object;
}

export const MESSAGE_LIMITS = {
  maxTypeChars: 64,
  maxIdChars: 64,
  maxKeyChars: 64,
  maxDepth: 8,
  maxKeysPerObject: 64,
  maxArrayItems: 1024,
  /** Messages in one packed frame (§5.1); a packed list holds at least two. */
  maxMessagesPerFrame: 256,
} as const;

/** The first byte of a packed payload, '['; a single message opens with '{'. */
const PACKED_OPENING_BYTE = 0x5b;

const TYPE_PATTERN = /^[a-z][A-Za-z0-9_]*(?:\.[a-z][A-Za-z0-9_]*)*$/;
const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
const ENVELOPE_KEYS = ['t', 'id', 'body'] as const;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export function encodeMessage(message: OutgoingMessage, faults: ChannelFaultTable): Uint8Array {
  const bytes = utf8Encoder.encode(encodeMessageText(message, faults));
  if (bytes.length > MAX_PAYLOAD_BYTES) throw channelError(faults, 'PAYLOAD_TOO_LARGE', `message of ${bytes.length} bytes, at most ${MAX_PAYLOAD_BYTES}`);
  return bytes;
}

/**
 * The checked, canonical JSON text of a message, before UTF-8 encoding: for a sender that
 * encodes it straight into its frame (ChannelSession.sealMessage). Its UTF-8 length is not
 * checked here; see utf8ByteLength.
 */
export function encodeMessageText(message: OutgoingMessage, faults: ChannelFaultTable): string {
  checkEnvelope(message, faults, 'encode');
  return JSON.stringify({ t: message.t, id: message.id, body: message.body });
}

const NON_ASCII = /[^\u0000-\u007f]/;

/** Bytes of a string in UTF-8 (lone surrogates count as U+FFFD, as TextEncoder writes them). */
export function utf8ByteLength(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      index += 1;
    } else bytes += 3;
  }
  return bytes;
}

export function decodeMessage(bytes: Uint8Array, faults: ChannelFaultTable): ChannelMessage {
  const text = parseableText(bytes, faults);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw channelError(faults, 'MESSAGE_BAD_JSON');
  }
  checkEnvelope(parsed, faults, 'decode');
  if (JSON.stringify(parsed) !== text) throw channelError(faults, 'MESSAGE_NOT_CANONICAL');
  return parsed;
}

/**
 * Every message a payload carries, in order: a single envelope, or a packed list (§5.1) of
 * 2 to MESSAGE_LIMITS.maxMessagesPerFrame envelopes, each checked as decodeMessage checks
 * one, the whole list in canonical form.
 */
export function decodeMessages(bytes: Uint8Array, faults: ChannelFaultTable): ChannelMessage[] {
  if (bytes.length === 0 || bytes[0] !== PACKED_OPENING_BYTE) return [decodeMessage(bytes, faults)];
  const text = parseableText(bytes, faults);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw channelError(faults, 'MESSAGE_BAD_JSON');
  }
  if (!Array.isArray(parsed)) throw channelError(faults, 'MESSAGE_BAD_ENVELOPE', 'not a list');
  if (parsed.length < 2 || parsed.length > MESSAGE_LIMITS.maxMessagesPerFrame) {
    throw channelError(faults, 'MESSAGE_BAD_ENVELOPE', `a packed list of ${parsed.length} messages, 2 to ${MESSAGE_LIMITS.maxMessagesPerFrame}`);
  }
  for (let index = 0; index < parsed.length; index++) checkEnvelope(parsed[index], faults, 'decode');
  if (JSON.stringify(parsed) !== text) throw channelError(faults, 'MESSAGE_NOT_CANONICAL');
  return parsed as ChannelMessage[];
}

/**
 * The payload text of a packed frame: '[' + the messages' texts (from encodeMessageText)
 * joined by ',' + ']'. Between 2 and MESSAGE_LIMITS.maxMessagesPerFrame texts; a lone
 * message travels as itself, so every list has one encoding.
 */
export function packedMessagesText(texts: readonly string[]): string {
  if (texts.length < 2 || texts.length > MESSAGE_LIMITS.maxMessagesPerFrame) throw new Error(`assertion: a packed list of ${texts.length} messages`);
  return `[${texts.join(',')}]`;
}

/** The text of a payload within the size limit, or the coded error. */
function parseableText(bytes: Uint8Array, faults: ChannelFaultTable): string {
  if (bytes.length > MAX_PAYLOAD_BYTES) throw channelError(faults, 'PAYLOAD_TOO_LARGE', `message of ${bytes.length} bytes, at most ${MAX_PAYLOAD_BYTES}`);
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw channelError(faults, 'MESSAGE_BAD_UTF8');
  }
}

type CodecDirection = 'encode' | 'decode';

function checkEnvelope(value: unknown, faults: ChannelFaultTable, direction: CodecDirection): asserts value is ChannelMessage {
  if (!isPlainObject(value)) throw channelError(faults, 'MESSAGE_BAD_ENVELOPE', 'not an object');
  const keys = Object.keys(value);
  if (keys.length !== ENVELOPE_KEYS.length || keys.some((key, i) => key !== ENVELOPE_KEYS[i])) {
    throw channelError(faults, 'MESSAGE_BAD_ENVELOPE', `keys ${keys.slice(0, ENVELOPE_KEYS.length + 1).join(',')}`);
  }
  const { t, id, body } = value;
  if (typeof t !== 'string' || t.length > MESSAGE_LIMITS.maxTypeChars || !TYPE_PATTERN.test(t)) throw channelError(faults, 'MESSAGE_BAD_TYPE');
  if (typeof id !== 'string' || id.length > MESSAGE_LIMITS.maxIdChars || !ID_PATTERN.test(id)) throw channelError(faults, 'MESSAGE_BAD_ID');
  if (!isPlainObject(body)) throw channelError(faults, 'MESSAGE_BAD_BODY', 'body is not an object');
  checkValue(body, 1, faults, direction);
}

/** Recursion is bounded by MESSAGE_LIMITS.maxDepth; loops by the per-container limits. */
function checkValue(value: unknown, depth: number, faults: ChannelFaultTable, direction: CodecDirection): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isSafeInteger(value)) throw channelError(faults, 'MESSAGE_BAD_BODY', `number ${value} is not a safe integer; send decimals as strings`);
      return;
    case 'object':
      break;
    default:
      throw channelError(faults, 'MESSAGE_BAD_BODY', `a ${typeof value} is not a JSON value`);
  }
  if (value === null) return;
  if (depth > MESSAGE_LIMITS.maxDepth) throw channelError(faults, 'MESSAGE_BAD_BODY', `nested deeper than ${MESSAGE_LIMITS.maxDepth}`);
  if (Array.isArray(value)) {
    if (value.length > MESSAGE_LIMITS.maxArrayItems) throw channelError(faults, 'MESSAGE_BAD_BODY', `array of ${value.length} items`);
    for (let i = 0; i < value.length; i++) checkValue(value[i], depth + 1, faults, direction);
    return;
  }
  if (!isPlainObject(value)) throw channelError(faults, 'MESSAGE_BAD_BODY', 'only plain objects are JSON objects');
  const keys = Object.keys(value);
  if (keys.length > MESSAGE_LIMITS.maxKeysPerObject) throw channelError(faults, 'MESSAGE_BAD_BODY', `object of ${keys.length} keys`);
  for (const key of keys) {
    if (key.length > MESSAGE_LIMITS.maxKeyChars || !KEY_PATTERN.test(key)) throw channelError(faults, 'MESSAGE_BAD_BODY', `key ${JSON.stringify(key.slice(0, MESSAGE_LIMITS.maxKeyChars))}`);
    const property = value[key];
    if (property === undefined && direction === 'encode') continue;
    checkValue(property, depth + 1, faults, direction);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
