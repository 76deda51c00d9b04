// Sealed snapshots of the enclave's state, so recovery replays only the journal after the
// latest one. The state is opaque bytes (the matcher's business); a snapshot also records the
// sequence and state hash it corresponds to and the journal's chain value at that sequence,
// which ties it to one journal history. Files are replaced atomically (temp + fsync + rename
// + directory fsync), and the newest few are kept so one bad file does not strand recovery.
//
// File: magic "DPSNAP01" | salt 16 | sequence u64 | keyCheck 16 | bodyBytes u32 | ciphertext | tag 16
// Body (sealed with AES-256-GCM under a per-file key from the salt; the header is associated data):
//   chainMac 32 | stateHashBytes u8 | stateHash | state
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CodedError, isCodedError } from '../../errors/index.js';
import { fsyncDirectory, writeFileAtomically } from './durable-fs.js';
import { SNAPSHOT_LIMITS } from './limits.js';
import {
  deriveSnapshotKeys,
  deriveUnitKey,
  freshSalt,
  macEquals,
  openSnapshotBody,
  sealSnapshotBody,
  zeroKeys,
  type SnapshotKeys,
} from './sealing.js';
import { KEY_CHECK_BYTES, MAC_BYTES, SALT_BYTES, SEQUENCE_BYTES, TAG_BYTES, readUint64, writeUint64 } from './segment-format.js';

const SNAPSHOT_MAGIC = Buffer.from('DPSNAP01', 'latin1');
const SALT_AT = SNAPSHOT_MAGIC.length;
const SEQUENCE_AT = SALT_AT + SALT_BYTES;
const KEY_CHECK_AT = SEQUENCE_AT + SEQUENCE_BYTES;
const BODY_BYTES_AT = KEY_CHECK_AT + KEY_CHECK_BYTES;
const SNAPSHOT_HEADER_BYTES = BODY_BYTES_AT + 4;
const BODY_FIXED_BYTES = MAC_BYTES + 1;
/** Largest snapshot file that can be valid. */
const SNAPSHOT_FILE_BYTES_MAX = SNAPSHOT_HEADER_BYTES + BODY_FIXED_BYTES + SNAPSHOT_LIMITS.stateHashBytesMax + SNAPSHOT_LIMITS.stateBytesMax + TAG_BYTES;
const SNAPSHOT_NAME = /^snapshot-(\d{16})\.snap$/;

/** A snapshot to save, or one loaded back. */
export interface Snapshot {
  /** The last journal sequence the state includes. */
  readonly sequence: number;
  /** The journal's chain value after `sequence`. */
  readonly chainMac: Uint8Array;
  /** The state hash at `sequence` (1..64 bytes), as the state's owner computes it. */
  readonly stateHash: Uint8Array;
  readonly state: Uint8Array;
}

export interface RejectedSnapshot {
  readonly file: string;
  readonly error: CodedError;
}

export interface LoadedSnapshot {
  /** The newest snapshot that verified, if any. */
  readonly snapshot: Snapshot | undefined;
  /** Newer files that did not verify, newest first: worth an operator's attention. */
  readonly rejected: readonly RejectedSnapshot[];
}

export interface SavedSnapshot {
  readonly file: string;
  readonly sequence: number;
  readonly fileBytes: number;
  /** Sequences of the snapshots kept on disk after this save, oldest first. */
  readonly retainedSequences: readonly number[];
}

export interface SnapshotStoreOptions {
  readonly directory: string;
  /** The same 32-byte sealing key the journal uses; a separate key is derived from it. */
  readonly sealingKey: Uint8Array;
  /** How many newest snapshots to keep (1..SNAPSHOT_LIMITS.retainMax). */
  readonly retain?: number;
}

function snapshotName(sequence: number): string {
  return `snapshot-${String(sequence).padStart(16, '0')}.snap`;
}

