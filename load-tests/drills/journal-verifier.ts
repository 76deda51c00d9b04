// The kill drill's trusted checker. It stands inside the trust boundary: with the development
// sealing key kept in the data directory it recovers the enclave exactly as a restart would
// (snapshot + journal tail, EnclaveRuntime.boot), replays the whole journal from scratch into a
// fresh engine, and answers only what the drill may know: both state hashes, whether the
// engine's invariants hold, and which of the drill's own client order ids were journaled.
// With a TEE's sealing key this code could only run inside the enclave; the drill plays that
// role because the development key source is a file (test/enclave/crash.test.ts does the same
// at the runtime level).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevAttestationProvider } from '../../src/enclave/attestation/dev-provider.js';
import { decodeStamped } from '../../src/enclave/command-codec.js';
import { EnclaveEngine } from '../../src/enclave/engine.js';
import { FileJournal } from '../../src/enclave/journal/file-journal.js';
import { DevSealingKeySource, loadOrCreateEnclaveKeys } from '../../src/enclave/keys.js';
import { EnclaveRuntime } from '../../src/enclave/runtime.js';
import { decodeStampedRecord } from '../../src/enclave/sequencer.js';
import { buildMarketSpec } from '../../src/matching/market-spec.js';
import { ENGINE_MARKET, ENGINE_FEE_ACCOUNT } from '../engine-config.js';

export interface JournalVerdict {
  /** The state a restart recovers (latest snapshot + journal tail). */
  readonly recoveredHash: string;
  /** The state of a replay of every journal record from an empty engine. */
  readonly scratchHash: string;
  readonly journalRecords: number;
  /** Client order ids of every journaled order placement. */
  readonly placedClientOrderIds: ReadonlySet<string>;
  /** The replayed engine's matcher and ledger invariants held (the error otherwise). */
  readonly invariantError: string | undefined;
}

/**
 * Verifies a copy of a stopped or killed engine's data directory (the copy is recovered, so
 * the original stays exactly as the engine left it for its own restart).
 */
export async function verifyDataDir(dataDir: string): Promise<JournalVerdict> {
  const copy = mkdtempSync(join(tmpdir(), 'drill-verify-'));
  try {
    cpSync(dataDir, copy, { recursive: true });
    const scratch = await replayFromScratch(copy);
    const runtime = await EnclaveRuntime.boot({
      dataDir: copy, markets: [ENGINE_MARKET], feeAccount: ENGINE_FEE_ACCOUNT, tickMs: 0, settlementWindowMs: 0,
      sealingKeySource: new DevSealingKeySource({ directory: copy, production: false }),
      attestation: new DevAttestationProvider({ production: false }),
    }, { sendFrame: () => undefined, closeConnection: () => undefined, fatal: (error) => { throw error; } });
    const recoveredHash = runtime.stateHash();
    await runtime.stop();
    return { ...scratch, recoveredHash };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

async function replayFromScratch(dataDir: string): Promise<Omit<JournalVerdict, 'recoveredHash'>> {
  const keys = await loadOrCreateEnclaveKeys(join(dataDir, 'keys'), new DevSealingKeySource({ directory: dataDir, production: false }));
  const journal = await FileJournal.open({ directory: join(dataDir, 'journal'), sealingKey: keys.journalSealingKey });
  const engine = new EnclaveEngine({ markets: [buildMarketSpec(ENGINE_MARKET)], feeAccount: ENGINE_FEE_ACCOUNT });
  const placedClientOrderIds = new Set<string>();
  let journalRecords = 0;
  try {
    for await (const record of journal.readFrom(journal.firstSequence)) {
      const command = decodeStamped(decodeStampedRecord(record.sequence, record.payload));
      if (command.kind === 'trade' && command.request.type === 'order.place') placedClientOrderIds.add(command.request.order.clientOrderId);
      engine.apply(command);
      journalRecords += 1;
    }
  } finally {
    await journal.close();
  }
  let invariantError: string | undefined;
  try {
    engine.checkInvariants();
  } catch (error) {
    invariantError = error instanceof Error ? error.message : String(error);
  }
  return { scratchHash: engine.stateHash(), journalRecords, placedClientOrderIds, invariantError };
}
