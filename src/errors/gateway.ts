// Coded errors of the untrusted host: limits, framing and transport (1xxx). Part of the one error table in ./index.ts.
// A websocket closed for one of these carries close code 4000 + (code − 1000) and reason "<code> <NAME>" (docs/gateway.md).
import type { ErrorSection } from './spec.js';

export const GATEWAY_ERRORS = {
  GATEWAY_INTERNAL: { code: 1000, message: 'Internal gateway error; the request was not applied.' },
  GATEWAY_SESSION_LIMIT: { code: 1001, message: 'The gateway already holds its maximum number of sessions; retry later or close an idle session.' },
  GATEWAY_RATE_LIMITED: { code: 1002, message: 'The session sent frames faster than its per-second allowance; slow down (a websocket is closed, a REST call is refused whole).' },
  GATEWAY_FRAME_TOO_LARGE: { code: 1003, message: 'A message is larger than the gateway\'s maximum frame size.' },
  GATEWAY_TEXT_MESSAGE: { code: 1004, message: 'The stream carries binary messages only; a text message was received.' },
  GATEWAY_BAD_HELLO: { code: 1005, message: 'The first message of a session is not a ClientHello of the protocol\'s size (210 bytes).' },
  GATEWAY_BAD_FRAME: { code: 1006, message: 'A frame\'s public header is malformed or its length differs from the length the header declares.' },
  GATEWAY_SLOW_CONSUMER: { code: 1007, message: 'The session did not read its output fast enough and its queued bytes passed the limit; it was dropped and its enclave connection closed.' },
  GATEWAY_HEARTBEAT_TIMEOUT: { code: 1008, message: 'The peer did not answer two websocket pings in a row and was dropped.' },
  GATEWAY_HELLO_TIMEOUT: { code: 1009, message: 'No ClientHello arrived in time after the websocket opened.' },
  GATEWAY_ENCLAVE_TIMEOUT: { code: 1010, message: 'The enclave did not answer the ClientHello in time; retry.' },
  GATEWAY_ENCLAVE_UNAVAILABLE: { code: 1011, message: 'The enclave is not running; no session can be opened or continued. Retry after it restarts.' },
  GATEWAY_HELLO_REFUSED: { code: 1012, message: 'The enclave refused the ClientHello; enclaveCode in the response names its reason (see the 21xx codes).' },
  GATEWAY_SESSION_NOT_FOUND: { code: 1013, message: 'No REST session has this token: it never existed, was deleted or expired after being idle.' },
  GATEWAY_BAD_REQUEST: { code: 1014, message: 'The request body, parameters or query do not match the API schema (see /v1/openapi.json).' },
  GATEWAY_BODY_TOO_LARGE: { code: 1015, message: 'The request body is larger than the gateway accepts.' },
  GATEWAY_UNSUPPORTED_MEDIA_TYPE: { code: 1016, message: 'Request bodies must be application/json.' },
  GATEWAY_TOO_MANY_FRAMES: { code: 1017, message: 'A REST call carries more frames than the per-call limit; split it.' },
  GATEWAY_NOT_FOUND: { code: 1018, message: 'No such endpoint; see /v1/openapi.json.' },
  GATEWAY_SHUTTING_DOWN: { code: 1019, message: 'The gateway is shutting down; reconnect later and resume from the last report sequence.' },
  GATEWAY_CONFIG_INVALID: { code: 1020, message: 'A gateway limit or market in the configuration is out of range.' },
  GATEWAY_WEBSOCKET_PROTOCOL: { code: 1021, message: 'The peer broke the websocket protocol (bad opcode or framing, or a message past the hard payload cap); the socket was closed.' },
  GATEWAY_BAD_UPGRADE: { code: 1100, message: 'The websocket upgrade request is malformed: it needs GET, Upgrade: websocket, Sec-WebSocket-Version: 13, a base64 16-byte Sec-WebSocket-Key and, if present, a well-formed Sec-WebSocket-Protocol list.' },
  GATEWAY_HTTP_MALFORMED: { code: 1101, message: 'The bytes received are not a well-formed HTTP/1.1 request; the connection was closed.' },
  GATEWAY_REQUEST_TIMEOUT: { code: 1102, message: 'The request did not arrive whole in time (requestTimeoutMs); the connection was closed.' },
  GATEWAY_HEADERS_TOO_LARGE: { code: 1103, message: 'The request headers are larger than the server accepts; the connection was closed.' },
  GATEWAY_SHARD_UNKNOWN: { code: 1150, message: 'No shard with this id is routed by the gateway; see /v1/shards.' },
  GATEWAY_SHARD_CONFIG_INVALID: { code: 1151, message: 'The shard configuration is invalid: shard ids must be unique and each market must belong to exactly one shard.' },
} as const satisfies ErrorSection;
