// The enclave's long-term secrets: an Ed25519 identity key (attestation binding, settlement
// signatures) and an X25519 key-agreement key, generated inside at first boot and sealed to
// disk so a restart keeps the same attested identity. Everything is sealed under one 32-byte
// sealing key that only the enclave can obtain (dstack derives it from the app's measured
// identity); the journal and snapshot keys are derived from it too, each under its own label.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DstackClient } from '@phala/dstack-sdk';
import { CodedError } from '../errors/index.js';
import { writeFileAtomically } from './journal/durable-fs.js';

export const SEALING_KEY_BYTES = 32;
const SECRET_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_FILE_MAGIC = Buffer.from('DPKEYS01', 'latin1');
const SEALED_KEYS_FILE = 'enclave-keys.sealed';
const DEV_SEALING_KEY_FILE = 'dev-sealing-key.INSECURE';

const LABELS = {
  keyFile: 'darkpool/enclave/key-file/v1',
  journal: 'darkpool/enclave/journal-sealing/v1',
  snapshot: 'darkpool/enclave/snapshot-sealing/v1',
  settlement: 'darkpool/enclave/settlement-key/v1',
  settlementRecords: 'darkpool/enclave/settlement-records/v1',
} as const;

/** Where the root sealing key comes from. */
export interface SealingKeySource {
  readonly kind: 'dev' | 'dstack';
  /** True when the key protects nothing against the host (a file the host can read). */
  readonly insecure: boolean;
  sealingKey(): Promise<Uint8Array>;
}

/**
 * INSECURE development source: a random key kept in a 0600 file in the data directory, so
 * the host can read it. It exists to exercise sealing on machines without a TEE and refuses
 * production configuration.
 */
export class DevSealingKeySource implements SealingKeySource {
  readonly kind = 'dev' as const;
  readonly insecure = true as const;
  readonly #directory: string;

  constructor(options: { readonly directory: string; readonly production: boolean }) {
    if (options.production !== false) throw new CodedError('KEYS_DEV_SEALING_IN_PRODUCTION');
    this.#directory = options.directory;
  }

