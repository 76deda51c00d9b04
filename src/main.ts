// `npm start`: the whole venue on one machine, everything through the encrypted channel — the
// enclave worker (data in ./data, or DARKPOOL_DATA_DIR), the embedded settlement chain inside it, the gateway on
// 127.0.0.1:8080 (or PORT; 0 picks a free port), a demo market DOT/USDC with a random-walk
// reference feed, and the example market maker funded by a deposit on the embedded chain. It
// prints the trading page's URL and a CLI one-liner that places an order, and runs until Ctrl-C.
// The enclave runs with the INSECURE development attestation and sealing key (no TEE).
// SHARDS=2 splits the markets across two enclaves (docs/shards.md): DOT/USDC on shard "a",
// DOT/USDT on shard "b", each with its own worker, keys, journal and embedded chain, behind the
// one gateway (shard map at /v1/shards); the market maker quotes both through a sharded client.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { share, type Subscription } from 'rxjs';
import { buildPolicy } from '../client/cli/options.js';
import { MarketMaker, randomWalkReference } from '../client/examples/market-maker.js';
import { ClientDecimal, DarkpoolClient, ShardedDarkpoolClient } from '../client/sdk/index.js';
import { nodeTransport } from '../client/sdk/node-transport.js';
import { startGateway } from './gateway/index.js';
import { EnclaveHost } from './host/enclave-host.js';
import { parseAttestationBundle } from './protocol/attestation-bundle.js';

const MARKET = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6,
  tickSize: '0.01', lotSize: '0.1', makerFeeBps: 2, takerFeeBps: 5, referenceStalenessMs: 10_000,
} as const;
const SECOND_SHARD_MARKET = { ...MARKET, id: 'DOT/USDT', quote: 'USDT' } as const;
const START_PRICE = '7.00';
const REFERENCE_INTERVAL_MS = 1_000;
const FUNDING: Readonly<Record<string, bigint>> = { DOT: 1_000_000_000_000_000n, USDC: 100_000_000_000n, USDT: 100_000_000_000n };
const DEFAULT_PORT = 8080;

type VenueMarket = typeof MARKET | typeof SECOND_SHARD_MARKET;

/** One enclave of the venue: the whole venue unsharded, or one market shard. */
interface ShardPlan {
  readonly shardId: string | undefined;
  readonly market: VenueMarket;
  readonly dataDir: string;
}

function shardPlan(dataDir: string): ShardPlan[] {
  const raw = process.env.SHARDS ?? '1';
  if (raw === '1') return [{ shardId: undefined, market: MARKET, dataDir }];
  if (raw === '2') return [{ shardId: 'a', market: MARKET, dataDir: join(dataDir, 'shard-a') }, { shardId: 'b', market: SECOND_SHARD_MARKET, dataDir: join(dataDir, 'shard-b') }];
  throw new Error(`SHARDS must be 1 or 2, got ${raw.slice(0, 16)}`);
}

function portFromEnv(): number {
  const raw = process.env.PORT ?? String(DEFAULT_PORT);
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) > 65_535) throw new Error(`PORT must be 0..65535, got ${raw.slice(0, 16)}`);
  return Number(raw);
}

/**
 * The shards' shared INSECURE dev root, kept in the data directory: each shard re-verifies the
 * vouchers in its journal on replay against the root its own attestation names, so the root
 * must outlive restarts like the shards' keys do (docs/shards.md).
 */
