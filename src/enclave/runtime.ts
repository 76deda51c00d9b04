// The non-deterministic shell around the engine: connections, sessions, timers, the journal
// and recovery. It is the one place that names an order's whole path through the enclave:
//
//   1. frame      the host hands over the bytes of one connection (receiveFrame)
//   2. channel    the first frame is the handshake; later ones are opened by the session's AEAD
//   3. envelope   the plaintext decodes as canonical { t, id, body } messages (one, or a packed list)
//   4. request    parseRequest turns decimals into an exact trading or session request
//   5. sequence   trading requests are stamped and appended to the sealed journal (accept);
//                 admission refuses new orders (REQUEST_OVERLOADED) while the oldest answer
//                 waiting for durability has waited past a bound, so overload means fast
//                 refusals rather than a queue of seconds
//   6. match      the engine applies the stamped command at once (journaling runs in parallel)
//   7. seal       each report goes to every open session of its account, the answer to the
//                 requester's session
//   8. release    the messages leave only once the command is durable, in sequence order, so no
//                 answer (not even an error or a query result) overtakes an earlier ack; all
//                 that one durable journal group releases to one session is sealed into as few
//                 packed frames as hold it (docs/protocol.md §5.1)
//
// Session requests (dead-man, heartbeat, resume, cancel-on-disconnect) and queries are answered
// here and never journaled; what they trigger (a dead-man cancel, a disconnect cancel) is.
// Recovery at boot: keys → attestation → latest snapshot → journal replay → serve.
import { createHash, sign as signBytes } from 'node:crypto';
import { join } from 'node:path';
import { CodedError, isCodedError } from '../errors/index.js';
import { buildMarketSpec } from '../matching/market-spec.js';
import type { FillEvent, MarketSpecInput } from '../matching/types.js';
import { attestationBundleDigest, serializeAttestationBundle, type AttestationBundle } from '../protocol/attestation-bundle.js';
import { encodeMessageText, type ChannelMessage, type OutgoingMessage } from '../protocol/message-codec.js';
import type { DepositAddressWire, ErrorBody, ReportBody } from '../protocol/trading-messages.js';
import type { AttestationProvider } from './attestation/provider.js';
import { createServerHandshake, ENCLAVE_CHANNEL_FAULTS, loadEnclaveChannelKeys, type EnclaveChannelKeys, type ServerSession } from './channel/index.js';
import { decodeStamped, encodeCommand, stampCommand, timeMsOf, type UnstampedCommand } from './command-codec.js';
import { ENGINE_LIMITS, EnclaveEngine, type EngineConfig, type EngineOutput, type SettlementStepStatus, type WithdrawalOrder } from './engine.js';
import type { WindowNet } from './escrow.js';
import type { JournalStorage } from './journal/durable-fs.js';
import { FileJournal } from './journal/file-journal.js';
import { ReplicatedJournal } from './journal/replicated-journal.js';
import type { ReplicatedLog } from './journal/replicated-log.js';
import { SnapshotStore } from './journal/snapshot-store.js';
import { loadOrCreateEnclaveKeys, type SealingKeySource } from './keys.js';
import { answerListQuery } from './query-pages.js';
import { parseRequest, type RequestContext, type SessionRequest, type TradingRequest } from './requests.js';
import { reportMessageText } from './report-envelope.js';
import { Sequencer, decodeStampedRecord, type Clock } from './sequencer.js';
import { shardEngineConfig } from './shard/shard-config.js';

export const RUNTIME_LIMITS = {
  maxConnections: 16_384,
  /** Answers waiting for durability; above it new requests are refused with REQUEST_OVERLOADED. */
  maxPendingReleases: 200_000,
  /**
   * Admission control: once the commands waiting for durability have waited this long (or would
   * take this long to commit at the measured rate), the journal or this isolate's CPU is behind,
   * and new orders are refused with REQUEST_OVERLOADED instead of queueing; cancels are still taken.
   */
  admissionQueueDelayMs: 50,
  maxAccountChars: 64,
  maxReferenceChars: 128,
} as const;

export const RUNTIME_DEFAULTS = {
  tickMs: 100,
  settlementWindowMs: 1_000,
  snapshotEveryCommands: 10_000,
  /** A hot standby looks for new batches in the stream this often. */
  followIntervalMs: 5,
} as const;

/** Pulls a standby may need to reach the stream's end before it takes over (each ends at a newer batch). */
const PROMOTE_PULLS_MAX = 64;

export interface RuntimeConfig {
  /** Keys, journal and snapshots live under it. */
  readonly dataDir: string;
  readonly markets: readonly MarketSpecInput[];
  readonly feeAccount: string;
  readonly sealingKeySource: SealingKeySource;
  readonly attestation: AttestationProvider;
  /**
   * How often the runtime checks for a GTT order past its expiry while no command arrives;
   * only then does it journal a tick (an idle enclave journals nothing). 0 turns it off.
   */
  readonly tickMs?: number;
  /** Settlement window; 0 turns the window timer off. */
  readonly settlementWindowMs?: number;
  readonly snapshotEveryCommands?: number;
  /** Set when this enclave is one market shard of several: it then issues and redeems transfer vouchers (docs/shards.md). */
  readonly shardId?: string;
  /** Tests substitute slow or counting journal I/O. */
  readonly journalStorage?: JournalStorage;
  /** Queueing delay above which new orders are refused; RUNTIME_LIMITS.admissionQueueDelayMs unless given. */
  readonly admissionQueueDelayMs?: number;
  /** Journal on this replicated log (a JetStream stream, docs/cluster.md) instead of the file journal under dataDir. */
  readonly replicatedLog?: ReplicatedLog;
  /** Wall clock in ns since the epoch; the sequencer keeps it monotonic. */
  readonly clock?: Clock;
  /**
   * Boot as a hot standby of the enclave writing `replicatedLog` (docs/cluster.md): apply every
   * batch it appends, accept no session or command, until `promote()` makes this the writer.
   */
  readonly standby?: boolean;
  /** How often a standby looks for new batches; RUNTIME_DEFAULTS.followIntervalMs unless given. */
  readonly followIntervalMs?: number;
}

