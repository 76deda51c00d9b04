// The OpenAPI document: a well-formed OpenAPI 3.1 object, every route the gateway registers
// documented (and nothing undocumented), every $ref resolvable, every path parameter
// declared, and real responses that validate against the documented schemas.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ERRORS } from '../../src/errors/index.js';
import { GATEWAY_ERRORS } from '../../src/errors/gateway.js';
import { createGateway } from '../../src/gateway/index.js';
import { gatewayCloseCode } from '../../src/gateway/coded-close.js';
import { openApiDocument } from '../../src/gateway/openapi.js';
import { CLIENT_HELLO_BYTES } from '../../src/protocol/hello.js';
import { TEST_MARKET } from '../support/enclave-trader.js';
import { FakeLink } from './support/fake-link.js';

type Schema = Record<string, unknown>;
type Operation = { operationId: string; summary: string; parameters?: { name: string; in: string; required?: boolean }[]; requestBody?: unknown; responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
const document = openApiDocument() as { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function resolve(schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = /^#\/components\/schemas\/(\w+)$/.exec(ref)?.[1];
  const target = name === undefined ? undefined : document.components.schemas[name];
  if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return target;
}

/** A validator for the JSON Schema subset the document uses; returns the first violation. */
function violation(value: unknown, schemaOrRef: Schema, path = '$'): string | undefined {
  const schema = resolve(schemaOrRef);
  const type = schema.type as string | undefined;
  if (type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path} is not an object`;
    const record = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in record)) return `${path}.${key} is missing`;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [key, item] of Object.entries(record)) {
      if (properties[key] === undefined) {
        if (schema.additionalProperties === false) return `${path}.${key} is not allowed`;
        continue;
      }
      const inner = violation(item, properties[key]!, `${path}.${key}`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  if (type === 'array') {
    if (!Array.isArray(value)) return `${path} is not an array`;
    for (let index = 0; index < value.length; index++) {
      const inner = violation(value[index], schema.items as Schema, `${path}[${index}]`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  if (type === 'string') {
    if (typeof value !== 'string') return `${path} is not a string`;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return `${path} is too long`;
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) return `${path} does not match ${schema.pattern}`;
  }
  if (type === 'integer' && !Number.isInteger(value)) return `${path} is not an integer`;
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return `${path} is not one of ${schema.enum.join(', ')}`;
  return undefined;
}

test('an OpenAPI 3.1 document: info, unique operation ids, responses, declared path parameters, resolvable refs', () => {
  assert.is(document.openapi, '3.1.0');
  assert.ok(document.info.title.length > 0 && document.info.version.length > 0);
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    assert.ok(path.startsWith('/'), path);
    for (const [method, operation] of Object.entries(item)) {
      assert.ok(METHODS.includes(method), `${path}: ${method}`);
      assert.ok(!ids.has(operation.operationId), `unique ${operation.operationId}`);
      ids.add(operation.operationId);
      assert.ok(operation.summary.length > 0);
      assert.ok(Object.keys(operation.responses).some((status) => /^(1|2)\d\d$/.test(status)), `${path} ${method} documents its success`);
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1])) {
        assert.ok(operation.parameters?.some((p) => p.name === name && p.in === 'path' && p.required === true), `${path} declares {${name}}`);
      }
    }
  }
  const refs = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1]!);
  assert.ok(refs.length > 5);
  for (const ref of refs) resolve({ $ref: ref });
});

test('every registered route is documented, and every documented route is registered', async () => {
  const app = createGateway({ host: new FakeLink(), markets: [TEST_MARKET] });
  const registered = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.add(`${method.toLowerCase()} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
  });
  await app.ready();
  const documented = new Set(Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)));
  assert.equal([...registered].sort(), [...documented].sort());
  await app.close();
});

test('the stream description lists every websocket close code', () => {
  const description = (document.paths['/v1/stream']!.get as unknown as { description: string }).description;
  for (const name of Object.keys(GATEWAY_ERRORS) as (keyof typeof GATEWAY_ERRORS)[]) {
    if (name !== 'GATEWAY_CONFIG_INVALID') assert.match(description, `${gatewayCloseCode(name)} = ${ERRORS[name].code} ${name}`);
  }
  assert.match(description, '4900');
});

test('real responses validate against the documented schemas', async () => {
  const link = new FakeLink();
  const app = createGateway({ host: link, markets: [TEST_MARKET] });
  const schemaOf = (path: string, method: string, status: string): Schema => document.paths[path]![method]!.responses[status]!.content!['application/json']!.schema;
  const check = (body: unknown, schema: Schema, what: string): void => assert.is(violation(body, schema), undefined, what);
  check((await app.inject('/v1/markets')).json(), schemaOf('/v1/markets', 'get', '200'), 'markets');
  check((await app.inject('/v1/health')).json(), schemaOf('/v1/health', 'get', '200'), 'health');
  check((await app.inject('/v1/attestation')).json(), schemaOf('/v1/attestation', 'get', '200'), 'attestation');
  const hello = Buffer.alloc(CLIENT_HELLO_BYTES).toString('base64');
  const created = (await app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello } })).json() as { sessionToken: string };
  check(created, schemaOf('/v1/sessions', 'post', '200'), 'createSession');
  const connectionId = [...link.open][0]!;
  link.emitFrame(connectionId, new Uint8Array(1071));
  link.emitClose(connectionId, ERRORS.CHANNEL_SESSION_CLOSED.code);
  check((await app.inject({ method: 'POST', url: `/v1/sessions/${created.sessionToken}/frames`, payload: { frames: [] } })).json(), schemaOf('/v1/sessions/{token}/frames', 'post', '200'), 'frames with closed');
  const missing = await app.inject({ method: 'POST', url: `/v1/sessions/${created.sessionToken}/frames`, payload: { frames: [] } });
  check(missing.json(), schemaOf('/v1/sessions/{token}/frames', 'post', String(missing.statusCode)), 'documented error');
  const refused = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { hello: 'AAAA' } });
  check(refused.json(), schemaOf('/v1/sessions', 'post', String(refused.statusCode)), 'documented hello error');
  assert.ok(violation({ frames: [1] }, schemaOf('/v1/sessions/{token}/frames', 'post', '200')) !== undefined, 'the validator can fail');
  await app.close();
});

test.run();
