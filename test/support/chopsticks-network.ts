// A relay chain and its parachains running real runtimes in this process, offline, from the
// chain specs in ../shared/chain-specs (chopsticks 1.5.1, no database, so no sqlite3). It applies
// the storage fixes those genesis specs need (numeric properties, a fixed genesis timestamp,
// parachain registration on the relay, total issuance when funding) and wires DMP, UMP and XCMP
// between the chains. A missing spec file is an error naming the file, never a skipped test.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Blockchain } from '@acala-network/chopsticks';
import { CodedError } from '../../src/errors/index.js';
import type { AccountHex, ChainId } from '../../src/xcmp/connector.js';
import { paraChainId } from '../../src/xcmp/xcm-builder.js';

/** Beside the repository: <repo>/../shared/chain-specs. */
export const CHAIN_SPECS_DIR = fileURLToPath(new URL('../../../shared/chain-specs/', import.meta.url));
export const CHAIN_SPEC_MAX_BYTES = 64 * 1024 * 1024;
export const CHOPSTICKS_MAX_PARAS = 4;
/** The well-known storage key ":code", hex-encoded as raw specs store keys. */
const CODE_KEY = '0x3a636f6465';
/** twox128("Timestamp") ++ twox128("Now"). */
const TIMESTAMP_NOW_KEY = '0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb';
/** Genesis time is rounded to this, a multiple of the 6 s and 12 s slot durations. */
const GENESIS_TIME_ROUNDING_MS = 12_000;

type Chopsticks = typeof import('@acala-network/chopsticks');

export interface RawChainSpec {
  readonly id: string;
  readonly name: string;
  readonly para_id?: number;
  readonly paraId?: number;
  properties: Record<string, unknown>;
  readonly genesis: { readonly raw: { readonly top: Record<string, string> } };
}

export interface ChopsticksChain {
  readonly id: ChainId;
  readonly specFile: string;
  readonly paraId: number | undefined;
  /** ws://127.0.0.1:<port> */
  readonly url: string;
  readonly blockchain: Blockchain;
}

export interface ChopsticksNetworkOptions {
  /** Spec file names in CHAIN_SPECS_DIR. */
  readonly relay: string;
  readonly paras: readonly string[];
  /** 'manual': blocks only on newBlock / dev_newBlock (tests). 'instant': a block per extrinsic or message, like a live node. */
  readonly blockMode?: 'manual' | 'instant';
}

/** The path of a spec file, after checking it exists; throws XCMP_CHAIN_SPEC_MISSING naming it. */
export function chainSpecPath(file: string): string {
  const path = `${CHAIN_SPECS_DIR}${file}`;
  if (!existsSync(path)) throw new CodedError('XCMP_CHAIN_SPEC_MISSING', `${path} (expected beside the repository in ../shared/chain-specs/)`);
  return path;
}

/** Every listed spec must be present; the error names all that are missing. */
export function requireChainSpecs(files: readonly string[]): void {
  const missing = files.filter((file) => !existsSync(`${CHAIN_SPECS_DIR}${file}`));
  if (missing.length > 0) throw new CodedError('XCMP_CHAIN_SPEC_MISSING', missing.map((file) => `${CHAIN_SPECS_DIR}${file}`).join(', '));
}