function validateSnapshot(input: Snapshot): void {
  if (!Number.isSafeInteger(input.sequence) || input.sequence < 1) throw new CodedError('SNAPSHOT_INVALID', `sequence ${String(input.sequence)}`);
  if (!(input.chainMac instanceof Uint8Array) || input.chainMac.length !== MAC_BYTES) throw new CodedError('SNAPSHOT_INVALID', 'chain value must be 32 bytes');
  if (!(input.stateHash instanceof Uint8Array) || input.stateHash.length < 1 || input.stateHash.length > SNAPSHOT_LIMITS.stateHashBytesMax) {
    throw new CodedError('SNAPSHOT_INVALID', 'state hash must be 1 to 64 bytes');
  }
  if (!(input.state instanceof Uint8Array)) throw new CodedError('SNAPSHOT_INVALID', 'state must be a Uint8Array');
  if (input.state.length > SNAPSHOT_LIMITS.stateBytesMax) throw new CodedError('SNAPSHOT_TOO_LARGE', `${input.state.length} bytes, limit ${SNAPSHOT_LIMITS.stateBytesMax}`);
}

/** Seals a snapshot into the bytes of one file. */
export function sealSnapshot(keys: SnapshotKeys, input: Snapshot): Buffer {
  validateSnapshot(input);
  const salt = freshSalt();
  const bodyBytes = BODY_FIXED_BYTES + input.stateHash.length + input.state.length;
  const header = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
  SNAPSHOT_MAGIC.copy(header, 0);
  salt.copy(header, SALT_AT);
  writeUint64(header, SEQUENCE_AT, input.sequence);
  keys.keyCheck.copy(header, KEY_CHECK_AT);
  header.writeUInt32BE(bodyBytes, BODY_BYTES_AT);
  const body = Buffer.concat([input.chainMac, Buffer.from([input.stateHash.length]), input.stateHash, input.state]);
  const unitKey = deriveUnitKey(keys.rootKey, salt, 'snapshot');
  const { ciphertext, tag } = sealSnapshotBody(unitKey, input.sequence, header, body);
  unitKey.fill(0);
  body.fill(0);
  return Buffer.concat([header, ciphertext, tag]);
}

/** Opens the bytes of one snapshot file; throws SNAPSHOT_WRONG_KEY or SNAPSHOT_TAMPERED, never anything else. */
export function openSnapshot(keys: SnapshotKeys, bytes: Uint8Array): Snapshot {
  const tampered = (why: string): CodedError => new CodedError('SNAPSHOT_TAMPERED', why);
  if (bytes.length < SNAPSHOT_HEADER_BYTES + BODY_FIXED_BYTES + 1 + TAG_BYTES) throw tampered(`${bytes.length} bytes is too short`);
  if (bytes.length > SNAPSHOT_FILE_BYTES_MAX) throw tampered(`${bytes.length} bytes is too long`);
  const header = bytes.subarray(0, SNAPSHOT_HEADER_BYTES);
  if (!SNAPSHOT_MAGIC.equals(header.subarray(0, SNAPSHOT_MAGIC.length))) throw tampered('not a snapshot (bad magic)');
  if (!macEquals(header.subarray(KEY_CHECK_AT, KEY_CHECK_AT + KEY_CHECK_BYTES), keys.keyCheck)) throw new CodedError('SNAPSHOT_WRONG_KEY', 'key check differs');
  const sequence = readUint64(header, SEQUENCE_AT);
  if (sequence < 1) throw tampered('sequence out of range');
  const bodyBytes = new DataView(header.buffer, header.byteOffset, header.byteLength).getUint32(BODY_BYTES_AT);
  if (SNAPSHOT_HEADER_BYTES + bodyBytes + TAG_BYTES !== bytes.length) throw tampered('length field does not match the file');
  const unitKey = deriveUnitKey(keys.rootKey, header.subarray(SALT_AT, SALT_AT + SALT_BYTES), 'snapshot');
  const ciphertextEnd = SNAPSHOT_HEADER_BYTES + bodyBytes;
  const body = openSnapshotBody(unitKey, sequence, header, bytes.subarray(SNAPSHOT_HEADER_BYTES, ciphertextEnd), bytes.subarray(ciphertextEnd));
  unitKey.fill(0);
  if (body === undefined) throw tampered('authentication failed');
  const stateHashBytes = body[MAC_BYTES]!;
  if (stateHashBytes < 1 || stateHashBytes > SNAPSHOT_LIMITS.stateHashBytesMax || BODY_FIXED_BYTES + stateHashBytes > body.length) {
    throw tampered('authenticated body is malformed');
  }
  return {
    sequence,
    chainMac: body.subarray(0, MAC_BYTES),
    stateHash: body.subarray(BODY_FIXED_BYTES, BODY_FIXED_BYTES + stateHashBytes),
    state: body.subarray(BODY_FIXED_BYTES + stateHashBytes),
  };
}

