// The trader's session against a hostile host, with the client's own codes: replays,
// gaps, truncation, tampering, misrouting and reflection are refused and change nothing;
// rekeying crosses epochs; 10,000 fuzzed frames yield only coded errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_PAYLOAD_BYTES } from '../../../src/protocol/channel-wire.js';
import { establishChannel } from '../../protocol/channel-pair.js';
import { expectCodedRejection, fuzzSeed, mutate, runFuzz, seededRandom } from '../../protocol/fuzz-support.js';

const rejectionName = (action: () => unknown): string => expectCodedRejection(action, 6100, 6199).errorName;
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

test('replay, gap, truncation, trailing bytes and tampering each have their code', () => {
  const { server, client } = establishChannel();
  const [a, b, c] = ['a', 'b', 'c'].map((s) => server.seal(utf8(s))) as [Uint8Array, Uint8Array, Uint8Array];
  assert.is(rejectionName(() => client.open(b)), 'CLIENT_CHANNEL_FRAME_OUT_OF_ORDER');
  assert.is(rejectionName(() => client.open(a.subarray(0, a.length - 1))), 'CLIENT_CHANNEL_FRAME_TRUNCATED');
  assert.is(rejectionName(() => client.open(Uint8Array.of(...a, 1))), 'CLIENT_CHANNEL_FRAME_TRAILING_BYTES');
  const tampered = a.slice();
  tampered[60] = tampered[60]! ^ 1;
  assert.is(rejectionName(() => client.open(tampered)), 'CLIENT_CHANNEL_FRAME_AUTH_FAILED');
  assert.is(text(client.open(a)), 'a');
  assert.is(rejectionName(() => client.open(a)), 'CLIENT_CHANNEL_FRAME_REPLAYED');
  assert.equal([text(client.open(b)), text(client.open(c))], ['b', 'c']);
});

test('another session\'s frame and a reflected frame are refused', () => {
  const one = establishChannel();
  const two = establishChannel({ keys: one.keys, attestationHash: one.attestationHash });
  assert.is(rejectionName(() => one.client.open(two.server.seal(utf8('x')))), 'CLIENT_CHANNEL_FRAME_WRONG_SESSION');
  assert.is(rejectionName(() => one.client.open(one.client.seal(utf8('x')))), 'CLIENT_CHANNEL_FRAME_WRONG_DIRECTION');
});

test('rekeys in step with the enclave in both directions', () => {
  const { server, client } = establishChannel({ framesPerEpoch: 2 });
  for (let i = 0; i < 9; i++) {
    const down = server.seal(Uint8Array.of(i));
    assert.is(Buffer.from(down).readUInt32BE(19), Math.floor(i / 2));
    assert.equal([...client.open(down)], [i]);
    assert.equal([...server.open(client.seal(Uint8Array.of(100 + i)))], [100 + i]);
  }
});

test('payload limit, messages and closing', () => {
  const { server, client } = establishChannel();
  assert.is(rejectionName(() => client.seal(new Uint8Array(MAX_PAYLOAD_BYTES + 1))), 'CLIENT_CHANNEL_PAYLOAD_TOO_LARGE');
  assert.is(client.openMessage(server.sealMessage({ t: 'report', id: 'r-1', body: { kind: 'fill', seq: 3 } })).body.kind, 'fill');
  assert.is(rejectionName(() => client.openMessage(server.seal(utf8('{"t":"a","id":"1","body":{"p":0.5}}')))), 'CLIENT_CHANNEL_MESSAGE_BAD_BODY');
  client.close();
  assert.is(rejectionName(() => client.seal(utf8('x'))), 'CLIENT_CHANNEL_SESSION_CLOSED');
});

test('fuzz: 10,000 mutated frames are each a coded error, and the session is unharmed', () => {
  const seed = fuzzSeed(0xc5e55);
  const { server, client } = establishChannel({ framesPerEpoch: 3 });
  const random = seededRandom(seed ^ 0x77);
  for (let i = 0; i < 4; i++) client.open(server.seal(random.bytes(random.below(1500))));
  const genuine = server.seal(random.bytes(200));
  const seen = new Set<string>();
  runFuzz('client frames', seed, 10_000, (fuzzRandom) => {
    const input = mutate(genuine, fuzzRandom, [0, 1, 2, 17, 18, 19, 22, 23, 26, 27, 30, 31]);
    return { input, check: () => { seen.add(expectCodedRejection(() => client.open(input), 6100, 6199).errorName); } };
  });
  assert.ok(seen.size >= 10, `reached ${[...seen].join(', ')}`);
  assert.ok(client.open(genuine));
});

test.run();
