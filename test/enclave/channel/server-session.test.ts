// The enclave's session against a real noble client and a hostile host: every replay,
// reorder, truncation, tamper, misrouted or reflected frame is refused with its own code and
// changes nothing; rekeying crosses epoch boundaries; padding hides the message type; and
// 20,000 fuzzed frames yield only coded errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bytesEqual } from '../../../src/protocol/bytes.js';
import { MAX_PAYLOAD_BYTES, PADDING_BUCKETS_BYTES } from '../../../src/protocol/channel-wire.js';
import { establishChannel } from '../../protocol/channel-pair.js';
import { expectCodedRejection, fuzzSeed, mutate, runFuzz, seededRandom } from '../../protocol/fuzz-support.js';

const rejectionName = (action: () => unknown): string => expectCodedRejection(action, 2100, 2199).errorName;
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

test('random payloads in every bucket travel both ways, node ↔ noble', () => {
  const { server, client } = establishChannel();
  const random = seededRandom(21);
  const lengths = [0, 1, 1020, 1021, 4092, 4093, MAX_PAYLOAD_BYTES, ...Array.from({ length: 40 }, () => random.below(MAX_PAYLOAD_BYTES + 1))];
  for (const length of lengths) {
    const up = random.bytes(length);
    assert.ok(bytesEqual(server.open(client.seal(up)), up), `client → enclave, ${length} bytes`);
    const down = random.bytes(length);
    assert.ok(bytesEqual(client.open(server.seal(down)), down), `enclave → client, ${length} bytes`);
  }
});

test('messages: an order and a cancel have the same length on the wire', () => {
  const { server, client } = establishChannel();
  const order = client.sealMessage({ t: 'order.place', id: 'r-1', body: { market: 'DOT-USDC', clientOrderId: 'c7b1e0a2-5d0e-4c4f-9a51-3f1d2e6b8a90', side: 'buy', type: 'limit', size: '1500.25', price: '7.1234', timeInForce: 'GTT', expireAtMs: 1767225600000, postOnly: true, minQty: '5', selfTradePrevention: 'cancelOldest' } });
  const cancel = client.sealMessage({ t: 'order.cancel', id: 'r-2', body: { market: 'DOT-USDC', orderId: 7 } });
  assert.is(order.length, cancel.length);
  assert.is(order.length, 31 + PADDING_BUCKETS_BYTES[0]! + 16);
  assert.is(server.openMessage(order).t, 'order.place');
  assert.equal(server.openMessage(cancel).body, { market: 'DOT-USDC', orderId: 7 });
  assert.is(rejectionName(() => server.sealMessage({ t: 'x', id: '1', body: { price: 1.5 } })), 'CHANNEL_MESSAGE_BAD_BODY');
  assert.is(rejectionName(() => server.openMessage(client.seal(utf8('not json')))), 'CHANNEL_MESSAGE_BAD_JSON');
});

test('a replayed frame is FRAME_REPLAYED; the session goes on', () => {
  const { server, client } = establishChannel();
  const first = client.seal(utf8('a'));
  server.open(first);
  assert.is(rejectionName(() => server.open(first)), 'CHANNEL_FRAME_REPLAYED');
  assert.is(new TextDecoder().decode(server.open(client.seal(utf8('b')))), 'b');
});

test('a reordered frame (a gap) is FRAME_OUT_OF_ORDER; the frames in order still open', () => {
  const { server, client } = establishChannel();
  const frames = ['a', 'b', 'c'].map((text) => client.seal(utf8(text)));
  assert.is(rejectionName(() => server.open(frames[1]!)), 'CHANNEL_FRAME_OUT_OF_ORDER');
  assert.is(rejectionName(() => server.open(frames[2]!)), 'CHANNEL_FRAME_OUT_OF_ORDER');
  assert.equal(frames.map((frame) => new TextDecoder().decode(server.open(frame))), ['a', 'b', 'c']);
});

test('a truncated or extended frame is FRAME_TRUNCATED or FRAME_TRAILING_BYTES', () => {
  const { server, client } = establishChannel();
  const frame = client.seal(utf8('order'));
  for (const cut of [0, 1, 30, 31, 32, frame.length - 16, frame.length - 1]) assert.is(rejectionName(() => server.open(frame.subarray(0, cut))), 'CHANNEL_FRAME_TRUNCATED', `cut at ${cut}`);
  assert.is(rejectionName(() => server.open(Uint8Array.of(...frame, 0))), 'CHANNEL_FRAME_TRAILING_BYTES');
  assert.is(new TextDecoder().decode(server.open(frame)), 'order');
});

test('a tampered body or tag, or swapped bodies, are FRAME_AUTH_FAILED', () => {
  const { server, client } = establishChannel();
  const frame = client.seal(utf8('order'));
  for (const offset of [31, 40, 500, frame.length - 17, frame.length - 16, frame.length - 1]) {
    const tampered = frame.slice();
    tampered[offset] = tampered[offset]! ^ 0x80;
    assert.is(rejectionName(() => server.open(tampered)), 'CHANNEL_FRAME_AUTH_FAILED', `offset ${offset}`);
  }
  const next = client.seal(utf8('other'));
  const spliced = Uint8Array.of(...frame.subarray(0, 31), ...next.subarray(31));
  assert.is(rejectionName(() => server.open(spliced)), 'CHANNEL_FRAME_AUTH_FAILED');
  assert.is(new TextDecoder().decode(server.open(frame)), 'order');
});

