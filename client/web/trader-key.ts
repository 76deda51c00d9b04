// The page's trader key, for development use: a 32-byte Ed25519 seed generated in the browser
// (@noble's CSPRNG wrapper over crypto.getRandomValues) and kept in localStorage so a reload
// keeps the same account; a trader may paste another seed instead. The seed sits unencrypted
// in the browser profile, which the page says plainly next to the key.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils';
import { DarkpoolError } from '../sdk/errors.js';

export const TRADER_KEY_STORAGE_KEY = 'darkpool.dev.traderSeedHex';
const SEED_BYTES = 32;
/** 64 hex digits, optionally behind 0x; nothing else is read from storage or the paste box. */
const SEED_HEX = /^(0x)?[0-9a-fA-F]{64}$/;
/** Longer pastes are refused before any parsing. */
const MAX_PASTE_CHARS = 200;

/** The part of the Web Storage API the key needs (localStorage fits; tests pass a Map-backed one). */
export interface KeyStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface TraderKey {
  /** The seed, 64 lowercase hex digits without 0x. */
  readonly seedHex: string;
  /** The Ed25519 public key: the trader's AccountId32, lowercase hex. */
  readonly accountId: string;
}

/** A seed as typed or stored, checked and normalised; CLIENT_KEY_INVALID otherwise. */
export function parseSeedHex(text: unknown): string {
  if (typeof text !== 'string' || text.length > MAX_PASTE_CHARS || !SEED_HEX.test(text.trim())) {
    throw new DarkpoolError('CLIENT_KEY_INVALID', 'a trader seed is 32 bytes as 64 hex digits (0x optional)');
  }
  return text.trim().replace(/^0x/, '').toLowerCase();
}

export function traderKeyOf(seedHex: string): TraderKey {
  const seed = parseSeedHex(seedHex);
  return { seedHex: seed, accountId: bytesToHex(ed25519.getPublicKey(hexToBytes(seed))) };
}

/** The stored key, or a new one generated and stored. A corrupt stored value is CLIENT_KEY_INVALID (never silently replaced). */
export function loadOrCreateKey(storage: KeyStorage, random: (bytes: number) => Uint8Array = randomBytes): TraderKey & { readonly created: boolean } {
  const stored = storage.getItem(TRADER_KEY_STORAGE_KEY);
  if (stored !== null) return { ...traderKeyOf(stored), created: false };
  return { ...generateKey(storage, random), created: true };
}

/** A fresh random seed, stored in place of the old one. */
export function generateKey(storage: KeyStorage, random: (bytes: number) => Uint8Array = randomBytes): TraderKey {
  const seed = random(SEED_BYTES);
  if (seed.length !== SEED_BYTES) throw new Error(`the random source returned ${seed.length} bytes, not ${SEED_BYTES}`);
  const key = traderKeyOf(bytesToHex(seed));
  seed.fill(0);
  storage.setItem(TRADER_KEY_STORAGE_KEY, key.seedHex);
  return key;
}

/** A pasted seed, checked, stored in place of the old one. */
export function importKey(storage: KeyStorage, pasted: string): TraderKey {
  const key = traderKeyOf(parseSeedHex(pasted));
  storage.setItem(TRADER_KEY_STORAGE_KEY, key.seedHex);
  return key;
}