function sharedDevRootSeedHex(dataDir: string): string {
  const path = join(dataDir, 'shards-dev-root-seed.INSECURE');
  if (existsSync(path)) {
    const hex = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} does not hold a 32-byte hex seed`);
    return hex;
  }
  const hex = randomBytes(32).toString('hex');
  writeFileSync(path, `${hex}\n`, { mode: 0o600 });
  return hex;
}

function newKey(path: string): { seed: Uint8Array; account: string } {
  const seed = new Uint8Array(randomBytes(32));
  writeFileSync(path, `${Buffer.from(seed).toString('hex')}\n`, { mode: 0o600 });
  return { seed, account: Buffer.from(ed25519.getPublicKey(seed)).toString('hex') };
}

async function fund(host: EnclaveHost, market: VenueMarket, account: string): Promise<void> {
  await host.embeddedChainDeposit(account, market.base, FUNDING[market.base]!);
  await host.embeddedChainDeposit(account, market.quote, FUNDING[market.quote]!);
}

async function main(): Promise<void> {
  const port = portFromEnv();
  const dataDir = resolve(process.env.DARKPOOL_DATA_DIR ?? 'data');
  mkdirSync(dataDir, { recursive: true });
  console.warn(`INSECURE: development attestation and a dev sealing key file in ${dataDir} — no TEE protects these keys or orders. Never use this with real funds.`);
  const plan = shardPlan(dataDir);
  const sharded = plan.length > 1;
  // Shards of one venue share a dev root, so each can check the others' transfer vouchers (docs/shards.md).
  const devRootSeedHex = sharded ? sharedDevRootSeedHex(dataDir) : undefined;
  const hosts = await Promise.all(plan.map((shard) => EnclaveHost.start({
    dataDir: shard.dataDir, markets: [shard.market], feeAccount: 'venue-fees', production: false, chain: 'embedded',
    ...(shard.shardId === undefined ? {} : { shardId: shard.shardId, devRootSeedHex }),
  })));
  for (const host of hosts) {
    host.onSettlement((entry) => { if (entry.event !== 'message-submitted' && entry.event !== 'deposit-credited') console.log(`settlement ${JSON.stringify(entry)}`); });
    host.onFatal((message) => console.error(`enclave fatal: ${message}`));
  }
  const host = hosts[0]!;
  const bundle = parseAttestationBundle(JSON.parse(host.bundle));
  if (bundle.kind !== 'dev') throw new Error('expected a development attestation bundle');
  const devRoot = bundle.devReport.rootPublicKeyHex;
  const gateway = await startGateway({
    host, markets: plan.map((shard) => shard.market), port, logger: { level: 'warn' },
    ...(sharded ? { shards: plan.map((shard, index) => ({ id: shard.shardId!, host: hosts[index]!, markets: [shard.market] })) } : {}),
  });

  const maker = newKey(join(dataDir, 'market-maker.key'));
  const traderKeyPath = join(dataDir, 'demo-trader.key');
  const trader = newKey(traderKeyPath);
  for (const [index, shard] of plan.entries()) {
    await fund(hosts[index]!, shard.market, maker.account);
    await fund(hosts[index]!, shard.market, trader.account);
  }

  const policy = await buildPolicy({ 'insecure-dev-attestation': true, 'dev-root': devRoot }, async () => devRoot);
  const shardedClient = sharded ? new ShardedDarkpoolClient({ url: gateway.url, secretKey: maker.seed, policy, transport: nodeTransport }) : undefined;
  await shardedClient?.connect();
  const feeds: Subscription[] = [];
  const bots: MarketMaker[] = [];
  const plainClient = sharded ? undefined : new DarkpoolClient({ url: gateway.url, secretKey: maker.seed, policy, transport: nodeTransport });
  await plainClient?.connect();
  for (const [index, shard] of plan.entries()) {
    const client = shardedClient === undefined ? plainClient! : await shardedClient.shard(shard.shardId!);
    const shardHost = hosts[index]!;
    const market = client.market(shard.market.id);
    const tick = new ClientDecimal(market.tickSize);
    const reference$ = randomWalkReference(market, START_PRICE, REFERENCE_INTERVAL_MS, 2, Date.now() >>> 0).pipe(share());
    feeds.push(reference$.subscribe((mid) => {
      const price = new ClientDecimal(mid);
      shardHost.setReference(shard.market.id, price.minus(tick).toFixed(2), price.plus(tick).toFixed(2)).catch((error: unknown) => console.error(`reference refused: ${String(error)}`));
    }));
    const bot = new MarketMaker(client, reference$, { symbol: shard.market.id, levels: 3, spreadTicks: 2, stepTicks: 2, levelSize: '1', deadManMs: 5_000 });
    bot.events$.subscribe((event) => { if (event.kind === 'error') console.error(`market maker: ${event.error.message}`); });
    await bot.start();
    bots.push(bot);
  }
  if (sharded) console.log(`\nShards: ${gateway.url}/v1/shards (DOT/USDC on shard a, DOT/USDT on shard b; /v1/stream and the page serve shard a)`);

  console.log(`\nTrading page: ${gateway.url}/?devRoot=${devRoot}`);
  console.log(`Place an order: npx darkpool place buy 1 ${START_PRICE} --url ${gateway.url} --market ${MARKET.id} --key ${traderKeyPath} --insecure-dev-attestation --dev-root ${devRoot}`);
  console.log('Ctrl-C stops.');

  // A terminal's Ctrl-C reaches both tsx and this process, and tsx relays it once more: every
  // signal after the first is absorbed so the shutdown below runs to its end.
  await new Promise<void>((done) => {
    let signalled = false;
    const stop = (): void => { if (!signalled) { signalled = true; done(); } };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  console.log('stopping');
  for (const feed of feeds) feed.unsubscribe();
  for (const bot of bots) await bot.stop();
  await plainClient?.close();
  await shardedClient?.close();
  await gateway.app.close();
  await Promise.all(hosts.map((shardHost) => shardHost.stop()));
  console.log('stopped');
}

main().catch((error: unknown) => {
  console.error(`error ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
