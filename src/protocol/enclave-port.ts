// The narrow, typed interface between the untrusted host and the enclave isolate: opaque
// byte frames per connection in and out, plus start-up, the attestation bundle, the embedded
// chain's deposit path and shutdown. Nothing here carries a key or plaintext.
//
// Frames travel in batches: one transferred ArrayBuffer holds every frame either side queued
// during one turn of its event loop, laid out as records of
//   connectionId u32 | frameLength u32 | frame bytes
// (big-endian), so a burst of traffic costs one postMessage rather than one per frame. Every
// other message is posted only after the frames queued before it, keeping one total order.
import type { ChainId } from '../xcmp/connector.js';
import type { PolkadotChainEndpoint } from '../xcmp/polkadot/chain-config.js';
import { readU32, writeU32 } from './bytes.js';
import type { MarketConfig } from './market-spec.js';

/**
 * Settlement on real Substrate chains (e.g. the chopsticks network of `npm run chain:local`): the
 * enclave derives its settlement key from the sealing key and signs with it over WebSocket.
 */
export interface PolkadotChainSettings {
  readonly kind: 'polkadot';
  readonly chains: readonly PolkadotChainEndpoint[];
  /** The chain whose escrow (the settlement key's account) holds every engine asset; payouts execute there. */
  readonly settlementChain: ChainId;
  /** Engine asset symbol -> its XCM location as the settlement chain names it. */
  readonly locations: Readonly<Record<string, 'relay' | 'here'>>;
  readonly feeAsset: string;
  readonly feeBudgetPerMessageAtoms: bigint;
  /** Chopsticks in manual block mode needs a block built after each extrinsic; live nodes and instant mode do not. */
  readonly manualBlocks?: boolean;
}

/** Where the replicated journal lives: a JetStream stream on these servers (docs/cluster.md). */
export interface ClusterJournalSettings {
  readonly servers: readonly string[];
  readonly stream: string;
  readonly subject: string;
  /** Stream replicas; 3 unless given. */
  readonly replicas?: number;
  /**
   * Hot standby (docs/cluster.md): the enclave boots as a standby following the stream and
   * contends for this leadership lease; it serves only while it holds it. Without it the
   * enclave is the stream's writer from boot.
   */
  readonly lease?: LeaseSettings;
}

/** The leadership lease of one shard: a key in a replicated JetStream key-value bucket. */
export interface LeaseSettings {
  readonly bucket: string;
  /** This instance's name (1..64 letters, digits, _ . : -). */
  readonly holder: string;
  readonly leaseMs?: number;
  readonly renewEveryMs?: number;
}

/** Start-up parameters the host passes to the enclave isolate (plain data only). */
export interface EnclaveWorkerConfig {
  readonly dataDir: string;
  readonly markets: readonly MarketConfig[];
  readonly feeAccount: string;
  /** Must be false to use the insecure dev key file and dev attestation; true selects dstack. */
  readonly production: boolean;
  /** Hex of a 32-byte dev attestation root seed, to keep one dev root across restarts. */
  readonly devRootSeedHex?: string;
  readonly tickMs?: number;
  readonly settlementWindowMs?: number;
  readonly snapshotEveryCommands?: number;
  /** This enclave's shard id when markets are split across several enclaves (docs/shards.md). */
  readonly shardId?: string;
  /** The settlement chain: the embedded local network (the default), real chains, or none (no settlement). */
  readonly chain?: 'embedded' | 'none' | PolkadotChainSettings;
  /** Journal on a replicated JetStream stream instead of the file journal in dataDir (the default). */
  readonly cluster?: ClusterJournalSettings;
  /**
   * Real chains only: where the sealed settlement records live (dataDir/settlement unless given).
   * A hot-standby pair on one machine shares one, so a new leader reconciles the batches in
   * flight at the failover by topic before it resends anything (docs/cluster.md).
   */
  readonly settlementDir?: string;
  /** Embedded chain only: settlement retry and confirmation timing; defaults otherwise. */
  readonly embeddedSettlementPolicy?: EmbeddedSettlementPolicy;
}

/** Settlement timing on the embedded chain (src/settlement/config.ts), e.g. shortened for fault drills. */
export interface EmbeddedSettlementPolicy {
  readonly confirmTimeoutMs?: number;
  readonly retryDelayMs?: number;
  readonly maxAttempts?: number;
}

/** One settlement line for the operator: batch ids, counts and error codes, never order content. */
export interface SettlementLogEntry {
  readonly event: string;
  readonly batchId?: string;
  readonly windowNumber?: number;
  readonly messages?: number;
  readonly payouts?: number;
  readonly code?: number;
}

/** A fault the embedded development chain can inject into settlement submissions. */
export type EmbeddedChainFault =
  | { readonly kind: 'drop' }
  | { readonly kind: 'delay'; readonly blocks: number }
  | { readonly kind: 'fail'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly reason: string };

type PortError = { readonly code: number; readonly message: string } | undefined;

/** A batch of frames: `bytes[0, byteLength)` holds the records; the buffer is transferred. */
export interface FrameBatchMessage {
  readonly type: 'frames';
  readonly bytes: ArrayBuffer;
  readonly byteLength: number;
}

