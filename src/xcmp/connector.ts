// The contract between settlement and any chain: settlement hands over SCALE-encoded XCM
// tagged with a topic, and asks the chain afterwards whether a topic executed. Both the
// embedded local chain and the @polkadot/api connector implement it, so the settlement
// lifecycle (and its exactly-once reconciliation) is written once.
//
// Deadlines (a compatible extension: the new dispatch, receipt and outcome fields are optional, so
// existing callers and outcomes stay valid; connectors must add finalizedHeight):
// "no outcome observed" only means "not executed" once the chain can never execute the
// submission any more. So settlement reads `finalizedHeight(origin)`, picks `validUntil` (a block
// number of the origin chain) and passes it with the dispatch; the connector must make the chain
// refuse the submission after that block — a mortal era on real chains, an enforced deadline on
// the embedded chain — and refuse to submit one it cannot bound (XCMP_DEADLINE_PASSED 5300,
// XCMP_DEADLINE_UNENFORCEABLE 5301). A connector never enforces a later deadline than asked.
// Once finalizedHeight(origin) > validUntil and findTopic says 'unknown' without `inFlight`, that
// submission is provably dead: it never executed and never will.

/** A chain as settlement names it, e.g. "relay", "para:1004". */
export type ChainId = string;

/** A 32-byte AccountId32 (an ed25519 public key for traders), as 0x-prefixed hex. */
export type AccountHex = `0x${string}`;

/** How the message enters the chain: executed locally by the pool's account, or sent to a destination. */
export type DispatchKind = 'execute' | 'send';

export interface XcmDispatch {
  /** The chain whose pallet-xcm receives the extrinsic. */
  readonly origin: ChainId;
  /** The chain where the message executes (equal to origin for 'execute'). */
  readonly destination: ChainId;
  readonly kind: DispatchKind;
  /** SCALE-encoded VersionedXcm; its last instruction is SetTopic(topic). */
  readonly message: Uint8Array;
  /** 32 bytes; the id by which the destination's processed-message events are matched. */
  readonly topic: Uint8Array;
  /**
   * Deadline: the last block (origin chain numbering, as finalizedHeight reports it) at which the
   * submission may still be included and executed. Left out, the submission has no deadline.
   */
  readonly validUntil?: number;
}

export interface SubmitReceipt {
  /** Identifies the submission on the origin chain (block hash + extrinsic index, or a local id). */
  readonly reference: string;
  /** Deadline the chain actually enforces for this submission; never later than the dispatch's validUntil. */
  readonly validUntil?: number;
}

/**
 * What the destination reports for a topic. 'unknown' means not (yet) seen: never assume failure
 * from it, unless the submission's deadline passed on a finalized block and `inFlight` is not set.
 */
export type TopicOutcome =
  | { readonly status: 'executed'; readonly reference: string }
  | { readonly status: 'failed'; readonly reference: string; readonly reason: string }
  /** inFlight: the origin already sent it before its deadline and the destination may still process it. */
  | { readonly status: 'unknown'; readonly inFlight?: boolean };

/** A transfer into the pool's account, reported once final. */
export interface DepositObserved {
  readonly chain: ChainId;
  /** Asset symbol as configured for settlement, e.g. "DOT". */
  readonly asset: string;
  readonly from: AccountHex;
  readonly amount: bigint;
  /** Unique per deposit on that chain (block number + event index), for idempotent crediting. */
  readonly reference: string;
}

export interface ChainConnector {
  readonly name: string;
  /**
   * Submits the message; resolves once the origin chain accepted the extrinsic, throws a CodedError
   * when refused. With dispatch.validUntil, the chain never executes it after that block.
   */
  submit(dispatch: XcmDispatch): Promise<SubmitReceipt>;
  /** Asks the destination whether a message with this topic was processed, and how it ended. */
  findTopic(destination: ChainId, topic: Uint8Array): Promise<TopicOutcome>;
  /**
   * Deadline: the chain's latest finalized block number. A dispatch's validUntil has passed once
   * this exceeds it; a connector answers findTopic for everything up to this block afterwards.
   */
  finalizedHeight(chain: ChainId): Promise<number>;
  /** Free balance of an account for a configured asset on a chain. */
  balanceOf(chain: ChainId, asset: string, account: AccountHex): Promise<bigint>;
  /** Calls back for every final deposit into the pool's account; returns an unsubscribe function. */
  onDeposit(listener: (deposit: DepositObserved) => void): () => void;
  close(): Promise<void>;
}
