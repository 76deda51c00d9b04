// The shared record layer on its own: rekey bookkeeping, exhaustion after the last epoch,
// consumption of an authenticated frame with bad padding, closing, its preconditions, and
// that frames sealed into dirty (uninitialised) memory or encoded straight into the frame are
// the very bytes of the plain path; packing several messages into frames (§5.1): order,
// splitting by size and count, non-ASCII regrouping, rekeys inside a batch, and a refused
// batch consuming no sequence number.
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeFrameCipher } from '../../src/enclave/channel/node-frame-cipher.js';
import { ENCLAVE_CHANNEL_FAULTS } from '../../src/enclave/channel/faults.js';
import { bytesEqual } from '../../src/protocol/bytes.js';
import { ChannelSession, type FrameCipher } from '../../src/protocol/channel-session.js';
import { AEAD_TAG_BYTES, DIRECTION, FRAME_HEADER_BYTES, MAX_FRAMES_PER_EPOCH, MAX_PAYLOAD_BYTES, PADDING_BUCKETS_BYTES, type Direction } from '../../src/protocol/channel-wire.js';
import { encodeFrameHeader, frameNonce } from '../../src/protocol/frame-header.js';
import { encodeMessage, encodeMessageText, MESSAGE_LIMITS, utf8ByteLength, type OutgoingMessage } from '../../src/protocol/message-codec.js';
import { expectCodedRejection, seededRandom } from './fuzz-support.js';

const FAULTS = ENCLAVE_CHANNEL_FAULTS;

/** node's cipher, counting rekeys and wiped keys. */
function countingCipher(): FrameCipher<KeyObject> & { nextKeys: number; destroyed: number } {
  const counts = { nextKeys: 0, destroyed: 0 };
  return Object.assign(counts, {
    seal: nodeFrameCipher.seal,
    open: nodeFrameCipher.open,
    nextKey(key: KeyObject) { counts.nextKeys += 1; return nodeFrameCipher.nextKey(key); },
    destroyKey() { counts.destroyed += 1; },
  });
}

function pair(framesPerEpoch: number, maxEpoch?: number) {
  const upKey = randomBytes(32);
  const downKey = randomBytes(32);
  const sessionId = randomBytes(16);
  const cipher = countingCipher();
  const make = (sendDirection: Direction, send: Buffer, receive: Buffer) => new ChannelSession({
    cipher, faults: FAULTS, sessionId, sendDirection, sendKey: createSecretKey(send), receiveKey: createSecretKey(receive), framesPerEpoch,
    peerIdentityPublicKey: new Uint8Array(32), ...(maxEpoch === undefined ? {} : { maxEpoch }),
  });
  return { cipher, upKey, sessionId, client: make(DIRECTION.clientToServer, upKey, downKey), server: make(DIRECTION.serverToClient, downKey, upKey) };
}

test('rekeys exactly at each epoch boundary, in both directions, and wipes the spent key', () => {
  const { cipher, client, server } = pair(3);
  for (let i = 0; i < 7; i++) {
    const frame = client.seal(Uint8Array.of(i));
    assert.is(Buffer.from(frame).readUInt32BE(19), Math.floor(i / 3), 'epoch');
    assert.is(Buffer.from(frame).readUInt32BE(23), i % 3, 'counter');
    assert.equal([...server.open(frame)], [i]);
  }
  assert.is(cipher.nextKeys, 4, 'two boundaries crossed, counted by sender and receiver');
  assert.is(cipher.destroyed, 4);
});

test('after the last epoch the direction is exhausted, on both ends', () => {
  const { client, server } = pair(2, 1);
  for (let i = 0; i < 4; i++) server.open(client.seal(Uint8Array.of(i)));
  assert.is(expectCodedRejection(() => client.seal(Uint8Array.of(9)), 2100, 2199).errorName, 'CHANNEL_SESSION_EXHAUSTED');
  assert.is(expectCodedRejection(() => server.open(new Uint8Array(1071)), 2100, 2199).errorName, 'CHANNEL_SESSION_EXHAUSTED');
  assert.ok(server.seal(Uint8Array.of(1)).length > 0, 'the other direction still works');
});

