// What the load-test engine entry (engine-main.ts) is started with and what it answers on its
// control lines: shared by the entry and its launcher (engine-process.ts), so both sides of the
// child-process boundary agree on one JSON shape.
import type { GatewayLimits } from '../src/gateway/index.js';
import type { EmbeddedSettlementPolicy } from '../src/protocol/enclave-port.js';

/** The market every load test trades: the same spec as `npm start`'s demo market. */
export const ENGINE_MARKET = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6,
  tickSize: '0.01', lotSize: '0.1', makerFeeBps: 2, takerFeeBps: 5, referenceStalenessMs: 10_000,
} as const;

/** The account the venue's fees accrue to. */
export const ENGINE_FEE_ACCOUNT = 'venue-fees';

/** The environment variable the launcher passes EngineConfig in, as JSON. */
export const ENGINE_CONFIG_ENV = 'DARKPOOL_ENGINE_CONFIG';

export interface EngineConfig {
  readonly dataDir: string;
  /** 0 picks a free port; the ready line reports the one bound. */
  readonly port: number;
  readonly limits: Partial<GatewayLimits>;
  /** 'embedded': the in-memory development chain inside the enclave (new on every start); 'none': no settlement. */
  readonly chain: 'embedded' | 'none';
  /** Hex of the 32-byte dev attestation root seed: one root across restarts, so clients keep their pin. */
  readonly devRootSeedHex: string;
  /** Left out: the runtime's defaults. */
  readonly settlementWindowMs?: number;
  readonly tickMs?: number;
  readonly snapshotEveryCommands?: number;
  /** Embedded chain: settlement retry and confirmation timing. */
  readonly settlementPolicy?: EmbeddedSettlementPolicy;
}

/** A fault for the embedded chain's next matching submissions (src/xcmp/local-chain.ts LocalFault). */
export type ChainFault =
  | { readonly kind: 'drop' }
  | { readonly kind: 'delay'; readonly blocks: number }
  | { readonly kind: 'fail'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly reason: string };

/** One control request, a JSON line on the child's stdin. Atoms are decimal integer strings. */
export type ControlRequest =
  | { readonly id: number; readonly op: 'deposit'; readonly account: string; readonly asset: string; readonly atoms: string; readonly reference: string }
  | { readonly id: number; readonly op: 'chainDeposit'; readonly account: string; readonly asset: string; readonly atoms: string }
  | { readonly id: number; readonly op: 'chainBalance'; readonly account: string; readonly asset: string }
  | { readonly id: number; readonly op: 'settlementAccount' }
  | { readonly id: number; readonly op: 'reference'; readonly market: string; readonly bid: string; readonly ask: string }
  | { readonly id: number; readonly op: 'stats' }
  | { readonly id: number; readonly op: 'chainFault'; readonly fault: ChainFault; readonly times: number };

/** Lines the child prints on stdout, one JSON object each. */
export type EngineLine =
  | { readonly event: 'ready'; readonly url: string; readonly port: number; readonly pid: number; readonly devRootHex: string }
  | { readonly event: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly event: 'reply'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly event: 'settlement'; readonly entry: { readonly event: string; readonly batchId?: string; readonly code?: number } }
  | { readonly event: 'fatal'; readonly message: string };
