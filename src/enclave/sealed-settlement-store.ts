// Settlement's lifecycle records (sealed batches, submissions, outcomes, deposits) kept in a
// sealed, MAC-chained journal of their own, so that after a restart settlement reconciles every
// open message with the chain before it resends anything, and the host can neither read nor
// reorder, drop or splice the records.
import { FileJournal } from './journal/file-journal.js';
import { decodeRecord, encodeRecord, type SettlementRecord, type SettlementStore } from '../settlement/records.js';

export class SealedSettlementStore implements SettlementStore {
  private constructor(private readonly journal: FileJournal) {}

  /** Opens (or creates) the store in `directory`, verifying every record already there. */
  static async open(directory: string, sealingKey: Uint8Array): Promise<SealedSettlementStore> {
    return new SealedSettlementStore(await FileJournal.open({ directory, sealingKey }));
  }

  /** Resolves once the record is durable (written and fsynced). */
  async append(record: SettlementRecord): Promise<void> {
    await this.journal.append([new TextEncoder().encode(encodeRecord(record))]);
  }

  async load(): Promise<readonly SettlementRecord[]> {
    const records: SettlementRecord[] = [];
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for await (const entry of this.journal.readFrom(this.journal.firstSequence)) records.push(decodeRecord(decoder.decode(entry.payload)));
    return records;
  }

  close(): Promise<void> {
    return this.journal.close();
  }
}