/** Reads a raw spec and makes it acceptable to chopsticks: numeric strings in `properties` become numbers. */
export function loadChainSpec(file: string): RawChainSpec {
  const path = chainSpecPath(file);
  const text = readFileSync(path, 'utf8');
  if (text.length > CHAIN_SPEC_MAX_BYTES) throw new CodedError('XCMP_CHAIN_SPEC_INVALID', `${path} is larger than ${CHAIN_SPEC_MAX_BYTES} bytes`);
  let spec: RawChainSpec;
  try {
    spec = JSON.parse(text) as RawChainSpec;
  } catch (error) {
    throw new CodedError('XCMP_CHAIN_SPEC_INVALID', `${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof spec?.genesis?.raw?.top !== 'object' || typeof spec.genesis.raw.top[CODE_KEY] !== 'string') {
    throw new CodedError('XCMP_CHAIN_SPEC_INVALID', `${path} has no runtime (:code) in genesis.raw.top; only raw specs run here`);
  }
  spec.properties ??= {};
  for (const [key, value] of Object.entries(spec.properties)) {
    if (typeof value === 'string' && /^[0-9]{1,15}$/.test(value)) spec.properties[key] = Number(value);
  }
  return spec;
}

function u64Hex(value: bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return `0x${bytes.toString('hex')}`;
}

/**
 * A genesis without Timestamp.Now makes chopsticks read the clock twice for block 1 (slot digest,
 * then the timestamp inherent); across a slot boundary the runtime rejects the block. One stored
 * time makes both agree.
 */
function withGenesisTime(spec: RawChainSpec, nowMs: number): RawChainSpec {
  const top = spec.genesis.raw.top;
  if (top[TIMESTAMP_NOW_KEY] !== undefined) return spec;
  const rounded = BigInt(Math.floor(nowMs / GENESIS_TIME_ROUNDING_MS) * GENESIS_TIME_ROUNDING_MS);
  return { ...spec, genesis: { raw: { top: { ...top, [TIMESTAMP_NOW_KEY]: u64Hex(rounded) } } } };
}

async function loadChopsticks(): Promise<Chopsticks> {
  // Chopsticks reads LOG_LEVEL when its logger module loads; keep test output to errors.
  process.env['LOG_LEVEL'] ??= 'error';
  return import('@acala-network/chopsticks');
}

export class ChopsticksNetwork {
  readonly chains: ReadonlyMap<ChainId, ChopsticksChain>;
  private readonly closers: (() => Promise<void>)[];
  private readonly chopsticks: Chopsticks;
  private closed = false;

  private constructor(chopsticks: Chopsticks, chains: ReadonlyMap<ChainId, ChopsticksChain>, closers: (() => Promise<void>)[]) {
    this.chopsticks = chopsticks;
    this.chains = chains;
    this.closers = closers;
  }

  /** Starts the relay and parachains on 127.0.0.1 (ephemeral ports), registers and wires them. */
  static async start(options: ChopsticksNetworkOptions): Promise<ChopsticksNetwork> {
    if (options.paras.length > CHOPSTICKS_MAX_PARAS) throw new CodedError('XCMP_CONNECTOR_CONFIG_INVALID', `at most ${CHOPSTICKS_MAX_PARAS} parachains`);
    requireChainSpecs([options.relay, ...options.paras]);
    const chopsticks = await loadChopsticks();
    const mode = options.blockMode === 'instant' ? chopsticks.BuildBlockMode.Instant : chopsticks.BuildBlockMode.Manual;
    const nowMs = Date.now();
    const files = [options.relay, ...options.paras];
    const specs = files.map((file) => withGenesisTime(loadChainSpec(file), nowMs));
    const closers: (() => Promise<void>)[] = [];
    const chains = new Map<ChainId, ChopsticksChain>();
    try {
      const started = await Promise.allSettled(specs.map((genesis) => chopsticks.setupWithServer({ genesis, host: '127.0.0.1', port: 0, 'build-block-mode': mode } as Parameters<Chopsticks['setupWithServer']>[0])));
      for (const result of started) if (result.status === 'fulfilled') closers.unshift(result.value.close);
      const failure = started.find((result) => result.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
      started.forEach((result, index) => {
        if (result.status !== 'fulfilled') return;
        const spec = specs[index]!;
        const paraId = index === 0 ? undefined : spec.para_id ?? spec.paraId;
        if (index > 0 && (paraId === undefined || !Number.isSafeInteger(paraId))) throw new CodedError('XCMP_CHAIN_SPEC_INVALID', `${files[index]} names no para_id`);
        const id = paraId === undefined ? 'relay' : paraChainId(paraId);
        if (chains.has(id)) throw new CodedError('XCMP_CHAIN_SPEC_INVALID', `two chains are ${id}`);
        if (result.value.chain.head.number < 1) throw new CodedError('XCMP_CHAIN_SPEC_INVALID', `${files[index]}: chopsticks could not build block 1`);
        chains.set(id, { id, specFile: files[index]!, paraId, url: `ws://${result.value.addr}`, blockchain: result.value.chain });
      });
      const network = new ChopsticksNetwork(chopsticks, chains, closers);
      await network.wire();
      return network;
    } catch (error) {
      for (const close of closers) await close().catch(() => undefined);
      throw error;
    }
  }

  private async wire(): Promise<void> {
    const relay = this.chain('relay');
    const paras = [...this.chains.values()].filter((chain) => chain.paraId !== undefined);
    // A genesis relay knows no parachains: without a lifecycle and a head, DMP refuses to send (SendFailure).
    const lifecycles: [number[], string][] = [];
    const heads: [number[], string][] = [];
    for (const para of paras) {
      lifecycles.push([[para.paraId!], 'Parachain']);
      heads.push([[para.paraId!], (await para.blockchain.head.header).toHex()]);
    }
    await this.chopsticks.setStorage(relay.blockchain, { Paras: { ParaLifecycles: lifecycles, Heads: heads } });
    for (const para of paras) await this.chopsticks.connectVertical(relay.blockchain, para.blockchain);
    if (paras.length > 1) await this.chopsticks.connectParachains(paras.map((para) => para.blockchain));
  }

  chain(id: ChainId): ChopsticksChain {
    const chain = this.chains.get(id);
    if (chain === undefined) throw new CodedError('XCM_UNKNOWN_CHAIN', `${id} is not in this chopsticks network`);
    return chain;
  }

  url(id: ChainId): string {
    return this.chain(id).url;
  }

  /** Builds one block on the chain (pending extrinsics and arrived messages go in); returns its hash. */
  async newBlock(id: ChainId): Promise<string> {
    const block = await this.chain(id).blockchain.newBlock();
    return block.hash;
  }

  /** Sets an account's free native balance, keeping its nonce and Balances.TotalIssuance consistent. */
  async setFree(id: ChainId, account: AccountHex, free: bigint): Promise<void> {
    const { blockchain } = this.chain(id);
    const meta = await blockchain.head.meta;
    const current = await blockchain.head.read('FrameSystemAccountInfo', meta.query.system.account, account);
    const info = (current?.toJSON() ?? {}) as { nonce?: number; consumers?: number; providers?: number; sufficients?: number; data?: Record<string, unknown> };
    const previous = BigInt(String(info.data?.['free'] ?? 0));
    const issuance = await blockchain.head.read('u128', meta.query.balances.totalIssuance);
    const nextIssuance = (issuance === undefined ? 0n : BigInt(issuance.toString())) - previous + free;
    await this.chopsticks.setStorage(blockchain, {
      System: { Account: [[[account], { ...info, providers: Math.max(1, info.providers ?? 0), data: { ...info.data, free } }]] },
      Balances: { TotalIssuance: nextIssuance },
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const close of this.closers) await close().catch(() => undefined);
    // The wasm executor is one worker thread shared by every chain in the process; it outlives chain.close().
    await this.chopsticks.destroyWorker();
  }
}
