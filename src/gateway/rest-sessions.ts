// The REST form of a session, for market makers that cannot hold a websocket: the same
// channel messages as base64 strings in JSON. POST a hello, get a token and the ServerHello;
// each later call relays frames in order and long-polls for whatever the enclave sent
// since the previous call. Output waits in a bounded queue; idle sessions expire.
import { randomBytes } from 'node:crypto';
import { CodedError } from '../errors/index.js';
import type { GatewayLimits } from './config.js';
import type { EnclaveRelay, EndReason, RelaySession } from './relay.js';
import { checkClientHello } from './wire-checks.js';

/** The long-poll bounds of POST /v1/sessions/:token/frames (part of the HTTP contract). */
export const REST_WAIT_MS = { default: 50, max: 1_000 } as const;
const TOKEN_BYTES = 32;
const SWEEP_BOUNDS_MS = { min: 100, max: 1_000 } as const;

/** The enclave refused a REST ClientHello: the gateway's code plus the enclave's reason. */
export class HelloRefusedError extends CodedError {
  constructor(readonly enclaveCode: number) {
    super('GATEWAY_HELLO_REFUSED', `enclave code ${enclaveCode}`);
  }
}

export interface FramesResult {
  readonly frames: readonly Uint8Array[];
  /** Present once, on the call after the enclave closed the session. */
  readonly closed?: { readonly enclaveCode: number };
}

interface Waiter {
  readonly finish: () => void;
}

interface RestSession {
  readonly token: string;
  readonly relay: RelaySession;
  open: boolean;
  readonly queue: Uint8Array[];
  queuedBytes: number;
  lastUsedMs: number;
  ended: EndReason | undefined;
  waiter: Waiter | undefined;
  helloWaiter: ((outcome: Uint8Array | EndReason) => void) | undefined;
}

export class RestSessions {
  readonly #relay: EnclaveRelay;
  readonly #limits: GatewayLimits;
  readonly #byToken = new Map<string, RestSession>();
  #sweeper: NodeJS.Timeout | undefined;

  constructor(relay: EnclaveRelay, limits: GatewayLimits) {
    this.#relay = relay;
    this.#limits = limits;
  }

