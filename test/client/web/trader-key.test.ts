// The page's trader key: generated from the random source, stored as 64 lowercase hex digits,
// reloaded unchanged, replaced by a pasted seed (0x and upper case accepted), never silently
// replaced when the stored value is corrupt; the account shown is the SDK's account for the
// same seed. The seed parser is fuzzed: it returns a canonical seed or a coded error, nothing else.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DarkpoolClient } from '../../../client/sdk/darkpool-client.js';
import { nodeTransport } from '../../../client/sdk/node-transport.js';
import { TRADER_KEY_STORAGE_KEY, generateKey, importKey, loadOrCreateKey, parseSeedHex, traderKeyOf, type KeyStorage } from '../../../client/web/trader-key.js';
import { isCodedError } from '../../../src/errors/index.js';
import { Prng } from '../../support/prng.js';
import { fuzzPrng, fuzzText } from './fuzz-text.js';

class MemoryStorage implements KeyStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null { return this.items.get(key) ?? null; }
  setItem(key: string, value: string): void { this.items.set(key, value); }
}

function seededRandom(prng: Prng): (bytes: number) => Uint8Array {
  return (bytes) => Uint8Array.from({ length: bytes }, () => prng.int(0, 255));
}

test('a first visit generates and stores a key; a reload finds the same key', () => {
  const storage = new MemoryStorage();
  const first = loadOrCreateKey(storage, seededRandom(new Prng(1)));
  assert.ok(first.created);
  assert.match(first.seedHex, /^[0-9a-f]{64}$/);
  assert.is(storage.getItem(TRADER_KEY_STORAGE_KEY), first.seedHex);
  assert.is(first.accountId, bytesToHex(ed25519.getPublicKey(Uint8Array.from(Buffer.from(first.seedHex, 'hex')))));
  const again = loadOrCreateKey(storage, () => { throw new Error('a reload must not draw a new key'); });
  assert.not.ok(again.created);
  assert.is(again.seedHex, first.seedHex);
  assert.is(again.accountId, first.accountId);
});

test('the account shown is the SDK client\'s account for the same seed', () => {
  for (let seed = 0; seed < 8; seed++) {
    const key = generateKey(new MemoryStorage(), seededRandom(new Prng(100 + seed)));
    const client = new DarkpoolClient({ url: 'http://127.0.0.1:1', secretKey: key.seedHex, policy: {}, transport: nodeTransport });
    assert.is(key.accountId, client.accountId);
  }
});

test('the default random source gives distinct keys', () => {
  const storage = new MemoryStorage();
  const seeds = new Set(Array.from({ length: 16 }, () => generateKey(storage).seedHex));
  assert.is(seeds.size, 16);
});

test('a pasted seed replaces the stored one, normalised', () => {
  const storage = new MemoryStorage();
  loadOrCreateKey(storage, seededRandom(new Prng(2)));
  const hex = 'AB'.repeat(32);
  const key = importKey(storage, `  0x${hex} `);
  assert.is(key.seedHex, 'ab'.repeat(32));
  assert.is(storage.getItem(TRADER_KEY_STORAGE_KEY), 'ab'.repeat(32));
  assert.is(loadOrCreateKey(storage).accountId, traderKeyOf('ab'.repeat(32)).accountId);
});

test('bad pastes and corrupt storage are CLIENT_KEY_INVALID; storage is left alone', () => {
  const storage = new MemoryStorage();
  storage.setItem(TRADER_KEY_STORAGE_KEY, 'not a key');
  assert.throws(() => loadOrCreateKey(storage), (error: unknown) => isCodedError(error, 'CLIENT_KEY_INVALID'));
  assert.is(storage.getItem(TRADER_KEY_STORAGE_KEY), 'not a key', 'a corrupt key is not overwritten behind the trader\'s back');
  for (const bad of ['', 'ab'.repeat(31), 'ab'.repeat(33), 'zz'.repeat(32), '0x', `0x0x${'ab'.repeat(32)}`, 'f'.repeat(201)]) {
    assert.throws(() => importKey(storage, bad), (error: unknown) => isCodedError(error, 'CLIENT_KEY_INVALID'), JSON.stringify(bad));
  }
  assert.throws(() => generateKey(storage, () => new Uint8Array(31)), /31 bytes/);
});

test('fuzz: parseSeedHex returns a canonical seed or CLIENT_KEY_INVALID', () => {
  const prng = fuzzPrng('trader-key', 0x5eed);
  for (let i = 0; i < 3_000; i++) {
    const input = fuzzText(prng);
    try {
      const seed = parseSeedHex(input);
      assert.match(seed, /^[0-9a-f]{64}$/, JSON.stringify(input));
      assert.is(seed, input.trim().replace(/^0x/, '').toLowerCase());
    } catch (error) {
      assert.ok(isCodedError(error, 'CLIENT_KEY_INVALID'), `seed ${prng.seed}: ${JSON.stringify(input)} threw ${String(error)}`);
    }
  }
});

test.run();
