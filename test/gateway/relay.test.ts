// The relay's session accounting and routing, on a fake enclave: slots are bounded and freed
// only on release, a hello opens exactly one enclave connection, output reaches only its own
// session and only while it lives, and each way a session can end closes (or leaves alone)
// the enclave connection as it should.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError, type ErrorName } from '../../src/errors/index.js';
import { resolveGatewayLimits } from '../../src/gateway/config.js';
import { GatewayMetrics } from '../../src/gateway/metrics.js';
import { EnclaveRelay, type EndReason, type SessionPeer } from '../../src/gateway/relay.js';
import { CLIENT_HELLO_BYTES } from '../../src/protocol/hello.js';
import { FakeLink } from './support/fake-link.js';

class RecordingPeer implements SessionPeer {
  readonly delivered: Uint8Array[] = [];
  readonly ends: EndReason[] = [];
  deliver(bytes: Uint8Array): void { this.delivered.push(bytes); }
  ended(reason: EndReason): void { this.ends.push(reason); }
}

function setup(maxSessions = 3) {
  const link = new FakeLink();
  link.answerHellos = false;
  let now = 0;
  const metrics = new GatewayMetrics();
  const relay = new EnclaveRelay(link, resolveGatewayLimits({ maxSessions }), metrics, () => now);
  return { link, relay, metrics, advance: (ms: number) => { now += ms; } };
}

function codeOf(run: () => unknown): ErrorName | 'ok' {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!isCodedError(error)) throw error;
    return error.errorName;
  }
}

const HELLO = new Uint8Array(CLIENT_HELLO_BYTES);

test('slots: bounded, held until release even after the session ended', () => {
  const { relay } = setup(2);
  const first = relay.open('ws', new RecordingPeer());
  relay.open('rest', new RecordingPeer());
  assert.is(codeOf(() => relay.open('ws', new RecordingPeer())), 'GATEWAY_SESSION_LIMIT');
  first.end();
  assert.equal(relay.liveCounts(), { ws: 0, rest: 1 });
  assert.is(codeOf(() => relay.open('ws', new RecordingPeer())), 'GATEWAY_SESSION_LIMIT', 'an ended session still holds its slot');
  first.release();
  assert.is(relay.heldCount, 1);
  assert.is(codeOf(() => relay.open('ws', new RecordingPeer())), 'ok');
});

test('a hello opens one enclave connection; output is routed to its own live session only', () => {
  const { link, relay } = setup();
  const peerA = new RecordingPeer();
  const peerB = new RecordingPeer();
  const a = relay.open('ws', peerA);
  const b = relay.open('ws', peerB);
  assert.is(link.open.size, 0, 'no enclave connection before the hello');
  a.sendHello(HELLO);
  b.sendHello(HELLO);
  assert.equal([...link.open], [1, 2]);
  link.emitFrame(2, Uint8Array.of(2));
  link.emitFrame(1, Uint8Array.of(1));
  link.emitFrame(99, Uint8Array.of(9));
  assert.equal(peerA.delivered, [Uint8Array.of(1)]);
  assert.equal(peerB.delivered, [Uint8Array.of(2)]);
  a.end();
  assert.equal(link.closedByHost, [1], 'ending closes the enclave connection');
  link.emitFrame(1, Uint8Array.of(1));
  assert.is(peerA.delivered.length, 1, 'nothing after the end');
  assert.throws(() => b.sendHello(HELLO), /one hello/, 'a second hello is a transport bug, not input');
});

test('the enclave ends a session: the peer learns its code and the gateway does not close it again', () => {
  const { link, relay } = setup();
  const peer = new RecordingPeer();
  const session = relay.open('rest', peer);
  session.sendHello(HELLO);
  link.emitClose(1, 2114);
  assert.equal(peer.ends, [{ by: 'enclave', code: 2114 }]);
  assert.ok(session.isEnded);
  session.release();
  assert.equal(link.closedByHost, []);
});