  async sealingKey(): Promise<Uint8Array> {
    await mkdir(this.#directory, { recursive: true });
    const path = join(this.#directory, DEV_SEALING_KEY_FILE);
    const existing = await readOptional(path);
    if (existing !== undefined) {
      if (existing.length !== SEALING_KEY_BYTES) throw new CodedError('KEYS_SEALING_SOURCE_FAILED', `${path} holds ${existing.length} bytes`);
      return new Uint8Array(existing);
    }
    const key = randomBytes(SEALING_KEY_BYTES);
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(key);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(path, 0o600);
    return new Uint8Array(key);
  }
}

/** The production source: dstack's guest agent derives a key bound to the app's measured identity. */
export class DstackSealingKeySource implements SealingKeySource {
  readonly kind = 'dstack' as const;
  readonly insecure = false as const;
  readonly #client: DstackClient;
  readonly #path: string;

  constructor(options: { readonly endpoint?: string; readonly path?: string } = {}) {
    this.#client = new DstackClient(options.endpoint);
    this.#path = options.path ?? 'darkpool/enclave/sealing/v1';
  }

  async sealingKey(): Promise<Uint8Array> {
    let key: Uint8Array;
    try {
      key = (await this.#client.getKey(this.#path, 'sealing')).key;
    } catch (error) {
      throw new CodedError('KEYS_SEALING_SOURCE_FAILED', error instanceof Error ? error.message.slice(0, 200) : 'dstack getKey failed');
    }
    if (!(key instanceof Uint8Array) || key.length < SEALING_KEY_BYTES) throw new CodedError('KEYS_SEALING_SOURCE_FAILED', 'dstack returned a short key');
    return new Uint8Array(key.subarray(0, SEALING_KEY_BYTES));
  }
}

/** The raw long-term secrets; the channel module imports them into KeyObjects. */
export interface EnclaveSecrets {
  /** Ed25519 seed of the enclave identity. */
  readonly identitySecretKey: Uint8Array;
  /** X25519 secret of the attested key-agreement key. */
  readonly keyAgreementSecretKey: Uint8Array;
}

export interface EnclaveKeyMaterial {
  readonly secrets: EnclaveSecrets;
  /** Seals the journal (records and chain). */
  readonly journalSealingKey: Uint8Array;
  /** Seals snapshots. */
  readonly snapshotSealingKey: Uint8Array;
  /** True when this boot generated the keys. */
  readonly generated: boolean;
}

function derive(sealingKey: Uint8Array, label: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', sealingKey, new Uint8Array(0), label, SEALING_KEY_BYTES));
}

/**
 * The 32-byte seed of the settlement key that signs extrinsics on real chains, derived from the
 * sealing key under its own label: the same enclave identity always has the same pool account,
 * and only the enclave can compute it. The caller zeroes the seed once the key is imported.
 */
export async function deriveSettlementSeed(source: SealingKeySource): Promise<Uint8Array> {
  const sealingKey = await source.sealingKey();
  try {
    if (!(sealingKey instanceof Uint8Array) || sealingKey.length !== SEALING_KEY_BYTES) throw new CodedError('KEYS_SEALING_SOURCE_FAILED', 'sealing key must be 32 bytes');
    return derive(sealingKey, LABELS.settlement);
  } finally {
    sealingKey.fill(0);
  }
}

/**
 * The 32-byte key that seals settlement's lifecycle records (batches, submissions, outcomes),
 * derived from the sealing key under its own label so it differs from the journal's.
 */
export async function deriveSettlementRecordsKey(source: SealingKeySource): Promise<Uint8Array> {
  const sealingKey = await source.sealingKey();
  try {
    if (!(sealingKey instanceof Uint8Array) || sealingKey.length !== SEALING_KEY_BYTES) throw new CodedError('KEYS_SEALING_SOURCE_FAILED', 'sealing key must be 32 bytes');
    return derive(sealingKey, LABELS.settlementRecords);
  } finally {
    sealingKey.fill(0);
  }
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** magic | nonce | ciphertext(identity seed | x25519 secret) | tag, with the magic as associated data. */
export function sealSecrets(fileKey: Uint8Array, secrets: EnclaveSecrets): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', fileKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(KEY_FILE_MAGIC);
  const plaintext = Buffer.concat([secrets.identitySecretKey, secrets.keyAgreementSecretKey]);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  plaintext.fill(0);
  return Buffer.concat([KEY_FILE_MAGIC, nonce, ciphertext, cipher.getAuthTag()]);
}

export function openSecrets(fileKey: Uint8Array, sealed: Uint8Array): EnclaveSecrets {
  const expected = KEY_FILE_MAGIC.length + NONCE_BYTES + 2 * SECRET_BYTES + TAG_BYTES;
  const bytes = Buffer.from(sealed);
  if (bytes.length !== expected || !bytes.subarray(0, KEY_FILE_MAGIC.length).equals(KEY_FILE_MAGIC)) {
    throw new CodedError('KEYS_SEALED_FILE_INVALID', `${bytes.length} bytes or wrong magic`);
  }
  const nonce = bytes.subarray(KEY_FILE_MAGIC.length, KEY_FILE_MAGIC.length + NONCE_BYTES);
  const body = bytes.subarray(KEY_FILE_MAGIC.length + NONCE_BYTES, expected - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', fileKey, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(KEY_FILE_MAGIC);
  decipher.setAuthTag(bytes.subarray(expected - TAG_BYTES));
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new CodedError('KEYS_SEALED_FILE_INVALID', 'authentication failed');
  }
  const secrets = { identitySecretKey: new Uint8Array(plaintext.subarray(0, SECRET_BYTES)), keyAgreementSecretKey: new Uint8Array(plaintext.subarray(SECRET_BYTES)) };
  plaintext.fill(0);
  return secrets;
}

/**
 * Loads the sealed secrets from `directory`, or generates and seals fresh ones at first boot,
 * and derives the storage sealing keys. The root sealing key is wiped before returning.
 */
export async function loadOrCreateEnclaveKeys(directory: string, source: SealingKeySource): Promise<EnclaveKeyMaterial> {
  const sealingKey = await source.sealingKey();
  if (!(sealingKey instanceof Uint8Array) || sealingKey.length !== SEALING_KEY_BYTES) throw new CodedError('KEYS_SEALING_SOURCE_FAILED', 'sealing key must be 32 bytes');
  const fileKey = derive(sealingKey, LABELS.keyFile);
  try {
    await mkdir(directory, { recursive: true });
    const path = join(directory, SEALED_KEYS_FILE);
    const existing = await readOptional(path);
    let secrets: EnclaveSecrets;
    let generated = false;
    if (existing === undefined) {
      secrets = { identitySecretKey: new Uint8Array(randomBytes(SECRET_BYTES)), keyAgreementSecretKey: new Uint8Array(randomBytes(SECRET_BYTES)) };
      await writeFileAtomically(path, sealSecrets(fileKey, secrets));
      generated = true;
    } else {
      secrets = openSecrets(fileKey, existing);
    }
    return {
      secrets,
      journalSealingKey: derive(sealingKey, LABELS.journal),
      snapshotSealingKey: derive(sealingKey, LABELS.snapshot),
      generated,
    };
  } finally {
    fileKey.fill(0);
    sealingKey.fill(0);
  }
}
