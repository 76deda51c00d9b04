// The client's reading of a sharded venue: the shard map the gateway publishes (market → shard
// → route and expected identity), parsed strictly, and the check that makes it trustworthy —
// each shard's attested enclave must sign a statement naming its shard id and every market the
// map routes to it. The gateway is untrusted, so the map alone decides nothing.
import { hexToBytes } from '@noble/hashes/utils';
import type { AcceptedAttestation } from '../attestation/index.js';
import { parseSignedShardStatement, verifyShardStatement, SHARD_ID } from '../../src/protocol/shard-statement.js';
import { isCodedError } from '../../src/errors/index.js';
import { DarkpoolError } from './errors.js';

export const SHARD_MAP_LIMITS = {
  maxShards: 64,
  maxMarketsPerShard: 256,
  maxMapChars: 256 * 1024,
} as const;

const ROUTE = /^\/[A-Za-z0-9_/-]{1,128}$/;
const HEX_KEY = /^[0-9a-f]{64}$/;
const MARKET_ID = /^[A-Za-z0-9_.:/-]{1,32}$/;

export interface ShardInfo {
  readonly id: string;
  /** Path prefix on the gateway: <route>/attestation, <route>/statement, <route>/stream. */
  readonly route: string;
  readonly identityHex: string;
  readonly markets: readonly string[];
}

export interface ClientShardMap {
  readonly shards: ReadonlyMap<string, ShardInfo>;
  /** market → shard id. */
  readonly marketShard: ReadonlyMap<string, string>;
}

function invalid(detail: string): DarkpoolError {
  return new DarkpoolError('CLIENT_SHARD_MAP_INVALID', detail, { origin: 'gateway' });
}

/** Parses GET /v1/shards; throws CLIENT_SHARD_MAP_INVALID for anything malformed or ambiguous. */
export function parseShardMap(text: string): ClientShardMap {
  if (text.length > SHARD_MAP_LIMITS.maxMapChars) throw invalid('too large');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  const root = json as { version?: unknown; shards?: unknown };
  if (typeof json !== 'object' || json === null || root.version !== 1 || !Array.isArray(root.shards)) throw invalid('expected { version: 1, shards: [...] }');
  if (root.shards.length === 0 || root.shards.length > SHARD_MAP_LIMITS.maxShards) throw invalid(`1 to ${SHARD_MAP_LIMITS.maxShards} shards`);
  const shards = new Map<string, ShardInfo>();
  const marketShard = new Map<string, string>();
  for (const entry of root.shards as unknown[]) {
    const { id, route, identityHex, markets } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || !SHARD_ID.test(id) || shards.has(id)) throw invalid('shard id');
    if (typeof route !== 'string' || !ROUTE.test(route) || route.includes('//')) throw invalid(`route of ${id}`);
    if (typeof identityHex !== 'string' || !HEX_KEY.test(identityHex)) throw invalid(`identityHex of ${id}`);
    if (!Array.isArray(markets) || markets.length === 0 || markets.length > SHARD_MAP_LIMITS.maxMarketsPerShard) throw invalid(`markets of ${id}`);
    for (const market of markets) {
      if (typeof market !== 'string' || !MARKET_ID.test(market)) throw invalid(`a market of ${id}`);
      if (marketShard.has(market)) throw invalid(`${market} is routed to two shards`);
      marketShard.set(market, id);
    }
    shards.set(id, { id, route, identityHex, markets: [...markets] as string[] });
  }
  return { shards, marketShard };
}

/**
 * Throws unless the attested enclave vouches for the map's entry: its signed statement names
 * this shard id and every market the map routes here, and the map's expected identity is the
 * attested one. CLIENT_SHARD_STATEMENT_INVALID for a bad statement, CLIENT_SHARD_MAP_MISMATCH
 * when statement and map disagree.
 */
export function checkShardStatement(shard: ShardInfo, verdict: AcceptedAttestation, statementText: string): void {
  let signed;
  try {
    signed = parseSignedShardStatement(statementText);
  } catch (error) {
    if (!isCodedError(error)) throw error;
    throw new DarkpoolError('CLIENT_SHARD_STATEMENT_INVALID', `shard ${shard.id}: ${error.detail ?? ''}`, { origin: 'gateway' });
  }
  if (!verifyShardStatement(signed, hexToBytes(verdict.enclaveKeys.ed25519Hex))) {
    throw new DarkpoolError('CLIENT_SHARD_STATEMENT_INVALID', `shard ${shard.id}: not signed by the attested identity key`, { origin: 'gateway' });
  }
  const mismatch = (detail: string): DarkpoolError => new DarkpoolError('CLIENT_SHARD_MAP_MISMATCH', `shard ${shard.id}: ${detail}`, { origin: 'gateway' });
  if (signed.statement.shardId !== shard.id) throw mismatch(`the enclave says it is shard ${signed.statement.shardId}`);
  if (verdict.enclaveKeys.ed25519Hex !== shard.identityHex) throw mismatch('the attested identity differs from the map\'s');
  const served = new Set(signed.statement.markets);
  for (const market of shard.markets) if (!served.has(market)) throw mismatch(`the enclave does not serve ${market}`);
}
