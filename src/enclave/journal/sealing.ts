// The crypto that makes the journal and snapshots useless to the host: AES-256-GCM over every
// record and snapshot, and an HMAC-SHA256 chain over the sealed records so records cannot be
// reordered, dropped, spliced or replaced. All keys derive from the one 32-byte sealing key
// the enclave derives for itself; the host never holds any of them.
//
// Nonces are derived from the record sequence, so they must never repeat under one key. A
// torn record may be rewritten with other content after a crash, so every segment (and every
// snapshot) gets its own key, derived from a fresh random salt stored in its header; a
// sequence number is therefore sealed at most once under any key.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { CodedError } from '../../errors/index.js';
import {
  KEY_CHECK_BYTES,
  MAC_BYTES,
  SALT_BYTES,
  SEQUENCE_BYTES,
  TAG_BYTES,
  FRAME_CIPHERTEXT_AT,
  frameBytesFor,
  writeFramePrefix,
  writeUint64,
} from './segment-format.js';

export const SEALING_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const DOMAIN_HEADER = Buffer.from([0x01]);
const DOMAIN_CHAIN = Buffer.from([0x02]);

/** The chain value before the first record ever appended. */
export const GENESIS_CHAIN_MAC: Uint8Array = new Uint8Array(MAC_BYTES);

/** Keys of one journal, derived from the sealing key. */
export interface JournalKeys {
  readonly macKey: Buffer;
  readonly recordRootKey: Buffer;
  /** A fixed MAC of a label, stored in headers so a wrong key is told apart from tampering. */
  readonly keyCheck: Buffer;
}

/** Keys of one snapshot store, derived from the sealing key. */
export interface SnapshotKeys {
  readonly rootKey: Buffer;
  readonly keyCheck: Buffer;
}

function assertSealingKey(sealingKey: Uint8Array): void {
  if (!(sealingKey instanceof Uint8Array) || sealingKey.length !== SEALING_KEY_BYTES) {
    throw new CodedError('SEALING_KEY_INVALID', `got ${sealingKey instanceof Uint8Array ? `${sealingKey.length} bytes` : typeof sealingKey}`);
  }
}

function hkdf(inputKey: Uint8Array, salt: Uint8Array, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', inputKey, salt, label, SEALING_KEY_BYTES));
}

function hmac(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export function deriveJournalKeys(sealingKey: Uint8Array): JournalKeys {
  assertSealingKey(sealingKey);
  const macKey = hkdf(sealingKey, new Uint8Array(0), 'darkpool/journal/chain-mac/v1');
  return {
    macKey,
    recordRootKey: hkdf(sealingKey, new Uint8Array(0), 'darkpool/journal/record-root/v1'),
    keyCheck: hmac(macKey, Buffer.from('darkpool/journal/key-check/v1')).subarray(0, KEY_CHECK_BYTES),
  };
}

export function deriveSnapshotKeys(sealingKey: Uint8Array): SnapshotKeys {
  assertSealingKey(sealingKey);
  const rootKey = hkdf(sealingKey, new Uint8Array(0), 'darkpool/snapshot/root/v1');
  return { rootKey, keyCheck: hmac(rootKey, Buffer.from('darkpool/snapshot/key-check/v1')).subarray(0, KEY_CHECK_BYTES) };
}

export function zeroKeys(keys: JournalKeys | SnapshotKeys): void {
  for (const value of Object.values(keys) as Buffer[]) value.fill(0);
}

export function freshSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}

/** The AEAD key of one segment (or one snapshot), unique per salt. */
export function deriveUnitKey(rootKey: Uint8Array, salt: Uint8Array, label: 'segment' | 'snapshot'): Buffer {
  if (salt.length !== SALT_BYTES) throw new Error('assertion: salt length');
  return hkdf(rootKey, salt, `darkpool/${label}-key/v1`);
}

export function headerMacOf(keys: JournalKeys, headerBody: Uint8Array): Buffer {
  return hmac(keys.macKey, DOMAIN_HEADER, headerBody);
}

/** chain_n = HMAC(macKey, domain || chain_{n-1} || sealed frame without its MAC field). */
export function chainMacOf(macKey: Uint8Array, prevMac: Uint8Array, sealedFrame: Uint8Array): Buffer {
  return hmac(macKey, DOMAIN_CHAIN, prevMac, sealedFrame);
}

/** Constant-time equality of two MACs. */
export function macEquals(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && timingSafeEqual(left, right);
}

const nonceScratch = Buffer.alloc(NONCE_BYTES);
const aadScratch = Buffer.alloc(SEQUENCE_BYTES + MAC_BYTES);

function nonceFor(sequence: number): Buffer {
  writeUint64(nonceScratch, NONCE_BYTES - SEQUENCE_BYTES, sequence);
  return nonceScratch;
}

/** Associated data = sequence || previous chain value, binding each record to its place. */
function aadFor(sequence: number, prevMac: Uint8Array): Buffer {
  writeUint64(aadScratch, 0, sequence);
  aadScratch.set(prevMac, SEQUENCE_BYTES);
  return aadScratch;
}

/**
 * Seals one record as a frame at `target[offset..]` and returns the frame length. The frame's
 * chain MAC field holds the new chain value (read it at `offset + length - MAC_BYTES`).
 */
export function sealFrameInto(
  target: Buffer,
  offset: number,
  segmentKey: Uint8Array,
  macKey: Uint8Array,
  sequence: number,
  prevMac: Uint8Array,
  payload: Uint8Array,
): number {
  const frameLength = frameBytesFor(payload.length);
  if (offset + frameLength > target.length) throw new Error('assertion: frame does not fit its batch');
  writeFramePrefix(target, offset, sequence, payload.length);
  const cipher = createCipheriv('aes-256-gcm', segmentKey, nonceFor(sequence), { authTagLength: TAG_BYTES });
  cipher.setAAD(aadFor(sequence, prevMac));
  const ciphertext = cipher.update(payload);
  cipher.final();
  const ciphertextAt = offset + FRAME_CIPHERTEXT_AT;
  ciphertext.copy(target, ciphertextAt);
  const tagAt = ciphertextAt + payload.length;
  cipher.getAuthTag().copy(target, tagAt);
  const macAt = tagAt + TAG_BYTES;
  chainMacOf(macKey, prevMac, target.subarray(offset, macAt)).copy(target, macAt);
  return frameLength;
}

/** Decrypts a frame's ciphertext; undefined when authentication fails. */
export function openFrameCiphertext(
  segmentKey: Uint8Array,
  sequence: number,
  prevMac: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', segmentKey, nonceFor(sequence), { authTagLength: TAG_BYTES });
  decipher.setAAD(aadFor(sequence, prevMac));
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(ciphertext);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    return undefined;
  }
  return plaintext;
}

/** Seals a whole snapshot body under its own key; the nonce derives from its sequence. */
export function sealSnapshotBody(unitKey: Uint8Array, sequence: number, associated: Uint8Array, body: Uint8Array): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', unitKey, Buffer.from(nonceFor(sequence)), { authTagLength: TAG_BYTES });
  cipher.setAAD(associated);
  const ciphertext = Buffer.concat([cipher.update(body), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

export function openSnapshotBody(unitKey: Uint8Array, sequence: number, associated: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', unitKey, Buffer.from(nonceFor(sequence)), { authTagLength: TAG_BYTES });
  decipher.setAAD(associated);
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(ciphertext);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    return undefined;
  }
  return plaintext;
}
