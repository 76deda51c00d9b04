// What the unavoidable per-frame work costs on this machine, one operation at a time on an
// otherwise idle thread: the real handshake, then each side sealing and opening 1 KiB-bucket
// frames of typical messages with the shared record layer on node's AES-256-GCM (message
// encoding and decoding included), the same per message when messages travel packed
// (docs/protocol.md §5.1), and the journal sealing one record (AES-256-GCM + HMAC chain).
// bench/enclave.ts multiplies these by the messages each command produced to state the floor
// under the measured throughput: the crypto and codec work alone, with no matching, relaying,
// scheduling or garbage collection.
import { randomBytes } from 'node:crypto';
import { createClientHandshake } from '../client/channel/index.js';
import { createServerHandshake, ENCLAVE_CHANNEL_FAULTS, loadEnclaveChannelKeys } from '../src/enclave/channel/index.js';
import { encodeMessageText } from '../src/protocol/message-codec.js';
import { deriveJournalKeys, sealFrameInto } from '../src/enclave/journal/sealing.js';
import { nodeClientFrameCipher } from '../test/support/node-client-frame-cipher.js';

export interface OperationCostsUs {
  /** Enclave: seal one execution report (encode + pad + AES-GCM) into a frame. */
  readonly enclaveSealReport: number;
  /** Enclave: open one order frame (AES-GCM + unpad + decode + canonical check). */
  readonly enclaveOpenOrder: number;
  /** Enclave: seal one ~360-byte command record into the journal batch (AES-GCM + HMAC-SHA256 chain). */
  readonly journalSealRecord: number;
  /** Trader: seal one order frame. */
  readonly clientSealOrder: number;
  /** Trader: open one report frame. */
  readonly clientOpenReport: number;
  /** Per message, packed REPORTS_PER_PACKED_FRAME to a frame: the enclave sealing pre-encoded report texts, as the runtime does, and the trader opening them. */
  readonly enclaveSealReportPacked: number;
  readonly clientOpenReportPacked: number;
  /** Per message, packed ORDERS_PER_PACKED_FRAME to a frame: the trader sealing orders and the enclave opening them. */
  readonly clientSealOrderPacked: number;
  readonly enclaveOpenOrderPacked: number;
}

/** About what one journal group releases to one trader in the closed-loop runs. */
const REPORTS_PER_PACKED_FRAME = 32;
/** About what a trader sends in one 1 ms burst at 20,000 commands/s over 8 traders. */
const ORDERS_PER_PACKED_FRAME = 4;

const ROUNDS = 5;
const PER_ROUND = 10_240;
/** Frames sealed, then opened, at a time: few enough that none outlives a young-generation collection. */
const CHUNK = 256;

const FILL_REPORT = {
  t: 'report', id: 's123456',
  body: {
    seq: 123456, kind: 'fill', timeMs: 1_764_050_000_000, market: 'DOT/USDC', orderId: 123456, clientOrderId: 'c123456', side: 'buy', remaining: '0',
    trade: { tradeId: 77777, market: 'DOT/USDC', orderId: 123456, clientOrderId: 'c123456', side: 'buy', liquidity: 'taker', price: '5', size: '1', fee: '0.0025', feeAsset: 'USDC', timeMs: 1_764_050_000_000 },
  },
};
const ORDER = { t: 'order.place', id: 'q123456', body: { market: 'DOT/USDC', clientOrderId: 'c123456', side: 'buy', type: 'limit', price: '5.00', size: '1.0' } };
const RECORD_BYTES = 360;

/** Median over rounds of the mean cost (µs) of `seal` and of `open`, timed separately, CHUNK frames at a time; one warm-up round. */
function pairCostsUs(seal: () => Uint8Array, open: (frame: Uint8Array) => void, messagesPerFrame = 1): { seal: number; open: number } {
  const sealMeans: number[] = [];
  const openMeans: number[] = [];
  const frames: Uint8Array[] = new Array(CHUNK);
  for (let round = 0; round <= ROUNDS; round++) {
    let sealMs = 0;
    let openMs = 0;
    for (let done = 0; done < PER_ROUND; done += CHUNK) {
      const sealing = performance.now();
      for (let i = 0; i < CHUNK; i++) frames[i] = seal();
      const opening = performance.now();
      for (let i = 0; i < CHUNK; i++) open(frames[i]!);
      openMs += performance.now() - opening;
      sealMs += opening - sealing;
    }
    if (round > 0) {
      sealMeans.push((sealMs * 1_000) / (PER_ROUND * messagesPerFrame));
      openMeans.push((openMs * 1_000) / (PER_ROUND * messagesPerFrame));
    }
  }
  const median = (values: number[]): number => Number(values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!.toFixed(2));
  return { seal: median(sealMeans), open: median(openMeans) };
}