/** Operational counters (src/enclave/runtime.ts RuntimeStats plus the port's own). */
export interface EnclaveStats {
  readonly durableSequence: number;
  readonly journalBatches: number;
  readonly journalRecords: number;
  readonly journalBytes: number;
  readonly ticksJournaled: number;
  readonly portBatchesIn: number;
  readonly portFramesIn: number;
  readonly portBatchesOut: number;
  readonly portFramesOut: number;
}

export type HostToEnclave =
  | { readonly type: 'open'; readonly connectionId: number }
  | FrameBatchMessage
  | { readonly type: 'close'; readonly connectionId: number }
  | { readonly type: 'bundle'; readonly requestId: number }
  | { readonly type: 'stats'; readonly requestId: number }
  /** The embedded chain hook's deposit event; atoms is a decimal integer string. */
  | { readonly type: 'deposit'; readonly requestId: number; readonly account: string; readonly asset: string; readonly atoms: string; readonly reference: string }
  /**
   * A reference price: public market data the host supplies (decimal strings), which the enclave
   * converts to ticks and journals for midpoint and pegged orders. The host is untrusted, so it
   * can move the reference; a production deployment would take it signed by an oracle and
   * verify the signature inside the enclave.
   */
  | { readonly type: 'reference'; readonly requestId: number; readonly market: string; readonly bid: string; readonly ask: string }
  /** Embedded chain only (a development chain inside the isolate): mint atoms to an account and deposit them into the pool. */
  | { readonly type: 'faucet'; readonly requestId: number; readonly account: string; readonly asset: string; readonly atoms: string; readonly to?: string }
  /** An account's free balance on the settlement chain. */
  | { readonly type: 'chainBalance'; readonly requestId: number; readonly account: string; readonly asset: string }
  /** The pool's account on the settlement chain (public; the key stays in the enclave). */
  | { readonly type: 'settlementAccount'; readonly requestId: number }
  /** Embedded chain only (fault drills): the chain's next `times` submissions meet this fault (src/xcmp/local-chain.ts LocalFault). */
  | { readonly type: 'chainFault'; readonly requestId: number; readonly fault: EmbeddedChainFault; readonly times: number }
  | { readonly type: 'stop' };

export type EnclaveToHost =
  | { readonly type: 'ready'; readonly bundle: string; readonly shardStatement?: string }
  /** A hot-standby enclave holds the leadership lease and has taken over the stream: route sessions to it. */
  | { readonly type: 'leader' }
  | FrameBatchMessage
  | { readonly type: 'close'; readonly connectionId: number; readonly code: number }
  | { readonly type: 'bundle'; readonly requestId: number; readonly bundle: string }
  | { readonly type: 'stats'; readonly requestId: number; readonly stats: EnclaveStats }
  | { readonly type: 'deposited'; readonly requestId: number; readonly error: { readonly code: number; readonly message: string } | undefined }
  | { readonly type: 'referenced'; readonly requestId: number; readonly error: { readonly code: number; readonly message: string } | undefined }
  | { readonly type: 'faucet'; readonly requestId: number; readonly reference: string; readonly error: PortError }
  | { readonly type: 'chainBalance'; readonly requestId: number; readonly atoms: string; readonly error: PortError }
  | { readonly type: 'settlementAccount'; readonly requestId: number; readonly account: string; readonly error: PortError }
  | { readonly type: 'chainFaulted'; readonly requestId: number; readonly error: PortError }
  | { readonly type: 'settlement'; readonly entry: SettlementLogEntry }
  | { readonly type: 'stopped' }
  | { readonly type: 'fatal'; readonly message: string };

export const PORT_LIMITS = {
  /** Largest frame either side relays; every valid channel message is far smaller. */
  frameBytesMax: 64 * 1024,
  /** A batch is posted early once it holds this many bytes. */
  batchBytesMax: 1024 * 1024,
  /**
   * Smallest capacity of a batch buffer. A new batch starts at the size the last one needed
   * (each is a fresh, transferred allocation that counts against the isolate's external memory,
   * so it should not be much larger than needed) and doubles as frames arrive, up to batchBytesMax.
   */
  batchBytesMin: 4 * 1024,
  /** Highest connection id (u32 on the wire). */
  connectionIdMax: 0xffff_ffff,
} as const;

const RECORD_HEADER_BYTES = 8;

/**
 * Gathers frames into one buffer per batch. `add` copies the frame at once (the caller's bytes
 * stay its own); `take` hands over the filled buffer for transfer and starts afresh.
 */
export class FrameBatchWriter {
  #buffer: Uint8Array | undefined;
  #used = 0;
  #frames = 0;
  #nextCapacity: number = PORT_LIMITS.batchBytesMin;

  /** Frames queued since the last take. */
  get frames(): number {
    return this.#frames;
  }

  get byteLength(): number {
    return this.#used;
  }

  /** Whether a frame of this size still fits before the batch must be taken. */
  fits(frameBytes: number): boolean {
    return this.#used + RECORD_HEADER_BYTES + frameBytes <= PORT_LIMITS.batchBytesMax;
  }

