// Who makes blocks after the connector hands a chain an extrinsic. A live node's authors do, so
// the connector only waits; a chopsticks chain in manual mode builds one when asked over RPC
// (`dev_newBlock`). Keeping this a parameter lets one connector serve both without a test mode.
import type { ChainId } from '../connector.js';

/** The one RPC call a block producer may need: chopsticks' dev methods go through it. */
export interface RpcSender {
  send(method: string, params: unknown[]): Promise<unknown>;
}

export interface BlockProducer {
  /** Called once the extrinsic sits in the chain's pool; resolves when a block may include it. */
  afterSubmit(chain: ChainId, rpc: RpcSender): Promise<void>;
}

/** Live nodes: their authors build and finalise blocks on their own. */
export const authoredBlocks: BlockProducer = {
  afterSubmit: async () => undefined,
};

/** Chopsticks in manual block mode: build one block on the chain that received the extrinsic. */
export const chopsticksNewBlock: BlockProducer = {
  afterSubmit: async (_chain, rpc) => {
    await rpc.send('dev_newBlock', []);
  },
};