/** Median over rounds of the mean cost of `body` (µs), after one warm-up round. */
function costUs(body: (index: number) => void): number {
  const means: number[] = [];
  let index = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < PER_ROUND; i++) body(index++);
    if (round > 0) means.push(((performance.now() - started) * 1_000) / PER_ROUND);
  }
  means.sort((a, b) => a - b);
  return Number(means[Math.floor(means.length / 2)]!.toFixed(2));
}

export function measureOperationCosts(): OperationCostsUs {
  const keys = loadEnclaveChannelKeys({ identitySecretKey: randomBytes(32), keyAgreementSecretKey: randomBytes(32) });
  const attestationHash = new Uint8Array(randomBytes(32));
  const handshake = createClientHandshake({
    enclaveKeyAgreementPublicKey: keys.keyAgreementPublicKey, enclaveIdentityPublicKey: keys.identityPublicKey,
    attestationHash, traderIdentitySecretKey: new Uint8Array(randomBytes(32)), frameCipher: nodeClientFrameCipher,
  });
  const { serverHello, session: server } = createServerHandshake(keys, attestationHash).acceptClientHello(handshake.clientHello);
  const client = handshake.finish(serverHello);
  const reports = pairCostsUs(() => server.sealMessage(FILL_REPORT), (frame) => { client.openMessage(frame); });
  const orders = pairCostsUs(() => client.sealMessage(ORDER), (frame) => { server.openMessage(frame); });
  const reportTexts = Array.from({ length: REPORTS_PER_PACKED_FRAME }, () => encodeMessageText(FILL_REPORT, ENCLAVE_CHANNEL_FAULTS));
  const packedReports = pairCostsUs(() => server.sealMessageTexts(reportTexts)[0]!, (frame) => { client.openMessages(frame); }, REPORTS_PER_PACKED_FRAME);
  const orderBatch = Array.from({ length: ORDERS_PER_PACKED_FRAME }, () => ORDER);
  const packedOrders = pairCostsUs(() => client.sealMessages(orderBatch)[0]!, (frame) => { server.openMessages(frame); }, ORDERS_PER_PACKED_FRAME);

  const journalKeys = deriveJournalKeys(new Uint8Array(randomBytes(32)));
  const segmentKey = randomBytes(32);
  const batch = Buffer.alloc(1024 * 1024);
  const record = randomBytes(RECORD_BYTES);
  let previousMac: Uint8Array = new Uint8Array(32);
  let offset = 0;
  const journalSealRecord = costUs((index) => {
    if (offset + RECORD_BYTES + 128 > batch.length) offset = 0;
    const length = sealFrameInto(batch, offset, segmentKey, journalKeys.macKey, index + 1, previousMac, record);
    previousMac = batch.subarray(offset + length - 32, offset + length);
    offset += length;
  });
  return {
    enclaveSealReport: reports.seal, enclaveOpenOrder: orders.open, journalSealRecord, clientSealOrder: orders.seal, clientOpenReport: reports.open,
    enclaveSealReportPacked: packedReports.seal, clientOpenReportPacked: packedReports.open, clientSealOrderPacked: packedOrders.seal, enclaveOpenOrderPacked: packedOrders.open,
  };
}

/** The crypto and codec floor of one command producing `messagesBack` messages to traders, every message travelling packed. */
export function floorPerCommandUs(costs: OperationCostsUs, messagesBack: number): { enclave: number; client: number; total: number; commandsPerSecOnTwoCores: number } {
  const enclave = costs.enclaveOpenOrderPacked + costs.journalSealRecord + messagesBack * costs.enclaveSealReportPacked;
  const client = costs.clientSealOrderPacked + messagesBack * costs.clientOpenReportPacked;
  const total = enclave + client;
  return { enclave: Number(enclave.toFixed(1)), client: Number(client.toFixed(1)), total: Number(total.toFixed(1)), commandsPerSecOnTwoCores: Math.round(2e6 / total) };
}
