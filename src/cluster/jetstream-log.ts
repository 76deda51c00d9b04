// The replicated journal's log on NATS JetStream: one stream with (by default) three replicas,
// one message per group-committed batch. It carries only what the enclave sealed, so the
// cluster sees ciphertext, sizes, batch ids and timing (docs/cluster.md).
//
// An append is a publish with the batch id as Nats-Msg-Id (deduplication, so retries never
// store a batch twice) and two expectations: the stream's last sequence and the previous
// batch's id. A stale writer fails both at its first publish (fenced); its later batches are
// chained to ones that were never stored, so they fail too. Transient failures (a leader
// election makes the client report "jetstream is not enabled" or time out) are retried with
// the same id until a deadline, so a trader waits through an election instead of failing.
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { CodedError, isCodedError } from '../errors/index.js';
import type { LogExtent, LogPosition, ReplicatedLog, StoredBatch } from '../enclave/journal/replicated-log.js';

export const JETSTREAM_LOG_LIMITS = {
  /** A publish is retried (same id, same expectations) until this long after its first try. */
  appendDeadlineMs: 30_000,
  /** One publish attempt waits this long for the stream's acknowledgement. */
  publishTimeoutMs: 5_000,
  /** Stream creation and look-ups retry until this deadline (a forming cluster elects its leaders). */
  setupDeadlineMs: 60_000,
  /** A reader that receives nothing for this long while more is expected starts a new consumer. */
  readIdleTimeoutMs: 2_000,
  /** New consumers one read may start before it fails (about 40 s of silence in all). */
  readRestartsMax: 20,
  /** Pause between retries: grows from the first to the last value. */
  retryPauseMinMs: 50,
  retryPauseMaxMs: 1_000,
  /**
   * Bytes an ordered consumer pulls ahead of the reader. A bound in bytes, not messages: pulls
   * of hundreds of batch-sized messages stall on 2.9 until the reader restarts.
   */
  readAheadBytes: 8 * 1024 * 1024,
  /** Messages a standby's tail pulls ahead (at most 64 × messageBytesMax in memory). */
  tailAheadMessages: 64,
  /** Largest stream message: a batch plus its unit header. */
  messageBytesMax: 1024 * 1024,
  /** Duplicate window of the stream: retries of one batch must fall inside it. */
  duplicateWindowMs: 120_000,
  replicasMax: 5,
} as const;

/** Server error codes that mean another writer got there first. */
const FENCING_CODES: ReadonlySet<number> = new Set([10070, 10071]);
/** The server's code for a wrong expected last message id. */
const WRONG_LAST_MSG_ID = 10070;

export interface JetStreamLogOptions {
  readonly servers: readonly string[];
  /** Stream name, e.g. DARKPOOL_JOURNAL (one per shard). */
  readonly stream: string;
  /** The one subject the stream holds, e.g. darkpool.journal. */
  readonly subject: string;
  /** Replicas of the stream (3 for a quorum that survives one node). */
  readonly replicas?: number;
  /** Connection name shown in the server's monitoring. */
  readonly name?: string;
  readonly appendDeadlineMs?: number;
}

/** Where the stream's replicas stand, for tests, tooling and the benchmark. */
export interface StreamPlacement {
  readonly leader: string | undefined;
  readonly replicas: readonly { readonly name: string; readonly current: boolean; readonly lagMessages: number }[];
  readonly lastStreamSequence: number;
}

const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,15}$/;
const SERVER_URL = /^nats:\/\/[A-Za-z0-9.-]+:[0-9]{1,5}$/;

function configError(detail: string): CodedError {
  return new CodedError('CLUSTER_CONFIG_INVALID', detail);
}

