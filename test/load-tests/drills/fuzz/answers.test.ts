// The fuzzer's verdicts: only answers that carry a code of the error table count as coded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { channelAnswer, closeAnswer, httpAnswer } from '../../../../load-tests/drills/fuzz/answers.js';

test('websocket closes: gateway 40xx with a matching reason, enclave 4900 with a known code', () => {
  assert.equal(closeAnswer(4006, '1006 GATEWAY_BAD_FRAME'), { kind: 'coded', code: 1006 });
  assert.equal(closeAnswer(4021, '1021 GATEWAY_WEBSOCKET_PROTOCOL'), { kind: 'coded', code: 1021 });
  assert.equal(closeAnswer(4900, '2115'), { kind: 'coded', code: 2115 });
  assert.is(closeAnswer(4006, '1005 GATEWAY_BAD_HELLO').kind, 'uncoded', 'code and reason disagree');
  assert.is(closeAnswer(4006, '1006 GATEWAY_BAD_HELLO').kind, 'uncoded', 'number and name disagree');
  assert.is(closeAnswer(1009, '').kind, 'uncoded', 'a bare RFC 6455 code');
  assert.is(closeAnswer(4900, '9999').kind, 'uncoded', 'a code outside the table');
  assert.is(closeAnswer(4900, 'oops').kind, 'uncoded');
});

test('HTTP answers: an error body with a known code, or the header when there is no body', () => {
  assert.equal(httpAnswer(400, '{"error":{"code":1014,"name":"GATEWAY_BAD_REQUEST","message":"x"}}'), { kind: 'coded', code: 1014 });
  assert.equal(httpAnswer(404, '', '1018'), { kind: 'coded', code: 1018 });
  assert.is(httpAnswer(400, '{"error":"Bad Request","statusCode":400}').kind, 'uncoded', "fastify's default body");
  assert.is(httpAnswer(200, '{"error":{"code":1014}}').kind, 'uncoded', 'a success is no refusal');
  assert.is(httpAnswer(400, 'Bad Request').kind, 'uncoded');
  assert.is(httpAnswer(400, 'x', '1014').kind, 'uncoded', 'the header stands in only for a missing body');
});

test('channel replies: an error message with a known code', () => {
  assert.equal(channelAnswer({ t: 'error', body: { code: 2410 } }), { kind: 'coded', code: 2410 });
  assert.is(channelAnswer({ t: 'result', body: {} }).kind, 'uncoded');
  assert.is(channelAnswer({ t: 'error', body: { code: '2410' } }).kind, 'uncoded');
});

test.run();
