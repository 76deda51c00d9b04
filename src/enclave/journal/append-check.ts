// What every journal checks before admitting an append, whatever it stores the records in: the
// batch's shape and each record's size. Returns the bytes the records take once framed, for
// the journal's own back-pressure bound.
import { CodedError } from '../../errors/index.js';
import { JOURNAL_LIMITS } from './limits.js';
import { frameBytesFor } from './segment-format.js';

export function checkedFramedBytes(records: readonly Uint8Array[]): number {
  if (!Array.isArray(records) || records.length < 1 || records.length > JOURNAL_LIMITS.recordsPerAppendMax) {
    throw new CodedError('JOURNAL_APPEND_INVALID', `got ${Array.isArray(records) ? records.length : typeof records} records, limit ${JOURNAL_LIMITS.recordsPerAppendMax}`);
  }
  let framedBytes = 0;
  for (const record of records) {
    if (!(record instanceof Uint8Array)) throw new CodedError('JOURNAL_APPEND_INVALID', 'every record must be a Uint8Array');
    if (record.length > JOURNAL_LIMITS.recordBytesMax) throw new CodedError('JOURNAL_RECORD_TOO_LARGE', `${record.length} bytes, limit ${JOURNAL_LIMITS.recordBytesMax}`);
    framedBytes += frameBytesFor(record.length);
  }
  return framedBytes;
}