function pause(attempt: number): Promise<void> {
  const ms = Math.min(JETSTREAM_LOG_LIMITS.retryPauseMaxMs, JETSTREAM_LOG_LIMITS.retryPauseMinMs * 2 ** Math.min(attempt, 10));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs `body` until it succeeds or the deadline passes; `permanent` errors are rethrown at once. */
async function retrying<T>(what: string, deadlineMs: number, body: () => Promise<T>, permanent: (error: unknown) => boolean): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    try {
      return await body();
    } catch (error) {
      if (permanent(error)) throw error;
      lastError = error;
      await pause(attempt);
    }
  }
  throw new CodedError('CLUSTER_LOG_UNAVAILABLE', `${what}: no success within ${deadlineMs} ms (last: ${describe(lastError)})`);
}

export class JetStreamLog implements ReplicatedLog {
  readonly #connection: NatsConnection;
  readonly #client: JetStreamClient;
  readonly #manager: JetStreamManager;
  readonly #stream: string;
  readonly #subject: string;
  readonly #appendDeadlineMs: number;
  #readerRestarts = 0;

  private constructor(connection: NatsConnection, client: JetStreamClient, manager: JetStreamManager, options: JetStreamLogOptions) {
    this.#connection = connection;
    this.#client = client;
    this.#manager = manager;
    this.#stream = options.stream;
    this.#subject = options.subject;
    this.#appendDeadlineMs = options.appendDeadlineMs ?? JETSTREAM_LOG_LIMITS.appendDeadlineMs;
  }

