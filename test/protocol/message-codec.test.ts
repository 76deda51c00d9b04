// The message codec: canonical JSON envelopes, strict rules with one code each, the budget
// of the smallest bucket for real trading messages, packed lists of messages (§5.1), and
// seeded fuzzing at the byte and the value level, of single and packed payloads (every
// outcome a coded error or an exact round trip).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENCLAVE_CHANNEL_FAULTS } from '../../src/enclave/channel/faults.js';
import { bytesEqual } from '../../src/protocol/bytes.js';
import { MAX_PAYLOAD_BYTES, SMALL_MESSAGE_MAX_BYTES } from '../../src/protocol/channel-wire.js';
import {
  decodeMessage, decodeMessages, encodeMessage, encodeMessageText, MESSAGE_LIMITS, packedMessagesText, utf8ByteLength, type ChannelMessage, type OutgoingMessage,
} from '../../src/protocol/message-codec.js';
import { expectCodedRejection, fuzzSeed, mutate, runFuzz, seededRandom, type Random } from './fuzz-support.js';

const FAULTS = ENCLAVE_CHANNEL_FAULTS;
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const decodeName = (value: string | Uint8Array): string =>
  expectCodedRejection(() => decodeMessage(typeof value === 'string' ? text(value) : value, FAULTS), 2100, 2199).errorName;
const encodeName = (message: unknown): string => expectCodedRejection(() => encodeMessage(message as OutgoingMessage, FAULTS), 2100, 2199).errorName;
const decodeManyName = (value: string | Uint8Array): string =>
  expectCodedRejection(() => decodeMessages(typeof value === 'string' ? text(value) : value, FAULTS), 2100, 2199).errorName;
/** The packed payload of messages, as the spec writes it: '[' + canonical envelopes joined by ',' + ']'. */
const packed = (messages: readonly OutgoingMessage[]): Uint8Array => text(`[${messages.map((message) => JSON.stringify({ t: message.t, id: message.id, body: message.body })).join(',')}]`);
const ORDER = { t: 'order.place', id: 'q1', body: { market: 'DOT-USDC', side: 'buy', type: 'limit', price: '5.00', size: '1.0' } };
const CANCEL = { t: 'order.cancel', id: 'q2', body: { market: 'DOT-USDC', clientOrderId: 'c9' } };

const FULL_ORDER = {
  t: 'order.place', id: 'r'.repeat(64),
  body: {
    market: 'DOT-USDC', clientOrderId: 'c'.repeat(64), side: 'sell', type: 'limit', size: '123456789.123456', price: '123456.123456',
    protectionPrice: '123456.123456', cap: '123456.123456', offsetTicks: -100, timeInForce: 'GTT', expireAtMs: 1767225600000,
    postOnly: true, minQty: '123456789.123456', selfTradePrevention: 'cancelOldest',
  },
};
const FILL_REPORT = {
  t: 'report', id: 'r'.repeat(64),
  body: {
    seq: 123456789, kind: 'fill', timeMs: 1767225600000, market: 'DOT-USDC', orderId: 123456789, clientOrderId: 'c'.repeat(64), side: 'sell',
    remaining: '123456789.123456',
    trade: { tradeId: 123456789, market: 'DOT-USDC', orderId: 123456789, clientOrderId: 'c'.repeat(64), side: 'sell', liquidity: 'maker', price: '123456.123456', size: '123456789.123456', fee: '123.123456', feeAsset: 'USDC', timeMs: 1767225600000 },
  },
};