  startSweeper(): void {
    if (this.#sweeper !== undefined) return;
    const periodMs = Math.min(SWEEP_BOUNDS_MS.max, Math.max(SWEEP_BOUNDS_MS.min, Math.floor(this.#limits.restSessionIdleMs / 4)));
    this.#sweeper = setInterval(() => this.sweep(), periodMs);
    this.#sweeper.unref();
  }

  stopSweeper(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Opens a session with the ClientHello; resolves with its token once the ServerHello arrives. */
  async create(hello: Uint8Array): Promise<{ token: string; serverHello: Uint8Array }> {
    checkClientHello(hello);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const relay = this.#relay.open('rest', {
      deliver: (bytes) => this.#deliver(created, bytes),
      ended: (reason) => this.#ended(created, reason),
    });
    const created: RestSession = { token, relay, open: false, queue: [], queuedBytes: 0, lastUsedMs: this.#relay.nowMs(), ended: undefined, waiter: undefined, helloWaiter: undefined };
    const outcome = new Promise<Uint8Array | EndReason | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), this.#limits.helloTimeoutMs);
      created.helloWaiter = (result) => { clearTimeout(timer); resolve(result); };
    });
    try {
      relay.sendHello(hello);
    } catch (error) {
      relay.release();
      throw error;
    }
    const result = await outcome;
    created.helloWaiter = undefined;
    if (result instanceof Uint8Array) {
      created.open = true;
      created.lastUsedMs = this.#relay.nowMs();
      this.#byToken.set(token, created);
      return { token, serverHello: result };
    }
    relay.release();
    if (result === 'timeout') {
      throw new CodedError('GATEWAY_ENCLAVE_TIMEOUT', `no ServerHello within ${this.#limits.helloTimeoutMs} ms`);
    }
    if (result.by === 'enclave') throw new HelloRefusedError(result.code);
    throw new CodedError(result.name);
  }

  /**
   * Relays the frames (all checked first: none is relayed if one is refused), then waits up to
   * waitMs until the enclave has sent a frame, and returns everything queued for the session,
   * oldest first. The gateway cannot count answers: the enclave packs several into one frame.
   */
  async exchange(token: string, frames: readonly Uint8Array[], waitMs: number): Promise<FramesResult> {
    const session = this.#find(token);
    session.lastUsedMs = this.#relay.nowMs();
    if (session.ended !== undefined) return this.#collect(session);
    if (frames.length > this.#limits.maxFramesPerRestCall) {
      throw new CodedError('GATEWAY_TOO_MANY_FRAMES', `${frames.length} frames, limit ${this.#limits.maxFramesPerRestCall}`);
    }
    session.relay.sendFrames(frames);
    session.waiter?.finish();
    const alreadyQueued = frames.length === 0 && session.queue.length > 0;
    if (waitMs > 0 && !alreadyQueued) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => waiter.finish(), waitMs);
        const waiter: Waiter = {
          finish: () => {
            clearTimeout(timer);
            if (session.waiter === waiter) session.waiter = undefined;
            resolve();
          },
        };
        session.waiter = waiter;
      });
    }
    session.lastUsedMs = this.#relay.nowMs();
    if (session.ended !== undefined) return this.#collect(session);
    return { frames: this.#drain(session) };
  }

  /** DELETE: closes the enclave connection and forgets the token. */
  remove(token: string): void {
    const session = this.#find(token);
    this.#forget(session);
  }

  /** Closes and forgets sessions idle for longer than the limit. */
  sweep(): void {
    const now = this.#relay.nowMs();
    for (const session of [...this.#byToken.values()]) {
      if (session.waiter === undefined && now - session.lastUsedMs > this.#limits.restSessionIdleMs) this.#forget(session);
    }
  }

  /** Forgets every session (the gateway is closing). */
  clear(): void {
    for (const session of [...this.#byToken.values()]) this.#forget(session);
  }

  #find(token: string): RestSession {
    const session = this.#byToken.get(token);
    if (session === undefined) throw new CodedError('GATEWAY_SESSION_NOT_FOUND');
    return session;
  }

  #deliver(session: RestSession, bytes: Uint8Array): void {
    if (!session.open && session.helloWaiter !== undefined) {
      const helloWaiter = session.helloWaiter;
      session.helloWaiter = undefined;
      helloWaiter(bytes);
      return;
    }
    if (session.queuedBytes + bytes.length > this.#limits.maxQueuedOutboundBytes) {
      session.queue.length = 0;
      session.queuedBytes = 0;
      session.relay.drop('GATEWAY_SLOW_CONSUMER');
      return;
    }
    session.queue.push(bytes);
    session.queuedBytes += bytes.length;
    session.waiter?.finish();
  }

  #ended(session: RestSession, reason: EndReason): void {
    session.ended = reason;
    if (!session.open) {
      session.helloWaiter?.(reason);
      session.helloWaiter = undefined;
      return;
    }
    if (reason.by === 'gateway') {
      session.queue.length = 0;
      session.queuedBytes = 0;
    }
    session.waiter?.finish();
  }

  /** The first call after a session ended: its last output and the enclave's code, or the gateway's coded error. */
  #collect(session: RestSession): FramesResult {
    const reason = session.ended!;
    const frames = this.#drain(session);
    this.#forget(session);
    if (reason.by === 'gateway') throw new CodedError(reason.name);
    return { frames, closed: { enclaveCode: reason.code } };
  }

  #drain(session: RestSession): Uint8Array[] {
    const frames = session.queue.splice(0, session.queue.length);
    session.queuedBytes = 0;
    return frames;
  }

  #forget(session: RestSession): void {
    this.#byToken.delete(session.token);
    session.waiter?.finish();
    session.relay.release();
  }
}