  /** Connects (failing over between `servers`) and creates the stream if it does not exist. */
  static async connect(options: JetStreamLogOptions): Promise<JetStreamLog> {
    const replicas = options.replicas ?? 3;
    if (!Array.isArray(options.servers) || options.servers.length < 1 || options.servers.length > 16 || !options.servers.every((url) => SERVER_URL.test(url))) {
      throw configError('servers must be 1..16 URLs of the form nats://host:port');
    }
    if (!STREAM_NAME.test(options.stream)) throw configError('stream must be 1..64 letters, digits, _ or -');
    if (!SUBJECT.test(options.subject)) throw configError('subject must be dot-separated tokens of letters, digits, _ or -');
    if (!Number.isSafeInteger(replicas) || replicas < 1 || replicas > JETSTREAM_LOG_LIMITS.replicasMax) throw configError(`replicas must be 1..${JETSTREAM_LOG_LIMITS.replicasMax}`);
    const appendDeadlineMs = options.appendDeadlineMs ?? JETSTREAM_LOG_LIMITS.appendDeadlineMs;
    if (!Number.isSafeInteger(appendDeadlineMs) || appendDeadlineMs < 100 || appendDeadlineMs > JETSTREAM_LOG_LIMITS.duplicateWindowMs / 2) {
      throw configError(`appendDeadlineMs must be 100..${JETSTREAM_LOG_LIMITS.duplicateWindowMs / 2} (inside the duplicate window)`);
    }
    const connection = await retrying('connecting to NATS', JETSTREAM_LOG_LIMITS.setupDeadlineMs, () => connect({
      servers: [...options.servers],
      name: options.name ?? 'darkpool-journal',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: JETSTREAM_LOG_LIMITS.publishTimeoutMs,
    }), () => false);
    try {
      const manager = await retrying('reaching JetStream', JETSTREAM_LOG_LIMITS.setupDeadlineMs, () => jetstreamManager(connection, { timeout: JETSTREAM_LOG_LIMITS.publishTimeoutMs }), () => false);
      const config: Partial<StreamConfig> & { name: string } = {
        name: options.stream,
        subjects: [options.subject],
        num_replicas: replicas,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.New,
        max_msgs: -1,
        max_bytes: -1,
        max_msg_size: JETSTREAM_LOG_LIMITS.messageBytesMax,
        duplicate_window: nanos(JETSTREAM_LOG_LIMITS.duplicateWindowMs),
        allow_direct: true,
      };
      await retrying('creating the journal stream', JETSTREAM_LOG_LIMITS.setupDeadlineMs, async () => {
        const existing = await manager.streams.info(options.stream).catch((error: unknown) => {
          if (error instanceof JetStreamApiError && error.code === 10059) return undefined;
          throw error;
        });
        if (existing === undefined) {
          await manager.streams.add(config);
          return;
        }
        if (existing.config.num_replicas !== replicas || existing.config.subjects?.length !== 1 || existing.config.subjects[0] !== options.subject) {
          throw configError(`stream ${options.stream} exists with ${existing.config.num_replicas} replicas on ${existing.config.subjects?.join(',')}`);
        }
      }, (error) => isCodedError(error, 'CLUSTER_CONFIG_INVALID'));
      return new JetStreamLog(connection, jetstream(connection, { timeout: JETSTREAM_LOG_LIMITS.publishTimeoutMs }), manager, options);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  async extent(): Promise<LogExtent> {
    return retrying('reading the journal stream extent', JETSTREAM_LOG_LIMITS.setupDeadlineMs, async () => {
      const { state } = await this.#manager.streams.info(this.#stream);
      if (state.messages === 0) return { firstStreamSequence: state.last_seq + 1, last: { streamSequence: state.last_seq, batchId: undefined } };
      const last = await this.#manager.streams.getMessage(this.#stream, { seq: state.last_seq });
      if (last === null) throw new Error(`stream message ${state.last_seq} not found`);
      return { firstStreamSequence: state.first_seq, last: { streamSequence: state.last_seq, batchId: last.header?.get('Nats-Msg-Id') ?? '' } };
    }, () => false);
  }

  async *read(fromStreamSequence: number, throughStreamSequence: number): AsyncIterable<StoredBatch> {
    if (!Number.isSafeInteger(fromStreamSequence) || fromStreamSequence < 1) throw new Error(`assertion: read from ${fromStreamSequence}`);
    let expected = fromStreamSequence;
    // An ordered consumer on nats-server 2.9 can stall while a node rejoins or an election runs:
    // a reader that hears nothing for a while starts a new one where it stopped.
    for (let restart = 0; expected <= throughStreamSequence; restart++) {
      if (restart > 0) this.#readerRestarts += 1;
      if (restart > JETSTREAM_LOG_LIMITS.readRestartsMax) {
        throw new CodedError('CLUSTER_LOG_UNAVAILABLE', `no stream message ${expected} after ${JETSTREAM_LOG_LIMITS.readRestartsMax} reader restarts`);
      }
      const consumer = await retrying('creating an ordered reader', JETSTREAM_LOG_LIMITS.setupDeadlineMs, () => this.#client.consumers.get(this.#stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: expected,
      }), () => false);
      const messages = await consumer.consume({ max_bytes: JETSTREAM_LOG_LIMITS.readAheadBytes });
      const iterator = messages[Symbol.asyncIterator]();
      try {
        while (expected <= throughStreamSequence) {
          const next = await nextWithin(iterator, JETSTREAM_LOG_LIMITS.readIdleTimeoutMs);
          if (next === undefined) break;
          if (next.seq !== expected) throw new CodedError('CLUSTER_LOG_UNAVAILABLE', `the reader got stream message ${next.seq}, expected ${expected}`);
          expected += 1;
          yield { streamSequence: next.seq, batchId: next.headers?.get('Nats-Msg-Id') ?? '', bytes: next.data };
        }
      } finally {
        // stop() ends the pull at once; awaiting close() would wait for a drain nobody reads.
        messages.stop();
      }
    }
  }

