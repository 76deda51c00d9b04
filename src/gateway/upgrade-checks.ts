// What the gateway answers for input that never reaches a route handler: broken HTTP (the
// server's clientError), a websocket upgrade the ws library would refuse with a bare status,
// and websocket protocol violations ws would close with a bare RFC 6455 code. Each gets a code
// of the error table instead, so a client — or the fault drills' fuzzer — can always tell why.
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { CodedError, ERRORS } from '../errors/index.js';
import { ERROR_CODE_HEADER, HTTP_STATUS, errorReply, gatewayCloseCode, gatewayCloseReason } from './coded-close.js';
import type { GatewayErrorName } from './metrics.js';

/** RFC 6455 §4.1: 16 random bytes, base64. */
const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;
/** RFC 7230 tokens separated by commas (ws's own subprotocol grammar). */
const PROTOCOL_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*,[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

/** Refuses an upgrade request the ws library would answer with a bare 400 (GATEWAY_BAD_UPGRADE). */
export function checkUpgradeRequest(method: string, httpVersion: string, headers: IncomingHttpHeaders): void {
  const fail = (detail: string): never => { throw new CodedError('GATEWAY_BAD_UPGRADE', detail); };
  if (method !== 'GET') fail('the method must be GET');
  if (httpVersion !== '1.1') fail('the request must be HTTP/1.1');
  if (headers.upgrade?.toLowerCase() !== 'websocket') fail('Upgrade must be websocket');
  if (String(headers['sec-websocket-version']) !== '13') fail('Sec-WebSocket-Version must be 13');
  const key = headers['sec-websocket-key'];
  if (key === undefined || !WEBSOCKET_KEY.test(key.trim())) fail('Sec-WebSocket-Key must be 16 bytes in base64');
  const protocols = headers['sec-websocket-protocol'];
  if (protocols !== undefined && !PROTOCOL_LIST.test(protocols.trim())) fail('Sec-WebSocket-Protocol must be a list of tokens');
}

/** Node's clientError codes for a request that timed out or whose headers overflowed. */
const CLIENT_ERROR_NAMES: Readonly<Record<string, GatewayErrorName>> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'GATEWAY_REQUEST_TIMEOUT',
  HPE_HEADER_OVERFLOW: 'GATEWAY_HEADERS_TOO_LARGE',
};

/**
 * Fastify's clientErrorHandler: bytes that are not a well-formed request get a coded JSON answer
 * before the connection closes (GATEWAY_HTTP_MALFORMED, or the timeout and header-size codes).
 */
export function answerClientError(onReject: (name: GatewayErrorName) => void): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const name = CLIENT_ERROR_NAMES[error.code ?? ''] ?? 'GATEWAY_HTTP_MALFORMED';
    onReject(name);
    if (socket.writable) {
      const body = JSON.stringify(errorReply(new CodedError(name)));
      socket.write(`HTTP/1.1 ${HTTP_STATUS[name]} ${name}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${ERROR_CODE_HEADER}: ${ERRORS[name].code}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}

/** The close codes ws sends on its own for a peer's protocol violation (1002), bad UTF-8 (1007) or an oversize message (1009). */
const LIBRARY_CLOSE_CODES = new Set([1002, 1007, 1009]);

/**
 * The gateway's websocket class: when ws closes a socket on its own for a protocol violation —
 * it calls close(code) with no reason, which the gateway never does — the close carries
 * GATEWAY_WEBSOCKET_PROTOCOL (4021, "1021 GATEWAY_WEBSOCKET_PROTOCOL") instead of the bare code.
 */
export class CodedCloseWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    if (data === undefined && code !== undefined && LIBRARY_CLOSE_CODES.has(code)) {
      super.close(gatewayCloseCode('GATEWAY_WEBSOCKET_PROTOCOL'), gatewayCloseReason('GATEWAY_WEBSOCKET_PROTOCOL'));
      return;
    }
    super.close(code, data);
  }
}
