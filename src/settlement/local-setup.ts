// The default chain set-up `npm start` uses: an embedded network of an Asset Hub-like parachain
// (DOT, USDT, USDC) and a second parachain reached by 'send' (DOT, NAT), the local connector over
// it, and the matching settlement configuration. Nothing to install or start.
import type { AccountHex } from '../xcmp/connector.js';
import { LocalNetwork } from '../xcmp/local-chain.js';
import { LocalChainConnector } from '../xcmp/local-connector.js';
import { assetHubAssetLocal, here, relay } from '../xcmp/xcm-model.js';
import { DEFAULT_SETTLEMENT_POLICY, type SettlementConfig } from './config.js';

export const LOCAL_FEE_PER_INSTRUCTION = 1_000_000n;
export const LOCAL_FEE_BUDGET_PER_MESSAGE = 200_000_000n;
/** Submission lifetime on the embedded chain: 20 blocks (2 s at the bridge's 100 ms blocks). */
export const LOCAL_SUBMISSION_LIFETIME_BLOCKS = 20;
const LOCAL_FEE_COLLECTOR = `0x${'fc'.repeat(32)}` as AccountHex;

export interface LocalSetup {
  readonly network: LocalNetwork;
  readonly connector: LocalChainConnector;
  readonly config: SettlementConfig;
}

export interface LocalSetupOptions {
  /** The pool's account: the enclave's settlement key as an AccountId32. */
  readonly pool: AccountHex;
  /** Internal fee account (also receives unused fee budgets on chain). */
  readonly feeAccount: AccountHex;
  /** Block time of the embedded chains; leave out to produce blocks by hand. */
  readonly blockTimeMs?: number;
  readonly policy?: Partial<Pick<SettlementConfig, 'windowMs' | 'windowMaxFills' | 'maxPayoutsPerMessage' | 'confirmTimeoutMs' | 'retryDelayMs' | 'maxAttempts' | 'submissionLifetimeBlocks'>>;
}

export function createLocalSetup(options: LocalSetupOptions): LocalSetup {
  const assetHub = { DOT: relay(), USDT: assetHubAssetLocal(1984n), USDC: assetHubAssetLocal(1337n) };
  const sibling = { DOT: relay(), NAT: here() };
  const network = new LocalNetwork([
    { id: 'para:1000', assets: Object.entries(assetHub).map(([symbol, location]) => ({ symbol, location })), feeAsset: 'DOT', feePerInstruction: LOCAL_FEE_PER_INSTRUCTION, feeCollector: LOCAL_FEE_COLLECTOR },
    { id: 'para:2000', assets: Object.entries(sibling).map(([symbol, location]) => ({ symbol, location })), feeAsset: 'DOT', feePerInstruction: LOCAL_FEE_PER_INSTRUCTION, feeCollector: LOCAL_FEE_COLLECTOR },
  ]);
  const remoteEscrow = network.accountOf('para:2000', network.sendOrigin('para:1000', 'para:2000', options.pool));
  const connector = new LocalChainConnector({
    network, signer: options.pool, escrow: { 'para:2000': remoteEscrow },
    ...(options.blockTimeMs === undefined ? {} : { blockTimeMs: options.blockTimeMs }),
  });
  const config: SettlementConfig = {
    chains: [
      { chain: 'para:1000', route: { kind: 'execute' }, xcmVersion: 5, assets: assetHub, feeAsset: 'DOT', feeBudgetPerMessage: LOCAL_FEE_BUDGET_PER_MESSAGE },
      { chain: 'para:2000', route: { kind: 'send', from: 'para:1000' }, xcmVersion: 4, assets: sibling, feeAsset: 'DOT', feeBudgetPerMessage: LOCAL_FEE_BUDGET_PER_MESSAGE },
    ],
    escrowAccounts: { 'para:1000': options.pool, 'para:2000': remoteEscrow },
    feeAccount: options.feeAccount,
    ...DEFAULT_SETTLEMENT_POLICY,
    submissionLifetimeBlocks: LOCAL_SUBMISSION_LIFETIME_BLOCKS,
    ...options.policy,
  };
  return { network, connector, config };
}