test('an authenticated frame with bad padding is reported and consumed', () => {
  const { upKey, sessionId, client, server } = pair(100);
  const padded = new Uint8Array(1024);
  padded[3] = 2;
  padded[1000] = 7;
  const frame = new Uint8Array(FRAME_HEADER_BYTES + padded.length + AEAD_TAG_BYTES);
  encodeFrameHeader(frame, { version: 1, sessionId, direction: DIRECTION.clientToServer, epoch: 0, counter: 0, bodyLength: padded.length + AEAD_TAG_BYTES });
  nodeFrameCipher.seal(createSecretKey(upKey), frameNonce(DIRECTION.clientToServer, 0, 0), frame.subarray(0, FRAME_HEADER_BYTES), padded, frame.subarray(FRAME_HEADER_BYTES));
  assert.is(expectCodedRejection(() => server.open(frame), 2100, 2199).errorName, 'CHANNEL_FRAME_BAD_PADDING');
  client.seal(Uint8Array.of(0));
  assert.equal([...server.open(client.seal(Uint8Array.of(5)))], [5], 'the receiver moved on to the next frame');
});

test('close wipes both keys once; every later call is SESSION_CLOSED', () => {
  const { cipher, client } = pair(10);
  const frame = client.seal(Uint8Array.of(1));
  client.close();
  client.close();
  assert.is(cipher.destroyed, 2);
  assert.ok(client.isClosed);
  assert.is(expectCodedRejection(() => client.seal(Uint8Array.of(1)), 2100, 2199).errorName, 'CHANNEL_SESSION_CLOSED');
  assert.is(expectCodedRejection(() => client.open(frame), 2100, 2199).errorName, 'CHANNEL_SESSION_CLOSED');
});

test('an opened payload does not alias the frame it came from', () => {
  const { client, server } = pair(10);
  const frame = client.seal(Uint8Array.of(1, 2, 3));
  const payload = server.open(frame);
  frame.fill(0);
  assert.equal([...payload], [1, 2, 3]);
});

test('the session keeps its own copy of the session id', () => {
  const sessionId = randomBytes(16);
  const session = new ChannelSession({ cipher: nodeFrameCipher, faults: FAULTS, sessionId, sendDirection: DIRECTION.clientToServer, sendKey: createSecretKey(randomBytes(32)), receiveKey: createSecretKey(randomBytes(32)), framesPerEpoch: 1, peerIdentityPublicKey: new Uint8Array(32) });
  const before = Uint8Array.from(sessionId);
  sessionId.fill(0);
  assert.ok(bytesEqual(session.sessionId, before));
});

/** Two server sessions over the same keys: one zero-allocating its frames, one given dirty memory. */
function twinSenders(): { plain: ChannelSession<KeyObject>; dirty: ChannelSession<KeyObject>; receiver: ChannelSession<KeyObject> } {
  const upKey = randomBytes(32);
  const downKey = randomBytes(32);
  const sessionId = randomBytes(16);
  const base = { faults: FAULTS, sessionId, framesPerEpoch: 4, peerIdentityPublicKey: new Uint8Array(32) };
  const plainCipher: FrameCipher<KeyObject> = { seal: nodeFrameCipher.seal, open: nodeFrameCipher.open, nextKey: nodeFrameCipher.nextKey, destroyKey: nodeFrameCipher.destroyKey };
  const dirtyCipher: FrameCipher<KeyObject> = { ...plainCipher, allocateFrame: (byteLength) => new Uint8Array(byteLength).fill(0xa5) };
  const server = (cipher: FrameCipher<KeyObject>) => new ChannelSession({ ...base, cipher, sendDirection: DIRECTION.serverToClient, sendKey: createSecretKey(downKey), receiveKey: createSecretKey(upKey) });
  return {
    plain: server(plainCipher), dirty: server(dirtyCipher),
    receiver: new ChannelSession({ ...base, cipher: nodeFrameCipher, sendDirection: DIRECTION.clientToServer, sendKey: createSecretKey(upKey), receiveKey: createSecretKey(downKey) }),
  };
}

