// The shard statement both sides agree on: built sorted, signed over tag || canonical JSON,
// verified only under the identity key it names, and parsed strictly (seeded fuzz: a mutated
// statement parses or is CLIENT_SHARD_STATEMENT_INVALID, never anything else).
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { buildShardStatement, parseSignedShardStatement, shardStatementMessage, verifyShardStatement, SHARD_STATEMENT_TAG } from '../../src/protocol/shard-statement.js';
import { fuzzSeed, mutate, runFuzz } from './fuzz-support.js';

const SEED = new Uint8Array(32).fill(4);
const IDENTITY = ed25519.getPublicKey(SEED);
const STATEMENT = buildShardStatement('a', bytesToHex(IDENTITY), ['KSM/USDC', 'DOT/USDC']);
const SIGNED = { statement: STATEMENT, signatureHex: bytesToHex(ed25519.sign(shardStatementMessage(STATEMENT), SEED)) };

test('markets are sorted and the message is the tag and canonical JSON', () => {
  assert.equal(STATEMENT.markets, ['DOT/USDC', 'KSM/USDC']);
  const text = new TextDecoder().decode(shardStatementMessage(STATEMENT));
  assert.ok(text.startsWith(SHARD_STATEMENT_TAG));
  assert.equal(JSON.parse(text.slice(SHARD_STATEMENT_TAG.length)), STATEMENT);
});

test('a signed statement verifies only under the key it names, unchanged', () => {
  assert.ok(verifyShardStatement(parseSignedShardStatement(JSON.stringify(SIGNED)), IDENTITY));
  const other = ed25519.getPublicKey(new Uint8Array(32).fill(5));
  assert.not.ok(verifyShardStatement(SIGNED, other));
  assert.not.ok(verifyShardStatement({ ...SIGNED, statement: { ...STATEMENT, shardId: 'b' } }, IDENTITY));
  assert.not.ok(verifyShardStatement({ ...SIGNED, statement: { ...STATEMENT, markets: ['DOT/USDC'] } }, IDENTITY));
});

test('malformed statements are CLIENT_SHARD_STATEMENT_INVALID', () => {
  const cases: unknown[] = [
    'nope', '{}', 'x'.repeat(20_000), { statement: STATEMENT, signatureHex: 'zz' },
    { statement: { ...STATEMENT, version: 2 }, signatureHex: SIGNED.signatureHex },
    { statement: { ...STATEMENT, markets: ['KSM/USDC', 'DOT/USDC'] }, signatureHex: SIGNED.signatureHex },
    { statement: { ...STATEMENT, markets: ['DOT/USDC', 'DOT/USDC'] }, signatureHex: SIGNED.signatureHex },
    { statement: { ...STATEMENT, markets: [] }, signatureHex: SIGNED.signatureHex },
    { statement: { ...STATEMENT, shardId: 'a b' }, signatureHex: SIGNED.signatureHex },
  ];
  for (const value of cases) {
    try {
      parseSignedShardStatement(value);
      assert.unreachable(JSON.stringify(value).slice(0, 80));
    } catch (error) {
      assert.ok(isCodedError(error, 'CLIENT_SHARD_STATEMENT_INVALID'), String(error));
    }
  }
});

test('fuzz: a mutated signed statement parses or is a coded rejection', () => {
  const original = new TextEncoder().encode(JSON.stringify(SIGNED));
  const decoder = new TextDecoder();
  runFuzz('shard statement', fuzzSeed(6551), 3_000, (random) => {
    const input = mutate(original, random);
    return {
      input,
      check: () => {
        try {
          const parsed = parseSignedShardStatement(decoder.decode(input));
          assert.ok(typeof verifyShardStatement(parsed, IDENTITY) === 'boolean');
        } catch (error) {
          if (!isCodedError(error, 'CLIENT_SHARD_STATEMENT_INVALID')) throw error;
        }
      },
    };
  });
});

test.run();