test('a drop closes the enclave connection and tells the peer once', () => {
  const { link, relay } = setup();
  const peer = new RecordingPeer();
  const session = relay.open('ws', peer);
  session.sendHello(HELLO);
  session.drop('GATEWAY_SLOW_CONSUMER');
  session.drop('GATEWAY_RATE_LIMITED');
  assert.equal(peer.ends, [{ by: 'gateway', name: 'GATEWAY_SLOW_CONSUMER' }]);
  assert.equal(link.closedByHost, [1]);
});

test('an enclave failure ends every session and refuses new ones; shutdown likewise', () => {
  const { link, relay } = setup();
  const peers = [new RecordingPeer(), new RecordingPeer()];
  const sessions = peers.map((peer) => relay.open('ws', peer));
  sessions[0]!.sendHello(HELLO);
  link.emitFatal('boom');
  assert.equal(peers[0]!.ends, [{ by: 'gateway', name: 'GATEWAY_ENCLAVE_UNAVAILABLE' }]);
  assert.not.ok(relay.enclaveReady);
  assert.is(codeOf(() => relay.open('ws', new RecordingPeer())), 'GATEWAY_ENCLAVE_UNAVAILABLE');
  assert.equal(link.closedByHost, [], 'a dead enclave is not asked to close anything');
  const other = setup();
  const peer = new RecordingPeer();
  other.relay.open('rest', peer);
  other.relay.shutdown();
  assert.equal(peer.ends, [{ by: 'gateway', name: 'GATEWAY_SHUTTING_DOWN' }]);
  assert.is(codeOf(() => other.relay.open('ws', new RecordingPeer())), 'GATEWAY_SHUTTING_DOWN');
});

test('frames are relayed all or nothing, rate-limited, and timed to the next enclave output', () => {
  const { link, relay, metrics, advance } = setup();
  const session = relay.open('ws', new RecordingPeer());
  session.sendHello(HELLO);
  advance(3);
  link.emitFrame(1, new Uint8Array(150));
  const frame = new Uint8Array(1071);
  frame.set([1, 3], 0);
  frame[18] = 1;
  new DataView(frame.buffer).setUint32(27, 1040);
  assert.is(codeOf(() => session.sendFrames([frame, frame.subarray(1)])), 'GATEWAY_BAD_FRAME');
  assert.is(link.received.get(1)!.length, 1, 'nothing of a refused batch was relayed');
  session.sendFrames([frame, frame]);
  advance(7);
  link.emitFrame(1, new Uint8Array(1071));
  const text = metrics.render({ sessions: relay.liveCounts(), enclaveReady: true, uptimeS: 0 });
  assert.match(text, 'darkpool_gateway_enclave_round_trip_seconds_bucket{kind="hello",le="0.005"} 1');
  assert.match(text, 'darkpool_gateway_enclave_round_trip_seconds_bucket{kind="frame",le="0.005"} 0');
  assert.match(text, 'darkpool_gateway_enclave_round_trip_seconds_bucket{kind="frame",le="0.01"} 1');
  assert.is(codeOf(() => session.sendFrames(Array.from({ length: 400 }, () => frame))), 'GATEWAY_RATE_LIMITED');
  assert.is(link.received.get(1)!.length, 3);
});

test('a frame that is a view into a larger batch is delivered as a copy of its own, so queues cannot pin batches', () => {
  const { link, relay } = setup();
  const peer = new RecordingPeer();
  relay.open('rest', peer).sendHello(HELLO);
  const batch = new Uint8Array(64 * 1024).fill(5);
  link.emitFrame(1, batch.subarray(100, 1171));
  const whole = new Uint8Array(150);
  link.emitFrame(1, whole);
  assert.is(peer.delivered[0]!.buffer.byteLength, 1071, 'the view was copied');
  assert.equal(peer.delivered[0], batch.subarray(100, 1171));
  assert.is(peer.delivered[1], whole, 'a frame that owns its buffer is passed as is');
});

test.run();
