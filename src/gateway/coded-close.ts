// How a coded gateway error reaches a client: a websocket close code and reason, or an HTTP
// status and JSON body. One table, so the two transports never disagree about a code.
import { ERRORS, type CodedError } from '../errors/index.js';
import type { GatewayErrorName } from './metrics.js';

/** Close code for a connection the enclave ended; the reason carries the enclave's code. */
export const ENCLAVE_CLOSE_CODE = 4900;
const GATEWAY_CLOSE_BASE = 4000;

/** 4000 + (code − 1000): GATEWAY_FRAME_TOO_LARGE (1003) closes with 4003. */
export function gatewayCloseCode(name: GatewayErrorName): number {
  return GATEWAY_CLOSE_BASE + (ERRORS[name].code - 1000);
}

/** "1003 GATEWAY_FRAME_TOO_LARGE": short enough for a close frame (at most 123 bytes). */
export function gatewayCloseReason(name: GatewayErrorName): string {
  return `${ERRORS[name].code} ${name}`;
}

export const HTTP_STATUS: Readonly<Record<GatewayErrorName, number>> = {
  GATEWAY_INTERNAL: 500,
  GATEWAY_SESSION_LIMIT: 503,
  GATEWAY_RATE_LIMITED: 429,
  GATEWAY_FRAME_TOO_LARGE: 413,
  GATEWAY_TEXT_MESSAGE: 400,
  GATEWAY_BAD_HELLO: 400,
  GATEWAY_BAD_FRAME: 400,
  GATEWAY_SLOW_CONSUMER: 410,
  GATEWAY_HEARTBEAT_TIMEOUT: 408,
  GATEWAY_HELLO_TIMEOUT: 408,
  GATEWAY_ENCLAVE_TIMEOUT: 504,
  GATEWAY_ENCLAVE_UNAVAILABLE: 503,
  GATEWAY_HELLO_REFUSED: 422,
  GATEWAY_SESSION_NOT_FOUND: 404,
  GATEWAY_BAD_REQUEST: 400,
  GATEWAY_BODY_TOO_LARGE: 413,
  GATEWAY_UNSUPPORTED_MEDIA_TYPE: 415,
  GATEWAY_TOO_MANY_FRAMES: 413,
  GATEWAY_NOT_FOUND: 404,
  GATEWAY_SHUTTING_DOWN: 503,
  GATEWAY_CONFIG_INVALID: 500,
  GATEWAY_WEBSOCKET_PROTOCOL: 400,
  GATEWAY_BAD_UPGRADE: 400,
  GATEWAY_HTTP_MALFORMED: 400,
  GATEWAY_REQUEST_TIMEOUT: 408,
  GATEWAY_HEADERS_TOO_LARGE: 431,
  GATEWAY_SHARD_UNKNOWN: 404,
  GATEWAY_SHARD_CONFIG_INVALID: 500,
};

/** The JSON body of every coded HTTP error. */
export interface ErrorReply {
  readonly error: { readonly code: number; readonly name: string; readonly message: string; readonly enclaveCode?: number };
}

export function errorReply(error: CodedError, enclaveCode?: number): ErrorReply {
  return { error: { code: error.code, name: error.errorName, message: error.message, ...(enclaveCode === undefined ? {} : { enclaveCode }) } };
}

/** The response header that repeats an error's code, for answers without a body (HEAD). */
export const ERROR_CODE_HEADER = 'x-error-code';

export function isGatewayErrorName(name: string): name is GatewayErrorName {
  return Object.hasOwn(HTTP_STATUS, name);
}
