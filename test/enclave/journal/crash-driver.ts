// The process the crash test kills: it recovers the sequencer from a data directory (replaying
// and checking every command), then submits a deterministic stream of commands under load,
// snapshotting as it goes, and prints "a <sequence>" for each command only once it is durable.
// The parent SIGKILLs it at a seeded moment and checks what survived. Not a test file itself.
// Usage: node --import tsx crash-driver.ts '<json DriverConfig>'
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { FileJournal } from '../../../src/enclave/journal/file-journal.js';
import { SnapshotStore } from '../../../src/enclave/journal/snapshot-store.js';
import { Sequencer } from '../../../src/enclave/sequencer.js';
import { crashCommand, crashKey, foldCommand } from './crash-workload.js';

export interface DriverConfig {
  readonly dataDir: string;
  readonly seed: number;
  readonly window: number;
  readonly snapshotEvery: number;
  readonly segmentBytesMax: number;
  /** The driver stops by itself after this long even if nobody kills it. */
  readonly runtimeMsMax: number;
}

const config = JSON.parse(process.argv[2] ?? '') as DriverConfig;
const write = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const snapshots = await SnapshotStore.open({ directory: join(config.dataDir, 'snapshots'), sealingKey: crashKey() });
const recovery = await Sequencer.recover({
  snapshots,
  clock: () => process.hrtime.bigint(),
  pruneJournal: true,
  openJournal: (anchor) => FileJournal.open({ directory: join(config.dataDir, 'journal'), sealingKey: crashKey(), anchor, segmentBytesMax: config.segmentBytesMax }),
});
let state: Buffer = recovery.snapshot === undefined ? Buffer.alloc(32) : Buffer.from(recovery.snapshot.state);
for await (const stamped of recovery.replay()) {
  if (!Buffer.from(stamped.command).equals(crashCommand(config.seed, stamped.sequence))) throw new Error(`replayed command ${stamped.sequence} differs`);
  state = foldCommand(state, stamped.command);
}
const sequencer = recovery.sequencer;
write(`ready ${sequencer.nextSequence}`);

let inFlight = 0;
let snapshotting = false;
const stopAt = Date.now() + config.runtimeMsMax;

function pump(): void {
  if (Date.now() > stopAt) {
    void sequencer.close().then(() => write('done'));
    return;
  }
  for (let room = config.window - inFlight; room > 0; room--) {
    const sequence = sequencer.nextSequence;
    const accepted = sequencer.accept(crashCommand(config.seed, sequence));
    state = foldCommand(state, accepted.stamped.command);
    inFlight += 1;
    void accepted.durable.then((stamped) => {
      inFlight -= 1;
      write(`a ${stamped.sequence}`);
    });
    if (sequence % config.snapshotEvery === 0 && !snapshotting) {
      snapshotting = true;
      const snapshotState = Buffer.from(state);
      void sequencer.saveSnapshot({ sequence, stateHash: createHash('sha256').update(snapshotState).digest(), state: snapshotState }).then(() => {
        snapshotting = false;
        write(`s ${sequence}`);
      });
    }
  }
  setImmediate(pump);
}
pump();
