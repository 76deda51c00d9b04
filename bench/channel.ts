// Times the encrypted channel: the enclave's per-frame cost (open one client frame and seal
// one reply) on node's native crypto against the same record layer on @noble, per payload
// size, and the handshake on each side. Fixed-seed payloads, warm-up first; prints a table
// and writes bench/results/channel.json with the conditions next to the numbers.
// Target: open+seal of a 256-byte payload well under 10 µs on node crypto.
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';
import { createClientHandshake } from '../client/channel/index.js';
import { nobleFrameCipher } from '../client/channel/noble-frame-cipher.js';
import { createServerHandshake, ENCLAVE_CHANNEL_FAULTS, loadEnclaveChannelKeys } from '../src/enclave/channel/index.js';
import { nodeFrameCipher } from '../src/enclave/channel/node-frame-cipher.js';
import { ChannelSession, type FrameCipher } from '../src/protocol/channel-session.js';
import { DEFAULT_FRAMES_PER_EPOCH, DIRECTION, type Direction } from '../src/protocol/channel-wire.js';
import { bucketForPayload } from '../src/protocol/padding.js';

const SEED = Number(process.env['SEED'] ?? 42);
const PAYLOAD_SIZES_BYTES = [256, 1000, 4000, 16000];
const NODE_FRAMES = Number(process.env['NODE_FRAMES'] ?? 100_000);
const NOBLE_FRAMES = Number(process.env['NOBLE_FRAMES'] ?? 2_000);
const WARMUP_FRACTION = 0.1;
const SERVER_HANDSHAKES = Number(process.env['SERVER_HANDSHAKES'] ?? 2_000);
const CLIENT_HANDSHAKES = Number(process.env['CLIENT_HANDSHAKES'] ?? 100);
const TARGET_OPEN_SEAL_256_US = 10;

interface Summary { readonly count: number; readonly meanNs: number; readonly p50Ns: number; readonly p99Ns: number; readonly p999Ns: number; readonly maxNs: number }

function summarize(samplesNs: Float64Array): Summary {
  const sorted = Float64Array.from(samplesNs).sort();
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return { count: sorted.length, meanNs: Math.round(mean), p50Ns: at(0.5), p99Ns: at(0.99), p999Ns: at(0.999), maxNs: Math.round(sorted[sorted.length - 1]!) };
}

/** sfc32, seeded: the payload bytes are the same on every run. */
function seededBytes(seed: number, length: number): Uint8Array {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0; a = b ^ (b >>> 9); b = (c + (c << 3)) >>> 0; c = ((c << 21) | (c >>> 11)) >>> 0; c = (c + t) >>> 0;
    out[i] = t & 0xff;
  }
  return out;
}

/** Two ends of one session over the given cipher (keys made directly: the handshake is timed apart). */
function sessionPair<Key>(cipher: FrameCipher<Key>, importKey: (raw: Uint8Array) => Key) {
  const up = new Uint8Array(randomBytes(32));
  const down = new Uint8Array(randomBytes(32));
  const sessionId = new Uint8Array(randomBytes(16));
  const make = (sendDirection: Direction, send: Uint8Array, receive: Uint8Array) => new ChannelSession<Key>({
    cipher, faults: ENCLAVE_CHANNEL_FAULTS, sessionId, sendDirection, sendKey: importKey(send.slice()), receiveKey: importKey(receive.slice()),
    framesPerEpoch: DEFAULT_FRAMES_PER_EPOCH, peerIdentityPublicKey: new Uint8Array(32),
  });
  return { client: make(DIRECTION.clientToServer, up, down), server: make(DIRECTION.serverToClient, down, up) };
}

/** The enclave's per-frame work: open the client's frame, seal a same-sized reply. */
function timeOpenSeal<Key>(cipher: FrameCipher<Key>, importKey: (raw: Uint8Array) => Key, payloadBytes: number, frames: number): Summary {
  const { client, server } = sessionPair(cipher, importKey);
  const payload = seededBytes(SEED + payloadBytes, payloadBytes);
  const warmup = Math.ceil(frames * WARMUP_FRACTION);
  const incoming = Array.from({ length: warmup + frames }, () => client.seal(payload));
  for (let i = 0; i < warmup; i++) server.seal(server.open(incoming[i]!));
  const samples = new Float64Array(frames);
  for (let i = 0; i < frames; i++) {
    const started = process.hrtime.bigint();
    server.seal(server.open(incoming[warmup + i]!));
    samples[i] = Number(process.hrtime.bigint() - started);
  }
  return summarize(samples);
}

function timeRepeated(count: number, body: () => void): Summary {
  const warmup = Math.max(1, Math.ceil(count * WARMUP_FRACTION));
  for (let i = 0; i < warmup; i++) body();
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    body();
    samples[i] = Number(process.hrtime.bigint() - started);
  }
  return summarize(samples);
}

const frameRows: { implementation: string; payloadBytes: number; bucketBytes: number; summary: Summary }[] = [];
for (const payloadBytes of PAYLOAD_SIZES_BYTES) {
  const bucketBytes = bucketForPayload(payloadBytes)!;
  frameRows.push({ implementation: 'node:crypto', payloadBytes, bucketBytes, summary: timeOpenSeal<KeyObject>(nodeFrameCipher, (raw) => createSecretKey(raw), payloadBytes, NODE_FRAMES) });
  frameRows.push({ implementation: '@noble', payloadBytes, bucketBytes, summary: timeOpenSeal<Uint8Array>(nobleFrameCipher, (raw) => raw, payloadBytes, NOBLE_FRAMES) });
}

