// The HTTP contract, written once: the JSON schemas the routes validate with, and the
// OpenAPI 3.1 document served at /v1/openapi.json that is built from those same schemas, so
// the document cannot drift from what the gateway enforces. The websocket is described in
// prose (OpenAPI has no websocket messages); docs/gateway.md has the full contract.
import { ERRORS } from '../errors/index.js';
import { GATEWAY_ERRORS } from '../errors/gateway.js';
import { MAX_FRAME_BYTES } from '../protocol/channel-wire.js';
import { CLIENT_HELLO_BYTES, SERVER_HELLO_BYTES } from '../protocol/hello.js';
import { ENCLAVE_CLOSE_CODE, HTTP_STATUS, gatewayCloseCode } from './coded-close.js';
import { REST_WAIT_MS } from './rest-sessions.js';
import { WEB_PAGE_OPENAPI_PATHS } from './web-page.js';

/** A REST frame string may spell up to twice the protocol's largest frame; past the frame limit it is GATEWAY_FRAME_TOO_LARGE, past this GATEWAY_BAD_REQUEST. */
export const REST_FRAME_MAX_DECODED_BYTES = 2 * MAX_FRAME_BYTES;
/** Hard bound on frames in one body, whatever the configured per-call limit (which gives GATEWAY_TOO_MANY_FRAMES). */
export const REST_FRAMES_HARD_MAX = 1_024;

const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

function base64String(description: string, maxBytes: number): Record<string, unknown> {
  return { type: 'string', contentEncoding: 'base64', maxLength: base64Length(maxBytes), description };
}

export const SCHEMAS = {
  errorReply: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'name', 'message'],
        properties: {
          code: { type: 'integer', description: 'The error table code (docs/errors.md); 1xxx are the gateway\'s.' },
          name: { type: 'string' },
          message: { type: 'string' },
          enclaveCode: { type: 'integer', description: 'With GATEWAY_HELLO_REFUSED: the enclave\'s 21xx reason.' },
        },
      },
    },
  },
  attestationBundle: {
    type: 'object',
    description: 'The enclave\'s attestation bundle exactly as the enclave published it (canonical JSON): a dstack TDX quote and event log, or an insecure development report; both carry the enclave public keys.',
    required: ['version', 'kind', 'enclaveKeys'],
    properties: {
      version: { type: 'integer' },
      kind: { type: 'string', enum: ['dstack-tdx', 'dev'] },
      enclaveKeys: {
        type: 'object',
        required: ['ed25519Hex', 'x25519Hex'],
        properties: { ed25519Hex: { type: 'string', pattern: '^[0-9a-f]{64}$' }, x25519Hex: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
      },
    },
  },
  market: {
    type: 'object',
    required: ['id', 'base', 'quote', 'baseDecimals', 'quoteDecimals', 'tickSize', 'lotSize', 'minSizeLots', 'makerFeeBps', 'takerFeeBps', 'mode'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      base: { type: 'string' },
      quote: { type: 'string' },
      baseDecimals: { type: 'integer', minimum: 0 },
      quoteDecimals: { type: 'integer', minimum: 0 },
      tickSize: { type: 'string', description: 'Decimal string: the price grid.' },
      lotSize: { type: 'string', description: 'Decimal string: the size grid.' },
      minSizeLots: { type: 'integer', minimum: 1 },
      makerFeeBps: { type: 'integer', minimum: 0 },
      takerFeeBps: { type: 'integer', minimum: 0 },
      mode: { type: 'string', enum: ['continuous', 'auction'] },
    },
  },
  health: {
    type: 'object',
    required: ['status', 'enclave', 'sessions', 'uptimeS'],
    additionalProperties: false,
    properties: {
      status: { type: 'string', enum: ['ok', 'unavailable'] },
      enclave: { type: 'string', enum: ['ready', 'down'] },
      sessions: { type: 'integer', minimum: 0, description: 'Live sessions, websocket and REST.' },
      uptimeS: { type: 'integer', minimum: 0 },
    },
  },
  createSessionBody: {
    type: 'object',
    required: ['hello'],
    additionalProperties: false,
    properties: { hello: base64String(`The ClientHello (${CLIENT_HELLO_BYTES} bytes, docs/protocol.md §2.1).`, 2 * CLIENT_HELLO_BYTES) },
  },
  createSessionReply: {
    type: 'object',
    required: ['sessionToken', 'serverHello'],
    additionalProperties: false,
    properties: {
      sessionToken: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', description: 'Bearer of the session: 32 random bytes, base64url.' },
      serverHello: base64String(`The ServerHello (${SERVER_HELLO_BYTES} bytes).`, SERVER_HELLO_BYTES),
    },
  },
  framesBody: {
    type: 'object',
    required: ['frames'],
    additionalProperties: false,
    properties: {
      frames: {
        type: 'array',
        maxItems: REST_FRAMES_HARD_MAX,
        description: 'Sealed frames, relayed in order; all are checked before any is relayed. The configured per-call limit applies (GATEWAY_TOO_MANY_FRAMES).',
        items: base64String('One sealed frame (docs/protocol.md §2.3).', REST_FRAME_MAX_DECODED_BYTES),
      },
    },
  },
  framesQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      waitMs: {
        type: 'integer', minimum: 0, maximum: REST_WAIT_MS.max, default: REST_WAIT_MS.default,
        description: 'How long to wait for enclave output: until it has sent a frame (one frame may pack several answers; call again to collect the rest), or this many milliseconds.',
      },
    },
  },
  framesReply: {
    type: 'object',
    required: ['frames'],
    additionalProperties: false,
    properties: {
      frames: { type: 'array', items: base64String('One sealed frame from the enclave.', MAX_FRAME_BYTES), description: 'Everything the enclave sent for the session since the previous call, oldest first.' },
      closed: {
        type: 'object',
        required: ['enclaveCode'],
        additionalProperties: false,
        description: 'Present once, when the enclave closed the session: its code. The token is forgotten afterwards.',
        properties: { enclaveCode: { type: 'integer' } },
      },
    },
  },
  tokenParams: {
    type: 'object',
    required: ['token'],
    properties: { token: { type: 'string', maxLength: 64, description: 'The sessionToken from POST /v1/sessions.' } },
  },
} as const;