export class SnapshotStore {
  readonly #directory: string;
  readonly #keys: SnapshotKeys;
  readonly #retain: number;

  private constructor(directory: string, keys: SnapshotKeys, retain: number) {
    this.#directory = directory;
    this.#keys = keys;
    this.#retain = retain;
  }

  /** Opens (or creates) the store and removes temporary files a crash left behind. */
  static async open(options: SnapshotStoreOptions): Promise<SnapshotStore> {
    if (typeof options.directory !== 'string' || options.directory.length === 0) throw new CodedError('JOURNAL_CONFIG_INVALID', 'snapshot directory must be a non-empty path');
    const retain = options.retain ?? SNAPSHOT_LIMITS.retainDefault;
    if (!Number.isSafeInteger(retain) || retain < 1 || retain > SNAPSHOT_LIMITS.retainMax) throw new CodedError('JOURNAL_CONFIG_INVALID', `retain must be 1..${SNAPSHOT_LIMITS.retainMax}`);
    const keys = deriveSnapshotKeys(options.sealingKey);
    const created = await mkdir(options.directory, { recursive: true });
    if (created !== undefined) await fsyncDirectory(dirname(created));
    const names = await readdir(options.directory);
    const stale = names.filter((name) => name.startsWith('snapshot-') && name.endsWith('.tmp'));
    for (const name of stale) await unlink(join(options.directory, name));
    if (stale.length > 0) await fsyncDirectory(options.directory);
    return new SnapshotStore(options.directory, keys, retain);
  }

  /** Seals and writes a snapshot atomically, then deletes all but the newest `retain`. */
  async save(input: Snapshot): Promise<SavedSnapshot> {
    const bytes = sealSnapshot(this.#keys, input);
    const file = snapshotName(input.sequence);
    await writeFileAtomically(join(this.#directory, file), bytes);
    const sequences = await this.#listSequences();
    const doomed = sequences.slice(0, Math.max(0, sequences.length - this.#retain));
    for (const sequence of doomed) await unlink(join(this.#directory, snapshotName(sequence)));
    if (doomed.length > 0) await fsyncDirectory(this.#directory);
    return { file, sequence: input.sequence, fileBytes: bytes.length, retainedSequences: sequences.slice(doomed.length) };
  }

  /** The newest snapshot that verifies, with the newer ones that did not. */
  async loadLatest(): Promise<LoadedSnapshot> {
    const sequences = await this.#listSequences();
    const rejected: RejectedSnapshot[] = [];
    for (const sequence of sequences.reverse()) {
      const file = snapshotName(sequence);
      const path = join(this.#directory, file);
      try {
        if ((await stat(path)).size > SNAPSHOT_FILE_BYTES_MAX) throw new CodedError('SNAPSHOT_TOO_LARGE', `${file} exceeds ${SNAPSHOT_FILE_BYTES_MAX} bytes`);
        const snapshot = openSnapshot(this.#keys, await readFile(path));
        if (snapshot.sequence !== sequence) throw new CodedError('SNAPSHOT_TAMPERED', `${file} holds sequence ${snapshot.sequence}`);
        return { snapshot, rejected };
      } catch (error) {
        if (!isCodedError(error)) throw error;
        rejected.push({ file, error });
      }
    }
    return { snapshot: undefined, rejected };
  }

  /** Zeroes the store's keys; it cannot be used afterwards. */
  close(): void {
    zeroKeys(this.#keys);
  }

  /** Sequences of the snapshot files present, ascending. */
  async #listSequences(): Promise<number[]> {
    const names = (await readdir(this.#directory)).filter((name) => SNAPSHOT_NAME.test(name));
    if (names.length > SNAPSHOT_LIMITS.filesMax) throw new CodedError('JOURNAL_CONFIG_INVALID', `${names.length} snapshot files in ${this.#directory}, limit ${SNAPSHOT_LIMITS.filesMax}`);
    return names.map((name) => Number(SNAPSHOT_NAME.exec(name)![1])).sort((left, right) => left - right);
  }
}
