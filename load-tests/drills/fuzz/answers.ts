// What the gateway answered one malformed input with, and whether that answer carries a code
// of the one error table (src/errors): an HTTP error body { error: { code } }, a websocket
// close 4000 + (code − 1000) with reason "<code> <NAME>", an enclave close 4900 with reason
// "<code>", or an enclave error reply inside the channel. Anything else — a bare status, a
// standard close code, silence, a reset — is an uncoded answer the drill reports.
import { ERRORS, errorByCode } from '../../../src/errors/index.js';

export type Answer =
  | { readonly kind: 'coded'; readonly code: number }
  | { readonly kind: 'uncoded'; readonly detail: string }
  | { readonly kind: 'unanswered'; readonly detail: string };

const GATEWAY_CLOSE_BASE = 4000;
const ENCLAVE_CLOSE = 4900;
const CLOSE_REASON = /^(\d{4}) ([A-Z][A-Z0-9_]{0,63})$/;
const GATEWAY_CODE_MIN = ERRORS.GATEWAY_INTERNAL.code;

export function coded(code: number): Answer {
  return errorByCode(code) === undefined ? { kind: 'uncoded', detail: `unknown code ${code}` } : { kind: 'coded', code };
}

/** A websocket close as the client saw it. */
export function closeAnswer(code: number, reason: string): Answer {
  if (code === ENCLAVE_CLOSE) return /^\d{4}$/.test(reason) ? coded(Number(reason)) : { kind: 'uncoded', detail: `close 4900 reason ${JSON.stringify(reason.slice(0, 40))}` };
  const match = CLOSE_REASON.exec(reason);
  if (code >= GATEWAY_CLOSE_BASE && code < ENCLAVE_CLOSE && match !== null) {
    const spec = errorByCode(Number(match[1]));
    if (spec !== undefined && spec.name === match[2] && code === GATEWAY_CLOSE_BASE + (spec.code - GATEWAY_CODE_MIN)) return { kind: 'coded', code: spec.code };
  }
  return { kind: 'uncoded', detail: `close ${code}${reason === '' ? '' : ` ${JSON.stringify(reason.slice(0, 40))}`}` };
}

/**
 * An HTTP answer: a 4xx/5xx must carry { error: { code } }, or — when it has no body, as HEAD
 * answers have none — the x-error-code header; a 2xx to a malformed input is itself a finding.
 */
export function httpAnswer(status: number, body: string, headerCode?: string): Answer {
  if (body === '' && status >= 400 && headerCode !== undefined && /^\d{4}$/.test(headerCode)) return coded(Number(headerCode));
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'uncoded', detail: `http ${status} non-JSON body` };
  }
  const error = (parsed as { error?: { code?: unknown } } | null)?.error;
  if (status >= 400 && typeof error?.code === 'number') return coded(error.code);
  return { kind: 'uncoded', detail: `http ${status} without an error code` };
}

/** An enclave message answering a malformed channel message: { t: 'error', body: { code } }. */
export function channelAnswer(message: { readonly t: string; readonly body: Readonly<Record<string, unknown>> }): Answer {
  if (message.t === 'error' && typeof message.body.code === 'number') return coded(message.body.code);
  return { kind: 'uncoded', detail: `channel reply ${message.t.slice(0, 32)}` };
}
