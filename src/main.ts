// `npm start`: the whole venue on one machine, everything through the encrypted channel — the
// enclave worker (data in ./data, or DARKPOOL_DATA_DIR), the embedded settlement chain inside it, the gateway on
// 127.0.0.1:8080 (or PORT; 0 picks a free port), a demo market DOT/USDC with a random-walk
// reference feed, and the example market maker funded by a deposit on the embedded chain. It
// prints the trading page's URL and a CLI one-liner that places an order, and runs until Ctrl-C.
// The enclave runs with the INSECURE development attestation and sealing key (no TEE).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { share, type Subscription } from 'rxjs';
import { buildPolicy } from '../client/cli/options.js';
import { MarketMaker, randomWalkReference } from '../client/examples/market-maker.js';
import { ClientDecimal, DarkpoolClient } from '../client/sdk/index.js';
import { nodeTransport } from '../client/sdk/node-transport.js';
import { startGateway } from './gateway/index.js';
import { EnclaveHost } from './host/enclave-host.js';
import { parseAttestationBundle } from './protocol/attestation-bundle.js';

const MARKET = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6,
  tickSize: '0.01', lotSize: '0.1', makerFeeBps: 2, takerFeeBps: 5, referenceStalenessMs: 10_000,
} as const;
const START_PRICE = '7.00';
const REFERENCE_INTERVAL_MS = 1_000;
const FUNDING = { DOT: 1_000_000_000_000_000n, USDC: 100_000_000_000n } as const;
const DEFAULT_PORT = 8080;

function portFromEnv(): number {
  const raw = process.env.PORT ?? String(DEFAULT_PORT);
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) > 65_535) throw new Error(`PORT must be 0..65535, got ${raw.slice(0, 16)}`);
  return Number(raw);
}

function newKey(path: string): { seed: Uint8Array; account: string } {
  const seed = new Uint8Array(randomBytes(32));
  writeFileSync(path, `${Buffer.from(seed).toString('hex')}\n`, { mode: 0o600 });
  return { seed, account: Buffer.from(ed25519.getPublicKey(seed)).toString('hex') };
}

async function fund(host: EnclaveHost, account: string): Promise<void> {
  await host.embeddedChainDeposit(account, 'DOT', FUNDING.DOT);
  await host.embeddedChainDeposit(account, 'USDC', FUNDING.USDC);
}

async function main(): Promise<void> {
  const port = portFromEnv();
  const dataDir = resolve(process.env.DARKPOOL_DATA_DIR ?? 'data');
  mkdirSync(dataDir, { recursive: true });
  console.warn(`INSECURE: development attestation and a dev sealing key file in ${dataDir} — no TEE protects these keys or orders. Never use this with real funds.`);
  const host = await EnclaveHost.start({ dataDir, markets: [MARKET], feeAccount: 'venue-fees', production: false, chain: 'embedded' });
  host.onSettlement((entry) => { if (entry.event !== 'message-submitted' && entry.event !== 'deposit-credited') console.log(`settlement ${JSON.stringify(entry)}`); });
  host.onFatal((message) => console.error(`enclave fatal: ${message}`));
  const bundle = parseAttestationBundle(JSON.parse(host.bundle));
  if (bundle.kind !== 'dev') throw new Error('expected a development attestation bundle');
  const devRoot = bundle.devReport.rootPublicKeyHex;
  const gateway = await startGateway({ host, markets: [MARKET], port, logger: { level: 'warn' } });

  const maker = newKey(join(dataDir, 'market-maker.key'));
  const traderKeyPath = join(dataDir, 'demo-trader.key');
  const trader = newKey(traderKeyPath);
  await fund(host, maker.account);
  await fund(host, trader.account);

  const policy = await buildPolicy({ 'insecure-dev-attestation': true, 'dev-root': devRoot }, async () => devRoot);
  const client = new DarkpoolClient({ url: gateway.url, secretKey: maker.seed, policy, transport: nodeTransport });
  await client.connect();
  const market = client.market(MARKET.id);
  const tick = new ClientDecimal(market.tickSize);
  const reference$ = randomWalkReference(market, START_PRICE, REFERENCE_INTERVAL_MS, 2, Date.now() >>> 0).pipe(share());
  const feed: Subscription = reference$.subscribe((mid) => {
    const price = new ClientDecimal(mid);
    host.setReference(MARKET.id, price.minus(tick).toFixed(2), price.plus(tick).toFixed(2)).catch((error: unknown) => console.error(`reference refused: ${String(error)}`));
  });
  const bot = new MarketMaker(client, reference$, { symbol: MARKET.id, levels: 3, spreadTicks: 2, stepTicks: 2, levelSize: '1', deadManMs: 5_000 });
  bot.events$.subscribe((event) => { if (event.kind === 'error') console.error(`market maker: ${event.error.message}`); });
  await bot.start();

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
  feed.unsubscribe();
  await bot.stop();
  await client.close();
  await gateway.app.close();
  await host.stop();
  console.log('stopped');
}

main().catch((error: unknown) => {
  console.error(`error ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