/** Counters an operator may read: nothing here that the host could not count itself. */
export interface RuntimeStats {
  readonly durableSequence: number;
  /** Journal groups made durable (one write + one fdatasync each), the records and bytes in them. */
  readonly journalBatches: number;
  readonly journalRecords: number;
  readonly journalBytes: number;
  /** Ticks journaled because a GTT order was past its expiry. */
  readonly ticksJournaled: number;
}

/** What the runtime asks of its surroundings: the host port and, later, settlement. */
export interface RuntimeHooks {
  sendFrame(connectionId: number, frame: Uint8Array): void;
  closeConnection(connectionId: number, code: number): void;
  /** The journal or a snapshot failed: the enclave must stop and recover. */
  fatal(error: Error): void;
  /** A settlement window closed (after it is durable): the nets and its fills for the settlement module. */
  onWindow?(window: { readonly number: number; readonly nets: readonly WindowNet[]; readonly fills: readonly FillEvent[]; readonly timeMs: number }): void;
  /** A withdrawal was debited (after it is durable): settlement must deliver it. */
  onWithdrawal?(withdrawal: WithdrawalOrder): void;
  /** Where the account deposits the asset, from settlement; throws a CodedError when there is no settlement chain for it. */
  depositAddress?(account: string, asset: string): DepositAddressWire;
}

interface Connection {
  readonly id: number;
  session: ServerSession | undefined;
  /** Hex of the trader's Ed25519 identity: the account. */
  account: string;
  cancelOnDisconnect: boolean;
}

/** A message for one connection, or a report (its message text) for every session of one account. */
type Delivery =
  | { readonly to: 'connection'; readonly connection: Connection; readonly message: OutgoingMessage }
  | { readonly to: 'account'; readonly account: string; readonly text: string };

interface Release {
  /** Released once this sequence is durable. */
  readonly sequence: number;
  /** performance.now() when it was queued: how long the queue ahead of new work is. */
  readonly queuedAtMs: number;
  readonly deliveries: Delivery[];
  readonly settle: (() => void) | undefined;
  readonly durable: (() => void) | undefined;
}

const ACCOUNT = /^[0-9a-f]{64}$/;
/** Commands waiting for durability below which admission control never refuses. */
const ADMISSION_MIN_PENDING_COMMANDS = 128;
/** The oldest waiting answer's age, as a multiple of the admission bound, that means the journal stalled. */
const ADMISSION_STALL_FACTOR = 4;
/** Smallest journal group the commit rate is measured on. */
const COMMIT_RATE_MIN_BATCH_COMMANDS = 32;
/** Weight of the newest journal group in the commit-rate average. */
const COMMIT_RATE_WEIGHT = 0.2;
/** Shortest interval a journal group's rate is measured over (timer resolution). */
const COMMIT_RATE_MIN_INTERVAL_MS = 0.05;
/** Requests that only reduce risk: admitted even when new orders are refused for load. */
const CANCELS: ReadonlySet<string> = new Set(['order.cancel', 'order.cancelAll']);
const REFERENCE = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Faults after which the session cannot continue: the client must open a new one. */
const SESSION_ENDING_FAULTS = new Set(['CHANNEL_FRAME_OUT_OF_ORDER', 'CHANNEL_SESSION_CLOSED', 'CHANNEL_SESSION_EXHAUSTED']);
const CHANNEL_REPLY_ID = 'channel';

function wallClockNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1_000)) * 1_000n;
}

function errorBody(error: CodedError): ErrorBody {
  return { code: error.code, name: error.errorName, message: error.message };
}

/** The admission refusal, built once: under overload it is the commonest answer, and an error's stack is not free. */
const OVERLOADED_BODY: ErrorBody = Object.freeze(errorBody(new CodedError('REQUEST_OVERLOADED', 'the enclave is behind; retry shortly')));

function isTradingType(type: string): boolean {
  return type.startsWith('order.') || type.startsWith('funds.');
}

function isTradingRequest(request: TradingRequest | SessionRequest): request is TradingRequest {
  return isTradingType(request.type);
}

