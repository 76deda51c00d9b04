// Leadership of one shard's stream as a lease: a key in a replicated JetStream key-value bucket
// whose entries expire after `leaseMs`. The active enclave creates the key (only one creator
// succeeds), then renews it with a compare-and-set on the revision it last wrote; a refused
// renewal means someone else holds it now. The standby keeps trying to create the key, which
// succeeds only once the holder stopped renewing and the entry expired.
//
// The holder trusts its lease only until `leaseMs - safetyMarginMs` after it *sent* its last
// successful renewal: the server cannot expire the entry before `leaseMs` after it stored it,
// which is later. So an old leader stops believing it leads before a new one can take over.
// The lease is a liveness device; safety comes from the stream's fencing (docs/cluster.md).
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { CodedError } from '../errors/index.js';

export const LEADER_LEASE_DEFAULTS = {
  /** The key expires this long after its last write. */
  leaseMs: 1_000,
  /** The holder renews this often (several renewals per lease, so one slow one does not lose it). */
  renewEveryMs: 200,
  /** A contender tries to take the key this often. */
  acquireEveryMs: 100,
  /** The holder stops trusting its lease this much before the server could expire it (clock rate drift, timer lateness). */
  safetyMarginMs: 200,
  /** One key-value request waits this long. */
  requestTimeoutMs: 1_000,
  /** Setting up the bucket retries until this deadline (a forming cluster elects its leaders). */
  setupDeadlineMs: 30_000,
  replicas: 3,
} as const;

const LEASE_KEY = 'leader';
const BUCKET = /^[A-Za-z0-9_-]{1,64}$/;
const HOLDER = /^[A-Za-z0-9_.:-]{1,64}$/;
const SERVER_URL = /^nats:\/\/[A-Za-z0-9.-]+:[0-9]{1,5}$/;

export interface LeaderLeaseOptions {
  readonly servers: readonly string[];
  /** One bucket per shard, e.g. DARKPOOL_LEADER. */
  readonly bucket: string;
  /** Who contends: shown as the key's value (e.g. the enclave instance name). */
  readonly holder: string;
  readonly leaseMs?: number;
  readonly renewEveryMs?: number;
  readonly acquireEveryMs?: number;
  readonly replicas?: number;
}