  /** Queues one frame; the caller takes the batch first when `fits` says it is full. */
  add(connectionId: number, frame: Uint8Array): void {
    if (!Number.isInteger(connectionId) || connectionId < 0 || connectionId > PORT_LIMITS.connectionIdMax) throw new RangeError(`connection id ${connectionId} is not a u32`);
    if (frame.length > PORT_LIMITS.frameBytesMax) throw new RangeError(`frame of ${frame.length} bytes exceeds the port limit of ${PORT_LIMITS.frameBytesMax}`);
    if (!this.fits(frame.length)) throw new Error('assertion: take the batch before adding a frame that does not fit');
    const needed = this.#used + RECORD_HEADER_BYTES + frame.length;
    let buffer = this.#buffer;
    if (buffer === undefined || buffer.length < needed) {
      let capacity = buffer === undefined ? this.#nextCapacity : buffer.length * 2;
      // Doubling from at least batchBytesMin reaches any needed size within log2(batchBytesMax / batchBytesMin) steps.
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(Math.min(capacity, PORT_LIMITS.batchBytesMax));
      if (buffer !== undefined) grown.set(buffer.subarray(0, this.#used));
      this.#buffer = buffer = grown;
    }
    writeU32(buffer, this.#used, connectionId);
    writeU32(buffer, this.#used + 4, frame.length);
    buffer.set(frame, this.#used + RECORD_HEADER_BYTES);
    this.#used = needed;
    this.#frames += 1;
  }

  /** The batch as a port message (transfer its `bytes`), or undefined when no frame is queued. */
  take(): FrameBatchMessage | undefined {
    const buffer = this.#buffer;
    if (buffer === undefined || this.#frames === 0) return undefined;
    const message: FrameBatchMessage = { type: 'frames', bytes: buffer.buffer as ArrayBuffer, byteLength: this.#used };
    let capacity: number = PORT_LIMITS.batchBytesMin;
    while (capacity < this.#used) capacity *= 2;
    this.#nextCapacity = capacity;
    this.#buffer = undefined;
    this.#used = 0;
    this.#frames = 0;
    return message;
  }
}

/**
 * Calls `visit` with each frame of a batch, as a view into the batch's buffer (which nobody
 * writes to once received). Stops at the first record that is cut short or oversized — a batch
 * comes only from the other side of the port, so that is its bug — and returns whether the
 * whole batch was well formed.
 */
export function readFrameBatch(message: FrameBatchMessage, visit: (connectionId: number, frame: Uint8Array) => void): boolean {
  if (!(message.bytes instanceof ArrayBuffer) || !Number.isInteger(message.byteLength) || message.byteLength < 0 || message.byteLength > message.bytes.byteLength) return false;
  const bytes = new Uint8Array(message.bytes, 0, message.byteLength);
  let offset = 0;
  // Each record advances by at least its header, so the loop ends within byteLength / 8 steps.
  while (offset < bytes.length) {
    if (bytes.length - offset < RECORD_HEADER_BYTES) return false;
    const connectionId = readU32(bytes, offset);
    const frameLength = readU32(bytes, offset + 4);
    const start = offset + RECORD_HEADER_BYTES;
    if (frameLength > PORT_LIMITS.frameBytesMax || start + frameLength > bytes.length) return false;
    offset = start + frameLength;
    visit(connectionId, bytes.subarray(start, offset));
  }
  return true;
}

/**
 * One side's sending end of the port: frames queue in a batch that is posted once per turn
 * of the event loop (`schedule` defers the flush, e.g. setImmediate), or at once when full;
 * any other message first flushes the frames queued before it.
 */
export class FramePortOutbox<Message> {
  readonly #writer = new FrameBatchWriter();
  readonly #post: (message: Message | FrameBatchMessage, transfer: ArrayBuffer[]) => void;
  readonly #schedule: (flush: () => void) => void;
  readonly #flush = (): void => {
    this.#scheduled = false;
    this.flush();
  };
  #scheduled = false;
  #batches = 0;
  #frames = 0;

  constructor(post: (message: Message | FrameBatchMessage, transfer: ArrayBuffer[]) => void, schedule: (flush: () => void) => void) {
    this.#post = post;
    this.#schedule = schedule;
  }

  /** Batches and frames posted so far (for benchmarks). */
  get stats(): { readonly batches: number; readonly frames: number } {
    return { batches: this.#batches, frames: this.#frames };
  }

  sendFrame(connectionId: number, frame: Uint8Array): void {
    if (!this.#writer.fits(frame.length)) this.flush();
    this.#writer.add(connectionId, frame);
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#schedule(this.#flush);
    }
  }

  /** Posts a control message after every frame queued before it. */
  send(message: Message): void {
    this.flush();
    this.#post(message, []);
  }

  flush(): void {
    const frames = this.#writer.frames;
    const batch = this.#writer.take();
    if (batch === undefined) return;
    this.#batches += 1;
    this.#frames += frames;
    this.#post(batch, [batch.bytes]);
  }
}
