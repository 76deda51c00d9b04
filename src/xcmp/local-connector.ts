// ChainConnector over the embedded LocalNetwork: the default chain for `npm start` and the
// settlement tests. Extrinsics are signed by the pool's account; deposits into the pool's escrow
// account on each chain are reported once their block is produced. Blocks come from the caller
// (tests) or from a timer when `blockTimeMs` is given. The network enforces submission deadlines
// (validUntil) itself; its one block clock is every chain's finalized height.
import { CodedError } from '../errors/index.js';
import type { AccountHex, ChainConnector, ChainId, DepositObserved, SubmitReceipt, TopicOutcome, XcmDispatch } from './connector.js';
import type { LocalNetwork } from './local-chain.js';
import { checkAccount } from './xcm-model.js';

export const LOCAL_CONNECTOR_MIN_BLOCK_TIME_MS = 10;
export const LOCAL_CONNECTOR_MAX_LISTENERS = 64;

export interface LocalConnectorOptions {
  readonly network: LocalNetwork;
  /** The pool's (settlement key's) account; signs every extrinsic. */
  readonly signer: AccountHex;
  /** Escrow account per chain when it is not the signer (e.g. the signer's hashed location on a 'send' destination). */
  readonly escrow?: Readonly<Partial<Record<ChainId, AccountHex>>>;
  /** Produce a block every this many ms; leave out to produce blocks by hand (tests). */
  readonly blockTimeMs?: number;
}

export class LocalChainConnector implements ChainConnector {
  readonly name = 'local';
  private readonly network: LocalNetwork;
  private readonly signer: AccountHex;
  private readonly escrow: Readonly<Partial<Record<ChainId, AccountHex>>>;
  private readonly listeners = new Set<(deposit: DepositObserved) => void>();
  private readonly unsubscribe: () => void;
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(options: LocalConnectorOptions) {
    this.network = options.network;
    this.signer = checkAccount(options.signer);
    this.escrow = options.escrow ?? {};
    this.unsubscribe = this.network.onDeposit((deposit, to) => {
      if (to !== this.escrowAccount(deposit.chain)) return;
      for (const listener of [...this.listeners]) listener(deposit);
    });
    if (options.blockTimeMs !== undefined) {
      if (!Number.isSafeInteger(options.blockTimeMs) || options.blockTimeMs < LOCAL_CONNECTOR_MIN_BLOCK_TIME_MS) {
        throw new CodedError('XCM_LEDGER_LIMIT', `blockTimeMs must be an integer >= ${LOCAL_CONNECTOR_MIN_BLOCK_TIME_MS}`);
      }
      this.timer = setInterval(() => this.network.produceBlock(), options.blockTimeMs);
      this.timer.unref();
    }
  }

  /** The pool's escrow account on a chain (deposits into it are reported). */
  escrowAccount(chain: ChainId): AccountHex {
    return this.escrow[chain] ?? this.signer;
  }

  private open(): void {
    if (this.closed) throw new CodedError('XCM_CONNECTOR_CLOSED');
  }

  async submit(dispatch: XcmDispatch): Promise<SubmitReceipt> {
    this.open();
    return this.network.submit(dispatch, this.signer);
  }

  async findTopic(destination: ChainId, topic: Uint8Array): Promise<TopicOutcome> {
    this.open();
    return this.network.findTopic(destination, topic);
  }

  /** Every local block is final at once. */
  async finalizedHeight(chain: ChainId): Promise<number> {
    this.open();
    if (!this.network.chainIds().includes(chain)) throw new CodedError('XCM_UNKNOWN_CHAIN', String(chain).slice(0, 40));
    return this.network.blockHeight;
  }

  async balanceOf(chain: ChainId, asset: string, account: AccountHex): Promise<bigint> {
    this.open();
    return this.network.balanceOf(chain, asset, account);
  }

  onDeposit(listener: (deposit: DepositObserved) => void): () => void {
    this.open();
    if (this.listeners.size >= LOCAL_CONNECTOR_MAX_LISTENERS) throw new CodedError('XCM_LEDGER_LIMIT', `more than ${LOCAL_CONNECTOR_MAX_LISTENERS} deposit listeners`);
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.unsubscribe();
    this.listeners.clear();
  }
}