function configError(detail: string): CodedError {
  return new CodedError('LEASE_CONFIG_INVALID', detail);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class LeaderLease {
  readonly holder: string;
  readonly leaseMs: number;
  readonly #connection: NatsConnection;
  readonly #kv: KV;
  readonly #renewEveryMs: number;
  readonly #acquireEveryMs: number;
  #revision = 0;
  /** performance.now() until which this holder may act as leader. */
  #validUntilMs = 0;
  #renewTimer: NodeJS.Timeout | undefined;
  #onLost: ((detail: string) => void) | undefined;
  #closed = false;

  private constructor(connection: NatsConnection, kv: KV, options: LeaderLeaseOptions) {
    this.#connection = connection;
    this.#kv = kv;
    this.holder = options.holder;
    this.leaseMs = options.leaseMs ?? LEADER_LEASE_DEFAULTS.leaseMs;
    this.#renewEveryMs = options.renewEveryMs ?? LEADER_LEASE_DEFAULTS.renewEveryMs;
    this.#acquireEveryMs = options.acquireEveryMs ?? LEADER_LEASE_DEFAULTS.acquireEveryMs;
  }

  /** Connects and opens (creating if needed) the lease bucket, an R3 key-value store whose entries expire. */
  static async connect(options: LeaderLeaseOptions): Promise<LeaderLease> {
    const leaseMs = options.leaseMs ?? LEADER_LEASE_DEFAULTS.leaseMs;
    const renewEveryMs = options.renewEveryMs ?? LEADER_LEASE_DEFAULTS.renewEveryMs;
    const acquireEveryMs = options.acquireEveryMs ?? LEADER_LEASE_DEFAULTS.acquireEveryMs;
    const replicas = options.replicas ?? LEADER_LEASE_DEFAULTS.replicas;
    if (!Array.isArray(options.servers) || options.servers.length < 1 || options.servers.length > 16 || !options.servers.every((url) => SERVER_URL.test(url))) {
      throw configError('servers must be 1..16 URLs of the form nats://host:port');
    }
    if (!BUCKET.test(options.bucket)) throw configError('bucket must be 1..64 letters, digits, _ or -');
    if (!HOLDER.test(options.holder)) throw configError('holder must be 1..64 letters, digits, _ . : or -');
    if (!Number.isSafeInteger(leaseMs) || leaseMs < 300 || leaseMs > 60_000) throw configError('leaseMs must be 300..60000');
    if (!Number.isSafeInteger(renewEveryMs) || renewEveryMs < 10 || renewEveryMs * 3 > leaseMs - LEADER_LEASE_DEFAULTS.safetyMarginMs) {
      throw configError('renewEveryMs must allow three renewals within leaseMs minus the safety margin');
    }
    if (!Number.isSafeInteger(acquireEveryMs) || acquireEveryMs < 10 || acquireEveryMs > leaseMs) throw configError('acquireEveryMs must be 10..leaseMs');
    if (!Number.isSafeInteger(replicas) || replicas < 1 || replicas > 5) throw configError('replicas must be 1..5');
    const deadline = Date.now() + LEADER_LEASE_DEFAULTS.setupDeadlineMs;
    let lastError: unknown;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      let connection: NatsConnection | undefined;
      try {
        connection = await connect({ servers: [...options.servers], name: `darkpool-lease-${options.holder}`, maxReconnectAttempts: -1, reconnectTimeWait: 100, timeout: LEADER_LEASE_DEFAULTS.requestTimeoutMs });
        const kv = await new Kvm(connection).create(options.bucket, { ttl: leaseMs, history: 1, replicas });
        return new LeaderLease(connection, kv, options);
      } catch (error) {
        lastError = error;
        await connection?.close().catch(() => undefined);
        await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)));
      }
    }
    throw new CodedError('LEASE_UNAVAILABLE', `bucket ${options.bucket}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  }

  /** True while this holder may act as leader (its last renewal is recent enough). */
  get held(): boolean {
    return !this.#closed && performance.now() < this.#validUntilMs;
  }

  /** Tries once to take the lease; true when this holder holds it now. Transport errors count as no. */
  async tryAcquire(): Promise<boolean> {
    if (this.#closed) return false;
    const sentAtMs = performance.now();
    try {
      this.#revision = await this.#kv.create(LEASE_KEY, this.holder);
    } catch {
      return false;
    }
    this.#validUntilMs = sentAtMs + this.leaseMs - LEADER_LEASE_DEFAULTS.safetyMarginMs;
    return true;
  }

  /** Tries every `acquireEveryMs` until it holds the lease; false if `shouldStop()` says so first. */
  async acquire(shouldStop: () => boolean = () => false): Promise<boolean> {
    while (!this.#closed && !shouldStop()) {
      if (await this.tryAcquire()) return true;
      await sleep(this.#acquireEveryMs);
    }
    return false;
  }

  /**
   * Renews the lease every `renewEveryMs` until released; calls `onLost` once, when a renewal is
   * refused (another holder) or no renewal succeeded before the lease ran out locally.
   */
  keep(onLost: (detail: string) => void): void {
    if (!this.held) throw new Error('assertion: keep() a lease that is not held');
    this.#onLost = onLost;
    const renew = async (): Promise<void> => {
      this.#renewTimer = undefined;
      if (this.#closed || this.#onLost === undefined) return;
      if (!this.held) return this.#lose('the lease ran out before a renewal succeeded');
      const sentAtMs = performance.now();
      try {
        this.#revision = await this.#kv.update(LEASE_KEY, this.holder, this.#revision, LEADER_LEASE_DEFAULTS.requestTimeoutMs);
        this.#validUntilMs = sentAtMs + this.leaseMs - LEADER_LEASE_DEFAULTS.safetyMarginMs;
      } catch (error) {
        if (!this.held) return this.#lose(`renewal failed: ${error instanceof Error ? error.message.slice(0, 120) : String(error)}`);
        if (isWrongRevision(error)) return this.#lose('another holder took the lease');
      }
      if (!this.#closed && this.#onLost !== undefined) this.#renewTimer = setTimeout(() => void renew(), this.#renewEveryMs);
    };
    this.#renewTimer = setTimeout(() => void renew(), this.#renewEveryMs);
  }

  /** Who holds the lease (undefined when nobody does), as one replica says: a read just after a change may predate it. Decisions use create/update, never this. */
  async currentHolder(): Promise<string | undefined> {
    const entry = await this.#kv.get(LEASE_KEY);
    return entry === null || entry.operation !== 'PUT' ? undefined : entry.string();
  }

  /** Stops renewing and, if still held, deletes the key so a standby takes over at once. */
  async release(): Promise<void> {
    const wasHeld = this.held;
    this.#stopRenewing();
    this.#validUntilMs = 0;
    if (wasHeld) await this.#kv.delete(LEASE_KEY, { previousSeq: this.#revision }).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#stopRenewing();
    this.#closed = true;
    this.#validUntilMs = 0;
    await this.#connection.close();
  }

  #stopRenewing(): void {
    this.#onLost = undefined;
    if (this.#renewTimer !== undefined) clearTimeout(this.#renewTimer);
    this.#renewTimer = undefined;
  }

  #lose(detail: string): void {
    const onLost = this.#onLost;
    this.#stopRenewing();
    this.#validUntilMs = 0;
    onLost?.(detail);
  }
}

/** The server refused a compare-and-set: the key moved on (10071: wrong last sequence). */
function isWrongRevision(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 10071;
}
