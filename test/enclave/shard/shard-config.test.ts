// The shard identity the runtime hands the engine and the statement it publishes: a checked id,
// a signer bound to the identity key (verifiable by anyone holding the attested public key), and
// a signed statement the client-side verifier accepts.
import { generateKeyPairSync } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkShardId, shardEngineConfig, signShardStatement } from '../../../src/enclave/shard/shard-config.js';
import { isCodedError } from '../../../src/errors/index.js';
import { verifyShardStatement } from '../../../src/protocol/shard-statement.js';
import { testShard } from './fixtures.js';

const SPKI_PREFIX_BYTES = 12;

test('shard ids are 1 to 32 letters, digits, dash or underscore', () => {
  assert.is(checkShardId('shard-a_1'), 'shard-a_1');
  for (const bad of ['', 'a/b', 'x'.repeat(33), 7, '../a']) {
    try {
      checkShardId(bad);
      assert.unreachable(String(bad));
    } catch (error) {
      assert.ok(isCodedError(error, 'SHARD_CONFIG_INVALID'));
    }
  }
});

test('the engine signer and the statement verify under the identity public key', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const identity = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX_BYTES));
  const shard = await testShard('a', 1);
  const bundle = { ...shard.bundle, enclaveKeys: { ...shard.bundle.enclaveKeys, ed25519Hex: Buffer.from(identity).toString('hex') } };
  const config = shardEngineConfig('a', bundle, privateKey);
  assert.is(config.identityHex, Buffer.from(identity).toString('hex'));
  const message = new TextEncoder().encode('hello');
  assert.ok(ed25519.verify(config.sign(message), message, identity));
  assert.equal(config.sign(message), config.sign(message));
  const signed = signShardStatement('a', config.identityHex, ['KSM/USDC', 'DOT/USDC'], config.sign);
  assert.equal(signed.statement.markets, ['DOT/USDC', 'KSM/USDC']);
  assert.ok(verifyShardStatement(signed, identity));
  assert.not.ok(verifyShardStatement({ ...signed, statement: { ...signed.statement, markets: ['DOT/USDC'] } }, identity));
});

test.run();
