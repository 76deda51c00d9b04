// The trading page as the gateway serves it (fastify inject): GET / is the page with a strict
// content security policy, /app/app.js and /app/app.css are the bundle built once per process
// (scripts/build-web.ts), ETags answer 304, anything else under /app is a coded 404, requests
// are counted by route pattern, and the routes are in the OpenAPI document.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createGateway } from '../../src/gateway/index.js';
import { openApiDocument } from '../../src/gateway/openapi.js';
import { WEB_PAGE_CSP, loadWebPage } from '../../src/gateway/web-page.js';
import { FakeLink } from './support/fake-link.js';
import { TEST_MARKET } from '../support/enclave-trader.js';

const app = createGateway({ host: new FakeLink(), markets: [TEST_MARKET] });

test('GET / is the page, with a strict content security policy', async () => {
  const response = await app.inject({ method: 'GET', url: '/' });
  assert.is(response.statusCode, 200);
  assert.is(response.headers['content-type'], 'text/html; charset=utf-8');
  assert.is(response.headers['content-security-policy'], WEB_PAGE_CSP);
  assert.match(WEB_PAGE_CSP, /default-src 'none'/);
  assert.match(WEB_PAGE_CSP, /script-src 'self';/);
  assert.not.match(WEB_PAGE_CSP, /unsafe-inline|unsafe-eval/);
  assert.is(response.headers['x-content-type-options'], 'nosniff');
  assert.is(response.headers['cache-control'], 'no-cache');
  assert.match(response.body, /<script type="module" src="\/app\/app\.js"><\/script>/);
  assert.match(response.body, /<link rel="stylesheet" href="\/app\/app\.css">/);
  assert.not.match(response.body, /<script>|\sstyle=|\son[a-z]+="/, 'no inline script, style or handler the policy would block');
});

test('the script and stylesheet are the bundle, self-contained', async () => {
  const script = await app.inject({ method: 'GET', url: '/app/app.js' });
  assert.is(script.statusCode, 200);
  assert.is(script.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.ok(script.rawPayload.length > 50_000, `${script.rawPayload.length} bytes`);
  assert.not.match(script.body, /from\s*"node:|require\("node:|\bimport\s*\(?\s*"\.{0,2}\//, 'no import left unbundled');
  assert.ok(script.body.includes('darkpool.dev.traderSeedHex'), 'the page code is in it');
  const style = await app.inject({ method: 'GET', url: '/app/app.css' });
  assert.is(style.statusCode, 200);
  assert.is(style.headers['content-type'], 'text/css; charset=utf-8');
  assert.match(style.body, /\.verdict-headline/);
  const built = await loadWebPage();
  assert.equal(new Uint8Array(script.rawPayload), built.get('app.js')!.body);
  assert.is(await loadWebPage(), built, 'built once per process');
});

test('an ETag answers 304', async () => {
  for (const url of ['/', '/app/app.js', '/app/app.css']) {
    const first = await app.inject({ method: 'GET', url });
    const etag = first.headers.etag as string;
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    const again = await app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
    assert.is(again.statusCode, 304, url);
    assert.is(again.rawPayload.length, 0);
  }
});

test('anything else under /app is a coded 404', async () => {
  for (const url of ['/app/index.html', '/app/nope.js', '/app/..%2Fpackage.json', '/app/app.js.map', '/app/', '/index.html']) {
    const response = await app.inject({ method: 'GET', url });
    assert.is(response.statusCode, 404, url);
    assert.is(response.json().error.name, 'GATEWAY_NOT_FOUND', url);
  }
});

test('requests are counted by route pattern, never by file', async () => {
  await app.inject({ method: 'GET', url: '/app/app.css' });
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /darkpool_gateway_http_requests_total\{method="GET",route="\/app\/:file",status="200"\} \d+/);
  assert.match(metrics, /darkpool_gateway_http_requests_total\{method="GET",route="\/",status="200"\} \d+/);
  assert.not.match(metrics, /app\.css/);
});

test('the page routes are documented', () => {
  const paths = (openApiDocument() as { paths: Record<string, Record<string, unknown>> }).paths;
  assert.ok(paths['/']?.get !== undefined && paths['/app/{file}']?.get !== undefined);
});

test('close', async () => {
  await app.close();
  assert.ok(true);
});

test.run();
