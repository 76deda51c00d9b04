// A k6 script's setup(): fetch the gateway's market list and attestation bundle over k6/http,
// check the bundle (attestation-check.ts), and hand every VU what it needs to open sessions,
// as plain JSON (k6 passes setup data to VUs serialized).
import http from 'k6/http';
import { CodedError } from '../../../src/errors/index.js';
import { ATTESTATION_BUNDLE_LIMITS, type EnclaveKeysHex } from '../../../src/protocol/attestation-bundle.js';
import { parseMarkets } from '../../../client/sdk/markets.js';
import { checkAttestation } from './attestation-check.js';
import { baseUrl, optionalKeyHex, text, type Env } from './config.js';

export interface VenueMarket {
  readonly id: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minSizeLots: number;
}

/** What setup() returns to every VU. */
export interface VenueData {
  readonly baseUrl: string;
  readonly streamUrl: string;
  readonly enclaveKeys: EnclaveKeysHex;
  readonly attestationHashHex: string;
  readonly insecure: boolean;
  readonly attestationChecks: readonly string[];
  readonly market: VenueMarket;
}

const HTTP_TIMEOUT = '10s';
const MAX_MARKETS_BODY_CHARS = 1_000_000;

function getText(url: string, maxChars: number): string {
  const response = http.get(url, { headers: { accept: 'application/json' }, timeout: HTTP_TIMEOUT });
  if (response.status !== 200 || typeof response.body !== 'string') {
    throw new CodedError('K6_HTTP_FAILED', `GET ${url}: status ${response.status}${response.error === '' ? '' : ` (${response.error})`}`);
  }
  if (response.body.length > maxChars) throw new CodedError('K6_HTTP_FAILED', `GET ${url}: ${response.body.length} characters, at most ${maxChars}`);
  return response.body;
}

/** Reads BASE_URL, MARKET, DEV_ROOT and ENCLAVE_KEY; fetches and checks; throws a coded error when refused. */
export function discoverVenue(env: Env): VenueData {
  const base = baseUrl(env);
  let marketsJson: unknown;
  try {
    marketsJson = JSON.parse(getText(`${base}/v1/markets`, MAX_MARKETS_BODY_CHARS));
  } catch (error) {
    if (error instanceof CodedError) throw error;
    throw new CodedError('K6_HTTP_FAILED', 'GET /v1/markets: not JSON');
  }
  const markets = parseMarkets(marketsJson);
  const wanted = text(env, 'MARKET', markets[0]?.id ?? '');
  const market = markets.find((entry) => entry.id === wanted);
  if (market === undefined) throw new CodedError('K6_CONFIG_INVALID', `MARKET ${JSON.stringify(wanted.slice(0, 64))} is not listed by the gateway`);
  const attestation = checkAttestation(getText(`${base}/v1/attestation`, ATTESTATION_BUNDLE_LIMITS.maxBundleChars + 1024), {
    devRootHex: optionalKeyHex(env, 'DEV_ROOT'),
    enclaveIdentityHex: optionalKeyHex(env, 'ENCLAVE_KEY'),
  });
  return {
    baseUrl: base,
    streamUrl: `${base.replace(/^http/, 'ws')}/v1/stream`,
    enclaveKeys: attestation.enclaveKeys,
    attestationHashHex: attestation.attestationHashHex,
    insecure: attestation.insecure,
    attestationChecks: attestation.checks,
    market: { id: market.id, tickSize: market.tickSize, lotSize: market.lotSize, minSizeLots: market.minSizeLots },
  };
}
