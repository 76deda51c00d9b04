// Every failure the SDK hands a trader is a DarkpoolError: the one error table's code and
// name (the enclave's own code for a rejected request, a gateway code for a refused socket, a
// client 6xxx code for local checks and transport trouble), where it came from, and whether
// retrying can help. Server errors cross the wire as { code, name, message } and are mapped
// back to the table here, so callers can switch on error.errorName.
import { CodedError, errorByCode, ERRORS, isCodedError, type ErrorName } from '../../src/errors/index.js';

export type ErrorOrigin = 'client' | 'gateway' | 'enclave';

/** Failures after which repeating the same call may succeed. */
const RETRYABLE: ReadonlySet<ErrorName> = new Set<ErrorName>([
  'CLIENT_NOT_CONNECTED', 'CLIENT_REQUEST_TIMEOUT', 'CLIENT_CONNECTION_LOST', 'CLIENT_HTTP_FAILED',
  'CLIENT_HANDSHAKE_TIMEOUT', 'CLIENT_SOCKET_CLOSED', 'REQUEST_OVERLOADED', 'ENCLAVE_INTERNAL', 'GATEWAY_INTERNAL',
  'GATEWAY_SESSION_LIMIT', 'GATEWAY_RATE_LIMITED', 'GATEWAY_SLOW_CONSUMER', 'GATEWAY_HEARTBEAT_TIMEOUT', 'GATEWAY_HELLO_TIMEOUT',
  'GATEWAY_ENCLAVE_TIMEOUT', 'GATEWAY_ENCLAVE_UNAVAILABLE', 'GATEWAY_SHUTTING_DOWN',
]);

/** Close code of a socket the enclave ended; the reason names the enclave's code. */
export const ENCLAVE_CLOSE_CODE = 4900;
/** Gateway errors close the socket with 4000 + (code − 1000). */
export const GATEWAY_CLOSE_CODE_BASE = 4000;
const MAX_SERVER_MESSAGE_CHARS = 1024;
/** "<code>" or "<code> <NAME>". */
const CLOSE_REASON = /^(\d{4})(?: ([A-Z][A-Z0-9_]{0,63}))?$/;

export interface DarkpoolErrorOptions {
  readonly origin?: ErrorOrigin;
  /** Replaces the composed message, e.g. with the server's own wording. */
  readonly message?: string;
  readonly retryable?: boolean;
}

export class DarkpoolError extends CodedError {
  readonly origin: ErrorOrigin;
  /** True when the same call may succeed later; false when it must change first. */
  readonly retryable: boolean;

  constructor(name: ErrorName, detail?: string, options: DarkpoolErrorOptions = {}) {
    super(name, detail);
    this.name = 'DarkpoolError';
    if (options.message !== undefined) this.message = options.message;
    this.origin = options.origin ?? 'client';
    this.retryable = options.retryable ?? RETRYABLE.has(name);
  }
}

export function isDarkpoolError(value: unknown, name?: ErrorName): value is DarkpoolError {
  return value instanceof DarkpoolError && (name === undefined || value.errorName === name);
}

/** Wraps a coded error thrown by a shared module (channel, attestation) so callers see one type. */
export function asDarkpoolError(error: unknown): DarkpoolError {
  if (error instanceof DarkpoolError) return error;
  if (isCodedError(error)) return new DarkpoolError(error.errorName, error.detail, { message: error.message });
  throw error;
}

/** The body of an enclave "error" envelope, checked, as a typed error. */
export function errorFromServer(body: Readonly<Record<string, unknown>>): DarkpoolError {
  const { code, name, message } = body;
  if (typeof code !== 'number' || typeof name !== 'string' || typeof message !== 'string') {
    return new DarkpoolError('CLIENT_BAD_ANSWER', 'an error answer without code, name and message', { origin: 'enclave' });
  }
  const text = message.slice(0, MAX_SERVER_MESSAGE_CHARS);
  const known = errorByCode(code);
  if (known === undefined || known.name !== name) {
    return new DarkpoolError('CLIENT_SERVER_ERROR_UNKNOWN', `${code} ${name.slice(0, 64)}: ${text}`, { origin: 'enclave' });
  }
  return new DarkpoolError(known.name, detailOf(known.name, text), { origin: 'enclave', message: text });
}

/**
 * Why a socket closed, when the gateway or the enclave said so; undefined for an ordinary
 * close or a network drop (the caller decides what that means).
 */
export function errorFromClose(closeCode: number, reason: string): DarkpoolError | undefined {
  const stated = CLOSE_REASON.exec(reason);
  const statedName = stated === null ? undefined : errorByCode(Number(stated[1]));
  if (closeCode === ENCLAVE_CLOSE_CODE) {
    if (statedName !== undefined && (stated![2] === undefined || statedName.name === stated![2])) return new DarkpoolError(statedName.name, undefined, { origin: 'enclave' });
    return new DarkpoolError('CLIENT_SOCKET_CLOSED', `the enclave closed the session (${closeCode} ${reason.slice(0, 120)})`, { origin: 'enclave' });
  }
  if (closeCode >= GATEWAY_CLOSE_CODE_BASE && closeCode < ENCLAVE_CLOSE_CODE) {
    const gateway = errorByCode(closeCode - GATEWAY_CLOSE_CODE_BASE + 1000);
    if (gateway !== undefined) return new DarkpoolError(gateway.name, reason.slice(0, 120) || undefined, { origin: 'gateway' });
    return new DarkpoolError('CLIENT_SOCKET_CLOSED', `the gateway closed the socket (${closeCode} ${reason.slice(0, 120)})`, { origin: 'gateway' });
  }
  return undefined;
}

/** The server formats "NAME (code): table message detail"; the detail is what follows the table message. */
function detailOf(name: ErrorName, message: string): string | undefined {
  const prefix = `${name} (${ERRORS[name].code}): ${ERRORS[name].message}`;
  if (!message.startsWith(prefix)) return message;
  const rest = message.slice(prefix.length).trim();
  return rest.length === 0 ? undefined : rest;
}
