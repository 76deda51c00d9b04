// A shard's own word on what it serves: "I, the enclave with this attested identity key, am
// shard <id> and run these markets", signed by that identity key. The gateway publishes the
// shard map, but the gateway is untrusted; the client checks the map against these statements,
// so a host cannot route a market to an enclave that does not run it. Both sides import this
// neutral module (the enclave signs, the client verifies), so it uses only @noble.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex, hexToBytes, utf8ToBytes, concatBytes } from '@noble/hashes/utils';
import { CodedError } from '../errors/index.js';

export const SHARD_STATEMENT_VERSION = 1;
/** Domain separation: the identity key signs settlement digests and channel transcripts too. */
export const SHARD_STATEMENT_TAG = 'darkpool-shard-statement-v1:';

export const SHARD_STATEMENT_LIMITS = {
  maxMarkets: 256,
  maxMarketChars: 32,
  maxStatementChars: 16_384,
} as const;

export const SHARD_ID = /^[A-Za-z0-9_-]{1,32}$/;
const MARKET_ID = /^[A-Za-z0-9_.:/-]{1,32}$/;
const HEX_KEY = /^[0-9a-f]{64}$/;
const HEX_SIGNATURE = /^[0-9a-f]{128}$/;

export interface ShardStatement {
  readonly version: typeof SHARD_STATEMENT_VERSION;
  readonly shardId: string;
  /** The enclave's attested Ed25519 identity key, lowercase hex. */
  readonly identityHex: string;
  /** The markets the enclave runs, sorted. */
  readonly markets: readonly string[];
}

export interface SignedShardStatement {
  readonly statement: ShardStatement;
  readonly signatureHex: string;
}

function invalid(detail: string): CodedError {
  return new CodedError('CLIENT_SHARD_STATEMENT_INVALID', detail);
}

/** The statement with its markets sorted and deduplicated; throws for a malformed field. */
export function buildShardStatement(shardId: string, identityHex: string, markets: readonly string[]): ShardStatement {
  if (typeof shardId !== 'string' || !SHARD_ID.test(shardId)) throw invalid('shardId');
  if (typeof identityHex !== 'string' || !HEX_KEY.test(identityHex)) throw invalid('identityHex');
  if (!Array.isArray(markets) || markets.length === 0 || markets.length > SHARD_STATEMENT_LIMITS.maxMarkets) throw invalid('markets');
  for (const market of markets) if (typeof market !== 'string' || !MARKET_ID.test(market)) throw invalid('market');
  const sorted = [...new Set(markets)].sort();
  if (sorted.length !== markets.length) throw invalid('markets repeat');
  return { version: SHARD_STATEMENT_VERSION, shardId, identityHex, markets: sorted };
}

/** The exact bytes the identity key signs: tag || canonical JSON. */
export function shardStatementMessage(statement: ShardStatement): Uint8Array {
  const canonical = JSON.stringify({ version: statement.version, shardId: statement.shardId, identityHex: statement.identityHex, markets: statement.markets });
  return concatBytes(utf8ToBytes(SHARD_STATEMENT_TAG), utf8ToBytes(canonical));
}

/** Parses a signed statement (JSON text or parsed value); throws CLIENT_SHARD_STATEMENT_INVALID. */
export function parseSignedShardStatement(input: unknown): SignedShardStatement {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > SHARD_STATEMENT_LIMITS.maxStatementChars) throw invalid('too large');
    try {
      value = JSON.parse(input);
    } catch {
      throw invalid('not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('not an object');
  const { statement, signatureHex } = value as Record<string, unknown>;
  if (typeof signatureHex !== 'string' || !HEX_SIGNATURE.test(signatureHex)) throw invalid('signatureHex');
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) throw invalid('statement');
  const fields = statement as Record<string, unknown>;
  if (fields.version !== SHARD_STATEMENT_VERSION) throw invalid('version');
  const built = buildShardStatement(fields.shardId as string, fields.identityHex as string, fields.markets as string[]);
  if (JSON.stringify(built.markets) !== JSON.stringify(fields.markets)) throw invalid('markets not sorted');
  return { statement: built, signatureHex };
}

/** Whether the statement names this identity key and is signed by it. */
export function verifyShardStatement(signed: SignedShardStatement, identityPublicKey: Uint8Array): boolean {
  if (signed.statement.identityHex !== bytesToHex(identityPublicKey)) return false;
  try {
    return ed25519.verify(hexToBytes(signed.signatureHex), shardStatementMessage(signed.statement), identityPublicKey);
  } catch {
    return false;
  }
}
