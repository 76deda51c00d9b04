// Wires the untrusted host's HTTP and websocket surface (docs/gateway.md): the public
// endpoints (attestation, markets, health, metrics, OpenAPI), the websocket stream and the
// REST sessions, all over one EnclaveRelay, with coded errors, limits and privacy-safe logs.
// createGateway returns the fastify instance unlistened (tests inject); startGateway listens
// on loopback.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { CodedError, ERRORS, isCodedError } from '../errors/index.js';
import { CLIENT_HELLO_BYTES } from '../protocol/hello.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { ERROR_CODE_HEADER, HTTP_STATUS, errorReply, isGatewayErrorName } from './coded-close.js';
import { publicMarketSpecs, resolveGatewayLimits, type GatewayLimits, type GatewayMarket } from './config.js';
import type { EnclaveLink } from './enclave-link.js';
import { loggerOptions, type GatewayLoggerOptions } from './logging.js';
import { GatewayMetrics } from './metrics.js';
import { REST_FRAME_MAX_DECODED_BYTES, SCHEMAS, openApiDocument } from './openapi.js';
import { EnclaveRelay } from './relay.js';
import { HelloRefusedError, RestSessions, REST_WAIT_MS } from './rest-sessions.js';
import { StreamHub } from './stream-hub.js';
import { CodedCloseWebSocket, answerClientError, checkUpgradeRequest } from './upgrade-checks.js';
import { registerShardRoutes, type GatewayShard } from './shard-routes.js';
import { loadWebPage, registerWebPage } from './web-page.js';

export interface GatewayOptions {
  /** The enclave: EnclaveHost, or anything with the same byte-frame surface. */
  readonly host: EnclaveLink;
  /** The market specs the enclave was started with. */
  readonly markets: readonly GatewayMarket[];
  readonly limits?: Partial<GatewayLimits>;
  /** Omitted: no logging. */
  readonly logger?: GatewayLoggerOptions;
  /**
   * Market shards (docs/shards.md): each served under /v1/shards/<id>/ with the map at /v1/shards.
   * `host` and `markets` above stay the default /v1/attestation and /v1/stream (usually the first shard's).
   */
  readonly shards?: readonly GatewayShard[];
}

export interface RunningGateway {
  readonly app: FastifyInstance;
  readonly port: number;
  /** http://127.0.0.1:port */
  readonly url: string;
}