  /**
   * A hot standby's feed: one ordered consumer from `fromStreamSequence` that yields batches as
   * they are appended. It ends (and the follower falls back to `extent` + `read`) when the
   * consumer fails or delivers out of order; the caller ends it by returning the iterator.
   */
  async *tail(fromStreamSequence: number): AsyncIterable<StoredBatch> {
    if (!Number.isSafeInteger(fromStreamSequence) || fromStreamSequence < 1) throw new Error(`assertion: tail from ${fromStreamSequence}`);
    const consumer = await this.#client.consumers.get(this.#stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromStreamSequence });
    // Counted in messages: a tail carries the writer's current batches, small at a steady rate;
    // pulls bounded by bytes went silent after about a thousand of them on 2.9.
    const messages = await consumer.consume({ max_messages: JETSTREAM_LOG_LIMITS.tailAheadMessages });
    let expected = fromStreamSequence;
    try {
      for await (const message of messages) {
        if (message.seq !== expected) return;
        expected += 1;
        yield { streamSequence: message.seq, batchId: message.headers?.get('Nats-Msg-Id') ?? '', bytes: message.data };
      }
    } finally {
      messages.stop();
    }
  }

  async append(batchId: string, bytes: Uint8Array, after: LogPosition): Promise<number> {
    if (bytes.length > JETSTREAM_LOG_LIMITS.messageBytesMax) throw new Error(`assertion: a batch of ${bytes.length} bytes`);
    const deadline = Date.now() + this.#appendDeadlineMs;
    let expectLastId = after.batchId !== undefined;
    let lastError: unknown;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      try {
        const ack = await this.#client.publish(this.#subject, bytes, {
          msgID: batchId,
          expect: expectLastId ? { lastSequence: after.streamSequence, lastMsgID: after.batchId } : { lastSequence: after.streamSequence },
          timeout: Math.max(1, Math.min(JETSTREAM_LOG_LIMITS.publishTimeoutMs, deadline - Date.now())),
        });
        return ack.seq;
      } catch (error) {
        if (error instanceof JetStreamApiError && FENCING_CODES.has(error.code)) {
          const tail = await this.extent();
          // An earlier attempt was stored and only its acknowledgement was lost.
          if (tail.last.batchId === batchId) return tail.last.streamSequence;
          // A server that restarted after the duplicate window forgets the last id; the log still
          // ends where this writer expects, so the sequence alone fences this one publish.
          if (error.code === WRONG_LAST_MSG_ID && expectLastId && tail.last.streamSequence === after.streamSequence && tail.last.batchId === after.batchId) {
            expectLastId = false;
            continue;
          }
          throw new CodedError('CLUSTER_JOURNAL_FENCED', `batch ${batchId} expected the log to end at ${after.streamSequence} (${after.batchId ?? 'empty'}), it ends at ${tail.last.streamSequence} (${tail.last.batchId ?? 'empty'})`);
        }
        lastError = error;
        await pause(attempt);
      }
    }
    throw new CodedError('CLUSTER_REPLICATION_FAILED', `batch ${batchId}: no quorum acknowledgement within ${this.#appendDeadlineMs} ms (last: ${describe(lastError)})`);
  }

  /** Ordered readers restarted after a stall, over this log's life (for the benchmark). */
  get readerRestarts(): number {
    return this.#readerRestarts;
  }

  /** The stream leader, its replicas and their lag. */
  async placement(): Promise<StreamPlacement> {
    const info = await this.#manager.streams.info(this.#stream);
    return {
      leader: info.cluster?.leader,
      replicas: (info.cluster?.replicas ?? []).map((peer) => ({ name: peer.name, current: peer.current, lagMessages: peer.lag ?? 0 })),
      lastStreamSequence: info.state.last_seq,
    };
  }

  /** Asks the stream's leader to step down (an orderly election). */
  async stepDown(): Promise<void> {
    await this.#connection.request(`$JS.API.STREAM.LEADER.STEPDOWN.${this.#stream}`, new Uint8Array(0), { timeout: JETSTREAM_LOG_LIMITS.publishTimeoutMs });
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }
}

/** The iterator's next message, or undefined after `timeoutMs` without one (or at its end). */
async function nextWithin(iterator: AsyncIterator<JsMsg>, timeoutMs: number): Promise<JsMsg | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), timeoutMs); });
  try {
    const result = await Promise.race([iterator.next(), timeout]);
    return result === undefined || result.done === true ? undefined : result.value;
  } finally {
    clearTimeout(timer);
  }
}
