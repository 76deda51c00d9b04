// Runs seeded kill -9 scenarios against the crash driver and checks, after each kill, what a
// restart recovers: every command the child acknowledged is there, in order, whole and equal
// to what was sent; the chain verifies; and snapshot + replay rebuilds the state a replay from
// scratch gives. Shared by the crash test (CI-sized) and scripts/crash-drill-journal.ts.
//
// A process kill leaves the page cache intact, so on its own it rarely tears a record. Half of
// the kills are therefore followed by a simulated power loss: the newest segment is cut at a
// seeded point past everything acknowledged (and past the newest snapshot), often mid-record.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileJournal } from '../../../src/enclave/journal/file-journal.js';
import { JOURNAL_LIMITS } from '../../../src/enclave/journal/limits.js';
import { SEGMENT_HEADER_BYTES, parseFrame } from '../../../src/enclave/journal/segment-format.js';
import { SnapshotStore } from '../../../src/enclave/journal/snapshot-store.js';
import { Sequencer } from '../../../src/enclave/sequencer.js';
import type { DriverConfig } from './crash-driver.js';
import { ExpectedStates, crashCommand, crashKey } from './crash-workload.js';
import { prng } from './helpers.js';

const DRIVER = new URL('./crash-driver.ts', import.meta.url).pathname;
/** A child that has not been killed after this long has hung: the run fails. */
const CHILD_TIMEOUT_MS = 20_000;

export interface CrashScenario {
  readonly seed: number;
  /** Kill-and-restart cycles on one data directory. */
  readonly cycles: number;
  /** Upper bound of the seeded delay between the child being ready and SIGKILL. */
  readonly killDelayMsMax: number;
}

export interface CycleOutcome {
  readonly killDelayMs: number;
  readonly killedDuringStartup: boolean;
  /** Highest sequence the child printed as acknowledged (cumulative across cycles). */
  readonly acknowledged: number;
  /** Last sequence present after restart. */
  readonly recovered: number;
  readonly tornBytes: number;
  readonly snapshotSequence: number;
  /** Bytes cut off the newest segment to simulate losing what was not yet fsynced (0: none). */
  readonly powerLossCutBytes: number;
}

interface ChildOutcome {
  readonly lastAck: number;
  readonly startupKilled: boolean;
}

function fail(scenario: CrashScenario, cycle: number, message: string): never {
  throw new Error(`crash scenario seed ${scenario.seed} cycle ${cycle}: ${message}`);
}

/** Spawns the driver, kills it with SIGKILL at the seeded moment, and returns the acknowledgements it printed. */
function runChild(scenario: CrashScenario, cycle: number, config: DriverConfig, killDelayMs: number, killDuringStartup: boolean): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DRIVER, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    let stderr = '';
    let lastAck = 0;
    let ready = false;
    let killed = false;
    let problem: string | undefined;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      child.kill('SIGKILL');
    };
    const hung = setTimeout(() => {
      problem = 'child neither ready nor killed in time';
      kill();
    }, CHILD_TIMEOUT_MS);
    if (killDuringStartup) setTimeout(kill, killDelayMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [kind, value] = line.split(' ');
        if (kind === 'ready' && !ready) {
          ready = true;
          if (!killDuringStartup) setTimeout(kill, killDelayMs);
        } else if (kind === 'a') {
          const sequence = Number(value);
          if (!(sequence > lastAck)) problem = `acknowledgement ${sequence} after ${lastAck}`;
          lastAck = sequence;
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(hung);
      if (problem !== undefined) return reject(new Error(`seed ${scenario.seed} cycle ${cycle}: ${problem}\n${stderr}`));
      if (signal !== 'SIGKILL') return reject(new Error(`seed ${scenario.seed} cycle ${cycle}: child ended with code ${code} before the kill\n${stderr}`));
      resolve({ lastAck, startupKilled: !ready });
    });
  });
}