export class EnclaveRuntime {
  readonly bundle: AttestationBundle;
  /** The canonical JSON of the bundle, as clients fetch it. */
  readonly bundleJson: string;
  readonly #config: RuntimeConfig;
  readonly #hooks: RuntimeHooks;
  readonly #keys: EnclaveChannelKeys;
  readonly #attestationHash: Uint8Array;
  readonly #sequencer: Sequencer;
  readonly #engine: EnclaveEngine;
  readonly #context: RequestContext;
  readonly #connections = new Map<number, Connection>();
  readonly #sessionsByAccount = new Map<string, Set<Connection>>();
  readonly #deadMen = new Map<string, { afterMs: number; timer: NodeJS.Timeout }>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #releases: Release[] = [];
  #releaseHead = 0;
  /** Message texts waiting to be sealed, per connection in order; sealed together when the outermost #delivering ends. */
  readonly #outgoing = new Map<Connection, string[]>();
  #deliveringDepth = 0;
  /** Commands made durable per ms while the journal was busy (a moving average; 0 until measured). */
  #commitRatePerMs = 0;
  #lastDurableAtMs = 0;
  #lastDurableSequence = 0;
  #lastSnapshotSequence: number;
  #windowFills: FillEvent[] = [];
  #ticksJournaled = 0;
  #failed: Error | undefined;
  #stopped = false;
  /** Set while this runtime is a hot standby: the journal it follows. */
  #follower: ReplicatedJournal | undefined;
  #following: Promise<number> | undefined;
  #followTimer: NodeJS.Timeout | undefined;