test('utf8ByteLength agrees with TextEncoder on edge and seeded strings, lone surrogates included', () => {
  const random = seededRandom(0x0f8);
  const samples = ['', 'a', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\ud800', '\udc00', '\ud800\udc00', '\udc00\ud800', 'x\ud83d', '😀😀'];
  for (let i = 0; i < 2_000; i++) samples.push(String.fromCharCode(...Array.from({ length: random.below(40) }, () => random.pick([random.below(0x80), random.below(0x800), random.below(0x10000), 0xd800 + random.below(0x800)]))));
  for (const sample of samples) assert.is(utf8ByteLength(sample), new TextEncoder().encode(sample).length, JSON.stringify(sample));
});

test('encodeMessageText is the text encodeMessage encodes, with the same checks', () => {
  for (const message of [FULL_ORDER, FILL_REPORT]) assert.is(encodeMessageText(message, FAULTS), new TextDecoder().decode(encodeMessage(message, FAULTS)));
  assert.is(expectCodedRejection(() => encodeMessageText({ t: 'report', id: 'x', body: { p: 0.5 } }, FAULTS), 2100, 2199).errorName, 'CHANNEL_MESSAGE_BAD_BODY');
});

test('round trip of an envelope, byte-exact', () => {
  const bytes = encodeMessage({ t: 'order.cancelAll', id: 'r-1_A', body: { market: 'DOT-USDC', nested: { list: [1, 'x', true, null, { a: [] }] } } }, FAULTS);
  assert.is(new TextDecoder().decode(bytes), '{"t":"order.cancelAll","id":"r-1_A","body":{"market":"DOT-USDC","nested":{"list":[1,"x",true,null,{"a":[]}]}}}');
  const message = decodeMessage(bytes, FAULTS);
  assert.ok(bytesEqual(encodeMessage(message, FAULTS), bytes));
});

test('the largest single-order command and fill report fit the smallest bucket', () => {
  assert.ok(encodeMessage(FULL_ORDER, FAULTS).length <= SMALL_MESSAGE_MAX_BYTES);
  assert.ok(encodeMessage(FILL_REPORT, FAULTS).length <= SMALL_MESSAGE_MAX_BYTES);
});

test('typed bodies with optional fields left undefined encode without them', () => {
  interface Body { readonly market: string; readonly price?: string }
  const body: Body = { market: 'DOT-USDC', price: undefined };
  assert.is(new TextDecoder().decode(encodeMessage({ t: 'order.cancel', id: '1', body }, FAULTS)), '{"t":"order.cancel","id":"1","body":{"market":"DOT-USDC"}}');
});

test('non-canonical JSON is refused: whitespace, duplicates, number forms, escapes', () => {
  for (const bad of [
    '{"t":"a","id":"1","body":{} }',
    '{"t":"a", "id":"1","body":{}}',
    '{"t":"a","id":"1","body":{"k":1,"k":2}}',
    '{"t":"a","id":"1","body":{"k":1.0}}',
    '{"t":"a","id":"1","body":{"k":1e2}}',
    '{"t":"a","id":"1","body":{"k":-0}}',
    '{"t":"a","id":"1","body":{"k":"\\u0041"}}',
    '{"t":"a","id":"1","body":{"k":"\\/"}}',
  ]) assert.is(decodeName(bad), 'CHANNEL_MESSAGE_NOT_CANONICAL', bad);
});

test('each envelope rule has its own code', () => {
  assert.is(decodeName(Uint8Array.of(0xc3, 0x28)), 'CHANNEL_MESSAGE_BAD_UTF8');
  assert.is(decodeName(Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d)), 'CHANNEL_MESSAGE_BAD_JSON', 'a byte-order mark is not JSON');
  assert.is(decodeName('{"t":"a"'), 'CHANNEL_MESSAGE_BAD_JSON');
  assert.is(decodeName('[]'), 'CHANNEL_MESSAGE_BAD_ENVELOPE');
  assert.is(decodeName('"x"'), 'CHANNEL_MESSAGE_BAD_ENVELOPE');
  assert.is(decodeName('{"id":"1","t":"a","body":{}}'), 'CHANNEL_MESSAGE_BAD_ENVELOPE');
  assert.is(decodeName('{"t":"a","id":"1","body":{},"x":1}'), 'CHANNEL_MESSAGE_BAD_ENVELOPE');
  assert.is(decodeName('{"t":"A","id":"1","body":{}}'), 'CHANNEL_MESSAGE_BAD_TYPE');
  assert.is(decodeName('{"t":"a..b","id":"1","body":{}}'), 'CHANNEL_MESSAGE_BAD_TYPE');
  assert.is(decodeName(`{"t":"${'a'.repeat(65)}","id":"1","body":{}}`), 'CHANNEL_MESSAGE_BAD_TYPE');
  assert.is(decodeName('{"t":"a","id":"","body":{}}'), 'CHANNEL_MESSAGE_BAD_ID');
  assert.is(decodeName('{"t":"a","id":"a b","body":{}}'), 'CHANNEL_MESSAGE_BAD_ID');
  assert.is(decodeName('{"t":"a","id":1,"body":{}}'), 'CHANNEL_MESSAGE_BAD_ID');
  assert.is(decodeName('{"t":"a","id":"1","body":[]}'), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(decodeName('{"t":"a","id":"1","body":{"price":7.5}}'), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(decodeName('{"t":"a","id":"1","body":{"n":9007199254740993}}'), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(decodeName('{"t":"a","id":"1","body":{"__proto__":{}}}'), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(decodeName('{"t":"a","id":"1","body":{"1":2}}'), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(decodeName(new Uint8Array(MAX_PAYLOAD_BYTES + 1)), 'CHANNEL_PAYLOAD_TOO_LARGE');
});

test('limits: depth, keys per object, array items, key length', () => {
  const nest = (depth: number): string => (depth === 0 ? '1' : `{"a":${nest(depth - 1)}}`);
  assert.ok(decodeMessage(text(`{"t":"a","id":"1","body":${nest(MESSAGE_LIMITS.maxDepth)}}`), FAULTS));
  assert.is(decodeName(`{"t":"a","id":"1","body":${nest(MESSAGE_LIMITS.maxDepth + 1)}}`), 'CHANNEL_MESSAGE_BAD_BODY');
  const keys = (n: number): string => `{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',')}}`;
  assert.ok(decodeMessage(text(`{"t":"a","id":"1","body":${keys(MESSAGE_LIMITS.maxKeysPerObject)}}`), FAULTS));
  assert.is(decodeName(`{"t":"a","id":"1","body":${keys(MESSAGE_LIMITS.maxKeysPerObject + 1)}}`), 'CHANNEL_MESSAGE_BAD_BODY');
  const items = (n: number): string => `{"a":[${Array.from({ length: n }, () => '1').join(',')}]}`;
  assert.ok(decodeMessage(text(`{"t":"a","id":"1","body":${items(MESSAGE_LIMITS.maxArrayItems)}}`), FAULTS));
  assert.is(decodeName(`{"t":"a","id":"1","body":${items(MESSAGE_LIMITS.maxArrayItems + 1)}}`), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(decodeName(`{"t":"a","id":"1","body":{"${'k'.repeat(65)}":1}}`), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(decodeName(`{"t":"a","id":"1","body":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`), 'CHANNEL_MESSAGE_BAD_BODY');
});

test('encoding refuses what decoding would: floats, non-JSON values, class instances, oversize', () => {
  assert.is(encodeName({ t: 'a', id: '1', body: { price: 0.1 } }), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(encodeName({ t: 'a', id: '1', body: { n: Number.NaN } }), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(encodeName({ t: 'a', id: '1', body: { n: 10n } }), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(encodeName({ t: 'a', id: '1', body: { when: new Date(0) } }), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(encodeName({ t: 'a', id: '1', body: { list: [undefined] } }), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(encodeName({ t: 'a', id: '1', body: { f: () => 1 } }), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(encodeName({ t: 'a', id: '1', body: new Map() }), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(encodeName({ t: 'a', id: '1', body: {}, extra: 1 }), 'CHANNEL_MESSAGE_BAD_ENVELOPE');
  assert.is(encodeName({ t: 'a', id: '1', body: { s: 'x'.repeat(MAX_PAYLOAD_BYTES) } }), 'CHANNEL_PAYLOAD_TOO_LARGE');
});

test('decodeMessages: a single envelope is one message; a packed list is its messages, in order', () => {
  assert.equal(decodeMessages(encodeMessage(ORDER, FAULTS), FAULTS), [ORDER]);
  assert.equal(decodeMessages(packed([ORDER, CANCEL, ORDER]), FAULTS), [ORDER, CANCEL, ORDER]);
  const many = Array.from({ length: MESSAGE_LIMITS.maxMessagesPerFrame }, (_, i) => ({ t: 'a', id: `${i}`, body: {} }));
  assert.is(decodeMessages(packed(many), FAULTS).length, MESSAGE_LIMITS.maxMessagesPerFrame);
  assert.ok(bytesEqual(text(packedMessagesText([ORDER, CANCEL].map((message) => encodeMessageText(message, FAULTS)))), packed([ORDER, CANCEL])), 'packedMessagesText writes the spec\'s form');
});

test('a packed list is refused unless it holds 2 to maxMessagesPerFrame valid envelopes in canonical form', () => {
  const one = (message: OutgoingMessage): string => JSON.stringify(message);
  assert.is(decodeManyName('[]'), 'CHANNEL_MESSAGE_BAD_ENVELOPE', 'empty');
  assert.is(decodeManyName(`[${one(ORDER)}]`), 'CHANNEL_MESSAGE_BAD_ENVELOPE', 'a lone message travels as itself, so each payload has one encoding');
  const tooMany = Array.from({ length: MESSAGE_LIMITS.maxMessagesPerFrame + 1 }, (_, i) => ({ t: 'a', id: `${i}`, body: {} }));
  assert.is(decodeManyName(packed(tooMany)), 'CHANNEL_MESSAGE_BAD_ENVELOPE', 'too many');
  assert.is(decodeManyName(`[${one(ORDER)},[${one(CANCEL)},${one(CANCEL)}]]`), 'CHANNEL_MESSAGE_BAD_ENVELOPE', 'lists do not nest');
  assert.is(decodeManyName(`[${one(ORDER)},1]`), 'CHANNEL_MESSAGE_BAD_ENVELOPE');
  assert.is(decodeManyName(`[${one(ORDER)},{"t":"a","id":"1","body":{"p":0.5}}]`), 'CHANNEL_MESSAGE_BAD_BODY', 'each member is checked as a message');
  assert.is(decodeManyName(`[${one(ORDER)},{"t":"A","id":"1","body":{}}]`), 'CHANNEL_MESSAGE_BAD_TYPE');
  assert.is(decodeManyName(`[${one(ORDER)}, ${one(CANCEL)}]`), 'CHANNEL_MESSAGE_NOT_CANONICAL', 'whitespace between members');
  assert.is(decodeManyName(`[${one(ORDER)},${one(CANCEL)}] `), 'CHANNEL_MESSAGE_NOT_CANONICAL', 'whitespace after the list');
  assert.is(decodeManyName(`[${one(ORDER)},${one(CANCEL)}`), 'CHANNEL_MESSAGE_BAD_JSON');
  assert.is(decodeManyName(`[${one(ORDER)},${one(CANCEL)},]`), 'CHANNEL_MESSAGE_BAD_JSON');
  assert.is(decodeManyName(Uint8Array.of(0x5b, 0xc3, 0x28, 0x5d)), 'CHANNEL_MESSAGE_BAD_UTF8');
  assert.is(decodeManyName(Uint8Array.of(0x5b, ...new Uint8Array(MAX_PAYLOAD_BYTES))), 'CHANNEL_PAYLOAD_TOO_LARGE');
  assert.is(decodeManyName(' [1,2]'), 'CHANNEL_MESSAGE_BAD_ENVELOPE', 'only a payload opening with [ is a list; anything else is read as one message');
  assert.throws(() => packedMessagesText([encodeMessageText(ORDER, FAULTS)]), /assertion/);
  assert.throws(() => packedMessagesText(Array.from({ length: MESSAGE_LIMITS.maxMessagesPerFrame + 1 }, () => '{}')), /assertion/);
});

function randomValue(random: Random, depth: number): unknown {
  switch (random.below(depth > 3 ? 6 : 9)) {
    case 0: return random.pick(['', 'DOT-USDC', '7.1234', 'é\u2028', '\ud800', '"\\', '\u0000']);
    case 1: return random.pick([0, 1, -1, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, 0.5, -0, Number.NaN, Infinity, 1e21]);
    case 2: return random.below(2) === 0;
    case 3: return null;
    case 4: return random.pick([undefined, 1n, Symbol('s'), () => 0, new Date(0)]);
    case 5: return random.pick(['k', 'market', 'Z9_', '_x', '9a', '', 'a-b', 'k'.repeat(65)]);
    case 6: return Array.from({ length: random.below(4) }, () => randomValue(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = random.below(5); i > 0; i--) object[random.pick(['a', 'price', 'B2', '_x', '9a', 'k'.repeat(65), 'size', 'list'])] = randomValue(random, depth + 1);
      return object;
    }
  }
}

function validSample(random: Random): Uint8Array {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      return encodeMessage({ t: random.pick(['order.place', 'order.cancelAll', 'report', 'a.b_c.d9']), id: random.pick(['1', 'r-17', 'X_y-z']), body: randomValue(random, 0) as object }, FAULTS);
    } catch {
      continue;
    }
  }
  return encodeMessage(FULL_ORDER, FAULTS);
}

test('fuzz: 40,000 byte-mutated messages are each a coded error or an exact round trip', () => {
  const seed = fuzzSeed(0xc0dec);
  let rejected = 0;
  runFuzz('message codec bytes', seed, 40_000, (random) => {
    const input = mutate(random.below(4) === 0 ? encodeMessage(FULL_ORDER, FAULTS) : validSample(random), random);
    return {
      input,
      check: () => {
        let decoded: ReturnType<typeof decodeMessage> | undefined;
        try {
          decoded = decodeMessage(input, FAULTS);
        } catch {
          expectCodedRejection(() => decodeMessage(input, FAULTS), 2100, 2199);
          rejected += 1;
          return;
        }
        assert.ok(bytesEqual(encodeMessage(decoded, FAULTS), input), 'an accepted message re-encodes to the same bytes');
      },
    };
  });
  assert.ok(rejected > 30_000, `most mutations are rejected (${rejected})`);
});

test('fuzz: 10,000 random values encode to a coded error or to bytes that decode back equal', () => {
  const seed = fuzzSeed(0x7a1e5);
  runFuzz('message codec values', seed, 10_000, (random) => {
    const message = { t: random.pick(['order.place', 'Bad', 'a.b']), id: random.pick(['1', '', 'a b']), body: randomValue(random, 0) };
    return {
      input: new Uint8Array(0),
      check: () => {
        let bytes: Uint8Array;
        try {
          bytes = encodeMessage(message as OutgoingMessage, FAULTS);
        } catch {
          expectCodedRejection(() => encodeMessage(message as OutgoingMessage, FAULTS), 2100, 2199);
          return;
        }
        assert.equal(decodeMessage(bytes, FAULTS), JSON.parse(JSON.stringify(message)));
      },
    };
  });
});

/** A valid packed payload of 2 to 12 seeded messages. */
function packedSample(random: Random): { bytes: Uint8Array; messages: ChannelMessage[] } {
  const messages = Array.from({ length: 2 + random.below(11) }, () => decodeMessage(validSample(random), FAULTS));
  return { bytes: packed(messages), messages };
}

test('fuzz: 12,000 byte-mutated packed lists are each a coded error or an exact round trip', () => {
  const seed = fuzzSeed(0x9ac3ed);
  let rejected = 0;
  let accepted = 0;
  runFuzz('packed messages bytes', seed, 12_000, (random) => {
    const sample = packedSample(random);
    // Offsets worth aiming at: the brackets and the commas between members.
    const separators: number[] = [];
    for (let i = 0; i < sample.bytes.length; i++) if (sample.bytes[i] === 0x5b || sample.bytes[i] === 0x5d || sample.bytes[i] === 0x2c) separators.push(i);
    const input = random.below(20) === 0 ? sample.bytes : mutate(sample.bytes, random, separators);
    return {
      input,
      check: () => {
        let decoded: ChannelMessage[];
        try {
          decoded = decodeMessages(input, FAULTS);
        } catch {
          expectCodedRejection(() => decodeMessages(input, FAULTS), 2100, 2199);
          rejected += 1;
          return;
        }
        accepted += 1;
        const reencoded = decoded.length === 1 ? encodeMessage(decoded[0]!, FAULTS) : text(packedMessagesText(decoded.map((message) => encodeMessageText(message, FAULTS))));
        assert.ok(bytesEqual(reencoded, input), 'an accepted payload re-encodes to the same bytes');
        if (input === sample.bytes) assert.equal(decoded, sample.messages);
      },
    };
  });
  assert.ok(rejected > 9_000, `most mutations are rejected (${rejected})`);
  assert.ok(accepted >= 300, `the unmutated samples and some mutations are accepted (${accepted})`);
});

test.run();
