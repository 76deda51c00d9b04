// INVARIANT: the file journal keeps the Journal contract every implementation owes (see
// journal-contract.ts), the same suite a replicated journal must pass.
import { FileJournal } from '../../../src/enclave/journal/file-journal.js';
import { journalContract } from './journal-contract.js';
import { testKey } from './helpers.js';

journalContract('FileJournal', (dir) => FileJournal.open({ directory: dir, sealingKey: testKey(11), segmentBytesMax: 4096 })).run();
