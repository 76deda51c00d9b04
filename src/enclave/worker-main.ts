// The enclave isolate's entry point: boots the runtime inside a worker thread and speaks the
// host port (src/protocol/enclave-port.ts) over parentPort. Everything secret stays in this
// thread; the host sees frames, connection ids, close codes and the attestation bundle.
// Outgoing frames gather into one batch per turn of the event loop: a batch of incoming frames
// and each durable journal group each leave as one port message.
import { join } from 'node:path';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { CodedError, isCodedError } from '../errors/index.js';
import { FramePortOutbox, readFrameBatch, type EnclaveToHost, type EnclaveWorkerConfig, type HostToEnclave, type SettlementLogEntry } from '../protocol/enclave-port.js';
import { DevAttestationProvider } from './attestation/dev-provider.js';
import { DstackAttestationProvider } from './attestation/dstack-provider.js';
import type { AttestationProvider } from './attestation/provider.js';
import { deriveSettlementSeed, deriveSettlementRecordsKey, DevSealingKeySource, DstackSealingKeySource, type SealingKeySource } from './keys.js';
import { JetStreamLog } from '../cluster/jetstream-log.js';
import { runForLeadership } from '../cluster/failover.js';
import { LeaderLease } from '../cluster/leader-lease.js';
import { EnclaveRuntime } from './runtime.js';
import { SettlementBridge } from './settlement-bridge.js';
import { SealedSettlementStore } from './sealed-settlement-store.js';
import { signShardStatement } from './shard/shard-config.js';

if (parentPort === null) throw new Error('worker-main runs only as a worker thread');
const port: MessagePort = parentPort;
const config = workerData as EnclaveWorkerConfig;

const outbox = new FramePortOutbox<EnclaveToHost>((message, transfer) => port.postMessage(message, transfer), setImmediate);

let batchesIn = 0;
let framesIn = 0;

function post(message: EnclaveToHost): void {
  outbox.send(message);
}

async function sources(): Promise<{ sealing: SealingKeySource; attestation: AttestationProvider }> {
  if (config.production) return { sealing: new DstackSealingKeySource(), attestation: await DstackAttestationProvider.connect() };
  return {
    sealing: new DevSealingKeySource({ directory: config.dataDir, production: false }),
    attestation: new DevAttestationProvider({
      production: false,
      devRootSeed: config.devRootSeedHex === undefined ? undefined : new Uint8Array(Buffer.from(config.devRootSeedHex, 'hex')),
    }),
  };
}

