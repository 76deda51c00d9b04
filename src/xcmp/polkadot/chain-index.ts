// Follows one chain's finalised blocks and remembers what settlement asks about: outcomes by topic
// and deposits into the pool's escrow. Real runtimes keep no topic index of their own, so the
// connector builds one, looking back a bounded number of blocks after (re)connecting; a topic
// older than that window is reported 'unknown', never guessed.
import type { ApiPromise } from '@polkadot/api';
import type { EventRecord } from '@polkadot/types/interfaces';
import type { AccountHex, ChainId } from '../connector.js';
import { scanBlock, type AssetWatch, type Fact } from './block-scan.js';

/** Topics remembered per chain; the oldest are forgotten first (they lie outside any retry window). */
export const INDEX_MAX_TOPICS = 100_000;
/** Deposits kept for replay to listeners that subscribe after they were seen. */
export const INDEX_MAX_REPLAY_DEPOSITS = 10_000;
/** Facts about one topic kept per chain (each retry adds at most one). */
export const INDEX_MAX_FACTS_PER_TOPIC = 64;

export type TopicFact = Exclude<Fact, { kind: 'deposit' }>;
export type DepositFact = Extract<Fact, { kind: 'deposit' }>;

export interface ChainIndexOptions {
  readonly chain: ChainId;
  readonly api: ApiPromise;
  readonly poolAddress: string;
  readonly escrow: AccountHex;
  readonly watch: AssetWatch;
  /** Finalised blocks looked at behind the head when the index starts. */
  readonly historyBlocks: number;
  readonly onDeposit: (deposit: DepositFact) => void;
}

export class ChainIndex {
  readonly chain: ChainId;
  private readonly options: ChainIndexOptions;
  private readonly topics = new Map<string, TopicFact[]>();
  private readonly replay: DepositFact[] = [];
  private nextBlock: number | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(options: ChainIndexOptions) {
    this.chain = options.chain;
    this.options = options;
  }

  /** Indexes every finalised block not yet seen (within the history window); calls are serialised. */
  catchUp(): Promise<void> {
    const run = this.running.catch(() => undefined).then(() => this.indexToFinalized());
    this.running = run;
    return run;
  }

  /** Facts about a topic on this chain, oldest first. */
  factsOf(topicHex: string): readonly TopicFact[] {
    return this.topics.get(topicHex) ?? [];
  }

  /** Deposits seen so far (bounded), for listeners that arrive late. */
  recentDeposits(): readonly DepositFact[] {
    return this.replay;
  }

  /** The highest block indexed, or undefined before the first catch-up. */
  indexedThrough(): number | undefined {
    return this.nextBlock === undefined ? undefined : this.nextBlock - 1;
  }

  close(): void {
    this.closed = true;
  }

  private async indexToFinalized(): Promise<void> {
    if (this.closed) return;
    const { api, historyBlocks } = this.options;
    const finalizedHash = await api.rpc.chain.getFinalizedHead();
    const finalized = (await api.rpc.chain.getHeader(finalizedHash)).number.toNumber();
    const windowStart = Math.max(1, finalized - historyBlocks + 1);
    let number = Math.max(this.nextBlock ?? windowStart, windowStart);
    // Bounded by historyBlocks: the window never holds more blocks than that.
    for (; number <= finalized && !this.closed; number++) {
      const hash = number === finalized ? finalizedHash : await api.rpc.chain.getBlockHash(number);
      await this.indexBlock(number, hash.toHex());
      this.nextBlock = number + 1;
    }
  }

  private async indexBlock(number: number, hash: string): Promise<void> {
    const { api } = this.options;
    const [block, at] = await Promise.all([api.rpc.chain.getBlock(hash), api.at(hash)]);
    const events = (await at.query.system.events()) as unknown as EventRecord[];
    const facts = scanBlock({
      number, hash, extrinsics: block.block.extrinsics, events,
      poolAddress: this.options.poolAddress, escrow: this.options.escrow, watch: this.options.watch,
    });
    for (const fact of facts) {
      if (fact.kind === 'deposit') {
        if (this.replay.length >= INDEX_MAX_REPLAY_DEPOSITS) this.replay.shift();
        this.replay.push(fact);
        this.options.onDeposit(fact);
      } else {
        this.remember(fact);
      }
    }
  }

  private remember(fact: TopicFact): void {
    let list = this.topics.get(fact.topic);
    if (list === undefined) {
      if (this.topics.size >= INDEX_MAX_TOPICS) {
        const oldest = this.topics.keys().next().value;
        if (oldest !== undefined) this.topics.delete(oldest);
      }
      list = [];
      this.topics.set(fact.topic, list);
    }
    if (list.some((known) => known.reference === fact.reference && known.kind === fact.kind)) return;
    if (list.length < INDEX_MAX_FACTS_PER_TOPIC) {
      list.push(fact);
      return;
    }
    // Full (only spam can fill it): keep what decides an outcome, a success, in place of a failure.
    const isSuccess = (known: TopicFact): boolean => known.kind === 'sent' || known.ok;
    if (!isSuccess(fact)) return;
    const replaceable = list.findIndex((known) => !isSuccess(known));
    if (replaceable >= 0) list[replaceable] = fact;
  }
}
