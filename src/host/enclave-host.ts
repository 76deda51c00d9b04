// The host's handle on the enclave isolate: it spawns the worker and exchanges port messages
// (src/protocol/enclave-port.ts), nothing else. It imports no enclave or matcher module, so
// the untrusted side never holds a key, a session or plaintext; it relays opaque frames.
import { Worker } from 'node:worker_threads';
import type { EnclaveToHost, EnclaveWorkerConfig, HostToEnclave } from '../protocol/enclave-port.js';

export const HOST_LIMITS = {
  /** Start-up (key unsealing, attestation, journal replay) must finish within this. */
  bootTimeoutMs: 120_000,
  stopTimeoutMs: 30_000,
} as const;

/**
 * The worker's entry (src/enclave/worker-entry.mjs registers tsx, then loads worker-main.ts):
 * a file path, not an import, so no enclave module is loaded into the host.
 */
const WORKER_ENTRY = new URL('../enclave/worker-entry.mjs', import.meta.url);

export type FrameListener = (connectionId: number, frame: Uint8Array) => void;
export type CloseListener = (connectionId: number, code: number) => void;

export class EnclaveHost {
  readonly #worker: Worker;
  readonly #bundle: string;
  #nextConnectionId = 1;
  #nextRequestId = 1;
  #frameListeners: FrameListener[] = [];
  #closeListeners: CloseListener[] = [];
  #fatalListeners: ((message: string) => void)[] = [];
  readonly #pending = new Map<number, (message: EnclaveToHost) => void>();
  #stopped: Promise<void> | undefined;
  #onStopped: (() => void) | undefined;

  private constructor(worker: Worker, bundle: string) {
    this.#worker = worker;
    this.#bundle = bundle;
    worker.on('message', (message: EnclaveToHost) => this.#dispatch(message));
    worker.on('error', (error) => { for (const listener of this.#fatalListeners) listener(error.message); });
  }

  /** Spawns the enclave worker and resolves once it has recovered and attested. */
  static start(config: EnclaveWorkerConfig): Promise<EnclaveHost> {
    const worker = new Worker(WORKER_ENTRY, { workerData: config });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { void worker.terminate(); reject(new Error('the enclave did not become ready in time')); }, HOST_LIMITS.bootTimeoutMs);
      const onMessage = (message: EnclaveToHost): void => {
        if (message.type !== 'ready' && message.type !== 'fatal') return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        if (message.type === 'fatal') {
          void worker.terminate();
          reject(new Error(`the enclave failed to start: ${message.message}`));
        } else {
          resolve(new EnclaveHost(worker, message.bundle));
        }
      };
      const onError = (error: Error): void => { clearTimeout(timer); reject(error); };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
  }

  /** The attestation bundle (canonical JSON) the enclave published at start-up. */
  get bundle(): string {
    return this.#bundle;
  }

  openConnection(): number {
    const connectionId = this.#nextConnectionId++;
    this.#post({ type: 'open', connectionId });
    return connectionId;
  }

  /** Copies the frame into a buffer of its own and transfers that, so the caller's bytes stay usable. */
  sendFrame(connectionId: number, frame: Uint8Array): void {
    const bytes = frame.slice().buffer as ArrayBuffer;
    this.#post({ type: 'frame', connectionId, bytes }, [bytes]);
  }

  close(connectionId: number): void {
    this.#post({ type: 'close', connectionId });
  }

  onFrame(listener: FrameListener): void {
    this.#frameListeners.push(listener);
  }

  /** The enclave closed a connection with a coded reason. */
  onClose(listener: CloseListener): void {
    this.#closeListeners.push(listener);
  }

  onFatal(listener: (message: string) => void): void {
    this.#fatalListeners.push(listener);
  }

  /** Asks the enclave for its current bundle. */
  fetchBundle(): Promise<string> {
    return this.#request((requestId) => ({ type: 'bundle', requestId }), (message) => (message.type === 'bundle' ? message.bundle : ''));
  }

  /**
   * The embedded chain's deposit path: a deposit event observed on the settlement chain is
   * handed to the enclave, which journals and credits it. Resolves once durable.
   */
  deposit(account: string, asset: string, atoms: bigint, reference: string): Promise<void> {
    return this.#request((requestId) => ({ type: 'deposit', requestId, account, asset, atoms: atoms.toString(), reference }), (message) => {
      if (message.type === 'deposited' && message.error !== undefined) throw new Error(`deposit refused (${message.error.code}): ${message.error.message}`);
    });
  }

  /** Lets the enclave finish pending commands, then ends the worker. */
  stop(): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    this.#stopped = new Promise<void>((resolve) => {
      const timer = setTimeout(() => { void this.#worker.terminate().then(() => resolve()); }, HOST_LIMITS.stopTimeoutMs);
      this.#onStopped = () => { clearTimeout(timer); void this.#worker.terminate().then(() => resolve()); };
      this.#post({ type: 'stop' });
    });
    return this.#stopped;
  }

  #request<T>(build: (requestId: number) => HostToEnclave, read: (message: EnclaveToHost) => T): Promise<T> {
    const requestId = this.#nextRequestId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(requestId, (message) => {
        try {
          resolve(read(message));
        } catch (error) {
          reject(error);
        }
      });
      this.#post(build(requestId));
    });
  }

  #post(message: HostToEnclave, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  #dispatch(message: EnclaveToHost): void {
    switch (message.type) {
      case 'frame': {
        const frame = new Uint8Array(message.bytes);
        for (const listener of this.#frameListeners) listener(message.connectionId, frame);
        return;
      }
      case 'close':
        for (const listener of this.#closeListeners) listener(message.connectionId, message.code);
        return;
      case 'bundle':
      case 'deposited': {
        const waiter = this.#pending.get(message.requestId);
        this.#pending.delete(message.requestId);
        waiter?.(message);
        return;
      }
      case 'fatal':
        for (const listener of this.#fatalListeners) listener(message.message);
        return;
      case 'stopped':
        this.#onStopped?.();
        return;
      case 'ready':
        return;
    }
  }
}
