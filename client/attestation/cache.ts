// Verdicts cached per enclave key, so reconnecting to the same enclave skips the DCAP work.
// Only accepted verdicts are kept, and one is reused only for the identical bundle under the
// identical policy and collateral, inside the collateral's window and a maximum age.
import { CodedError } from '../../src/errors/index.js';
import type { EnclaveKeysHex } from '../../src/protocol/attestation-bundle.js';
import type { AcceptedAttestation } from './verdict.js';

export interface VerdictCacheConfig {
  /** Least recently used entries beyond this are dropped. Default 256. */
  readonly maxEntries?: number;
  /** A cached verdict is re-verified after this many seconds even inside the collateral window. Default 3600. */
  readonly maxAgeSecs?: number;
}

interface CacheEntry {
  readonly bundleDigestHex: string;
  readonly policyDigestHex: string;
  readonly verdict: AcceptedAttestation;
  readonly validFromSecs: number;
  readonly validUntilSecs: number;
}

export const DEFAULT_VERDICT_CACHE_ENTRIES = 256;
export const DEFAULT_VERDICT_CACHE_MAX_AGE_SECS = 3600;

export class AttestationVerdictCache {
  readonly maxEntries: number;
  readonly maxAgeSecs: number;
  readonly #entries = new Map<string, CacheEntry>();

  constructor(config: VerdictCacheConfig = {}) {
    this.maxEntries = config.maxEntries ?? DEFAULT_VERDICT_CACHE_ENTRIES;
    this.maxAgeSecs = config.maxAgeSecs ?? DEFAULT_VERDICT_CACHE_MAX_AGE_SECS;
    if (!Number.isSafeInteger(this.maxEntries) || this.maxEntries < 1) throw new CodedError('ATTESTATION_POLICY_INVALID', 'cache maxEntries must be a positive integer.');
    if (!Number.isFinite(this.maxAgeSecs) || this.maxAgeSecs <= 0) throw new CodedError('ATTESTATION_POLICY_INVALID', 'cache maxAgeSecs must be positive.');
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached verdict for these keys if it was reached for this bundle and policy and still holds at nowSecs. */
  lookup(keys: EnclaveKeysHex, bundleDigestHex: string, policyDigestHex: string, nowSecs: number): AcceptedAttestation | undefined {
    const id = cacheKey(keys);
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (nowSecs < entry.validFromSecs || nowSecs >= entry.validUntilSecs) {
      this.#entries.delete(id);
      return undefined;
    }
    if (entry.bundleDigestHex !== bundleDigestHex || entry.policyDigestHex !== policyDigestHex) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return { ...entry.verdict, fromCache: true };
  }

  /** Keeps an accepted verdict, valid from validFromSecs until the earlier of its own validUntilSecs and the maximum age. */
  store(bundleDigestHex: string, policyDigestHex: string, verdict: AcceptedAttestation, validFromSecs: number): void {
    const agedOutSecs = verdict.verifiedAtSecs + this.maxAgeSecs;
    const validUntilSecs = verdict.validUntilSecs === null ? agedOutSecs : Math.min(verdict.validUntilSecs, agedOutSecs);
    const id = cacheKey(verdict.enclaveKeys);
    this.#entries.delete(id);
    this.#entries.set(id, { bundleDigestHex, policyDigestHex, verdict, validFromSecs, validUntilSecs });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  /** Forgets an enclave, e.g. after its session failed in a way that casts doubt on it. */
  forget(keys: EnclaveKeysHex): void {
    this.#entries.delete(cacheKey(keys));
  }

  clear(): void {
    this.#entries.clear();
  }
}

function cacheKey(keys: EnclaveKeysHex): string {
  return `${keys.ed25519Hex}:${keys.x25519Hex}`;
}
