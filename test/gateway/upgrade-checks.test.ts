// Input that never reaches a route still gets a code of the error table: broken HTTP, broken
// websocket upgrades, websocket protocol violations, router refusals and bodiless HEAD answers.
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CodedError } from '../../src/errors/index.js';
import { createGateway } from '../../src/gateway/index.js';
import { checkUpgradeRequest } from '../../src/gateway/upgrade-checks.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/channel-wire.js';
import { closeProbes, httpProbe, rawProbe, wsProbe } from '../../load-tests/drills/fuzz/probes.js';
import { FakeLink } from './support/fake-link.js';
import { TEST_MARKET } from './support/harness.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const GOOD = { upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': KEY };

test('checkUpgradeRequest accepts a well-formed upgrade and refuses each malformed part', () => {
  checkUpgradeRequest('GET', '1.1', GOOD);
  checkUpgradeRequest('GET', '1.1', { ...GOOD, 'sec-websocket-protocol': 'a, b' });
  const refused: [string, string, Record<string, string | undefined>][] = [
    ['POST', '1.1', GOOD], ['GET', '1.0', GOOD], ['GET', '1.1', { ...GOOD, upgrade: 'h2c' }],
    ['GET', '1.1', { ...GOOD, 'sec-websocket-version': '8' }], ['GET', '1.1', { ...GOOD, 'sec-websocket-key': 'short' }],
    ['GET', '1.1', { ...GOOD, 'sec-websocket-key': undefined }], ['GET', '1.1', { ...GOOD, 'sec-websocket-protocol': 'a,,b' }],
  ];
  for (const [method, version, headers] of refused) {
    assert.throws(() => checkUpgradeRequest(method, version, headers), (error: unknown) => error instanceof CodedError && error.errorName === 'GATEWAY_BAD_UPGRADE', `${method} ${version} ${JSON.stringify(headers)}`);
  }
});

test('over real sockets: every refusal carries its code', async () => {
  const app = createGateway({ host: new FakeLink(), markets: [TEST_MARKET] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  try {
    assert.equal(await rawProbe(port, Buffer.from('GARBAGE\r\n\r\n'), false), { kind: 'coded', code: 1101 }, 'not HTTP');
    assert.equal(await rawProbe(port, Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), false), { kind: 'coded', code: 1103 }, 'headers too large');
    const badVersion = `GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 8\r\n\r\n`;
    assert.equal(await rawProbe(port, Buffer.from(badVersion), false), { kind: 'coded', code: 1100 }, 'bad upgrade');
    assert.equal(await rawProbe(port, new Uint8Array([0x82, 0x01, 0x00]), true), { kind: 'coded', code: 1021 }, 'an unmasked client frame');
    assert.equal(await rawProbe(port, new Uint8Array([0x83, 0x80, 1, 2, 3, 4]), true), { kind: 'coded', code: 1021 }, 'a reserved opcode');
    const huge = new Uint8Array(4 * MAX_FRAME_BYTES + 1);
    assert.equal(await wsProbe(`ws://127.0.0.1:${port}/v1/stream`, (socket) => socket.send(huge)), { kind: 'coded', code: 1021 }, 'past the hard payload cap');
    assert.equal(await httpProbe(port, 'HEAD', '/nowhere', {}, undefined), { kind: 'coded', code: 1018 }, 'HEAD carries the code in x-error-code');
    assert.equal(await httpProbe(port, 'POST', `/v1/sessions/${'a'.repeat(300)}/frames`, { 'content-type': 'application/json' }, Buffer.from('{"frames":[]}')), { kind: 'coded', code: 1014 }, 'an over-long path parameter');
    assert.equal(await httpProbe(port, 'GET', '/v1/%E0%A4%A', {}, undefined), { kind: 'coded', code: 1014 }, 'a bad escape');
  } finally {
    closeProbes();
    await app.close();
  }
});

test.run();
