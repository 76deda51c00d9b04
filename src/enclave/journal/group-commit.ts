// Group commit, independent of where batches go: sealed frames are laid into a batch buffer
// as they are admitted; while one batch is in flight (being written and fsynced, or published
// and acknowledged), everything admitted meanwhile gathers in the next one. One batch is in
// flight at a time, batches complete in order, and a batch's waiters are released only when
// its sink resolves. The file journal's sink is write + fdatasync; a replicated journal's
// sink would be one publish per batch.

export interface CommitBatch<Tag> {
  /** Batches with different tags never merge (the file journal tags each batch with its segment). */
  readonly tag: Tag;
  readonly bytes: Uint8Array;
  /** Sequence range of the records in the batch; both 0 when it holds none (a header only). */
  readonly firstSequence: number;
  readonly lastSequence: number;
}

export type BatchSink<Tag> = (batch: CommitBatch<Tag>) => Promise<void>;

/** Told synchronously of each batch that became durable, in order, and of the failure that stops the committer. */
export interface CommitObserver {
  durable(batch: { readonly firstSequence: number; readonly lastSequence: number; readonly records: number }): void;
  failed(error: Error): void;
}

export interface GroupCommitLimits {
  /** Capacity of one batch buffer. */
  readonly batchBytesMax: number;
  /** Committed bytes not yet durable, across all batches. */
  readonly pendingBytesMax: number;
}

export interface GroupCommitStats {
  readonly batches: number;
  readonly records: number;
  readonly bytes: number;
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Batch<Tag> {
  readonly tag: Tag;
  readonly buffer: Buffer;
  used: number;
  firstSequence: number;
  lastSequence: number;
  records: number;
  deferred: Deferred | undefined;
}

/** Free batch buffers kept for reuse. */
const POOLED_BUFFERS_MAX = 4;

function createDeferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

export class GroupCommitter<Tag> {
  readonly #sink: BatchSink<Tag>;
  readonly #limits: GroupCommitLimits;
  readonly #observer: CommitObserver | undefined;
  /** Closed batches waiting for their turn, oldest first. */
  readonly #queue: Batch<Tag>[] = [];
  readonly #pool: Buffer[] = [];
  #current: Batch<Tag> | undefined;
  #inFlight: Batch<Tag> | undefined;
  #scheduled = false;
  #failure: Error | undefined;
  #pendingBytes = 0;
  #stats = { batches: 0, records: 0, bytes: 0 };

  constructor(sink: BatchSink<Tag>, limits: GroupCommitLimits, observer?: CommitObserver) {
    if (!(limits.batchBytesMax > 0 && limits.pendingBytesMax >= limits.batchBytesMax)) throw new Error('assertion: group commit limits');
    this.#sink = sink;
    this.#limits = limits;
    this.#observer = observer;
  }

  /** Bytes committed and not yet durable. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Set once a batch failed; nothing more is accepted. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Completed batches so far (for tests and benchmarks). */
  get stats(): GroupCommitStats {
    return { ...this.#stats };
  }

  hasRoomFor(bytes: number): boolean {
    return this.#pendingBytes + bytes <= this.#limits.pendingBytesMax;
  }

  /**
   * Space for `bytes` in a batch tagged `tag`, starting a new batch when the tag changes or
   * the current one is full. Fill it, then call `commit` before doing anything else.
   */
  reserve(bytes: number, tag: Tag): { readonly buffer: Buffer; readonly offset: number } {
    if (this.#failure) throw new Error('assertion: reserve after failure');
    if (!(bytes > 0 && bytes <= this.#limits.batchBytesMax)) throw new Error(`assertion: reservation of ${bytes} bytes`);
    const current = this.#current;
    if (current === undefined || current.tag !== tag || current.used + bytes > current.buffer.length) {
      if (current !== undefined && current.used > 0) this.#queue.push(current);
      this.#current = this.#newBatch(tag);
    }
    const batch = this.#current!;
    return { buffer: batch.buffer, offset: batch.used };
  }

  /** Records that `bytes` of the last reservation were filled, holding `sequence` if given. */
  commit(bytes: number, sequence?: number): void {
    const batch = this.#current;
    if (batch === undefined || batch.used + bytes > batch.buffer.length) throw new Error('assertion: commit without reservation');
    batch.used += bytes;
    this.#pendingBytes += bytes;
    if (sequence !== undefined) {
      if (batch.records > 0 && sequence !== batch.lastSequence + 1) throw new Error('assertion: sequences in a batch are consecutive');
      if (batch.records === 0) batch.firstSequence = sequence;
      batch.lastSequence = sequence;
      batch.records += 1;
    }
    this.#schedule();
  }

  /** Resolves when everything committed so far is durable; rejects if any batch fails. */
  whenDurable(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const last = this.#current !== undefined && this.#current.used > 0 ? this.#current : (this.#queue.at(-1) ?? this.#inFlight);
    if (last === undefined) return Promise.resolve();
    last.deferred ??= createDeferred();
    return last.deferred.promise;
  }

  /** Stops the committer: every batch not yet durable rejects with `error`. */
  fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    const batches = [this.#inFlight, ...this.#queue, this.#current];
    this.#queue.length = 0;
    this.#current = undefined;
    this.#inFlight = undefined;
    for (const batch of batches) batch?.deferred?.reject(error);
    this.#observer?.failed(error);
  }

  #newBatch(tag: Tag): Batch<Tag> {
    const buffer = this.#pool.pop() ?? Buffer.allocUnsafe(this.#limits.batchBytesMax);
    return { tag, buffer, used: 0, firstSequence: 0, lastSequence: 0, records: 0, deferred: undefined };
  }

  /** Starts the next batch after the current turn of the event loop's microtasks, so appends made together travel together. */
  #schedule(): void {
    if (this.#scheduled || this.#inFlight !== undefined) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#inFlight !== undefined || this.#failure) return;
    let batch = this.#queue.shift();
    if (batch === undefined && this.#current !== undefined && this.#current.used > 0) {
      batch = this.#current;
      this.#current = undefined;
    }
    if (batch === undefined) return;
    const flight = batch;
    this.#inFlight = flight;
    const view: CommitBatch<Tag> = {
      tag: flight.tag,
      bytes: flight.buffer.subarray(0, flight.used),
      firstSequence: flight.firstSequence,
      lastSequence: flight.lastSequence,
    };
    this.#sink(view).then(
      () => this.#settle(flight),
      (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))),
    );
  }

  #settle(batch: Batch<Tag>): void {
    if (this.#inFlight !== batch) return;
    this.#inFlight = undefined;
    this.#pendingBytes -= batch.used;
    this.#stats.batches += 1;
    this.#stats.records += batch.records;
    this.#stats.bytes += batch.used;
    if (this.#pool.length < POOLED_BUFFERS_MAX) this.#pool.push(batch.buffer);
    this.#pump();
    batch.deferred?.resolve();
    if (batch.records > 0) this.#observer?.durable({ firstSequence: batch.firstSequence, lastSequence: batch.lastSequence, records: batch.records });
  }
}