async function main(): Promise<void> {
  const { sealing, attestation } = await sources();
  // The NATS client is transport, like the chain connectors: it carries only sealed batches (docs/cluster.md).
  const replicatedLog = config.cluster === undefined ? undefined : await JetStreamLog.connect({ ...config.cluster, name: 'darkpool-enclave' });
  const leaseSettings = config.cluster?.lease;
  const lease = leaseSettings === undefined ? undefined : await LeaderLease.connect({ servers: config.cluster!.servers, ...leaseSettings });
  let bridge: SettlementBridge | undefined;
  let stopping = false;
  const runtime = await EnclaveRuntime.boot({
    dataDir: config.dataDir, markets: config.markets, feeAccount: config.feeAccount, sealingKeySource: sealing, attestation,
    tickMs: config.tickMs, settlementWindowMs: config.settlementWindowMs, snapshotEveryCommands: config.snapshotEveryCommands, shardId: config.shardId,
    replicatedLog, standby: lease !== undefined,
  }, {
    sendFrame: (connectionId, frame) => outbox.sendFrame(connectionId, frame),
    closeConnection: (connectionId, code) => post({ type: 'close', connectionId, code }),
    // A failed enclave gives its lease back at once, so a standby need not wait for it to expire.
    fatal: (error) => {
      void lease?.release();
      post({ type: 'fatal', message: error.message });
    },
    onWindow: (window) => bridge?.onWindow(window),
    onWithdrawal: (withdrawal) => bridge?.onWithdrawal(withdrawal),
    depositAddress: (account, asset) => {
      if (bridge === undefined) throw new CodedError('RUNTIME_DEPOSIT_ADDRESS_UNAVAILABLE', 'no settlement chain');
      return bridge.depositAddress(account, asset);
    },
  });
  const chain = config.chain ?? 'embedded';
  const settlementLog = (entry: SettlementLogEntry): void => post({ type: 'settlement', entry });
  // Settlement runs where the sequencer runs: a hot standby opens it only once it leads.
  const openSettlement = async (): Promise<void> => {
    if (chain === 'embedded') {
      bridge = await SettlementBridge.openEmbedded({ runtime, feeAccount: config.feeAccount, log: settlementLog, embeddedPolicy: config.embeddedSettlementPolicy });
    } else if (chain !== 'none') {
      const store = await SealedSettlementStore.open(config.settlementDir ?? join(config.dataDir, 'settlement'), await deriveSettlementRecordsKey(sealing));
      bridge = await SettlementBridge.openPolkadot({ runtime, feeAccount: config.feeAccount, log: settlementLog, settings: chain, settlementSeed: await deriveSettlementSeed(sealing), store });
    }
  };
  if (lease === undefined) await openSettlement();
  else {
    runForLeadership(runtime, lease, { shouldStop: () => stopping }).then(async (leads) => {
      if (!leads) return;
      await openSettlement();
      post({ type: 'leader' });
    }).catch((error: unknown) => post({ type: 'fatal', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
  }
  const portError = (error: unknown): { code: number; message: string } => (isCodedError(error) ? { code: error.code, message: error.message } : { code: 2000, message: String(error) });
  port.on('message', (message: HostToEnclave) => {
    switch (message.type) {
      case 'open': return runtime.openConnection(message.connectionId);
      // A batch cut short is the host's bug; its later frames are dropped and their sessions see the gap.
      case 'frames':
        batchesIn += 1;
        return void readFrameBatch(message, (connectionId, frame) => {
          framesIn += 1;
          runtime.receiveFrame(connectionId, frame);
        });
      case 'stats': {
        const out = outbox.stats;
        return post({ type: 'stats', requestId: message.requestId, stats: { ...runtime.stats(), portBatchesIn: batchesIn, portFramesIn: framesIn, portBatchesOut: out.batches, portFramesOut: out.frames } });
      }
      case 'close': return runtime.closeConnection(message.connectionId);
      case 'bundle': return post({ type: 'bundle', requestId: message.requestId, bundle: runtime.bundleJson });
      case 'deposit': {
        let atoms: bigint;
        try {
          if (!/^[1-9][0-9]{0,77}$/.test(message.atoms)) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'atoms must be a positive integer string');
          atoms = BigInt(message.atoms);
        } catch (error) {
          return post({ type: 'deposited', requestId: message.requestId, error: { code: (error as CodedError).code, message: (error as Error).message } });
        }
        runtime.creditDeposit(message.account, message.asset, atoms, message.reference).then(
          () => post({ type: 'deposited', requestId: message.requestId, error: undefined }),
          (error: unknown) => post({ type: 'deposited', requestId: message.requestId, error: isCodedError(error) ? { code: error.code, message: error.message } : { code: 2000, message: String(error) } }),
        );
        return;
      }
      case 'reference':
        runtime.setReference(message.market, message.bid, message.ask).then(
          () => post({ type: 'referenced', requestId: message.requestId, error: undefined }),
          (error: unknown) => post({ type: 'referenced', requestId: message.requestId, error: isCodedError(error) ? { code: error.code, message: error.message } : { code: 2000, message: String(error) } }),
        );
        return;
      case 'faucet':
        try {
          if (bridge === undefined) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'no embedded chain');
          if (!/^[1-9][0-9]{0,77}$/.test(message.atoms)) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'atoms must be a positive integer string');
          return post({ type: 'faucet', requestId: message.requestId, reference: bridge.faucetDeposit(message.account, message.asset, BigInt(message.atoms), message.to), error: undefined });
        } catch (error) {
          return post({ type: 'faucet', requestId: message.requestId, reference: '', error: portError(error) });
        }
      case 'chainBalance':
        (bridge === undefined ? Promise.reject(new CodedError('RUNTIME_DEPOSIT_INVALID', 'no settlement chain')) : bridge.chainBalance(message.account, message.asset)).then(
          (atoms) => post({ type: 'chainBalance', requestId: message.requestId, atoms: atoms.toString(), error: undefined }),
          (error: unknown) => post({ type: 'chainBalance', requestId: message.requestId, atoms: '', error: portError(error) }),
        );
        return;
      case 'settlementAccount':
        if (bridge === undefined) return post({ type: 'settlementAccount', requestId: message.requestId, account: '', error: portError(new CodedError('RUNTIME_DEPOSIT_INVALID', 'no settlement chain')) });
        return post({ type: 'settlementAccount', requestId: message.requestId, account: bridge.poolAccount, error: undefined });
      case 'chainFault':
        try {
          if (bridge === undefined) throw new CodedError('RUNTIME_DEPOSIT_INVALID', 'no embedded chain');
          bridge.injectChainFault(message.fault, message.times);
          return post({ type: 'chainFaulted', requestId: message.requestId, error: undefined });
        } catch (error) {
          return post({ type: 'chainFaulted', requestId: message.requestId, error: portError(error) });
        }
      case 'stop':
        stopping = true;
        void runtime.stop().then(() => bridge?.close()).then(() => lease?.release()).then(() => lease?.close()).then(() => replicatedLog?.close()).then(() => { post({ type: 'stopped' }); port.close(); });
        return;
    }
  });
  const shardStatement = config.shardId === undefined ? undefined : JSON.stringify(signShardStatement(
    config.shardId, runtime.bundle.enclaveKeys.ed25519Hex, config.markets.map((market) => market.id), (message) => runtime.signWithIdentity(message),
  ));
  post({ type: 'ready', bundle: runtime.bundleJson, shardStatement });
}

main().catch((error: unknown) => post({ type: 'fatal', message: error instanceof Error ? `${(error as Error).name}: ${error.message}` : String(error) }));