/** Restarts in-process the way the enclave would, and checks everything recovered. */
async function verifyRestart(scenario: CrashScenario, cycle: number, dataDir: string, expected: ExpectedStates, acknowledged: number, segmentBytesMax: number): Promise<{ recovered: number; tornBytes: number; snapshotSequence: number }> {
  const snapshots = await SnapshotStore.open({ directory: join(dataDir, 'snapshots'), sealingKey: crashKey() });
  let journal: FileJournal | undefined;
  const recovery = await Sequencer.recover({
    snapshots,
    clock: () => 0n,
    openJournal: async (anchor) => (journal = await FileJournal.open({ directory: join(dataDir, 'journal'), sealingKey: crashKey(), anchor, segmentBytesMax })),
  });
  if (recovery.rejectedSnapshots.length > 0) fail(scenario, cycle, `snapshots rejected: ${recovery.rejectedSnapshots.map((entry) => entry.error.message).join('; ')}`);
  const snapshotSequence = recovery.snapshot?.sequence ?? 0;
  let state = Buffer.alloc(32);
  if (recovery.snapshot !== undefined) {
    state = Buffer.from(recovery.snapshot.state);
    if (!state.equals(expected.at(snapshotSequence))) fail(scenario, cycle, `snapshot ${snapshotSequence} holds the wrong state`);
    if (!createHash('sha256').update(state).digest().equals(Buffer.from(recovery.snapshot.stateHash))) fail(scenario, cycle, 'snapshot state hash differs');
  }
  let lastTimeNs = 0n;
  for await (const stamped of recovery.replay()) {
    if (!Buffer.from(stamped.command).equals(crashCommand(scenario.seed, stamped.sequence))) fail(scenario, cycle, `record ${stamped.sequence} differs from what was sent`);
    if (stamped.logicalTimeNs < lastTimeNs) fail(scenario, cycle, `logical time went backwards at ${stamped.sequence}`);
    lastTimeNs = stamped.logicalTimeNs;
    state = Buffer.from(createHash('sha256').update(state).update(stamped.command).digest());
  }
  const recovered = recovery.sequencer.durableSequence;
  if (recovered < acknowledged) fail(scenario, cycle, `acknowledged ${acknowledged} but only ${recovered} recovered`);
  if (!state.equals(expected.at(recovered))) fail(scenario, cycle, `state after snapshot + replay differs from a replay from scratch at ${recovered}`);
  const tornBytes = journal?.openReport.tornTail?.bytes ?? 0;
  await recovery.sequencer.close();
  snapshots.close();
  return { recovered, tornBytes, snapshotSequence };
}

/**
 * Simulates power loss after the kill: cuts the newest segment somewhere after the last record
 * that must survive (the highest acknowledged or snapshotted sequence). Returns the bytes cut.
 */
async function losePageCacheTail(dataDir: string, mustSurvive: number, random: ReturnType<typeof prng>): Promise<number> {
  const directory = join(dataDir, 'journal');
  const names = await readdir(directory).catch(() => [] as string[]);
  const newest = names.filter((name) => name.endsWith('.journal')).sort().at(-1);
  if (newest === undefined) return 0;
  const path = join(directory, newest);
  const bytes = await readFile(path);
  let keepBytes = 0;
  let offset = SEGMENT_HEADER_BYTES;
  for (let guard = 0; offset < bytes.length && guard < bytes.length; guard++) {
    const parsed = parseFrame(bytes, offset, bytes.length, JOURNAL_LIMITS.recordBytesMax);
    if (parsed.status !== 'complete') break;
    if (parsed.sequence <= mustSurvive) keepBytes = parsed.end;
    offset = parsed.end;
  }
  const cutTo = keepBytes + random.int(bytes.length - keepBytes + 1);
  await truncate(path, cutTo);
  return bytes.length - cutTo;
}

async function newestSnapshotSequence(dataDir: string): Promise<number> {
  const names = await readdir(join(dataDir, 'snapshots')).catch(() => [] as string[]);
  return names.reduce((highest, name) => Math.max(highest, Number(/^snapshot-(\d{16})\.snap$/.exec(name)?.[1] ?? 0)), 0);
}

export async function runCrashScenario(scenario: CrashScenario): Promise<CycleOutcome[]> {
  const dataDir = await mkdtemp(join(tmpdir(), `journal-crash-${scenario.seed}-`));
  const random = prng(scenario.seed);
  const expected = new ExpectedStates(scenario.seed);
  const segmentBytesMax = 4096 * (1 + random.int(48));
  const outcomes: CycleOutcome[] = [];
  let acknowledged = 0;
  try {
    for (let cycle = 0; cycle < scenario.cycles; cycle++) {
      const config: DriverConfig = {
        dataDir,
        seed: scenario.seed,
        window: 16 + random.int(1000),
        snapshotEvery: 64 + random.int(900),
        segmentBytesMax,
        runtimeMsMax: 15_000,
      };
      const killDuringStartup = random.int(8) === 0;
      const killDelayMs = killDuringStartup ? 150 + random.int(250) : random.int(scenario.killDelayMsMax);
      const child = await runChild(scenario, cycle, config, killDelayMs, killDuringStartup);
      acknowledged = Math.max(acknowledged, child.lastAck);
      const powerLoss = random.int(2) === 0;
      const mustSurvive = Math.max(acknowledged, await newestSnapshotSequence(dataDir));
      const powerLossCutBytes = powerLoss ? await losePageCacheTail(dataDir, mustSurvive, random) : 0;
      const restart = await verifyRestart(scenario, cycle, dataDir, expected, acknowledged, segmentBytesMax);
      outcomes.push({ killDelayMs, killedDuringStartup: child.startupKilled, acknowledged, powerLossCutBytes, ...restart });
    }
    return outcomes;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