test('frames in dirty memory, and messages encoded straight into the frame, are byte-identical to the plain path', () => {
  const { plain, dirty, receiver } = twinSenders();
  const random = seededRandom(0x5ea1);
  const texts = ['', 'ascii only', 'é ü ß', '€ 𝄞 emoji 😀', 'lone \ud800 surrogate', 'x'.repeat(2_000)];
  for (let i = 0; i < 60; i++) {
    const note = i < texts.length ? texts[i]! : String.fromCharCode(...Array.from({ length: random.below(300) }, () => random.below(0xffff)));
    const message = { t: 'report', id: `s${i}`, body: { seq: i, note } };
    const viaBytes = plain.seal(encodeMessage(message, FAULTS));
    const viaText = i % 2 === 0 ? dirty.sealMessage(message) : dirty.sealMessageText(encodeMessageText(message, FAULTS));
    assert.ok(bytesEqual(viaText, viaBytes), `frame ${i} (${viaBytes.length} bytes)`);
    assert.equal(receiver.openMessage(viaText), JSON.parse(new TextDecoder().decode(encodeMessage(message, FAULTS))), `frame ${i} opens to its message`);
  }
});

const report = (i: number, note: string): OutgoingMessage => ({ t: 'report', id: `s${i}`, body: { seq: i, note } });
const frameSizes = new Set(PADDING_BUCKETS_BYTES.map((bucket) => FRAME_HEADER_BYTES + bucket + AEAD_TAG_BYTES));

test('sealMessages packs consecutive messages into one frame that openMessages reads back in order', () => {
  const { client, server } = pair(1_000);
  const messages = Array.from({ length: 12 }, (_, i) => report(i + 1, 'fill'));
  const frames = server.sealMessages(messages);
  assert.is(frames.length, 1);
  assert.ok(frameSizes.has(frames[0]!.length));
  assert.equal(client.openMessages(frames[0]!), JSON.parse(JSON.stringify(messages)));
  const lone = server.sealMessages([messages[0]!]);
  assert.is(lone.length, 1);
  assert.equal(client.openMessage(lone[0]!), JSON.parse(JSON.stringify(messages[0])), 'a lone message travels as itself');
  assert.equal(server.sealMessages([]), [], 'nothing to seal, no frame');
});

test('a batch splits at the payload limit and at maxMessagesPerFrame, each frame as full as it can be', () => {
  const { client, server } = pair(1_000);
  const big = Array.from({ length: 40 }, (_, i) => report(i, 'x'.repeat(900)));
  const texts = big.map((message) => encodeMessageText(message, FAULTS));
  const frames = server.sealMessages(big);
  const opened = frames.flatMap((frame) => client.openMessages(frame));
  assert.equal(opened, JSON.parse(JSON.stringify(big)));
  // The reference: greedy by the spec's sizes (brackets plus one comma per message after the first).
  const expected: number[] = [];
  for (const t of texts) {
    const last = expected.length - 1;
    if (last >= 0 && expected[last]! + 1 + t.length <= MAX_PAYLOAD_BYTES) expected[last] += 1 + t.length;
    else expected.push(2 + t.length);
  }
  assert.is(frames.length, expected.length);
  for (const [index, frame] of frames.entries()) assert.ok(frameSizes.has(frame.length), `frame ${index} is padded to a bucket`);
  assert.ok(frames.slice(0, -1).every((frame) => frame.length === FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES + 4 + AEAD_TAG_BYTES), 'every frame but the last is full-size');

  const tiny = Array.from({ length: 2 * MESSAGE_LIMITS.maxMessagesPerFrame + 7 }, (_, i) => ({ t: 'a', id: `${i}`, body: {} }));
  const tinyFrames = server.sealMessages(tiny);
  assert.equal(tinyFrames.map((frame) => client.openMessages(frame).length), [MESSAGE_LIMITS.maxMessagesPerFrame, MESSAGE_LIMITS.maxMessagesPerFrame, 7]);
});

