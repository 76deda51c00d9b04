// How coded errors reach clients: every gateway code maps to a private-use websocket close
// code below the enclave's 4900, a reason that fits a close frame, and an HTTP error status.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CodedError, ERRORS } from '../../src/errors/index.js';
import { GATEWAY_ERRORS } from '../../src/errors/gateway.js';
import { ENCLAVE_CLOSE_CODE, HTTP_STATUS, errorReply, gatewayCloseCode, gatewayCloseReason, isGatewayErrorName } from '../../src/gateway/coded-close.js';

const NAMES = Object.keys(GATEWAY_ERRORS) as (keyof typeof GATEWAY_ERRORS)[];

test('close code 4000 + (code − 1000), reason "<code> <NAME>" within 123 bytes, all distinct from 4900', () => {
  assert.is(gatewayCloseCode('GATEWAY_FRAME_TOO_LARGE'), 4003);
  assert.is(gatewayCloseReason('GATEWAY_FRAME_TOO_LARGE'), '1003 GATEWAY_FRAME_TOO_LARGE');
  const codes = new Set<number>();
  for (const name of NAMES) {
    const code = gatewayCloseCode(name);
    assert.ok(code >= 4000 && code < ENCLAVE_CLOSE_CODE, `${name}: ${code}`);
    codes.add(code);
    assert.ok(Buffer.byteLength(gatewayCloseReason(name)) <= 123, name);
  }
  assert.is(codes.size, NAMES.length);
});

test('every gateway error has an HTTP error status; the body carries code, name, message and an optional enclave code', () => {
  for (const name of NAMES) assert.ok(HTTP_STATUS[name] >= 400 && HTTP_STATUS[name] < 600, name);
  assert.equal(errorReply(new CodedError('GATEWAY_SESSION_NOT_FOUND')).error.code, ERRORS.GATEWAY_SESSION_NOT_FOUND.code);
  assert.is(errorReply(new CodedError('GATEWAY_HELLO_REFUSED'), 2150).error.enclaveCode, 2150);
  assert.not.ok('enclaveCode' in errorReply(new CodedError('GATEWAY_BAD_REQUEST')).error);
  assert.ok(isGatewayErrorName('GATEWAY_BAD_FRAME'));
  assert.not.ok(isGatewayErrorName('CHANNEL_FRAME_REPLAYED'));
  assert.not.ok(isGatewayErrorName('toString'));
});

test.run();
