// Log safety: whatever a log call is handed — a request, a body, a frame, an error quoting
// input — the line carries only allow-listed scalars; checked on the real pino logger.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Fastify from 'fastify';
import { loggerOptions, safeError, safeLogObject } from '../../src/gateway/logging.js';

test('safeLogObject keeps allow-listed scalars and reduces req, res and errors', () => {
  const out = safeLogObject({
    method: 'POST', status: 200, body: { price: '123.45' }, frame: new Uint8Array([1, 2]), url: '/v1/sessions/secret-token/frames',
    req: { method: 'GET', url: '/v1/sessions/secret-token', routeOptions: { url: '/v1/sessions/:token' }, body: 'x' },
    res: { statusCode: 404, payload: 'y' }, err: new SyntaxError('Unexpected token "MARKER" in JSON'), route: { nested: true },
  });
  assert.equal(out, { method: 'GET', status: 200, route: '/v1/sessions/:token', statusCode: 404, err: { type: 'SyntaxError' } });
});

test('safeError keeps the class and code, never the message', () => {
  const error = Object.assign(new Error('quoted MARKER input'), { code: 'FST_ERR_X' });
  assert.equal(safeError(error), { type: 'Error', code: 'FST_ERR_X' });
  assert.not.match(JSON.stringify(safeError(error)), 'MARKER');
});

test('through fastify\'s pino: bodies, URLs, error messages and format arguments never reach the stream', async () => {
  const lines: string[] = [];
  const app = Fastify({ logger: loggerOptions({ level: 'trace', stream: { write: (line) => { lines.push(line); } } }) });
  app.log.info({ body: 'MARKER-1', method: 'GET' }, 'with %s', 'MARKER-2');
  app.log.error(new Error('MARKER-3'));
  app.log.warn(new TypeError('MARKER-4'), 'about MARKER-5: %s', 'MARKER-6');
  app.log.info('plain %s %j', 'MARKER-7', { a: 'MARKER-8' });
  app.log.child({ req: { method: 'GET', url: '/MARKER-9', routeOptions: {} } }).info({ frame: Buffer.from('MARKER-10') }, 'child');
  await app.close();
  const text = lines.join('');
  for (const marker of ['MARKER-1', 'MARKER-2', 'MARKER-3', 'MARKER-4', 'MARKER-5', 'MARKER-6', 'MARKER-7', 'MARKER-8', 'MARKER-9', 'MARKER-10']) assert.not.match(text, marker, marker);
  assert.ok(lines.length >= 5, 'every call still produced a line');
  assert.match(text, '"method":"GET"');
});

test('no logger asked for: logging is off', () => {
  assert.is(loggerOptions(undefined), false);
});

test.run();
