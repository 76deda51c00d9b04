// One encrypted session over one websocket, against the real enclave: the handshake, a
// request and its answer; and what an untrusted network can do to it — a forged ServerHello
// is ignored, a tampered frame is reported and skipped, a lost frame ends the link, a hello
// for another bundle is refused by the enclave with its code, silence times out.
import { hexToBytes } from '@noble/hashes/utils';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyAttestation } from '../../../client/attestation/index.js';
import { DarkpoolError, isDarkpoolError } from '../../../client/sdk/errors.js';
import { SessionLink, type LinkHandlers, type SessionTarget } from '../../../client/sdk/session-link.js';
import type { ChannelMessage } from '../../../src/protocol/message-codec.js';
import { seedFrom } from '../../support/enclave-trader.js';
import { Prng } from '../../support/prng.js';
import { eventually, startVenue, type Venue } from '../../support/client-venue.js';
import { tapTransport } from '../../support/tap-transport.js';
import type { Transport } from '../../../client/sdk/transport.js';

let venue: Venue;
let target: SessionTarget;
const links: SessionLink[] = [];

class Recorder implements LinkHandlers {
  readonly messages: ChannelMessage[] = [];
  readonly faults: DarkpoolError[] = [];
  closed: DarkpoolError | undefined | 'open' = 'open';
  onMessage(message: ChannelMessage): void { this.messages.push(message); }
  onFault(error: DarkpoolError): void { this.faults.push(error); }
  onClose(error: DarkpoolError | undefined): void { this.closed = error; }
}

async function openLink(seed: number, tap = tapTransport(), handshakeTimeoutMs = 5_000): Promise<{ link: SessionLink; recorder: Recorder }> {
  const recorder = new Recorder();
  const link = await SessionLink.open(tap.transport, target, seedFrom(new Prng(seed)), handshakeTimeoutMs, recorder);
  links.push(link);
  return { link, recorder };
}

async function rejectsWith(promise: Promise<unknown>, name: string): Promise<DarkpoolError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isDarkpoolError(error) && error.errorName === name, `expected ${name}, got ${String(error)}`);
    return error as DarkpoolError;
  }
  assert.unreachable(`expected ${name}`);
  throw new Error('unreachable');
}

test.before(async () => {
  venue = await startVenue();
  const verdict = await verifyAttestation(venue.host.bundle, venue.policy);
  assert.ok(verdict.ok);
  const streamUrl = `${venue.url.replace('http:', 'ws:')}/v1/stream`;
  target = { streamUrl, enclaveKeys: verdict.enclaveKeys, attestationHash: hexToBytes(verdict.bundleDigestHex) };
});

test('the handshake opens a session; a request gets its answer', async () => {
  const { link, recorder } = await openLink(1);
  link.send({ t: 'query.balances', id: 'q1', body: {} });
  const answer = await eventually(() => recorder.messages.find((m) => m.id === 'q1'), 'an answer');
  assert.is(answer.t, 'result');
  assert.equal(answer.body, { request: 'query.balances', result: { balances: [], nextCursor: null } });
  assert.throws(() => link.send({ t: 'query.balances', id: 'q2', body: { padding: 'x'.repeat(17_000) } }), (error: unknown) => isDarkpoolError(error, 'CLIENT_CHANNEL_PAYLOAD_TOO_LARGE'));
  link.close();
  assert.not.ok(link.isOpen);
  assert.throws(() => link.send({ t: 'query.balances', id: 'q3', body: {} }), (error: unknown) => isDarkpoolError(error, 'CLIENT_CONNECTION_LOST'));
  assert.is(recorder.closed, 'open', 'closing from this side does not report a loss');
});

