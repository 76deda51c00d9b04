// The failures the shared channel code can detect, as names independent of the side that
// detects them. The enclave maps them to its 21xx codes and the client to its 61xx codes
// (docs/protocol.md §7), so one parser serves both sides and each still reports its own code.
import { CodedError, type ErrorName } from '../errors/index.js';

export const CHANNEL_FAULTS = [
  'HANDSHAKE_BAD_INPUT',
  'HANDSHAKE_ALREADY_USED',
  'HELLO_BAD_LENGTH',
  'UNSUPPORTED_VERSION',
  'UNEXPECTED_KIND',
  'HELLO_BAD_PUBLIC_KEY',
  'HELLO_BAD_SIGNATURE',
  'FRAME_TRUNCATED',
  'FRAME_TRAILING_BYTES',
  'FRAME_BAD_HEADER',
  'FRAME_BAD_LENGTH',
  'FRAME_WRONG_SESSION',
  'FRAME_WRONG_DIRECTION',
  'FRAME_REPLAYED',
  'FRAME_OUT_OF_ORDER',
  'FRAME_AUTH_FAILED',
  'FRAME_BAD_PADDING',
  'PAYLOAD_TOO_LARGE',
  'SESSION_CLOSED',
  'SESSION_EXHAUSTED',
  'MESSAGE_BAD_UTF8',
  'MESSAGE_BAD_JSON',
  'MESSAGE_NOT_CANONICAL',
  'MESSAGE_BAD_ENVELOPE',
  'MESSAGE_BAD_TYPE',
  'MESSAGE_BAD_ID',
  'MESSAGE_BAD_BODY',
] as const;

export type ChannelFault = (typeof CHANNEL_FAULTS)[number];

/** How one side names each shared failure in the error table. */
export type ChannelFaultTable = Readonly<Record<ChannelFault, ErrorName>>;

export function channelError(faults: ChannelFaultTable, fault: ChannelFault, detail?: string): CodedError {
  return new CodedError(faults[fault], detail);
}

/**
 * A table that reports every channel failure under one code: for code outside both ends
 * (the gateway, which may only parse frame headers) that has a single error for bad frames.
 */
export function singleCodeFaultTable(name: ErrorName): ChannelFaultTable {
  return Object.fromEntries(CHANNEL_FAULTS.map((fault) => [fault, name])) as Record<ChannelFault, ErrorName>;
}
