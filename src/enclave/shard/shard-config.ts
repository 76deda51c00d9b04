// Turns "this enclave is shard <id>" into what the engine needs to act as one: the id checked,
// the attested identity key (hex), a signer bound to the identity private key (which never
// leaves the runtime) and the trust this enclave can place in peers, read from its own bundle.
// Also signs the shard statement the gateway publishes and clients check (src/protocol/shard-statement.ts).
import { sign, type KeyObject } from 'node:crypto';
import { CodedError } from '../../errors/index.js';
import type { AttestationBundle } from '../../protocol/attestation-bundle.js';
import { buildShardStatement, shardStatementMessage, SHARD_ID, type SignedShardStatement } from '../../protocol/shard-statement.js';
import { peerTrustOf } from './peer-trust.js';
import type { ShardEngineConfig } from './shard-transfers.js';

export function checkShardId(shardId: unknown): string {
  if (typeof shardId !== 'string' || !SHARD_ID.test(shardId)) throw new CodedError('SHARD_CONFIG_INVALID', String(shardId).slice(0, 40));
  return shardId;
}

export function shardEngineConfig(shardId: string, bundle: AttestationBundle, identityPrivateKey: KeyObject): ShardEngineConfig {
  return {
    shardId: checkShardId(shardId),
    identityHex: bundle.enclaveKeys.ed25519Hex,
    sign: (message) => new Uint8Array(sign(null, message, identityPrivateKey)),
    trust: peerTrustOf(bundle),
  };
}

/** The enclave's signed word on which shard it is and which markets it runs. */
export function signShardStatement(shardId: string, identityHex: string, markets: readonly string[], signWithIdentity: (message: Uint8Array) => Uint8Array): SignedShardStatement {
  const statement = buildShardStatement(checkShardId(shardId), identityHex, markets);
  return { statement, signatureHex: Buffer.from(signWithIdentity(shardStatementMessage(statement))).toString('hex') };
}
