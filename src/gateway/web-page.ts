// Serves the browser trading page: GET / (index.html) and GET /app/app.js, /app/app.css,
// bundled from client/web by scripts/build-web.ts once per process and kept in memory. The
// page is static and public; it verifies the enclave itself and talks to it only through the
// encrypted channel, so serving it adds nothing the gateway could read. A strict content
// security policy limits the page to its own origin (its scripts, its styles, and fetches and
// websockets to this gateway).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebAsset, WebAssets } from '../../scripts/build-web.js';
import { CodedError } from '../errors/index.js';

export const WEB_PAGE_PATHS = { index: '/', asset: '/app/:file' } as const;

/** What the page may load: only this origin; no inline script or style, no frames, no form posts elsewhere. */
export const WEB_PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const SERVED_ASSETS: ReadonlySet<string> = new Set(['app.js', 'app.css']);

interface ServedAsset extends WebAsset {
  readonly etag: string;
}

let building: Promise<ReadonlyMap<string, ServedAsset>> | undefined;

/**
 * Builds the page (esbuild, in memory) once per process; every gateway in the process shares
 * the result. A failed build is forgotten so the next call tries again.
 */
export function loadWebPage(): Promise<ReadonlyMap<string, ServedAsset>> {
  if (building === undefined) {
    const started = import('../../scripts/build-web.js').then(async ({ buildWebPage }) => withEtags(await buildWebPage()));
    building = started;
    started.catch(() => { if (building === started) building = undefined; });
  }
  return building;
}

function withEtags(assets: WebAssets): ReadonlyMap<string, ServedAsset> {
  return new Map([...assets].map(([name, asset]) => [name, { ...asset, etag: `"${createHash('sha256').update(asset.body).digest('hex').slice(0, 32)}"` }]));
}

async function send(request: FastifyRequest, reply: FastifyReply, name: string): Promise<FastifyReply> {
  const asset = (await loadWebPage()).get(name);
  if (asset === undefined) throw new CodedError('GATEWAY_NOT_FOUND');
  reply
    .header('cache-control', 'no-cache')
    .header('etag', asset.etag)
    .header('content-security-policy', WEB_PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(Buffer.from(asset.body.buffer, asset.body.byteOffset, asset.body.byteLength));
}

/** Registers GET / and GET /app/:file on the gateway. */
export function registerWebPage(app: FastifyInstance): void {
  app.get(WEB_PAGE_PATHS.index, async (request, reply) => send(request, reply, 'index.html'));
  app.get<{ Params: { file: string } }>(WEB_PAGE_PATHS.asset, async (request, reply) => {
    if (!SERVED_ASSETS.has(request.params.file)) throw new CodedError('GATEWAY_NOT_FOUND');
    return send(request, reply, request.params.file);
  });
}

/** The page's routes in the gateway's OpenAPI document (src/gateway/openapi.ts). */
export const WEB_PAGE_OPENAPI_PATHS = {
  '/': {
    get: {
      operationId: 'getTradingPage', summary: 'The browser trading page (HTML). It verifies the attestation in the browser and trades over /v1/stream.',
      responses: { 200: { description: 'index.html.', content: { 'text/html': { schema: { type: 'string' } } } }, 304: { description: 'Not modified (ETag).' } },
    },
  },
  '/app/{file}': {
    get: {
      operationId: 'getTradingPageAsset', summary: 'The trading page\'s script (app.js) and stylesheet (app.css).',
      parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string', enum: [...SERVED_ASSETS] } }],
      responses: {
        200: { description: 'The asset.', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } },
        304: { description: 'Not modified (ETag).' },
        404: { description: 'No such asset (1018 GATEWAY_NOT_FOUND).', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorReply' } } } },
      },
    },
  },
} as const;
