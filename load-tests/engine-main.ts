// The engine as load tests and fault drills run it: the real enclave worker behind the real
// gateway, like `npm start` but without the demo market maker, reference feed or key files,
// configured by one JSON environment variable (engine-config.ts) and driven over stdin/stdout
// JSON lines: it prints a ready line with the URL it bound, answers control requests (deposits,
// chain balances, chain faults, stats) and streams settlement log lines. Started by
// engine-process.ts; SIGTERM stops it gracefully, SIGKILL is what the drills send.
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ed25519 } from '@noble/curves/ed25519';
import { startGateway } from '../src/gateway/index.js';
import { EnclaveHost } from '../src/host/enclave-host.js';
import { ENGINE_CONFIG_ENV, ENGINE_FEE_ACCOUNT, ENGINE_MARKET, type ControlRequest, type EngineConfig, type EngineLine } from './engine-config.js';

/** A control line longer than this is refused unread. */
const MAX_CONTROL_LINE_CHARS = 4_096;

function emit(line: EngineLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function readConfig(): EngineConfig {
  const raw = process.env[ENGINE_CONFIG_ENV];
  if (raw === undefined) throw new Error(`${ENGINE_CONFIG_ENV} is not set`);
  const config = JSON.parse(raw) as EngineConfig;
  if (typeof config.dataDir !== 'string' || !/^[0-9a-f]{64}$/.test(config.devRootSeedHex)) throw new Error('engine config needs dataDir and a 64-hex devRootSeedHex');
  return config;
}

async function answer(host: EnclaveHost, request: ControlRequest): Promise<unknown> {
  switch (request.op) {
    case 'deposit': return host.deposit(request.account, request.asset, BigInt(request.atoms), request.reference);
    case 'chainDeposit': return host.embeddedChainDeposit(request.account, request.asset, BigInt(request.atoms));
    case 'chainBalance': return (await host.embeddedChainBalance(request.account, request.asset)).toString();
    case 'settlementAccount': return host.settlementAccount();
    case 'reference': return host.setReference(request.market, request.bid, request.ask);
    case 'stats': return host.stats();
    case 'chainFault': return host.embeddedChainFault(request.fault, request.times);
    default: throw new Error(`unknown op ${JSON.stringify((request as { op?: unknown }).op).slice(0, 32)}`);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  mkdirSync(config.dataDir, { recursive: true });
  const host = await EnclaveHost.start({
    dataDir: config.dataDir, markets: [ENGINE_MARKET], feeAccount: ENGINE_FEE_ACCOUNT, production: false, chain: config.chain,
    devRootSeedHex: config.devRootSeedHex, tickMs: config.tickMs, settlementWindowMs: config.settlementWindowMs,
    snapshotEveryCommands: config.snapshotEveryCommands, embeddedSettlementPolicy: config.settlementPolicy,
  });
  host.onSettlement((entry) => emit({ event: 'settlement', entry }));
  host.onFatal((message) => emit({ event: 'fatal', message }));
  const gateway = await startGateway({ host, markets: [ENGINE_MARKET], port: config.port, limits: config.limits, logger: { level: 'silent' } });

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let request: ControlRequest;
    try {
      if (line.length > MAX_CONTROL_LINE_CHARS) throw new Error('control line too long');
      request = JSON.parse(line) as ControlRequest;
      if (!Number.isSafeInteger(request.id)) throw new Error('control request without id');
    } catch (error) {
      emit({ event: 'fatal', message: `bad control line: ${(error as Error).message}` });
      return;
    }
    answer(host, request).then(
      (result) => emit({ event: 'reply', id: request.id, ok: true, result: result ?? null }),
      (error: unknown) => emit({ event: 'reply', id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    lines.close();
    void gateway.app.close().then(() => host.stop()).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The launcher's end of stdin closing means it is gone: no orphan engine outlives it.
  process.stdin.on('end', stop);
  const devRootHex = Buffer.from(ed25519.getPublicKey(Buffer.from(config.devRootSeedHex, 'hex'))).toString('hex');
  emit({ event: 'ready', url: gateway.url, port: gateway.port, pid: process.pid, devRootHex });
}

main().catch((error: unknown) => {
  emit({ event: 'fatal', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