const json = (schema: unknown): Record<string, unknown> => ({ content: { 'application/json': { schema } } });
const errors = (...names: (keyof typeof GATEWAY_ERRORS)[]): Record<string, unknown> => {
  const byStatus = new Map<number, (keyof typeof GATEWAY_ERRORS)[]>();
  for (const name of names) byStatus.set(HTTP_STATUS[name], [...(byStatus.get(HTTP_STATUS[name]) ?? []), name]);
  return Object.fromEntries([...byStatus].map(([status, list]) => [String(status), {
    description: list.map((name) => `${ERRORS[name].code} ${name}`).join(', '),
    ...json({ $ref: '#/components/schemas/ErrorReply' }),
  }]));
};
const tokenParameter = { name: 'token', in: 'path', required: true, schema: SCHEMAS.tokenParams.properties.token };

function closeCodeTable(): string {
  const rows = (Object.keys(GATEWAY_ERRORS) as (keyof typeof GATEWAY_ERRORS)[])
    .filter((name) => name !== 'GATEWAY_CONFIG_INVALID')
    .map((name) => `${gatewayCloseCode(name)} = ${ERRORS[name].code} ${name}`);
  return rows.join('; ');
}

/** The OpenAPI 3.1 document of every HTTP endpoint. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Darkpool gateway',
      version: '1.0.0',
      description: 'The untrusted host in front of the attested enclave. It relays encrypted channel messages (docs/protocol.md) and sees no order content. Every error is coded (docs/errors.md).',
    },
    servers: [{ url: '/' }],
    paths: {
      ...WEB_PAGE_OPENAPI_PATHS,
      '/v1/attestation': {
        get: {
          operationId: 'getAttestation', summary: 'The enclave attestation bundle and public keys.',
          responses: {
            200: { description: 'The bundle; cacheable, with an ETag.', ...json({ $ref: '#/components/schemas/AttestationBundle' }) },
            304: { description: 'Not modified (If-None-Match matched the ETag).' },
          },
        },
      },
      '/v1/markets': {
        get: {
          operationId: 'listMarkets', summary: 'Public market specifications.',
          responses: { 200: { description: 'Every market the enclave serves.', ...json({ type: 'array', items: { $ref: '#/components/schemas/Market' } }) } },
        },
      },
      '/v1/health': {
        get: {
          operationId: 'getHealth', summary: 'Liveness of the gateway and the enclave.',
          responses: {
            200: { description: 'The enclave is ready.', ...json({ $ref: '#/components/schemas/Health' }) },
            503: { description: 'The enclave is down.', ...json({ $ref: '#/components/schemas/Health' }) },
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics', summary: 'Prometheus metrics: sessions, frames, bytes by size class, rejects by code, enclave round trips. No order content.',
          responses: { 200: { description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
      '/v1/openapi.json': {
        get: {
          operationId: 'getOpenApi', summary: 'This document.',
          responses: { 200: { description: 'OpenAPI 3.1.', ...json({ type: 'object' }) } },
        },
      },
      '/v1/stream': {
        get: {
          operationId: 'openStream',
          summary: 'Websocket carrying one session: binary messages only, one channel message each.',
          description: `Upgrade to a websocket. The first binary message is the ClientHello (${CLIENT_HELLO_BYTES} bytes); the first message back is the ServerHello; then sealed frames both ways. `
            + `A gateway refusal closes the socket with 4000 + (code − 1000) and reason "<code> <NAME>": ${closeCodeTable()}. `
            + `When the enclave ends the session the close code is ${ENCLAVE_CLOSE_CODE} and the reason is the enclave's code.`,
          responses: {
            101: { description: 'Switching protocols.' },
            404: { description: 'Not a websocket upgrade request.' },
          },
        },
      },
      '/v1/sessions': {
        post: {
          operationId: 'createSession', summary: 'Open a REST session with a ClientHello.',
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/CreateSessionBody' }) },
          responses: {
            200: { description: 'The session token and the ServerHello.', ...json({ $ref: '#/components/schemas/CreateSessionReply' }) },
            ...errors('GATEWAY_BAD_HELLO', 'GATEWAY_BAD_REQUEST', 'GATEWAY_BODY_TOO_LARGE', 'GATEWAY_UNSUPPORTED_MEDIA_TYPE', 'GATEWAY_HELLO_REFUSED', 'GATEWAY_SESSION_LIMIT', 'GATEWAY_ENCLAVE_UNAVAILABLE', 'GATEWAY_ENCLAVE_TIMEOUT'),
          },
        },
      },
      '/v1/sessions/{token}/frames': {
        post: {
          operationId: 'exchangeFrames', summary: 'Relay frames in order and collect the enclave\'s output since the previous call.',
          description: 'A newer call on the same session ends a pending wait at once (that call returns what had arrived). The session expires after being idle for the configured time.',
          parameters: [tokenParameter, { name: 'waitMs', in: 'query', required: false, schema: SCHEMAS.framesQuery.properties.waitMs }],
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/FramesBody' }) },
          responses: {
            200: { description: 'Frames from the enclave, oldest first.', ...json({ $ref: '#/components/schemas/FramesReply' }) },
            ...errors('GATEWAY_BAD_FRAME', 'GATEWAY_BAD_REQUEST', 'GATEWAY_SESSION_NOT_FOUND', 'GATEWAY_SLOW_CONSUMER', 'GATEWAY_FRAME_TOO_LARGE', 'GATEWAY_TOO_MANY_FRAMES', 'GATEWAY_BODY_TOO_LARGE', 'GATEWAY_UNSUPPORTED_MEDIA_TYPE', 'GATEWAY_RATE_LIMITED', 'GATEWAY_ENCLAVE_UNAVAILABLE'),
          },
        },
      },
      '/v1/sessions/{token}': {
        delete: {
          operationId: 'deleteSession', summary: 'Close a REST session and its enclave connection.',
          parameters: [tokenParameter],
          responses: { 204: { description: 'Closed.' }, ...errors('GATEWAY_SESSION_NOT_FOUND') },
        },
      },
    },
    components: {
      schemas: {
        ErrorReply: SCHEMAS.errorReply,
        AttestationBundle: SCHEMAS.attestationBundle,
        Market: SCHEMAS.market,
        Health: SCHEMAS.health,
        CreateSessionBody: SCHEMAS.createSessionBody,
        CreateSessionReply: SCHEMAS.createSessionReply,
        FramesBody: SCHEMAS.framesBody,
        FramesReply: SCHEMAS.framesReply,
      },
    },
  };
}
