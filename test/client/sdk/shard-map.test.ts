// The client's reading of the gateway's shard map: parsed strictly (a market routed twice, a
// bad route or id is CLIENT_SHARD_MAP_INVALID; seeded fuzz), and believed only where each
// shard's attested statement agrees (CLIENT_SHARD_MAP_MISMATCH / CLIENT_SHARD_STATEMENT_INVALID).
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AcceptedAttestation } from '../../../client/attestation/index.js';
import { checkShardStatement, parseShardMap } from '../../../client/sdk/shard-map.js';
import { isCodedError, type ErrorName } from '../../../src/errors/index.js';
import { buildShardStatement, shardStatementMessage } from '../../../src/protocol/shard-statement.js';
import { fuzzSeed, mutate, runFuzz } from '../../protocol/fuzz-support.js';

const SEED_A = new Uint8Array(32).fill(1);
const KEY_A = bytesToHex(ed25519.getPublicKey(SEED_A));
const KEY_B = bytesToHex(ed25519.getPublicKey(new Uint8Array(32).fill(2)));
const MAP = {
  version: 1,
  shards: [
    { id: 'a', route: '/v1/shards/a', identityHex: KEY_A, markets: ['DOT/USDC'] },
    { id: 'b', route: '/v1/shards/b', identityHex: KEY_B, markets: ['KSM/USDC'] },
  ],
};

function verdictFor(identityHex: string): AcceptedAttestation {
  return { ok: true, kind: 'dev', enclaveKeys: { ed25519Hex: identityHex, x25519Hex: '00'.repeat(32) }, bundleDigestHex: '00'.repeat(32), failure: null } as unknown as AcceptedAttestation;
}

function statementText(shardId: string, markets: string[], seed = SEED_A): string {
  const statement = buildShardStatement(shardId, bytesToHex(ed25519.getPublicKey(seed)), markets);
  return JSON.stringify({ statement, signatureHex: bytesToHex(ed25519.sign(shardStatementMessage(statement), seed)) });
}

function expectCode(action: () => unknown, name: ErrorName): void {
  try {
    action();
  } catch (error) {
    assert.ok(isCodedError(error, name), `expected ${name}, got ${String(error)}`);
    return;
  }
  assert.unreachable(`expected ${name}`);
}

test('a well-formed map routes each market to one shard', () => {
  const map = parseShardMap(JSON.stringify(MAP));
  assert.is(map.marketShard.get('DOT/USDC'), 'a');
  assert.is(map.marketShard.get('KSM/USDC'), 'b');
  assert.is(map.shards.get('b')?.identityHex, KEY_B);
});

test('ambiguous or malformed maps are CLIENT_SHARD_MAP_INVALID', () => {
  const variants: unknown[] = [
    { ...MAP, version: 2 }, { version: 1, shards: [] },
    { version: 1, shards: [MAP.shards[0], { ...MAP.shards[1], markets: ['DOT/USDC'] }] },
    { version: 1, shards: [MAP.shards[0], { ...MAP.shards[1], id: 'a' }] },
    { version: 1, shards: [{ ...MAP.shards[0], route: 'https://evil.example/v1' }] },
    { version: 1, shards: [{ ...MAP.shards[0], route: '//evil.example/x' }] },
    { version: 1, shards: [{ ...MAP.shards[0], identityHex: 'AB'.repeat(32) }] },
  ];
  expectCode(() => parseShardMap('not json'), 'CLIENT_SHARD_MAP_INVALID');
  for (const variant of variants) expectCode(() => parseShardMap(JSON.stringify(variant)), 'CLIENT_SHARD_MAP_INVALID');
});

test('the map holds only where the attested statement vouches for it', () => {
  const shard = parseShardMap(JSON.stringify(MAP)).shards.get('a')!;
  checkShardStatement(shard, verdictFor(KEY_A), statementText('a', ['DOT/USDC', 'EXTRA/USDC']));
  expectCode(() => checkShardStatement(shard, verdictFor(KEY_A), statementText('a', ['KSM/USDC'])), 'CLIENT_SHARD_MAP_MISMATCH');
  expectCode(() => checkShardStatement(shard, verdictFor(KEY_A), statementText('b', ['DOT/USDC'])), 'CLIENT_SHARD_MAP_MISMATCH');
  expectCode(() => checkShardStatement(shard, verdictFor(KEY_B), statementText('a', ['DOT/USDC'])), 'CLIENT_SHARD_STATEMENT_INVALID');
  expectCode(() => checkShardStatement(shard, verdictFor(KEY_A), '{"statement":1}'), 'CLIENT_SHARD_STATEMENT_INVALID');
  const liar = { ...shard, identityHex: KEY_B };
  expectCode(() => checkShardStatement(liar, verdictFor(KEY_A), statementText('a', ['DOT/USDC'])), 'CLIENT_SHARD_MAP_MISMATCH');
});

test('fuzz: a mutated map parses or is CLIENT_SHARD_MAP_INVALID', () => {
  const original = new TextEncoder().encode(JSON.stringify(MAP));
  const decoder = new TextDecoder();
  runFuzz('shard map', fuzzSeed(6550), 3_000, (random) => {
    const input = mutate(original, random);
    return {
      input,
      check: () => {
        try {
          const map = parseShardMap(decoder.decode(input));
          for (const [market, shardId] of map.marketShard) assert.ok(map.shards.get(shardId)?.markets.includes(market));
        } catch (error) {
          if (!isCodedError(error, 'CLIENT_SHARD_MAP_INVALID')) throw error;
        }
      },
    };
  });
});

test.run();
