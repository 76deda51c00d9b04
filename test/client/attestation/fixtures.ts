// Loads the recorded Intel DCAP quotes, collateral and dstack responses that live beside the
// repository in ../shared/fixtures/attestation, and the policy pins a client of that dstack
// app would configure. A missing file fails loudly with its path: these tests never pass
// without the real evidence.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Collateral } from '@phala/dcap-qvl';
import type { TdxPolicy } from '../../../client/attestation/policy.js';
import type { DstackAttestationBundle, DstackEventLogEntry, EnclaveKeysHex } from '../../../src/protocol/attestation-bundle.js';

const PACKAGE_NAME = 'darkpool-engine';
const MAX_DIRECTORY_DEPTH = 32;

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < MAX_DIRECTORY_DEPTH; depth++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`attestation fixtures: no ${PACKAGE_NAME} package.json above ${fileURLToPath(import.meta.url)}`);
}

export const FIXTURES_DIR = resolve(repositoryRoot(), '../shared/fixtures/attestation');

export function fixturePath(relative: string): string {
  const path = join(FIXTURES_DIR, relative);
  if (!existsSync(path)) throw new Error(`attestation fixture missing: ${path} (expected ../shared/fixtures/attestation/${relative} beside the repository)`);
  return path;
}

export function fixtureBytes(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(relative)));
}

export function fixtureJson<T>(relative: string): T {
  return JSON.parse(readFileSync(fixturePath(relative), 'utf8')) as T;
}

export type CollateralName = 'sgx_quote_collateral' | 'tdx_quote_collateral' | 'tdx_quote_outdated_collateral';

export function collateral(name: CollateralName): Collateral {
  return fixtureJson<Collateral>(`dcap-qvl/${name}.json`);
}

/** The window read straight from the collateral's JSON: latest issueDate, earliest nextUpdate. */
export function collateralWindowSecs(value: Collateral): { fromSecs: number; untilSecs: number } {
  const tcbInfo = JSON.parse(value.tcb_info) as { issueDate: string; nextUpdate: string };
  const qeIdentity = JSON.parse(value.qe_identity) as { issueDate: string; nextUpdate: string };
  return {
    fromSecs: Math.max(Date.parse(tcbInfo.issueDate), Date.parse(qeIdentity.issueDate)) / 1000,
    untilSecs: Math.min(Date.parse(tcbInfo.nextUpdate), Date.parse(qeIdentity.nextUpdate)) / 1000,
  };
}

/** A time inside the collateral's window: its midpoint, whole seconds. */
export function insideWindowSecs(value: Collateral): number {
  const { fromSecs, untilSecs } = collateralWindowSecs(value);
  if (!(fromSecs < untilSecs)) throw new Error('collateral window is empty');
  return Math.floor((fromSecs + untilSecs) / 2);
}

/** The fixture README: the dstack quote verified UpToDate with tdx_quote_outdated_collateral at this time. */
export const DSTACK_VERIFIED_AT_SECS = Date.parse('2026-03-05T00:00:00Z') / 1000;

export interface DstackQuoteResponse {
  readonly quote: string;
  readonly event_log: string;
  readonly report_data: string;
  readonly vm_config: string;
}

export function dstackQuoteReport(): DstackQuoteResponse {
  return fixtureJson<DstackQuoteResponse>('dstack/quote-report.json');
}

export function dstackLiteQuote(): DstackQuoteResponse {
  return fixtureJson<DstackQuoteResponse>('dstack/tdx-lite-getquote.json');
}

export function eventLogOf(response: DstackQuoteResponse): DstackEventLogEntry[] {
  return JSON.parse(response.event_log) as DstackEventLogEntry[];
}

/** The recorded dstack quote wrapped as a bundle that offers the given keys (the quote binds other data). */
export function dstackFixtureBundle(enclaveKeys: EnclaveKeysHex): DstackAttestationBundle {
  const response = dstackQuoteReport();
  return { version: 1, kind: 'dstack-tdx', enclaveKeys, quoteHex: response.quote, eventLog: eventLogOf(response) };
}

/**
 * The pins a client of the recorded dstack app configures: its deployment's MRTD, compose
 * hash, app id and key provider (as that app's operator publishes them), UpToDate only.
 */
export function dstackFixturePolicy(): TdxPolicy {
  return {
    allowedMrtdHex: ['b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193da075b125b6c364115771390a5461e217'],
    composeHashHex: '3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7',
    appIdHex: '3763bc34552cf3a27ff71ad5f7a90471562a1a2d',
    keyProvider: { name: 'local-sgx', idHex: '1b7a49378403249b6986a907844cab0921eca32dd47e657f3c10311ccaeccf8b' },
  };
}

/** A small seeded PRNG (mulberry32) for fuzzers; a failing run prints its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fuzz seed: FUZZ_SEED from the environment, else the file's fixed default; printed so any failure can be replayed. */
export function fuzzSeed(label: string, defaultSeed: number): number {
  const fromEnv = process.env.FUZZ_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : defaultSeed >>> 0;
  console.log(`${label}: FUZZ_SEED=${seed}`);
  return seed;
}