/** Past this a websocket message is refused by ws itself (close 1009) before it is buffered; up to it, GATEWAY_FRAME_TOO_LARGE. */
const SOCKET_PAYLOAD_CAP_FACTOR = 4;
const ATTESTATION_MAX_AGE_S = 60;
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function createGateway(options: GatewayOptions): FastifyInstance {
  const limits = resolveGatewayLimits(options.limits);
  const markets = publicMarketSpecs(options.markets);
  const link = options.host;
  const nowMs = (): number => performance.now();
  const startedMs = nowMs();
  const metrics = new GatewayMetrics();
  /** Every coded HTTP error, from route handlers, hooks and fastify's router alike. */
  const sendError = (error: FastifyError | CodedError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const coded = codedFrom(error);
    if (coded.errorName === 'GATEWAY_INTERNAL') request.log.error({ err: error }, 'request failed');
    const name = isGatewayErrorName(coded.errorName) ? coded.errorName : 'GATEWAY_INTERNAL';
    metrics.reject(name);
    return reply.code(HTTP_STATUS[name]).header(ERROR_CODE_HEADER, ERRORS[name].code).send(errorReply(coded, error instanceof HelloRefusedError ? error.enclaveCode : undefined));
  };
  const relay = new EnclaveRelay(link, limits, metrics, nowMs);
  const rest = new RestSessions(relay, limits);
  const document = openApiDocument();

  const app = Fastify({
    logger: loggerOptions(options.logger),
    clientErrorHandler: answerClientError((name) => metrics.reject(name)),
    frameworkErrors: (error, request, reply) => { void sendError(error, request, reply); },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.maxRestBodyBytes,
    requestTimeout: limits.requestTimeoutMs,
    exposeHeadRoutes: false,
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
  });
  const hub = new StreamHub(relay, limits, app.log);
  app.removeContentTypeParser('text/plain');

  app.addHook('onReady', async () => {
    hub.startHeartbeat();
    rest.startSweeper();
  });
  app.addHook('preClose', async () => {
    hub.closeAll('GATEWAY_SHUTTING_DOWN');
    rest.clear();
  });
  app.addHook('onClose', async () => {
    hub.stopHeartbeat();
    rest.stopSweeper();
    relay.shutdown();
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    metrics.httpRequest(request.method, route, reply.statusCode);
    request.log.info({
      method: request.method, route: route ?? 'unmatched', status: reply.statusCode,
      requestBytes: Number(request.headers['content-length'] ?? 0), responseBytes: Number(reply.getHeader('content-length') ?? 0),
      durationMs: Math.round(reply.elapsedTime * 1_000) / 1_000,
    }, 'http');
  });

  app.setErrorHandler(sendError);
  app.setNotFoundHandler((_request, reply) => {
    metrics.reject('GATEWAY_NOT_FOUND');
    return reply.code(HTTP_STATUS.GATEWAY_NOT_FOUND).header(ERROR_CODE_HEADER, ERRORS.GATEWAY_NOT_FOUND.code).send(errorReply(new CodedError('GATEWAY_NOT_FOUND')));
  });

  /** closeTimeout (ws ≥ 8.17, not in its typings): how long ws waits for the peer's half of a close handshake. */
  type SocketOptions = NonNullable<Parameters<typeof websocket>[1]['options']>;
  const socketOptions: SocketOptions & { closeTimeout: number } = {
    maxPayload: SOCKET_PAYLOAD_CAP_FACTOR * limits.maxFrameBytes, perMessageDeflate: false, closeTimeout: limits.closeGraceMs,
    // ws's typings describe its class with statics a subclass inherits at run time but not in its type.
    WebSocket: CodedCloseWebSocket as unknown as SocketOptions['WebSocket'],
  };
  app.register(websocket, {
    options: socketOptions,
    errorHandler: (error, socket) => hub.socketError(socket, error),
  });

  app.register(async (routes) => {
    let etag = { bundle: '', tag: '' };
    routes.get('/v1/attestation', async (request, reply) => {
      const bundle = link.bundle;
      if (etag.bundle !== bundle) etag = { bundle, tag: `"${createHash('sha256').update(bundle).digest('hex').slice(0, 32)}"` };
      reply.header('cache-control', `public, max-age=${ATTESTATION_MAX_AGE_S}`).header('etag', etag.tag);
      if (request.headers['if-none-match'] === etag.tag) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(bundle);
    });

    routes.get('/v1/markets', async () => markets);

    routes.get('/v1/health', async (_request, reply) => {
      const live = relay.liveCounts();
      const ready = relay.enclaveReady;
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ok' : 'unavailable', enclave: ready ? 'ready' : 'down',
        sessions: live.ws + live.rest, uptimeS: Math.floor((nowMs() - startedMs) / 1_000),
      });
    });

    routes.get('/metrics', async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(metrics.render({
      sessions: relay.liveCounts(), enclaveReady: relay.enclaveReady, uptimeS: Math.floor((nowMs() - startedMs) / 1_000),
    })));

    routes.get('/v1/openapi.json', async () => document);

    registerWebPage(routes);

    routes.route({
      method: 'GET',
      url: '/v1/stream',
      onRequest: async (request) => { if (request.ws) checkUpgradeRequest(request.raw.method ?? '', request.raw.httpVersion, request.headers); },
      handler: async () => { throw new CodedError('GATEWAY_BAD_REQUEST', 'GET /v1/stream must be a websocket upgrade'); },
      wsHandler: (socket) => hub.accept(socket),
    });

    routes.post<{ Body: { hello: string } }>('/v1/sessions', { schema: { body: SCHEMAS.createSessionBody } }, async (request) => {
      const hello = decodeBase64(request.body.hello, 2 * CLIENT_HELLO_BYTES, 'GATEWAY_BAD_REQUEST', 'hello');
      const { token, serverHello } = await rest.create(hello);
      return { sessionToken: token, serverHello: encodeBase64(serverHello) };
    });

    routes.post<{ Params: { token: string }; Querystring: { waitMs?: number }; Body: { frames: string[] } }>('/v1/sessions/:token/frames', {
      schema: { params: SCHEMAS.tokenParams, querystring: SCHEMAS.framesQuery, body: SCHEMAS.framesBody },
    }, async (request) => {
      const frames = request.body.frames.map((text, index) => decodeBase64(text, REST_FRAME_MAX_DECODED_BYTES, 'GATEWAY_BAD_REQUEST', `frames[${index}]`));
      const result = await rest.exchange(request.params.token, frames, request.query.waitMs ?? REST_WAIT_MS.default);
      return { frames: result.frames.map(encodeBase64), ...(result.closed === undefined ? {} : { closed: result.closed }) };
    });

    routes.delete<{ Params: { token: string } }>('/v1/sessions/:token', { schema: { params: SCHEMAS.tokenParams } }, async (request, reply) => {
      rest.remove(request.params.token);
      return reply.code(204).send();
    });
  });

  if (options.shards !== undefined) registerShardRoutes(app, { shards: options.shards, primary: { link, relay, hub }, limits, metrics, nowMs, log: app.log });

  return app;
}

/** Builds the trading page (failing if it cannot), then listens on 127.0.0.1 (port 0 picks a free one); logs at info to stdout unless told otherwise. */
export async function startGateway(options: GatewayOptions & { readonly port?: number }): Promise<RunningGateway> {
  const app = createGateway({ ...options, logger: options.logger ?? { level: 'info' } });
  await loadWebPage();
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, port, url: `http://127.0.0.1:${port}` };
}

/** Every failure as a gateway-coded error; fastify's own errors mapped by their codes, never by their messages. */
function codedFrom(error: FastifyError | CodedError): CodedError {
  if (isCodedError(error)) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation !== undefined) {
    const first = fastifyError.validation[0];
    return new CodedError('GATEWAY_BAD_REQUEST', `${fastifyError.validationContext ?? 'request'}${first?.instancePath ?? ''} fails ${first?.keyword ?? 'the schema'}`);
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new CodedError('GATEWAY_BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new CodedError('GATEWAY_UNSUPPORTED_MEDIA_TYPE');
    default: break;
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new CodedError('GATEWAY_BAD_REQUEST', fastifyError.code === undefined ? undefined : `(${fastifyError.code})`);
  return new CodedError('GATEWAY_INTERNAL');
}