const keys = loadEnclaveChannelKeys({ identitySecretKey: seededBytes(SEED + 1, 32), keyAgreementSecretKey: seededBytes(SEED + 2, 32) });
const attestationHash = seededBytes(SEED + 3, 32);
const clientInput = { enclaveKeyAgreementPublicKey: keys.keyAgreementPublicKey, enclaveIdentityPublicKey: keys.identityPublicKey, attestationHash, traderIdentitySecretKey: seededBytes(SEED + 4, 32) };
const sampleHello = createClientHandshake(clientInput).clientHello;
const serverHandshake = timeRepeated(SERVER_HANDSHAKES, () => { createServerHandshake(keys, attestationHash).acceptClientHello(sampleHello); });
const clientHandshake = timeRepeated(CLIENT_HANDSHAKES, () => {
  const handshake = createClientHandshake(clientInput);
  handshake.finish(createServerHandshake(keys, attestationHash).acceptClientHello(handshake.clientHello).serverHello);
});

const us = (ns: number): number => Math.round(ns / 10) / 100;
const node256 = frameRows.find((row) => row.implementation === 'node:crypto' && row.payloadBytes === 256)!.summary;
const result = {
  benchmark: 'channel',
  conditions: {
    machine: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`, memoryGiB: Math.round(totalmem() / 2 ** 30), platform: `${platform()} ${arch()}`,
    node: process.version, loadAverage1mAtStart: Math.round(loadavg()[0]! * 100) / 100, seed: SEED, nodeFramesPerSize: NODE_FRAMES, nobleFramesPerSize: NOBLE_FRAMES, warmupFraction: WARMUP_FRACTION,
    serverHandshakes: SERVER_HANDSHAKES, clientHandshakes: CLIENT_HANDSHAKES, framesPerEpoch: DEFAULT_FRAMES_PER_EPOCH,
    timing: 'process.hrtime.bigint around each operation (includes ~50 ns of timer overhead)',
  },
  openSealPerFrame: frameRows.map(({ implementation, payloadBytes, bucketBytes, summary }) => ({
    implementation, payloadBytes, bucketBytes, frameBytes: 31 + bucketBytes + 16, count: summary.count,
    meanUs: us(summary.meanNs), p50Us: us(summary.p50Ns), p99Us: us(summary.p99Ns), p999Us: us(summary.p999Ns), maxUs: us(summary.maxNs),
    openSealPerSec: Math.round(1e9 / summary.meanNs),
  })),
  nobleToNodeRatio: Object.fromEntries(PAYLOAD_SIZES_BYTES.map((size) => {
    const pick = (implementation: string) => frameRows.find((row) => row.implementation === implementation && row.payloadBytes === size)!.summary.meanNs;
    return [String(size), Math.round((pick('@noble') / pick('node:crypto')) * 10) / 10];
  })),
  handshake: {
    serverAcceptNode: { count: serverHandshake.count, meanUs: us(serverHandshake.meanNs), p50Us: us(serverHandshake.p50Ns), p99Us: us(serverHandshake.p99Ns) },
    clientCreateAndFinishNoble: { count: clientHandshake.count, meanUs: us(clientHandshake.meanNs), p50Us: us(clientHandshake.p50Ns), p99Us: us(clientHandshake.p99Ns), note: 'includes one node server accept per run' },
  },
  target: { openSeal256PayloadP50Us: us(node256.p50Ns), targetUs: TARGET_OPEN_SEAL_256_US, met: us(node256.p50Ns) < TARGET_OPEN_SEAL_256_US },
};

console.log(`channel benchmark — ${result.conditions.machine}, node ${process.version}, seed ${SEED}`);
console.log('');
console.log('implementation  payload  bucket   frames     mean µs   p50 µs   p99 µs  p99.9 µs   open+seal/s');
for (const row of result.openSealPerFrame) {
  console.log(`${row.implementation.padEnd(14)} ${String(row.payloadBytes).padStart(8)} ${String(row.bucketBytes).padStart(7)} ${String(row.count).padStart(8)} ${row.meanUs.toFixed(2).padStart(11)} ${row.p50Us.toFixed(2).padStart(8)} ${row.p99Us.toFixed(2).padStart(8)} ${row.p999Us.toFixed(2).padStart(9)} ${String(row.openSealPerSec).padStart(13)}`);
}
console.log('');
console.log(`noble / node (mean): ${Object.entries(result.nobleToNodeRatio).map(([size, ratio]) => `${size} B ×${ratio}`).join(', ')}`);
console.log(`handshake, enclave accept (node):        p50 ${result.handshake.serverAcceptNode.p50Us} µs, p99 ${result.handshake.serverAcceptNode.p99Us} µs (${SERVER_HANDSHAKES} runs)`);
console.log(`handshake, client create+finish (noble): p50 ${result.handshake.clientCreateAndFinishNoble.p50Us} µs, p99 ${result.handshake.clientCreateAndFinishNoble.p99Us} µs (${CLIENT_HANDSHAKES} runs)`);
console.log(`target: open+seal of a 256-byte payload p50 ${result.target.openSeal256PayloadP50Us} µs < ${TARGET_OPEN_SEAL_256_US} µs: ${result.target.met ? 'met' : 'NOT met'}`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/channel.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
console.log('wrote bench/results/channel.json');