  private constructor(
    config: RuntimeConfig, hooks: RuntimeHooks, keys: EnclaveChannelKeys, bundle: AttestationBundle,
    sequencer: Sequencer, engine: EnclaveEngine, assets: ReadonlyMap<string, number>,
  ) {
    this.#config = config;
    this.#hooks = hooks;
    this.#keys = keys;
    this.bundle = bundle;
    this.bundleJson = serializeAttestationBundle(bundle);
    this.#attestationHash = attestationBundleDigest(bundle);
    this.#sequencer = sequencer;
    this.#engine = engine;
    this.#context = { markets: engine.marketSpecs, edges: engine.decimalEdges, assets };
    this.#lastSnapshotSequence = sequencer.durableSequence;
    this.#lastDurableSequence = sequencer.durableSequence;
    sequencer.watch({ durable: (durableSequence) => this.#releaseThrough(durableSequence), failed: (error) => this.#fail(error) });
  }

  /** Recovers the state from the data directory, then starts the timers; ready to serve. */
  static async boot(config: RuntimeConfig, hooks: RuntimeHooks): Promise<EnclaveRuntime> {
    const material = await loadOrCreateEnclaveKeys(join(config.dataDir, 'keys'), config.sealingKeySource);
    const keys = loadEnclaveChannelKeys(material.secrets);
    material.secrets.identitySecretKey.fill(0);
    material.secrets.keyAgreementSecretKey.fill(0);
    const bundle = await config.attestation.attest({ ed25519PublicKey: keys.identityPublicKey, x25519PublicKey: keys.keyAgreementPublicKey });

    const markets = config.markets.map((input) => buildMarketSpec(input));
    const engineConfig: EngineConfig = {
      markets, feeAccount: config.feeAccount,
      ...(config.shardId === undefined ? {} : { shard: shardEngineConfig(config.shardId, bundle, keys.identityPrivateKey) }),
    };
    const assets = new Map<string, number>();
    for (const market of markets) {
      assets.set(market.base, market.baseDecimals);
      assets.set(market.quote, market.quoteDecimals);
    }
    if (config.standby === true && config.replicatedLog === undefined) throw new CodedError('JOURNAL_CONFIG_INVALID', 'a standby follows a replicated log');
    const snapshots = await SnapshotStore.open({ directory: join(config.dataDir, 'snapshots'), sealingKey: material.snapshotSealingKey });
    let follower: ReplicatedJournal | undefined;
    const recovery = await Sequencer.recover({
      snapshots,
      clock: config.clock ?? wallClockNs,
      openJournal: async (anchor) => {
        if (config.replicatedLog === undefined) {
          return FileJournal.open({ directory: join(config.dataDir, 'journal'), sealingKey: material.journalSealingKey, anchor, storage: config.journalStorage });
        }
        const options = { log: config.replicatedLog, sealingKey: material.journalSealingKey, anchor };
        if (config.standby !== true) return ReplicatedJournal.open(options);
        follower = await ReplicatedJournal.follow(options);
        return follower;
      },
    });
    material.journalSealingKey.fill(0);
    material.snapshotSealingKey.fill(0);
    const engine = recovery.snapshot === undefined ? new EnclaveEngine(engineConfig) : restoreEngine(engineConfig, recovery.snapshot.state, recovery.snapshot.stateHash);
    for await (const stamped of recovery.replay()) engine.apply(decodeStamped(stamped));

    const runtime = new EnclaveRuntime(config, hooks, keys, bundle, recovery.sequencer, engine, assets);
    runtime.#follower = follower;
    if (follower === undefined) runtime.#startTimers();
    else runtime.#scheduleFollow();
    return runtime;
  }

  /** The enclave's Ed25519 identity public key (the attested key; also the settlement pool account). */
  get identityPublicKey(): Uint8Array {
    return this.#keys.identityPublicKey;
  }

  /** Signs a settlement batch digest with the identity key; the key itself never leaves the runtime. */
  signWithIdentity(digest: Uint8Array): Uint8Array {
    return new Uint8Array(signBytes(null, digest, this.#keys.identityPrivateKey));
  }

  /** The engine, for read-only inspection by tests and tools. */
  get engine(): EnclaveEngine {
    return this.#engine;
  }

  get durableSequence(): number {
    return this.#sequencer.durableSequence;
  }

  stateHash(): string {
    return this.#engine.stateHash();
  }

  stats(): RuntimeStats {
    const journal = this.#sequencer.journalStats;
    return {
      durableSequence: this.#sequencer.durableSequence,
      journalBatches: journal.batches, journalRecords: journal.records, journalBytes: journal.bytes,
      ticksJournaled: this.#ticksJournaled,
    };
  }

  // ─────────────────────────── hot standby ───────────────────────────

  /** True while this runtime follows the active enclave's stream (booted with `standby`, not yet promoted). */
  get standby(): boolean {
    return this.#follower?.following === true;
  }

  /**
   * Standby only: applies the batches appended to the stream since the last call, exactly as
   * recovery replays them (no reports leave, no settlement starts: the active enclave does
   * both). Resolves to the number of commands applied. Runs on its own timer too.
   */
  followStream(): Promise<number> {
    this.#following ??= this.#pullAndApply().finally(() => { this.#following = undefined; });
    return this.#following;
  }

  /**
   * Standby only: takes over as the stream's writer once it has applied every batch in it (the
   * caller holds the leadership lease, so the old writer has stopped admitting commands). Its
   * first publish fences the old writer. Then it serves sessions and starts its timers.
   */
  async promote(): Promise<void> {
    const follower = this.#follower;
    if (follower === undefined || !follower.following) throw new Error('assertion: promote() is for a standby');
    if (this.#followTimer !== undefined) clearTimeout(this.#followTimer);
    this.#followTimer = undefined;
    for (let pull = 0; ; pull++) {
      await this.followStream();
      try {
        await follower.promote();
        break;
      } catch (error) {
        if (!isCodedError(error, 'STANDBY_BEHIND') || pull + 1 >= PROMOTE_PULLS_MAX) throw error;
      }
    }
    this.#lastSnapshotSequence = this.#sequencer.durableSequence;
    this.#startTimers();
  }

  /** The leadership lease was lost or could not be renewed in time: stop accepting anything at once. */
  loseLeadership(detail: string): void {
    this.#fail(new CodedError('LEASE_LOST', detail));
  }

  async #pullAndApply(): Promise<number> {
    const follower = this.#follower;
    if (follower === undefined || !follower.following || this.#stopped || this.#failed !== undefined) return 0;
    let applied = 0;
    for await (const record of follower.pull()) {
      const stamped = decodeStampedRecord(record.sequence, record.payload);
      this.#sequencer.observeFollowed(stamped);
      const output = this.#engine.apply(decodeStamped(stamped));
      // Mirror the active enclave's open settlement window, so a takeover closes it with its fills.
      if (output.fills.length > 0) this.#windowFills.push(...output.fills);
      if (output.window !== undefined) this.#windowFills = [];
      applied += 1;
    }
    return applied;
  }

  #scheduleFollow(): void {
    if (this.#stopped || this.#failed !== undefined || !this.standby) return;
    this.#followTimer = setTimeout(() => {
      this.#followTimer = undefined;
      this.followStream().then(() => this.#scheduleFollow(), (error: unknown) => this.#fail(error));
    }, this.#config.followIntervalMs ?? RUNTIME_DEFAULTS.followIntervalMs);
    this.#followTimer.unref();
  }

  openConnection(connectionId: number): void {
    if (this.#connections.has(connectionId)) throw new Error(`assertion: connection ${connectionId} is already open`);
    if (this.#connections.size >= RUNTIME_LIMITS.maxConnections) {
      this.#hooks.closeConnection(connectionId, new CodedError('RUNTIME_CONNECTION_LIMIT').code);
      return;
    }
    this.#connections.set(connectionId, { id: connectionId, session: undefined, account: '', cancelOnDisconnect: false });
  }

  /** Stage 1: one frame from the host. Never throws for anything a peer or the host sends. */
  receiveFrame(connectionId: number, frame: Uint8Array): void {
    const connection = this.#connections.get(connectionId);
    if (connection === undefined || this.#stopped) return;
    if (this.#failed !== undefined) {
      this.#drop(connection, new CodedError('ENCLAVE_INTERNAL', 'the enclave is recovering').code);
      return;
    }
    if (this.standby) {
      this.#drop(connection, new CodedError('STANDBY_NOT_LEADER').code);
      return;
    }
    if (connection.session === undefined) {
      this.#handshake(connection, frame);
      return;
    }
    let messages: ChannelMessage[];
    try {
      messages = connection.session.openMessages(frame);
    } catch (error) {
      if (!isCodedError(error)) throw error;
      this.#reply(connection, { t: 'error', id: CHANNEL_REPLY_ID, body: errorBody(error) });
      if (SESSION_ENDING_FAULTS.has(error.errorName)) this.#dropAfterReplies(connection, error.code);
      return;
    }
    // Answers to the messages of one frame that are ready at once leave packed together.
    this.#delivering(() => {
      for (const message of messages) {
        if (this.#failed !== undefined || !this.#connections.has(connection.id)) return;
        this.#receiveMessage(connection, message);
      }
    });
  }

  /** Stages 4–6 for one message of an open session. */
  #receiveMessage(connection: Connection, message: ChannelMessage): void {
    // Admission before parsing: under overload a refusal should cost as little as it can.
    if (isTradingType(message.t) && !CANCELS.has(message.t) && this.#queueBehind()) {
      this.#reply(connection, { t: 'error', id: message.id, body: OVERLOADED_BODY });
      return;
    }
    let request: TradingRequest | SessionRequest;
    try {
      request = parseRequest(message.t, message.body, this.#context);
    } catch (error) {
      if (!isCodedError(error)) throw error;
      this.#reply(connection, { t: 'error', id: message.id, body: errorBody(error) });
      return;
    }
    if (isTradingRequest(request)) {
      this.#submit({ kind: 'trade', account: connection.account, requestId: message.id, request }, { connection, requestId: message.id, requestType: request.type });
    } else {
      this.#answerSessionRequest(connection, message.id, request);
    }
  }

  /**
   * True when a new command would wait past the admission bound: the commands ahead would take
   * that long to commit at the measured commit rate, or the oldest answer waiting for
   * durability has waited that long before there is a rate, several times that after (a stall).
   * A pause (a GC, a slow fsync) followed by a short backlog that the journal clears quickly is
   * not overload, so the age alone has the looser bound.
   */
  #queueBehind(): boolean {
    const pendingCommands = this.#sequencer.nextSequence - 1 - this.#sequencer.durableSequence;
    // A slow fsync with a handful of commands behind it is not overload: they cost little.
    if (pendingCommands < ADMISSION_MIN_PENDING_COMMANDS || this.#releaseHead === this.#releases.length) return false;
    const boundMs = this.#config.admissionQueueDelayMs ?? RUNTIME_LIMITS.admissionQueueDelayMs;
    if (this.#commitRatePerMs === 0) return performance.now() - this.#releases[this.#releaseHead]!.queuedAtMs > boundMs;
    if (pendingCommands / this.#commitRatePerMs > boundMs) return true;
    return performance.now() - this.#releases[this.#releaseHead]!.queuedAtMs > ADMISSION_STALL_FACTOR * boundMs;
  }

  /**
   * Folds one durable journal group into the commit rate: its commands over the time the journal
   * spent on it. Small groups are left out: their time is mostly the fixed cost of one fsync, so
   * they would understate what the journal can commit.
   */
  #measureCommitRate(durableSequence: number): void {
    const nowMs = performance.now();
    const commands = durableSequence - this.#lastDurableSequence;
    if (commands >= COMMIT_RATE_MIN_BATCH_COMMANDS && this.#releaseHead < this.#releases.length) {
      const busySinceMs = Math.max(this.#lastDurableAtMs, this.#releases[this.#releaseHead]!.queuedAtMs);
      const ratePerMs = commands / Math.max(nowMs - busySinceMs, COMMIT_RATE_MIN_INTERVAL_MS);
      this.#commitRatePerMs = this.#commitRatePerMs === 0 ? ratePerMs : this.#commitRatePerMs + COMMIT_RATE_WEIGHT * (ratePerMs - this.#commitRatePerMs);
    }
    this.#lastDurableAtMs = nowMs;
    this.#lastDurableSequence = durableSequence;
  }

  /** The host closed the connection (or the peer went away). */
  closeConnection(connectionId: number): void {
    const connection = this.#connections.get(connectionId);
    if (connection === undefined) return;
    this.#forget(connection);
    if (connection.cancelOnDisconnect && this.#failed === undefined && !this.#stopped) {
      this.#submit({ kind: 'cancelAll', account: connection.account, reason: 'disconnect' }, undefined);
    }
  }

  /**
   * The embedded chain's path for deposits: the host-side chain hook reports a deposit event and
   * the runtime journals it as a command. Resolves once the credit is durable; a repeated
   * reference is journaled but credited once.
   */
  creditDeposit(account: string, asset: string, atoms: bigint, reference: string): Promise<void> {
    if (!ACCOUNT.test(account) || !this.#context.assets.has(asset) || typeof atoms !== 'bigint' || atoms <= 0n || !REFERENCE.test(reference)) {
      return Promise.reject(new CodedError('RUNTIME_DEPOSIT_INVALID', `${account.slice(0, 64)} ${asset.slice(0, 16)}`));
    }
    return new Promise((resolve, reject) => {
      const submitted = this.#submit({ kind: 'deposit', account, asset, atoms, reference }, undefined, resolve);
      if (submitted !== undefined) reject(submitted);
    });
  }

  /**
   * Settlement gave up on a withdrawal the engine debited (refused, or its message failed for
   * good): journals the engine's refund. Resolves once the refund is durable.
   */
  refundWithdrawal(withdrawal: WithdrawalOrder): Promise<void> {
    const { withdrawalId, account, asset, atoms } = withdrawal;
    if (!ACCOUNT.test(account) || !this.#context.assets.has(asset) || typeof atoms !== 'bigint' || atoms <= 0n || !REFERENCE.test(withdrawalId)) {
      return Promise.reject(new Error(`assertion: a refund of a withdrawal the engine never made (${withdrawalId.slice(0, 32)})`));
    }
    return new Promise((resolve, reject) => {
      const submitted = this.#submit({ kind: 'withdrawalFailed', account, asset, atoms, withdrawalId }, undefined, resolve);
      if (submitted !== undefined) reject(submitted);
    });
  }

  /**
   * Settlement gave up on a trade payout (every attempt provably dead): journals the engine's
   * credit-back, applied once per reference. Resolves once durable.
   */
  refundPayout(account: string, asset: string, atoms: bigint, reference: string): Promise<void> {
    if (!ACCOUNT.test(account) || !this.#context.assets.has(asset) || typeof atoms !== 'bigint' || atoms <= 0n || !REFERENCE.test(reference)) {
      return Promise.reject(new Error(`assertion: a refund of a payout the engine never made (${reference.slice(0, 32)})`));
    }
    return new Promise((resolve, reject) => {
      const submitted = this.#submit({ kind: 'payoutFailed', account, asset, atoms, reference }, undefined, resolve);
      if (submitted !== undefined) reject(submitted);
    });
  }

  /**
   * Settlement moved the batch of one closed window along its lifecycle for these accounts:
   * journals the step so each account's stream reports it. Resolves once durable.
   */
  reportSettlement(step: { readonly window: number; readonly status: SettlementStepStatus; readonly batchId: string; readonly accounts: readonly string[] }): Promise<void> {
    const { window, status, batchId, accounts } = step;
    if (!Number.isSafeInteger(window) || window < 1 || !REFERENCE.test(batchId) || accounts.length > ENGINE_LIMITS.accountsPerSettlementStep || !accounts.every((account) => ACCOUNT.test(account))) {
      return Promise.reject(new Error(`assertion: a malformed settlement step for window ${window}`));
    }
    return new Promise((resolve, reject) => {
      const submitted = this.#submit({ kind: 'settlementStep', window, status, batchId, accounts }, undefined, resolve);
      if (submitted !== undefined) reject(submitted);
    });
  }

  /**
   * Public market data from the host: the reference bid and ask (decimal strings) of one market.
   * They are converted to ticks and journaled as a 'reference' command; resolves once durable.
   */
  setReference(market: string, bid: string, ask: string): Promise<void> {
    const edge = this.#engine.decimalEdges.get(market);
    let bidTicks: number;
    let askTicks: number;
    try {
      if (edge === undefined) throw new CodedError('RUNTIME_REFERENCE_INVALID', `unknown market ${String(market).slice(0, 32)}`);
      bidTicks = edge.priceTicks(bid, 'bid');
      askTicks = edge.priceTicks(ask, 'ask');
    } catch (error) {
      if (!isCodedError(error)) throw error;
      return Promise.reject(error.errorName === 'RUNTIME_REFERENCE_INVALID' ? error : new CodedError('RUNTIME_REFERENCE_INVALID', error.message));
    }
    if (bidTicks > askTicks) return Promise.reject(new CodedError('RUNTIME_REFERENCE_INVALID', 'bid above ask'));
    return new Promise((resolve, reject) => {
      const submitted = this.#submit({ kind: 'reference', market, bidTicks, askTicks }, undefined, resolve);
      if (submitted !== undefined) reject(submitted);
    });
  }

  /** Stops timers, waits for pending commands to become durable and their frames to leave, closes the journal. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#followTimer !== undefined) clearTimeout(this.#followTimer);
    await this.#following?.catch(() => undefined);
    for (const timer of this.#timers) clearInterval(timer);
    for (const deadMan of this.#deadMen.values()) clearTimeout(deadMan.timer);
    this.#deadMen.clear();
    await this.#sequencer.close();
    for (const connection of [...this.#connections.values()]) this.#forget(connection);
  }

  // ─────────────────────────── stage 2: handshake ───────────────────────────

  #handshake(connection: Connection, clientHello: Uint8Array): void {
    try {
      const { serverHello, session } = createServerHandshake(this.#keys, this.#attestationHash).acceptClientHello(clientHello);
      connection.session = session;
      connection.account = Buffer.from(session.traderIdentityPublicKey).toString('hex');
      let sessions = this.#sessionsByAccount.get(connection.account);
      if (sessions === undefined) this.#sessionsByAccount.set(connection.account, (sessions = new Set()));
      sessions.add(connection);
      this.#hooks.sendFrame(connection.id, serverHello);
    } catch (error) {
      if (!isCodedError(error)) throw error;
      this.#drop(connection, error.code);
    }
  }

  // ─────────────────────────── stages 5–7: sequence, match, seal ───────────────────────────

  /**
   * Journals a command and applies it; its answer and reports wait for durability. Returns the
   * coded error when the sequencer refused it (nothing applied), after replying to the origin.
   */
  #submit(
    body: UnstampedCommand,
    origin: { readonly connection: Connection; readonly requestId: string; readonly requestType: string } | undefined,
    onDurable?: () => void,
  ): CodedError | undefined {
    if (this.#failed !== undefined) return this.#refuse(origin, isCodedError(this.#failed) ? this.#failed : new CodedError('ENCLAVE_INTERNAL', 'the enclave is recovering'));
    if (this.#releases.length - this.#releaseHead >= RUNTIME_LIMITS.maxPendingReleases) return this.#refuse(origin, new CodedError('REQUEST_OVERLOADED'));
    let stamped;
    try {
      stamped = this.#sequencer.stamp(encodeCommand(body));
    } catch (error) {
      if (!isCodedError(error)) throw error;
      return this.#refuse(origin, error.errorName === 'JOURNAL_OVERLOADED' ? new CodedError('REQUEST_OVERLOADED', error.message) : error);
    }
    const sequence = stamped.sequence;
    const output = this.#engine.apply(stampCommand(body, stamped));
    const deliveries: Delivery[] = [];
    if (origin !== undefined && output.outcome !== undefined) {
      const message = output.outcome.ok
        ? { t: 'result', id: origin.requestId, body: { request: origin.requestType, result: output.outcome.result } }
        : { t: 'error', id: origin.requestId, body: { code: output.outcome.code, name: output.outcome.name, message: output.outcome.message } };
      deliveries.push({ to: 'connection', connection: origin.connection, message });
    }
    for (const { account, report, json } of output.reports) deliveries.push({ to: 'account', account, text: reportMessageText(report.seq, json) });
    // Released by the journal watcher (#releaseThrough) once the sequence is durable.
    this.#releases.push({ sequence, queuedAtMs: performance.now(), deliveries, settle: this.#settlementOf(output, timeMsOf(stamped.logicalTimeNs)), durable: onDurable });
    if (sequence - this.#lastSnapshotSequence >= (this.#config.snapshotEveryCommands ?? RUNTIME_DEFAULTS.snapshotEveryCommands)) this.#snapshot(sequence);
    return undefined;
  }

  #refuse(origin: { readonly connection: Connection; readonly requestId: string } | undefined, error: CodedError): CodedError {
    if (origin !== undefined) this.#reply(origin.connection, { t: 'error', id: origin.requestId, body: errorBody(error) });
    return error;
  }

  #settlementOf(output: EngineOutput, timeMs: number): (() => void) | undefined {
    if (output.fills.length > 0) this.#windowFills.push(...output.fills);
    if (output.window === undefined && output.withdrawals.length === 0) return undefined;
    const window = output.window === undefined ? undefined : { ...output.window, fills: this.#windowFills, timeMs };
    if (window !== undefined) this.#windowFills = [];
    return () => {
      if (window !== undefined) this.#hooks.onWindow?.(window);
      for (const withdrawal of output.withdrawals) this.#hooks.onWithdrawal?.(withdrawal);
    };
  }

  #answerSessionRequest(connection: Connection, id: string, request: SessionRequest): void {
    const account = connection.account;
    const result = (value: Record<string, unknown>): void => this.#reply(connection, { t: 'result', id, body: { request: request.type, result: value } });
    switch (request.type) {
      case 'session.deadMan':
        this.#armDeadMan(account, request.afterMs);
        return result({ afterMs: request.afterMs });
      case 'session.heartbeat': {
        const deadMan = this.#deadMen.get(account);
        if (deadMan !== undefined) this.#armDeadMan(account, deadMan.afterMs);
        return result({ timeMs: Date.now() });
      }
      case 'session.cancelOnDisconnect':
        connection.cancelOnDisconnect = request.enabled;
        return result({ enabled: request.enabled });
      case 'session.resume': {
        const { reports, lastSeq } = this.#engine.reportsAfter(account, request.afterSeq);
        for (const report of reports) this.#reply(connection, reportMessage(report));
        return result({ replayed: reports.length, lastSeq });
      }
      case 'query.orders':
      case 'query.trades':
      case 'query.balances':
        return result(answerListQuery(this.#engine, account, request));
      case 'query.transfers':
        if (this.#engine.shardId === undefined) return this.#reply(connection, { t: 'error', id, body: errorBody(new CodedError('SHARD_NOT_SHARDED')) });
        return result(answerListQuery(this.#engine, account, request));
      case 'query.depositAddress':
        try {
          if (this.#hooks.depositAddress === undefined) throw new CodedError('RUNTIME_DEPOSIT_ADDRESS_UNAVAILABLE', 'no settlement chain');
          return result({ ...this.#hooks.depositAddress(account, request.asset) });
        } catch (error) {
          if (!isCodedError(error)) throw error;
          return this.#reply(connection, { t: 'error', id, body: errorBody(error) });
        }
    }
  }

  #armDeadMan(account: string, afterMs: number): void {
    const previous = this.#deadMen.get(account);
    if (previous !== undefined) clearTimeout(previous.timer);
    this.#deadMen.delete(account);
    if (afterMs === 0 || this.#stopped) return;
    const timer = setTimeout(() => {
      this.#deadMen.delete(account);
      if (this.#failed === undefined && !this.#stopped) this.#submit({ kind: 'cancelAll', account, reason: 'deadMan' }, undefined);
    }, afterMs);
    this.#deadMen.set(account, { afterMs, timer });
  }

  // ─────────────────────────── stage 8: release after durability ───────────────────────────

  /** Queues an answer that is not journaled behind every command accepted before it. */
  #reply(connection: Connection, message: OutgoingMessage): void {
    const delivery: Delivery = { to: 'connection', connection, message };
    const sequence = this.#sequencer.nextSequence - 1;
    if (this.#releaseHead === this.#releases.length && sequence <= this.#sequencer.durableSequence) this.#delivering(() => this.#deliver(delivery));
    else this.#releases.push({ sequence, queuedAtMs: performance.now(), deliveries: [delivery], settle: undefined, durable: undefined });
  }

  #releaseThrough(durableSequence: number): void {
    const releases = this.#releases;
    this.#measureCommitRate(durableSequence);
    // Everything one journal group releases is sealed at the end, packed per session.
    this.#delivering(() => {
      while (this.#releaseHead < releases.length && releases[this.#releaseHead]!.sequence <= durableSequence) {
        const release = releases[this.#releaseHead]!;
        this.#releaseHead += 1;
        for (const delivery of release.deliveries) this.#deliver(delivery);
        release.settle?.();
        release.durable?.();
      }
    });
    if (this.#releaseHead === releases.length) {
      releases.length = 0;
      this.#releaseHead = 0;
    } else if (this.#releaseHead > 4096) {
      releases.splice(0, this.#releaseHead);
      this.#releaseHead = 0;
    }
  }

  /** Runs work that delivers messages; the outermost call seals what it queued. */
  #delivering(work: () => void): void {
    this.#deliveringDepth += 1;
    try {
      work();
    } finally {
      this.#deliveringDepth -= 1;
      if (this.#deliveringDepth === 0) this.#sealOutgoing();
    }
  }

  /** Queues a message for its session(s); only inside #delivering. */
  #deliver(delivery: Delivery): void {
    if (this.#deliveringDepth === 0) throw new Error('assertion: a delivery outside #delivering');
    if (delivery.to === 'connection') {
      let text: string;
      try {
        text = encodeMessageText(delivery.message, ENCLAVE_CHANNEL_FAULTS);
      } catch (error) {
        if (!isCodedError(error)) throw error;
        this.#drop(delivery.connection, error.code);
        return;
      }
      this.#queue(delivery.connection, text);
      return;
    }
    const sessions = this.#sessionsByAccount.get(delivery.account);
    if (sessions === undefined) return;
    for (const connection of sessions) this.#queue(connection, delivery.text);
  }

  #queue(connection: Connection, text: string): void {
    if (connection.session === undefined || !this.#connections.has(connection.id)) return;
    const texts = this.#outgoing.get(connection);
    if (texts === undefined) this.#outgoing.set(connection, [text]);
    else texts.push(text);
  }

  /** Seals each session's queued messages into as few packed frames as hold them, in order. */
  #sealOutgoing(): void {
    if (this.#outgoing.size === 0) return;
    const outgoing = [...this.#outgoing];
    this.#outgoing.clear();
    for (const [connection, texts] of outgoing) {
      if (connection.session === undefined || !this.#connections.has(connection.id)) continue;
      let frames: Uint8Array[];
      try {
        frames = connection.session.sealMessageTexts(texts);
      } catch (error) {
        if (!isCodedError(error)) throw error;
        this.#drop(connection, error.code);
        continue;
      }
      for (const frame of frames) this.#hooks.sendFrame(connection.id, frame);
    }
  }

  // ─────────────────────────── timers, snapshots, failure ───────────────────────────

  #startTimers(): void {
    const tickMs = this.#config.tickMs ?? RUNTIME_DEFAULTS.tickMs;
    const windowMs = this.#config.settlementWindowMs ?? RUNTIME_DEFAULTS.settlementWindowMs;
    const clock = this.#config.clock ?? wallClockNs;
    if (tickMs > 0) {
      this.#timers.push(setInterval(() => {
        if (this.#engine.nextExpiryMs() <= timeMsOf(clock()) && this.#timerCommand({ kind: 'tick' })) this.#ticksJournaled += 1;
      }, tickMs));
    }
    if (windowMs > 0) {
      this.#timers.push(setInterval(() => {
        if (this.#windowFills.length > 0) this.#timerCommand({ kind: 'closeWindow' });
      }, windowMs));
    }
    for (const timer of this.#timers) timer.unref();
  }

  /** Whether the command was journaled. */
  #timerCommand(body: UnstampedCommand): boolean {
    return this.#failed === undefined && !this.#stopped && this.#submit(body, undefined) === undefined;
  }

  #snapshot(sequence: number): void {
    this.#lastSnapshotSequence = sequence;
    const state = Buffer.from(this.#engine.serializeSnapshot(), 'utf8');
    const stateHash = createHash('sha256').update(state).digest();
    this.#sequencer.saveSnapshot({ sequence, stateHash, state }).catch((error: unknown) => this.#fail(error));
  }

  #fail(error: unknown): void {
    if (this.#failed !== undefined) return;
    this.#failed = error instanceof Error ? error : new Error(String(error));
    for (const timer of this.#timers) clearInterval(timer);
    for (const connection of [...this.#connections.values()]) this.#drop(connection, new CodedError('ENCLAVE_INTERNAL').code);
    this.#hooks.fatal(this.#failed);
  }

  /**
   * Ends a session once everything already queued for it has left, the error that ends it
   * last: answers wait for their commands' durability, so an immediate close would overtake
   * them. The close is posted after the releasing group's frames are sealed.
   */
  #dropAfterReplies(connection: Connection, code: number): void {
    if (this.#releaseHead === this.#releases.length) {
      this.#drop(connection, code);
      return;
    }
    const drop = (): void => queueMicrotask(() => { if (this.#connections.get(connection.id) === connection) this.#drop(connection, code); });
    this.#releases.push({ sequence: this.#sequencer.nextSequence - 1, queuedAtMs: performance.now(), deliveries: [], settle: drop, durable: undefined });
  }

  #drop(connection: Connection, code: number): void {
    this.#forget(connection);
    this.#hooks.closeConnection(connection.id, code);
  }

  #forget(connection: Connection): void {
    if (!this.#connections.delete(connection.id)) return;
    connection.session?.close();
    const sessions = this.#sessionsByAccount.get(connection.account);
    sessions?.delete(connection);
    if (sessions !== undefined && sessions.size === 0) this.#sessionsByAccount.delete(connection.account);
  }
}

function reportMessage(report: ReportBody): OutgoingMessage {
  return { t: 'report', id: `s${report.seq}`, body: report };
}

/** Restores a snapshot and checks it against the hash sealed with it. */
function restoreEngine(config: EngineConfig, state: Uint8Array, stateHash: Uint8Array): EnclaveEngine {
  const engine = EnclaveEngine.restore(config, Buffer.from(state).toString('utf8'));
  if (engine.stateHash() !== Buffer.from(stateHash).toString('hex')) throw new CodedError('RUNTIME_SNAPSHOT_MISMATCH');
  return engine;
}