test('requests sent in one turn leave packed in one frame and are answered in order', async () => {
  const tap = tapTransport();
  let sent = 0;
  const counting: Transport = (url, handlers) => {
    const connection = tap.transport(url, handlers);
    return { send: (bytes) => { sent += 1; connection.send(bytes); }, close: (code, reason) => connection.close(code, reason) };
  };
  const recorder = new Recorder();
  const link = await SessionLink.open(counting, target, seedFrom(new Prng(7)), 5_000, recorder);
  links.push(link);
  const before = sent;
  const ids = Array.from({ length: 20 }, (_, index) => `p${index}`);
  for (const id of ids) link.send({ t: 'query.balances', id, body: {} });
  assert.is(sent, before, 'nothing leaves before the turn ends');
  await eventually(() => ids.every((id) => recorder.messages.some((m) => m.id === id)), 'every answer');
  assert.is(sent - before, 1, 'the turn\'s twenty requests left in one frame');
  assert.equal(recorder.messages.filter((m) => ids.includes(m.id)).map((m) => m.id), ids, 'answers in request order');
});

test('a forged ServerHello injected by the host does not spoil the genuine one', async () => {
  const tap = tapTransport();
  const forged = new Uint8Array(150);
  forged[0] = 1;
  forged[1] = 2;
  tap.injectOnOpen = [forged];
  const { link, recorder } = await openLink(2, tap);
  link.send({ t: 'query.trades', id: 'q1', body: {} });
  assert.is((await eventually(() => recorder.messages.find((m) => m.id === 'q1'), 'an answer')).t, 'result');
});

test('a tampered frame is reported and skipped; the session goes on', async () => {
  const tap = tapTransport();
  const { link, recorder } = await openLink(3, tap);
  tap.incoming = (bytes, index) => {
    if (index !== 1) return bytes;
    const copy = bytes.slice();
    copy[copy.length - 1]! ^= 1;
    return copy;
  };
  link.send({ t: 'query.balances', id: 'q1', body: {} });
  await eventually(() => recorder.faults.length > 0, 'the fault');
  assert.is(recorder.faults[0]!.errorName, 'CLIENT_CHANNEL_FRAME_AUTH_FAILED');
  assert.is(recorder.messages.length, 0);
  tap.incoming = (bytes) => bytes;
  assert.ok(link.isOpen);
});

test('a lost frame ends the link with FRAME_OUT_OF_ORDER', async () => {
  const tap = tapTransport();
  const { link, recorder } = await openLink(4, tap);
  tap.incoming = (bytes, index) => (index === 1 ? undefined : bytes);
  // Sent in separate turns, so they leave (and are answered) in separate frames.
  link.send({ t: 'query.balances', id: 'q1', body: {} });
  await new Promise((resolve) => setTimeout(resolve, 50));
  link.send({ t: 'query.balances', id: 'q2', body: {} });
  await eventually(() => recorder.closed !== 'open', 'the link closed');
  assert.ok(isDarkpoolError(recorder.closed, 'CLIENT_CHANNEL_FRAME_OUT_OF_ORDER'));
  assert.not.ok(link.isOpen);
});

test('a hello for another bundle is refused by the enclave, which names its code', async () => {
  const recorder = new Recorder();
  const wrong = { ...target, attestationHash: new Uint8Array(32).fill(7) };
  const error = await rejectsWith(SessionLink.open(tapTransport().transport, wrong, seedFrom(new Prng(5)), 5_000, recorder), 'CHANNEL_HELLO_ATTESTATION_MISMATCH');
  assert.is(error.origin, 'enclave');
});

test('no ServerHello in time is a handshake timeout; a closed port is a socket error', async () => {
  const tap = tapTransport();
  tap.swallowOutgoing = true;
  const recorder = new Recorder();
  await rejectsWith(SessionLink.open(tap.transport, target, seedFrom(new Prng(6)), 150, recorder), 'CLIENT_HANDSHAKE_TIMEOUT');
  const nowhere = { ...target, streamUrl: 'ws://127.0.0.1:1/v1/stream' };
  const closed = await rejectsWith(SessionLink.open(tapTransport().transport, nowhere, seedFrom(new Prng(6)), 2_000, recorder), 'CLIENT_SOCKET_CLOSED');
  assert.ok(closed.retryable);
});

test.after(async () => {
  for (const link of links) link.close();
  await venue.close();
});

test.run();
