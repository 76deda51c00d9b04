// Errors that crossed the wire come back as DarkpoolErrors carrying the table's code and name:
// enclave error envelopes, gateway and enclave socket closes, and coded errors of shared modules.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { asDarkpoolError, DarkpoolError, errorFromClose, errorFromServer, isDarkpoolError } from '../../../client/sdk/errors.js';
import { CodedError, ERRORS } from '../../../src/errors/index.js';

test('an enclave error envelope maps to its table entry with the server wording and detail', () => {
  const server = new CodedError('ESCROW_INSUFFICIENT_FUNDS', 'needs 5 USDC atoms, 0 available');
  const error = errorFromServer({ code: server.code, name: server.errorName, message: server.message });
  assert.ok(error instanceof DarkpoolError && error instanceof CodedError);
  assert.is(error.code, ERRORS.ESCROW_INSUFFICIENT_FUNDS.code);
  assert.is(error.errorName, 'ESCROW_INSUFFICIENT_FUNDS');
  assert.is(error.message, server.message);
  assert.is(error.detail, 'needs 5 USDC atoms, 0 available');
  assert.is(error.origin, 'enclave');
  assert.is(error.retryable, false);
  const overloaded = errorFromServer({ code: ERRORS.REQUEST_OVERLOADED.code, name: 'REQUEST_OVERLOADED', message: new CodedError('REQUEST_OVERLOADED').message });
  assert.is(overloaded.retryable, true);
  assert.is(overloaded.detail, undefined);
});

test('unknown or inconsistent server codes and malformed bodies are coded client errors', () => {
  assert.is(errorFromServer({ code: 2999, name: 'FUTURE_THING', message: 'x' }).errorName, 'CLIENT_SERVER_ERROR_UNKNOWN');
  assert.is(errorFromServer({ code: ERRORS.ORDER_NOT_FOUND.code, name: 'SIDE_INVALID', message: 'x' }).errorName, 'CLIENT_SERVER_ERROR_UNKNOWN');
  assert.is(errorFromServer({ code: '3060', name: 'ORDER_NOT_FOUND', message: 'x' }).errorName, 'CLIENT_BAD_ANSWER');
  assert.is(errorFromServer({}).errorName, 'CLIENT_BAD_ANSWER');
});

test('socket closes: 4900 names the enclave code, 4000+ the gateway code, others are unknown or ordinary', () => {
  const enclave = errorFromClose(4900, `${ERRORS.CHANNEL_HELLO_ATTESTATION_MISMATCH.code} CHANNEL_HELLO_ATTESTATION_MISMATCH`)!;
  assert.is(enclave.errorName, 'CHANNEL_HELLO_ATTESTATION_MISMATCH');
  assert.is(enclave.origin, 'enclave');
  assert.is(errorFromClose(4900, String(ERRORS.CHANNEL_HELLO_BAD_SIGNATURE.code))!.errorName, 'CHANNEL_HELLO_BAD_SIGNATURE', 'the reason may be the code alone');
  assert.is(errorFromClose(4000 + ERRORS.GATEWAY_RATE_LIMITED.code - 1000, `${ERRORS.GATEWAY_RATE_LIMITED.code} GATEWAY_RATE_LIMITED`)!.retryable, true);
  const gateway = errorFromClose(4000, '1000 GATEWAY_INTERNAL')!;
  assert.is(gateway.errorName, 'GATEWAY_INTERNAL');
  assert.is(gateway.origin, 'gateway');
  assert.is(gateway.retryable, true);
  assert.is(errorFromClose(4899, 'who knows')!.errorName, 'CLIENT_SOCKET_CLOSED');
  assert.is(errorFromClose(4900, 'garbage')!.errorName, 'CLIENT_SOCKET_CLOSED');
  assert.is(errorFromClose(4900, '3060 SIDE_INVALID')!.errorName, 'CLIENT_SOCKET_CLOSED', 'a reason whose name does not match its code is not trusted');
  assert.is(errorFromClose(1006, ''), undefined);
  assert.is(errorFromClose(1000, 'bye'), undefined);
});

test('coded errors of shared modules are wrapped; anything else is a bug and propagates', () => {
  const wrapped = asDarkpoolError(new CodedError('CLIENT_CHANNEL_FRAME_AUTH_FAILED'));
  assert.ok(isDarkpoolError(wrapped, 'CLIENT_CHANNEL_FRAME_AUTH_FAILED'));
  assert.is(wrapped.origin, 'client');
  const same = new DarkpoolError('CLIENT_CLOSED');
  assert.is(asDarkpoolError(same), same);
  assert.throws(() => asDarkpoolError(new TypeError('bug')), /bug/);
  assert.not.ok(isDarkpoolError(new CodedError('CLIENT_CLOSED')));
});

test.run();
