// An in-memory ReplicatedLog with the fencing and deduplication rules the JetStream log
// enforces, so the replicated journal's own logic is tested without a cluster (the cluster
// tests in test/cluster run the same journal against real NATS nodes).
import { CodedError } from '../../../src/errors/index.js';
import type { LogExtent, LogPosition, ReplicatedLog, StoredBatch } from '../../../src/enclave/journal/replicated-log.js';

export class MemoryLog implements ReplicatedLog {
  readonly batches: StoredBatch[] = [];
  /** Appends attempted, accepted or not. */
  attempts = 0;

  async extent(): Promise<LogExtent> {
    const last = this.batches.at(-1);
    return { firstStreamSequence: 1, last: { streamSequence: last?.streamSequence ?? 0, batchId: last?.batchId } };
  }

  async *read(fromStreamSequence: number, throughStreamSequence: number): AsyncIterable<StoredBatch> {
    for (const batch of this.batches.slice(fromStreamSequence - 1, throughStreamSequence)) yield batch;
  }

  async append(batchId: string, bytes: Uint8Array, after: LogPosition): Promise<number> {
    this.attempts += 1;
    await Promise.resolve();
    const held = this.batches.find((batch) => batch.batchId === batchId);
    if (held !== undefined) return held.streamSequence;
    const last = this.batches.at(-1);
    if ((last?.streamSequence ?? 0) !== after.streamSequence || last?.batchId !== after.batchId) {
      throw new CodedError('CLUSTER_JOURNAL_FENCED', `expected last ${after.batchId}, the log ends at ${last?.batchId}`);
    }
    this.batches.push({ streamSequence: this.batches.length + 1, batchId, bytes: Buffer.from(bytes) });
    return this.batches.length;
  }
}