test('non-ASCII messages that fit by characters but not by bytes are regrouped by their UTF-8 lengths', () => {
  const { client, server } = pair(1_000);
  const messages = Array.from({ length: 20 }, (_, i) => report(i, 'é€'.repeat(200 + i)));
  const texts = messages.map((message) => encodeMessageText(message, FAULTS));
  assert.ok(texts.reduce((sum, t) => sum + t.length + 1, 1) <= MAX_PAYLOAD_BYTES, 'by characters they would share one frame');
  assert.ok(texts.reduce((sum, t) => sum + utf8ByteLength(t) + 1, 1) > MAX_PAYLOAD_BYTES, 'by bytes they cannot');
  const frames = server.sealMessages(messages);
  assert.ok(frames.length >= 2);
  assert.equal(frames.flatMap((frame) => client.openMessages(frame)), JSON.parse(JSON.stringify(messages)));
});

test('a batch crossing rekeys seals every frame under its epoch\'s key', () => {
  const { client, server, cipher } = pair(2);
  const messages = Array.from({ length: 9 }, (_, i) => report(i, 'y'.repeat(9_000)));
  const frames = server.sealMessages(messages);
  assert.is(frames.length, 9, 'each 9 KB message alone in its frame');
  assert.ok(cipher.nextKeys >= 4);
  assert.equal(frames.flatMap((frame) => client.openMessages(frame)), JSON.parse(JSON.stringify(messages)));
});

test('a batch with a message too large for any frame is refused whole and consumes no sequence number', () => {
  const { client, server } = pair(1_000);
  const batch = [report(1, 'ok'), report(2, 'z'.repeat(MAX_PAYLOAD_BYTES)), report(3, 'ok')];
  assert.is(expectCodedRejection(() => server.sealMessages(batch), 2100, 2199).errorName, 'CHANNEL_PAYLOAD_TOO_LARGE');
  const multibyte = [report(1, 'ok'), report(2, '€'.repeat(6_000))];
  assert.is(expectCodedRejection(() => server.sealMessages(multibyte), 2100, 2199).errorName, 'CHANNEL_PAYLOAD_TOO_LARGE', '6,000 characters but 18,000 bytes');
  const [frame] = server.sealMessages([report(4, 'after')]);
  assert.is(client.openMessages(frame!)[0]!.id, 's4', 'the next frame is the one the receiver expects');
});

test('preconditions are assertions', () => {
  const base = { cipher: nodeFrameCipher, faults: FAULTS, sessionId: randomBytes(16), sendDirection: DIRECTION.clientToServer, sendKey: createSecretKey(randomBytes(32)), receiveKey: createSecretKey(randomBytes(32)), framesPerEpoch: 1, peerIdentityPublicKey: new Uint8Array(32) } as const;
  assert.ok(new ChannelSession({ ...base, framesPerEpoch: MAX_FRAMES_PER_EPOCH }));
  assert.throws(() => new ChannelSession({ ...base, framesPerEpoch: 0 }), /framesPerEpoch/);
  assert.throws(() => new ChannelSession({ ...base, framesPerEpoch: MAX_FRAMES_PER_EPOCH + 1 }), /framesPerEpoch/);
  assert.throws(() => new ChannelSession({ ...base, sessionId: randomBytes(15) }), /session id/);
  assert.throws(() => new ChannelSession({ ...base, maxEpoch: -1 }), /maxEpoch/);
});

test.run();