test('tampered header fields each get their own code', () => {
  const { server, client } = establishChannel();
  const frame = client.seal(utf8('order'));
  const withByte = (offset: number, value: number): Uint8Array => { const copy = frame.slice(); copy[offset] = value; return copy; };
  assert.is(rejectionName(() => server.open(withByte(0, 9))), 'CHANNEL_UNSUPPORTED_VERSION');
  assert.is(rejectionName(() => server.open(withByte(1, 1))), 'CHANNEL_UNEXPECTED_KIND');
  assert.is(rejectionName(() => server.open(withByte(5, frame[5]! ^ 1))), 'CHANNEL_FRAME_WRONG_SESSION');
  assert.is(rejectionName(() => server.open(withByte(18, 7))), 'CHANNEL_FRAME_BAD_HEADER');
  assert.is(rejectionName(() => server.open(withByte(22, 1))), 'CHANNEL_FRAME_OUT_OF_ORDER');
  assert.is(rejectionName(() => server.open(withByte(29, 0x11))), 'CHANNEL_FRAME_BAD_LENGTH');
});

test('another session\'s frame is FRAME_WRONG_SESSION; a reflected frame is FRAME_WRONG_DIRECTION', () => {
  const one = establishChannel();
  const two = establishChannel({ keys: one.keys, attestationHash: one.attestationHash });
  assert.is(rejectionName(() => one.server.open(two.client.seal(utf8('x')))), 'CHANNEL_FRAME_WRONG_SESSION');
  assert.is(rejectionName(() => one.server.open(one.server.seal(utf8('x')))), 'CHANNEL_FRAME_WRONG_DIRECTION');
  assert.is(new TextDecoder().decode(one.server.open(one.client.seal(utf8('y')))), 'y');
});

test('rekey at the boundary: epochs advance every framesPerEpoch frames, and stale epochs are replays', () => {
  const { server, client } = establishChannel({ framesPerEpoch: 4 });
  const frames = Array.from({ length: 10 }, (_, i) => client.seal(Uint8Array.of(i)));
  assert.equal(frames.map((f) => Buffer.from(f).readUInt32BE(19)), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
  assert.equal(frames.map((f) => Buffer.from(f).readUInt32BE(23)), [0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
  for (let i = 0; i < 3; i++) server.open(frames[i]!);
  assert.is(rejectionName(() => server.open(frames[4]!)), 'CHANNEL_FRAME_OUT_OF_ORDER', 'the last frame of epoch 0 is missing');
  server.open(frames[3]!);
  assert.is(rejectionName(() => server.open(frames[2]!)), 'CHANNEL_FRAME_REPLAYED', 'epoch 0 after the rekey');
  for (let i = 4; i < 10; i++) assert.equal([...server.open(frames[i]!)], [i]);
  const downstream = Array.from({ length: 9 }, (_, i) => server.seal(Uint8Array.of(i)));
  assert.equal(downstream.map((f) => [...client.open(f)][0]), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test('oversized payloads are PAYLOAD_TOO_LARGE; a closed session is SESSION_CLOSED', () => {
  const { server, client } = establishChannel();
  assert.is(rejectionName(() => server.seal(new Uint8Array(MAX_PAYLOAD_BYTES + 1))), 'CHANNEL_PAYLOAD_TOO_LARGE');
  const frame = client.seal(utf8('late'));
  server.close();
  assert.is(rejectionName(() => server.open(frame)), 'CHANNEL_SESSION_CLOSED');
  assert.is(rejectionName(() => server.seal(utf8('x'))), 'CHANNEL_SESSION_CLOSED');
});

test('fuzz: 20,000 mutated frames are each a coded error, and the session is unharmed', () => {
  const seed = fuzzSeed(0xf2a4e5);
  const { server, client } = establishChannel({ framesPerEpoch: 5 });
  const random = seededRandom(seed ^ 0x55);
  for (let i = 0; i < 7; i++) server.open(client.seal(random.bytes(random.below(2000))));
  const genuine = client.seal(random.bytes(300));
  const larger = client.seal(random.bytes(3000));
  const seen = new Set<string>();
  runFuzz('server frames', seed, 20_000, (fuzzRandom) => {
    const input = mutate(fuzzRandom.below(3) === 0 ? larger : genuine, fuzzRandom, [0, 1, 2, 17, 18, 19, 22, 23, 26, 27, 30, 31]);
    return { input, check: () => { seen.add(expectCodedRejection(() => server.open(input), 2100, 2199).errorName); } };
  });
  assert.ok(seen.size >= 10, `reached ${[...seen].join(', ')}`);
  assert.ok(server.open(genuine), 'the genuine next frame still opens');
  assert.ok(server.open(larger));
});

test.run();
