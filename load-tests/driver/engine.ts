// The engine a load run drives: either a fresh child process (load-tests/engine-process.ts:
// the real enclave worker behind the real gateway, in a process of its own so its resident
// memory is measured apart from the driver's), launched with the gateway limits a load run
// needs, or an engine someone already runs at --url. Either way the driver reaches it only
// over loopback HTTP and websockets, and verifies its attestation before any session.
import { ed25519 } from '@noble/curves/ed25519';
import { hexToBytes } from '@noble/hashes/utils';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verifyAttestation } from '../../client/attestation/index.js';
import { CodedError } from '../../src/errors/index.js';
import type { GatewayLimits } from '../../src/gateway/index.js';
import { parseAttestationBundle } from '../../src/protocol/attestation-bundle.js';
import { EngineProcess } from '../engine-process.js';
import type { LoadTarget } from './load-session.js';

/** The launched engine as the driver reads it: its process's memory and CPU time. */
export interface EngineProbe {
  readonly devRootHex: string;
  rssBytes(): number;
  /** User + system CPU time of the engine process so far (all its threads), in ms. */
  cpuMs(): number;
}

export interface LoadEngine {
  readonly url: string;
  /** Undefined for an engine at --url: its memory is not this driver's to read. */
  readonly process: EngineProbe | undefined;
  /** Credits the accounts inside the enclave; false when the engine offers no way to (--url). */
  fund(accounts: readonly string[], atomsByAsset: Readonly<Record<string, bigint>>): Promise<boolean>;
  stop(): Promise<void>;
}

/** What the venue's market must look like for the flow's prices and sizes (order-flow.ts). */
export interface FlowMarket {
  readonly id: string;
  readonly base: string;
  readonly quote: string;
}

/** Gateway limits a load run starts the engine with: sessions for the run, and no per-session rate cap below the offered load. */
export function loadGatewayLimits(sessions: number): Partial<GatewayLimits> {
  return { maxSessions: sessions, framesPerSecond: 1_000_000, burstFrames: 1_000_000 };
}

/** As bench/enclave.ts runs it: a snapshot per 100,000 commands rather than the default 10,000 (stated in the conditions). */
export const ENGINE_SNAPSHOT_EVERY_COMMANDS = 100_000;
const HTTP_TIMEOUT_MS = 10_000;
const MAX_BODY_CHARS = 1_000_000;

export async function launchEngine(limits: Partial<GatewayLimits>): Promise<LoadEngine> {
  let engine: EngineProcess;
  try {
    engine = await EngineProcess.start({ limits, chain: 'none', snapshotEveryCommands: ENGINE_SNAPSHOT_EVERY_COMMANDS, stderr: 'inherit' });
  } catch (error) {
    throw new CodedError('LOAD_ENGINE_FAILED', error instanceof Error ? error.message : String(error));
  }
  const pid = engine.pid;
  return {
    url: engine.url,
    process: { devRootHex: engine.devRootHex, rssBytes: () => engine.rssBytes(), cpuMs: () => processCpuMs(pid) },
    async fund(accounts, atomsByAsset) {
      for (const account of accounts) {
        for (const [asset, atoms] of Object.entries(atomsByAsset)) await engine.deposit(account, asset, atoms, `load-${asset}-${account.slice(0, 16)}`);
      }
      return true;
    },
    stop: () => engine.stop(),
  };
}

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SEC = 100;

/** utime + stime of a process from /proc (Linux), in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000) / CLOCK_TICKS_PER_SEC;
}

export function remoteEngine(url: string): LoadEngine {
  return { url: url.replace(/\/+$/, ''), process: undefined, fund: async () => false, stop: async () => undefined };
}

async function getText(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), headers: { accept: 'application/json' } });
  } catch (error) {
    throw new CodedError('LOAD_ENGINE_FAILED', `GET ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await response.text();
  if (!response.ok || text.length > MAX_BODY_CHARS) throw new CodedError('LOAD_ENGINE_FAILED', `GET ${url}: status ${response.status}, ${text.length} characters`);
  return text;
}

/**
 * Fetches and verifies the attestation once for every session (as the SDK's verdict cache
 * would), pinning devRootHex; without a pin the bundle's own dev root is trusted on first use
 * (a load test of a development engine, never a trader's setting).
 */
export async function attestedTarget(url: string, devRootHex: string | undefined): Promise<{ readonly target: LoadTarget; readonly devRootHex: string }> {
  const bundleText = await getText(`${url}/v1/attestation`);
  let root = devRootHex;
  if (root === undefined) {
    const bundle = parseAttestationBundle(JSON.parse(bundleText));
    if (bundle.kind !== 'dev') throw new CodedError('LOAD_ENGINE_FAILED', 'the engine is not a development enclave; pass --dev-root or run against a dev engine');
    root = bundle.devReport.rootPublicKeyHex;
  }
  const verdict = await verifyAttestation(bundleText, { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: root } });
  if (!verdict.ok) throw new CodedError('LOAD_SESSION_FAILED', `attestation refused: ${verdict.failure.name} ${verdict.failure.detail ?? ''}`);
  const streamUrl = new URL('/v1/stream', url);
  streamUrl.protocol = streamUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  return { target: { streamUrl: streamUrl.toString(), enclaveKeys: verdict.enclaveKeys, attestationHash: hexToBytes(verdict.bundleDigestHex) }, devRootHex: root };
}

/** The first market the gateway lists, checked against what the flow sends (tick 0.01, size 1 in whole lots). */
export async function flowMarket(url: string): Promise<FlowMarket> {
  const markets = JSON.parse(await getText(`${url}/v1/markets`)) as unknown;
  const first = Array.isArray(markets) ? (markets[0] as Record<string, unknown> | undefined) : undefined;
  if (first === undefined || first.tickSize !== '0.01' || !['0.1', '0.01', '1'].includes(String(first.lotSize)) || Number(first.minSizeLots ?? 1) > 10) {
    throw new CodedError('LOAD_ENGINE_FAILED', 'the flow needs a first market with tick 0.01 and a lot dividing 1 (the engine\'s DOT/USDC)');
  }
  return { id: String(first.id), base: String(first.base), quote: String(first.quote) };
}

/** A trader key per index, derived from the seed: the same run seed gives the same accounts. */
export function traderKey(seed: number, purpose: 'trader' | 'idle', index: number): { readonly secretKey: Uint8Array; readonly account: string } {
  const secretKey = new Uint8Array(createHash('sha256').update(`darkpool-load-${purpose}:${seed}:${index}`).digest());
  return { secretKey, account: Buffer.from(ed25519.getPublicKey(secretKey)).toString('hex') };
}
